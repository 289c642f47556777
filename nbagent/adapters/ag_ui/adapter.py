"""``format="ag-ui"``: the AG-UI protocol's event stream (0.x and 1.0).

Items are AG-UI events as dicts (camelCase fields: ``messageId``, ``toolCallId``, ``delta``…),
JSON strings of one event, or ``ServerSentEvent``s (data-only frames; ``type`` discriminates).
Pydantic event objects of the ``ag-ui-protocol`` SDK work too (read by attribute, snake_case).
Mapping: design ``protocols.md`` §12.5 (near 1:1); tricky cases: §13.

Ids: messages and tool calls keep theirs. A ``*_CHUNK`` without an id continues the latest
chunked message / call (``text-{n}``, ``reasoning-{n}``, ``tool-{n}`` with ``synthetic_id``
when none came yet); a new id ends the previous chunked one. Legacy ``THINKING_TEXT_MESSAGE_*``
(no ids) get ``thinking-{n}``. Steps are ``f"{stepName}#{n}"`` (the n-th step of that name);
sub-agents are steps with ``step_id=subagentRunId``.
"""

from __future__ import annotations

import re
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
    State,
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
    field,
    int_or_none,
    plain,
    str_or_none,
    unwrap,
    unwrap_object,
)

__all__ = ["EVENT_TYPES", "OUTCOMES", "AgUiAdapter"]

EVENT_TYPES: frozenset[str] = frozenset(
    {
        "RUN_STARTED",
        "RUN_FINISHED",
        "RUN_ERROR",
        "STEP_STARTED",
        "STEP_FINISHED",
        "TEXT_MESSAGE_START",
        "TEXT_MESSAGE_CONTENT",
        "TEXT_MESSAGE_END",
        "TEXT_MESSAGE_CHUNK",
        "TOOL_CALL_START",
        "TOOL_CALL_ARGS",
        "TOOL_CALL_END",
        "TOOL_CALL_CHUNK",
        "TOOL_CALL_RESULT",
        "REASONING_START",
        "REASONING_END",
        "REASONING_MESSAGE_START",
        "REASONING_MESSAGE_CONTENT",
        "REASONING_MESSAGE_END",
        "REASONING_MESSAGE_CHUNK",
        "REASONING_ENCRYPTED_VALUE",
        "THINKING_START",
        "THINKING_END",
        "THINKING_TEXT_MESSAGE_START",
        "THINKING_TEXT_MESSAGE_CONTENT",
        "THINKING_TEXT_MESSAGE_END",
        "STATE_SNAPSHOT",
        "STATE_DELTA",
        "MESSAGES_SNAPSHOT",
        "ACTIVITY_SNAPSHOT",
        "ACTIVITY_DELTA",
        "RAW",
        "CUSTOM",
        "SUBAGENT_STARTED",
        "SUBAGENT_FINISHED",
        "SUBAGENT_ERROR",
    }
)
"""Every AG-UI event ``type`` (0.x and 1.0)."""

OUTCOMES: dict[str, EndReason] = {
    "success": "completed",
    "interrupt": "interrupted",
    "cancelled": "cancelled",
}
"""``RUN_FINISHED.outcome.type`` → ``RunEnd.reason`` (absent → completed, else unknown)."""

_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


def _get(obj: Any, key: str) -> Any:
    """A camelCase field (the wire's), or its snake_case twin (SDK objects, some producers)."""
    value = field(obj, key)
    if value is None:
        value = field(obj, _SNAKE.sub("_", key).lower())
    return value


class AgUiAdapter:
    """AG-UI events → events (see the module docstring)."""

    name: ClassVar[str] = "ag-ui"

    def __init__(self) -> None:
        self._started = False
        self._done = False
        self._step_counts: dict[str, int] = {}
        self._open_steps: dict[str, list[str]] = {}
        self._text_chunk: str | None = None
        self._reasoning_chunk: str | None = None
        self._tool_chunk: str | None = None
        self._serial = 0
        self._legacy_thinking: str | None = None
        self._legacy_title: str | None = None
        self._reasoning_id: str | None = None
        self._open_thinking: set[str] = set()
        self._encrypted: dict[str, str] = {}

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    def detect(item: Any) -> bool:
        """An AG-UI event: its ``type`` is one of the SCREAMING_CASE event types."""
        try:
            _, payload = unwrap(item)
            kind = field(payload, "type")
            if not isinstance(kind, str):  # the SDK's EventType is a str enum
                kind = getattr(kind, "value", None)
            return isinstance(kind, str) and kind in EVENT_TYPES
        except Exception:  # noqa: BLE001 - detect never raises
            return False

    # -- the adapter interface ---------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._done:
            return []
        payload = self._decode(item)
        kind = field(payload, "type")
        if not isinstance(kind, str):
            kind = getattr(kind, "value", None)
        out: list[Event] = []
        handler = self._handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            name = kind if isinstance(kind, str) and kind else "unknown"
            out.append(Custom(name=name, value=plain(payload), is_raw=True))
        else:
            handler(self, payload, out)
        return out

    def end(self) -> list[Event]:
        if self._done:
            return []
        self._done = True
        return [RunEnd(reason="incomplete", message="the stream ended without RUN_FINISHED")]

    # -- decoding --------------------------------------------------------------------------

    def _decode(self, item: Any) -> Any:
        return unwrap_object(item, "ag-ui", "event dicts, JSON strings or ServerSentEvents")[1]

    # -- run -------------------------------------------------------------------------------

    def _run_started(self, ev: Any, out: list[Event]) -> None:
        if self._started:
            return
        self._started = True
        out.append(
            RunStart(
                run_id=str_or_none(_get(ev, "runId")) or "",
                thread_id=str_or_none(_get(ev, "threadId")),
                parent_run_id=str_or_none(_get(ev, "parentRunId")),
            )
        )

    def _run_finished(self, ev: Any, out: list[Event]) -> None:
        self._usage(_get(ev, "usage"), out)
        outcome = _get(ev, "outcome")
        raw = str_or_none(_get(outcome, "type"))
        if outcome is None or raw is None:
            reason: EndReason = "completed"
        else:
            reason = OUTCOMES.get(raw, "unknown")
        meta: dict[str, Any] | None = None
        message: str | None = None
        if raw == "interrupt":
            meta = {"interrupts": plain(_get(outcome, "interrupts"))}
            message = "waiting for input"
        self._done = True
        self._close_chunks(out)
        out.append(
            RunEnd(
                reason=reason,
                raw_reason=raw,
                result=plain(_get(ev, "result")),
                message=message,
                meta=meta,
            )
        )

    def _run_error(self, ev: Any, out: list[Event]) -> None:
        self._usage(_get(ev, "usage"), out)
        message = str_or_none(_get(ev, "message")) or "the agent reported an error"
        code = _get(ev, "code")
        if code is not None and (not isinstance(code, (str, int)) or isinstance(code, bool)):
            code = str(code)
        self._done = True
        self._close_chunks(out)
        out.append(ErrorEvent(message=message, code=code, recoverable=False))
        out.append(RunEnd(reason="error", message=message))

    def _usage(self, usage: Any, out: list[Event]) -> None:
        if not isinstance(usage, (list, tuple)):
            usage = [usage] if usage is not None else []
        out.extend(
            Usage(
                input_tokens=int_or_none(_get(entry, "inputTokens")),
                output_tokens=int_or_none(_get(entry, "outputTokens")),
                total_tokens=int_or_none(_get(entry, "totalTokens")),
                reasoning_tokens=int_or_none(_get(entry, "reasoningTokens")),
                cached_input_tokens=int_or_none(_get(entry, "cachedInputTokens")),
                cumulative=False,  # one entry per model: they add up to the run's usage
                scope="run",
                model=str_or_none(_get(entry, "model")),
                provider=str_or_none(_get(entry, "provider")),
            )
            for entry in usage
        )

    # -- steps -----------------------------------------------------------------------------

    def _step_started(self, ev: Any, out: list[Event]) -> None:
        name = str_or_none(_get(ev, "stepName")) or "step"
        n = self._step_counts[name] = self._step_counts.get(name, 0) + 1
        step_id = f"{name}#{n}"
        self._open_steps.setdefault(name, []).append(step_id)
        out.append(StepStart(step_id=step_id, name=name, step_type="node"))

    def _step_finished(self, ev: Any, out: list[Event]) -> None:
        name = str_or_none(_get(ev, "stepName")) or "step"
        stack = self._open_steps.get(name)
        step_id = stack.pop() if stack else f"{name}#{self._step_counts.get(name, 0) or 1}"
        out.append(StepEnd(step_id=step_id, name=name))

    def _subagent_started(self, ev: Any, out: list[Event]) -> None:
        step_id = str_or_none(_get(ev, "subagentRunId")) or "subagent"
        out.append(
            StepStart(
                step_id=step_id,
                name=str_or_none(_get(ev, "name")) or "subagent",
                step_type="subagent",
                parent_step_id=str_or_none(_get(ev, "parentSubagentRunId")),
            )
        )

    def _subagent_finished(self, ev: Any, out: list[Event]) -> None:
        step_id = str_or_none(_get(ev, "subagentRunId")) or "subagent"
        outcome = _get(ev, "outcome")
        raw = str_or_none(_get(outcome, "type")) if outcome is not None else str_or_none(outcome)
        out.append(StepEnd(step_id=step_id, finish_reason=raw or "completed"))

    def _subagent_error(self, ev: Any, out: list[Event]) -> None:
        step_id = str_or_none(_get(ev, "subagentRunId")) or "subagent"
        message = str_or_none(_get(ev, "message")) or "the sub-agent reported an error"
        code = _get(ev, "code")
        out.append(
            ErrorEvent(
                message=message,
                code=code if isinstance(code, (str, int)) and not isinstance(code, bool) else None,
                recoverable=True,
                details={"subagentRunId": step_id},
            )
        )
        out.append(StepEnd(step_id=step_id, finish_reason="error"))

    # -- text ------------------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}-{self._serial}"

    def _text_start(self, ev: Any, out: list[Event]) -> None:
        message_id = str_or_none(_get(ev, "messageId")) or self._new_id("text")
        out.append(
            MessageStart(
                message_id=message_id,
                channel="text",
                role=str_or_none(_get(ev, "role")) or "assistant",
                name=str_or_none(_get(ev, "name")),
            )
        )

    def _text_content(self, ev: Any, out: list[Event]) -> None:
        delta = _get(ev, "delta")
        message_id = str_or_none(_get(ev, "messageId"))
        if isinstance(delta, str) and delta and message_id:  # an empty delta is forbidden
            out.append(TextDelta(message_id=message_id, delta=delta))

    def _text_end(self, ev: Any, out: list[Event]) -> None:
        message_id = str_or_none(_get(ev, "messageId"))
        if message_id:
            out.append(MessageEnd(message_id=message_id, channel="text"))

    def _text_chunk_event(self, ev: Any, out: list[Event]) -> None:
        message_id = str_or_none(_get(ev, "messageId"))
        if message_id is not None and message_id != self._text_chunk:
            if self._text_chunk is not None:
                out.append(MessageEnd(message_id=self._text_chunk, channel="text"))
            self._text_chunk = message_id
            out.append(
                MessageStart(
                    message_id=message_id,
                    channel="text",
                    role=str_or_none(_get(ev, "role")) or "assistant",
                    name=str_or_none(_get(ev, "name")),
                )
            )
        delta = _get(ev, "delta")
        if isinstance(delta, str) and delta:
            if self._text_chunk is None:
                self._text_chunk = self._new_id("text")
            out.append(TextDelta(message_id=self._text_chunk, delta=delta))

    # -- reasoning -------------------------------------------------------------------------

    def _reasoning_meta(self) -> dict[str, Any] | None:
        return {"reasoning_id": self._reasoning_id} if self._reasoning_id else None

    def _reasoning_start(self, ev: Any, out: list[Event]) -> None:
        self._reasoning_id = str_or_none(_get(ev, "messageId"))

    def _reasoning_end(self, ev: Any, out: list[Event]) -> None:
        self._reasoning_id = None

    def _thinking_open(self, message_id: str, out: list[Event], title: str | None = None) -> None:
        self._open_thinking.add(message_id)
        out.append(
            MessageStart(
                message_id=message_id,
                channel="thinking",
                role="reasoning",
                title=title,
                meta=self._reasoning_meta(),
            )
        )

    def _thinking_close(self, message_id: str, out: list[Event]) -> None:
        self._open_thinking.discard(message_id)
        out.append(
            MessageEnd(
                message_id=message_id,
                channel="thinking",
                encrypted_value=self._encrypted.pop(message_id, None),
            )
        )

    def _reasoning_message_start(self, ev: Any, out: list[Event]) -> None:
        self._thinking_open(str_or_none(_get(ev, "messageId")) or self._new_id("reasoning"), out)

    def _reasoning_message_content(self, ev: Any, out: list[Event]) -> None:
        delta = _get(ev, "delta")
        message_id = str_or_none(_get(ev, "messageId"))
        if isinstance(delta, str) and delta and message_id:
            out.append(ThinkingDelta(message_id=message_id, delta=delta))

    def _reasoning_message_end(self, ev: Any, out: list[Event]) -> None:
        message_id = str_or_none(_get(ev, "messageId"))
        if message_id:
            self._thinking_close(message_id, out)

    def _reasoning_chunk_event(self, ev: Any, out: list[Event]) -> None:
        message_id = str_or_none(_get(ev, "messageId"))
        delta = _get(ev, "delta")
        opened = False
        if message_id is not None and message_id != self._reasoning_chunk:
            if self._reasoning_chunk is not None:
                self._thinking_close(self._reasoning_chunk, out)
            self._reasoning_chunk = message_id
            self._thinking_open(message_id, out)
            opened = True
        if isinstance(delta, str) and delta:
            if self._reasoning_chunk is None:
                self._reasoning_chunk = self._new_id("reasoning")
            out.append(ThinkingDelta(message_id=self._reasoning_chunk, delta=delta))
        elif self._reasoning_chunk is not None and (delta == "" or not opened):
            # an empty delta closes the message (so does a chunk with neither id nor delta)
            self._thinking_close(self._reasoning_chunk, out)
            self._reasoning_chunk = None

    def _encrypted_value(self, ev: Any, out: list[Event]) -> None:
        entity = str_or_none(_get(ev, "entityId"))
        value = str_or_none(_get(ev, "encryptedValue"))
        if entity is not None and value is not None and entity in self._open_thinking:
            self._encrypted[entity] = value
            return
        out.append(Custom(name="reasoning_encrypted_value", value=plain(ev)))

    # legacy THINKING_* (0.x): no message ids

    def _thinking_start(self, ev: Any, out: list[Event]) -> None:
        self._legacy_title = str_or_none(_get(ev, "title"))

    def _thinking_text_start(self, ev: Any, out: list[Event]) -> None:
        if self._legacy_thinking is not None:
            self._thinking_close(self._legacy_thinking, out)
        self._legacy_thinking = self._new_id("thinking")
        self._thinking_open(self._legacy_thinking, out, self._legacy_title)

    def _thinking_text_content(self, ev: Any, out: list[Event]) -> None:
        delta = _get(ev, "delta")
        if isinstance(delta, str) and delta:
            if self._legacy_thinking is None:
                self._legacy_thinking = self._new_id("thinking")
            out.append(ThinkingDelta(message_id=self._legacy_thinking, delta=delta))

    def _thinking_text_end(self, ev: Any, out: list[Event]) -> None:
        if self._legacy_thinking is not None:
            self._thinking_close(self._legacy_thinking, out)
            self._legacy_thinking = None

    def _thinking_end(self, ev: Any, out: list[Event]) -> None:
        self._thinking_text_end(ev, out)
        self._legacy_title = None

    # -- tool calls ------------------------------------------------------------------------

    def _tool_start(self, ev: Any, out: list[Event]) -> None:
        self._start_call(ev, out)

    def _start_call(self, ev: Any, out: list[Event]) -> str:
        tool_call_id = str_or_none(_get(ev, "toolCallId"))
        synthetic = tool_call_id is None
        if tool_call_id is None:
            tool_call_id = self._new_id("tool")
        out.append(
            ToolCallStart(
                tool_call_id=tool_call_id,
                name=str_or_none(_get(ev, "toolCallName")) or "",
                parent_message_id=str_or_none(_get(ev, "parentMessageId")),
                synthetic_id=synthetic,
            )
        )
        return tool_call_id

    def _tool_args(self, ev: Any, out: list[Event]) -> None:
        tool_call_id = str_or_none(_get(ev, "toolCallId"))
        delta = _get(ev, "delta")
        if tool_call_id and isinstance(delta, str) and delta:
            out.append(ToolCallArgsDelta(tool_call_id=tool_call_id, delta=delta))

    def _tool_end(self, ev: Any, out: list[Event]) -> None:
        tool_call_id = str_or_none(_get(ev, "toolCallId"))
        if tool_call_id:
            out.append(ToolCallEnd(tool_call_id=tool_call_id))

    def _tool_chunk_event(self, ev: Any, out: list[Event]) -> None:
        tool_call_id = str_or_none(_get(ev, "toolCallId"))
        if tool_call_id is not None and tool_call_id != self._tool_chunk:
            if self._tool_chunk is not None:
                out.append(ToolCallEnd(tool_call_id=self._tool_chunk))
            self._tool_chunk = self._start_call(ev, out)
        elif self._tool_chunk is None:  # no id yet: a synthetic one
            self._tool_chunk = self._start_call(ev, out)
        delta = _get(ev, "delta")
        if isinstance(delta, str) and delta:
            out.append(ToolCallArgsDelta(tool_call_id=self._tool_chunk, delta=delta))

    def _tool_result(self, ev: Any, out: list[Event]) -> None:
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

    def _close_chunks(self, out: list[Event]) -> None:
        """The run ends: close what only an id switch would have closed."""
        if self._text_chunk is not None:
            out.append(MessageEnd(message_id=self._text_chunk, channel="text"))
            self._text_chunk = None
        for message_id in sorted(self._open_thinking):
            self._thinking_close(message_id, out)
        if self._tool_chunk is not None:
            out.append(ToolCallEnd(tool_call_id=self._tool_chunk))
            self._tool_chunk = None

    # -- state and the rest ----------------------------------------------------------------

    def _state_snapshot(self, ev: Any, out: list[Event]) -> None:
        out.append(State(op="snapshot", value=plain(_get(ev, "snapshot"))))

    def _state_delta(self, ev: Any, out: list[Event]) -> None:
        out.append(State(op="delta", patch=plain(_get(ev, "delta"))))

    def _messages_snapshot(self, ev: Any, out: list[Event]) -> None:
        out.append(State(op="messages_snapshot", value=plain(_get(ev, "messages"))))

    def _activity_snapshot(self, ev: Any, out: list[Event]) -> None:
        out.append(
            State(
                op="activity_snapshot",
                value=plain(_get(ev, "content")),
                message_id=str_or_none(_get(ev, "messageId")),
                activity_type=str_or_none(_get(ev, "activityType")),
            )
        )

    def _activity_delta(self, ev: Any, out: list[Event]) -> None:
        out.append(
            State(
                op="activity_delta",
                patch=plain(_get(ev, "patch")),
                message_id=str_or_none(_get(ev, "messageId")),
                activity_type=str_or_none(_get(ev, "activityType")),
            )
        )

    def _raw(self, ev: Any, out: list[Event]) -> None:
        source = str_or_none(_get(ev, "source"))
        out.append(
            Custom(
                name="raw",
                value=plain(_get(ev, "event")),
                is_raw=True,
                meta={"source": source} if source else None,
            )
        )

    def _custom(self, ev: Any, out: list[Event]) -> None:
        out.append(
            Custom(name=str_or_none(_get(ev, "name")) or "custom", value=plain(_get(ev, "value")))
        )

    _handlers: ClassVar[dict[str, Any]] = {
        "RUN_STARTED": _run_started,
        "RUN_FINISHED": _run_finished,
        "RUN_ERROR": _run_error,
        "STEP_STARTED": _step_started,
        "STEP_FINISHED": _step_finished,
        "SUBAGENT_STARTED": _subagent_started,
        "SUBAGENT_FINISHED": _subagent_finished,
        "SUBAGENT_ERROR": _subagent_error,
        "TEXT_MESSAGE_START": _text_start,
        "TEXT_MESSAGE_CONTENT": _text_content,
        "TEXT_MESSAGE_END": _text_end,
        "TEXT_MESSAGE_CHUNK": _text_chunk_event,
        "REASONING_START": _reasoning_start,
        "REASONING_END": _reasoning_end,
        "REASONING_MESSAGE_START": _reasoning_message_start,
        "REASONING_MESSAGE_CONTENT": _reasoning_message_content,
        "REASONING_MESSAGE_END": _reasoning_message_end,
        "REASONING_MESSAGE_CHUNK": _reasoning_chunk_event,
        "REASONING_ENCRYPTED_VALUE": _encrypted_value,
        "THINKING_START": _thinking_start,
        "THINKING_END": _thinking_end,
        "THINKING_TEXT_MESSAGE_START": _thinking_text_start,
        "THINKING_TEXT_MESSAGE_CONTENT": _thinking_text_content,
        "THINKING_TEXT_MESSAGE_END": _thinking_text_end,
        "TOOL_CALL_START": _tool_start,
        "TOOL_CALL_ARGS": _tool_args,
        "TOOL_CALL_END": _tool_end,
        "TOOL_CALL_CHUNK": _tool_chunk_event,
        "TOOL_CALL_RESULT": _tool_result,
        "STATE_SNAPSHOT": _state_snapshot,
        "STATE_DELTA": _state_delta,
        "MESSAGES_SNAPSHOT": _messages_snapshot,
        "ACTIVITY_SNAPSHOT": _activity_snapshot,
        "ACTIVITY_DELTA": _activity_delta,
        "RAW": _raw,
        "CUSTOM": _custom,
    }
