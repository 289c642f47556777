"""The agent's tool calls, run at once with each result as it arrives; and an agent as a tool.

An agent used as a tool (``Agent(tools=[other])``, or ``other.as_tool()``) is an
:class:`AgentTool`: the model sees one parameter, ``prompt`` (a string: the task for the other
agent). Called by an agent's loop, it runs the other agent's own loop (its client, model,
tools) on that prompt, and every event of that run goes into the calling run's stream as it
happens, with ``parent`` = the calling tool call's id and every id of the inner run prefixed
with it (``call_1/model-1``, ``call_1/1/0``, ``call_1/call_7``), so that none collides with the
outer run's. An agent inside that one nests the same way (``parent="call_1/call_7"``). The
inner run's start and end are not forwarded: its answer (the text of its last model call) is
the tool's result; a run that fails (its model's server, ``max_steps``, a stream cut short) is
an error result, the outer run goes on. A Stop cancels the call, so the inner run with it.

Called any other way (``run.rerun_tool``), it runs the other agent with nothing shown and
returns its answer.

Breakpoints (``agent.run(prompt, pause_before=[...])``): before a matching tool call runs, the
run pauses and waits for an answer from the notebook. Each call of a step runs in its own
task, so the step's matching calls pause together while the others run at once. A paused call
emits ``Status(awaiting_approval)`` with what the view may offer and the tool's schema, waits
on the run's ``Pauses``, then emits ``Status(approval_answered)`` and goes on as answered: run
(with the arguments as edited, checked by the tool's validation first), mock (the typed text
is the result; the tool never runs), deny (the model is told, with the reason, and may react),
or cancel (the run was stopped: nothing runs).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any, Protocol

from nbagent.agent.run import AgentSession, unknown_tool
from nbagent.core.events import ErrorEvent, Event, RunEnd, RunStart, Status, ToolResult
from nbagent.pipeline.normalize import parse_arguments
from nbagent.runtime.pause import Answer, PauseRequest, Pauses
from nbagent.sources import aclose_source
from nbagent.tools import Tool, ToolOutcome, call_tool

__all__ = [
    "AgentTool",
    "AgentToolError",
    "Breakpoints",
    "Call",
    "CallScope",
    "agent_tool",
    "breakpoints",
    "current_call",
    "denial",
    "nest",
    "pause_names",
    "run_calls",
]

Message = dict[str, Any]


@dataclasses.dataclass
class Call:
    """A tool call of the step being read: what goes back into the conversation."""

    id: str
    name: str = ""
    arguments: str = ""


class AgentToolError(RuntimeError):
    """The agent called as a tool did not finish its run: the tool call's error."""


class _Inner(Protocol):
    """What an agent used as a tool must do (``nbagent.Agent`` does)."""

    def session(self, prompt: str) -> AgentSession: ...

    def raw_events(self, session: AgentSession) -> AsyncIterator[Event]: ...


@dataclasses.dataclass
class AgentTool(Tool):
    """A :class:`Tool` that runs another agent: ``agent`` is that agent."""

    agent: Any = dataclasses.field(default=None, repr=False, compare=False)


@dataclasses.dataclass(frozen=True)
class CallScope:
    """The tool call a task runs: its id, where its events go, where it may pause (the run's
    ``Pauses``; None: nobody can answer) and the agent's model for a server's sampling."""

    call_id: str
    emit: Callable[[Event], None]
    pauses: Pauses | None = None
    sample: Callable[[Any], Awaitable[str]] | None = None
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)
    """What the call's tool adds to its result's ``meta`` (an MCP tool's app: its block's)."""


# Set by run_calls in each call's task, read by a tool's function (its task copies the
# context): an AgentTool nests its run's events, an MCP tool pauses on its server's questions.
_SCOPE: ContextVar[CallScope | None] = ContextVar("nbagent_tool_scope", default=None)


def current_call() -> CallScope | None:
    """The agent's tool call this task runs, if any."""
    return _SCOPE.get()


# Inner runs that end so give their answer; any other end is an error.
_ANSWERED = ("completed", "max_tokens")


def agent_tool(
    agent: _Inner,
    name: str,
    description: str,
    timeout_s: float | None = None,
) -> AgentTool:
    """``agent`` as a tool named ``name`` (made a valid tool name) with one parameter,
    ``prompt``."""

    async def ask(prompt: str) -> str:
        """Run the agent (the tool's description replaces this line).

        Args:
            prompt: The task or question for this agent, with everything it needs to know: it
                sees nothing else of the conversation.
        """
        return await run_inner(agent, prompt, _SCOPE.get())

    name = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:64] or "agent"
    tool = AgentTool.from_function(ask, name=name, description=description, timeout_s=timeout_s)
    assert isinstance(tool, AgentTool)
    tool.agent = agent
    return tool


async def run_inner(agent: _Inner, prompt: str, scope: CallScope | None = None) -> str:
    """Run ``agent`` on ``prompt``; its answer. With a ``scope`` (the calling tool call's id,
    where events go), each event of the run is sent there as it comes, nested under the call."""
    session = agent.session(prompt)
    end: RunEnd | None = None
    events = agent.raw_events(session)
    try:
        async for ev in events:
            if isinstance(ev, RunEnd):
                end = ev
            elif scope is not None and not isinstance(ev, (RunStart, ErrorEvent)):
                # The run's own start and warnings stay out: its end says how it went.
                scope.emit(nest(ev, scope.call_id))
    finally:  # cancelled (a Stop, a timeout): its model stream is closed now, not at gc
        await aclose_source(events)
    if end is None or end.reason not in _ANSWERED:
        reason = "incomplete" if end is None else end.reason
        message = end.message if end is not None and end.message else None
        raise AgentToolError(message or f"the agent's run ended: {reason}")
    return _answer(session.messages)


def _answer(messages: Sequence[Message]) -> str:
    last = messages[-1] if messages else {}
    content = last.get("content") if last.get("role") == "assistant" else None
    return content if isinstance(content, str) else ""


_ID_FIELDS = ("message_id", "tool_call_id", "step_id", "parent_step_id", "parent_message_id")


def nest(ev: Event, call_id: str) -> Event:
    """``ev`` of a run started by tool call ``call_id``: in its scope, its ids prefixed."""
    prefix = f"{call_id}/"
    changes: dict[str, Any] = {"parent": call_id if ev.parent is None else prefix + ev.parent}
    for name in _ID_FIELDS:
        value = getattr(ev, name, None)
        if isinstance(value, str) and value:
            changes[name] = prefix + value
    return dataclasses.replace(ev, **changes)


async def run_calls(
    tools: Mapping[str, Tool],
    calls: Sequence[Call],
    outcomes: dict[str, ToolOutcome],
    pause: Breakpoints | None = None,
    *,
    pauses: Pauses | None = None,
    sample: Callable[[Any], Awaitable[str]] | None = None,
) -> AsyncIterator[Event]:
    """Run the calls at once, one task each: the events of agents they run as they come, each
    call's result as it finishes (its outcome also put in ``outcomes``). Closing this, or
    cancelling the task that reads it, cancels the calls still running. Calls that ``pause``
    matches wait for their answer first (``Breakpoints``, below); one cancelled ends it all with
    a ``RunEnd("cancelled")``. ``pauses`` and ``sample``: what a call's tool may use
    (``CallScope``)."""
    queue: asyncio.Queue[Event | tuple[Call, ToolOutcome, dict[str, Any]]] = asyncio.Queue()

    async def one(call: Call) -> None:
        scope = CallScope(call.id, queue.put_nowait, pauses, sample)
        _SCOPE.set(scope)  # this task's own
        meta: dict[str, Any] = {}
        try:
            decision = None
            if pause is not None and pause.matches(call.name):
                decision = await pause.ask(tools.get(call.name), call, queue.put_nowait)
            if decision is not None and decision.cancel is not None:
                queue.put_nowait(RunEnd(reason="cancelled", message=decision.cancel))
                return
            if decision is not None and decision.outcome is not None:
                outcome, meta = decision.outcome, decision.meta
            else:
                outcome = await _call(tools, call)
        except Exception as exc:  # noqa: BLE001 — call_tool reports failures; this is a bug
            outcome = ToolOutcome(error_type=type(exc).__name__, error_message=str(exc))
        queue.put_nowait((call, outcome, scope.meta | meta))

    tasks = [asyncio.ensure_future(one(c)) for c in calls]
    try:
        left = len(tasks)
        while left:
            item = await queue.get()
            if isinstance(item, tuple):
                call, outcome, meta = item
                outcomes[call.id] = outcome
                left -= 1
                yield result_event(call, outcome, meta)
            else:
                yield item
                if isinstance(item, RunEnd):  # stopped while paused: no tool runs any more
                    return
    finally:
        for task in tasks:
            task.cancel()
        # Let them end (an agent's run closes its model stream) before the loop goes on.
        await asyncio.gather(*tasks, return_exceptions=True)


async def _call(tools: Mapping[str, Tool], call: Call) -> ToolOutcome:
    tool = tools.get(call.name)
    if tool is None:
        return unknown_tool(call.name, tools)
    return await call_tool(tool, call.arguments)


def result_event(
    call: Call, outcome: ToolOutcome, more: dict[str, Any] | None = None
) -> ToolResult:
    meta = {"duration_s": round(outcome.duration_s, 6), **outcome.extras(), **(more or {})}
    return ToolResult(
        tool_call_id=call.id,
        name=call.name,
        content=outcome.shown,
        display=outcome.display,
        is_error=outcome.is_error,
        meta=meta,
    )


# -- breakpoints ------------------------------------------------------------------------

ACTIONS = ["run", "edit", "mock", "deny"]
PauseNames = frozenset[str] | bool


def denial(reason: str | None) -> str:
    """What the model gets for a denied call: a refusal it can react to."""
    return f"The user denied this call: {reason}" if reason else "The user denied this call."


@dataclasses.dataclass(frozen=True)
class Decision:
    """How a paused call goes on: ``outcome`` set (mocked, denied: nothing runs), ``cancel``
    (the run stopped), else run with the call's (maybe edited) arguments."""

    outcome: ToolOutcome | None = None
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)
    cancel: str | None = None


@dataclasses.dataclass(frozen=True)
class Breakpoints:
    """Which tool calls pause (``names``, or every one: True) and where they wait."""

    names: PauseNames
    pauses: Pauses

    def matches(self, name: str) -> bool:
        return self.names is True or (not isinstance(self.names, bool) and name in self.names)

    async def ask(self, tool: Tool | None, call: Any, emit: Callable[[Event], None]) -> Decision:
        """Pause ``call`` (an ``_agent_tools.Call``: its ``arguments`` become the edited
        ones) until answered."""
        args, _ = parse_arguments(call.arguments or "{}")
        asked = args if isinstance(args, dict) else None
        schema = None if tool is None else tool.parameters
        detail = {"actions": ACTIONS, "origin": "breakpoint", "hint": None, "schema": schema}
        emit(Status(state="awaiting_approval", tool_call_id=call.id, detail=detail))
        request = PauseRequest(
            call.id,
            call.name,
            asked,
            schema=schema,
            validate=None if tool is None else tool.validate,
        )
        answer = await self.pauses.before_tool(request)
        emit(_answered(call.id, answer))
        if answer.action == "cancel":
            return Decision(cancel=answer.reason or "stopped by user")
        if answer.action == "mock":
            result = answer.result if answer.result is not None else ""
            return Decision(ToolOutcome(result=result), {"mocked": True})
        if answer.action == "deny":
            return Decision(ToolOutcome(result=denial(answer.reason)), {"denied": True})
        if answer.args is not None:
            call.arguments = json.dumps(answer.args, ensure_ascii=False)
        return Decision()


def _answered(tool_call_id: str, answer: Answer) -> Status:
    detail = {"action": answer.action, "args": answer.args, "reason": answer.reason}
    return Status(state="approval_answered", tool_call_id=tool_call_id, detail=detail)


HINTS = frozenset({"destructive", "read_only", "idempotent", "open_world"})
"""The hints a tool may have (``Tool.hints``), which ``pause_before`` may name."""


def pause_names(
    pause_before: Iterable[str] | bool, tools: Mapping[str, Tool], answerable: bool
) -> PauseNames:
    """``pause_before`` as the tool names that pause (True: every tool), with the hints it
    names; ``ValueError`` for a name that is no tool of the agent (a typo would pause
    nothing), or when calls would pause with nobody to answer them (not ``answerable``)."""
    if pause_before and not answerable:
        raise ValueError(
            "pause_before needs someone to answer the paused calls: use agent.run(), or "
            "pass pauses=nbagent.Pauses() and answer through it (pauses.answer)"
        )
    if isinstance(pause_before, bool):
        return pause_before
    words = frozenset([pause_before] if isinstance(pause_before, str) else pause_before)
    # A hint ("destructive": an MCP server's annotation) stands for the tools that have it;
    # a tool of that name wins.
    hinted = {w for w in words if w not in tools and w.replace("-", "_") in HINTS}
    unknown = sorted(words - hinted - tools.keys())
    if unknown:
        known = ", ".join(sorted(tools)) or "none"
        raise ValueError(
            f"pause_before names no tool of the agent: {unknown} (tools: {known}; "
            f"or a hint: {', '.join(sorted(HINTS))})"
        )
    wanted = {w.replace("-", "_") for w in hinted}
    # The hints stay in the set too: an MCP app's call of a tool the model never sees (its
    # server's, by its own hints: nbagent/mcp_client/_app_calls.py) pauses by them.
    return (words - hinted) | wanted | {n for n, t in tools.items() if t.hints & wanted}


def breakpoints(names: PauseNames, pauses: Pauses | None) -> Breakpoints | None:
    """A step's breakpoints; None when no call pauses."""
    return Breakpoints(names, pauses) if names and pauses is not None else None
