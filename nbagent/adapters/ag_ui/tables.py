"""AG-UI's vocabulary: every event ``type`` (0.x and 1.0), ``RUN_FINISHED``'s outcomes as
``RunEnd`` reasons, and ``_get``, the pure field reader that takes the wire's camelCase name or
its snake_case twin."""

from __future__ import annotations

import re
from typing import Any

from nbagent.adapters.base import field
from nbagent.core.events import EndReason

__all__ = ["EVENT_TYPES", "OUTCOMES", "_get"]


EVENT_TYPES: frozenset[str] = frozenset(
    {
        "RUN_STARTED",
        "RUN_FINISHED",
        "RUN_ERROR",
        "STEP_STARTED",
        "STEP_FINISHED",
        "TEXT_MESSAGE_START",
        "TEXT_MESSAGE_CONTENT",
        "TEXT_MESSAGE_END",
        "TEXT_MESSAGE_CHUNK",
        "TOOL_CALL_START",
        "TOOL_CALL_ARGS",
        "TOOL_CALL_END",
        "TOOL_CALL_CHUNK",
        "TOOL_CALL_RESULT",
        "REASONING_START",
        "REASONING_END",
        "REASONING_MESSAGE_START",
        "REASONING_MESSAGE_CONTENT",
        "REASONING_MESSAGE_END",
        "REASONING_MESSAGE_CHUNK",
        "REASONING_ENCRYPTED_VALUE",
        "THINKING_START",
        "THINKING_END",
        "THINKING_TEXT_MESSAGE_START",
        "THINKING_TEXT_MESSAGE_CONTENT",
        "THINKING_TEXT_MESSAGE_END",
        "STATE_SNAPSHOT",
        "STATE_DELTA",
        "MESSAGES_SNAPSHOT",
        "ACTIVITY_SNAPSHOT",
        "ACTIVITY_DELTA",
        "RAW",
        "CUSTOM",
        "SUBAGENT_STARTED",
        "SUBAGENT_FINISHED",
        "SUBAGENT_ERROR",
    }
)
"""Every AG-UI event ``type`` (0.x and 1.0)."""

OUTCOMES: dict[str, EndReason] = {
    "success": "completed",
    "interrupt": "interrupted",
    "cancelled": "cancelled",
}
"""``RUN_FINISHED.outcome.type`` → ``RunEnd.reason`` (absent → completed, else unknown)."""

_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


def _get(obj: Any, key: str) -> Any:
    """A camelCase field (the wire's), or its snake_case twin (SDK objects, some producers)."""
    value = field(obj, key)
    if value is None:
        value = field(obj, _SNAKE.sub("_", key).lower())
    return value
