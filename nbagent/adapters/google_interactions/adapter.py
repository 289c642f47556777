"""``GoogleInteractionsAdapter``: detection, ``feed`` / ``end``, the run and its interactions
(a step each: ``interaction.created`` to ``interaction.completed``), their usage, statuses and
errors; the steps inside an interaction are read by the ``Steps`` part it composes
(``steps.py``). The package docstring has the mapping and the ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent.adapters.base import (
    ServerSentEvent,
    ended_before_any,
    field,
    int_or_none,
    plain,
    str_or_none,
    type_is,
    unwrap,
)
from nbagent.adapters.google_interactions.steps import Steps, raw
from nbagent.adapters.kit import Ids
from nbagent.adapters.kit.dispatch import never_raises
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.core.events import (
    Custom,
    EndReason,
    ErrorEvent,
    Event,
    RunEnd,
    StepEnd,
    StepStart,
    Usage,
)

__all__ = [
    "EVENT_TYPES",
    "PAUSED",
    "STATUSES",
    "GoogleInteractionsAdapter",
    "interactions_usage",
]

EVENT_TYPES = frozenset(
    (
        "interaction.created",
        "interaction.status_update",
        "step.start",
        "step.delta",
        "step.stop",
        "interaction.completed",
        "error",
    )
)
"""The ``event_type`` of every event of an interaction's stream."""

STATUSES: dict[str, EndReason] = {
    "completed": "completed",
    "requires_action": "tool_calls",
    "failed": "error",
    "cancelled": "cancelled",
    "incomplete": "max_tokens",
    "budget_exceeded": "max_tokens",
    "requires_continuation": "interrupted",
}
"""An ended interaction's ``status`` → ``RunEnd.reason`` (another word: ``"unknown"``);
``incomplete`` is an answer cut at its token limit, ``budget_exceeded`` one halted by its token
budget, ``requires_continuation`` a pause the interaction's ``continuation_token`` resumes."""

_MESSAGES = {"budget_exceeded": "the interaction's token budget was exceeded"}

PAUSED = {
    "kind": "notice",
    "level": "info",
    "title": "Paused: the answer continues in a next request",
    "text": (
        "The interaction stopped at the per-request output limit before the end of its answer "
        "(status requires_continuation). Create the next one with its continuation_token (and "
        "previous_interaction_id) to continue it: google-genai does so itself with "
        "automatic_continuation on, its default."
    ),
}
"""The note of a stream that ended on a ``requires_continuation`` interaction."""


def interactions_usage(usage: Any, **fields: Any) -> Usage:
    """An interaction's ``usage`` (its totals so far): the output counts thoughts too, as
    OpenAI and Anthropic count it; tool-use prompt tokens are not input."""
    output = int_or_none(field(usage, "total_output_tokens"))
    thoughts = int_or_none(field(usage, "total_thought_tokens"))
    if output is not None or thoughts is not None:
        output = (output or 0) + (thoughts or 0)
    return Usage(
        input_tokens=int_or_none(field(usage, "total_input_tokens")),
        output_tokens=output,
        total_tokens=int_or_none(field(usage, "total_tokens")),
        reasoning_tokens=thoughts,
        cached_input_tokens=int_or_none(field(usage, "total_cached_tokens")),
        cumulative=True,
        **fields,
    )


class GoogleInteractionsAdapter:
    """An Interactions API stream → events (see the package docstring)."""

    name: ClassVar[str] = "google-interactions"

    def __init__(self) -> None:
        self._life = Lifecycle(
            "google-interactions",
            "the SDK's InteractionSSEEvent objects, dicts, JSON strings or ServerSentEvents",
        )
        self._ids = Ids()
        self._steps = Steps(self._ids)
        self._step: str | None = None  # the open interaction's step
        self._wire: str | None = None  # its id
        self._model: str | None = None
        self._status: str | None = None  # the last interaction's, when it paused
        self._said: str | None = None  # the open interaction's last status update

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """An event of an interaction's stream: the SDK's object, or its dict (``event_type``
        one of ``EVENT_TYPES``; a bare ``error`` only with its ``error`` object)."""
        if isinstance(item, (str, bytes, bytearray, ServerSentEvent)):
            item = unwrap(item)[1]
        elif not (isinstance(item, Mapping) or type_is(item, "google.genai")):
            return False
        kind = field(item, "event_type")
        if kind == "error":
            return isinstance(item, Mapping) and isinstance(item.get("error"), Mapping)
        return kind in EVENT_TYPES

    # -- the adapter interface ---------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._life.done:
            return []
        if item == "[DONE]" or (
            isinstance(item, ServerSentEvent) and item.data.strip() == "[DONE]"
        ):
            return self._end("done")
        sse_name, payload = self._life.unwrap(item)
        payload = raw(payload)
        kind = str_or_none(field(payload, "event_type")) or sse_name
        out: list[Event] = []
        if kind == "error":
            return self._error(field(payload, "error"), out)
        if kind == "interaction.created":
            self._created(field(payload, "interaction"), out)
            return out
        self._life.begin(out, self._ids, model=self._model, provider="google")
        if self._step is None and kind != "interaction.completed":  # it started mid-interaction
            self._open_step(out, None, "model")
        if kind in ("step.start", "step.delta", "step.stop"):
            index = int_or_none(field(payload, "index"))
            if kind == "step.start":
                self._steps.start(index, field(payload, "step"), out)
            elif kind == "step.delta":
                self._steps.delta(index, field(payload, "delta"), out)
                self._usage(field(field(payload, "metadata"), "total_usage"), out)
            else:
                self._steps.stop(index, out)
                self._usage(field(payload, "usage"), out)
        elif kind == "interaction.status_update":
            self._usage(field(payload, "usage"), out)
            self._said = str_or_none(field(payload, "status"))
        elif kind == "interaction.completed":
            interaction = field(payload, "interaction")
            self._usage(field(interaction, "usage"), out)
            return self._completed(str_or_none(field(interaction, "status")), out)
        else:
            out.append(Custom(name=f"google.{kind}", value=plain(payload), is_raw=True))
        return out

    def end(self) -> list[Event]:
        return self._end("end")

    # -- interactions ------------------------------------------------------------------------

    def _created(self, interaction: Any, out: list[Event]) -> None:
        """An interaction starts: the run's first, the next hop of a continued one, or the same
        one again (the SDK reconnected to it: its step goes on)."""
        wire_id = str_or_none(field(interaction, "id"))
        self._model = str_or_none(field(interaction, "model")) or self._model
        self._life.begin(out, self._ids, run_id=wire_id or "", model=self._model,
                         provider="google")  # fmt: skip
        if self._step is not None and wire_id is not None and wire_id == self._wire:
            return
        self._close_step(out, None)
        self._open_step(out, wire_id, str_or_none(field(interaction, "agent")) or "model")

    def _open_step(self, out: list[Event], wire_id: str | None, name: str) -> None:
        self._step = self._ids.wire(wire_id) if wire_id else self._ids.scope_id()
        self._wire = wire_id
        self._status = self._said = None
        out.append(StepStart(step_id=self._step, name=name, step_type="model"))

    def _close_step(self, out: list[Event], status: str | None) -> None:
        self._steps.close(out)
        if self._step is None:
            return
        reason = STATUSES.get(status or "", "unknown") if status else None
        out.append(StepEnd(step_id=self._step, finish_reason=reason, raw_finish_reason=status))
        self._step = None
        self._status = status

    def _completed(self, status: str | None, out: list[Event]) -> list[Event]:
        self._close_step(out, status or "completed")
        if status == "requires_continuation":  # the SDK may go on with the next hop
            return out
        return self._finish(out, status or "completed")

    def _finish(self, out: list[Event], status: str) -> list[Event]:
        self._life.end()
        reason = STATUSES.get(status, "unknown")
        if reason == "completed" and set(self._steps.client_calls) - self._steps.answered:
            reason = "tool_calls"  # the model asked for calls the stream leaves to the caller
        if status == "requires_continuation":
            out.append(Custom(name="note", value=dict(PAUSED)))
        out.append(RunEnd(reason=reason, raw_reason=status, message=_MESSAGES.get(status)))
        return out

    def _end(self, how: str) -> list[Event]:
        """The stream's end: after a paused interaction, its pause; after an open one whose last
        status update was an end (``cancelled``, ``failed``...), that end; ``[DONE]`` after an
        open one says no more than that (``unknown``); a stream that stopped is
        ``incomplete``."""
        if self._life.done:
            return []
        if not self._life.started:
            self._life.end()
            return [ended_before_any("event")]
        out: list[Event] = []
        if self._step is not None and self._said in STATUSES:
            self._close_step(out, self._said)
        if self._step is None and self._status is not None:
            return self._finish(out, self._status)
        self._close_step(out, None)
        self._life.end()
        if how == "done":
            message = "the stream ended before the interaction completed"
            out.append(RunEnd(reason="unknown", message=message))
        else:
            out.append(RunEnd(reason="incomplete", message="the stream ended unexpectedly"))
        return out

    # -- usage and errors --------------------------------------------------------------------

    def _usage(self, usage: Any, out: list[Event]) -> None:
        if usage is not None:
            out.append(interactions_usage(usage, step_id=self._step, model=self._model,
                                          provider="google"))  # fmt: skip

    def _error(self, error: Any, out: list[Event]) -> list[Event]:
        self._life.begin(out, self._ids, provider="google")
        self._close_step(out, "failed")
        self._life.end()
        message = str_or_none(field(error, "message")) or "the server sent an error"
        code = str_or_none(field(error, "code"))
        out.append(ErrorEvent(message=message, code=code, error_type=code, details=plain(error)))
        out.append(RunEnd(reason="error", raw_reason=code, message=message))
        return out
