"""Tool calls of AG-UI, ``ToolCalls``, a part of ``AgUiAdapter``: ``TOOL_CALL_*`` events, a
chunked call continued until another id (or its result) comes, and ``close_chunks``, which
closes the chunked call that only an id switch would have closed."""

from __future__ import annotations

from typing import Any

from nbagent.adapters.ag_ui.messages import Messages
from nbagent.adapters.ag_ui.tables import _get
from nbagent.adapters.base import plain, str_or_none
from nbagent.core.events import (
    Custom,
    Event,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)

__all__ = ["ToolCalls"]


class ToolCalls:
    """The tool call handlers (``on_<type>``); ids made up by the ``Messages`` part's
    ``ids``."""

    def __init__(self, messages: Messages) -> None:
        self._messages = messages
        self._tool_chunk: str | None = None

    def on_tool_call_start(self, ev: Any, out: list[Event]) -> str:
        tool_call_id = str_or_none(_get(ev, "toolCallId"))
        synthetic = tool_call_id is None
        if tool_call_id is None:
            tool_call_id = self._messages.ids.new("call")
        out.append(
            ToolCallStart(
                tool_call_id=tool_call_id,
                name=str_or_none(_get(ev, "toolCallName")) or "",
                parent_message_id=str_or_none(_get(ev, "parentMessageId")),
                synthetic_id=synthetic,
            )
        )
        return tool_call_id

    def on_tool_call_args(self, ev: Any, out: list[Event]) -> None:
        tool_call_id = str_or_none(_get(ev, "toolCallId"))
        delta = _get(ev, "delta")
        if tool_call_id and isinstance(delta, str) and delta:
            out.append(ToolCallArgsDelta(tool_call_id=tool_call_id, delta=delta))

    def on_tool_call_end(self, ev: Any, out: list[Event]) -> None:
        tool_call_id = str_or_none(_get(ev, "toolCallId"))
        if tool_call_id:
            out.append(ToolCallEnd(tool_call_id=tool_call_id))

    def on_tool_call_chunk(self, ev: Any, out: list[Event]) -> None:
        tool_call_id = str_or_none(_get(ev, "toolCallId"))
        if tool_call_id is not None and tool_call_id != self._tool_chunk:
            if self._tool_chunk is not None:
                out.append(ToolCallEnd(tool_call_id=self._tool_chunk))
            self._tool_chunk = self.on_tool_call_start(ev, out)
        elif self._tool_chunk is None:  # no id yet: a synthetic one
            self._tool_chunk = self.on_tool_call_start(ev, out)
        delta = _get(ev, "delta")
        if isinstance(delta, str) and delta:
            out.append(ToolCallArgsDelta(tool_call_id=self._tool_chunk, delta=delta))

    def on_tool_call_result(self, ev: Any, out: list[Event]) -> None:
        tool_call_id = str_or_none(_get(ev, "toolCallId"))
        if tool_call_id is None:
            out.append(Custom(name="TOOL_CALL_RESULT", value=plain(ev), is_raw=True))
            return
        if tool_call_id == self._tool_chunk:  # a result ends a chunked call's arguments
            out.append(ToolCallEnd(tool_call_id=tool_call_id))
            self._tool_chunk = None
        out.append(
            ToolResult(
                tool_call_id=tool_call_id,
                content=plain(_get(ev, "content")),
                message_id=str_or_none(_get(ev, "messageId")),
            )
        )

    def close_chunks(self, out: list[Event]) -> None:
        """The run ends: close the chunked call only an id switch would have closed."""
        if self._tool_chunk is not None:
            out.append(ToolCallEnd(tool_call_id=self._tool_chunk))
            self._tool_chunk = None
