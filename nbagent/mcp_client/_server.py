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
import tempfile
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar

from nbagent.mcp_client import _catalog
from nbagent.mcp_client._agent_tools import agent_tool
from nbagent.mcp_client._app_domains import AppDomains, check_domains
from nbagent.mcp_client._asks import CALLER, TASK_SEEN
from nbagent.mcp_client._connection import Connection, Progress, transport_for, transport_of
from nbagent.mcp_client._traffic import ServerTraffic
from nbagent.mcp_client._types import (
    McpPrompt,
    McpResource,
    McpResourceTemplate,
    McpResult,
    McpTool,
)
from nbagent.runtime.loops import background_loop
from nbagent.tools import Tool

if TYPE_CHECKING:
    from mcp import Client

__all__ = ["McpServer"]

T = TypeVar("T")

CLOSE_S = 10.0
"""How long closing may take (the SDK ends a stdio server's process tree, then kills it)."""


class McpServer(ServerTraffic):
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
        protocol: str = "auto",
        view: Callable[[McpServer], Any] | None = None,
        app_domains: AppDomains = False,
        app_calls: Literal["ask", "read_only"] = "ask",
    ) -> None:
        self.app_domains = check_domains(app_domains)
        """The domains its apps may reach (``nbagent.mcp``'s ``app_domains=``)."""
        if app_calls not in ("ask", "read_only"):
            raise ValueError(f"app_calls is 'ask' or 'read_only', not {app_calls!r}")
        self.app_calls = app_calls
        """What its tools' apps may call without the author: "ask" (nothing) or "read_only"."""
        self._view = view
        """What a cell shows for the server (``nbagent.mcp``'s inspector); None: its repr."""
        self._shown: Any = None
        self.transport = transport_of(target, transport)
        """How nbagent talks to it: "stdio" (a command), "http" (Streamable HTTP) or "sse"."""
        self.target = target if isinstance(target, str) else shlex.join(target)
        """The command or URL, as given."""
        self._started_with: dict[str, dict[str, str]] = {
            "env": dict(env or {}),
            "headers": dict(headers or {}),
        }
        """The ``env`` and ``headers`` it was given: what an ACP agent given this server
        (``nbagent.acp(..., mcp_servers=[server])``) starts or connects to its own copy with."""
        errlog = None
        if self.transport == "stdio":
            # Open for the connection's life: _close closes it.
            errlog = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # noqa: SIM115
        self._conn = Connection(self.target, name or "", timeout_s, errlog, protocol)
        self._loop = background_loop()
        wire = transport_for(
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
    def instructions(self) -> str:
        """What the server says of itself for a model ("" when it says nothing)."""
        return self._conn.instructions

    @property
    def tasks(self) -> bool:
        """The server offers MCP tasks (``io.modelcontextprotocol/tasks``, protocol
        2026-07-28): it may answer any call with a task, which a call then waits for."""
        return self._conn.tasks

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
        self._conn.tools = self._ask("tools/list", _catalog.list_tools)
        return self.tools

    def list_resources(self) -> list[McpResource]:
        """The server's resources ([] when it offers none)."""
        return self._ask("resources/list", _catalog.list_resources)

    def list_resource_templates(self) -> list[McpResourceTemplate]:
        """The server's resource templates ([] when it offers none)."""
        return self._ask("resources/templates/list", _catalog.list_resource_templates)

    def read_resource(self, uri: str) -> list[dict[str, Any]]:
        """A resource's contents: ``{"uri", "mimeType", "text"}`` or ``"blob"`` (base64) each."""
        return self._ask(*_reading(uri))

    def list_prompts(self) -> list[McpPrompt]:
        """The server's prompts ([] when it offers none)."""
        return self._ask("prompts/list", _catalog.list_prompts)

    def get_prompt(self, name: str, /, **arguments: str) -> list[dict[str, Any]]:
        """A prompt's messages, its arguments filled in: ``{"role", "content"}`` each."""
        return self._ask(*_prompting(name, arguments))

    async def acall_with_progress(
        self,
        name: str,
        arguments: dict[str, Any],
        progress: Progress | None,
        on_task: Callable[[dict[str, Any]], None] | None = None,
    ) -> McpResult:
        """``acall`` with ``progress(done, total, message)`` awaited on nbagent's loop for
        each progress notification of the call, and ``on_task(task)`` called there for each
        change of the task a server answers it with (``{"id", "status", "message"}``)."""
        return await self._on_loop(self._conn.call(name, arguments, progress, on_task))

    async def aread_resource(self, uri: str) -> list[dict[str, Any]]:
        """``read_resource`` for async code."""
        return await self._on_loop(self._conn.ask(*_reading(uri)))

    async def aget_prompt(self, name: str, /, **arguments: str) -> list[dict[str, Any]]:
        """``get_prompt`` for async code."""
        return await self._on_loop(self._conn.ask(*_prompting(name, arguments)))

    async def _on_loop(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await ``coro`` on nbagent's loop from any loop; cancelling the caller cancels it.
        The caller's ``CALLER`` and ``TASK_SEEN`` go with it (a task there has a context of
        its own)."""
        if _on_thread_of(self._loop):
            return await coro
        caller, seen = CALLER.get(), TASK_SEEN.get()

        async def as_caller() -> T:
            CALLER.set(caller)
            TASK_SEEN.set(seen)
            return await coro

        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(as_caller(), self._loop))

    def _ask(self, what: str, request: Callable[[Client], Awaitable[T]]) -> T:
        return self._wait(self._submit(self._conn.ask(what, request)), None, what)

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
        return await self.acall_with_progress(name, arguments, None)

    def stderr_tail(self) -> str:
        """The end of what a stdio server wrote to stderr ("" for HTTP servers)."""
        return self._conn.stderr_tail()

    def agent_tools(self) -> list[Tool]:
        """The server's tools as an ``Agent``'s tools: called through ``acall``; a result's
        text goes to the model (its ``structuredContent`` when it has no content); an error
        result raises ``McpToolError`` (the tool panel shows it). A tool only its app may call
        (MCP Apps: ``visibility`` without "model") is not the model's."""
        return [
            agent_tool(t, self.acall, self.name)
            for t in self._conn.tools
            if t.app is None or "model" in t.app.visibility
        ]

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

    def _ipython_display_(self) -> None:
        """A cell's last expression: the inspector (``nbagent.mcp``'s servers)."""
        from IPython.display import display

        shown = self._inspector()
        display(shown if shown is not None else repr(self))  # type: ignore[no-untyped-call]

    def _display_(self) -> Any:
        """What marimo shows: the inspector's widget (the view's own ``_display_``)."""
        shown = self._inspector()
        return shown._display_() if shown is not None else repr(self)

    def _inspector(self) -> Any:
        """The view ``view`` made (once: every display shows the same widget), or None."""
        if self._shown is None and self._view is not None:
            self._shown = self._view(self)
        return self._shown

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{len(self._conn.tools)} tools"
        return f"<McpServer {self.name!r} ({self.transport}, {state})>"


def _close(
    loop: asyncio.AbstractEventLoop, lifetime: concurrent.futures.Future[None], conn: Connection
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


_Request: TypeAlias = "tuple[str, Callable[[Client], Awaitable[Any]]]"
"""A request as ``Connection.ask`` takes it: what it is in an error's words, and the call."""


def _reading(uri: str) -> _Request:
    return f"reading {uri}", lambda c: _catalog.read(c, uri)


def _prompting(name: str, arguments: dict[str, str]) -> _Request:
    return f"prompt {name}", lambda c: _catalog.get_prompt(c, name, arguments)
