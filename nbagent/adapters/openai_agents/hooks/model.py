"""A model call's span read whole as events: what the model answered (text, reasoning, the
tool calls it asked for), its usage, its model and why it stopped.

Two span kinds carry a model call: ``ResponseSpanData`` (the Responses API models: the
``Response`` object) and ``GenerationSpanData`` (Chat Completions models, LiteLLM, any
provider: ``output`` is a list of assistant messages as dicts, or, where the SDK streamed
under the hood, ``Response`` dumps). The adapter scopes the events and ends the step.
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, int_or_none, list_or_empty, plain, str_or_none
from nbagent.adapters.kit import (
    ANSWER_SEEN_WHOLE,
    SEEN_WHOLE,
    Channel,
    Ids,
    Kind,
    call_events,
    kind_of,
    openai_usage,
    whole_message,
)
from nbagent.adapters.openai_agents.maps import call_arguments, message_texts, reasoning_text
from nbagent.adapters.openai_responses.maps import (
    FUNCTION_ITEMS,
    HOSTED_ITEMS,
    INCOMPLETE_REASONS,
    hosted_args,
    hosted_result,
)
from nbagent.core.events import Event, ToolResult, Usage

__all__ = ["ModelAnswer", "model_answer"]


class ModelAnswer:
    """A model span's answer as events, in the order they are sent: its ``messages`` (each
    whole, ``{span_id}:{n}``), then the tool ``calls`` it asked for (their ids unique in
    ``used``; a hosted tool's result after its call); ``asked``: ``(name, tool_call_id)`` of
    the calls the SDK runs, for the function spans that answer them."""

    def __init__(self, span_id: str, ids: Ids) -> None:
        self.span_id = span_id
        self._ids = ids
        self.messages: list[Event] = []
        self.calls: list[Event] = []
        self.asked: list[tuple[str, str]] = []
        self.model: str | None = None
        self.finish_reason: str | None = None
        self.usage: Any = None
        self.parts = 0  # messages so far
        self.called = 0  # tool calls so far

    def say(self, text: str, *, thinking: bool = False, refusal: bool = False) -> None:
        """A text (a ``refusal``'s) or thinking part of the answer (nothing when empty)."""
        if text:
            channel: Channel = "thinking" if thinking else "text"
            start = SEEN_WHOLE if thinking else ANSWER_SEEN_WHOLE
            kind: Kind = "refusal" if refusal else kind_of(channel)
            message_id = self._ids.new(kind, self.span_id)
            whole_message(self.messages, channel, message_id, text, start, refusal=refusal)
            self.parts += 1

    def call(
        self,
        call_id: str | None,
        name: str,
        arguments: str | None = None,
        args: Any = None,
        *,
        hosted: bool = False,
        result: Any = None,
        is_error: bool = False,
    ) -> None:
        """A tool call the model asked for (``hosted``: the provider ran it, ``result``)."""
        tool_call_id = self._ids.of(call_id, "call", self.span_id)
        self.called += 1
        self.calls += call_events(
            tool_call_id,
            name,
            arguments,
            args,
            executor="server" if hosted else None,
            synthetic=call_id is None,
        )
        if hosted:
            self.calls.append(
                ToolResult(tool_call_id=tool_call_id, content=result, name=name, is_error=is_error)
            )
        else:
            self.asked.append((name, tool_call_id))


def model_answer(data: Any, span_id: str, ids: Ids) -> ModelAnswer:
    """A ``ResponseSpanData``'s or ``GenerationSpanData``'s answer."""
    response = field(data, "response")
    out = ModelAnswer(span_id, ids)
    out.model = str_or_none(field(response if response is not None else data, "model"))
    if response is not None:
        _add_response(out, response)
    else:
        for message in list_or_empty(field(data, "output")):
            if field(message, "output") is not None and field(message, "object") == "response":
                _add_response(out, message)  # a streamed chat completion, as a Response dump
            else:
                _add_chat_message(out, message)
        if out.finish_reason is None and (out.parts or out.called):
            out.finish_reason = "tool_calls" if out.called else "stop"
    span_usage = field(data, "usage")
    out.usage = span_usage if span_usage is not None else out.usage
    return out


def _add_response(out: ModelAnswer, response: Any) -> None:
    out.model = out.model or str_or_none(field(response, "model"))
    for item in list_or_empty(field(response, "output")):
        kind = str_or_none(field(item, "type")) or ""
        if kind == "message":
            text, refusal = message_texts(item)
            out.say(text)
            out.say(refusal, refusal=True)
        elif kind == "reasoning":
            out.say(reasoning_text(item), thinking=True)
        elif kind in FUNCTION_ITEMS:
            arguments, args = call_arguments(item)
            name = str_or_none(field(item, "name")) or kind
            out.call(str_or_none(field(item, "call_id")), name, arguments, args)
        elif kind in HOSTED_ITEMS or kind.endswith("_call"):
            status = field(item, "status")
            out.call(
                str_or_none(field(item, "id")),
                str_or_none(field(item, "name")) or kind,
                args=hosted_args(item),
                hosted=True,
                result=hosted_result(item),
                is_error=bool(field(item, "error")) or status in ("failed", "incomplete"),
            )
    out.usage = field(response, "usage") if out.usage is None else out.usage
    status = field(response, "status")
    if status == "incomplete":
        reason = str_or_none(field(field(response, "incomplete_details"), "reason"))
        out.finish_reason = INCOMPLETE_REASONS.get(reason or "", reason or "incomplete")
    elif status == "failed":
        out.finish_reason = "error"
    elif out.asked:
        out.finish_reason = "tool_calls"
    elif status is not None or out.parts:
        out.finish_reason = "stop"


def _add_chat_message(out: ModelAnswer, message: Any) -> None:
    """An assistant message of Chat Completions (a dict: ``content``, ``refusal``,
    ``tool_calls``; ``reasoning_content`` where the provider sends one)."""
    for key in ("reasoning_content", "reasoning"):
        thinking = field(message, key)
        if isinstance(thinking, str) and thinking:
            out.say(thinking, thinking=True)
            break
    content = field(message, "content")
    if isinstance(content, str):
        out.say(content)
    else:  # a list of content parts
        out.say("".join(str_or_none(field(part, "text")) or "" for part in list_or_empty(content)))
    refusal = field(message, "refusal")
    if isinstance(refusal, str):
        out.say(refusal, refusal=True)
    for call in list_or_empty(field(message, "tool_calls")):
        function = field(call, "function")
        arguments = field(function, "arguments")
        out.call(
            str_or_none(field(call, "id")),
            str_or_none(field(function, "name")) or "tool",
            arguments if isinstance(arguments, str) else None,
            None if isinstance(arguments, str) else plain(arguments),
        )


def usage_of(usage: Any, *, step_id: str, model: str | None) -> Usage | None:
    """The step's ``Usage`` from the span's usage (a dict) or the response's (an object)."""
    if usage is None:
        return None
    read = openai_usage(usage, step_id=step_id, scope="step", model=model)
    if read.input_tokens is None and read.output_tokens is None:
        return None
    if read.cached_input_tokens is None:
        read.cached_input_tokens = int_or_none(field(usage, "cached_input_tokens"))
    read.reasoning_tokens = read.reasoning_tokens or None
    read.cached_input_tokens = read.cached_input_tokens or None
    return read
