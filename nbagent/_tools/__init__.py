"""Tools for an agent loop: Python functions described to the model and called safely."""

from __future__ import annotations

from nbagent._tools.schema import (
    Tool,
    ToolArgumentsError,
    ToolOutcome,
    abandoned_threads,
    as_tool,
    call_tool,
    call_tool_sync,
)

__all__ = [
    "Tool",
    "ToolArgumentsError",
    "ToolOutcome",
    "abandoned_threads",
    "as_tool",
    "call_tool",
    "call_tool_sync",
]
