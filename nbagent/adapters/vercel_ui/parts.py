"""The UI message stream's vocabulary: its part types, ``finishReason`` → ``RunEnd.reason``,
the parts passed on as ``Custom`` events, and the pure readers that decode a wire item into a
part and tell whether a dict is one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.core.events import EndReason

__all__ = ["FINISH_REASONS", "PART_TYPES", "_CUSTOM_TYPES", "_DONE", "_is_part"]


FINISH_REASONS: dict[str, EndReason] = {
    "stop": "completed",
    "length": "max_tokens",
    "content-filter": "content_filter",
    "tool-calls": "tool_calls",
    "error": "error",
    "other": "unknown",
}
"""``finish.finishReason`` → ``RunEnd.reason`` (absent → completed, unknown → unknown)."""

_CUSTOM_TYPES = frozenset(
    {
        "reset-step",
        "tool-approval-response",
        "source-url",
        "source-document",
        "file",
        "reasoning-file",
        "message-metadata",
        "custom",
        "reasoning-part-finish",
    }
)
"""The part types passed on as ``Custom`` events."""

PART_TYPES: frozenset[str] = _CUSTOM_TYPES | {
    "start",
    "finish",
    "abort",
    "error",
    "start-step",
    "finish-step",
    "text-start",
    "text-delta",
    "text-end",
    "reasoning-start",
    "reasoning-delta",
    "reasoning-end",
    "reasoning",
    "tool-input-start",
    "tool-input-delta",
    "tool-input-available",
    "tool-input-error",
    "tool-output-available",
    "tool-output-error",
    "tool-output-denied",
    "tool-approval-request",
}
"""Every UI message stream part type (ai 5 … 7), besides ``data-*``: those read (each by its
``on_<type>`` handler) and those passed on."""

_DONE = "[DONE]"


def _is_part(payload: Mapping[str, Any]) -> bool:
    kind = payload.get("type")
    if not isinstance(kind, str):
        return False
    if kind == "error":  # Anthropic's error frame is {"type":"error","error":{...}}
        return isinstance(payload.get("errorText"), str)
    if kind.startswith("data-") and len(kind) > 5:
        return "data" in payload
    return kind in PART_TYPES
