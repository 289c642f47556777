"""The MCP apps of a pydantic-ai run nbagent shows, through the toolsets the run used.

pydantic-ai's ``MCPToolset`` attaches to each call of a tool with an app its record (the
adapter makes it the call's ``meta.app``: uri, key, result). Where the run's source holds the
run (``agent.run_stream_events()`` shown as it is, ``with_approvals``, ``agent.iter()``:
``sources.tool_servers``), ``attach_apps`` reads each app once per key through the call's
toolset (``read_resource_for_app``), checks it as nbagent's own apps are (``read_app``: size,
mimeType, CSP domains, none allowed) and adds it to the run's ``apps``
(``Custom("mcp_app")``, ``Run.add_events``: also after the run's end); a read that fails
says why in one line, the call's ``meta.app.error``. The app's own calls go through the
toolset's ``call_tool_for_app``, paused for the author as nbagent's own (``AppCalls``).

The toolset's connection belongs to the loop the run entered it on: a request goes there while
the run holds it open, else (the run ended) it opens a connection of its own where it is
awaited; every request is bounded (``READ_TIMEOUT_S``, ``CALL_TIMEOUT_S``).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from nbagent.core.errors import first_line
from nbagent.core.events import Event, ToolCallStart, ToolResult
from nbagent.mcp_client import McpError, McpResult, McpTool
from nbagent.mcp_client._app_calls import AppCalls, owned_by
from nbagent.mcp_client._apps import AddedApps, AppResource, AppResources, app_event
from nbagent.mcp_client._catalog import tool_of
from nbagent.runtime.run import Run
from nbagent.sources.tool_servers import PydanticAiServers, tool_servers
from nbagent.tools import py_str

__all__ = ["CALL_TIMEOUT_S", "READ_TIMEOUT_S", "ToolsetServer", "attach_apps"]

T = TypeVar("T")

READ_TIMEOUT_S = 30.0
"""The longest an app's resource (and its server's tools) may take to read."""
CALL_TIMEOUT_S = 300.0
"""The longest an app's own call of a tool may take."""
NO_LOOP = (
    "nbagent reads a pydantic-ai run's apps on the run's event loop: show its async stream "
    "(agent.run_stream_events)"
)


class ToolsetServer:
    """A pydantic-ai ``MCPToolset`` as an app's calls take a server (``AppServer``): its
    ``name`` (the run's name of it), ``tools`` (listed as its app is read) and ``acall``
    (``call_tool_for_app``); ``aread_resource`` (``read_resource_for_app``) reads its apps."""

    app_calls = "ask"
    """Every app call pauses for the notebook's author (no ``nbagent.mcp(app_calls=)`` here)."""

    def __init__(self, name: str, toolset: Any, loop: asyncio.AbstractEventLoop | None) -> None:
        self._name = name
        self._toolset = toolset
        self._loop = loop
        self._tools: list[McpTool] | None = None
        self.resources = AppResources(self.aread_resource)

    @property
    def name(self) -> str:
        return self._name

    @property
    def tools(self) -> list[McpTool]:
        return self._tools or []

    def app_call_as(self, name: str) -> str:
        """An app's call of the tool ``name`` as code (Copy as code), ``{args}`` its
        arguments: through the run's toolset, as nbagent made it."""
        return f"await toolset.call_tool_for_app({py_str(name)}, dict({{args}}))"

    async def _where_valid(self, make: Callable[[], Awaitable[T]], timeout: float) -> T:
        """``make()`` awaited where the toolset's connection is valid: on the run's loop while
        the toolset is entered (its session belongs there), else here; McpError in one line."""
        loop = self._loop
        here = asyncio.get_running_loop()
        try:
            entered = bool(getattr(self._toolset, "is_running", False))
            if loop is not None and loop is not here and entered and loop.is_running():
                done = asyncio.run_coroutine_threadsafe(_bounded(make, timeout), loop)
                return await asyncio.wrap_future(done)
            return await _bounded(make, timeout)
        except asyncio.TimeoutError:
            raise McpError(f"the server did not answer within {timeout:g} s") from None
        except McpError:
            raise
        except Exception as exc:  # noqa: BLE001 - the server's or the connection's: one line
            raise McpError(first_line(exc)[:300]) from None

    async def aread_resource(self, uri: str) -> list[dict[str, Any]]:
        """A resource's contents as JSON, read for an app (``read_resource_for_app``)."""
        found = await self._where_valid(
            lambda: self._toolset.read_resource_for_app(uri), READ_TIMEOUT_S
        )
        contents = found.get("contents") if isinstance(found, dict) else None
        return [c for c in contents if isinstance(c, dict)] if isinstance(contents, list) else []

    async def load_tools(self) -> None:
        """The server's tools, for its app's calls (once)."""
        if self._tools is None:
            listed = await self._where_valid(self._toolset.list_tools, READ_TIMEOUT_S)
            self._tools = [tool_of(t) for t in listed]

    async def acall(self, name: str, /, **arguments: Any) -> McpResult:
        """An app's call of the tool ``name`` (``call_tool_for_app``: a tool visible to apps)."""
        wire = await self._where_valid(
            lambda: self._toolset.call_tool_for_app(name, arguments), CALL_TIMEOUT_S
        )
        content = wire.get("content") if isinstance(wire, dict) else None
        blocks = [c for c in content if isinstance(c, dict)] if isinstance(content, list) else []
        structured = wire.get("structuredContent") if isinstance(wire, dict) else None
        failed = isinstance(wire, dict) and wire.get("isError") is True
        return McpResult(content=blocks, structured=structured, is_error=failed)


async def _bounded(make: Callable[[], Awaitable[T]], timeout: float) -> T:
    return await asyncio.wait_for(make(), timeout)


class PydanticApps:
    """One run's apps: each call's ``meta.app`` read once per key through its toolset."""

    def __init__(self, run: Run, servers: PydanticAiServers) -> None:
        self.run = run
        self._servers = servers
        self._by_toolset: dict[int, ToolsetServer] = {}
        self._reads: dict[str, asyncio.Future[AppResource]] = {}
        self._added = AddedApps()
        run.amend(self._amend)
        AppCalls(run)  # the apps' own calls: paused for the author, then through the toolset

    def _amend(self, ev: Event) -> Event:
        """A call's result with an app: its app read (once per key); a reason known now (no
        toolset, a read that failed before) in its ``meta.app.error`` at once."""
        app = (ev.meta or {}).get("app") if isinstance(ev, ToolResult) else None
        if not isinstance(app, dict) or not isinstance(app.get("key"), str):
            return ev
        assert isinstance(ev, ToolResult)
        name = ev.name or self._name_of(ev.tool_call_id)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return _with_error(ev, app, NO_LOOP)
        try:
            server = self._server(name, loop)
        except McpError as exc:
            return _with_error(ev, app, str(exc))
        read = self._reads.get(app["key"])
        if read is None:
            read = self._reads[app["key"]] = loop.create_task(self._read(server, app["uri"]))
        if not read.done():
            read.add_done_callback(lambda r: self._read_done(ev, app, server, r))
            return ev
        shown = dict(app)
        if app_event(shown, read) is None:
            return _with_error(ev, app, shown["error"])
        owned_by(self.run.pauses, ev.tool_call_id, server)
        return ev

    def _name_of(self, call_id: str) -> str:
        return next((c.name for c in self.run.transcript.tool_calls if c.id == call_id), "")

    def _server(self, name: str, loop: asyncio.AbstractEventLoop) -> ToolsetServer:
        """The toolset of the run's tool ``name`` (entered by the run on ``loop``), as an
        app's server; McpError why none."""
        toolset = self._servers.toolset(name)
        if toolset is None:
            raise McpError(f"nbagent cannot reach the MCP toolset of {name!r} in this run")
        found = self._by_toolset.get(id(toolset))
        if found is None:
            found = ToolsetServer(self._servers(name) or "", toolset, loop)
            self._by_toolset[id(toolset)] = found
        return found

    async def _read(self, server: ToolsetServer, uri: str) -> AppResource:
        found = await server.resources.get(uri)
        try:
            await server.load_tools()
        except McpError as exc:
            raise McpError(f"app {uri}: its server's tools: {exc}") from None
        return found

    def _read_done(
        self, ev: ToolResult, app: dict[str, Any], server: ToolsetServer, read: Any
    ) -> None:
        """The app read for the call of ``ev``: into the run's ``apps`` (once per key), or the
        one line why not into the call's ``meta.app``."""
        if read.cancelled():
            return
        shown = dict(app)
        found = self._added.once(shown, read)
        events: list[Event] = [found] if found is not None else []
        if "error" not in shown:
            owned_by(self.run.pauses, ev.tool_call_id, server)
        else:  # the call's start again, with its meta.app saying why
            again = ToolCallStart(tool_call_id=ev.tool_call_id, name=ev.name or "")
            again.meta = {"app": shown}
            events.append(again)
        if events:
            self.run.add_events(events)


def _with_error(ev: ToolResult, app: dict[str, Any], why: str) -> ToolResult:
    return dataclasses.replace(ev, meta={**(ev.meta or {}), "app": {**app, "error": why}})


def attach_apps(run: Run, *sources: Any) -> None:
    """Show the apps of ``run``'s MCP calls where a source holds the pydantic-ai run (its
    toolsets); nothing for any other source."""
    for source in sources:
        servers = tool_servers(source)
        if isinstance(servers, PydanticAiServers):
            PydanticApps(run, servers)
            return
