"""A small, honest tool-calling agent loop on the ``openai`` SDK that produces nbagent events.

    agent = nbagent.Agent(model="gpt-4.1-mini", tools=[get_weather], instructions="...")
    run = agent.run("Weather in Paris and Oslo?")     # live widget; returns a Run at once
    async for ev in agent.stream("..."): ...          # the same events, no display
    agent.run("and tomorrow?", history=run)           # continue the conversation

Each model call is a step: a streamed Chat Completion (any OpenAI-compatible server), read
through the ``openai-chat`` adapter. When it ends asking for tools, the tools run (in
parallel; sync ones in threads), their results go back to the model and the next step
starts, up to ``max_steps`` model calls. A tool that raises or times out is an error result
the model sees; it never ends the run. Another ``Agent`` in ``tools`` is a tool too
(``as_tool``): its run shows nested in the call (``agent/tool_runner.py``).
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Any

from nbagent.adapters.openai_chat import OpenAIChatAdapter
from nbagent.agent.mcp import asking_tool, model_sampler
from nbagent.agent.mcp_apps import AppsAtStart
from nbagent.agent.openai_client import as_async_client, default_client
from nbagent.agent.request import request_options, wire_call
from nbagent.agent.run import AgentRun, AgentSession, ToolCallError, history_messages
from nbagent.agent.steps import StepIds, record
from nbagent.agent.tool_runner import (
    AgentTool,
    Call,
    agent_tool,
    breakpoints,
    pause_names,
    run_calls,
)
from nbagent.core.events import (
    ErrorEvent,
    Event,
    RunEnd,
    RunStart,
    StepEnd,
    StepStart,
    ToolCallStart,
)
from nbagent.mcp_client import McpApp, McpServer
from nbagent.pipeline.stream import aiter_events
from nbagent.runtime.pause import Pauses
from nbagent.runtime.run import Run, launch
from nbagent.runtime.views import RunView
from nbagent.sources import aclose_source
from nbagent.tools import Tool, ToolOutcome

__all__ = ["Agent", "AgentRun", "AgentSession", "ToolCallError"]

Message = dict[str, Any]


class Agent:
    """A tool-calling agent on any OpenAI-compatible Chat Completions endpoint.

    ``client``: an ``openai.AsyncOpenAI`` or ``openai.OpenAI`` (set ``base_url`` for
    Ollama, vLLM, llama.cpp server); by default one is made from ``OPENAI_API_KEY`` and
    ``OPENAI_BASE_URL``. ``tools``: plain functions (sync or async), :class:`Tool` objects,
    other agents (``agent.as_tool()``: their runs shown nested in the tool call), or MCP
    servers (``nbagent.mcp(...)``: each of their tools under its own name, prefixed with the
    server's name only where two tools would have the same).
    ``max_steps``: model calls per run. ``tool_timeout_s``: default timeout of tools made
    from functions. ``name``: the tool's name when this agent is another's tool.
    ``create_kwargs`` go to every ``chat.completions.create`` call (``temperature``,
    ``reasoning_effort``, ``parallel_tool_calls``, ...); a ``tool_choice`` that forces a
    call (``"required"``, or ``{"type": "function", "function": {"name": ...}}``) holds until
    a tool has run for the prompt, then the model is asked with ``"auto"``: forced at every
    step, it would call tools until ``max_steps``. What is sent is what every OpenAI-compatible
    server accepts (``request.py``).
    """

    def __init__(
        self,
        model: str,
        tools: Iterable[Tool | Agent | McpServer | Callable[..., Any]] = (),
        *,
        client: Any = None,
        instructions: str | None = None,
        name: str | None = None,
        max_steps: int = 10,
        tool_timeout_s: float | None = 60.0,
        **create_kwargs: Any,
    ) -> None:
        if max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {max_steps!r}")
        self.model = model
        self.instructions = instructions
        self.name = name
        self.max_steps = max_steps
        self.create_kwargs = create_kwargs
        self._app_tools: dict[str, tuple[McpServer, McpApp]] = {}
        self.tools = _tools_of(tools, tool_timeout_s, self._app_tools)
        self.tools_by_name = {t.name: t for t in self.tools}
        if len(self.tools_by_name) != len(self.tools):
            raise ValueError("two tools have the same name")
        self._client = client

    # -- public API ----------------------------------------------------------------------

    def as_tool(
        self,
        name: str | None = None,
        description: str | None = None,
        *,
        timeout_s: float | None = None,
    ) -> AgentTool:
        """This agent as another agent's tool, with one parameter: ``prompt`` (str).

        Called, it runs this agent's own loop (its client, model and tools) on the prompt;
        its answer is the call's result, and everything it does shows inside the call as it
        happens (its events carry ``parent``, the call's id). A run that fails is an error
        result. ``name`` defaults to the agent's ``name`` (else ``"agent"``), ``description``
        to its instructions; ``timeout_s``: how long a call may take (None: no limit).
        """
        name = name or self.name or "agent"
        if description is None:
            description = self.instructions or f"Ask the agent {name!r}; it answers in text."
        return agent_tool(self, name, description, timeout_s)

    def run(
        self,
        prompt: str,
        *,
        history: Run | AgentSession | Sequence[Message] | None = None,
        title: str | None = None,
        show_thinking: bool = True,
        throttle_ms: float = 50,
        pause_before: Iterable[str] | bool = (),
    ) -> AgentRun:
        """Start a run shown live below the cell; returns its :class:`AgentRun` at once.

        ``pause_before``: tool names (or True: every tool) whose calls wait, before they run,
        and hints standing for the tools that have them (an MCP server's annotations:
        "destructive", "read_only", "idempotent", "open_world"), for an answer: the tool
        panel's buttons, or ``run.approve(i)``, ``run.mock(i, result)``, ``run.deny(i,
        reason=...)`` (``run.pending`` lists them)."""
        run = self.prepare(
            prompt,
            history=history,
            title=title,
            show_thinking=show_thinking,
            throttle_ms=throttle_ms,
            pause_before=pause_before,
        )
        return launch(run)

    def prepare(
        self,
        prompt: str,
        *,
        history: Run | AgentSession | Sequence[Message] | None = None,
        title: str | None = None,
        show_thinking: bool = True,
        throttle_ms: float = 50,
        view: RunView | None = None,
        pause_before: Iterable[str] | bool = (),
    ) -> AgentRun:
        """The run of ``prompt``, not started: ``run()`` displays and starts it; a lane of
        ``compare()`` or a chat turn gives its ``view``."""
        session = self.session(prompt, history)
        session.pause_before = pause_names(pause_before, self.tools_by_name, True)
        return AgentRun(
            session,
            title=title,
            show_thinking=show_thinking,
            throttle_ms=throttle_ms,
            view=view,
        )

    def stream(
        self,
        prompt: str,
        *,
        history: Run | AgentSession | Sequence[Message] | None = None,
        pause_before: Iterable[str] | bool = (),
        pauses: Pauses | None = None,
    ) -> AsyncIterator[Event]:
        """The run's normalized events, as ``show()`` would render them; no display.

        With ``pause_before``, paused calls wait in ``pauses`` (an ``nbagent.Pauses``: answer
        them there, from another task or thread); without it there is nobody to answer:
        ``ValueError``."""
        session = self.session(prompt, history)
        session.pause_before = pause_names(pause_before, self.tools_by_name, pauses is not None)
        session.pauses = pauses
        return aiter_events(self.raw_events(session), format="events")

    def session(
        self, prompt: str, history: Run | AgentSession | Sequence[Message] | None = None
    ) -> AgentSession:
        """A new session: the instructions, the history's messages, then ``prompt``."""
        messages: list[Message] = []
        earlier = history_messages(history)
        if self.instructions and not (earlier and earlier[0].get("role") == "system"):
            messages.append({"role": "system", "content": self.instructions})
        messages.extend(earlier)
        messages.append({"role": "user", "content": prompt})
        return AgentSession(self, messages)

    # -- the loop ------------------------------------------------------------------------

    async def raw_events(self, session: AgentSession) -> AsyncIterator[Event]:
        """The loop: model call, tools, model call, ... as un-normalized events."""
        client = self._async_client()
        yield RunStart(model=self.model)
        session.marks.begin(len(session.messages))
        apps = AppsAtStart(self._app_tools, session.pauses)
        for step in range(1, self.max_steps + 1):
            calls: list[Call] = []
            text: list[str] = []
            end: RunEnd | None = None
            async for ev in self._model_step(client, session.messages, step):
                if isinstance(ev, RunEnd):  # the step's end; read on so the stream gets closed
                    end = ev
                    continue
                record(ev, calls, text)
                yield apps.started(self._with_server(ev))
                for shown in apps.ready():
                    yield shown
            for shown in await apps.settle():  # before a call runs or pauses
                yield shown
            assistant: Message = {"role": "assistant", "content": "".join(text)}
            if calls:
                assistant["tool_calls"] = [wire_call(c.id, c.name, c.arguments) for c in calls]
            session.messages.append(assistant)
            if end is not None and end.reason in ("completed", "tool_calls"):
                session.marks.model_done(step, len(session.messages), [c.id for c in calls])
            if end is None or end.reason != "tool_calls" or not calls:
                yield end or RunEnd(reason="incomplete", message="the model's stream ended early")
                return
            stopped = False
            async for ev in self._run_tools(session, calls, step):
                stopped = isinstance(ev, RunEnd)  # stopped while a call was paused
                yield ev
            if stopped:
                return
            session.marks.tools_done(step, len(session.messages))
        message = (
            f"stopped after {self.max_steps} model calls (max_steps): "
            "the model still asked for tools"
        )
        yield ErrorEvent(message=message, error_type="max_steps", recoverable=True)
        yield RunEnd(reason="max_steps", message=message)

    async def _model_step(
        self, client: Any, messages: list[Message], step: int
    ) -> AsyncIterator[Event]:
        """One streamed model call through the openai-chat adapter, ids made unique per step;
        it starts as its request goes out (a slow prompt's wait is in its time to first token)."""
        tools = [t.openai_schema() for t in self.tools]
        kwargs = request_options(self.create_kwargs, tools, messages)
        yield StepStart(step_id=f"model-{step}", name="model", step_type="model", ts=time.time())
        stream = await client.chat.completions.create(
            model=self.model, messages=list(messages), stream=True, **kwargs
        )
        adapter = OpenAIChatAdapter()
        ids = StepIds(step, self.model)
        try:
            async for chunk in stream:
                for ev in adapter.feed(chunk):
                    renamed = ids.rename(ev)
                    if renamed is not None:
                        yield renamed
            for ev in adapter.end():
                renamed = ids.rename(ev)
                if renamed is not None:
                    yield renamed
        finally:
            await aclose_source(stream)

    async def _run_tools(
        self, session: AgentSession, calls: list[Call], step: int
    ) -> AsyncIterator[Event]:
        """Run the step's tool calls at once; each result as it arrives (and the events of
        agents used as tools, nested under their calls), then the results in order."""
        step_id = f"tools-{step}"
        yield StepStart(step_id=step_id, name="tools", step_type="tool")
        outcomes: dict[str, ToolOutcome] = {}
        pause = breakpoints(session.pause_before, session.pauses)
        sample = model_sampler(self._async_client(), self.model)  # a server's sampling
        events = run_calls(
            self.tools_by_name, calls, outcomes, pause, pauses=session.pauses, sample=sample
        )
        try:
            async for ev in events:
                yield ev
                if isinstance(ev, RunEnd):
                    return
        finally:  # closed at a yield (a consumer that stops reading): the calls stop now
            await aclose_source(events)
        if pause is not None:  # edited arguments are what the model called, in the conversation
            session.messages[-1]["tool_calls"] = [
                wire_call(c.id, c.name, c.arguments) for c in calls
            ]
        for c in calls:  # the conversation lists results in the order of the calls
            session.messages.append(
                {
                    "role": "tool",
                    "tool_call_id": c.id,
                    "content": outcomes[c.id].content_for_model(),
                }
            )
        yield StepEnd(step_id=step_id, name="tools")

    def _with_server(self, ev: Event) -> Event:
        """A call of an MCP server's tool names the server (its panel shows it) and copies
        as a call of the server."""
        if isinstance(ev, ToolCallStart) and not ev.server:
            tool = self.tools_by_name.get(ev.name)
            if tool is not None and tool.origin:
                return dataclasses.replace(ev, server=tool.origin, call_as=tool.call_as)
        return ev

    def _async_client(self) -> Any:
        if self._client is None:
            self._client = default_client()
        return as_async_client(self._client)


def _tools_of(
    items: Iterable[Tool | Agent | McpServer | Callable[..., Any]],
    timeout_s: float | None,
    apps: dict[str, tuple[McpServer, McpApp]],
) -> list[Tool]:
    """``Agent(tools=...)`` as Tools; an MCP server's tool whose name another tool has too is
    renamed ``<server>_<tool>`` (the model sees that name; the server is called with its own).
    The tools with an app go to ``apps``, by the name the model sees."""
    tools: list[Tool] = []
    served: list[tuple[McpServer, Tool]] = []
    for t in items:
        if isinstance(t, McpServer):
            served += [(t, asking_tool(t, tool)) for tool in t.agent_tools()]
        elif isinstance(t, Agent):
            tools.append(t.as_tool())
        else:
            tools.append(t if isinstance(t, Tool) else Tool.from_function(t, timeout_s=timeout_s))
    names = Counter(t.name for t in tools) + Counter(tool.name for _, tool in served)
    for server, tool in served:
        app = next((t.app for t in server.tools if t.name == tool.name), None)
        if names[tool.name] > 1:
            prefix = re.sub(r"[^A-Za-z0-9_-]+", "_", server.name).strip("_")[:32] or "mcp"
            tool = dataclasses.replace(tool, name=f"{prefix}_{tool.name}"[:64])
        if app is not None:
            apps[tool.name] = (server, app)
        tools.append(tool)
    return tools
