"""MCP servers in a notebook: ``nbagent.mcp(command_or_url)`` connects to one through the
official ``mcp`` SDK (the optional extra ``jupyter-nbagent[mcp]``); its tools can be called by hand
or given to an ``Agent`` beside Python functions."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from nbagent.mcp_client._agent_tools import McpToolError
from nbagent.mcp_client._asks import McpRequest
from nbagent.mcp_client._server import McpServer
from nbagent.mcp_client._types import (
    McpApp,
    McpError,
    McpLogEntry,
    McpPrompt,
    McpResource,
    McpResourceTemplate,
    McpResult,
    McpTool,
)

__all__ = [
    "McpApp",
    "McpError",
    "McpLogEntry",
    "McpPrompt",
    "McpRequest",
    "McpResource",
    "McpResourceTemplate",
    "McpResult",
    "McpServer",
    "McpTool",
    "McpToolError",
    "mcp",
]


def mcp(
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
    app_domains: bool | Sequence[str] = False,
    app_calls: Literal["ask", "read_only"] = "ask",
) -> McpServer:
    """Connect to an MCP server and list its tools.

    ``target``: a command that starts a stdio server (a string, split like a shell does, or
    a list: ``"uvx mcp-server-time"``), or a URL: Streamable HTTP, or legacy SSE for a URL
    ending in ``/sse`` (``transport=`` chooses otherwise). ``headers``: HTTP headers (an
    ``Authorization`` token). ``env`` and ``cwd``: for a stdio server's process, whose
    environment is the SDK's safe default (``PATH``, ``HOME``, ...) plus ``env``.
    ``timeout_s``: per request (None: no limit); ``connect_timeout_s``: to connect.
    ``protocol``: "auto" (the newest revision both sides speak), "legacy" (the initialize
    handshake of revisions up to 2025-11-25) or a revision to adopt (the SDK's ``mode``).
    ``view``: what a cell whose last expression is the server shows (``nbagent.mcp``: its
    inspector, with forms to call its tools, read its resources and get its prompts).
    ``app_domains``: what the frames of its tools' apps may reach beyond their own HTML: False
    (nothing), True (the domains each app declares in its ``_meta.ui.csp``) or a list of https
    origins (those of the declared ones in the list); the app's panel says which.
    ``app_calls``: what a tool's app (MCP Apps) may call of the server's tools in an agent's
    run: "ask" (each call pauses for the author: ``run.app_calls.pending``/``answer``) or
    "read_only" (calls to tools marked ``readOnlyHint`` run at once; ``pause_before`` wins).

    A server that fails to start, crashes, hangs or answers garbage raises ``McpError``
    with the end of its stderr; the kernel goes on. Use ``server.call(name, **args)`` or
    ``await server.acall(...)``, ``Agent(tools=[server, fn])``; ``server.list_resources()``,
    ``read_resource(uri)``, ``list_prompts()``, ``get_prompt(name, **args)``, ``server.log``;
    what the server asks mid-call (elicitation, sampling) in ``server.pending``, answered
    with ``server.answer(request, "accept", content)``; a call the server answers with a
    task (MCP tasks) waits for the task's end; and ``server.close()`` (or
    ``with nbagent.mcp(...) as server:``).
    """
    try:
        import mcp as _sdk  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "nbagent.mcp() needs the MCP SDK: pip install 'jupyter-nbagent[mcp]'"
        ) from exc
    return McpServer(
        target,
        headers=headers,
        env=env,
        cwd=cwd,
        transport=transport,
        name=name,
        timeout_s=timeout_s,
        connect_timeout_s=connect_timeout_s,
        protocol=protocol,
        view=view,
        app_domains=app_domains,
        app_calls=app_calls,
    )
