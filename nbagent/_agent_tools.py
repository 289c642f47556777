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
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any, Protocol

from nbagent._agent_run import AgentSession, unknown_tool
from nbagent._events import ErrorEvent, Event, RunEnd, RunStart, ToolResult
from nbagent._tools import Tool, ToolOutcome, call_tool
from nbagent.sources import aclose_source

__all__ = ["AgentTool", "AgentToolError", "Call", "agent_tool", "nest", "run_calls"]

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


# The tool call being run by this task (its id, and where its nested events go): set by
# run_calls in each call's task, read by an AgentTool's function (its task copies the context).
_SCOPE: ContextVar[tuple[str, Callable[[Event], None]] | None] = ContextVar(
    "nbagent_tool_scope", default=None
)

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


async def run_inner(
    agent: _Inner, prompt: str, scope: tuple[str, Callable[[Event], None]] | None = None
) -> str:
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
                call_id, emit = scope
                emit(nest(ev, call_id))
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
    tools: Mapping[str, Tool], calls: Sequence[Call], outcomes: dict[str, ToolOutcome]
) -> AsyncIterator[Event]:
    """Run the calls at once, one task each: the events of agents they run as they come, each
    call's result as it finishes (its outcome also put in ``outcomes``). Closing this, or
    cancelling the task that reads it, cancels the calls still running."""
    queue: asyncio.Queue[Event | tuple[Call, ToolOutcome]] = asyncio.Queue()

    async def one(call: Call) -> None:
        _SCOPE.set((call.id, queue.put_nowait))  # this task's own context
        try:
            outcome = await _call(tools, call)
        except Exception as exc:  # noqa: BLE001 — call_tool reports failures; this is a bug
            outcome = ToolOutcome(error_type=type(exc).__name__, error_message=str(exc))
        queue.put_nowait((call, outcome))

    tasks = [asyncio.ensure_future(one(c)) for c in calls]
    try:
        left = len(tasks)
        while left:
            item = await queue.get()
            if isinstance(item, tuple):
                call, outcome = item
                outcomes[call.id] = outcome
                left -= 1
                yield result_event(call, outcome)
            else:
                yield item
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


def result_event(call: Call, outcome: ToolOutcome) -> ToolResult:
    meta = {"duration_s": round(outcome.duration_s, 6), **outcome.extras()}
    return ToolResult(
        tool_call_id=call.id,
        name=call.name,
        content=outcome.shown,
        display=outcome.display,
        is_error=outcome.is_error,
        meta=meta,
    )
