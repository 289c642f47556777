"""Reading one span snapshot (``common``): its role, its model call or tool run in whichever
convention it follows, its failure, its times."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent._events import ErrorEvent
from nbagent.adapters.base import field as get_field
from nbagent.adapters.base import list_or_empty, str_or_none
from nbagent.adapters.hooks.otel import genai, openinference
from nbagent.adapters.hooks.otel.common import (
    ModelCall,
    Role,
    ToolRun,
    first_str,
    number,
    parse_json,
)

__all__ = [
    "FINISH",
    "NO_CONTENT",
    "attrs_of",
    "error_of",
    "model_name",
    "read_model",
    "read_tool",
    "role_of",
    "seconds",
]

FINISH: dict[str, str] = {
    "stop": "completed",
    "end_turn": "completed",
    "length": "max_tokens",
    "max_tokens": "max_tokens",
    "tool_calls": "tool_calls",
    "tool_call": "tool_calls",
    "tool_use": "tool_calls",
    "content_filter": "content_filter",
    "error": "error",
}
"""A model's finish reason (OpenAI's, pydantic-ai's) → a step's ``finish_reason``."""

NO_CONTENT = (
    "an OpenTelemetry model span carries no message content: turn content capture on in "
    "the instrumentation (opentelemetry-instrumentation-openai-v2: set "
    "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=span_only before instrument(); "
    "pydantic-ai: InstrumentationSettings(include_content=True))"
)


def role_of(attrs: Mapping[str, Any]) -> Role:
    return genai.role(attrs) or openinference.role(attrs)


def seconds(value: Any) -> float:
    return number(value) or 0.0


def attrs_of(data: Mapping[str, Any]) -> Mapping[str, Any]:
    attrs = data.get("attributes")
    return attrs if isinstance(attrs, Mapping) else {}


def read_model(attrs: Mapping[str, Any]) -> ModelCall:
    call = genai.read_model(attrs)
    if not call.has_content and openinference.role(attrs) == "model":
        other = openinference.read_model(attrs)
        if other.has_content or not call.has_usage:
            return other
    return call


def read_tool(attrs: Mapping[str, Any]) -> ToolRun:
    if genai.role(attrs) == "tool" or openinference.role(attrs) != "tool":
        return genai.read_tool(attrs)
    return openinference.read_tool(attrs)


def model_name(attrs: Mapping[str, Any], span_name: str) -> str:
    """The model a call's span names at its start: an attribute, else the span's name
    (``chat gpt-4o``: pydantic-ai sets the model attributes later); "" when unknown yet (the
    step's end names it then)."""
    name = first_str(
        attrs, "gen_ai.request.model", "llm.request.model_name", "llm.model_name"
    ) or str_or_none(get_field(parse_json(attrs.get("llm.invocation_parameters")), "model"))
    if name:
        return name
    op, _, rest = span_name.partition(" ")
    return rest if rest and op in ("chat", "text_completion", "generate_content") else ""


def error_of(data: Mapping[str, Any], ts: float) -> ErrorEvent | None:
    """The span's failure: its ERROR status, with its exception event's type and message."""
    if data.get("status") != "ERROR":
        return None
    error_type: str | None = None
    message = str_or_none(data.get("status_description"))
    for event in list_or_empty(data.get("events")):
        if not isinstance(event, Mapping) or event.get("name") != "exception":
            continue
        attrs = event.get("attributes")
        if not isinstance(attrs, Mapping):
            continue
        error_type = str_or_none(attrs.get("exception.type"))
        text = str_or_none(attrs.get("exception.message"))
        if message is None and error_type:
            message = f"{error_type.rsplit('.', 1)[-1]}: {text}" if text else error_type
    short = error_type.rsplit(".", 1)[-1] if error_type else None
    return ErrorEvent(message=message or "failed", error_type=short, recoverable=True, ts=ts)
