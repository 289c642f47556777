"""A model call's span read whole: what the model answered (text, reasoning, the tool calls
it asked for), its usage, its model and why it stopped.

Two span kinds carry a model call: ``ResponseSpanData`` (the Responses API models: the
``Response`` object) and ``GenerationSpanData`` (Chat Completions models, LiteLLM, any
provider: ``output`` is a list of assistant messages as dicts, or, where the SDK streamed
under the hood, ``Response`` dumps). Pure readers: the adapter numbers and scopes the parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from nbagent._events import Usage
from nbagent.adapters.base import field, int_or_none, list_or_empty, plain, str_or_none
from nbagent.adapters.kit import openai_usage
from nbagent.adapters.openai_agents.maps import call_arguments, message_texts, reasoning_text
from nbagent.adapters.openai_responses.maps import (
    FUNCTION_ITEMS,
    HOSTED_ITEMS,
    INCOMPLETE_REASONS,
    hosted_args,
    hosted_result,
)

__all__ = ["Call", "ModelOutput", "Part", "model_output", "usage_of"]


@dataclass(slots=True)
class Part:
    """A text (or refusal) or thinking part of the answer, in order."""

    text: str
    thinking: bool = False
    refusal: bool = False


@dataclass(slots=True)
class Call:
    """A tool call the model asked for (``hosted``: the provider ran it and has its result)."""

    call_id: str | None
    name: str
    arguments: str | None = None
    args: Any = None
    hosted: bool = False
    result: Any = None
    is_error: bool = False


@dataclass(slots=True)
class ModelOutput:
    """What a model span says of its call."""

    model: str | None = None
    parts: list[Part] = dc_field(default_factory=list)
    calls: list[Call] = dc_field(default_factory=list)
    finish_reason: str | None = None
    usage: Any = None


def model_output(data: Any) -> ModelOutput:
    """A ``ResponseSpanData``'s or ``GenerationSpanData``'s answer."""
    response = field(data, "response")
    out = ModelOutput(model=str_or_none(field(response if response is not None else data, "model")))
    if response is not None:
        _add_response(out, response)
    else:
        for message in list_or_empty(field(data, "output")):
            if field(message, "output") is not None and field(message, "object") == "response":
                _add_response(out, message)  # a streamed chat completion, as a Response dump
            else:
                _add_chat_message(out, message)
        if out.finish_reason is None and (out.parts or out.calls):
            out.finish_reason = "tool_calls" if out.calls else "stop"
    span_usage = field(data, "usage")
    out.usage = span_usage if span_usage is not None else out.usage
    return out


def _add_response(out: ModelOutput, response: Any) -> None:
    out.model = out.model or str_or_none(field(response, "model"))
    for item in list_or_empty(field(response, "output")):
        kind = str_or_none(field(item, "type")) or ""
        if kind == "message":
            text, refusal = message_texts(item)
            if text:
                out.parts.append(Part(text))
            if refusal:
                out.parts.append(Part(refusal, refusal=True))
        elif kind == "reasoning":
            thinking = reasoning_text(item)
            if thinking:
                out.parts.append(Part(thinking, thinking=True))
        elif kind in FUNCTION_ITEMS:
            arguments, args = call_arguments(item)
            out.calls.append(
                Call(
                    str_or_none(field(item, "call_id")),
                    str_or_none(field(item, "name")) or kind,
                    arguments,
                    args,
                )
            )
        elif kind in HOSTED_ITEMS or kind.endswith("_call"):
            status = field(item, "status")
            out.calls.append(
                Call(
                    str_or_none(field(item, "id")),
                    str_or_none(field(item, "name")) or kind,
                    args=hosted_args(item),
                    hosted=True,
                    result=hosted_result(item),
                    is_error=bool(field(item, "error")) or status in ("failed", "incomplete"),
                )
            )
    out.usage = field(response, "usage") if out.usage is None else out.usage
    status = field(response, "status")
    if status == "incomplete":
        reason = str_or_none(field(field(response, "incomplete_details"), "reason"))
        out.finish_reason = INCOMPLETE_REASONS.get(reason or "", reason or "incomplete")
    elif status == "failed":
        out.finish_reason = "error"
    elif any(not call.hosted for call in out.calls):
        out.finish_reason = "tool_calls"
    elif status is not None or out.parts:
        out.finish_reason = "stop"


def _add_chat_message(out: ModelOutput, message: Any) -> None:
    """An assistant message of Chat Completions (a dict: ``content``, ``refusal``,
    ``tool_calls``; ``reasoning_content`` where the provider sends one)."""
    for key in ("reasoning_content", "reasoning"):
        thinking = field(message, key)
        if isinstance(thinking, str) and thinking:
            out.parts.append(Part(thinking, thinking=True))
            break
    content = field(message, "content")
    if isinstance(content, str):
        text = content
    else:  # a list of content parts
        text = "".join(str_or_none(field(part, "text")) or "" for part in list_or_empty(content))
    if text:
        out.parts.append(Part(text))
    refusal = field(message, "refusal")
    if isinstance(refusal, str) and refusal:
        out.parts.append(Part(refusal, refusal=True))
    for call in list_or_empty(field(message, "tool_calls")):
        function = field(call, "function")
        arguments = field(function, "arguments")
        out.calls.append(
            Call(
                str_or_none(field(call, "id")),
                str_or_none(field(function, "name")) or "tool",
                arguments if isinstance(arguments, str) else None,
                None if isinstance(arguments, str) else plain(arguments),
            )
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
