"""What both span conventions are read into: a model call's parts and usage, a tool run.

The otel hook (``nbagent/sources/hooks/otel.py``) hands plain snapshots of spans: a dict with
``name``, ``trace_id``, ``span_id``, ``parent_id``, ``start``, ``end`` (epoch seconds),
``attributes`` (a plain dict), ``status`` (``"UNSET"``/``"OK"``/``"ERROR"``),
``status_description``, ``events`` (``[{"name", "attributes", "ts"}]``) and ``scope`` (the
instrumentation scope's name). Each convention module reads the attributes of one
convention into the classes here; the adapter makes events of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from nbagent.adapters.base import int_or_none, str_or_none

__all__ = [
    "ModelCall",
    "Part",
    "Role",
    "ToolRun",
    "as_json_text",
    "indexed",
    "name_of",
    "parse_json",
    "tokens",
]

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
    input_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None
    cached_input_tokens: int | None = None
    cost_usd: float | None = None

    @property
    def has_usage(self) -> bool:
        return self.input_tokens is not None or self.output_tokens is not None


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
        return json.loads(value)
    except ValueError:
        return None


def as_json_text(value: Any) -> str | None:
    """Tool arguments as JSON text: a string as it is (already JSON), anything else dumped."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return json.dumps(str(value))


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


def name_of(value: Any, fallback: str) -> str:
    return str_or_none(value) or fallback
