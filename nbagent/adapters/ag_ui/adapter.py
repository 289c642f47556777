"""``AgUiAdapter``: feed/end and its state, the run (start, finish, error, usage), steps and
sub-agents, state and the other events; it composes the ``Messages`` (``messages.py``) and
``ToolCalls`` (``tools.py``) parts; an event goes to the ``on_<type>`` method of the adapter or
one of its parts (``kit.dispatch``)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from nbagent.adapters.ag_ui.interrupts import interrupt_statuses
from nbagent.adapters.ag_ui.messages import Messages
from nbagent.adapters.ag_ui.questions import Answered, Asked, on_answered, on_asked
from nbagent.adapters.ag_ui.scopes import _Scopes
from nbagent.adapters.ag_ui.tables import EVENT_TYPES, OUTCOMES, _get
from nbagent.adapters.ag_ui.tools import ToolCalls
from nbagent.adapters.base import (
    BLANK,
    BadItemError,
    data_payload,
    field,
    int_or_none,
    plain,
    str_or_none,
)
from nbagent.adapters.kit.dispatch import handler, never_raises
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.core.events import (
    Custom,
    EndReason,
    ErrorEvent,
    Event,
    RunEnd,
    State,
    StepEnd,
    StepStart,
    Usage,
)

__all__ = ["AgUiAdapter"]


class AgUiAdapter:
    """AG-UI events → events (see the package docstring)."""

    name: ClassVar[str] = "ag-ui"

    def __init__(self) -> None:
        self._life = Lifecycle(
            "ag-ui", "AG-UI event objects, event dicts, JSON strings or ServerSentEvents"
        )
        self._last_step: dict[str, str] = {}  # a step name -> its latest step's id
        self._open_steps: dict[str, list[str]] = {}
        self._unnamed_subagents: list[str] = []  # started without a run id, not ended
        self._messages = Messages()
        self._tools = ToolCalls(self._messages)
        self._scopes = _Scopes()

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """An AG-UI event: its ``type`` is one of the SCREAMING_CASE event types."""
        return _type_of(data_payload(item)) in EVENT_TYPES

    # -- the adapter interface ---------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._life.done:
            return []
        if isinstance(item, (Asked, Answered)):  # nbagent drives the agent: asked in the cell
            return self._question(item)
        payload = self._decode(item)
        if payload is BLANK:
            return []
        kind = _type_of(payload)
        out: list[Event] = []
        on_kind = handler(kind, EVENT_TYPES, self, self._messages, self._tools)
        if kind is None or on_kind is None:
            out.append(Custom(name=kind or "unknown", value=plain(payload), is_raw=True))
            return out
        scope = self._scopes.scope(kind, payload)
        on_kind(payload, out)
        metadata = _get(payload, "metadata")  # every event's (1.0): kept on what it became
        if not out and isinstance(metadata, dict) and metadata:  # it became nothing: on its own
            out.append(Custom(name="metadata", value={"type": kind}))
        for event in out:
            if event.parent is None:
                event.parent = scope if scope is not None else self._scopes.of_event(event)
            if isinstance(metadata, dict) and metadata:
                event.meta = {**(event.meta or {}), "metadata": plain(metadata)}
        return out

    def end(self) -> list[Event]:
        if not self._life.end():
            return []
        return [RunEnd(reason="incomplete", message="the stream ended without RUN_FINISHED")]

    # -- decoding --------------------------------------------------------------------------

    def _decode(self, item: Any) -> Any:
        """The event of an item; a ``data: {…}`` line (``EventEncoder().encode(ev)``'s text,
        pydantic-ai's ``encode_stream``) is read as its data, and a blank one is ``BLANK``."""
        if isinstance(item, (str, bytes, bytearray)):
            try:
                payload = data_payload(item)
            except BadItemError as exc:
                raise self._life.again(exc) from None
            if payload is BLANK:
                return BLANK
            item = payload if not isinstance(payload, str) else item
        return self._life.unwrap(item)[1]

    # -- run -------------------------------------------------------------------------------

    def on_run_started(self, ev: Any, out: list[Event]) -> None:
        self._life.begin(
            out,
            self._messages.ids,
            run_id=str_or_none(_get(ev, "runId")) or "",
            thread_id=str_or_none(_get(ev, "threadId")),
            parent_run_id=str_or_none(_get(ev, "parentRunId")),
        )

    def on_run_finished(self, ev: Any, out: list[Event]) -> None:
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
            out.extend(interrupt_statuses(outcome, str_or_none(_get(ev, "threadId"))))
        self._close_run(out)
        out.append(
            RunEnd(
                reason=reason,
                raw_reason=raw,
                result=plain(_get(ev, "result")),
                message=message,
                meta=meta,
            )
        )

    def _question(self, item: Asked | Answered) -> list[Event]:
        """The driver's items (``questions.py``): the interrupts asked, the run going on (its
        ``RUN_FINISHED`` is not fed), or one answered."""
        out: list[Event] = []
        if isinstance(item, Answered):
            on_answered(item, out)
            return out
        if item.only is None:
            self._usage(_get(item.event, "usage"), out)
            self._messages.close_chunks(out)
            self._tools.close_chunks(out)
        on_asked(item, out)
        return out

    def on_run_error(self, ev: Any, out: list[Event]) -> None:
        self._usage(_get(ev, "usage"), out)
        message = str_or_none(_get(ev, "message")) or "the agent reported an error"
        code = _get(ev, "code")
        if code is not None and (not isinstance(code, (str, int)) or isinstance(code, bool)):
            code = str(code)
        self._close_run(out)
        out.append(ErrorEvent(message=message, code=code, recoverable=False))
        out.append(RunEnd(reason="error", message=message))

    def _close_run(self, out: list[Event]) -> None:
        """The run ends: the chunked message and call only an id switch would have closed."""
        self._life.end()
        self._messages.close_chunks(out)
        self._tools.close_chunks(out)

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
                cache_write_tokens=int_or_none(_get(entry, "cacheWriteInputTokens")),
                cumulative=False,  # one entry per model: they add up to the run's usage
                scope="run",
                model=str_or_none(_get(entry, "model")),
                provider=str_or_none(_get(entry, "provider")),
            )
            for entry in usage
        )

    # -- steps -----------------------------------------------------------------------------

    def on_step_started(self, ev: Any, out: list[Event]) -> None:
        name = str_or_none(_get(ev, "stepName")) or "step"
        step_id = self._last_step[name] = self._messages.ids.wire(name)
        self._open_steps.setdefault(name, []).append(step_id)
        out.append(StepStart(step_id=step_id, name=name, step_type="node"))

    def on_step_finished(self, ev: Any, out: list[Event]) -> None:
        name = str_or_none(_get(ev, "stepName")) or "step"
        stack = self._open_steps.get(name)
        step_id = stack.pop() if stack else self._last_step.get(name, name)
        out.append(StepEnd(step_id=step_id, name=name))

    def on_subagent_started(self, ev: Any, out: list[Event]) -> None:
        step_id = str_or_none(_get(ev, "subagentRunId"))
        if step_id is None:  # its end carries none either: the newest such one it ends
            step_id = self._messages.ids.scope_id("agent")
            self._unnamed_subagents.append(step_id)
        out.append(
            StepStart(
                step_id=step_id,
                name=str_or_none(_get(ev, "name")) or "subagent",
                step_type="subagent",
                parent_step_id=str_or_none(_get(ev, "parentSubagentRunId")),
                parent=self._scopes.subagent_parent(ev, step_id),
            )
        )

    def on_subagent_finished(self, ev: Any, out: list[Event]) -> None:
        step_id = self._subagent_id(ev)
        raw = str_or_none(_get(_get(ev, "outcome"), "type"))
        self._subagent_end(step_id, raw or "completed", out)

    def on_subagent_error(self, ev: Any, out: list[Event]) -> None:
        step_id = self._subagent_id(ev)
        message = str_or_none(_get(ev, "message")) or "the sub-agent reported an error"
        code = _get(ev, "code")
        out.append(
            ErrorEvent(
                message=message,
                code=code if isinstance(code, (str, int)) and not isinstance(code, bool) else None,
                recoverable=True,
                details={"subagentRunId": step_id},
                parent=step_id,
            )
        )
        self._subagent_end(step_id, "error", out)

    def _subagent_id(self, ev: Any) -> str:
        """The run id a sub-agent's end names; without one, the newest sub-agent started without
        one (its id made by ``Ids``), else a new such id."""
        step_id = str_or_none(_get(ev, "subagentRunId"))
        if step_id is not None:
            return step_id
        if self._unnamed_subagents:
            return self._unnamed_subagents.pop()
        return self._messages.ids.scope_id("agent")

    def _subagent_end(self, step_id: str, reason: str, out: list[Event]) -> None:
        """A sub-agent's step ends, in the scope it started in."""
        parent = self._scopes.of_subagent.get(step_id)
        out.append(StepEnd(step_id=step_id, finish_reason=reason, parent=parent))

    # -- state and the rest ----------------------------------------------------------------

    def on_state_snapshot(self, ev: Any, out: list[Event]) -> None:
        out.append(State(op="snapshot", value=plain(_get(ev, "snapshot"))))

    def on_state_delta(self, ev: Any, out: list[Event]) -> None:
        out.append(State(op="delta", patch=plain(_get(ev, "delta"))))

    def on_messages_snapshot(self, ev: Any, out: list[Event]) -> None:
        out.append(State(op="messages_snapshot", value=plain(_get(ev, "messages"))))

    def on_activity_snapshot(self, ev: Any, out: list[Event]) -> None:
        out.append(_activity("activity_snapshot", ev, value=plain(_get(ev, "content"))))

    def on_activity_delta(self, ev: Any, out: list[Event]) -> None:
        out.append(_activity("activity_delta", ev, patch=plain(_get(ev, "patch"))))

    def on_raw(self, ev: Any, out: list[Event]) -> None:
        source = str_or_none(_get(ev, "source"))
        out.append(
            Custom(
                name="raw",
                value=plain(_get(ev, "event")),
                is_raw=True,
                meta={"source": source} if source else None,
            )
        )

    def on_custom(self, ev: Any, out: list[Event]) -> None:
        out.append(
            Custom(name=str_or_none(_get(ev, "name")) or "custom", value=plain(_get(ev, "value")))
        )


def _type_of(payload: Any) -> str | None:
    """An event's ``type`` (the SDK's ``EventType`` is a str enum)."""
    kind = field(payload, "type")
    return kind if isinstance(kind, str) else str_or_none(getattr(kind, "value", None))


def _activity(op: Literal["activity_snapshot", "activity_delta"], ev: Any, **content: Any) -> State:
    """An ``ACTIVITY_*`` event's state: ``content`` (its value or patch) in the message it
    names; a snapshot that asks to leave content already there (``replace: false``) says so
    in its ``meta``."""
    return State(
        op=op,
        message_id=str_or_none(_get(ev, "messageId")),
        activity_type=str_or_none(_get(ev, "activityType")),
        meta={"replace": False} if _get(ev, "replace") is False else None,
        **content,
    )
