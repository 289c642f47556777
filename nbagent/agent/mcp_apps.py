"""An agent's calls of MCP tools with an app (MCP Apps): the app shows from the call's start.

As the model starts a call of such a tool, its ``ToolCallStart`` carries the call's
``meta.app`` (the app's uri and key) and the run reads the app's ``ui://`` resource (once per
run and server); the app joins the run's ``apps`` as soon as it is read, at the latest when
the model's step ends. So the page's frame is there while the model streams the arguments
(``tool-input-partial``) and while the call waits paused before it runs. When the tool runs
(``with_app``), the call's result as it came goes to its ``meta.app`` for the app.
"""

from __future__ import annotations

import asyncio
import dataclasses
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nbagent.agent.tool_runner import CallScope
from nbagent.core.events import Event, ToolCallStart
from nbagent.mcp_client import McpApp, McpResult, McpServer
from nbagent.mcp_client._app_calls import owned_by
from nbagent.mcp_client._apps import APP_RESULT, AddedApps, AppResources, app_key, app_result
from nbagent.runtime.pause import Pauses

__all__ = ["AppTools", "AppsAtStart", "with_app"]

AppTools = Mapping[str, tuple[McpServer, McpApp]]
"""An agent's tools that have an app, by the name the model calls them: their server, the app."""


@dataclass
class _RunApps:
    """The apps one run has read, by server, and those it has added to the run."""

    servers: dict[str, AppResources] = field(default_factory=dict)
    added: AddedApps = field(default_factory=AddedApps)

    def resources(self, server: McpServer) -> AppResources:
        found = self.servers.get(server.name)
        if found is None:
            found = self.servers[server.name] = AppResources(
                server.aread_resource, server.app_domains
            )
        return found


_RUNS: weakref.WeakKeyDictionary[Pauses, _RunApps] = weakref.WeakKeyDictionary()
"""The apps of each run (keyed by its ``Pauses``, one per run)."""


def _run_apps(pauses: Pauses | None) -> _RunApps:
    """The run's apps; a run without ``Pauses`` reads its apps per call."""
    return _RUNS.setdefault(pauses, _RunApps()) if pauses is not None else _RunApps()


def _shows(server: McpServer, app: McpApp) -> dict[str, Any]:
    """What a call's ``meta.app`` says of its app: its uri, visibility and key."""
    return app.to_json() | {"key": app_key(server.name, app.uri)}


class AppsAtStart:
    """The apps of one agent run's calls from their start: ``started`` gives a call's start
    its ``meta.app`` and begins reading its app, ``ready`` the apps read since (for the run),
    ``settle`` waits for the rest (at the model step's end, before any call runs or pauses)."""

    def __init__(self, tools: AppTools, pauses: Pauses | None) -> None:
        self._tools = tools
        self._pauses = pauses
        self._run = _run_apps(pauses)
        self._reading: list[tuple[dict[str, Any], asyncio.Future[Any]]] = []

    def started(self, ev: Event) -> Event:
        """``ev`` with its ``meta.app`` when it starts a call of a tool with an app."""
        if not isinstance(ev, ToolCallStart) or ev.name not in self._tools:
            return ev
        server, app = self._tools[ev.name]
        shows = _shows(server, app)
        if self._pauses is not None:  # its app may call the server's tools (_app_calls.py)
            owned_by(self._pauses, ev.tool_call_id, server)
        if not any(s["key"] == shows["key"] for s, _ in self._reading):
            read = asyncio.ensure_future(self._run.resources(server).get(app.uri))
            self._reading.append((shows, read))
        return dataclasses.replace(ev, meta=(ev.meta or {}) | {"app": dict(shows)})

    def ready(self) -> list[Event]:
        """The apps read since the last call, each added to the run once."""
        done = [(s, r) for s, r in self._reading if r.done()]
        self._reading = [(s, r) for s, r in self._reading if not r.done()]
        return [ev for s, r in done if (ev := self._run.added.once(s, r)) is not None]

    async def settle(self) -> list[Event]:
        """The apps still being read, once read (a failed read: the call says why when it
        runs)."""
        if self._reading:
            await asyncio.wait({r for _, r in self._reading})
        return self.ready()


async def with_app(
    server: McpServer, app: McpApp, scope: CallScope, run: Callable[[], Awaitable[Any]]
) -> Any:
    """``run()``, the call of a tool with an app, its app read meanwhile (once per run and
    server): the app goes to the run's ``apps`` (``scope.emit``) unless it is there, the
    call's result as it came to its ``meta.app`` (``scope.meta``), or the one line that says
    why it shows no app."""
    if scope.pauses is not None:  # its app may call the server's tools (_app_calls.py)
        owned_by(scope.pauses, scope.call_id, server)
    run_apps = _run_apps(scope.pauses)
    reading = asyncio.ensure_future(run_apps.resources(server).get(app.uri))
    shows = _shows(server, app)
    got: list[McpResult] = []
    token = APP_RESULT.set(got.append)
    cancelled = False
    try:
        return await run()
    except asyncio.CancelledError:
        cancelled = True
        reading.cancel()
        raise
    finally:
        APP_RESULT.reset(token)
        if not cancelled:  # done or failed: the app shows, or says why not
            await asyncio.wait({reading})
            if (found := run_apps.added.once(shows, reading)) is not None:
                scope.emit(found)
            if got:
                shows["result"] = app_result(got[-1])
            scope.meta["app"] = shows
