"""``format="dexto"``: the named-event agent stream (Dexto's ``POST /api/message-stream``).

Design ``protocols.md`` §10.2 and §12.9b. The event name travels in the SSE ``event:``
field (``llm:chunk``, ``llm:tool-call``, ...), the payload in ``data:`` as JSON.

Items: ``ServerSentEvent``s, or ``{"event": name, "data": {...}}`` dicts (or their JSON
strings). Mapping:

- ``llm:thinking`` → ``status("thinking")`` (a signal with no text, not a thinking delta)
- ``llm:chunk`` → a text delta, or a thinking delta when ``chunkType == "reasoning"``
- ``llm:tool-call`` → tool call start + arguments + end (id ``callId`` or ``turn{n}:call{k}``)
- ``llm:tool-result`` → the tool's result (``callId``, else the oldest open call of that
  ``toolName``: FIFO); content ``sanitized`` | ``result`` | ``rawResult`` | ``content``;
  ``is_error = not success``
- ``llm:response`` → reconciles ``content`` with the streamed text (all of it when nothing
  streamed, the missing tail when the stream is a prefix of it), then ``usage``
  (``usage`` or ``tokenUsage``, camel or snake case) and ``step_end``
- ``llm:error`` / ``error`` → an error (``message`` or ``error.message``); not
  ``recoverable`` → ``run_end("error")``
- ``approval:request`` → ``status("awaiting_approval")``; ``run:complete`` →
  ``run_end("completed")``; anything else → ``custom``

End of input: ``run_end("completed")`` when the last turn ended with ``llm:response``
(Dexto sends no terminal event), else ``run_end("incomplete")`` (cut off mid-turn).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent.adapters.approvals import approval_detail, awaiting_status
from nbagent.adapters.base import BadItemError, ServerSentEvent, int_or_none, short_repr, unwrap
from nbagent.adapters.kit.dispatch import never_raises
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.adapters.kit.parts import Parts
from nbagent.core.events import (
    Custom,
    ErrorEvent,
    Event,
    RunEnd,
    Status,
    StepEnd,
    StepStart,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
    Usage,
)
from nbagent.core.values import strict_json

__all__ = ["DextoAdapter"]


def _named(item: Any) -> tuple[str | None, Any]:
    """``(event name, payload)`` of a wire item; raises ``BadItemError`` for bad JSON."""
    if isinstance(item, (bytes, bytearray)):
        item = bytes(item).decode("utf-8", errors="replace")
    if isinstance(item, ServerSentEvent):
        name, payload = unwrap(item) if item.data.strip() else (item.event, {})
        return (name or item.event), payload
    if isinstance(item, str):
        _, item = unwrap(item)
    if isinstance(item, Mapping) and isinstance(item.get("event"), str):
        data = item.get("data")
        if isinstance(data, (str, bytes, bytearray)):
            data = unwrap(data)[1] if (data.strip() if isinstance(data, str) else data) else {}
        return item["event"], {} if data is None else data
    return None, item


def _get(data: Any, *keys: str) -> Any:
    """The first of ``keys`` present (not None) in a mapping."""
    if not isinstance(data, Mapping):
        return None
    for key in keys:
        value = data.get(key)
        if value is not None:
            return value
    return None


class DextoAdapter:
    """Dexto-style named SSE events → normalized events."""

    name: ClassVar[str] = "dexto"

    def __init__(self) -> None:
        self._step_open = False
        self._text = ""  # text streamed in this turn
        self._thought = False
        self._ids = Ids()
        self._ids.scope = self._ids.scope_id("turn")  # the turn's: what it says is in its scope
        self._messages = Parts(self._ids)
        self._open_calls: dict[str, deque[str]] = {}
        self._life = Lifecycle("dexto")
        self._settled = False  # the last turn ended with llm:response

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """An item whose event name starts with ``llm:``."""
        name, _ = _named(item)
        return isinstance(name, str) and name.startswith("llm:")

    # -- ids ---------------------------------------------------------------------------

    @property
    def _step_id(self) -> str:
        return self._ids.scope

    def _step(self, out: list[Event]) -> None:
        self._settled = False
        if not self._step_open:
            self._step_open = True
            out.append(StepStart(step_id=self._step_id, name="llm"))

    def _close_messages(self, out: list[Event]) -> None:
        for channel in ("thinking", "text"):
            self._messages.close(channel, out)

    # -- the adapter interface -----------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._life.done:
            return []
        try:
            name, data = _named(item)
        except BadItemError as exc:
            return [ErrorEvent(message=str(exc), error_type="bad_item", recoverable=True)]
        if not isinstance(data, Mapping):
            data = {"value": data}
        out: list[Event] = []
        handler = _HANDLERS.get(name or "")
        if handler is None:
            out.append(Custom(name=name or "message", value=dict(data)))
        else:
            handler(self, data, out)
        return out

    def end(self) -> list[Event]:
        if not self._life.end():
            return []
        if self._settled:
            return [RunEnd(reason="completed")]
        return [RunEnd(reason="incomplete", message="stream ended before llm:response")]

    # -- handlers ----------------------------------------------------------------------

    def _thinking(self, data: Mapping[str, Any], out: list[Event]) -> None:
        self._step(out)
        out.append(Status(state="thinking"))

    def _chunk(self, data: Mapping[str, Any], out: list[Event]) -> None:
        content = _get(data, "content", "text", "delta")
        if not isinstance(content, str) or not content:
            return
        self._step(out)
        if data.get("chunkType") == "reasoning":
            if self._messages.get("text"):  # thinking after text: a new part
                self._close_messages(out)
            self._thought = True
            self._messages.put("thinking", "thinking", content, out)
        else:
            self._text += content
            self._messages.put("text", "text", content, out)

    def _tool_call(self, data: Mapping[str, Any], out: list[Event]) -> None:
        self._step(out)
        self._close_messages(out)
        tool = _get(data, "toolName", "name")
        tool = tool if isinstance(tool, str) else ""
        call_id = _get(data, "callId", "toolCallId", "id")
        synthetic = not isinstance(call_id, str) or not call_id
        tool_call_id = self._ids.new("call") if synthetic else str(call_id)
        self._open_calls.setdefault(tool, deque()).append(tool_call_id)
        args = data.get("args", data.get("arguments"))
        if isinstance(args, str):
            arguments = args
            try:
                parsed: Any = strict_json(args)
            except ValueError:
                parsed = None
        else:
            parsed = {} if args is None else args
            try:
                arguments = json.dumps(parsed, ensure_ascii=False)
            except (TypeError, ValueError):
                arguments, parsed = short_repr(parsed, 2000), None
        out.append(ToolCallStart(tool_call_id=tool_call_id, name=tool, synthetic_id=synthetic))
        out.append(ToolCallArgsDelta(tool_call_id=tool_call_id, delta=arguments))
        out.append(ToolCallEnd(tool_call_id=tool_call_id, arguments=arguments, args=parsed))

    def _tool_result(self, data: Mapping[str, Any], out: list[Event]) -> None:
        self._step(out)
        tool = _get(data, "toolName", "name")
        tool = tool if isinstance(tool, str) else ""
        call_id = _get(data, "callId", "toolCallId")
        queue = self._open_calls.get(tool)
        if isinstance(call_id, str) and call_id:
            if queue is not None and call_id in queue:
                queue.remove(call_id)
        elif queue:
            call_id = queue.popleft()
        else:  # a result for a call we never saw
            call_id = self._ids.new("call")
        content = _get(data, "sanitized", "result", "rawResult", "content")
        success = data.get("success")
        out.append(
            ToolResult(
                tool_call_id=str(call_id),
                name=tool or None,
                content=content,
                is_error=success is False,
            )
        )

    def _response(self, data: Mapping[str, Any], out: list[Event]) -> None:
        self._step(out)
        reasoning = data.get("reasoning")
        if isinstance(reasoning, str) and reasoning and not self._thought:
            self._messages.put("thinking", "thinking", reasoning, out)
        content = data.get("content")
        if isinstance(content, str) and content:
            streamed = self._text
            if not streamed:
                self._messages.put("text", "text", content, out)
            elif content.startswith(streamed) and len(content) > len(streamed):
                self._messages.put("text", "text", content[len(streamed) :], out)
        self._close_messages(out)
        usage = data.get("tokenUsage") or data.get("usage")
        if isinstance(usage, Mapping):
            model, provider = data.get("model"), data.get("provider")
            out.append(
                Usage(
                    input_tokens=int_or_none(
                        _get(usage, "inputTokens", "input_tokens", "promptTokens")
                    ),
                    output_tokens=int_or_none(
                        _get(usage, "outputTokens", "output_tokens", "completionTokens")
                    ),
                    total_tokens=int_or_none(_get(usage, "totalTokens", "total_tokens")),
                    reasoning_tokens=int_or_none(
                        _get(usage, "reasoningTokens", "reasoning_tokens")
                    ),
                    cached_input_tokens=int_or_none(
                        _get(usage, "cacheReadTokens", "cachedInputTokens", "cached_input_tokens")
                    ),
                    cache_write_tokens=int_or_none(_get(usage, "cacheWriteTokens")),
                    model=model if isinstance(model, str) else None,
                    provider=provider if isinstance(provider, str) else None,
                )
            )
        out.append(StepEnd(step_id=self._step_id, name="llm"))
        self._ids.scope = self._ids.scope_id("turn")
        self._text = ""
        self._thought = False
        self._step_open = False
        self._settled = True

    def _error(self, data: Mapping[str, Any], out: list[Event]) -> None:
        err = data.get("error")
        message = _get(data, "message") or _get(err, "message")
        if not message:
            message = err if isinstance(err, str) and err else short_repr(dict(data), 300)
        kind = _get(err, "name", "type") or _get(data, "name", "type")
        code = _get(data, "code") or _get(err, "code")
        recoverable = data.get("recoverable") is True
        out.append(
            ErrorEvent(
                message=str(message),
                error_type=kind if isinstance(kind, str) else None,
                code=code if isinstance(code, (str, int)) and not isinstance(code, bool) else None,
                recoverable=recoverable,
            )
        )
        if not recoverable:
            self._life.end()
            out.append(RunEnd(reason="error", message=str(message)))

    def _approval(self, data: Mapping[str, Any], out: list[Event]) -> None:
        """The server waits for its client's answer: the call it names (``toolCallId``, else
        the oldest open call of ``toolName``; at the top level or in ``metadata``) pauses,
        with no actions: nbagent cannot answer a remote server."""
        meta = data.get("metadata")
        inner: Mapping[str, Any] = meta if isinstance(meta, Mapping) else {}
        tool = _get(data, "toolName") or _get(inner, "toolName")
        call_id = _get(data, "callId", "toolCallId") or _get(inner, "callId", "toolCallId")
        queue = self._open_calls.get(tool) if isinstance(tool, str) else None
        if not (isinstance(call_id, str) and call_id) and queue:
            call_id = queue[0]
        approval_id = _get(data, "approvalId", "id")
        hint = (
            f"# answer approval {json.dumps(approval_id)} from Dexto's client (its web UI or "
            "API): nbagent reads the stream and cannot answer the server"
        )
        detail = approval_detail("dexto", hint=hint, request=dict(data))
        if isinstance(call_id, str) and call_id:
            name = tool if isinstance(tool, str) and tool else "tool"
            out.append(awaiting_status(call_id, name, detail))
        else:  # names no call: the run's activity says it
            out.append(Status(state="awaiting_approval", detail=detail))

    def _complete(self, data: Mapping[str, Any], out: list[Event]) -> None:
        self._close_messages(out)
        self._life.end()
        out.append(RunEnd(reason="completed", raw_reason="run:complete"))


_HANDLERS = {
    "llm:thinking": DextoAdapter._thinking,
    "llm:chunk": DextoAdapter._chunk,
    "llm:tool-call": DextoAdapter._tool_call,
    "llm:tool-result": DextoAdapter._tool_result,
    "llm:response": DextoAdapter._response,
    "llm:error": DextoAdapter._error,
    "error": DextoAdapter._error,
    "approval:request": DextoAdapter._approval,
    "run:complete": DextoAdapter._complete,
}
