"""OpenInference's conventions (Arize Phoenix's instrumentors: ``openinference-instrumentation-*``).

A span's ``openinference.span.kind`` says what it is (``LLM``, ``TOOL``, ``AGENT``,
``CHAIN``, ...). A model call's output is flattened into attributes:
``llm.output_messages.<i>.message.content`` (or ``.message.contents.<j>.message_content.text``)
and ``llm.output_messages.<i>.message.tool_calls.<j>.tool_call.{id,function.name,
function.arguments}``; its usage ``llm.token_count.*``, its model ``llm.model_name``. A tool
span has ``tool.name``, ``input.value`` (the arguments) and ``output.value`` (the result).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent._events import Usage
from nbagent.adapters.base import str_or_none
from nbagent.adapters.hooks.otel.common import (
    ModelCall,
    Part,
    Role,
    ToolRun,
    first_str,
    indexed,
    number,
    tokens,
    tool_run,
)
from nbagent.adapters.kit import args_text

__all__ = ["KIND", "agent_name", "read_model", "read_tool", "role"]

KIND = "openinference.span.kind"
_ROLES: dict[str, Role] = {"LLM": "model", "TOOL": "tool", "AGENT": "agent", "CHAIN": "chain"}
_CALLS = "message.tool_calls."


def role(attrs: Mapping[str, Any]) -> Role:
    kind = attrs.get(KIND)
    return _ROLES.get(kind.upper(), "") if isinstance(kind, str) else ""


def agent_name(attrs: Mapping[str, Any]) -> str | None:
    return str_or_none(attrs.get("agent.name"))


def read_model(attrs: Mapping[str, Any]) -> ModelCall:
    usage = Usage(
        input_tokens=tokens(attrs, "llm.token_count.prompt"),
        output_tokens=tokens(attrs, "llm.token_count.completion"),
        reasoning_tokens=tokens(attrs, "llm.token_count.completion_details.reasoning"),
        cached_input_tokens=tokens(attrs, "llm.token_count.prompt_details.cache_read"),
        cost_usd=number(attrs.get("llm.cost.total")),
    )
    call = ModelCall(
        model=first_str(attrs, "llm.response.model_name", "llm.model_name"),
        finish=str_or_none(attrs.get("llm.finish_reason")),
        usage=usage,
    )
    for message in indexed(attrs, "llm.output_messages."):
        call.has_content = True
        if message.get("message.role") not in (None, "assistant"):
            continue
        call.parts.extend(_parts(message))
    return call


def _parts(message: Mapping[str, Any]) -> list[Part]:
    out: list[Part] = []
    content = message.get("message.content")
    if isinstance(content, str) and content:
        out.append(Part("text", text=content))
    else:
        for item in indexed(message, "message.contents."):
            text = item.get("message_content.text")
            if not isinstance(text, str) or not text:
                continue
            kind = item.get("message_content.type")
            thinking = isinstance(kind, str) and kind in ("reasoning", "thinking")
            out.append(Part("thinking" if thinking else "text", text=text))
    calls: dict[str, dict[str, Any]] = {}
    for key, value in message.items():
        if key.startswith(_CALLS):
            index, _, rest = key[len(_CALLS) :].partition(".")
            calls.setdefault(index, {})[rest] = value
    for index in sorted(calls, key=lambda i: int(i) if i.isdigit() else 0):
        call = calls[index]
        out.append(
            Part(
                "tool_call",
                call_id=str_or_none(call.get("tool_call.id")),
                name=str_or_none(call.get("tool_call.function.name")) or "tool",
                arguments=args_text(call.get("tool_call.function.arguments")),
            )
        )
    return out


def read_tool(attrs: Mapping[str, Any]) -> ToolRun:
    return tool_run(attrs, "tool.name", "tool_call.id", ("input.value",), ("output.value",))
