"""The Chat Completions tables and pure readers: ``finish_reason`` → ``RunEnd.reason``, the
chunk's ``object``, and what is read from a chunk without state: a delta field as text, an
error frame's error, the ``Usage`` event, whether a content filter fired.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import field
from nbagent.adapters.kit import openai_usage
from nbagent.core.events import EndReason, Usage

__all__ = [
    "CHUNK_OBJECT",
    "FINISH_REASONS",
    "any_filtered",
    "chunk_usage",
    "cost_or_none",
    "error_of",
    "map_finish_reason",
    "reasoning_of",
    "text_of",
    "thinking_parts",
    "usage_event",
]

FINISH_REASONS: dict[str, EndReason] = {
    "stop": "completed",
    "length": "max_tokens",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
    "insufficient_system_resource": "error",
}
"""Chat ``finish_reason`` → ``RunEnd.reason`` (anything else → ``"unknown"``)."""

CHUNK_OBJECT = "chat.completion.chunk"


def map_finish_reason(raw: str | None) -> EndReason:
    if raw is None:
        return "incomplete"
    return FINISH_REASONS.get(raw, "unknown")


def text_of(value: Any) -> str:
    """A delta field as text: str as is; a list of content parts joined; else ``""``."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(t for part in value if isinstance(t := field(part, "text"), str))
    return ""


def reasoning_of(message: Any) -> str:
    """A delta's or message's reasoning sent apart from its content: ``reasoning_content``,
    else ``reasoning`` (the two names servers give it), else the text of OpenRouter's
    ``reasoning_details`` (which repeat ``reasoning`` where both come). Each may be a string,
    an object with its text (``{"text": ...}``, ``{"content": ...}``, a summary's
    ``{"summary": ...}``) or a list of those; encrypted reasoning has no text to show."""
    for name in ("reasoning_content", "reasoning", "reasoning_details"):
        value = field(message, name)
        if isinstance(value, list):
            text = "".join(_reasoning_piece(part) for part in value)
        else:
            text = _reasoning_piece(value)
        if text:
            return text
    return ""


def _reasoning_piece(value: Any) -> str:
    if isinstance(value, str) or value is None:
        return value or ""
    for key in ("text", "content", "summary"):
        text = field(value, key)
        if isinstance(text, str):
            return text
    return ""


def thinking_parts(content: Any) -> bool:
    """True for content given as a list of parts with a thinking part among them (Mistral's
    Magistral models: ``{"type": "thinking", "thinking": [{"type": "text", "text": ...}]}``)."""
    return isinstance(content, list) and any(field(p, "type") == "thinking" for p in content)


def error_of(chunk: Any) -> Mapping[str, Any] | None:
    """The error of an error frame: ``{"error": {...}}`` or ``{"object": "error", ...}``."""
    error = field(chunk, "error")
    if error:
        if isinstance(error, Mapping):
            return error
        return {"message": str(error)}
    if field(chunk, "object") == "error":
        if isinstance(chunk, Mapping):
            return chunk
        return {"message": str(field(chunk, "message") or "")}
    return None


def chunk_usage(chunk: Any) -> Usage | None:
    """A chunk's usage event: its ``usage``, else Groq's ``x_groq.usage`` (Groq's streams end
    with the counts there and no top-level ``usage``), priced as Groq's where the chunk has
    ``x_groq``; None when the chunk has no usage."""
    groq = field(chunk, "x_groq")
    usage = field(chunk, "usage") or field(groq, "usage")
    if not usage:
        return None
    return usage_event(usage, provider=None if groq is None else "groq")


def usage_event(usage: Any, scope: str = "run", **fields: Any) -> Usage:
    """The run's usage (a hook's: of its ``step_id``); a cost in USD when the source reports
    one (``usage.cost``: OpenRouter, LiteLLM with ``litellm.include_cost_in_streaming_usage =
    True``) in ``cost_usd``."""
    cost = cost_or_none(field(usage, "cost"))
    return openai_usage(usage, cumulative=True, scope=scope, cost_usd=cost, **fields)


def cost_or_none(value: Any) -> float | None:
    """A cost in USD: a finite number, not negative; None for anything else."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if ok and math.isfinite(value) and value >= 0 else None


def any_filtered(value: Any, depth: int = 0) -> bool:
    """True when a content_filter_results structure has ``"filtered": true`` anywhere."""
    if depth > 4:
        return False
    if isinstance(value, Mapping):
        if value.get("filtered") is True:
            return True
        return any(any_filtered(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(any_filtered(v, depth + 1) for v in value)
    if hasattr(value, "model_extra") or hasattr(value, "__dict__"):
        return field(value, "filtered") is True
    return False
