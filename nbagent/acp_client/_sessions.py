"""An ACP agent's session as ``nbagent.acp`` opens it: ``session/new``, or ``session/load`` (its
history replayed into a run), with the session's directories and MCP servers; the agent's config
options (``agent.config``, ``agent.set_config``) and saved sessions (``agent.sessions()``); the
notebook's directory as the default ``cwd``; and the auth methods an error lists."""

from __future__ import annotations

import dataclasses
import os
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from nbagent.acp_client._mcp_servers import check_mcp
from nbagent.acp_client._turn import Turn
from nbagent.acp_client._types import AcpError, Mode

__all__ = [
    "ConfigChoice",
    "ConfigOption",
    "SessionInfo",
    "SessionPlan",
    "apply_session",
    "check_config",
    "config_options",
    "default_cwd",
    "describe_auth",
    "list_sessions",
    "open_session",
    "set_config",
]

MAX_PAGES = 100
"""``session/list`` pages read at most (an agent whose cursor never ends is not followed)."""


@dataclasses.dataclass(frozen=True)
class ConfigChoice:
    """A value a config option offers (``ConfigOption.choices``): ``value`` is what
    ``agent.set_config(id, value)`` takes, ``name`` what the agent shows for it."""

    value: str | bool
    name: str
    description: str | None = None
    group: str | None = None
    """The name of the group the agent put it in (a select's grouped options), if any."""


@dataclasses.dataclass(frozen=True)
class ConfigOption:
    """A session config option the agent offers (``agent.config``): a ``"select"`` among its
    ``choices`` or a ``"boolean"``, its current ``value``; change it with
    ``agent.set_config(id, value)``. ``category`` is the agent's hint (``"model"``,
    ``"thought_level"``, ``"mode"``, ...)."""

    id: str
    name: str
    value: str | bool
    choices: tuple[ConfigChoice, ...]
    type: Literal["select", "boolean"] = "select"
    description: str | None = None
    category: str | None = None

    def offers(self, value: object) -> bool:
        """Whether ``value`` is one of the option's choices."""
        if self.type == "boolean":
            return isinstance(value, bool)
        return isinstance(value, str) and any(c.value == value for c in self.choices)


@dataclasses.dataclass(frozen=True)
class SessionInfo:
    """A session the agent keeps (``agent.sessions()``): load it, its history replayed, with
    ``nbagent.acp(command, session=info.id)``."""

    id: str
    cwd: str
    title: str | None = None
    updated_at: str | None = None
    """ISO 8601, the session's last activity, as the agent says it."""
    additional_directories: tuple[str, ...] = ()


@dataclasses.dataclass
class SessionPlan:
    """What ``session/new`` (or ``session/load``) is sent: ``cwd``, the additional directories
    (``roots``), the MCP servers (SDK configs); ``load``: a session id to load, its replayed
    updates put into ``history``."""

    cwd: Path
    roots: list[Path]
    mcp_servers: list[Any]
    load: str | None = None
    history: Turn | None = None


# -- the session ---------------------------------------------------------------------------------


async def open_session(conn: Any, capabilities: Any, plan: SessionPlan, label: str) -> Any:
    """``session/new``, or ``session/load`` for ``plan.load``: the response (the new session's
    carries its id). The roots go as the session's additional directories where the agent
    advertises them (``sessionCapabilities.additionalDirectories``). ``AcpError`` for what
    the agent does not advertise (loading, an MCP transport); the agent's own errors raise
    as they are."""
    check_mcp(plan.mcp_servers, capabilities, label)
    session = getattr(capabilities, "session_capabilities", None)
    # Sent only to an agent that advertises them (the protocol's rule); the file methods
    # serve the roots either way.
    told = getattr(session, "additional_directories", None) is not None
    dirs = [str(r) for r in plan.roots] if told and plan.roots else None
    if plan.load is None:
        return await conn.new_session(
            cwd=str(plan.cwd), additional_directories=dirs, mcp_servers=plan.mcp_servers
        )
    if not getattr(capabilities, "load_session", False):
        raise AcpError(
            f"ACP agent {label}: it does not advertise session/load (loadSession), so session "
            f"{plan.load!r} cannot be loaded"
        )
    return await conn.load_session(
        cwd=str(plan.cwd),
        session_id=plan.load,
        additional_directories=dirs,
        mcp_servers=plan.mcp_servers,
    )


def apply_session(client: Any, response: Any) -> None:
    """What a ``session/new`` or ``session/load`` response says of the session: its modes and
    config options, kept on the client (which ``*_update`` notifications then change)."""
    modes = getattr(response, "modes", None)
    if modes is not None:
        client.modes = [Mode(m.id, m.name, m.description) for m in modes.available_modes]
        client.mode = modes.current_mode_id
    options = getattr(response, "config_options", None)
    if options is not None:
        client.config = config_options(options)


def config_options(raw: Sequence[Any] | None) -> list[ConfigOption]:
    """The SDK's config options (``SessionConfigOptionSelect`` / ``...Boolean``) as
    :class:`ConfigOption`."""
    out = []
    for option in raw or []:
        category = option.category if isinstance(option.category, str) else None
        common = {"description": option.description, "category": category}
        if option.type == "boolean":
            value = bool(option.current_value)
            choices = (ConfigChoice(True, "on"), ConfigChoice(False, "off"))
            out.append(ConfigOption(option.id, option.name, value, choices, "boolean", **common))
            continue
        picks: list[ConfigChoice] = []
        for entry in option.options:
            if hasattr(entry, "group"):  # a group of options
                picks += [
                    ConfigChoice(o.value, o.name, o.description, entry.name) for o in entry.options
                ]
            else:
                picks.append(ConfigChoice(entry.value, entry.name, entry.description))
        out.append(
            ConfigOption(option.id, option.name, option.current_value, tuple(picks), **common)
        )
    return out


def check_config(options: Sequence[ConfigOption], config_id: str, value: object) -> ConfigOption:
    """The option ``config_id`` if it offers ``value``; else ``ValueError`` saying what does."""
    option = next((o for o in options if o.id == config_id), None)
    if option is None:
        ids = [o.id for o in options]
        raise ValueError(f"{config_id!r} is not a config option of this agent; it offers {ids}")
    if not option.offers(value):
        offered = [c.value for c in option.choices]
        raise ValueError(f"{value!r} is not a value of {config_id!r}; it offers {offered}")
    return option


async def set_config(conn: Any, session_id: str, client: Any, config_id: str, value: Any) -> None:
    """``session/set_config_option``; the agent answers with every option's value, kept."""
    response = await conn.set_config_option(config_id=config_id, session_id=session_id, value=value)
    options = getattr(response, "config_options", None)
    if options is not None:
        client.config = config_options(options)


async def list_sessions(
    conn: Any, capabilities: Any, cwd: str | None, label: str
) -> list[SessionInfo]:
    """Every page of ``session/list`` (the sessions of ``cwd``; None: of every directory)."""
    listing = getattr(getattr(capabilities, "session_capabilities", None), "list", None)
    if listing is None:
        raise AcpError(
            f"ACP agent {label}: it does not advertise session/list (sessionCapabilities.list)"
        )
    found: list[SessionInfo] = []
    cursor = None
    for _ in range(MAX_PAGES):
        page = await conn.list_sessions(cwd=cwd, cursor=cursor)
        found += [
            SessionInfo(
                s.session_id, s.cwd, s.title, s.updated_at, tuple(s.additional_directories or ())
            )
            for s in page.sessions
        ]
        cursor = page.next_cursor
        if not cursor:
            break
    return found


# -- where and who -------------------------------------------------------------------------------


def default_cwd() -> Path:
    """The notebook's directory when a kernel runs one (VS Code's ``__vsc_ipynb_file__``,
    Jupyter's ``__session__`` / ``JPY_SESSION_NAME``: the notebook's absolute path), else
    the current directory; absolute."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        get_ipython = None
    shell = get_ipython() if get_ipython is not None else None
    if getattr(shell, "kernel", None) is not None:
        names = getattr(shell, "user_ns", {})
        for candidate in (
            names.get("__vsc_ipynb_file__"),
            names.get("__session__"),
            os.environ.get("JPY_SESSION_NAME"),
        ):
            # A relative one is relative to the server's root, which the kernel does not know.
            if isinstance(candidate, str) and os.path.isabs(candidate):
                folder = Path(candidate).parent
                if folder.is_dir():
                    return folder.resolve()
    return Path(os.getcwd()).resolve()


def describe_auth(methods: Sequence[Any], argv: Sequence[str]) -> str:
    """The agent's auth methods on one line: each one's id, name and description, and what it
    needs: the environment variables to set (and where to get them), or the command to run in
    a terminal first."""
    if not methods:
        return "it offers no auth methods"
    said = []
    for m in methods:
        line = f"{m.id} ({m.name})" + (f": {m.description}" if m.description else "")
        kind = getattr(m, "type", None)
        if kind == "env_var":
            names = [v.name + (" (optional)" if v.optional else "") for v in m.vars]
            needed = {v.name: "..." for v in m.vars if not v.optional}
            line += (
                f", needs the environment variables {', '.join(names)}"
                f" (nbagent.acp(..., env={needed!r}, auth={m.id!r}))"
            )
            if m.link:
                line += f", to be had at {m.link}"
        elif kind == "terminal":
            env = " ".join(f"{k}={shlex.quote(v)}" for k, v in (m.env or {}).items())
            command = shlex.join([*argv, *(m.args or [])])
            line += f", needs a login in a terminal first: {env + ' ' if env else ''}{command}"
        said.append(line)
    return "its auth methods: " + "; ".join(said)
