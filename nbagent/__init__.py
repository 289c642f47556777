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
from nbagent.run import Run, show, stop_all
from nbagent.sources.files import load, sse_file
from nbagent.sources.http import HTTPStatusError, sse
from nbagent.sources.websocket import websocket
from nbagent.stream import aiter_events, iter_events
from nbagent.transcript import ToolCall, Transcript

__version__ = "0.1.0"

__all__ = [
    "Custom",
    "ErrorEvent",
    "Event",
    "HTTPStatusError",
    "MessageEnd",
    "MessageStart",
    "NbagentError",
    "Run",
    "RunEnd",
    "RunStart",
    "State",
    "Status",
    "StepEnd",
    "StepStart",
    "TextDelta",
    "ThinkingDelta",
    "ToolCall",
    "ToolCallArgsDelta",
    "ToolCallEnd",
    "ToolCallStart",
    "ToolResult",
    "Transcript",
    "Usage",
    "__version__",
    "aiter_events",
    "iter_events",
    "load",
    "show",
    "sse",
    "sse_file",
    "stop_all",
    "websocket",
]
