"""The span kinds the adapter reads (by the span data's class) and the pure readers every
span needs: its time as epoch seconds, its error's message and type."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from nbagent.adapters.base import str_or_none, type_is

__all__ = ["KINDS", "epoch", "error_text", "span_kind"]

KINDS: dict[str, str] = {
    "AgentSpanData": "agent",
    "ResponseSpanData": "model",
    "GenerationSpanData": "model",
    "FunctionSpanData": "function",
    "HandoffSpanData": "handoff",
    "GuardrailSpanData": "guardrail",
}
"""The span data classes read (by name); any other span only keeps the tree connected."""


def epoch(value: Any) -> float:
    """A span's ISO time as epoch seconds; 0 (the record's time) when it has none."""
    if not isinstance(value, str):
        return 0.0
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return 0.0


def span_kind(data: Any) -> str:
    """Which span data ``data`` is (a subclass counts as its base)."""
    for name, kind in KINDS.items():
        if type_is(data, "agents", name):
            return kind
    return "other"


def error_text(error: Any) -> tuple[str, str | None]:
    """``(message, error type)`` of a span's ``SpanError`` (``{"message", "data"}``)."""
    if not isinstance(error, Mapping):
        return str(error), None
    message = str_or_none(error.get("message")) or "error"
    data = error.get("data")
    detail = None
    error_type = None
    if isinstance(data, Mapping):
        detail = str_or_none(data.get("error")) or str_or_none(data.get("message"))
        error_type = str_or_none(data.get("name"))
    return (f"{message}: {detail}" if detail else message), error_type
