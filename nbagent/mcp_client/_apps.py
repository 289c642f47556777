"""MCP Apps (the ``io.modelcontextprotocol/ui`` extension): a tool's ``_meta.ui.resourceUri``
names a ``ui://`` resource, HTML of mimeType ``text/html;profile=mcp-app``, that the page shows
in a sandboxed frame beside the call (js/src/widget/app_chunk.js).

``ui_extension`` declares the extension to the server (its ``mimeTypes``, as hosts do);
``tool_app`` reads a tool's ``_meta.ui``; ``AppResources`` fetches each app's resource once per
run through the server's own session and checks it (a ``ui://`` uri, the app mimeType, text
within ``MAX_APP_BYTES``); ``app_event`` puts it in the run (its ``apps``, once per uri) and
``app_result`` is a call's result as the app is sent it (a ``CallToolResult``, bounded), both
for the call's ``meta.app``: the inspector's calls (``nbagent/apps/inspector.py``) and an
agent's (``nbagent/agent/mcp.py``, told the result through ``APP_RESULT``). What a server sends
is read field by field: a ``_meta.ui`` of the wrong types is no app (skipped); a resource that
is missing, of another type, too large or not ``ui://`` is a one-line error the call's panel
shows instead of the app. The domains an app may reach, and its frame's CSP: ``_app_domains``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nbagent.core.errors import first_line
from nbagent.core.events import Custom
from nbagent.core.values import APP_RESULT_BYTES, app_key, app_result_bounded
from nbagent.mcp_client._app_domains import (
    URI_CHARS,
    AppDomains,
    allowed_domains,
    asked_domains,
    csp_policy,
)
from nbagent.mcp_client._types import VISIBILITY, McpApp, McpError, McpResult

if TYPE_CHECKING:
    from mcp.client.extension import ClientExtension

__all__ = [
    "APP_MIME",
    "APP_RESULT",
    "MAX_APP_BYTES",
    "UI",
    "AddedApps",
    "AppResource",
    "AppResources",
    "app_event",
    "app_key",
    "app_result",
    "read_app",
    "tool_app",
    "ui_extension",
]

UI = "io.modelcontextprotocol/ui"
"""The extension's identifier (``mcp.server.apps.EXTENSION_ID``)."""
APP_MIME = "text/html;profile=mcp-app"
"""The mimeType of an app's resource (``mcp.server.apps.APP_MIME_TYPE``)."""
MAX_APP_BYTES = 4 * 1024 * 1024
"""The largest app read (UTF-8 bytes): an app bundled with ext-apps' ``App`` is ~650 KB."""
MAX_RESULT_BYTES = APP_RESULT_BYTES
"""The largest call result sent to an app as it came (larger: its text only, cut)."""
PERMISSIONS = ("camera", "microphone", "geolocation", "clipboardWrite")


def ui_extension() -> ClientExtension:
    """The MCP Apps extension of one connection, as the SDK declares one: its identifier with
    the mimeType nbagent shows (servers check it with ``client_supports_apps``)."""
    from mcp.client.extension import advertise

    return advertise(UI, {"mimeTypes": [APP_MIME]})


def tool_app(meta: Any) -> McpApp | None:
    """The app of a tool whose ``_meta`` is ``meta``; None when it has none or its
    ``_meta.ui`` is not one (a ``resourceUri`` that is not a string: skipped)."""
    ui = meta.get("ui") if isinstance(meta, dict) else None
    uri = ui.get("resourceUri") if isinstance(ui, dict) else None
    if not isinstance(uri, str) or not uri:
        return None
    assert isinstance(ui, dict)
    given = ui.get("visibility")
    seen = [v for v in given if v in VISIBILITY] if isinstance(given, list) else []
    return McpApp(uri[:URI_CHARS], tuple(dict.fromkeys(seen)) or VISIBILITY)


@dataclass(frozen=True)
class AppResource:
    """An app's resource as read and checked: its HTML and what its ``_meta.ui`` asks of the
    host (``csp`` domains, ``permissions``, ``prefers_border``); of the domains, those the
    page ``allowed`` (``app_domains=``) and the line its panel shows of them (``domains``)."""

    uri: str
    html: str
    csp: dict[str, list[str]] = field(default_factory=dict)
    permissions: list[str] = field(default_factory=list)
    prefers_border: bool | None = None
    allowed: dict[str, list[str]] = field(default_factory=dict)
    domains: str = ""

    def to_json(self) -> dict[str, Any]:
        """What the run's state keeps of it (``apps[uri]``), sent to the page once per run."""
        out: dict[str, Any] = {"html": self.html}
        if self.csp:
            out["csp"] = self.csp
        if self.allowed:
            out["policy"] = csp_policy(self.allowed)
        if self.domains:
            out["domains"] = self.domains
        if self.permissions:
            out["permissions"] = self.permissions
        if self.prefers_border is not None:
            out["prefers_border"] = self.prefers_border
        return out


def read_app(uri: str, contents: Sequence[Any], allow: AppDomains = False) -> AppResource:
    """The app in ``contents`` (``resources/read``'s, as JSON) read from ``uri``, the domains
    it asks for allowed as ``allow`` says (``allowed_domains``); McpError saying in one line
    why it is none."""
    item = next((c for c in contents if isinstance(c, dict) and c.get("uri") == uri), None)
    if item is None:
        item = contents[0] if contents and isinstance(contents[0], dict) else None
    if item is None:
        raise McpError(f"app {uri}: the server sent no contents")
    mime = item.get("mimeType")
    if not isinstance(mime, str) or mime.replace(" ", "").lower() != APP_MIME:
        shown = repr(mime)[:80] if mime is not None else "no mimeType"
        raise McpError(f"app {uri}: {shown} is not an app ({APP_MIME})")
    html = _text(uri, item)
    ui = (item.get("_meta") or {}).get("ui") if isinstance(item.get("_meta"), dict) else None
    ui = ui if isinstance(ui, dict) else {}
    border = ui.get("prefersBorder")
    csp = asked_domains(ui.get("csp"))
    allowed, domains = allowed_domains(csp, allow)
    return AppResource(
        uri=uri,
        html=html,
        csp=csp,
        allowed=allowed,
        domains=domains,
        permissions=_permissions(ui.get("permissions")),
        prefers_border=border if isinstance(border, bool) else None,
    )


def _text(uri: str, item: dict[str, Any]) -> str:
    """A content item's HTML: its ``text``, or its ``blob`` (base64 of UTF-8), bounded."""
    text, blob = item.get("text"), item.get("blob")
    if isinstance(text, str):
        # Each character is at most 4 UTF-8 bytes: most texts are judged without encoding.
        size = len(text) if len(text) * 4 <= MAX_APP_BYTES else len(text.encode("utf-8", "replace"))
    elif isinstance(blob, str):
        size = len(blob) * 3 // 4
        if size <= MAX_APP_BYTES:
            try:
                text = base64.b64decode(blob, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise McpError(f"app {uri}: its blob is not base64 of UTF-8 text") from None
    else:
        raise McpError(f"app {uri}: neither text nor blob")
    if size > MAX_APP_BYTES:
        raise McpError(
            f"app {uri}: {size:,} bytes, over the {MAX_APP_BYTES // 1024 // 1024} MB an app may be"
        )
    assert isinstance(text, str)
    return text


def _permissions(raw: Any) -> list[str]:
    return [p for p in PERMISSIONS if isinstance(raw, dict) and isinstance(raw.get(p), dict)]


Reader = Callable[[str], Awaitable[list[dict[str, Any]]]]
"""``read(uri)``: a resource's contents through the server's session (``aread_resource``)."""


class AppResources:
    """The apps one run has read: each resource once (calls at the same time wait for the
    same read), a failure said again rather than asked again."""

    def __init__(self, read: Reader, allow: AppDomains = False) -> None:
        self._read = read
        self._allow = allow
        self._reads: dict[str, asyncio.Future[AppResource]] = {}

    def seen(self, uri: str) -> bool:
        """Whether this run has asked for ``uri`` already."""
        return uri in self._reads

    async def get(self, uri: str) -> AppResource:
        """The app at ``uri``; McpError saying why there is none (not ``ui://``, missing,
        another type, too large)."""
        found = self._reads.get(uri)
        if found is None:
            found = self._reads[uri] = asyncio.ensure_future(self._fetch(uri))
        return await asyncio.shield(found)

    def close(self) -> None:
        """Cancel the reads still going (their run or call ended)."""
        for read in self._reads.values():
            read.cancel()

    async def _fetch(self, uri: str) -> AppResource:
        if not uri.startswith("ui://"):
            raise McpError(f"app {uri[:200]}: not a ui:// resource (the page shows no other)")
        try:
            contents = await self._read(uri)
        except McpError as exc:
            raise McpError(f"app {uri}: {first_line(exc)}") from None
        return read_app(uri, contents, self._allow)


def app_result(result: McpResult) -> dict[str, Any]:
    """A call's result as its app is sent it (``ui/notifications/tool-result``: a
    ``CallToolResult``); one larger than ``MAX_RESULT_BYTES`` as its text, cut."""
    out: dict[str, Any] = {"content": result.content, "isError": result.is_error}
    if result.structured is not None:
        out["structuredContent"] = result.structured
    return app_result_bounded(out, result.text, result.is_error)


def app_event(app: dict[str, Any], read: asyncio.Future[AppResource]) -> Custom | None:
    """What a call's read of its app (done) adds to its run: the app, for the run's ``apps``
    (``Custom("mcp_app")``, under the call's ``app["key"]``, ``app_key``; the reducer keeps
    each key once); or None, the call's ``meta.app`` (``app``) then saying in its ``error`` why
    there is none."""
    try:
        found = read.result()
    except McpError as exc:
        app["error"] = str(exc)
        return None
    key = app.get("key", found.uri)
    return Custom(name="mcp_app", value={"uri": found.uri, "key": key, **found.to_json()})


@dataclass
class AddedApps:
    """The keys of the apps one run has added to its ``apps``: each app's HTML goes once, however
    many calls show it (an nbagent agent's run, a pydantic-ai run)."""

    keys: set[str] = field(default_factory=set)

    def once(self, shows: dict[str, Any], read: asyncio.Future[AppResource]) -> Custom | None:
        """The read app for the run's ``apps`` the first time its key comes (``app_event``);
        None for a later call of it, or a read cancelled, or one that failed (``shows["error"]``
        then says why)."""
        if read.cancelled():
            return None
        found = app_event(shows, read)
        if found is None or shows["key"] in self.keys:
            return None
        self.keys.add(shows["key"])
        return found


APP_RESULT: ContextVar[Callable[[McpResult], None] | None] = ContextVar(
    "nbagent_mcp_app_result", default=None
)
"""Told of an agent's call's result as it came (``_agent_tools``), for the call's app: set by
the agent's tool while it calls a tool with an app (``nbagent/agent/mcp.py``)."""
