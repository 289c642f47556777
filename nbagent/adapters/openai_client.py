"""The ``openai`` family's adapter: the ``openai`` client's calls, as its hook recorded them
(``nbagent/sources/hooks/openai_client.py``).

A call is a model step: ``request`` opens it (its time is the step's start), ``response``
(a ``ChatCompletion`` or a Responses API ``Response``) or ``error`` closes it. The answer
came whole, so each message is ``MessageStart(whole=True)`` + one delta + ``MessageEnd``.
A ``Response``'s output items are read by the Responses stream adapter, fed one
``response.output_item.done`` per item (the item carries everything).

Tool results: the client runs no tools; a hand-written loop sends their results back in its
next request (``role="tool"`` messages, ``function_call_output`` items). A result is shown
for a call the run saw the model ask for, once (the loop sends the whole history each time).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from nbagent.adapters.base import field, int_or_none, list_or_empty, str_or_none
from nbagent.adapters.kit import ANSWER_SEEN_WHOLE, SEEN_WHOLE, Ids, whole_message
from nbagent.adapters.kit.hook_record import HookRecord
from nbagent.adapters.kit.hooks import HookAdapter
from nbagent.adapters.openai_chat.maps import map_finish_reason, reasoning_of, text_of
from nbagent.adapters.openai_chat.maps import usage_event as chat_usage
from nbagent.adapters.openai_chat.whole import ToolAnswers, whole_tool_calls
from nbagent.adapters.openai_responses import OpenAIResponsesAdapter
from nbagent.adapters.openai_responses.maps import (
    FUNCTION_ITEMS,
    INCOMPLETE_REASONS,
    error_dict,
    error_event,
)
from nbagent.adapters.openai_responses.maps import usage_event as responses_usage
from nbagent.adapters.think import split_whole
from nbagent.core.events import (
    ErrorEvent,
    Event,
    MessageStart,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallStart,
)

__all__ = ["OpenAIClientAdapter"]

TOOL_OUTPUTS = frozenset({"function_call_output", "custom_tool_call_output"})
"""Responses input items that carry a tool's result."""


@dataclasses.dataclass(slots=True)
class _Step:
    step_id: str
    api: str
    model: str | None


class OpenAIClientAdapter(HookAdapter):
    """``request`` / ``response`` / ``error`` records of the ``openai`` hook → events."""

    family: ClassVar[str] = "openai"

    def __init__(self) -> None:
        self._steps: dict[str, _Step] = {}  # root -> its step, until its response or error
        self._answers = ToolAnswers()
        self._ids = Ids()

    def feed(self, record: HookRecord) -> list[Event]:
        if record.kind == "request":
            return self._request(record.root, record.data)
        step = self._steps.pop(record.root, None)
        if step is None:
            return []  # its request was not seen (the watch began in between)
        if record.kind == "response":
            if step.api == "responses" or field(record.data, "object") == "response":
                return self._response(step, record.data)
            return self._completion(step, record.data)
        if record.kind == "error":
            return self._error(step, record.data)
        return []

    def end(self) -> list[Event]:
        """Calls still waiting for their answer when the watch ended."""
        steps, self._steps = list(self._steps.values()), {}
        return [StepEnd(step_id=s.step_id, finish_reason="incomplete") for s in steps]

    # -- a request: its tool results, then the step --------------------------------------------

    def _request(self, root: str, data: Any) -> list[Event]:
        api = str_or_none(field(data, "api")) or "chat"
        model = str_or_none(field(data, "model"))
        out: list[Event] = []  # first the results this request sends back
        self._answers.messages(field(data, "messages"), out)
        for item in list_or_empty(field(data, "input")):
            if field(item, "type") in TOOL_OUTPUTS:
                self._answers.answer(field(item, "call_id"), field(item, "output"), out)
        step = self._steps[root] = _Step(step_id=root, api=api, model=model)
        out.append(StepStart(step_id=step.step_id, name=model or "model", step_type="model"))
        return out

    # -- Chat Completions --------------------------------------------------------------------

    def _completion(self, step: _Step, completion: Any) -> list[Event]:
        out: list[Event] = []
        model = str_or_none(field(completion, "model")) or step.model
        finish: str | None = None
        choices = list_or_empty(field(completion, "choices"))
        for choice in choices:
            self._message(step.step_id, field(choice, "message"), out)
            if finish is None:
                finish = str_or_none(field(choice, "finish_reason"))
        usage = field(completion, "usage")
        if usage is not None:
            out.append(chat_usage(usage, "step", step_id=step.step_id, model=model))
        out.append(
            StepEnd(
                step_id=step.step_id,
                name=model or "",
                finish_reason=map_finish_reason(finish) if choices else None,
                raw_finish_reason=finish,
            )
        )
        return out

    def _message(self, step_id: str, message: Any, out: list[Event]) -> None:
        """A choice's message, its ids the step's (``{step}:text1``, ``:think1``…)."""
        ids = self._ids
        thinking = reasoning_of(message)
        text = text_of(field(message, "content"))
        if not thinking:  # a local model's reasoning inside the content
            thinking, text = split_whole(text)
        if thinking:
            whole_message(out, "thinking", ids.new("think", step_id), thinking, SEEN_WHOLE)
        if text:
            whole_message(out, "text", ids.new("text", step_id), text, ANSWER_SEEN_WHOLE)
        refusal = text_of(field(message, "refusal"))
        if refusal:
            refused = ids.new("refusal", step_id)
            whole_message(out, "text", refused, refusal, ANSWER_SEEN_WHOLE, refusal=True)
        whole_tool_calls(message, out, self._answers, ids, step_id)

    # -- the Responses API -------------------------------------------------------------------

    def _response(self, step: _Step, response: Any) -> list[Event]:
        out: list[Event] = []
        reader = OpenAIResponsesAdapter()
        started: set[str] = set()
        for index, item in enumerate(list_or_empty(field(response, "output"))):
            done = {"type": "response.output_item.done", "output_index": index, "item": item}
            for ev in reader.feed(done):
                out.extend(self._as_whole(ev, started))
        model = str_or_none(field(response, "model")) or step.model
        usage = field(response, "usage")
        if usage is not None:
            out.append(responses_usage(usage, "step", step_id=step.step_id, model=model))
        status = str_or_none(field(response, "status"))
        raw = status
        if status == "failed":
            error = error_event(error_dict(field(response, "error")))
            out.append(dataclasses.replace(error, recoverable=True))
            reason = "error"
        elif status == "incomplete":
            raw = str_or_none(field(field(response, "incomplete_details"), "reason")) or status
            reason = INCOMPLETE_REASONS.get(raw, "unknown")
        elif any(field(item, "type") in FUNCTION_ITEMS for item in field(response, "output") or ()):
            reason = "tool_calls"
        else:
            reason = "completed"
        out.append(
            StepEnd(
                step_id=step.step_id, name=model or "", finish_reason=reason, raw_finish_reason=raw
            )
        )
        return out

    def _as_whole(self, ev: Event, started: set[str]) -> list[Event]:
        """An event of the stream reader, as a whole message's: its start marked ``whole``
        (also a start the reader left to the normalizer, a refusal's); a function call the
        model asked for noted for its result."""
        if isinstance(ev, MessageStart):
            started.add(ev.message_id)
            return [dataclasses.replace(ev, whole=True)]
        if isinstance(ev, (TextDelta, ThinkingDelta)) and ev.message_id not in started:
            started.add(ev.message_id)
            thinking = isinstance(ev, ThinkingDelta)
            start = MessageStart(
                message_id=ev.message_id, channel="thinking" if thinking else "text", whole=True
            )
            return [start, ev]
        if isinstance(ev, ToolCallStart) and ev.executor != "server":
            self._answers.asked[ev.tool_call_id] = ev.name
        return [ev]

    # -- a failed call -----------------------------------------------------------------------

    def _error(self, step: _Step, data: Any) -> list[Event]:
        message = str_or_none(field(data, "message")) or "the openai call failed"
        code: str | int | None = int_or_none(field(data, "status"))  # HTTP's, else the error's
        if code is None and isinstance(field(data, "code"), (str, int)):
            code = field(data, "code")
        return [
            ErrorEvent(
                message=message,
                code=code,
                error_type=str_or_none(field(data, "error_type")),
                recoverable=True,
            ),
            StepEnd(step_id=step.step_id, finish_reason="error"),
        ]
