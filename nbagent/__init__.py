"""nbagent: watch an LLM agent think and act, live in a Jupyter cell.

Every public name is here; the modules behind them (``nbagent._*``, ``nbagent.adapters``,
``nbagent.sources``, ``nbagent.runtime``) are internal and may change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nbagent._audience import page_role
from nbagent._chat import Chat, ChatBusyError
from nbagent._entry import compare, show
from nbagent._evaluate import EvalCase, Evaluation, evaluate, load
from nbagent._events import (
    Custom,
    ErrorEvent,
    Event,
    EventDecodeError,
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
    event_from_dict,
    event_from_json,
)
from nbagent._lanes import Lanes
from nbagent._prices import prices
from nbagent._replay import RecordingRun, ReplayRun, record, replay
from nbagent._resume import with_approvals
from nbagent._stream import aiter_events, iter_events
from nbagent._transcript import TokenUsage, ToolCall, Transcript
from nbagent._watch import Watch, WatchRun, watch
from nbagent.adapters import UnknownFormatError
from nbagent.runtime.pause import Answer, PauseRequest, Pauses
from nbagent.runtime.registry import stop_all
from nbagent.runtime.run import Run
from nbagent.sources import SourceTypeError
from nbagent.sources.files import JSONLError, sse_file
from nbagent.sources.http import HTTPStatusError, sse
from nbagent.sources.recording import RecordingError
from nbagent.sources.websocket import websocket

__version__ = "0.1.0"

if TYPE_CHECKING:
    from nbagent._acp import AcpAgent, AcpError, acp
    from nbagent._agent import Agent
    from nbagent._agent_run import AgentRun, AgentSession, ToolCallError
    from nbagent._inspector import mcp
    from nbagent._mcp import McpError, McpRequest, McpResult, McpServer, McpTool, McpToolError
    from nbagent._tools import Tool, ToolArgumentsError

# The agent and its tools load pydantic and openai: only when asked for.
_LAZY = {
    "Agent": "nbagent._agent",
    "AgentRun": "nbagent._agent_run",
    "AgentSession": "nbagent._agent_run",
    "ToolCallError": "nbagent._agent_run",
    "Tool": "nbagent._tools",
    "ToolArgumentsError": "nbagent._tools",
    "mcp": "nbagent._inspector",
    "acp": "nbagent._acp",
    "AcpAgent": "nbagent._acp",
    "AcpError": "nbagent._acp",
    "McpError": "nbagent._mcp",
    "McpRequest": "nbagent._mcp",
    "McpResult": "nbagent._mcp",
    "McpServer": "nbagent._mcp",
    "McpTool": "nbagent._mcp",
    "McpToolError": "nbagent._mcp",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nbagent' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "AcpAgent",
    "AcpError",
    "Agent",
    "AgentRun",
    "AgentSession",
    "Answer",
    "Chat",
    "ChatBusyError",
    "Custom",
    "ErrorEvent",
    "EvalCase",
    "Evaluation",
    "Event",
    "EventDecodeError",
    "HTTPStatusError",
    "JSONLError",
    "Lanes",
    "McpError",
    "McpRequest",
    "McpResult",
    "McpServer",
    "McpTool",
    "McpToolError",
    "MessageEnd",
    "MessageStart",
    "NbagentError",
    "PauseRequest",
    "Pauses",
    "RecordingError",
    "RecordingRun",
    "ReplayRun",
    "Run",
    "RunEnd",
    "RunStart",
    "SourceTypeError",
    "State",
    "Status",
    "StepEnd",
    "StepStart",
    "TextDelta",
    "ThinkingDelta",
    "TokenUsage",
    "Tool",
    "ToolArgumentsError",
    "ToolCall",
    "ToolCallArgsDelta",
    "ToolCallEnd",
    "ToolCallError",
    "ToolCallStart",
    "ToolResult",
    "Transcript",
    "UnknownFormatError",
    "Usage",
    "Watch",
    "WatchRun",
    "__version__",
    "acp",
    "aiter_events",
    "compare",
    "evaluate",
    "event_from_dict",
    "event_from_json",
    "iter_events",
    "load",
    "mcp",
    "page_role",
    "prices",
    "record",
    "replay",
    "show",
    "sse",
    "sse_file",
    "stop_all",
    "watch",
    "websocket",
    "with_approvals",
]
