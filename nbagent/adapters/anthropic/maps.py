"""The Messages stream's tables: ``stop_reason`` → ``RunEnd.reason``, the ``type`` of every
stream event, the content-block types that are tool calls. Nothing here keeps state.
"""

from __future__ import annotations

from nbagent.adapters.kit.finish import ANTHROPIC_STOPS, end_reason
from nbagent.core.events import EndReason

__all__ = [
    "DERIVED_TYPES",
    "EVENT_TYPES",
    "STOP_REASONS",
    "TOOL_USE",
    "map_stop_reason",
]

STOP_REASONS: dict[str, EndReason] = {
    **ANTHROPIC_STOPS,
    "refusal": "refusal",
    "pause_turn": "interrupted",
    "compaction": "interrupted",  # paused after compacting (pause_after_compaction): resumed
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
    {"text", "thinking", "signature", "input_json", "citation", "compaction"}
)
"""The events the SDK's ``MessageStream`` adds after each raw delta (``TextEvent`` with the
text so far, ...): the same content again, skipped."""

TOOL_USE = ("tool_use", "server_tool_use", "mcp_tool_use")
"""The content-block types that are tool calls (client, server and MCP)."""


def map_stop_reason(raw: str | None) -> EndReason:
    return end_reason(STOP_REASONS, raw)
