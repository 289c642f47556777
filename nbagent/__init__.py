"""nbagent: watch an LLM agent think and act, live in a Jupyter cell."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nbagent.chat import Chat, ChatBusyError
from nbagent.entry import show
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
from nbagent.lanes import Lanes, compare
from nbagent.replay import record, replay
from nbagent.runtime.registry import stop_all
from nbagent.runtime.run import Run
from nbagent.sources.files import load, sse_file
from nbagent.sources.http import HTTPStatusError, sse
from nbagent.sources.websocket import websocket
from nbagent.stream import aiter_events, iter_events
from nbagent.transcript import ToolCall, Transcript

__version__ = "0.1.0"

if TYPE_CHECKING:
    from nbagent.agent import Agent
    from nbagent.tools import Tool

# The agent and its tools load pydantic and openai: only when asked for.
_LAZY = {"Agent": "nbagent.agent", "Tool": "nbagent.tools"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nbagent' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "Agent",
    "Chat",
    "ChatBusyError",
    "Custom",
    "ErrorEvent",
    "Event",
    "HTTPStatusError",
    "Lanes",
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
    "Tool",
    "ToolCall",
    "ToolCallArgsDelta",
    "ToolCallEnd",
    "ToolCallStart",
    "ToolResult",
    "Transcript",
    "Usage",
    "__version__",
    "aiter_events",
    "compare",
    "iter_events",
    "load",
    "record",
    "replay",
    "show",
    "sse",
    "sse_file",
    "stop_all",
    "websocket",
]
