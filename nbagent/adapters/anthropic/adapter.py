"""``format="anthropic"``: Anthropic Messages streaming.

Items are the raw stream events: dicts (``{"type": "message_start", ...}``), the ``anthropic``
SDK's event objects (``RawMessageStreamEvent``: pydantic models with ``.type``), JSON strings
of one event, or ``ServerSentEvent``s (event name + JSON data). Mapping: design
``protocols.md`` §12.4; tricky cases: §13.

Ids: the run id and the step id are the message id (``"msg"`` when no ``message_start`` came
first); a content block is ``f"{msg}:{index}"`` (text, thinking); a tool call keeps its
``tool_use`` id (``f"{msg}:{index}"`` with ``synthetic_id=True`` when input arrives for a block
that never started). A ``refusal`` stop with ``stop_details.explanation`` adds a refusal text
message ``f"{msg}:refusal"`` holding the explanation.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from nbagent._events import (
    Custom,
    EndReason,
    ErrorEvent,
    Event,
    MessageEnd,
    MessageStart,
    RunEnd,
    RunStart,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
    Usage,
)
from nbagent.adapters.base import (
    ServerSentEvent,
    field,
    int_or_none,
    plain,
    unwrap,
    unwrap_object,
)

__all__ = ["EVENT_TYPES", "STOP_REASONS", "AnthropicAdapter", "map_stop_reason"]

STOP_REASONS: dict[str, EndReason] = {
    "end_turn": "completed",
    "stop_sequence": "completed",
    "max_tokens": "max_tokens",
    "model_context_window_exceeded": "max_tokens",
    "tool_use": "tool_calls",
    "refusal": "refusal",
    "pause_turn": "interrupted",
}
"""Messages ``stop_reason`` → ``RunEnd.reason`` (anything else → ``"unknown"``)."""

EVENT_TYPES: frozenset[str] = frozenset(
    {
        "message_start",
        "message_delta",
        "message_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "ping",
        "error",
    }
)
"""The ``type`` of every Messages stream event."""

_TOOL_USE = ("tool_use", "server_tool_use", "mcp_tool_use")


def map_stop_reason(raw: str | None) -> EndReason:
    if raw is None:
        return "unknown"
    return STOP_REASONS.get(raw, "unknown")


class _Block:
    __slots__ = ("id", "input", "kind", "open", "signature", "streamed")

    def __init__(self, kind: str, block_id: str) -> None:
        self.kind = kind  # "text" | "thinking" | "tool" | "done" (nothing to close)
        self.id = block_id
        self.open = True
        self.signature: str | None = None
        self.input: Any = None  # a non-empty content_block_start.input
        self.streamed = False  # a non-empty input_json_delta arrived


class AnthropicAdapter:
    """Messages stream events → events (see the module docstring)."""

    name: ClassVar[str] = "anthropic"

    def __init__(self) -> None:
        self._started = False
        self._done = False
        self._base = "msg"
        self._blocks: dict[int, _Block] = {}
        self._stop_reason: str | None = None
        self._stop_details: Any = None

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    def detect(item: Any) -> bool:
        """A Messages stream event: dict, SDK object, JSON string or ``ServerSentEvent``."""
        try:
            name: str | None = None
            if isinstance(item, ServerSentEvent):
                name = None if item.event == "message" else item.event
            _, payload = unwrap(item)
            kind = field(payload, "type")
            if not isinstance(kind, str) or kind not in EVENT_TYPES:
                return False
            if name is not None and name != kind:
                return False
            if kind == "error":
                error = field(payload, "error")
                return isinstance(field(error, "type"), str) and field(error, "message") is not None
            if kind == "message_start":
                return field(field(payload, "message"), "id") is not None
            if kind.startswith("content_block_"):
                return isinstance(field(payload, "index"), int)
            return True
        except Exception:  # noqa: BLE001 - detect never raises
            return False

    # -- the adapter interface ---------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._done:
            return []
        name, payload = self._decode(item)
        kind = field(payload, "type")
        if not isinstance(kind, str) or not kind:
            kind = name or ""
        out: list[Event] = []
        if kind == "ping":
            return out
        if kind == "error":
            return self._error(payload)
        if kind == "message_start":
            self._message_start(payload, out)
            return out
        if not self._started:
            self._start(out, None, None)
        if kind == "content_block_start":
            self._block_start(payload, out)
        elif kind == "content_block_delta":
            self._block_delta(payload, out)
        elif kind == "content_block_stop":
            index = field(payload, "index")
            block = self._blocks.get(index) if isinstance(index, int) else None
            if block is not None:
                self._close_block(block, out)
        elif kind == "message_delta":
            self._message_delta(payload, out)
        elif kind == "message_stop":
            out.extend(self._end_run(stopped=True))
        else:
            out.append(Custom(name=kind or "unknown", value=plain(payload), is_raw=True))
        return out

    def end(self) -> list[Event]:
        return self._end_run(stopped=False)

    # -- decoding --------------------------------------------------------------------------

    def _decode(self, item: Any) -> tuple[str | None, Any]:
        takes = "stream event objects, dicts, JSON strings or ServerSentEvents"
        return unwrap_object(item, "anthropic", takes)

    # -- lifecycle -------------------------------------------------------------------------

    def _start(self, out: list[Event], message_id: Any, model: Any) -> None:
        self._started = True
        run_id = message_id if isinstance(message_id, str) else ""
        self._base = run_id or "msg"
        out.append(
            RunStart(
                run_id=run_id,
                model=model if isinstance(model, str) and model else None,
                provider="anthropic",
            )
        )
        out.append(StepStart(step_id=self._base, name="model", step_type="model"))

    def _message_start(self, payload: Any, out: list[Event]) -> None:
        message = field(payload, "message")
        model = field(message, "model")
        if not self._started:
            self._start(out, field(message, "id"), model)
        usage = field(message, "usage")
        if usage is not None:
            out.append(_usage(usage, model if isinstance(model, str) and model else None))

    def _message_delta(self, payload: Any, out: list[Event]) -> None:
        delta = field(payload, "delta")
        stop = field(delta, "stop_reason")
        if isinstance(stop, str) and stop:
            self._stop_reason = stop
            details = field(delta, "stop_details")
            if details is not None:
                self._stop_details = plain(details)
        usage = field(payload, "usage")
        if usage is not None:
            out.append(_usage(usage, None))

    def _close_all(self, out: list[Event]) -> None:
        for index in sorted(self._blocks):
            self._close_block(self._blocks[index], out)

    def _end_run(self, *, stopped: bool) -> list[Event]:
        if self._done:
            return []
        self._done = True
        out: list[Event] = []
        if not self._started:
            out.append(
                RunEnd(reason="incomplete", message="the stream ended before any event arrived")
            )
            return out
        self._close_all(out)
        raw = self._stop_reason
        message: str | None = None
        if not stopped:
            reason: EndReason = "incomplete"
            message = "the stream ended without message_stop"
        else:
            reason = map_stop_reason(raw)
        if raw == "refusal":
            explanation = field(self._stop_details, "explanation")
            if isinstance(explanation, str) and explanation:
                refusal_id = f"{self._base}:refusal"
                out.append(TextDelta(message_id=refusal_id, delta=explanation, refusal=True))
                out.append(MessageEnd(message_id=refusal_id))
                if stopped:
                    message = explanation
        out.append(
            StepEnd(step_id=self._base, name="model", finish_reason=reason, raw_finish_reason=raw)
        )
        meta = {"stop_details": self._stop_details} if self._stop_details is not None else None
        out.append(RunEnd(reason=reason, raw_reason=raw, message=message, meta=meta))
        return out

    def _error(self, payload: Any) -> list[Event]:
        self._done = True
        out: list[Event] = []
        if self._started:
            self._close_all(out)
            out.append(StepEnd(step_id=self._base, name="model", finish_reason="error"))
        error = field(payload, "error")
        message = field(error, "message")
        if not isinstance(message, str) or not message:
            message = "the server sent an error"
        error_type = field(error, "type")
        error_type = error_type if isinstance(error_type, str) and error_type else None
        details = plain(payload)
        out.append(
            ErrorEvent(
                message=message,
                error_type=error_type,
                recoverable=False,
                details=details if isinstance(details, dict) else None,
            )
        )
        out.append(RunEnd(reason="error", raw_reason=error_type, message=message))
        return out

    # -- content blocks --------------------------------------------------------------------

    def _block_start(self, payload: Any, out: list[Event]) -> None:
        index = field(payload, "index")
        if not isinstance(index, int) or index in self._blocks:
            return  # a repeated start: the block is already known
        content = field(payload, "content_block")
        kind = field(content, "type")
        block_id = f"{self._base}:{index}"
        if kind == "text":
            block = self._blocks[index] = _Block("text", block_id)
            out.append(MessageStart(message_id=block_id, channel="text", role="assistant"))
            text = field(content, "text")
            if isinstance(text, str) and text:
                out.append(TextDelta(message_id=block_id, delta=text))
        elif kind == "thinking":
            block = self._blocks[index] = _Block("thinking", block_id)
            out.append(MessageStart(message_id=block_id, channel="thinking"))
            thinking = field(content, "thinking")
            if isinstance(thinking, str) and thinking:
                out.append(ThinkingDelta(message_id=block_id, delta=thinking))
            signature = field(content, "signature")
            if isinstance(signature, str) and signature:
                block.signature = signature
        elif kind == "redacted_thinking":
            self._blocks[index] = block = _Block("done", block_id)
            block.open = False
            data = field(content, "data")
            out.append(MessageStart(message_id=block_id, channel="thinking"))
            out.append(
                MessageEnd(
                    message_id=block_id,
                    channel="thinking",
                    redacted=True,
                    encrypted_value=data if isinstance(data, str) else None,
                )
            )
        elif kind in _TOOL_USE:
            wire_id = field(content, "id")
            synthetic = not (isinstance(wire_id, str) and wire_id)
            tool_id = block_id if synthetic else wire_id
            block = self._blocks[index] = _Block("tool", tool_id)
            tool_input = field(content, "input")
            if tool_input:  # `{}` is only a placeholder for the streamed input
                block.input = plain(tool_input)
            name = field(content, "name")
            out.append(
                ToolCallStart(
                    tool_call_id=tool_id,
                    name=name if isinstance(name, str) else "",
                    index=index,
                    executor="client" if kind == "tool_use" else "server",
                    synthetic_id=synthetic,
                )
            )
        elif isinstance(kind, str) and kind.endswith("_tool_result"):
            self._blocks[index] = block = _Block("done", block_id)
            block.open = False
            tool_use_id = field(content, "tool_use_id")
            result = plain(field(content, "content"))
            error_type = field(result, "type") if isinstance(result, dict) else None
            out.append(
                ToolResult(
                    tool_call_id=tool_use_id if isinstance(tool_use_id, str) else block_id,
                    content=result,
                    is_error=isinstance(error_type, str) and error_type.endswith("_error"),
                    meta={"block_type": kind},
                )
            )
        else:
            self._blocks[index] = block = _Block("done", block_id)
            block.open = False
            out.append(
                Custom(
                    name=str(kind or "content_block"),
                    value=plain(content),
                    is_raw=True,
                    meta={"index": index},
                )
            )

    def _implicit_block(self, index: int, kind: str, out: list[Event]) -> _Block:
        """A block whose start never came (a truncated or reordered stream)."""
        block_id = f"{self._base}:{index}"
        block = self._blocks[index] = _Block(kind, block_id)
        if kind == "tool":
            out.append(ToolCallStart(tool_call_id=block_id, index=index, synthetic_id=True))
        return block

    def _block_delta(self, payload: Any, out: list[Event]) -> None:
        index = field(payload, "index")
        if not isinstance(index, int):
            return
        delta = field(payload, "delta")
        kind = field(delta, "type")
        block = self._blocks.get(index)
        if kind == "text_delta":
            text = field(delta, "text")
            if isinstance(text, str) and text:
                if block is None:
                    block = self._implicit_block(index, "text", out)
                if block.kind == "text":
                    out.append(TextDelta(message_id=block.id, delta=text))
        elif kind == "thinking_delta":
            thinking = field(delta, "thinking")
            if isinstance(thinking, str) and thinking:
                if block is None:
                    block = self._implicit_block(index, "thinking", out)
                if block.kind == "thinking":
                    out.append(ThinkingDelta(message_id=block.id, delta=thinking))
        elif kind == "input_json_delta":
            partial = field(delta, "partial_json")
            if isinstance(partial, str) and partial:  # the first one is "": never seed "{}"
                if block is None:
                    block = self._implicit_block(index, "tool", out)
                if block.kind == "tool" and block.open:
                    block.streamed = True
                    out.append(ToolCallArgsDelta(tool_call_id=block.id, delta=partial))
        elif kind == "signature_delta":
            signature = field(delta, "signature")
            if isinstance(signature, str) and signature and block is not None:
                block.signature = (block.signature or "") + signature
        elif kind == "citations_delta":
            message_id = block.id if block is not None else f"{self._base}:{index}"
            out.append(
                Custom(
                    name="citation",
                    value=plain(field(delta, "citation")),
                    meta={"message_id": message_id, "index": index},
                )
            )
        else:
            out.append(
                Custom(
                    name=str(kind or "content_block_delta"),
                    value=plain(delta),
                    is_raw=True,
                    meta={"index": index},
                )
            )

    def _close_block(self, block: _Block, out: list[Event]) -> None:
        if not block.open:
            return
        block.open = False
        if block.kind == "text":
            out.append(MessageEnd(message_id=block.id, channel="text"))
        elif block.kind == "thinking":
            out.append(
                MessageEnd(message_id=block.id, channel="thinking", signature=block.signature)
            )
        elif block.kind == "tool":
            if not block.streamed and block.input is not None:
                arguments = json.dumps(block.input, ensure_ascii=False)
                out.append(
                    ToolCallEnd(tool_call_id=block.id, arguments=arguments, args=block.input)
                )
            else:
                out.append(ToolCallEnd(tool_call_id=block.id))


def _usage(usage: Any, model: str | None) -> Usage:
    """Messages usage (cumulative): absent counts stay None, so they keep the stored value."""
    return Usage(
        input_tokens=int_or_none(field(usage, "input_tokens")),
        output_tokens=int_or_none(field(usage, "output_tokens")),
        cached_input_tokens=int_or_none(field(usage, "cache_read_input_tokens")),
        cumulative=True,
        scope="step",
        model=model,
        provider="anthropic",
    )
