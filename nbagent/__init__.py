"""nbagent: watch an LLM agent think and act, live in a Jupyter cell."""

from __future__ import annotations

from nbagent.events import (
    Custom,
    ErrorEvent,
    Event,
    MessageEnd,
    MessageStart,
    NbagentError,
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

__version__ = "0.1.0"

__all__ = [
    "Custom",
    "ErrorEvent",
    "Event",
    "MessageEnd",
    "MessageStart",
    "NbagentError",
    "RunEnd",
    "RunStart",
    "State",
    "Status",
    "StepEnd",
    "StepStart",
    "TextDelta",
    "ThinkingDelta",
    "ToolCallArgsDelta",
    "ToolCallEnd",
    "ToolCallStart",
    "ToolResult",
    "Usage",
    "__version__",
]
