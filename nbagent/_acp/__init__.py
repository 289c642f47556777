"""``nbagent.acp(command)``: an Agent Client Protocol agent (Claude Code, Codex, Gemini CLI, ...
through their ACP command) run by nbagent as its client, each prompt a live ``Run`` read with
``format="acp"`` (issue 36). The ``agent-client-protocol`` SDK is imported only here, when an
agent is started (``pip install 'nbagent[acp]'``).

nbagent as the client grants nothing unasked: permission requests pause the run
(``run.pending``, ``run.approve(i)``, ``run.deny(i)``, ``agent.choose(i, option_id)``), files
are served only inside ``cwd`` and ``roots``, notebooks are not edited unless the author
allows it, and terminals are offered only when the author turns them on."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from nbagent._acp._agent import AcpAgent
from nbagent._acp._types import AcpError, Command, Mode

__all__ = ["AcpAgent", "AcpError", "Command", "Mode", "acp"]


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
    terminals: bool = False,
) -> AcpAgent:
    """Start an ACP agent (``command``: a string split like a shell's, or a list) and open a
    session with it; ``agent.prompt(text)`` then runs a turn as a live :class:`Run`.

    ``cwd`` (default: the current directory) is the session's directory; ``roots`` adds
    directories the agent may use. The agent's file requests are served only inside them (by
    real path: ``..`` and symlinks that lead out are refused). ``env`` is added to this
    process's environment. ``auth`` names the auth method to call ``authenticate`` with; an
    agent that requires one and gets none raises :class:`AcpError` listing its methods.
    ``startup_timeout``: seconds for ``initialize`` and ``session/new``. Permission requests
    pause the run, except those for the tool kinds in ``auto_approve`` (``{"read", "search"}``:
    allowed once); requests and writes aimed at a notebook (``.ipynb``) are refused unless
    ``allow_notebook_edits``. Terminals (``terminal/*``) are offered to the agent only with
    ``terminals=True``: its commands then run in ``cwd`` (or a directory inside the roots), in a
    process group of their own, their output streams into the tool call's panel that shows
    the terminal, and Stop and ``close()`` kill them.
    """
    argv = shlex.split(command) if isinstance(command, str) else [str(a) for a in command]
    if not argv:
        raise ValueError("nbagent.acp(): an empty command")
    try:
        import acp as _sdk  # noqa: F401 - the SDK, checked before anything starts
    except ImportError as exc:
        raise ImportError(
            "nbagent.acp() needs the agent-client-protocol SDK: pip install 'nbagent[acp]'"
        ) from exc
    home = Path(cwd if cwd is not None else os.getcwd()).resolve()
    dirs = [home, *(Path(r).resolve() for r in roots)]
    config = {
        "argv": argv,
        "env": os.environ | dict(env or {}),
        "roots": dirs,
        "auth": auth,
        "startup_timeout": float(startup_timeout),
        "auto_approve": frozenset(auto_approve),
        "notebooks": bool(allow_notebook_edits),
        "terminals": bool(terminals),
    }
    return AcpAgent(config)
