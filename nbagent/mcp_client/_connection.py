"""The connection's side on nbagent's background loop (``Connection``): the SDK's ``Client``
entered and held in one task, its requests with a timeout and errors that say what failed
(with the end of a stdio server's stderr), the server's log kept; and the SDK transport for
a command or URL."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import importlib
import os
import shlex
import sys
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import IO, TYPE_CHECKING, Any, TextIO, TypeVar, cast

from nbagent.core.stderr import client_version, describe, stderr_tail, with_tail
from nbagent.mcp_client import _catalog
from nbagent.mcp_client._asks import TASK_SEEN, Asks, TaskSeen
from nbagent.mcp_client._rpc import RpcLog, traced
from nbagent.mcp_client._types import McpError, McpLogEntry, McpResult, McpTool

if TYPE_CHECKING:
    from mcp import Client

__all__ = ["Connection", "transport_for", "transport_of"]

T = TypeVar("T")
Progress = Callable[[float, "float | None", "str | None"], Awaitable[None]]
"""``progress(done, total, message)``: a progress notification of a call."""

LOG_KEPT = 1000
"""Log messages of a server kept (the newest)."""


class Connection:
    """The connection's side on the background loop. It holds no reference to its
    ``McpServer``, so that the handle can be garbage collected (and then close it)."""

    def __init__(
        self,
        label: str,
        name: str,
        timeout_s: float | None,
        errlog: IO[str] | None,
        protocol: str = "auto",
    ) -> None:
        self.label = label
        self.protocol = protocol
        self.name = name
        self.timeout_s = timeout_s
        self.errlog = errlog
        self.client: Client | None = None
        self.tools: list[McpTool] = []
        self.connected = concurrent.futures.Future[None]()
        self.stop: asyncio.Event | None = None
        self.protocol_version = ""
        self.instructions = ""
        self.tasks = False
        """The server offers MCP tasks (the extension, on a revision that has it)."""
        self.log_count = 0
        """Log messages received in all (``log`` keeps the newest)."""
        self.log: deque[McpLogEntry] = deque(maxlen=LOG_KEPT)
        self.scope: Any = None  # serve's anyio.CancelScope
        self.ended = False
        self.watchers: list[Callable[[str], None]] = []
        """Called on the loop with "log", "rpc" or "asks" when that changed (the inspector)."""
        self.asks = Asks(lambda: self.changed("asks"))
        self.rpc = RpcLog(lambda: self.changed("rpc"))

    def changed(self, what: str) -> None:
        for watcher in list(self.watchers):
            watcher(what)

    async def serve(self, transport: Any) -> None:
        """Connect, list the tools, then hold the connection until ``end()``."""
        import anyio
        from mcp import Client, types

        from nbagent.mcp_client._apps import ui_extension
        from nbagent.mcp_client._tasks import TASKS, Tasks

        self.stop = asyncio.Event()
        # The first call's set-up, while the server starts: what the SDK imports on a call's
        # first result (checking it against the tool's output schema), seconds on a busy
        # machine, is imported on a thread now; connecting waits for it.
        warm = asyncio.ensure_future(asyncio.to_thread(_warm_up))
        try:
            # An anyio scope, not Task.cancel(): the SDK shields its shutdown (the server's
            # process ended) from anyio's cancellation only.
            with anyio.CancelScope() as self.scope:
                if self.ended:  # closed before this task began
                    self.scope.cancel()
                # Every log message the server sends: this is a debugging tool.
                async with Client(
                    traced(transport, self.rpc),
                    logging_callback=self.on_log,
                    log_level="debug",
                    elicitation_callback=cast(Any, self.asks.elicit),
                    sampling_callback=cast(Any, self.asks.sample),
                    client_info=types.Implementation(name="nbagent", version=client_version()),
                    mode=cast(Any, self.protocol),
                    # a call answered with a task: followed; a tool's app: shown
                    extensions=[Tasks(), ui_extension()],
                ) as client:
                    self.client = client
                    self.protocol_version = client.protocol_version
                    self.instructions = client.instructions or ""
                    offered = client.server_capabilities.extensions or {}
                    self.tasks = TASKS in offered and client.protocol_version >= "2026-07-28"
                    info = client.server_info
                    self.name = self.name or (info.name if info else "") or self.label
                    self.tools = await self.list_tools()
                    await warm
                    self.connected.set_result(None)
                    await self.stop.wait()
        except BaseException as exc:
            if not self.connected.done():
                self.connected.set_exception(self.error("could not connect", exc))
            if not isinstance(exc, Exception):
                raise
        finally:
            self.client = None
        if not self.connected.done():
            self.connected.set_exception(McpError(f"{self.label}: closed before it connected"))

    def end(self) -> None:
        """End ``serve`` (on the loop): in order once connected, else at once."""
        self.ended = True
        if self.client is not None and self.stop is not None:
            self.stop.set()
        elif self.scope is not None:
            self.scope.cancel()

    async def list_tools(self) -> list[McpTool]:
        return await _catalog.list_tools(self.session())

    async def on_log(self, params: Any) -> None:
        self.log.append(McpLogEntry(str(params.level), params.data, params.logger))
        self.log_count += 1
        self.changed("log")

    async def ask(self, what: str, request: Callable[[Client], Awaitable[T]]) -> T:
        """``request(client)`` within the timeout; its failures as McpError saying ``what``."""
        client = self.session()
        try:
            return await asyncio.wait_for(
                request(client), None if self.timeout_s is None else self.timeout_s + 5
            )
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            raise self.error(what, exc) from exc

    async def call(
        self,
        name: str,
        arguments: dict[str, Any],
        progress: Progress | None = None,
        on_task: TaskSeen | None = None,
    ) -> McpResult:
        """Call a tool; a call answered with a task waits for the task's end, ``on_task``
        (else the caller's ``TASK_SEEN``) told of each change (``{"id", "status",
        "message"}``)."""
        task: dict[str, Any] = {}
        told = on_task or TASK_SEEN.get()  # the caller's (an agent's call sets it)

        def seen(view: dict[str, Any]) -> None:
            task.clear()
            task.update(view)
            if told is not None:
                told(view)

        token = TASK_SEEN.set(seen)
        try:
            result = await self.ask(
                f"{name} failed",
                lambda c: c.call_tool(
                    name,
                    arguments,
                    read_timeout_seconds=self.timeout_s,
                    progress_callback=cast(Any, progress),
                ),
            )
            return McpResult(
                content=[_catalog.as_json(c) for c in result.content],
                structured=result.structured_content,
                is_error=bool(result.is_error),
                task=task or None,
            )
        finally:
            TASK_SEEN.reset(token)

    def session(self) -> Client:
        if self.client is None:
            raise McpError(f"{self.name or self.label}: not connected (closed, or it ended)")
        return self.client

    def error(self, what: str, exc: BaseException) -> McpError:
        """``exc`` as an McpError saying what failed and why, with the stderr's tail."""
        text = f"{self.name or self.label}: {what}: {_said(exc)}"
        return McpError(with_tail(text, self.errlog, "the server's"))

    def stderr_tail(self) -> str:
        return stderr_tail(self.errlog)


def _said(exc: BaseException) -> str:
    """``describe(exc)``; an answer the SDK could not read (pydantic's many lines) in one:
    where it is wrong and how (a task handle without its ``taskId``)."""
    errors = getattr(exc, "errors", None)
    if type(exc).__name__ != "ValidationError" or not callable(errors):
        return describe(exc)
    found = [
        f"{'.'.join(str(part) for part in e.get('loc', ()))}: {e.get('msg', '')}"
        for e in errors()[:3]
    ]
    return f"an answer that is not what MCP defines ({'; '.join(found)})"


def _warm_up() -> None:
    """Import what the SDK imports on a call's first result (``ClientSession.call_tool``
    checks structured content with ``jsonschema``, its errors with ``referencing``)."""
    for module in ("jsonschema.validators", "referencing.exceptions"):
        with contextlib.suppress(ImportError):
            importlib.import_module(module)


def transport_of(target: str | Sequence[str], transport: str) -> str:
    if transport != "auto":
        return transport
    if isinstance(target, str) and target.startswith(("http://", "https://")):
        return "sse" if target.rstrip("/").endswith("/sse") else "http"
    return "stdio"


def transport_for(
    kind: str,
    target: str | Sequence[str],
    headers: dict[str, str],
    env: dict[str, str] | None,
    cwd: str | os.PathLike[str] | None,
    errlog: IO[str] | None,
) -> Any:
    """The SDK's transport for ``target`` (an async context manager of its two streams)."""
    if kind == "stdio":
        from mcp.client.stdio import StdioServerParameters, stdio_client

        argv = shlex.split(target) if isinstance(target, str) else list(target)
        if not argv:
            raise ValueError("nbagent.mcp(): an empty command")
        where = None if cwd is None else os.fspath(cwd)
        params = StdioServerParameters(command=argv[0], args=argv[1:], env=env, cwd=where)
        return stdio_client(params, errlog=cast(TextIO, errlog or sys.stderr))
    if not isinstance(target, str):
        raise ValueError(f"nbagent.mcp(): a {kind} server takes a URL")
    if kind == "sse":
        from mcp.client.sse import sse_client

        return sse_client(target, headers=headers or None)
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    # The SDK's own defaults: 30 s to connect or write, 300 s between reads of a stream.
    client = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0, read=300.0))
    return streamable_http_client(target, http_client=client)
