"""Which MCP server a framework's tool call goes to, where the framework's events do not say:
``tool_servers(source)`` is the lookup (``adapters.base.ToolServers``) the pipeline gives the
source's adapter. It reads the framework's run object by its fields: nothing here imports a
framework, and nothing does I/O (the framework listed the tools already).

pydantic-ai (its events name a tool call's tool, not its toolset): the run's tool manager
(``AgentRun.ctx.deps.tool_manager``) holds the tools of the current step by the name the model
calls them. A tool of a combined toolset keeps the tool it came from (``source_tool``); a tool
knows its ``toolset``; a wrapper (``prefixed``, ``renamed``, ``filtered``, ...) keeps what it
wraps (``wrapped``). A tool whose toolset is an ``MCPToolset`` is that server's, named as
pydantic-ai names it: the toolset's ``id`` (the one given, or its URL's host), else the
``serverInfo.name`` the server sent (a stdio server given no ``id``).

The Agents SDK needs none of this: its run items and tool spans name the server themselves
(``adapters.openai_agents``, ``adapters.openai_agents.hooks``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from nbagent.adapters.base import ToolServers, str_or_none
from nbagent.core.values import type_is
from nbagent.sources.results import AsyncManagedStream, ManagedStream

__all__ = ["PydanticAiServers", "tool_servers"]

_DEPTH = 32
"""How many combined toolsets and wrappers a tool is looked through at most (a guard against
a toolset that wraps itself)."""


def tool_servers(source: Any) -> ToolServers | None:
    """The MCP servers of ``source``'s tool calls, when its adapter cannot tell them from its
    events and the source holds what can: a source's own (``nbagent_tool_servers``: nbagent's
    producers, such as ``with_approvals``), or a pydantic-ai run (``agent.run_stream_events()``
    as nbagent enters it, its entered events, an ``agent.iter()`` run). None otherwise."""
    declared = getattr(source, "nbagent_tool_servers", None)
    if callable(declared):
        lookup: ToolServers = declared
        return lookup
    if isinstance(source, (ManagedStream, AsyncManagedStream)):
        if type_is(source.result, "pydantic_ai"):
            return PydanticAiServers(lambda: source.entered)
        return None
    if type_is(source, "pydantic_ai", "AgentRunEvents", "AgentRun"):
        return PydanticAiServers(lambda: source)
    return None


class PydanticAiServers:
    """``ToolServers`` of a pydantic-ai run. ``holder()`` gives what holds the run now: an
    ``AgentRun``, or the ``AgentRunEvents`` of ``run_stream_events`` (None before it began);
    read at each call, as the run begins after the source is made and its tools change with
    each step."""

    def __init__(self, holder: Callable[[], Any]) -> None:
        self._holder = holder

    def __call__(self, name: str) -> str | None:
        try:
            return _server_name(_mcp_toolset(_step_tools(self._holder()).get(name)))
        except Exception:  # noqa: BLE001 - a server that cannot be told is not named; the call shows
            return None

    def toolset(self, name: str) -> Any:
        """The ``MCPToolset`` of the run's tool ``name`` in its current step, or None (its
        MCP apps are read through it: ``nbagent/frameworks/pydantic_ai/apps.py``)."""
        try:
            return _mcp_toolset(_step_tools(self._holder()).get(name))
        except Exception:  # noqa: BLE001 - a run that cannot be read: no toolset
            return None


def _step_tools(holder: Any) -> Mapping[str, Any]:
    """The tools of the run's current step, by name ({} before the run has them)."""
    run = holder
    if not type_is(holder, "pydantic_ai", "AgentRun"):
        # ``AgentRunEvents`` has no public accessor of the run it started: pydantic-ai binds it
        # to the handle in ``_binding.agent_run`` (2.x) for its own cancel() and messages
        run = getattr(getattr(holder, "_binding", None), "agent_run", None)
    if run is None:
        return {}
    tools = run.ctx.deps.tool_manager.tools
    return tools if isinstance(tools, Mapping) else {}


def _mcp_toolset(tool: Any) -> Any:
    """The ``MCPToolset`` a tool of the step comes from, or None."""
    for _ in range(_DEPTH):  # down to the tool a combined toolset took in
        inner = getattr(tool, "source_tool", None)
        if inner is None:
            break
        tool = inner
    toolset = getattr(tool, "toolset", None)
    for _ in range(_DEPTH):  # through the wrappers around the toolset
        if toolset is None or type_is(toolset, "pydantic_ai", "MCPToolset"):
            return toolset
        toolset = getattr(toolset, "wrapped", None)
    return None


def _server_name(toolset: Any) -> str | None:
    """An ``MCPToolset``'s ``id``, else the name its server gave itself (``server_info``
    raises before the toolset connects, and when the server sent none: then no name)."""
    if toolset is None:
        return None
    name = str_or_none(getattr(toolset, "id", None))
    if name:
        return name
    return str_or_none(getattr(getattr(toolset, "server_info", None), "name", None))
