"""``McpServer``: one connection to an MCP server through the official SDK's ``mcp.Client``,
held open on nbagent's background loop (``runtime.loops.background_loop``), so that sync
cells, ``await``, plain Python and agent runs on any loop share it; the loop owns it and a
cancelled caller cancels its request there (the SDK tells the server)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import shlex
import sys
import tempfile
import weakref
from collections.abc import Coroutine, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, Literal, TextIO, TypeVar, cast

from nbagent._mcp._types import McpError, McpResult, McpTool
from nbagent._tools import Tool
from nbagent.runtime.loops import background_loop

if TYPE_CHECKING:
    from mcp import Client

__all__ = ["McpServer", "McpToolError"]

T = TypeVar("T")

STDERR_TAIL = 2000
"""Characters of a stdio server's stderr that an error message ends with."""
CLOSE_S = 10.0
"""How long closing may take (the SDK ends a stdio server's process tree, then kills it)."""


class McpToolError(McpError):
    """A tool of an MCP server reported an error (``isError``), as an agent's tool sees it."""


class _Connection:
    """The connection's side on the background loop. It holds no reference to its
    ``McpServer``, so that the handle can be garbage collected (and then close it)."""

    def __init__(
        self, label: str, name: str, timeout_s: float | None, errlog: IO[str] | None
    ) -> None:
        self.label = label
        self.name = name
        self.timeout_s = timeout_s
        self.errlog = errlog
        self.client: Client | None = None
        self.tools: list[McpTool] = []
        self.connected = concurrent.futures.Future[None]()
        self.stop: asyncio.Event | None = None
        self.protocol_version = ""
        self.scope: Any = None  # serve's anyio.CancelScope
        self.ended = False

    async def serve(self, transport: Any) -> None:
        """Connect, list the tools, then hold the connection until ``end()``."""
        import anyio
        from mcp import Client

        self.stop = asyncio.Event()
        try:
            # An anyio scope, not Task.cancel(): the SDK shields its shutdown (the server's
            # process ended) from anyio's cancellation only.
            with anyio.CancelScope() as self.scope:
                if self.ended:  # closed before this task began
                    self.scope.cancel()
                async with Client(transport) as client:
                    self.client = client
                    self.protocol_version = client.protocol_version
                    info = client.server_info
                    self.name = self.name or (info.name if info else "") or self.label
                    self.tools = await self.list_tools()
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
        client = self.session()
        tools: list[McpTool] = []
        cursor: str | None = None
        while True:
            page = await client.list_tools(cursor=cursor)
            tools += [_tool(t) for t in page.tools]
            cursor = page.next_cursor
            if not cursor:
                return tools

    async def call(self, name: str, arguments: dict[str, Any]) -> McpResult:
        client = self.session()
        try:
            result = await asyncio.wait_for(
                client.call_tool(name, arguments, read_timeout_seconds=self.timeout_s),
                None if self.timeout_s is None else self.timeout_s + 5,
            )
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            raise self.error(f"{name} failed", exc) from exc
        return McpResult(
            content=[
                c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in result.content
            ],
            structured=result.structured_content,
            is_error=bool(result.is_error),
        )

    def session(self) -> Client:
        if self.client is None:
            raise McpError(f"{self.name or self.label}: not connected (closed, or it ended)")
        return self.client

    def error(self, what: str, exc: BaseException) -> McpError:
        """``exc`` as an McpError saying what failed and why, with the stderr's tail."""
        text = f"{self.name or self.label}: {what}: {_describe(exc)}"
        tail = self.stderr_tail()
        if tail:
            text += f"\n--- the server's stderr (end) ---\n{tail}"
        return McpError(text)

    def stderr_tail(self) -> str:
        if self.errlog is None or self.errlog.closed:
            return ""
        with contextlib.suppress(OSError, ValueError):
            self.errlog.flush()
            size = self.errlog.seek(0, os.SEEK_END)
            self.errlog.seek(max(0, size - STDERR_TAIL * 4))
            return self.errlog.read()[-STDERR_TAIL:].strip()
        return ""


class McpServer:
    """A connected MCP server: its ``tools``, ``call`` and ``acall`` them, ``close`` it.

    Made by ``nbagent.mcp(...)``. The connection lives on nbagent's background loop until
    ``close()``, the end of a ``with`` block, garbage collection or the interpreter's exit.
    """

    def __init__(
        self,
        target: str | Sequence[str],
        *,
        headers: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        transport: Literal["auto", "stdio", "http", "sse"] = "auto",
        name: str | None = None,
        timeout_s: float | None = 120.0,
        connect_timeout_s: float = 30.0,
    ) -> None:
        self.transport = _transport_of(target, transport)
        """How nbagent talks to it: "stdio" (a command), "http" (Streamable HTTP) or "sse"."""
        self.target = target if isinstance(target, str) else shlex.join(target)
        """The command or URL, as given."""
        errlog = None
        if self.transport == "stdio":
            # Open for the connection's life: _close closes it.
            errlog = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # noqa: SIM115
        self._conn = _Connection(self.target, name or "", timeout_s, errlog)
        self._loop = background_loop()
        wire = _transport(
            self.transport, target, dict(headers or {}), dict(env or {}) or None, cwd, errlog
        )
        self._lifetime = self._submit(self._conn.serve(wire))
        self._finalizer = weakref.finalize(self, _close, self._loop, self._lifetime, self._conn)
        try:
            self._wait(self._conn.connected, connect_timeout_s, "did not finish connecting")
        except BaseException:
            self.close()
            raise

    @property
    def name(self) -> str:
        """``name=``, else what the server calls itself, else the command or URL."""
        return self._conn.name or self.target

    @property
    def protocol_version(self) -> str:
        """The MCP revision the server and nbagent agreed on (e.g. ``"2025-06-18"``)."""
        return self._conn.protocol_version

    @property
    def timeout_s(self) -> float | None:
        """Seconds a request may take before it is cancelled (None: no limit)."""
        return self._conn.timeout_s

    @property
    def tools(self) -> list[McpTool]:
        """The server's tools, as listed when it connected (``refresh()`` lists them again)."""
        return list(self._conn.tools)

    def refresh(self) -> list[McpTool]:
        """List the server's tools again."""

        async def relist() -> list[McpTool]:
            self._conn.tools = await self._conn.list_tools()
            return self._conn.tools

        return list(self._wait(self._submit(relist()), self.timeout_s, "tools/list"))

    def call(self, name: str, /, **arguments: Any) -> McpResult:
        """Call tool ``name`` with these arguments and wait for its result.

        A tool that reports an error returns ``is_error=True``; an unknown tool, a server
        that crashed, hung past ``timeout_s`` or answered garbage raise ``McpError``.
        Interrupting the cell cancels the request.
        """
        return self._wait(self._submit(self._conn.call(name, arguments)), None, name)

    async def acall(self, name: str, /, **arguments: Any) -> McpResult:
        """``call`` for async code: awaiting it does not block the loop; cancelling the
        awaiting task cancels the request."""
        coro = self._conn.call(name, arguments)
        if _on_thread_of(self._loop):
            return await coro
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self._loop))

    def stderr_tail(self) -> str:
        """The end of what a stdio server wrote to stderr ("" for HTTP servers)."""
        return self._conn.stderr_tail()

    def agent_tools(self) -> list[Tool]:
        """The server's tools as an ``Agent``'s tools: called through ``acall``; a result's
        text goes to the model (its ``structuredContent`` when it has no content); an error
        result raises ``McpToolError`` (the tool panel shows it)."""
        return [self._agent_tool(t) for t in self._conn.tools]

    def _agent_tool(self, tool: McpTool) -> Tool:
        async def call(**arguments: Any) -> Any:
            result = await self.acall(tool.name, **arguments)
            if result.is_error:
                raise McpToolError(result.text or f"{tool.name} reported an error")
            # The content, as most clients give a model; a result with structured data only
            # gives that.
            return result.text if result.content else result.structured

        call.__name__ = tool.name
        # The server's timeout applies (timeout_s): the agent's own would cut it short.
        schema = tool.input_schema or {"type": "object"}
        return Tool(
            tool.name, tool.description, schema, call, None, hints=tool.hints, origin=self.name
        )

    def close(self) -> None:
        """Disconnect (a stdio server's process ends). Safe to call twice."""
        self._finalizer()

    @property
    def closed(self) -> bool:
        """``close()`` was called, or the connection ended."""
        return not self._finalizer.alive or self._lifetime.done()

    def _submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        if _on_thread_of(self._loop):
            coro.close()
            raise RuntimeError(
                "called on nbagent's own loop thread, where it would wait for itself: "
                "use `await server.acall(...)`"
            )
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def _wait(self, future: concurrent.futures.Future[T], timeout: float | None, what: str) -> T:
        """The future's result; its request cancelled if the caller is interrupted."""
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise self._conn.error(what, TimeoutError(f"no answer in {timeout:g} s")) from None
        except KeyboardInterrupt:
            future.cancel()
            raise

    def __enter__(self) -> McpServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> McpServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.close)

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{len(self._conn.tools)} tools"
        return f"<McpServer {self.name!r} ({self.transport}, {state})>"


def _close(
    loop: asyncio.AbstractEventLoop, lifetime: concurrent.futures.Future[None], conn: _Connection
) -> None:
    """End the connection's task, then drop its stderr (a finalizer: no reference to the
    server handle)."""
    if not (loop.is_closed() or lifetime.done()):
        loop.call_soon_threadsafe(conn.end)
        if not _on_thread_of(loop):
            with contextlib.suppress(BaseException):
                lifetime.result(CLOSE_S)
        if not lifetime.done():
            lifetime.cancel()
    if conn.errlog is not None:
        conn.errlog.close()


def _on_thread_of(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _transport_of(target: str | Sequence[str], transport: str) -> str:
    if transport != "auto":
        return transport
    if isinstance(target, str) and target.startswith(("http://", "https://")):
        return "sse" if target.rstrip("/").endswith("/sse") else "http"
    return "stdio"


def _transport(
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


def _tool(tool: Any) -> McpTool:
    """An SDK ``Tool`` as an McpTool."""
    annotations = (
        tool.annotations.model_dump(by_alias=True, exclude_none=True) if tool.annotations else {}
    )
    return McpTool(
        name=tool.name,
        description=tool.description or "",
        input_schema=dict(tool.input_schema or {}),
        output_schema=dict(tool.output_schema) if tool.output_schema else None,
        annotations=annotations,
        title=tool.title or annotations.get("title"),
    )


def _describe(exc: BaseException) -> str:
    """An exception (an anyio/SDK exception group included) as one line per cause."""
    group = getattr(exc, "exceptions", None)  # an ExceptionGroup (Python 3.10: anyio's backport)
    if isinstance(group, tuple | list) and group:
        return "; ".join(dict.fromkeys(_describe(e) for e in group))
    text = str(exc) or type(exc).__name__
    return text if type(exc).__name__ in text else f"{type(exc).__name__}: {text}"
