"""``format="vercel-ui"``: the Vercel AI SDK UI message stream (ai v5+).

Items are the stream's parts: dicts, JSON strings (an SSE ``data:`` prefix is allowed),
``ServerSentEvent`` objects, or ``"[DONE]"``. Mapping: design ``protocols.md`` §12.6.

Ids: messages keep the part's ``id`` (a text and a reasoning part may share one: the
channels are separate), tool calls keep ``toolCallId``; a step is ``step{n}``. The run id
is ``start.messageId`` (empty when absent: the normalizer makes one up).

End: ``finish`` → ``RunEnd`` from ``finishReason``; ``abort`` → ``cancelled``; ``error``
is recoverable (``finish`` usually follows). ``[DONE]`` is only the transport's end;
``end()`` without ``finish``/``abort`` gives ``RunEnd("incomplete")``. Parts after the
run ended are dropped. Unknown part types → ``Custom(is_raw=True)``.

The legacy v4 data stream (``x-vercel-ai-data-stream: v1``) is read too: its items are
``CODE:JSON`` lines (``0:"Hello"``), translated to the v5 parts above (text id ``text``,
reasoning id ``reasoning``); ``f``/``e`` are steps, ``e``/``d`` carry usage
(``cumulative=True``, per step / for the run), ``d`` ends the run, ``3`` is a recoverable
error, ``2``/``8``/``h``/``i``/``j``/``k`` → ``Custom("v4.<name>")``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
    Status,
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
from nbagent._values import strict_json
from nbagent.adapters.base import (
    BadItemError,
    ServerSentEvent,
    plain,
    short_repr,
    str_or_none,
    unwrap,
)

__all__ = ["FINISH_REASONS", "PART_TYPES", "VercelUiAdapter"]

FINISH_REASONS: dict[str, EndReason] = {
    "stop": "completed",
    "length": "max_tokens",
    "content-filter": "content_filter",
    "tool-calls": "tool_calls",
    "error": "error",
    "other": "unknown",
}
"""``finish.finishReason`` → ``RunEnd.reason`` (absent → completed, unknown → unknown)."""

PART_TYPES: frozenset[str] = frozenset(
    {
        "start",
        "finish",
        "abort",
        "error",
        "start-step",
        "finish-step",
        "reset-step",
        "text-start",
        "text-delta",
        "text-end",
        "reasoning-start",
        "reasoning-delta",
        "reasoning-end",
        "reasoning",
        "reasoning-part-finish",
        "tool-input-start",
        "tool-input-delta",
        "tool-input-available",
        "tool-input-error",
        "tool-output-available",
        "tool-output-error",
        "tool-output-denied",
        "tool-approval-request",
        "tool-approval-response",
        "source-url",
        "source-document",
        "file",
        "reasoning-file",
        "message-metadata",
        "custom",
    }
)
"""Every UI message stream part type (ai 5 … 7), besides ``data-*``."""

_CUSTOM_TYPES = frozenset(
    {
        "reset-step",
        "tool-approval-response",
        "source-url",
        "source-document",
        "file",
        "reasoning-file",
        "message-metadata",
        "custom",
        "reasoning-part-finish",
    }
)
_DONE = "[DONE]"
_V4_LINE = re.compile(r"^([0-9a-k]):(.*)$", re.DOTALL)
_V4_CUSTOM = {
    "2": "v4.data",
    "8": "v4.annotations",
    "h": "v4.source",
    "i": "v4.redacted_reasoning",
    "j": "v4.reasoning_signature",
    "k": "v4.file",
}


def _v4(item: Any) -> tuple[str, Any] | None:
    """``(code, value)`` of a legacy v4 data stream line, None when ``item`` is not one."""
    if isinstance(item, (bytes, bytearray)):
        item = bytes(item).decode("utf-8", errors="replace")
    if not isinstance(item, str):
        return None
    match = _V4_LINE.match(item.strip())
    if match is None:
        return None
    try:
        return match.group(1), strict_json(match.group(2))
    except ValueError:
        return None


def _decode(item: Any) -> Any:
    """The part of a wire item: a dict, ``"[DONE]"`` or None (blank line, comment)."""
    if isinstance(item, (bytes, bytearray)):
        item = bytes(item).decode("utf-8", errors="replace")
    if isinstance(item, str):
        text = item.strip()
        if text.startswith("data:"):
            text = text[5:].strip()
        if not text or text.startswith(":"):
            return None
        item = text
    if isinstance(item, ServerSentEvent) and not item.data.strip():
        return None
    _, payload = unwrap(item)
    return payload


def _is_part(payload: Mapping[str, Any]) -> bool:
    kind = payload.get("type")
    if not isinstance(kind, str):
        return False
    if kind == "error":  # Anthropic's error frame is {"type":"error","error":{...}}
        return isinstance(payload.get("errorText"), str)
    if kind.startswith("data-") and len(kind) > 5:
        return "data" in payload
    return kind in PART_TYPES


_V4_KEYS = {
    "b": "toolCallId",
    "c": "toolCallId",
    "9": "toolCallId",
    "a": "toolCallId",
    "f": "messageId",
    "e": "finishReason",
    "d": "finishReason",
}


def _is_v4(code: str, value: Any) -> bool:
    """A v4 line whose value has the shape its code promises (``3:45`` is no data stream)."""
    if code in ("0", "g", "3"):
        return isinstance(value, str)
    if code in ("2", "8"):
        return isinstance(value, list)
    key = _V4_KEYS.get(code)
    return key is not None and isinstance(value, Mapping) and key in value


def _v4_usage(usage: Any, scope: str) -> Usage | None:
    if not isinstance(usage, Mapping):
        return None
    prompt, completion = usage.get("promptTokens"), usage.get("completionTokens")
    prompt = prompt if isinstance(prompt, int) and not isinstance(prompt, bool) else None
    completion = (
        completion if isinstance(completion, int) and not isinstance(completion, bool) else None
    )
    if prompt is None and completion is None:
        return None
    total = (prompt or 0) + (completion or 0)
    return Usage(
        input_tokens=prompt,
        output_tokens=completion,
        total_tokens=total,
        cumulative=True,
        scope="run" if scope == "run" else "step",
    )


class VercelUiAdapter:
    """UI message stream parts → events (see the module docstring)."""

    name: ClassVar[str] = "vercel-ui"

    def __init__(self) -> None:
        self._started = False
        self._done = False
        self._steps = 0
        self._step: str | None = None
        self._open: dict[tuple[str, str], None] = {}  # (channel, id), in order
        self._tools: dict[str, bool] = {}  # tool call id -> arguments complete
        self._tool_names: dict[str, str] = {}

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    def detect(item: Any) -> bool:
        """A part whose ``type`` is one of the UI message stream's kebab-case types, or a
        legacy v4 ``CODE:JSON`` line whose value fits its code."""
        try:
            legacy = _v4(item)
            if legacy is not None:
                return _is_v4(*legacy)
            payload = _decode(item)
        except Exception:  # noqa: BLE001 - detect never raises
            return False
        if not isinstance(payload, Mapping):
            return False
        return _is_part(payload)

    # -- the adapter interface ---------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._done:
            return []
        legacy = _v4(item)
        if legacy is not None:
            return self._feed_v4(*legacy)
        part = _decode(item)
        if part is None or part == _DONE:
            return []
        if not isinstance(part, Mapping):
            raise BadItemError(f"vercel-ui: a part must be a JSON object: {short_repr(item)}")
        return self._feed_part(part)

    def _feed_part(self, part: Mapping[str, Any]) -> list[Event]:
        out: list[Event] = []
        kind = part.get("type")
        if kind == "start":
            if not self._started:
                self._started = True
                message_id = str_or_none(part.get("messageId"))
                out.append(RunStart(run_id=message_id or ""))
            if part.get("messageMetadata") is not None:
                out.append(
                    Custom(name="message-metadata", value=plain(part.get("messageMetadata")))
                )
            return out
        if not self._started:
            self._started = True
            out.append(RunStart())
        if not isinstance(kind, str):
            out.append(Custom(name="unknown", value=plain(part), is_raw=True))
            return out
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, part, out)
        elif kind in _CUSTOM_TYPES or kind.startswith("data-"):
            out.append(Custom(name=kind, value=plain(part)))
        else:
            out.append(Custom(name=kind, value=plain(part), is_raw=True))
        return out

    def _feed_v4(self, code: str, value: Any) -> list[Event]:
        obj: Mapping[str, Any] = value if isinstance(value, Mapping) else {}
        part: dict[str, Any] | None = None
        out: list[Event] = []
        if code == "0":
            part = {"type": "text-delta", "id": "text", "delta": value}
        elif code == "g":
            part = {"type": "reasoning-delta", "id": "reasoning", "delta": value}
        elif code == "b":
            part = {"type": "tool-input-start", **obj}
        elif code == "c":
            part = {"type": "tool-input-delta", **obj, "inputTextDelta": obj.get("argsTextDelta")}
        elif code == "9":
            part = {"type": "tool-input-available", **obj, "input": obj.get("args")}
        elif code == "a":
            part = {"type": "tool-output-available", **obj, "output": obj.get("result")}
        elif code == "3":
            part = {"type": "error", "errorText": value if isinstance(value, str) else str(value)}
        elif code == "f":
            out.extend(self._feed_part({"type": "start", "messageId": obj.get("messageId")}))
            part = {"type": "start-step"}
        elif code == "e":
            usage = _v4_usage(obj.get("usage"), "step")
            if usage is not None:
                out.extend(self._feed_part({"type": "start"}))
                out.append(usage)
            part = {"type": "finish-step"}
        elif code == "d":
            usage = _v4_usage(obj.get("usage"), "run")
            if usage is not None:
                out.extend(self._feed_part({"type": "start"}))
                out.append(usage)
            part = {"type": "finish", "finishReason": obj.get("finishReason")}
        if part is None:
            part = {"type": _V4_CUSTOM.get(code, f"v4.{code}"), "value": value}
        out.extend(self._feed_part(part))
        return out

    def end(self) -> list[Event]:
        if self._done:
            return []
        out: list[Event] = []
        self._finish(out, "incomplete", None, "the stream ended without a finish part")
        return out

    # -- lifecycle -------------------------------------------------------------------------

    def _close_all(self, out: list[Event]) -> None:
        for channel, message_id in list(self._open):
            out.append(
                MessageEnd(message_id=message_id, channel="thinking" if channel == "r" else "text")
            )
        self._open.clear()
        for tool_call_id, done in self._tools.items():
            if not done:
                self._tools[tool_call_id] = True
                out.append(ToolCallEnd(tool_call_id=tool_call_id))
        self._end_step(out, None)

    def _end_step(self, out: list[Event], reason: str | None) -> None:
        if self._step is not None:
            out.append(StepEnd(step_id=self._step, name="model", finish_reason=reason))
            self._step = None

    def _finish(
        self, out: list[Event], reason: EndReason, raw: str | None, message: str | None
    ) -> None:
        self._done = True
        if not self._started:
            self._started = True
            out.append(RunStart())
        self._close_all(out)
        out.append(RunEnd(reason=reason, raw_reason=raw, message=message))

    # -- parts -----------------------------------------------------------------------------

    def _on_finish(self, part: Mapping[str, Any], out: list[Event]) -> None:
        raw = str_or_none(part.get("finishReason"))
        reason: EndReason = "completed" if raw is None else FINISH_REASONS.get(raw, "unknown")
        if part.get("messageMetadata") is not None:
            out.append(Custom(name="message-metadata", value=plain(part.get("messageMetadata"))))
        message = "the model stopped with an error" if reason == "error" else None
        self._finish(out, reason, raw, message)

    def _on_abort(self, part: Mapping[str, Any], out: list[Event]) -> None:
        reason = str_or_none(part.get("reason"))
        self._finish(out, "cancelled", "abort", reason or "aborted")

    def _on_error(self, part: Mapping[str, Any], out: list[Event]) -> None:
        text = str_or_none(part.get("errorText")) or "the stream reported an error"
        out.append(ErrorEvent(message=text, recoverable=True, details=plain(part)))

    def _on_start_step(self, part: Mapping[str, Any], out: list[Event]) -> None:
        self._end_step(out, None)
        self._steps += 1
        self._step = f"step{self._steps}"
        out.append(StepStart(step_id=self._step, name="model", step_type="model"))

    def _on_finish_step(self, part: Mapping[str, Any], out: list[Event]) -> None:
        if self._step is None:  # a finish-step without start-step: one anonymous step
            self._steps += 1
            self._step = f"step{self._steps}"
            out.append(StepStart(step_id=self._step, name="model", step_type="model"))
        self._end_step(out, None)

    def _message(self, part: Mapping[str, Any], channel: str) -> str:
        return str_or_none(part.get("id")) or ("reasoning" if channel == "r" else "text")

    def _on_text_start(self, part: Mapping[str, Any], out: list[Event]) -> None:
        message_id = self._message(part, "t")
        if ("t", message_id) not in self._open:
            self._open[("t", message_id)] = None
            out.append(MessageStart(message_id=message_id, channel="text", role="assistant"))

    def _on_text_delta(self, part: Mapping[str, Any], out: list[Event]) -> None:
        message_id = self._message(part, "t")
        delta = part.get("delta")
        if isinstance(delta, str) and delta:
            self._open.setdefault(("t", message_id), None)
            out.append(TextDelta(message_id=message_id, delta=delta))

    def _on_text_end(self, part: Mapping[str, Any], out: list[Event]) -> None:
        message_id = self._message(part, "t")
        if ("t", message_id) in self._open:
            del self._open[("t", message_id)]
            out.append(MessageEnd(message_id=message_id, channel="text"))

    def _on_reasoning_start(self, part: Mapping[str, Any], out: list[Event]) -> None:
        message_id = self._message(part, "r")
        if ("r", message_id) not in self._open:
            self._open[("r", message_id)] = None
            out.append(MessageStart(message_id=message_id, channel="thinking"))

    def _on_reasoning_delta(self, part: Mapping[str, Any], out: list[Event]) -> None:
        message_id = self._message(part, "r")
        delta = part.get("delta")
        if not isinstance(delta, str):  # ai@5.0.0 "reasoning" part: {"text": …}
            delta = part.get("text")
        if isinstance(delta, str) and delta:
            self._open.setdefault(("r", message_id), None)
            out.append(ThinkingDelta(message_id=message_id, delta=delta))

    def _on_reasoning_end(self, part: Mapping[str, Any], out: list[Event]) -> None:
        message_id = self._message(part, "r")
        if ("r", message_id) in self._open:
            del self._open[("r", message_id)]
            out.append(MessageEnd(message_id=message_id, channel="thinking"))

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

    def _on_tool_input_start(self, part: Mapping[str, Any], out: list[Event]) -> None:
        self._start_tool(part, out)

    def _on_tool_input_delta(self, part: Mapping[str, Any], out: list[Event]) -> None:
        tool_call_id = self._start_tool(part, out)
        delta = part.get("inputTextDelta")
        if isinstance(delta, str) and delta and not self._tools[tool_call_id]:
            out.append(ToolCallArgsDelta(tool_call_id=tool_call_id, delta=delta))

    def _on_tool_input_available(self, part: Mapping[str, Any], out: list[Event]) -> None:
        tool_call_id = self._start_tool(part, out)
        if not self._tools[tool_call_id]:
            self._tools[tool_call_id] = True
            # full input: reconciles (the normalizer keeps streamed text when there is any)
            out.append(ToolCallEnd(tool_call_id=tool_call_id, args=plain(part.get("input"))))

    def _on_tool_input_error(self, part: Mapping[str, Any], out: list[Event]) -> None:
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

    def _on_tool_output_available(self, part: Mapping[str, Any], out: list[Event]) -> None:
        self._result(
            part,
            out,
            content=plain(part.get("output")),
            preliminary=part.get("preliminary") is True,
        )

    def _on_tool_output_error(self, part: Mapping[str, Any], out: list[Event]) -> None:
        text = str_or_none(part.get("errorText")) or "tool error"
        self._result(part, out, content=text, is_error=True)

    def _on_tool_output_denied(self, part: Mapping[str, Any], out: list[Event]) -> None:
        self._result(part, out, content="denied", is_error=True)

    def _on_approval_request(self, part: Mapping[str, Any], out: list[Event]) -> None:
        out.append(
            Status(
                state="awaiting_approval",
                text="awaiting approval",
                detail=plain(part),
                tool_call_id=str_or_none(part.get("toolCallId")),
            )
        )


_HANDLERS: dict[str, Any] = {
    "finish": VercelUiAdapter._on_finish,
    "abort": VercelUiAdapter._on_abort,
    "error": VercelUiAdapter._on_error,
    "start-step": VercelUiAdapter._on_start_step,
    "finish-step": VercelUiAdapter._on_finish_step,
    "text-start": VercelUiAdapter._on_text_start,
    "text-delta": VercelUiAdapter._on_text_delta,
    "text-end": VercelUiAdapter._on_text_end,
    "reasoning-start": VercelUiAdapter._on_reasoning_start,
    "reasoning-delta": VercelUiAdapter._on_reasoning_delta,
    "reasoning": VercelUiAdapter._on_reasoning_delta,
    "reasoning-end": VercelUiAdapter._on_reasoning_end,
    "tool-input-start": VercelUiAdapter._on_tool_input_start,
    "tool-input-delta": VercelUiAdapter._on_tool_input_delta,
    "tool-input-available": VercelUiAdapter._on_tool_input_available,
    "tool-input-error": VercelUiAdapter._on_tool_input_error,
    "tool-output-available": VercelUiAdapter._on_tool_output_available,
    "tool-output-error": VercelUiAdapter._on_tool_output_error,
    "tool-output-denied": VercelUiAdapter._on_tool_output_denied,
    "tool-approval-request": VercelUiAdapter._on_approval_request,
}
