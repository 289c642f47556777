"""nbagent: watch an LLM agent think and act, live in a Jupyter cell.

Every public name is here; the modules behind them (``nbagent._*``, ``nbagent.adapters``,
``nbagent.sources``, ``nbagent.runtime``) are internal and may change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from nbagent._acp import AcpAgent, AcpError, acp
    from nbagent._agent import Agent
    from nbagent._agent_run import AgentRun, AgentSession, ToolCallError
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
    from nbagent._inspector import mcp
    from nbagent._lanes import Lanes
    from nbagent._mcp import McpError, McpRequest, McpResult, McpServer, McpTool, McpToolError
    from nbagent._prices import prices
    from nbagent._replay import RecordingRun, ReplayRun, record, replay
    from nbagent._resume import with_approvals
    from nbagent._stream import aiter_events, iter_events
    from nbagent._tools import Tool, ToolArgumentsError
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

# Every name loads its module when first asked for (PEP 562), so that `import nbagent`, every
# notebook's first cell, costs what anywidget's does: the widget, the adapters, pydantic,
# httpx, the MCP and ACP SDKs and the evaluation layer load with the first name that needs
# them (tests/test_import_weight.py). The same names as the TYPE_CHECKING imports above.
_MODULES: dict[str, tuple[str, ...]] = {
    "nbagent._acp": ("AcpAgent", "AcpError", "acp"),
    "nbagent._agent": ("Agent",),
    "nbagent._agent_run": ("AgentRun", "AgentSession", "ToolCallError"),
    "nbagent._audience": ("page_role",),
    "nbagent._chat": ("Chat", "ChatBusyError"),
    "nbagent._entry": ("compare", "show"),
    "nbagent._evaluate": ("EvalCase", "Evaluation", "evaluate", "load"),
    "nbagent._events": (
        "Custom",
        "ErrorEvent",
        "Event",
        "EventDecodeError",
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
        "event_from_dict",
        "event_from_json",
    ),
    "nbagent._inspector": ("mcp",),
    "nbagent._lanes": ("Lanes",),
    "nbagent._mcp": (
        "McpError",
        "McpRequest",
        "McpResult",
        "McpServer",
        "McpTool",
        "McpToolError",
    ),
    "nbagent._prices": ("prices",),
    "nbagent._replay": ("RecordingRun", "ReplayRun", "record", "replay"),
    "nbagent._resume": ("with_approvals",),
    "nbagent._stream": ("aiter_events", "iter_events"),
    "nbagent._tools": ("Tool", "ToolArgumentsError"),
    "nbagent._transcript": ("TokenUsage", "ToolCall", "Transcript"),
    "nbagent._watch": ("Watch", "WatchRun", "watch"),
    "nbagent.adapters": ("UnknownFormatError",),
    "nbagent.runtime.pause": ("Answer", "PauseRequest", "Pauses"),
    "nbagent.runtime.registry": ("stop_all",),
    "nbagent.runtime.run": ("Run",),
    "nbagent.sources": ("SourceTypeError",),
    "nbagent.sources.files": ("JSONLError", "sse_file"),
    "nbagent.sources.http": ("HTTPStatusError", "sse"),
    "nbagent.sources.recording": ("RecordingError",),
    "nbagent.sources.websocket": ("websocket",),
}
_LAZY = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nbagent' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next look-up is an ordinary attribute's
    return value


def __dir__() -> list[str]:
    # The names not loaded yet too, for completion in IPython and editors.
    return sorted(set(globals()) | set(__all__))


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
