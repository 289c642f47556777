"""One request of the MCP inspector (a tool's call, a resource read, a prompt) as the events
of the run that shows it: the tool call, its live status (progress, the server's log lines, a
task's changes, what it waits for an answer to), its result; and a tool's app read meanwhile,
for its panel."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from nbagent.core.events import ErrorEvent, Event, Status, ToolCallEnd, ToolCallStart, ToolResult
from nbagent.mcp_client import McpApp, McpError, McpServer
from nbagent.mcp_client._apps import AppResources, app_event, app_key, app_result
from nbagent.mcp_client._results import as_tool_result, log_text

__all__ = ["request_events"]


async def request_events(
    server: McpServer,
    cid: str,
    shown: str,
    args: dict[str, Any],
    call_as: str,
    request: Callable[[Any, Any], Any],
    app: McpApp | None = None,
) -> AsyncIterator[Event]:
    """One request as a run's events: a tool call, its live status, its result; a tool's
    app read meanwhile (once per run: each call is a run of its own), for its panel."""
    key = app_key(server.name, app.uri) if app is not None else ""
    shows = app.to_json() | {"key": key} if app is not None else None
    meta = {"app": dict(shows)} if shows is not None else None  # shows changes: a copy
    yield ToolCallStart(
        tool_call_id=cid, name=shown, server=server.name, call_as=call_as, meta=meta
    )
    yield ToolCallEnd(tool_call_id=cid, args=args, arguments=json.dumps(args))
    # this run's apps (each call is one)
    apps = AppResources(server.aread_resource, server.app_domains)
    reading = asyncio.ensure_future(apps.get(app.uri)) if app is not None else None
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Event] = asyncio.Queue()

    def put(text: str, progress: float | None = None, detail: Any = None) -> None:
        ev = Status(state="running", text=text, tool_call_id=cid, progress=progress, detail=detail)
        loop.call_soon_threadsafe(queue.put_nowait, ev)

    def task_seen(task: dict[str, Any]) -> None:
        """The call's task changed: its panel shows it (the call's ``meta.task``)."""
        put(str(task.get("text", "")), detail={"task": task})

    async def progress(done: float, total: float | None, message: str | None) -> None:
        of = f"/{total:g}" if total else ""
        put(
            f"progress {done:g}{of}" + (f": {message}" if message else ""),
            done / total if total else None,
        )

    def watch(what: str) -> None:
        if what == "log" and server.log:
            put(log_text(server.log[-1]))
        elif what == "asks" and server.pending:
            put(f"waiting for your answer: {server.pending[-1].message}")

    unwatch = server.watch(watch)
    task = asyncio.ensure_future(request(progress, task_seen))
    getter: asyncio.Future[Event] | None = None
    try:
        while not task.done():
            getter = getter if getter and not getter.done() else asyncio.ensure_future(queue.get())
            waits = {task, getter} | ({reading} if reading else set())
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                yield getter.result()
            if reading is not None and reading.done() and shows is not None:
                if (ev := app_event(shows, reading)) is not None:
                    yield ev
                reading = None
        if reading is not None and shows is not None:  # the call ended first
            await asyncio.wait({reading})
            if (ev := app_event(shows, reading)) is not None:
                yield ev
        try:
            result = task.result()
        except McpError as exc:
            meta = {"app": dict(shows)} if shows is not None else None  # why no app
            yield ToolResult(tool_call_id=cid, content=str(exc), is_error=True, meta=meta)
            yield ErrorEvent(message=str(exc), error_type="McpError")
            return
        content, display, is_error = as_tool_result(result)
        # The app is sent the result as it came (a CallToolResult).
        meta = {"app": shows | {"result": app_result(result)}} if shows is not None else None
        yield ToolResult(
            tool_call_id=cid, content=content, display=display, is_error=is_error, meta=meta
        )
    finally:
        unwatch()
        task.cancel()
        if getter is not None:
            getter.cancel()
        if reading is not None:
            reading.cancel()
        apps.close()
