"""The tool parts of the UI message stream (``tool-input-*``, ``tool-output-*``,
``tool-approval-request``), ``ToolParts``, a part of ``VercelUiAdapter``: a call starts at its
first part, its arguments end at ``tool-input-available`` (or an input error), and its result
ends it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nbagent.adapters.approvals import approval_detail, awaiting_status
from nbagent.adapters.base import plain, str_or_none
from nbagent.core.events import (
    ErrorEvent,
    Event,
    Status,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)

__all__ = ["ToolParts"]


class ToolParts:
    """The tool part handlers (``on_<type>``) and the calls they made."""

    def __init__(self) -> None:
        self._tools: dict[str, bool] = {}  # tool call id -> arguments complete
        self._tool_names: dict[str, str] = {}

    def close_all(self, out: list[Event]) -> None:
        """End the calls whose arguments never completed."""
        for tool_call_id, done in self._tools.items():
            if not done:
                self._tools[tool_call_id] = True
                out.append(ToolCallEnd(tool_call_id=tool_call_id))

    def _tool_id(self, part: Mapping[str, Any]) -> str:
        return str_or_none(part.get("toolCallId")) or "call"

    def _start_tool(self, part: Mapping[str, Any], out: list[Event]) -> str:
        tool_call_id = self._tool_id(part)
        if tool_call_id not in self._tools:
            self._tools[tool_call_id] = False
            name = str_or_none(part.get("toolName")) or ""
            self._tool_names[tool_call_id] = name
            out.append(
                ToolCallStart(
                    tool_call_id=tool_call_id,
                    name=name,
                    executor="server" if part.get("providerExecuted") is True else None,
                    synthetic_id=str_or_none(part.get("toolCallId")) is None,
                )
            )
        return tool_call_id

    def on_tool_input_start(self, part: Mapping[str, Any], out: list[Event]) -> None:
        self._start_tool(part, out)

    def on_tool_input_delta(self, part: Mapping[str, Any], out: list[Event]) -> None:
        tool_call_id = self._start_tool(part, out)
        delta = part.get("inputTextDelta")
        if isinstance(delta, str) and delta and not self._tools[tool_call_id]:
            out.append(ToolCallArgsDelta(tool_call_id=tool_call_id, delta=delta))

    def on_tool_input_available(self, part: Mapping[str, Any], out: list[Event]) -> None:
        tool_call_id = self._start_tool(part, out)
        if not self._tools[tool_call_id]:
            self._tools[tool_call_id] = True
            # full input: reconciles (the normalizer keeps streamed text when there is any)
            out.append(ToolCallEnd(tool_call_id=tool_call_id, args=plain(part.get("input"))))

    def on_tool_input_error(self, part: Mapping[str, Any], out: list[Event]) -> None:
        tool_call_id = self._start_tool(part, out)
        text = str_or_none(part.get("errorText")) or "invalid tool input"
        if not self._tools[tool_call_id]:
            self._tools[tool_call_id] = True
            out.append(ToolCallEnd(tool_call_id=tool_call_id, parse_error=text))
        out.append(ErrorEvent(message=text, recoverable=True, error_type="tool-input-error"))

    def _result(self, part: Mapping[str, Any], out: list[Event], **kw: Any) -> None:
        tool_call_id = self._start_tool(part, out)
        self._tools[tool_call_id] = True
        name = self._tool_names.get(tool_call_id) or None
        out.append(ToolResult(tool_call_id=tool_call_id, name=name, **kw))

    def on_tool_output_available(self, part: Mapping[str, Any], out: list[Event]) -> None:
        self._result(
            part,
            out,
            content=plain(part.get("output")),
            preliminary=part.get("preliminary") is True,
        )

    def on_tool_output_error(self, part: Mapping[str, Any], out: list[Event]) -> None:
        text = str_or_none(part.get("errorText")) or "tool error"
        self._result(part, out, content=text, is_error=True)

    def on_tool_output_denied(self, part: Mapping[str, Any], out: list[Event]) -> None:
        self._result(part, out, content="denied", is_error=True)

    def on_tool_approval_request(self, part: Mapping[str, Any], out: list[Event]) -> None:
        """The server waits for the client's answer (``needsApproval`` tools): a paused call
        nbagent cannot answer (the client sends it with its next request)."""
        tool_call_id = str_or_none(part.get("toolCallId"))
        approval_id = str_or_none(part.get("approvalId")) or tool_call_id
        hint = (
            "// in the client (useChat), then send the next message:\n"
            f"addToolApprovalResponse({{ id: {json.dumps(approval_id)}, approved: true }});"
            '  // or approved: false, reason: "why"'
        )
        detail = approval_detail(
            "vercel-ui", hint=hint, approval_id=approval_id, request=plain(part)
        )
        if tool_call_id is None:  # nothing to pause: the run's activity says it
            out.append(Status(state="awaiting_approval", text="awaiting approval", detail=detail))
            return
        name = self._tool_names.get(tool_call_id) or str_or_none(part.get("toolName")) or "tool"
        out.append(awaiting_status(tool_call_id, name, detail))
