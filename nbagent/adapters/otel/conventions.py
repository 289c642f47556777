"""The two conventions a span may follow, read into ``common``'s classes.

The official OpenTelemetry GenAI semantic conventions (``gen_ai.*``), as pydantic-ai's
instrumentation and ``opentelemetry-instrumentation-openai-v2`` write them: a model call is a
span with ``gen_ai.operation.name`` ``chat`` / ``text_completion`` / ``generate_content``; its
output is ``gen_ai.output.messages`` (a JSON list of ``{"role", "parts": [{"type": "text" |
"thinking" | "reasoning" | "tool_call" | "tool_call_response", ...}], "finish_reason"}``), its
usage ``gen_ai.usage.*``. A tool's execution is ``execute_tool`` (``gen_ai.tool.name``,
``gen_ai.tool.call.id``, ``gen_ai.tool.call.arguments`` / ``result``); an agent run
``invoke_agent`` (``gen_ai.agent.name``).

OpenInference's (Arize Phoenix's instrumentors: ``openinference-instrumentation-*``): a span's
``openinference.span.kind`` says what it is (``LLM``, ``TOOL``, ``AGENT``, ``CHAIN``, ...). A
model call's output is flattened into attributes: ``llm.output_messages.<i>.message.content``
(or ``.message.contents.<j>.message_content.text``) and
``llm.output_messages.<i>.message.tool_calls.<j>.tool_call.{id,function.name,
function.arguments}``; its usage ``llm.token_count.*``, its model ``llm.model_name``. A tool
span has ``tool.name``, ``input.value`` (the arguments) and ``output.value`` (the result).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import list_or_empty, str_or_none
from nbagent.adapters.kit import args_text
from nbagent.adapters.otel.common import (
    ModelCall,
    Part,
    Role,
    ToolRun,
    first_str,
    indexed,
    number,
    parse_json,
    tokens,
    tool_run,
)
from nbagent.core.events import Usage

__all__ = ["agent_name", "read_model", "read_tool", "role_of"]

_OPERATIONS: dict[str, Role] = {
    "chat": "model",
    "text_completion": "model",
    "generate_content": "model",
    "completion": "model",
    "execute_tool": "tool",
    "invoke_agent": "agent",
    "invoke_workflow": "chain",
}
_KINDS: dict[str, Role] = {"LLM": "model", "TOOL": "tool", "AGENT": "agent", "CHAIN": "chain"}
_THINKING = ("thinking", "reasoning")


def _genai_role(attrs: Mapping[str, Any]) -> Role:
    op = attrs.get("gen_ai.operation.name")
    return _OPERATIONS.get(op, "") if isinstance(op, str) else ""


def _openinference_role(attrs: Mapping[str, Any]) -> Role:
    kind = attrs.get("openinference.span.kind")
    return _KINDS.get(kind.upper(), "") if isinstance(kind, str) else ""


def role_of(attrs: Mapping[str, Any]) -> Role:
    """What the span stands for, in whichever convention says it."""
    return _genai_role(attrs) or _openinference_role(attrs)


def agent_name(attrs: Mapping[str, Any]) -> str | None:
    return first_str(attrs, "gen_ai.agent.name", "agent_name", "agent.name")


def read_model(attrs: Mapping[str, Any]) -> ModelCall:
    """A model call's span: GenAI's reading, else OpenInference's where that one has the
    content (or GenAI's has no usage either), with GenAI's usage and cost where a span
    carries both conventions (Google ADK's) and only GenAI's has them."""
    call = _genai_model(attrs)
    if not call.has_content and _openinference_role(attrs) == "model":
        other = _openinference_model(attrs)
        if other.has_content or not call.has_usage:
            if call.has_usage:
                other.usage.input_tokens = call.usage.input_tokens
                other.usage.output_tokens = call.usage.output_tokens
                other.usage.reasoning_tokens = call.usage.reasoning_tokens
                other.usage.cached_input_tokens = call.usage.cached_input_tokens
                other.usage.cache_write_tokens = call.usage.cache_write_tokens
            if call.usage.cost_usd is not None:
                other.usage.cost_usd = call.usage.cost_usd
            other.finish = other.finish or call.finish
            other.model = other.model or call.model
            return other
    return call


def read_tool(attrs: Mapping[str, Any]) -> ToolRun:
    """A tool span's execution (``tool_arguments``, ``tool_response``: pydantic-ai's v2
    format); a span of both conventions with no GenAI result (Google ADK's) has
    OpenInference's."""
    oi = _openinference_role(attrs) == "tool"
    if not oi:
        return _genai_tool(attrs)
    other = tool_run(attrs, "tool.name", "tool_call.id", ("input.value",), ("output.value",))
    if _genai_role(attrs) != "tool":
        return other
    run = _genai_tool(attrs)
    if not run.has_result:
        run.result, run.has_result = other.result, other.has_result
    run.arguments = run.arguments if run.arguments is not None else other.arguments
    return run


def _genai_tool(attrs: Mapping[str, Any]) -> ToolRun:
    return tool_run(
        attrs,
        "gen_ai.tool.name",
        "gen_ai.tool.call.id",
        ("gen_ai.tool.call.arguments", "tool_arguments"),
        ("gen_ai.tool.call.result", "tool_response"),
    )


# -- GenAI ----------------------------------------------------------------------------------


def _genai_model(attrs: Mapping[str, Any]) -> ModelCall:
    usage = Usage(
        input_tokens=tokens(attrs, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"),
        output_tokens=tokens(attrs, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"),
        reasoning_tokens=tokens(
            attrs, "gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.details.reasoning_tokens"
        ),
        cached_input_tokens=tokens(
            attrs, "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens"
        ),
        cache_write_tokens=tokens(
            attrs,
            "gen_ai.usage.cache_creation.input_tokens",
            "gen_ai.usage.cache_creation_input_tokens",
        ),
        cost_usd=number(attrs.get("operation.cost")),  # pydantic-ai's price of the call
    )
    model = first_str(attrs, "gen_ai.response.model", "gen_ai.request.model")
    call = ModelCall(model=model, usage=usage)
    reasons = list_or_empty(attrs.get("gen_ai.response.finish_reasons"))
    if reasons and isinstance(reasons[0], str):
        call.finish = reasons[0]
    raw = attrs.get("gen_ai.output.messages")
    if raw is None:
        return call
    call.has_content = True
    for message in list_or_empty(parse_json(raw)):
        if not isinstance(message, Mapping) or message.get("role") not in (None, "assistant"):
            continue
        if call.finish is None:
            call.finish = str_or_none(message.get("finish_reason"))
        call.parts.extend(_genai_parts(list_or_empty(message.get("parts"))))
    return call


def _genai_parts(parts: Any) -> list[Part]:
    out: list[Part] = []
    for part in parts:
        if not isinstance(part, Mapping):
            continue
        kind = part.get("type")
        if kind == "text" or kind in _THINKING:
            content = part.get("content")
            if isinstance(content, str) and content:
                out.append(Part("text" if kind == "text" else "thinking", text=content))
        elif kind in ("tool_call", "server_tool_call"):  # the latter: util-genai's provider-run
            server = kind == "server_tool_call"
            out.append(
                Part(
                    "tool_call",
                    call_id=str_or_none(part.get("id")),
                    name=str_or_none(part.get("name")) or "tool",
                    arguments=args_text(part.get(kind if server else "arguments")),
                    builtin=server or bool(part.get("builtin")),
                )
            )
        elif kind in ("tool_call_response", "server_tool_call_response"):
            result = part.get("result", part.get("response", part.get("server_tool_call_response")))
            out.append(
                Part(
                    "tool_result",
                    call_id=str_or_none(part.get("id")),
                    name=str_or_none(part.get("name")) or "",
                    result=result,
                    builtin=True,
                )
            )
    return out


# -- OpenInference --------------------------------------------------------------------------


def _openinference_model(attrs: Mapping[str, Any]) -> ModelCall:
    usage = Usage(
        input_tokens=tokens(attrs, "llm.token_count.prompt"),
        output_tokens=tokens(attrs, "llm.token_count.completion"),
        reasoning_tokens=tokens(attrs, "llm.token_count.completion_details.reasoning"),
        cached_input_tokens=tokens(attrs, "llm.token_count.prompt_details.cache_read"),
        cache_write_tokens=tokens(attrs, "llm.token_count.prompt_details.cache_write"),
        cost_usd=number(attrs.get("llm.cost.total")),
    )
    call = ModelCall(
        model=first_str(attrs, "llm.response.model_name", "llm.model_name"),
        finish=str_or_none(attrs.get("llm.finish_reason")),
        usage=usage,
    )
    for message in indexed(attrs, "llm.output_messages."):
        call.has_content = True
        if message.get("message.role") in (None, "assistant", "model"):  # Gemini's: model
            call.parts.extend(_openinference_parts(message))
    return call


def _openinference_parts(message: Mapping[str, Any]) -> list[Part]:
    out: list[Part] = []
    content = message.get("message.content")
    if isinstance(content, str) and content:
        out.append(Part("text", text=content))
    else:
        for item in indexed(message, "message.contents."):
            text = item.get("message_content.text")
            if isinstance(text, str) and text:
                thinking = item.get("message_content.type") in _THINKING
                out.append(Part("thinking" if thinking else "text", text=text))
    out.extend(
        Part(
            "tool_call",
            call_id=str_or_none(call.get("tool_call.id")),
            name=str_or_none(call.get("tool_call.function.name")) or "tool",
            arguments=args_text(call.get("tool_call.function.arguments")),
        )
        for call in indexed(message, "message.tool_calls.")
    )
    return out
