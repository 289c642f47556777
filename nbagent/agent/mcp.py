"""What an MCP server asks while an agent's run calls its tool: the call pauses with the
question, and the notebook answers it as it answers a breakpoint (the panel's buttons, or
``run.pending`` and ``run.approve`` / ``mock`` / ``deny`` / ``dismiss``).

- **Elicitation** (the server asks the user for input; its ``requested_schema`` is a flat
  object): ``approve(i, **fields)`` (the panel: the form built from the schema, Accept)
  accepts with those fields, checked against the schema's required ones (a refused answer
  keeps the call paused, saying why); ``deny`` (Decline) declines; ``dismiss`` (Dismiss)
  tells the server the question was dismissed (MCP ``cancel``), the call going on as the
  server decides; Stop cancels it and stops the run.
- **Sampling** (the server asks the client's model): ``approve(i)`` (Run) lets the agent's
  own model answer, ``mock(i, text)`` sends the text typed instead, ``deny`` refuses.

A call the server answers with a task (MCP tasks) shows the task's status on its panel, and
what the task asks (``input_required``) pauses it as above. A tool with an app (MCP Apps)
shows it in its call's panel: its ``ui://`` resource read once per run, sent the call's
input and result.

A request is the question of the call it came during: on revisions from 2026-07-28 the SDK
says which (``CALLER``); on earlier ones it does not, and the first call of the server
still running without a question takes it. Without a run to pause (the
agent's ``events()`` without ``pauses``), requests wait in ``server.pending``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from nbagent.agent.mcp_apps import with_app
from nbagent.agent.tool_runner import CallScope, current_call
from nbagent.core.events import Status
from nbagent.mcp_client import McpRequest, McpServer
from nbagent.mcp_client._asks import CALLER, TASK_SEEN, check_answer
from nbagent.runtime.pause import Answer, PauseRequest
from nbagent.tools import Tool

__all__ = ["Sampler", "ask_user", "asking_tool", "model_sampler"]

Sampler = Callable[[McpRequest], Awaitable[str]]
"""The agent's model answering a sampling request: the reply's text."""


def model_sampler(client: Any, model: str | None) -> Sampler:
    """A sampling request answered by an agent's model (``client``: its async OpenAI
    client): one call, not streamed, with the request's conversation, system prompt and
    token limit."""

    async def sample(request: McpRequest) -> str:
        messages: list[dict[str, Any]] = []
        if request.system_prompt:
            messages.append({"role": "system", "content": request.system_prompt})
        messages += [{"role": m["role"], "content": m["text"]} for m in request.messages]
        limit = {"max_tokens": request.max_tokens} if request.max_tokens else {}
        reply = await client.chat.completions.create(model=model, messages=messages, **limit)
        return str(reply.choices[0].message.content or "")

    return sample


def asking_tool(server: McpServer, tool: Tool) -> Tool:
    """``tool`` (one of ``server.agent_tools()``) as an agent calls it: what the server asks
    during a call pauses that call."""
    plain = tool.fn
    app = next((t.app for t in server.tools if t.name == tool.name), None)

    async def call(**arguments: Any) -> Any:
        scope = current_call()
        if scope is not None:  # a task the server answers with: its changes on the panel
            TASK_SEEN.set(_task_status(scope))
        if scope is not None and app is not None:  # its app beside it, sent its result
            return await with_app(server, app, scope, lambda: asked(scope, arguments))
        return await asked(scope, arguments)

    async def asked(scope: CallScope | None, arguments: dict[str, Any]) -> Any:
        if scope is None or scope.pauses is None:
            return await plain(**arguments)
        CALLER.set(scope.call_id)  # this task's own: its requests name the call
        questions = _Questions(server, scope, tool.name)
        stop = server.watch(questions.changed)
        try:
            questions.changed("asks")  # asked before the watch began
            return await plain(**arguments)
        finally:
            stop()
            questions.close()

    call.__name__ = getattr(plain, "__name__", tool.name)
    return dataclasses.replace(tool, fn=call)


def _task_status(scope: CallScope) -> Callable[[dict[str, Any]], None]:
    """A Status of the call for each change of its task (told on nbagent's loop)."""
    loop = asyncio.get_running_loop()

    def seen(task: dict[str, Any]) -> None:
        status = Status(
            state="running",
            text=task.get("text"),
            tool_call_id=scope.call_id,
            detail={"task": task},
        )
        loop.call_soon_threadsafe(scope.emit, status)

    return seen


class _Questions:
    """One running call's questions, asked one after another on the call's own loop."""

    def __init__(self, server: McpServer, scope: CallScope, name: str) -> None:
        self.server = server
        self.scope = scope
        self.name = name
        self.loop = asyncio.get_running_loop()
        self.busy = threading.Lock()
        """Held while this call has a question: one at a time, the next for another call."""
        self.asking: dict[str, asyncio.Task[None]] = {}
        """The question being asked (a request id), until answered."""
        self.closed = False

    def changed(self, what: str) -> None:
        """The server's requests changed (on nbagent's loop, or this call's at the start)."""
        if what != "asks" or not self.busy.acquire(blocking=False):
            return
        for request in self.server.pending:
            if request.caller in (None, self.scope.call_id) and self.server.claim(request.id):
                self.loop.call_soon_threadsafe(self._start, request)
                return
        self.busy.release()

    def _start(self, request: McpRequest) -> None:
        if self.closed:  # the call ended before its question could be asked
            self.server.unclaim(request.id)
            return
        self.asking[request.id] = task = self.loop.create_task(self._ask(request))
        task.add_done_callback(lambda _: self.asking.pop(request.id, None))

    def close(self) -> None:
        """The call ended: its unanswered question goes back to the others."""
        self.closed = True
        for request_id, task in list(self.asking.items()):
            task.cancel()
            self.server.unclaim(request_id)

    async def _ask(self, request: McpRequest) -> None:
        try:
            action, content = await self._answer(request)
            self.asking.pop(request.id, None)
            with contextlib.suppress(Exception):  # the call ended meanwhile: nobody waits
                self.server.answer(request.id, action, content)
        finally:
            self.busy.release()
        self.changed("asks")  # a question that came meanwhile

    async def _answer(self, request: McpRequest) -> tuple[Any, Any]:
        return await ask_user(self.scope, self.name, request)


async def ask_user(
    scope: CallScope, name: str, request: McpRequest, asker: str = "server"
) -> tuple[Any, Any]:
    """Ask the notebook ``request`` (a server's or an ACP agent's question: ``asker`` says
    whose) by pausing the call ``scope`` names, shown as ``name``, until an answer fits:
    ``(action, content)`` as MCP and ACP answer an elicitation (``accept`` with the fields,
    ``decline``, ``cancel``) or a sampling request (``accept`` with the reply's text)."""
    assert scope.pauses is not None
    sampling = request.kind == "sampling"
    detail = _detail(request, asker)
    fill = _fill(request.schema)
    while True:
        scope.emit(Status(state="awaiting_approval", tool_call_id=scope.call_id, detail=detail))
        pause = PauseRequest(
            scope.call_id,
            name,
            None if sampling else fill,
            schema=request.schema,
            validate=None if sampling else (lambda a: check_answer(request, a)),
            actions=("run", "mock", "deny") if sampling else ("run", "deny", "dismiss"),
        )
        answer = await scope.pauses.before_tool(pause)
        try:
            action, content = await _content(scope, request, answer, fill, asker)
        except ValueError as exc:  # an answer that does not fit: asked again, saying why
            detail = detail | {"error": str(exc)}
            continue
        # How it went on, in the panel's words: accepted is approved, declined denied, a
        # cancel dismissed (the page's Dismiss: the call goes on) or stopped (Stop).
        dismissed = answer.action == "dismiss"
        shown = {"accept": "run", "decline": "deny"}.get(action, answer.action)
        said = {"action": shown, "args": None, "reason": _said(request, action, dismissed)}
        scope.emit(Status(state="approval_answered", tool_call_id=scope.call_id, detail=said))
        return action, content


async def _content(
    scope: CallScope, request: McpRequest, answer: Answer, fill: dict[str, Any], asker: str
) -> tuple[str, Any]:
    if answer.action in ("cancel", "dismiss"):  # Stop, or the question dismissed
        return "cancel", None
    if answer.action == "deny":
        return "decline", None
    if request.kind == "elicitation":
        if answer.action != "run":
            raise ValueError(f"answer with the fields the {asker} asked for (Accept)")
        return "accept", check_answer(request, answer.args if answer.args is not None else fill)
    if answer.action == "mock":
        return "accept", str(answer.result or "")
    if scope.sample is None:
        raise ValueError("this agent has no model to answer with: type the reply (Mock)")
    return "accept", await scope.sample(request)


def _detail(request: McpRequest, asker: str = "server") -> dict[str, Any]:
    """The pause as the panel shows it (js/src/panels/pause.js): what the server asks, which of the
    panel's buttons answer how, and (an elicitation) the fields an answer starts from."""
    common = {"origin": None, "hint": None, "request": request.to_json()}
    if request.kind == "sampling":
        last = request.messages[-1]["text"] if request.messages else ""
        head = (
            f"The {asker} asks the model: {last[:200]} (Run: the agent's model replies; "
            "Mock result: type the reply; Deny: refuse)"
        )
        return common | {"actions": ["run", "mock", "deny"], "schema": None, "head": head}
    head = (
        f"The {asker} asks: {request.message[:200]} (Accept: send the answer below; Decline: "
        "refuse; Dismiss: leave it unanswered)"
    )
    fill = _fill(request.schema)
    return common | {
        "actions": ["run", "deny", "dismiss"],
        "schema": request.schema,
        "head": head,
        "fill": fill,
    }


def _fill(schema: dict[str, Any] | None) -> dict[str, Any]:
    """An answer's starting point: each field's default, else null."""
    props = (schema or {}).get("properties") or {}
    return {k: v.get("default") if isinstance(v, dict) else None for k, v in props.items()}


def _said(request: McpRequest, action: str, dismissed: bool) -> str:
    if request.kind == "sampling":
        return {"accept": "replied", "decline": "refused", "cancel": "cancelled"}[action]
    cancel = "dismissed" if dismissed else "cancelled"
    return {"accept": "answered", "decline": "declined", "cancel": cancel}[action]
