"""The official OpenTelemetry GenAI semantic conventions (``gen_ai.*``), as pydantic-ai's
instrumentation and ``opentelemetry-instrumentation-openai-v2`` write them.

A model call is a span with ``gen_ai.operation.name`` ``chat`` / ``text_completion`` /
``generate_content``; its output is ``gen_ai.output.messages`` (a JSON list of
``{"role", "parts": [{"type": "text" | "thinking" | "reasoning" | "tool_call" |
"tool_call_response", ...}], "finish_reason"}``), its usage ``gen_ai.usage.*``. A tool's
execution is ``execute_tool`` (``gen_ai.tool.name``, ``gen_ai.tool.call.id``,
``gen_ai.tool.call.arguments`` / ``result``); an agent run ``invoke_agent``
(``gen_ai.agent.name``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent._events import Usage
from nbagent.adapters.base import list_or_empty, str_or_none
from nbagent.adapters.hooks.otel.common import (
    ModelCall,
    Part,
    Role,
    ToolRun,
    first_str,
    number,
    parse_json,
    tokens,
    tool_run,
)
from nbagent.adapters.kit import args_text

__all__ = ["agent_name", "read_model", "read_tool", "role"]

OPERATION = "gen_ai.operation.name"
_ROLES: dict[str, Role] = {
    "chat": "model",
    "text_completion": "model",
    "generate_content": "model",
    "completion": "model",
    "execute_tool": "tool",
    "invoke_agent": "agent",
    "invoke_workflow": "chain",
}
_THINKING = ("thinking", "reasoning")


def role(attrs: Mapping[str, Any]) -> Role:
    op = attrs.get(OPERATION)
    return _ROLES.get(op, "") if isinstance(op, str) else ""


def agent_name(attrs: Mapping[str, Any]) -> str | None:
    return first_str(attrs, "gen_ai.agent.name", "agent_name")


def read_model(attrs: Mapping[str, Any]) -> ModelCall:
    usage = Usage(
        input_tokens=tokens(attrs, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"),
        output_tokens=tokens(attrs, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"),
        reasoning_tokens=tokens(
            attrs, "gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.details.reasoning_tokens"
        ),
        cached_input_tokens=tokens(
            attrs, "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens"
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
        if not isinstance(message, Mapping):
            continue
        if message.get("role") not in (None, "assistant"):
            continue
        finish = str_or_none(message.get("finish_reason"))
        if finish and call.finish is None:
            call.finish = finish
        call.parts.extend(_parts(list_or_empty(message.get("parts"))))
    return call


def _parts(parts: Any) -> list[Part]:
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


def read_tool(attrs: Mapping[str, Any]) -> ToolRun:
    return tool_run(  # tool_arguments, tool_response: pydantic-ai's v2 format
        attrs,
        "gen_ai.tool.name",
        "gen_ai.tool.call.id",
        ("gen_ai.tool.call.arguments", "tool_arguments"),
        ("gen_ai.tool.call.result", "tool_response"),
    )
