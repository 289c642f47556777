"""What a LangGraph stream item is (``nbagent.adapters.langchain.graph``): its namespace, mode
and chunk when it names them (a ``version="v2"`` part, ``(namespace, mode, chunk)``, ``(mode,
chunk)``, ``(namespace, chunk)``), the mode of an untagged chunk told by its shape, and a short
``summary`` of a chunk that repeats the whole state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import plain, short_repr
from nbagent.adapters.langchain.content import is_message

__all__ = [
    "MODES",
    "guess_mode",
    "has_messages",
    "is_part",
    "namespace",
    "summary",
    "tagged",
]

MODES = frozenset(
    ("values", "updates", "messages", "custom", "tasks", "debug", "checkpoints", "tools")
)
"""LangGraph's stream modes."""


def namespace(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, (tuple, list)) and all(isinstance(s, str) for s in value):
        return tuple(value)
    return None


def is_part(item: Mapping[Any, Any]) -> bool:
    """A ``version="v2"`` stream part: ``{"type": <mode>, "ns": <namespace>, "data": ...}``."""
    kind = item.get("type")
    return (
        isinstance(kind, str)
        and kind in MODES
        and "data" in item
        and (namespace(item.get("ns")) is not None)
    )


def tagged(item: Any) -> tuple[tuple[str, ...], str, Any] | None:
    """The namespace, mode and chunk of an item that names its mode or namespace: a v2 part,
    ``(namespace, mode, chunk)``, ``(mode, chunk)``, ``(namespace, chunk)``."""
    if isinstance(item, Mapping) and is_part(item):
        return namespace(item["ns"]) or (), str(item["type"]), item["data"]
    if isinstance(item, tuple) and len(item) == 3:
        path = namespace(item[0])
        if path is not None and item[1] in MODES:
            return path, str(item[1]), item[2]
    if isinstance(item, tuple) and len(item) == 2:
        if isinstance(item[0], str) and item[0] in MODES:
            return (), item[0], item[1]
        path = namespace(item[0])
        if path is not None:
            return path, guess_mode(item[1]), item[1]
    return None


def has_messages(value: Any, depth: int = 0) -> bool:
    """Whether a dict holds LangChain message objects (``{node: {"messages": [...]}}``)."""
    if is_message(value) and not isinstance(value, Mapping):
        return True
    if depth >= 3:
        return False
    if isinstance(value, Mapping):
        return any(has_messages(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_messages(v, depth + 1) for v in value[:8])
    return False


def guess_mode(data: Any) -> str:
    """The mode of an untagged chunk: ``(message, metadata)``, an update, a state, custom."""
    if isinstance(data, (tuple, list)) and len(data) == 2 and is_message(data[0]):
        return "messages"
    if is_message(data):
        return "model"
    if isinstance(data, Mapping):
        for value in data.values():
            if is_message(value) or (
                isinstance(value, (list, tuple)) and any(is_message(v) for v in value)
            ):
                return "values"  # a state: {"messages": [...]}
        return "updates"  # {node: update}
    return "custom"


def summary(data: Any) -> Any:
    """A short form of a task / debug / checkpoint chunk (they repeat the whole state)."""
    if not isinstance(data, Mapping):
        return short_repr(plain(data), 500)
    inner = data.get("payload")
    payload: Mapping[Any, Any] = inner if isinstance(inner, Mapping) else data
    keep = ("type", "step", "id", "name", "error", "triggers", "next")
    summary = {k: plain(data[k]) for k in keep if k in data}
    if payload is not data:
        summary.update({k: plain(payload[k]) for k in keep if k in payload and k != "type"})
    if isinstance(data.get("metadata"), Mapping):
        summary["metadata"] = short_repr(plain(data["metadata"]), 300)
    return summary
