"""``nbagent.acp(command)``: an Agent Client Protocol agent (Claude Code, Codex, Gemini CLI, ...
through their ACP command) run by nbagent as its client, each prompt a live ``Run`` read with
``format="acp"`` (issue 36). The ``agent-client-protocol`` SDK is imported only here, when an
agent is started (``pip install 'jupyter-nbagent[acp]'``).

The session: ``cwd`` (the notebook's directory by default) and ``roots`` (sent as its additional
directories), MCP servers (``mcp_servers=``: ``nbagent.mcp(...)`` servers or configs), a new
one or a saved one loaded (``session=``, ``agent.sessions()``: its history replayed as a run,
``agent.history``); the agent's modes, config options (``agent.config``, ``set_config``) and
commands. A prompt carries context (``agent.prompt(text, context=[path, figure, df])``) as far
as the agent's prompt capabilities allow, refused before sending where they do not. Prompts go
one at a time to the agent's session; sessions opened on the same process for one turn each
(``nbagent.evaluate``'s cases, closed after it where the agent can) run beside it and each
other, every turn getting what the agent sends about its own session.

nbagent as the client grants nothing unasked: permission requests pause the run
(``run.pending``, ``run.approve(i)``, ``run.deny(i)``, ``run.choose(i, option_id)``), files
are served only inside ``cwd`` and ``roots`` (a write no tool call names shown as an edit of
its own), notebooks are not edited unless the author allows it, and terminals are offered
only when the author turns them on. An agent that requires authentication and was named no
method (``auth=``) raises ``AcpError`` listing its methods and what each needs."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nbagent.acp_client._agent import AcpAgent
from nbagent.acp_client._mcp_servers import mcp_configs
from nbagent.acp_client._sessions import ConfigChoice, ConfigOption, SessionInfo, default_cwd
from nbagent.acp_client._types import AcpError, Command, Mode

__all__ = [
    "AcpAgent",
    "AcpError",
    "Command",
    "ConfigChoice",
    "ConfigOption",
    "Mode",
    "SessionInfo",
    "acp",
]


def acp(
    command: str | Sequence[str],
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    roots: Iterable[str | os.PathLike[str]] = (),
    auth: str | None = None,
    startup_timeout: float = 30.0,
    auto_approve: Iterable[str] = (),
    allow_notebook_edits: bool = False,
    mcp_servers: Any = (),
    session: str | None = None,
    terminals: bool = False,
) -> AcpAgent:
    """Start an ACP agent (``command``: a string split like a shell's, or a list) and open a
    session with it; ``agent.prompt(text)`` then runs a turn as a live :class:`Run`.

    ``cwd`` (default: the notebook's directory in a notebook, else the current directory;
    made absolute) is the session's directory; ``roots`` adds directories the agent may use
    (sent as the session's additional directories to an agent that advertises them). The
    agent's file requests are served only inside them (by real path: ``..`` and symlinks
    that lead out are refused). ``env`` is added to this process's environment. ``auth``
    names the auth method to call ``authenticate`` with; an agent that requires one and gets
    none raises :class:`AcpError` listing its methods and what each needs (environment
    variables, a login command).
    ``startup_timeout``: seconds for ``initialize`` and ``session/new`` (or
    ``session/load``). Permission requests pause the run, except those for the tool kinds in
    ``auto_approve`` (``{"read", "search"}``: allowed once); requests and writes aimed at a
    notebook (``.ipynb``) are refused unless ``allow_notebook_edits``. Terminals
    (``terminal/*``) are offered to the agent only with ``terminals=True``: its commands then
    run in ``cwd`` (or a directory inside the roots), in a process group of their own, their
    output streams into the tool call's panel that shows the terminal, and Stop and
    ``close()`` kill them.

    ``mcp_servers``: MCP servers the session may use: ``nbagent.mcp(...)`` servers (the agent
    starts or connects to its own copy), configs (``{"command": ..., "args": [...], "env":
    {...}}``, ``{"url": ..., "headers": {...}}``), or a mapping of names to configs; a stdio
    command is sent as an absolute path, HTTP and SSE only to an agent that takes them (else
    ``AcpError``). ``session``: the id of a saved session to load (``agent.sessions()`` lists
    them) instead of a new one; its history is replayed as a run (``agent.history``).
    """
    argv = shlex.split(command) if isinstance(command, str) else [str(a) for a in command]
    if not argv:
        raise ValueError("nbagent.acp(): an empty command")
    try:
        import acp as _sdk  # noqa: F401 - the SDK, checked before anything starts
    except ImportError as exc:
        raise ImportError(
            "nbagent.acp() needs the agent-client-protocol SDK: pip install 'jupyter-nbagent[acp]'"
        ) from exc
    home = Path(cwd).expanduser().resolve() if cwd is not None else default_cwd()
    dirs = [home, *(Path(r).expanduser().resolve() for r in roots)]
    environment = os.environ | dict(env or {})
    config = {
        "argv": argv,
        "env": environment,
        "roots": dirs,
        "auth": auth,
        "startup_timeout": float(startup_timeout),
        "auto_approve": frozenset(auto_approve),
        "notebooks": bool(allow_notebook_edits),
        "mcp_servers": mcp_configs(mcp_servers, environment),
        "session": session,
        "terminals": bool(terminals),
    }
    return AcpAgent(config)
