"""``OpenAIAssistantsAdapter``: detection, ``feed`` (which dispatches on the event name) and
``end``, and the run's life (``thread.run.*``: the run's start, status, usage and end reason,
``requires_action``, errors). It composes two parts: ``Steps`` (``steps.py``: steps and tool
calls) and ``Messages`` (``messages.py``); tables and readers are in ``maps.py``, and an
error's event is the Responses adapter's. The package docstring has the mapping and the ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent.adapters.base import field, plain
from nbagent.adapters.kit.dispatch import never_raises
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.adapters.openai_assistants.maps import EVENTS, error_dict, event_of
from nbagent.adapters.openai_assistants.messages import Messages
from nbagent.adapters.openai_assistants.steps import Steps
from nbagent.adapters.openai_responses.maps import error_event  # the same error shape
from nbagent.core.events import Custom, EndReason, Event, RunEnd, Status

__all__ = ["OpenAIAssistantsAdapter"]


class OpenAIAssistantsAdapter:
    """Assistants stream events → events (see the package docstring)."""

    name: ClassVar[str] = "openai-assistants"

    def __init__(self) -> None:
        self._life = Lifecycle("openai-assistants")
        self._thread_id: str | None = None
        self._steps = Steps()
        self._messages = Messages()

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """An Assistants event: a known ``thread.*`` name in the SSE ``event:``, the NEAR
        ``{"event", "data"}`` wrapper or an SDK event's ``.event``."""
        name, _ = event_of(item)
        return name in EVENTS

    # -- feeding ---------------------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        name, data = event_of(item)
        if name is None:
            if data == "[DONE]":
                return []
            raise self._life.bad("not an Assistants stream event", item)
        if self._life.done or name == "done":
            return []
        out: list[Event] = []
        if name.startswith("thread.run.step."):
            self._steps.step(name, data, out)
        elif name.startswith("thread.run."):
            run = field(data, "delta")  # NEAR puts the Run under data.delta
            if not (isinstance(run, Mapping) or hasattr(run, "status")):
                run = data
            self._run(name, run, out)
        elif name.startswith("thread.message."):
            self._messages.message(name, data, out)
        elif name == "thread.created":
            thread_id = field(data, "id")
            self._thread_id = thread_id if isinstance(thread_id, str) else None
        elif name == "error":
            error = error_dict(data)
            self._life.end()
            self._finish(out)
            out.append(error_event(error))
            out.append(RunEnd(reason="error", message=error["message"]))
        else:
            out.append(Custom(name=name, value=plain(data), is_raw=True))
        return out

    def end(self) -> list[Event]:
        if not self._life.end():
            return []
        out: list[Event] = []
        self._finish(out)
        out.append(RunEnd(reason="incomplete", message="the stream ended before the run did"))
        return out

    # -- runs ------------------------------------------------------------------------------

    def _run(self, name: str, run: Any, out: list[Event]) -> None:
        status = name.removeprefix("thread.run.")
        if status not in ("error",) and not self._life.started:
            run_id, model = field(run, "id"), field(run, "model")
            thread_id = field(run, "thread_id")
            self._life.begin(
                out,
                run_id=run_id if isinstance(run_id, str) else "",
                thread_id=thread_id if isinstance(thread_id, str) else self._thread_id,
                model=model if isinstance(model, str) else None,
                provider="openai",
            )
        if status in ("created",):
            return
        if status in ("queued", "in_progress", "cancelling"):
            out.append(Status(state=status, text=status.replace("_", " ")))
            return
        self._life.end()
        if status == "requires_action":
            required = field(field(run, "required_action"), "submit_tool_outputs")
            calls = field(required, "tool_calls")
            for call in calls if isinstance(calls, list) else []:
                self._steps.close_required(call, out)
            self._finish(out)
            Steps.usage(run, "run", out)
            out.append(
                RunEnd(
                    reason="interrupted",
                    raw_reason="requires_action",
                    message="the run waits for tool outputs",
                )
            )
            return
        self._finish(out)
        Steps.usage(run, "run", out)
        reason: EndReason
        raw: str | None = status
        message: str | None = None
        if status == "completed":
            reason = "refusal" if self._messages.refusal else "completed"
        elif status == "incomplete":
            detail = field(field(run, "incomplete_details"), "reason")
            raw = detail if isinstance(detail, str) else "incomplete"
            reason = "content_filter" if raw == "content_filter" else "max_tokens"
            message = f"the run is incomplete ({raw})"
        elif status in ("failed", "error"):
            error = error_dict(field(run, "last_error"))
            out.append(error_event(error))
            reason, message = "error", error["message"]
        elif status in ("cancelled", "canceled"):
            reason, raw, message = "cancelled", "cancelled", "the run was cancelled"
        elif status == "expired":
            reason, message = "expired", "the run expired"
        else:
            reason = "unknown"
        out.append(RunEnd(reason=reason, raw_reason=raw, message=message))

    def _finish(self, out: list[Event]) -> None:
        """Close every open message, tool call and step (the run is ending)."""
        self._messages.finish(out)
        self._steps.finish(out)
