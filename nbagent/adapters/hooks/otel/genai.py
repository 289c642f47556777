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

from nbagent.adapters.base import list_or_empty, str_or_none
from nbagent.adapters.hooks.otel.common import (
    ModelCall,
    Part,
    Role,
    ToolRun,
    as_json_text,
    parse_json,
    tokens,
)

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
    return str_or_none(attrs.get("gen_ai.agent.name")) or str_or_none(attrs.get("agent_name"))


def read_model(attrs: Mapping[str, Any]) -> ModelCall:
    call = ModelCall(
        model=str_or_none(attrs.get("gen_ai.response.model"))
        or str_or_none(attrs.get("gen_ai.request.model")),
        input_tokens=tokens(attrs, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"),
        output_tokens=tokens(attrs, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"),
        reasoning_tokens=tokens(
            attrs, "gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.details.reasoning_tokens"
        ),
        cached_input_tokens=tokens(
            attrs,
            "gen_ai.usage.cache_read.input_tokens",
            "gen_ai.usage.cache_read_input_tokens",
        ),
    )
    cost = attrs.get("operation.cost")  # pydantic-ai's price of the call
    if isinstance(cost, (int, float)) and not isinstance(cost, bool):
        call.cost_usd = float(cost)
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
        if kind == "text":
            content = part.get("content")
            if isinstance(content, str) and content:
                out.append(Part("text", text=content))
        elif kind in _THINKING:
            content = part.get("content")
            if isinstance(content, str) and content:
                out.append(Part("thinking", text=content))
        elif kind == "tool_call":
            out.append(
                Part(
                    "tool_call",
                    call_id=str_or_none(part.get("id")),
                    name=str_or_none(part.get("name")) or "tool",
                    arguments=as_json_text(part.get("arguments")),
                    builtin=bool(part.get("builtin")),
                )
            )
        elif kind == "server_tool_call":  # util-genai's provider-run tool
            out.append(
                Part(
                    "tool_call",
                    call_id=str_or_none(part.get("id")),
                    name=str_or_none(part.get("name")) or "tool",
                    arguments=as_json_text(part.get("server_tool_call")),
                    builtin=True,
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
    run = ToolRun(
        name=str_or_none(attrs.get("gen_ai.tool.name")) or "",
        call_id=str_or_none(attrs.get("gen_ai.tool.call.id")),
        arguments=as_json_text(
            attrs.get("gen_ai.tool.call.arguments", attrs.get("tool_arguments"))
        ),
    )
    for key in ("gen_ai.tool.call.result", "tool_response"):  # the latter: pydantic-ai v2 format
        if key in attrs:
            run.result = attrs[key]
            run.has_result = True
            break
    return run
