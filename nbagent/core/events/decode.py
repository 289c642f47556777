"""Events back from their dicts and JSONL lines (``Event.to_dict``, ``Event.to_json``), each
field's type checked: a bad line is an ``EventDecodeError`` that says what is wrong."""

from __future__ import annotations

import typing
from dataclasses import fields
from typing import Any

from nbagent.core.events.envelope import Event, EventDecodeError
from nbagent.core.events.kinds import (
    Custom,
    ErrorEvent,
    Media,
    MessageEnd,
    MessageStart,
    RunEnd,
    RunStart,
    State,
    Status,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
    Usage,
)
from nbagent.core.values import Check, short_repr, strict_json, type_check

__all__ = [
    "EVENT_TYPES",
    "event_from_dict",
    "event_from_json",
]

EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        RunStart,
        RunEnd,
        StepStart,
        StepEnd,
        MessageStart,
        TextDelta,
        ThinkingDelta,
        MessageEnd,
        ToolCallStart,
        ToolCallArgsDelta,
        ToolCallEnd,
        ToolResult,
        Media,
        Usage,
        Status,
        ErrorEvent,
        State,
        Custom,
    )
}

_FIELD_NAMES: dict[str, frozenset[str]] = {
    kind: frozenset(f.name for f in fields(cls)) for kind, cls in EVENT_TYPES.items()
}


def _field_types(cls: type[Event]) -> dict[str, tuple[str, Check]]:
    hints = typing.get_type_hints(cls)  # once per class: it evaluates every annotation
    return {f.name: (str(f.type), type_check(hints[f.name])) for f in fields(cls)}


_FIELD_TYPES: dict[str, dict[str, tuple[str, Check]]] = {
    kind: _field_types(cls) for kind, cls in EVENT_TYPES.items()
}
"""Per kind, per field: the annotation (for messages) and the check of a decoded value."""


def event_from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event from ``Event.to_dict()`` output.

    Raises ``EventDecodeError`` naming the problem when ``kind`` is unknown or a
    field does not belong to that kind.
    """
    if not isinstance(data, dict):
        raise EventDecodeError(f"an event must be a JSON object, got {type(data).__name__}")
    kind = data.get("kind")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        known = ", ".join(sorted(EVENT_TYPES))
        raise EventDecodeError(f"unknown event kind {kind!r}; known kinds: {known}")
    names = _FIELD_NAMES[cls.kind]
    extra = [k for k in data if k != "kind" and k not in names]
    if extra:
        raise EventDecodeError(f"{cls.kind} event has unknown field(s): {', '.join(extra)}")
    field_types = _FIELD_TYPES[cls.kind]
    wrong = [
        f"{name} must be {field_types[name][0]}, got {short_repr(value, 40)}"
        for name, value in data.items()
        if name != "kind" and not field_types[name][1](value)
    ]
    if wrong:
        raise EventDecodeError(f"bad {cls.kind} event: {'; '.join(wrong)}")
    try:
        return cls(**{k: v for k, v in data.items() if k != "kind"})
    except TypeError as exc:
        raise EventDecodeError(f"bad {cls.kind} event: {exc}") from None


def event_from_json(line: str) -> Event:
    """Decode one line of nbagent's JSONL format (``Event.to_json()``, a line of
    ``run.save()`` / ``record()``) into its event; raises ``EventDecodeError`` on bad JSON or
    an unknown kind."""
    try:
        data = strict_json(line)
    except ValueError as exc:
        raise EventDecodeError(f"not valid JSON: {exc}") from None
    return event_from_dict(data)
