"""What both span conventions are read into (a model call's parts and usage, a tool run),
the readers of attributes they share, and what any span says whatever its convention (its
times, its failure, the model it names at its start).

The otel hook (``nbagent/sources/hooks/otel.py``) hands plain snapshots of spans: a dict with
``name``, ``trace_id``, ``span_id``, ``parent_id``, ``start``, ``end`` (epoch seconds),
``attributes`` (a plain dict), ``status`` (``"UNSET"``/``"OK"``/``"ERROR"``),
``status_description``, ``events`` (``[{"name", "attributes", "ts"}]``) and ``scope`` (the
instrumentation scope's name). ``conventions`` reads the attributes into the classes here;
the adapter makes events of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from nbagent.adapters.base import field as get_field
from nbagent.adapters.base import int_or_none, list_or_empty, str_or_none
from nbagent.adapters.kit import args_text
from nbagent.core.events import ErrorEvent, Usage
from nbagent.core.values import strict_json

__all__ = [
    "FINISH",
    "NO_CONTENT",
    "ModelCall",
    "Part",
    "Role",
    "ToolRun",
    "attrs_of",
    "error_of",
    "first_str",
    "indexed",
    "model_name",
    "number",
    "parse_json",
    "seconds",
    "tokens",
    "tool_run",
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


Role = Literal["model", "tool", "agent", "chain", ""]
"""What a span stands for: a model call, a tool's execution, an agent run, a chain or
workflow (transparent for nesting), or nothing nbagent shows ("": HTTP, database, ...)."""


@dataclass
class Part:
    """One part of a model's output message."""

    kind: Literal["text", "thinking", "tool_call", "tool_result"]
    text: str = ""
    call_id: str | None = None
    name: str = ""
    arguments: str | None = None
    """A tool call's arguments as JSON text."""
    result: Any = None
    builtin: bool = False
    """A tool the provider ran itself (a server tool): its result is in the output too."""


@dataclass
class ModelCall:
    """What a model-call span says about the call."""

    parts: list[Part] = field(default_factory=list)
    has_content: bool = False
    """The span carries the output messages (False: the instrumentation records no content)."""
    model: str | None = None
    finish: str | None = None
    usage: Usage = field(default_factory=Usage)
    """Its token counts and cost (the adapter says whose step)."""

    @property
    def has_usage(self) -> bool:
        return self.usage.input_tokens is not None or self.usage.output_tokens is not None


@dataclass
class ToolRun:
    """What a tool span says about the execution."""

    name: str = ""
    call_id: str | None = None
    arguments: str | None = None
    result: Any = None
    has_result: bool = False


def parse_json(value: Any) -> Any:
    """A JSON attribute's value (attributes are strings); None when it is not JSON."""
    if not isinstance(value, str):
        return value
    try:
        return strict_json(value)
    except ValueError:
        return None


def tokens(attrs: Mapping[str, Any], *keys: str) -> int | None:
    """The first of ``keys`` that holds a token count."""
    for key in keys:
        value = int_or_none(attrs.get(key))
        if value is not None:
            return value
    return None


def indexed(attrs: Mapping[str, Any], prefix: str) -> list[dict[str, Any]]:
    """Flattened list attributes (``llm.output_messages.0.message.content``) as a list of
    dicts keyed by the rest of the key (``{"message.content": ...}``), in index order."""
    items: dict[int, dict[str, Any]] = {}
    for key, value in attrs.items():
        if not key.startswith(prefix):
            continue
        index, _, rest = key[len(prefix) :].partition(".")
        if index.isdigit() and rest:
            items.setdefault(int(index), {})[rest] = value
    return [items[i] for i in sorted(items)]


def first_str(attrs: Mapping[str, Any], *keys: str) -> str | None:
    """The first of ``keys`` that holds a non-empty string."""
    return next((v for k in keys if (v := str_or_none(attrs.get(k)))), None)


def number(value: Any) -> float | None:
    """A number attribute (a cost) as a float; None for anything else, bool too."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def tool_run(
    attrs: Mapping[str, Any],
    name: str,
    call_id: str,
    arguments: tuple[str, ...],
    results: tuple[str, ...],
) -> ToolRun:
    """A tool span's execution, read from the convention's keys: the first of ``arguments``
    present (as JSON text), the first of ``results`` present (the result, as it is)."""
    run = ToolRun(
        name=str_or_none(attrs.get(name)) or "",
        call_id=str_or_none(attrs.get(call_id)),
        arguments=args_text(next((attrs[k] for k in arguments if k in attrs), None)),
    )
    for key in results:
        if key in attrs:
            run.result, run.has_result = attrs[key], True
            break
    return run


def seconds(value: Any) -> float:
    return number(value) or 0.0


def attrs_of(data: Mapping[str, Any]) -> Mapping[str, Any]:
    attrs = data.get("attributes")
    return attrs if isinstance(attrs, Mapping) else {}


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
    error_type = error_type or str_or_none(attrs_of(data).get("error.type"))
    short = error_type.rsplit(".", 1)[-1] if error_type else None
    return ErrorEvent(message=message or "failed", error_type=short, recoverable=True, ts=ts)
