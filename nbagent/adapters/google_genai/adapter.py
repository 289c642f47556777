"""``GoogleGenaiAdapter``: detection, ``feed`` / ``end``, the run and its model calls (steps,
usage, finish reasons, errors); the parts of each response are read by the ``Parts`` part it
composes (``parts.py``), the tables and readers in ``maps.py``. The package docstring has the
mapping and the ids.
"""

from __future__ import annotations

from typing import Any, ClassVar

from nbagent.adapters.base import (
    ServerSentEvent,
    ended_before_any,
    field,
    list_or_empty,
    plain,
    str_or_none,
    type_is,
    unwrap,
)
from nbagent.adapters.google_genai.maps import (
    CONTINUATION,
    NOT_FINISHED,
    PAUSED,
    get,
    map_finish_reason,
    word,
)
from nbagent.adapters.google_genai.parts import Parts
from nbagent.adapters.kit import gemini_usage
from nbagent.adapters.kit.dispatch import never_raises
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.core.events import Custom, ErrorEvent, Event, RunEnd, StepEnd, StepStart

__all__ = ["GoogleGenaiAdapter"]


class GoogleGenaiAdapter:
    """``GenerateContentResponse`` stream → events (see the module docstring)."""

    name: ClassVar[str] = "google-genai"

    def __init__(self) -> None:
        self._life = Lifecycle(
            "google-genai",
            "GenerateContentResponse objects, dicts, JSON strings or ServerSentEvents",
        )
        self._step: str | None = None  # the open step
        self._last_step: str | None = None
        self._finish: str | None = None  # the raw finish reason of the last step that ended
        self._paused = False  # the last candidate said CONTINUATION
        self._parts = Parts()

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """A ``GenerateContentResponse``, or its REST dict (``candidates`` of ``content`` /
        ``finishReason``, or a ``usageMetadata`` / ``promptFeedback`` with no candidates)."""
        if type_is(item, "google.genai", "GenerateContentResponse"):
            return True
        _, payload = unwrap(item) if isinstance(item, (ServerSentEvent, str)) else (None, item)
        if not isinstance(payload, dict):
            return False
        candidates = payload.get("candidates")
        if isinstance(candidates, list) and candidates:
            first = candidates[0]
            return isinstance(first, dict) and (
                isinstance(first.get("content"), dict) or "finishReason" in first
            )
        return candidates is None and (
            isinstance(payload.get("usageMetadata"), dict)
            or isinstance(payload.get("promptFeedback"), dict)
        )

    # -- the adapter interface ---------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._life.done:
            return []
        _, payload = self._life.unwrap(item)
        out: list[Event] = []
        error = field(payload, "error") if isinstance(payload, dict) else None
        if isinstance(error, dict):
            return self._error(error, out)
        self._life.begin(
            out,
            self._parts.ids,
            run_id=str_or_none(get(payload, "response_id")) or "",
            model=str_or_none(get(payload, "model_version")),
            provider="google",
        )
        self._parts.history(get(payload, "automatic_function_calling_history"), out)
        candidates = list_or_empty(get(payload, "candidates"))
        candidate = candidates[0] if candidates else None
        content = get(candidate, "content")
        if content is not None and not isinstance(content, dict):
            self._parts.fed(content)
        parts = list_or_empty(get(content, "parts"))
        finish = word(get(candidate, "finish_reason"))
        if candidate is not None:
            self._paused = finish == CONTINUATION
        if finish in NOT_FINISHED:
            finish = None
        blocked = word(get(get(payload, "prompt_feedback"), "block_reason"))
        if self._step is None and (parts or finish or blocked):
            self._open_step(payload, out)
        for part in parts:
            self._parts.part(part, out)
        usage = get(payload, "usage_metadata")
        if usage is not None:
            model = str_or_none(get(payload, "model_version"))
            step_id = self._step or self._last_step
            out.append(
                gemini_usage(usage, scope="step", step_id=step_id, model=model, provider="google")
            )
        if finish or blocked:
            self._close_step(finish or blocked, out)
        return out

    def end(self) -> list[Event]:
        if not self._life.end():
            return []
        out: list[Event] = []
        if not self._life.started:
            return [ended_before_any("response")]
        if self._step is not None and self._paused:
            self._close_step(CONTINUATION, out)
            out.append(Custom(name="note", value=dict(PAUSED)))
            out.append(RunEnd(reason="interrupted", raw_reason=CONTINUATION))
            return out
        if self._step is not None:
            self._close_step(None, out)
            out.append(
                RunEnd(reason="incomplete", message="the stream ended without a finish reason")
            )
            return out
        # pending: the model asked for calls nobody answered in this stream
        reason = map_finish_reason(self._finish, called=bool(self._parts.pending))
        out.append(RunEnd(reason=reason, raw_reason=self._finish))
        return out

    # -- steps ----------------------------------------------------------------------------

    def _open_step(self, payload: Any, out: list[Event]) -> None:
        wire_id = str_or_none(get(payload, "response_id"))
        step_id = self._parts.ids.wire(wire_id) if wire_id else self._parts.ids.scope_id()
        self._step = self._last_step = step_id
        self._parts.new_step(step_id)
        self._finish = None
        out.append(StepStart(step_id=step_id, name="model", step_type="model"))

    def _close_step(self, raw: str | None, out: list[Event]) -> None:
        self._parts.close_message(out)
        self._parts.end_streamed(None, out)
        if self._step is None:
            return
        reason = map_finish_reason(raw) if raw else None
        out.append(
            StepEnd(step_id=self._step, name="model", finish_reason=reason, raw_finish_reason=raw)
        )
        self._finish = raw
        self._step = None

    def _error(self, error: dict[str, Any], out: list[Event]) -> list[Event]:
        self._life.end()
        if self._step is not None:
            self._parts.close_message(out)
            out.append(StepEnd(step_id=self._step, name="model", finish_reason="error"))
            self._step = None
        message = str_or_none(error.get("message")) or "the server sent an error"
        status = str_or_none(error.get("status"))
        code = error.get("code")
        out.append(
            ErrorEvent(
                message=message,
                code=code if isinstance(code, (int, str)) and not isinstance(code, bool) else None,
                error_type=status,
                details=plain(error),
            )
        )
        out.append(RunEnd(reason="error", raw_reason=status, message=message))
        return out
