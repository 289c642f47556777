"""An MCP server in a cell: ``nbagent.mcp(...)`` as a cell's last expression shows its
inspector.

    server = nbagent.mcp("uvx mcp-server-time")
    server                      # tools, resources, prompts, log, JSON-RPC; forms to call them

The inspector (``McpInspector``) is one widget (``InspectorWidget``, its code a chunk of its
own) whose calls are the turns of a chat widget (``nbagent.apps.lanes``): each call, resource
read or prompt is a run of its own (``inspector_events``), a tool panel with its arguments,
result, duration, live progress and log lines in its status line, Stop (which cancels the
request), Re-run with edited arguments (a new turn) and Copy as code (``server.call("name",
...)``). What the server asks mid-call (elicitation, sampling) waits in ``pending`` for an
answer from the form or from code (``server.answer``). The log and the JSON-RPC messages reach
the page as messages, at most every ``PUSH_S``; nothing the server sends is trusted (the page
shows it as text; results go through the run view's sanitizer).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import shlex
import threading
from collections.abc import Callable
from typing import Any, Literal, cast

from nbagent.apps.inspector_events import request_events
from nbagent.apps.lanes import Lanes
from nbagent.core.paths import shown_command
from nbagent.core.threads import in_background
from nbagent.mcp_client import McpApp, McpError, McpLogEntry, McpServer
from nbagent.mcp_client import mcp as _connect
from nbagent.mcp_client._app_calls import AppCalls, owned_by
from nbagent.mcp_client._asks import Action
from nbagent.mcp_client._results import (
    log_text,
    prompt_result,
    read_result,
)
from nbagent.runtime.loops import background_loop
from nbagent.runtime.run import Run
from nbagent.tools import py_str
from nbagent.widget.inspector import InspectorWidget
from nbagent.widget.messages import InspectorFeed, InspectorRequest, RerunRequest

__all__ = ["McpInspector", "mcp"]

PUSH_S = 0.25
"""Seconds between two messages of new log lines and JSON-RPC messages (a chatty server
sends many per second)."""


@functools.wraps(_connect)
def mcp(*args: Any, **kwargs: Any) -> McpServer:
    kwargs.setdefault("view", McpInspector)
    return _connect(*args, **kwargs)


class McpInspector:
    """The inspector of ``server``: ``widget`` in a notebook (None elsewhere, where the
    inspector prints the server's catalog)."""

    def __init__(self, server: McpServer) -> None:
        self.server = server
        self.calls = Lanes(layout="chat")
        """The calls made from the inspector, one turn each (``calls.runs``)."""
        self._ids = itertools.count(1)
        self._sent = {"log": 0, "rpc": 0}
        self._push_due = False
        self._lock = threading.Lock()
        self.widget: InspectorWidget | None = None
        if self.calls.widget is not None:
            self.calls.widget.read_only = True  # the calls come from the forms, not typed
            self.widget = InspectorWidget(
                calls=self.calls.widget,
                server=self._server_info(),
                catalog=self._catalog(),
                pending=[r.to_json() for r in server.pending],
            )
            self.widget.add_handler(self._on_message)
            server.watch(self._changed)

    # -- calls ----------------------------------------------------------------------------

    def call(self, name: str, args: dict[str, Any]) -> Run:
        """Call tool ``name``, shown as a turn (with its app, when it has one); its Run."""
        call_as = f"server.call({py_str(name)}, {{args}})"
        app = next((t.app for t in self.server.tools if t.name == name), None)
        return self._turn(
            name,
            args,
            call_as,
            lambda p, t: self.server.acall_with_progress(name, args, p, t),
            app,
        )

    def read(self, uri: str) -> Run:
        """Read a resource, shown as a turn."""

        async def read(_progress: Any, _task: Any) -> Any:
            return read_result(await self.server.aread_resource(uri))

        return self._turn("read_resource", {"uri": uri}, "server.read_resource({args})", read)

    def get_prompt(self, name: str, args: dict[str, str]) -> Run:
        """Get a prompt with its arguments, shown as a turn."""

        async def get(_progress: Any, _task: Any) -> Any:
            return prompt_result(await self.server.aget_prompt(name, **args))

        call_as = f"server.get_prompt({py_str(name)}, {{args}})"
        return self._turn(f"prompt {name}", args, call_as, get)

    def _turn(
        self,
        shown: str,
        args: dict[str, Any],
        call_as: str,
        request: Callable[[Any, Any], Any],
        app: McpApp | None = None,
    ) -> Run:
        cid = f"call-{next(self._ids)}"
        source = request_events(self.server, cid, shown, args, call_as, request, app)
        # No prompt above the turn: the call's panel names the tool and its arguments.
        run = self.calls.add(source, format="events", start=False)
        run.on_message("rerun", self._rerun(shown))  # the request again, edited
        if app is not None:  # its app may call the server's tools, as the author allows
            owned_by(run.pauses, cid, self.server)
            AppCalls(run)
        if run.view is not None:
            run.view.set_can_rerun(True)
        run.start()
        return run

    def _rerun(self, shown: str) -> Callable[[RerunRequest], None]:
        """Re-run with edited arguments: the same request again, as a new turn."""

        def again(content: RerunRequest) -> None:
            args = content.get("args")
            if not isinstance(args, dict):
                return
            if shown == "read_resource":
                self.read(str(args.get("uri", "")))
            elif shown.startswith("prompt "):
                self.get_prompt(shown[len("prompt ") :], {k: str(v) for k, v in args.items()})
            else:
                self.call(shown, args)

        return again

    # -- the page ---------------------------------------------------------------------------

    def _on_message(self, content: InspectorRequest) -> None:
        kind = content.get("type")
        given = content.get("args")
        args: dict[str, Any] = given if isinstance(given, dict) else {}
        name = content.get("name")
        uri, ask_id = content.get("uri"), content.get("id")
        try:
            if kind == "call" and isinstance(name, str):
                self.call(name, args)
            elif kind == "read" and isinstance(uri, str):
                self.read(uri)
            elif kind == "prompt" and isinstance(name, str):
                self.get_prompt(name, {k: str(v) for k, v in args.items()})
            elif kind == "answer" and isinstance(ask_id, str):
                action = cast(Action, content.get("action", ""))  # McpServer.answer checks it
                self.server.answer(ask_id, action, content.get("content"))
            elif kind == "refresh":
                in_background(self._refresh, name="nbagent-mcp")
            elif kind == "history":
                self._push(everything=True)
        except Exception as exc:  # noqa: BLE001 - the page says what went wrong; the kernel lives
            self.calls.notice(f"{type(exc).__name__}: {exc}")

    def _refresh(self) -> None:
        try:
            self.server.refresh()
            catalog = self._catalog()
        except McpError as exc:
            catalog = dict(self.widget.catalog if self.widget else {}) | {"error": str(exc)}
        if self.widget is not None:
            self.widget.catalog = catalog

    def _changed(self, what: str) -> None:
        """On nbagent's loop: pending requests go out at once, the feeds batched."""
        if self.widget is None:
            return
        if what == "asks":
            self.widget.pending = [r.to_json() for r in self.server.pending]
            return
        with self._lock:
            if self._push_due:
                return
            self._push_due = True
        background_loop().call_later(PUSH_S, self._push)

    def _push(self, everything: bool = False) -> None:
        """Send the log lines and JSON-RPC messages the page has not had (``everything``:
        all those kept, for a view that just opened), each numbered from the first ever."""
        with self._lock:
            self._push_due = False
            feeds: dict[
                Literal["log", "rpc"], tuple[int, list[Any], Callable[[Any], dict[str, Any]]]
            ] = {
                "log": (self.server.log_count, self.server.log, _log_json),
                "rpc": (self.server.rpc_count, self.server.rpc, dict),
            }
            message: InspectorFeed = {"type": "feed"}
            for name, (total, kept, as_json) in feeds.items():
                first = total - len(kept)  # the number of kept[0]
                start = 0 if everything else max(0, self._sent[name] - first)
                # Only what is sent is made JSON: a chatty server keeps 1,000 log lines.
                message[name] = [
                    {"n": first + i} | as_json(e) for i, e in enumerate(kept[start:], start)
                ]
                self._sent[name] = total
        if self.widget is not None:
            self.widget.send(message)

    def _server_info(self) -> dict[str, Any]:
        """The head line's facts; a command without this machine's paths (the trait is saved
        with the notebook): ``python server.py``, not the interpreter's path."""
        s = self.server
        target = shown_command(shlex.split(s.target)) if s.transport == "stdio" else s.target
        return {
            "name": target if s.name == s.target else s.name,
            "target": target,
            "transport": s.transport,
            "protocol_version": s.protocol_version,
            "instructions": s.instructions,
            "tasks": s.tasks,
        }

    def _catalog(self) -> dict[str, Any]:
        s = self.server
        out: dict[str, Any] = {"tools": [_tool_json(t) for t in s.tools]}
        errors = []
        lists: dict[str, Callable[[], list[Any]]] = {
            "resources": s.list_resources,
            "templates": s.list_resource_templates,
            "prompts": s.list_prompts,
        }
        for key, fetch in lists.items():
            try:
                out[key] = [_json(x) for x in fetch()]
            except McpError as exc:  # noqa: PERF203 - three requests, each may fail alone
                out[key] = []
                errors.append(str(exc))
        if errors:
            out["error"] = "\n".join(errors)
        return out

    def _display_(self) -> Any:
        return self.widget if self.widget is not None else repr(self)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget if self.widget is not None else repr(self))  # type: ignore[no-untyped-call]

    def __repr__(self) -> str:
        lines = [f"{self.server!r}"]
        for t in self.server.tools:
            hints = ", ".join(sorted(t.hints))
            lines.append(
                f"  {t.name}: {t.description.splitlines()[0] if t.description else ''}"
                + (f" [{hints}]" if hints else "")
            )
        return "\n".join(lines)


def _json(x: Any) -> dict[str, Any]:
    return {k: v for k, v in dataclasses.asdict(x).items() if v not in (None, "", [], {})}


def _tool_json(tool: Any) -> dict[str, Any]:
    return _json(tool) | {"hints": sorted(tool.hints)}


def _log_json(entry: McpLogEntry) -> dict[str, Any]:
    return {"level": entry.level, "logger": entry.logger, "text": log_text(entry, level=False)}
