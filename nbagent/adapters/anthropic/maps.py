"""The Messages stream's tables and pure readers: ``stop_reason`` → ``RunEnd.reason``, the
``type`` of every stream event, the content-block types that are tool calls, and the
``Usage`` event read from a ``usage`` object. Nothing here keeps state.
"""

from __future__ import annotations

from typing import Any

from nbagent._events import EndReason, Usage
from nbagent.adapters.kit import anthropic_usage

__all__ = [
    "DERIVED_TYPES",
    "EVENT_TYPES",
    "STOP_REASONS",
    "TOOL_USE",
    "map_stop_reason",
    "usage_event",
]

STOP_REASONS: dict[str, EndReason] = {
    "end_turn": "completed",
    "stop_sequence": "completed",
    "max_tokens": "max_tokens",
    "model_context_window_exceeded": "max_tokens",
    "tool_use": "tool_calls",
    "refusal": "refusal",
    "pause_turn": "interrupted",
}
"""Messages ``stop_reason`` → ``RunEnd.reason`` (anything else → ``"unknown"``)."""

EVENT_TYPES: frozenset[str] = frozenset(
    {
        "message_start",
        "message_delta",
        "message_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "ping",
        "error",
    }
)
"""The ``type`` of every Messages stream event."""

DERIVED_TYPES: frozenset[str] = frozenset(
    {"text", "thinking", "signature", "input_json", "citation"}
)
"""The events the SDK's ``MessageStream`` adds after each raw delta (``TextEvent`` with the
text so far, ...): the same content again, skipped."""

TOOL_USE = ("tool_use", "server_tool_use", "mcp_tool_use")
"""The content-block types that are tool calls (client, server and MCP)."""


def map_stop_reason(raw: str | None) -> EndReason:
    if raw is None:
        return "unknown"
    return STOP_REASONS.get(raw, "unknown")


def usage_event(usage: Any, model: str | None) -> Usage:
    """Messages usage (cumulative): absent counts stay None, so they keep the stored value."""
    return anthropic_usage(usage, scope="step", model=model)
