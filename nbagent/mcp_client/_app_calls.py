"""An MCP app's own tool calls (``tools/call`` from its frame): the page forwards each as
``{"type": "app_call", "id": <the call owning the app>, "request": <the frame's key of it>,
"name", "arguments"}`` (``AppCallRequest``); ``AppCalls`` checks it, pauses it for the author
unless the server's ``app_calls`` policy lets it run, and calls the tool on nbagent's loop.

Each app call is recorded under the owning call's block like a Re-run (its ``reruns``, with
``"by": "app"`` and its ``request``): its name, arguments, state, result, also after the run's
end (an app stays live after its run ended). Its ``answer`` (``{"result": CallToolResult}`` or
``{"error": {"code", "message"}}``, one line) is what the frame posts the app
(js/src/panels/app_calls.js), the state carrying it to every view of the run.
``run.app_calls.pending`` lists the calls waiting for the author; ``run.app_calls.answer(
request, "run" | "deny", args=..., reason=...)`` answers one (the page's Run and Deny send
``{"type": "app_call_answer", "id", "request", "action"}``). A viewer's page cannot make
one (``app_call`` is not among ``VIEWER_MESSAGES``): its frame answers the app with an error.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from nbagent.core.errors import first_line
from nbagent.mcp_client._agent_tools import call_as
from nbagent.mcp_client._apps import app_result
from nbagent.mcp_client._types import McpError, McpResult, McpTool
from nbagent.runtime.loops import background_loop, settle_threadsafe
from nbagent.runtime.reruns import MAX_APP_NAME

if TYPE_CHECKING:
    from nbagent.runtime.pause import Pauses
    from nbagent.runtime.run import Run
    from nbagent.widget.messages import AppCallAnswer, AppCallRequest

__all__ = ["MAX_NAME", "AppCall", "AppCallPolicy", "AppCalls", "AppServer", "owned_by"]

AppCallPolicy = Literal["ask", "read_only"]
"""``nbagent.mcp(..., app_calls=)``: "ask" (every app call pauses for the author) or
"read_only" (calls to tools the server marks ``readOnlyHint`` run at once)."""
MAX_NAME = MAX_APP_NAME
"""The longest tool name (and JSON-RPC id) read from an app."""


class AppServer(Protocol):
    """What an app's calls go to: nbagent's ``McpServer``, or a framework's MCP connection as
    nbagent reaches it (``nbagent/frameworks/pydantic_ai/apps.py``: an ``MCPToolset``)."""

    @property
    def name(self) -> str: ...
    @property
    def tools(self) -> list[McpTool]: ...
    @property
    def app_calls(self) -> str: ...
    async def acall(self, name: str, /, **arguments: Any) -> McpResult: ...


_OWNERS: weakref.WeakKeyDictionary[Pauses, dict[str, AppServer]] = weakref.WeakKeyDictionary()
"""The server of each call with an app, by run (its ``Pauses``) and call id."""


def owned_by(pauses: Pauses, call_id: str, server: AppServer) -> None:
    """Call ``call_id`` of the run whose pauses are ``pauses`` shows an app of ``server``: its
    app may call the server's tools (``nbagent/agent/mcp.py``)."""
    _OWNERS.setdefault(pauses, {})[call_id] = server


@dataclass
class AppCall:
    """One app call: the owning call ``id``, the app's JSON-RPC ``request`` id, the tool's
    ``name`` and ``arguments``; while it waits for the author, ``answered`` is its future."""

    id: str
    request: str | int
    name: str
    arguments: dict[str, Any]
    tool: McpTool
    answered: asyncio.Future[tuple[str, Any]] | None = field(default=None, repr=False)


class AppCalls:
    """The app calls of one run (``run.app_calls``): registered on its page's ``app_call``
    and ``app_call_answer`` messages."""

    def __init__(self, run: Run, session: Any = None) -> None:
        self.run = run
        self._session = session
        """What holds the run's breakpoints (``pause_before``: names and hints, or True),
        read at each call: an app call to a tool named there, or with a hint named there,
        always pauses."""
        self._pending: dict[str | int, AppCall] = {}
        self._k: dict[str | int, int] = {}
        """Each app call's place in its owning call's ``reruns``, by JSON-RPC id."""
        self._loop = background_loop()
        run.app_calls = self
        run.on_message("app_call", self._from_page)
        run.on_message("app_call_answer", self._answer_from_page)
        run.on_done(self._ended)

    def _ended(self) -> None:
        self._loop.call_soon_threadsafe(self._refuse_all)

    @property
    def pending(self) -> list[AppCall]:
        """The app calls waiting for the author's answer (``answer`` one)."""
        return list(self._pending.values())

    def answer(
        self,
        request: str | int,
        action: Literal["run", "deny"],
        *,
        args: dict[str, Any] | None = None,
        reason: str = "",
    ) -> bool:
        """Answer the paused app call of JSON-RPC id ``request``: "run" (with ``args``
        instead of the app's, checked against the tool's input schema) or "deny" (``reason``
        told to the app); False when no call waits so."""
        call = self._pending.get(request)
        if call is None or call.answered is None:
            return False
        if action == "run" and args is not None:
            _check_args(call.tool, args)
        payload = args if action == "run" else reason
        settle_threadsafe(self._loop, call.answered, (action, payload))
        return True

    # -- the page ---------------------------------------------------------------------------

    def _from_page(self, content: AppCallRequest) -> None:
        owner, request = content.get("id"), content.get("request")
        if not isinstance(request, (str, int)) or isinstance(request, bool):
            return  # nothing to answer
        if isinstance(request, str) and len(request) > MAX_NAME:
            return
        try:
            call = self._checked(owner, request, content.get("name"), content.get("arguments"))
        except ValueError as exc:
            self.run.refuse_app_call(content, str(exc))
            return
        asyncio.run_coroutine_threadsafe(self._go(call), self._loop)

    def _answer_from_page(self, content: AppCallAnswer) -> None:
        action, args = content.get("action"), content.get("args")
        request, reason = content.get("request"), content.get("reason")
        if action not in ("run", "deny") or not isinstance(request, (str, int)):
            return
        try:
            self.answer(
                request,
                "run" if action == "run" else "deny",
                args=args if isinstance(args, dict) else None,
                reason=reason[:500] if isinstance(reason, str) else "",
            )
        except ValueError as exc:
            call = self._pending.get(request)
            if call is not None:
                self._record(call.id, request, {"error": str(exc)})

    def _checked(self, owner: Any, request: str | int, name: Any, arguments: Any) -> AppCall:
        server = _OWNERS.get(self.run.pauses, {}).get(owner) if isinstance(owner, str) else None
        if server is None:
            raise ValueError(f"no call {str(owner)[:80]!r} with an app in this run")
        if not isinstance(name, str) or not name or len(name) > MAX_NAME:
            raise ValueError("tools/call needs params.name, a tool's name")
        if arguments is not None and not isinstance(arguments, dict):
            raise ValueError("tools/call's params.arguments must be an object")
        tool = next((t for t in server.tools if t.name == name), None)
        if tool is None:
            raise ValueError(f"the server {server.name!r} has no tool {name!r}")
        if tool.app is not None and "app" not in tool.app.visibility:
            raise ValueError(f"the tool {name!r} is not visible to apps (its visibility)")
        if request in self._pending:
            raise ValueError(f"request {request!r} is already waiting")
        return AppCall(str(owner), request, name, dict(arguments or {}), tool)

    # -- the call, on nbagent's loop ------------------------------------------------------------

    def _pauses(self, call: AppCall, policy: str) -> bool:
        names: Any = getattr(self._session, "pause_before", frozenset())
        if names is True or (isinstance(names, (set, frozenset)) and call.name in names):
            return True
        if isinstance(names, (set, frozenset)) and call.tool.hints & names:
            return True  # a hint named there ("destructive", "read_only": pause_names)
        return policy != "read_only" or not call.tool.read_only

    async def _go(self, call: AppCall) -> None:
        server = _OWNERS[self.run.pauses][call.id]
        record: dict[str, Any] = {"by": "app", "request": call.request, "name": call.name}
        # Copy as code: a call of the tool the app called, not of the call owning the app.
        # No result while it waits: the panel shows none, not "null".
        own = getattr(server, "app_call_as", None)  # a server that is not nbagent's own
        shown = own(call.name) if callable(own) else call_as(call.name)
        record |= {"args": call.arguments, "call_as": shown}
        record["label"] = f"{call.name}, called by the app"  # in the panel, for "Re-run N"
        args: dict[str, Any] = call.arguments
        if self._pauses(call, getattr(server, "app_calls", "ask")):
            call.answered = asyncio.get_running_loop().create_future()
            self._pending[call.request] = call
            self._record(call.id, call.request, record | {"state": "paused"})
            try:
                action, payload = await call.answered
            finally:
                self._pending.pop(call.request, None)
            if action != "run":
                why = str(payload or "denied by the notebook's author")
                text = f"The call was denied: {why}"
                denied = {"content": [{"type": "text", "text": text}], "isError": True}
                fields = {"state": "denied", "result": why, "is_error": True}
                self._record(call.id, call.request, fields | {"answer": {"result": denied}})
                return
            if isinstance(payload, dict):
                args = payload
        self._record(call.id, call.request, record | {"args": args, "state": "running"})
        try:
            result = await server.acall(call.name, **args)
        except McpError as exc:
            line = first_line(exc)
            fields = {"state": "error", "result": line, "is_error": True}
            self._record(call.id, call.request, fields | {"answer": _error(line)})
            return
        fields = {"state": "error" if result.is_error else "done", "result": result.text}
        fields |= {"is_error": result.is_error, "answer": {"result": app_result(result)}}
        self._record(call.id, call.request, fields)

    def _refuse_all(self) -> None:
        """The run was stopped or ended: the calls waiting are refused."""
        for call in list(self._pending.values()):
            if call.answered is not None:
                settle_threadsafe(self._loop, call.answered, ("deny", "the run was stopped"))

    def _record(self, owner: str, request: str | int, fields: dict[str, Any]) -> None:
        """The app call's record under its owning call's block (its ``reruns``), sent to the
        page and saved."""
        run = self.run
        with run.lock:
            self._k[request] = run.record_rerun(owner, fields, self._k.get(request))
        run.save_state()


def _error(line: str) -> dict[str, Any]:
    """A refused or failed app call's answer, as the frame posts it (a JSON-RPC error)."""
    return {"error": {"code": -32000, "message": line}}


def _check_args(tool: McpTool, args: Any) -> None:
    """Edited arguments as paused MCP calls take them (an object; the server checks the rest),
    with the schema's required names there (ValueError: one line why)."""
    if not isinstance(args, dict):
        raise ValueError(f"{tool.name}: the arguments must be an object")
    required = (tool.input_schema or {}).get("required")
    missing = [k for k in required if k not in args] if isinstance(required, list) else []
    if missing:
        raise ValueError(f"{tool.name}: missing required arguments {missing}")
