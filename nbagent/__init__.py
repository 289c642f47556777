"""nbagent: watch an LLM agent think and act, live in a Jupyter cell.

Every public name is here; the modules behind them (``nbagent._*``, ``nbagent.adapters``,
``nbagent.sources``, ``nbagent.runtime``) are internal and may change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from nbagent.acp_client import AcpAgent, AcpError, acp
    from nbagent.adapters import UnknownFormatError
    from nbagent.agent.agent import Agent
    from nbagent.agent.run import AgentRun, AgentSession, ToolCallError
    from nbagent.apps.chat import Chat, ChatBusyError
    from nbagent.apps.entry import compare, show
    from nbagent.apps.inspector import mcp
    from nbagent.apps.lanes import Lanes
    from nbagent.apps.replay import RecordingRun, ReplayRun, record, replay
    from nbagent.apps.traces import TraceRun, load_trace
    from nbagent.apps.watch import Watch, WatchRun, watch
    from nbagent.core.events import (
        Custom,
        ErrorEvent,
        Event,
        EventDecodeError,
        Media,
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
    from nbagent.evaluation import EvalCase, Evaluation, evaluate, load
    from nbagent.frameworks.resume import with_approvals
    from nbagent.mcp_client import McpError, McpRequest, McpResult, McpServer, McpTool, McpToolError
    from nbagent.pipeline.stream import aiter_events, iter_events
    from nbagent.runtime.pause import Answer, PauseRequest, Pauses
    from nbagent.runtime.registry import stop_all
    from nbagent.runtime.run import Run
    from nbagent.sources import SourceTypeError
    from nbagent.sources.files import JSONLError, sse_file
    from nbagent.sources.http import HTTPStatusError, sse
    from nbagent.sources.recording_file import RecordingError
    from nbagent.sources.websocket import websocket
    from nbagent.tools import Tool, ToolArgumentsError
    from nbagent.transcript.prices import prices
    from nbagent.transcript.transcript import TokenUsage, ToolCall, Transcript
    from nbagent.widget.audience import page_role

# Every name loads its module when first asked for (PEP 562), so that `import nbagent`, every
# notebook's first cell, costs what anywidget's does: the widget, the adapters, pydantic,
# httpx, the MCP and ACP SDKs and the evaluation layer load with the first name that needs
# them (tests/test_import_weight.py). The same names as the TYPE_CHECKING imports above.
_MODULES: dict[str, tuple[str, ...]] = {
    "nbagent.acp_client": ("AcpAgent", "AcpError", "acp"),
    "nbagent.agent.agent": ("Agent",),
    "nbagent.agent.run": ("AgentRun", "AgentSession", "ToolCallError"),
    "nbagent.widget.audience": ("page_role",),
    "nbagent.apps.chat": ("Chat", "ChatBusyError"),
    "nbagent.apps.entry": ("compare", "show"),
    "nbagent.evaluation": ("EvalCase", "Evaluation", "evaluate", "load"),
    "nbagent.core.events": (
        "Custom",
        "ErrorEvent",
        "Event",
        "EventDecodeError",
        "Media",
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
    "nbagent.apps.inspector": ("mcp",),
    "nbagent.apps.lanes": ("Lanes",),
    "nbagent.mcp_client": (
        "McpError",
        "McpRequest",
        "McpResult",
        "McpServer",
        "McpTool",
        "McpToolError",
    ),
    "nbagent.transcript.prices": ("prices",),
    "nbagent.apps.replay": ("RecordingRun", "ReplayRun", "record", "replay"),
    "nbagent.apps.traces": ("TraceRun", "load_trace"),
    "nbagent.frameworks.resume": ("with_approvals",),
    "nbagent.pipeline.stream": ("aiter_events", "iter_events"),
    "nbagent.tools": ("Tool", "ToolArgumentsError"),
    "nbagent.transcript.transcript": ("TokenUsage", "ToolCall", "Transcript"),
    "nbagent.apps.watch": ("Watch", "WatchRun", "watch"),
    "nbagent.adapters": ("UnknownFormatError",),
    "nbagent.runtime.pause": ("Answer", "PauseRequest", "Pauses"),
    "nbagent.runtime.registry": ("stop_all",),
    "nbagent.runtime.run": ("Run",),
    "nbagent.sources": ("SourceTypeError",),
    "nbagent.sources.files": ("JSONLError", "sse_file"),
    "nbagent.sources.http": ("HTTPStatusError", "sse"),
    "nbagent.sources.recording_file": ("RecordingError",),
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
    "Media",
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
    "TraceRun",
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
    "load_trace",
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
