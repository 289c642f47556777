"""``nbagent.acp(..., mcp_servers=[...])``: the MCP servers an ACP session is given, as the SDK's
configs. Each is an ``nbagent.mcp(...)`` server (its command or URL, env and headers: the agent
starts or connects to its own copy), a plain config (``{"command": "uvx", "args": [...],
"env": {...}}`` or ``{"url": ..., "headers": {...}, "type": "http" | "sse"}``, ``name``
optional), a mapping of names to such configs (an ``mcpServers`` section), or an SDK config.
An ``nbagent.mcp`` server's ``cwd`` is not sent: ACP's stdio config has none (the agent starts
the server in a directory of its choosing), so give such a server a command that runs anywhere.

A stdio server's command is sent as an absolute path (ACP requires one: a bare name is found on
the agent's ``PATH``). HTTP and SSE servers only go to an agent whose ``mcpCapabilities`` allow
them: else ``AcpError`` when the session opens, never a server silently left out."""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlparse

from nbagent.acp_client._types import AcpError

__all__ = ["check_mcp", "mcp_configs"]


def mcp_configs(servers: Any, env: Mapping[str, str]) -> list[Any]:
    """The SDK configs of ``servers`` (``env``: the agent's environment, whose ``PATH`` finds a
    stdio command given by name). ``ValueError``/``TypeError`` for one that cannot be sent."""
    if servers is None:
        return []
    if isinstance(servers, Mapping):
        items: Iterable[Any] = [{"name": name, **dict(c)} for name, c in servers.items()]
    elif isinstance(servers, (str, bytes)) or not isinstance(servers, Iterable):
        items = [servers]
    else:
        items = servers
    configs = [_config(item, env, f"mcp_servers[{i}]") for i, item in enumerate(items)]
    names = [c.name for c in configs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"mcp_servers: two servers named {twice}; give each a name of its own")
    return configs


def check_mcp(configs: Iterable[Any], capabilities: Any, label: str) -> None:
    """``AcpError`` for an HTTP or SSE server the agent's ``mcpCapabilities`` do not allow."""
    caps = getattr(capabilities, "mcp_capabilities", None)
    for config in configs:
        kind = getattr(config, "type", "stdio")
        if kind in ("http", "sse") and not getattr(caps, kind, False):
            raise AcpError(
                f"ACP agent {label}: the MCP server {config.name!r} ({config.url}) is "
                f"{kind.upper()}, which this agent does not take (its mcpCapabilities.{kind} "
                "is false); give it a stdio server (a command) instead"
            )


def _config(item: Any, env: Mapping[str, str], where: str) -> Any:
    from acp.schema import HttpMcpServer, McpServerStdio, SseMcpServer

    if isinstance(item, McpServerStdio):
        return item.model_copy(update={"command": _absolute(item.command, env, where)})
    if isinstance(item, (HttpMcpServer, SseMcpServer)):
        return item
    from nbagent.mcp_client._server import McpServer

    if isinstance(item, McpServer):
        spec = item._started_with  # private: it may hold tokens (headers)
        if item.transport == "stdio":
            argv = shlex.split(item.target)
            plain = {"name": item.name, "command": argv[0], "args": argv[1:]}
            return _config({**plain, "env": spec.get("env") or {}}, env, where)
        given = {"name": item.name, "url": item.target, "type": item.transport}
        return _config({**given, "headers": spec.get("headers") or {}}, env, where)
    if not isinstance(item, Mapping):
        raise TypeError(
            f"{where}: an MCP server is an nbagent.mcp(...) server, a config dict "
            f"(command/args/env or url/headers) or an ACP SDK config, not {type(item).__name__}"
        )
    return _from_dict(item, env, where)


def _from_dict(item: Mapping[str, Any], env: Mapping[str, str], where: str) -> Any:
    from acp.schema import EnvVariable, HttpHeader, HttpMcpServer, McpServerStdio, SseMcpServer

    if ("command" in item) == ("url" in item):
        raise ValueError(
            f"{where}: a config has a command (stdio) or a url (HTTP, SSE): {dict(item)}"
        )
    if "command" in item:
        command = item["command"]
        argv = shlex.split(command) if isinstance(command, str) else [str(a) for a in command]
        if not argv:
            raise ValueError(f"{where}: an empty command")
        args = [*argv[1:], *(str(a) for a in item.get("args") or [])]
        name = str(item.get("name") or os.path.basename(argv[0]))
        pairs = _pairs(item.get("env"), where, "env")
        return McpServerStdio(
            name=name,
            command=_absolute(argv[0], env, where),
            args=args,
            env=[EnvVariable(name=k, value=v) for k, v in pairs],
        )
    url = str(item["url"])
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https"):
        raise ValueError(f"{where}: {url!r} is not an http(s) URL")
    kind = (
        item.get("type")
        or item.get("transport")
        or ("sse" if parsed.path.endswith("/sse") else "http")
    )
    if kind not in ("http", "sse"):
        raise ValueError(f"{where}: type {kind!r}; an MCP server with a url is 'http' or 'sse'")
    headers = [
        HttpHeader(name=k, value=v) for k, v in _pairs(item.get("headers"), where, "headers")
    ]
    name = str(item.get("name") or parsed.hostname or url)
    if kind == "http":
        return HttpMcpServer(type="http", name=name, url=url, headers=headers)
    return SseMcpServer(type="sse", name=name, url=url, headers=headers)


def _pairs(value: Any, where: str, key: str) -> list[tuple[str, str]]:
    """A mapping, or a list of ``{"name", "value"}`` (ACP's own form), as pairs."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [(str(k), str(v)) for k, v in value.items()]
    try:
        return [(str(p["name"]), str(p["value"])) for p in value]
    except (TypeError, KeyError):
        raise TypeError(f"{where}: {key} is a dict, or a list of {{'name', 'value'}}") from None


def _absolute(command: str, env: Mapping[str, str], where: str) -> str:
    """``command`` as an absolute path (a bare name found on ``env``'s PATH)."""
    if os.path.isabs(command):
        return command
    found = shutil.which(command, path=env.get("PATH", os.defpath))
    if found is None:
        raise ValueError(
            f"{where}: {command!r} is not on the agent's PATH; ACP sends an MCP server's command "
            "as an absolute path: give the full path"
        )
    return os.path.abspath(found)
