"""``AnthropicAdapter``: detection, ``feed`` / ``end`` and the run's life (``message_start``,
``message_delta``, ``message_stop``, ``error``: the run and its one model step, the stop
reason and usage); the content blocks are a ``Blocks`` part it composes (``blocks.py``), the
tables and readers in ``maps.py``. The package docstring has the mapping and the ids.
"""

from __future__ import annotations

from typing import Any, ClassVar

from nbagent.adapters.anthropic.blocks import Blocks
from nbagent.adapters.anthropic.maps import (
    DERIVED_TYPES,
    EVENT_TYPES,
    map_stop_reason,
)
from nbagent.adapters.base import (
    ServerSentEvent,
    ended_before_any,
    field,
    plain,
    str_or_none,
    unwrap,
)
from nbagent.adapters.kit import anthropic_usage
from nbagent.adapters.kit.dispatch import never_raises
from nbagent.adapters.kit.lifecycle import Lifecycle, ModelStep
from nbagent.core.events import (
    Custom,
    EndReason,
    ErrorEvent,
    Event,
    RunEnd,
)

__all__ = ["AnthropicAdapter"]


class AnthropicAdapter:
    """Messages stream events → events (see the package docstring)."""

    name: ClassVar[str] = "anthropic"

    def __init__(self) -> None:
        self._life = Lifecycle(
            "anthropic", "stream event objects, dicts, JSON strings or ServerSentEvents"
        )
        self._run = ModelStep("msg", self._life)
        self._blocks = Blocks()
        self._stop_reason: str | None = None
        self._stop_details: Any = None
        self._start_usage: Any = None  # message_start's: what a message_delta leaves out

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """A Messages stream event: dict, SDK object, JSON string or ``ServerSentEvent``."""
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

    # -- the adapter interface ---------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._run.done:
            return []
        name, payload = self._life.unwrap(item)
        kind = field(payload, "type")
        if not isinstance(kind, str) or not kind:
            kind = name or ""
        out: list[Event] = []
        if kind == "ping" or kind in DERIVED_TYPES:
            return out
        if kind == "error":
            return self._error(payload)
        if kind == "message_start":
            self._message_start(payload, out)
            return out
        if not self._run.started:
            self._start(out, None, None)
        if kind == "content_block_start":
            self._blocks.start(payload, out)
        elif kind == "content_block_delta":
            self._blocks.delta(payload, out)
        elif kind == "content_block_stop":
            self._blocks.close(field(payload, "index"), out)
        elif kind == "message_delta":
            self._message_delta(payload, out)
        elif kind == "message_stop":
            out.extend(self._end_run(stopped=True))
        else:
            out.append(Custom(name=kind or "unknown", value=plain(payload), is_raw=True))
        return out

    def end(self) -> list[Event]:
        return self._end_run(stopped=False)

    # -- lifecycle -------------------------------------------------------------------------

    def _start(self, out: list[Event], message_id: Any, model: str | None) -> None:
        run_id = message_id if isinstance(message_id, str) else ""
        self._run.step_id = self._blocks.ids.scope = run_id or "msg"
        self._run.start(out, run_id=run_id, model=model, provider="anthropic")

    def _message_start(self, payload: Any, out: list[Event]) -> None:
        message = field(payload, "message")
        model = str_or_none(field(message, "model"))
        if not self._run.started:
            self._start(out, field(message, "id"), model)
        usage = self._start_usage = field(message, "usage")
        if usage is not None:
            out.append(anthropic_usage(usage, scope="step", model=model))

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
            out.append(anthropic_usage(usage, before=self._start_usage, scope="step", model=None))

    def _end_run(self, *, stopped: bool) -> list[Event]:
        if not self._life.end():
            return []
        out: list[Event] = []
        if not self._run.started:
            return [ended_before_any("event")]
        self._blocks.close_all(out)
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
                parts = self._blocks.parts
                parts.close(parts.put("refusal", "refusal", explanation, out), out)
                if stopped:
                    message = explanation
        self._run.end_step(out, reason, raw)
        meta = {"stop_details": self._stop_details} if self._stop_details is not None else None
        out.append(RunEnd(reason=reason, raw_reason=raw, message=message, meta=meta))
        return out

    def _error(self, payload: Any) -> list[Event]:
        error = field(payload, "error")
        message = str_or_none(field(error, "message")) or "the server sent an error"
        error_type = str_or_none(field(error, "type"))
        details = plain(payload)
        error_event = ErrorEvent(
            message=message,
            error_type=error_type,
            details=details if isinstance(details, dict) else None,
        )
        return self._run.fail([], self._blocks.close_all, error_event, raw=error_type)
