"""``OpenAIResponsesAdapter``: detection, ``feed`` (which dispatches on the event type) and
``end``, and the run's life (``response.created`` … ``response.completed`` / ``failed`` /
``incomplete`` / ``cancelled``, ``error``: the run and its one model step, usage, the end
reason). It composes two parts: the output ``Items`` (``items.py``) and their ``Content``
(``content.py``); tables and readers are in ``maps.py``. The package docstring has the mapping
and the ids.
"""

from __future__ import annotations

from typing import Any, ClassVar

from nbagent.adapters.base import field, plain, unwrap
from nbagent.adapters.kit import Lifecycle, ModelStep
from nbagent.adapters.kit.dispatch import never_raises
from nbagent.adapters.openai_responses.content import Content
from nbagent.adapters.openai_responses.items import Items
from nbagent.adapters.openai_responses.maps import (
    ARGS_DELTAS,
    ARGS_DONES,
    AUDIO,
    FUNCTION_ITEMS,
    HOSTED_PREFIXES,
    IGNORED,
    INCOMPLETE_REASONS,
    PARTS,
    TERMINAL,
    error_dict,
    error_event,
    raw_response_data,
    str_or_empty,
    usage_event,
)
from nbagent.core.events import (
    Custom,
    EndReason,
    Event,
    RunEnd,
    Status,
)

__all__ = ["OpenAIResponsesAdapter"]


class OpenAIResponsesAdapter:
    """Responses stream events → events (see the package docstring)."""

    name: ClassVar[str] = "openai-responses"

    def __init__(self) -> None:
        self._items = Items()
        self._content = Content(self._items)
        self._life = Lifecycle("openai-responses")
        self._step = ModelStep("response", self._life)

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """A Responses stream event: ``type`` ``response.*`` (or an ``error``/``keepalive``),
        alone or wrapped in an Agents SDK ``RawResponsesStreamEvent``."""
        _, payload = unwrap(item)
        payload = raw_response_data(payload)
        kind = field(payload, "type")
        if not isinstance(kind, str):
            return False
        if kind.startswith("response.") and len(kind) > len("response."):
            return True
        # "error" and "keepalive" are common words: only with Responses' sequence_number
        return kind in ("error", "keepalive") and isinstance(field(payload, "sequence_number"), int)

    # -- feeding ---------------------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        sse_name, payload = unwrap(item)
        payload = raw_response_data(payload)
        if isinstance(payload, str):  # "[DONE]" (some proxies add it): nothing
            return []
        kind = field(payload, "type")
        if not isinstance(kind, str) or not kind:
            kind = sse_name
        if not isinstance(kind, str) or not kind:
            raise self._life.bad("not a Responses stream event", item)
        if self._step.done or kind in IGNORED:
            return []
        out: list[Event] = []
        if kind in ("response.created", "response.queued", "response.in_progress"):
            self._lifecycle(kind, field(payload, "response"), out)
        elif kind == "response.output_item.added":
            self._items.added(payload, out)
        elif kind == "response.output_item.done":
            self._content.item_done(payload, out)
        elif kind in PARTS:
            item_type, part, key, full = PARTS[kind]
            self._content.part(payload, item_type, part, field(payload, key), out, full)
        elif kind in ARGS_DELTAS:
            self._content.args_delta(payload, out)
        elif kind in ARGS_DONES:
            call = self._items.item_of(payload)
            if call is not None:
                self._items.end_call(call, field(payload, ARGS_DONES[kind]), out)
        elif kind == "response.image_generation_call.partial_image":
            self._items.partial_image(payload, out)
        elif kind in AUDIO:
            self._content.audio(kind, payload, out)
        elif kind == "response.output_text.annotation.added":
            out.append(Custom(name="annotation", value=plain(field(payload, "annotation"))))
        elif kind.startswith(HOSTED_PREFIXES):
            self._content.hosted_progress(kind, payload, out)
        elif kind in TERMINAL:
            self._terminal(kind, field(payload, "response"), out)
        elif kind == "error":
            self._error(error_dict(payload), out)
        else:  # a type this adapter does not know (§13.14)
            out.append(Custom(name=kind, value=plain(payload), is_raw=True))
        return out

    def end(self) -> list[Event]:
        if not self._life.end():
            return []
        out: list[Event] = [*self._content.sounds.end_all()]
        self._items.close_all(out)
        self._step.end_step(out, "incomplete")
        out.append(
            RunEnd(reason="incomplete", message="the stream ended before response.completed")
        )
        return out

    # -- lifecycle -------------------------------------------------------------------------

    def _lifecycle(self, kind: str, response: Any, out: list[Event]) -> None:
        if not self._step.started:
            run_id = field(response, "id")
            run_id = run_id if isinstance(run_id, str) else ""
            model = field(response, "model")
            self._step.step_id = self._items.ids.scope = run_id or "response"
            self._step.start(
                out,
                run_id=run_id,
                model=model if isinstance(model, str) else None,
                provider="openai",
            )
        if kind != "response.created":
            state = kind.removeprefix("response.")
            out.append(Status(state=state, text=state.replace("_", " ") + "…"))

    def _terminal(self, kind: str, response: Any, out: list[Event]) -> None:
        self._life.end()
        out.extend(self._content.sounds.end_all())
        self._items.close_all(out)
        status = field(response, "status")
        usage = field(response, "usage")
        if usage is not None:
            out.append(usage_event(usage))
        raw: str | None = status if isinstance(status, str) else None
        message: str | None = None
        reason: EndReason
        if kind == "response.failed" or status == "failed":
            error = error_dict(field(response, "error"))
            message = error["message"]
            out.append(error_event(error))
            reason = "error"
        elif status == "cancelled" or kind == "response.cancelled":
            reason, raw, message = "cancelled", "cancelled", "the response was cancelled"
        elif kind == "response.incomplete" or status == "incomplete":
            detail = field(field(response, "incomplete_details"), "reason")
            raw = detail if isinstance(detail, str) else "incomplete"
            reason = INCOMPLETE_REASONS.get(raw, "unknown")
            message = f"the response is incomplete ({raw})"
        else:
            reason = "tool_calls" if self._has_function_calls(response) else "completed"
            if reason == "completed" and self._content.refusal:
                reason = "refusal"
        self._step.end_step(out, reason, raw)
        out.append(RunEnd(reason=reason, raw_reason=raw, message=message))

    def _has_function_calls(self, response: Any) -> bool:
        output = field(response, "output")
        if isinstance(output, list) and output:
            return any(str_or_empty(field(item, "type")) in FUNCTION_ITEMS for item in output)
        return self._items.function_calls

    def _error(self, error: dict[str, Any], out: list[Event]) -> None:
        self._items.close_all(out)  # also the items of a response not created yet
        self._step.fail(out, self._items.close_all, error_event(error))
