"""An agent's run: the Run of ``nbagent.Agent``, which holds its conversation and its tools.

    run = agent.run("Weather in Paris?")
    run.messages                  # the conversation so far (Chat Completions messages)
    run.rerun_tool(0, city="Oslo")  # call tool call 0's Python tool again, shown in its panel
    run.fork(1, {0: "22°C"})      # the conversation after step 1, a result edited, run again

Re-runs are ``nbagent.frameworks.rerun.Reruns``' (the piece framework runs use too) calling the
session's tools.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Protocol

from nbagent.agent.request import wire_message
from nbagent.core.events import Event
from nbagent.core.threads import in_background
from nbagent.frameworks.fork import (
    Edit,
    StepMarks,
    fork_messages,
    fork_title,
    show_beside,
    shows_forks,
    step_number,
)
from nbagent.frameworks.rerun import Reruns, ToolCallError
from nbagent.mcp_client._app_calls import AppCalls
from nbagent.runtime.pause import Pauses
from nbagent.runtime.run import Run, launch
from nbagent.runtime.views import RunView
from nbagent.tools import Tool, ToolOutcome, call_tool_sync
from nbagent.widget.messages import ForkRequest

__all__ = ["AgentRun", "AgentSession", "ToolCallError", "history_messages", "unknown_tool"]

Message = dict[str, Any]


class _Agent(Protocol):
    tools_by_name: dict[str, Tool]

    def raw_events(self, session: AgentSession) -> AsyncIterator[Event]: ...


class AgentSession:
    """One conversation's state (``run.session``): the Chat Completions ``messages`` so far,
    the agent whose tools can be re-run, where each model step ends (for ``fork``) and the
    run's breakpoints. ``agent.run(prompt, history=run)`` continues it."""

    def __init__(self, agent: _Agent, messages: list[Message]) -> None:
        self.agent = agent
        self.messages = messages
        """The Chat Completions messages so far (system, user, assistant, tool)."""
        self.marks = StepMarks()
        """Where each finished model step ends in ``messages`` (``fork``)."""
        self.pause_before: frozenset[str] | bool = frozenset()
        """The tools whose calls pause before they run, and the hints named (True: all;
        ``agent.run(pause_before=)``, ``pause_names``)."""
        self.pauses: Pauses | None = None
        """Where paused calls wait for their answer: the run's (``Run.pauses``)."""

    def run_tool(self, name: str, args: Mapping[str, Any]) -> ToolOutcome:
        """Call the agent's tool ``name`` from synchronous code (a notebook cell included);
        an unknown name is an error outcome, like a model asking for it."""
        tool = self.agent.tools_by_name.get(name)
        if tool is None:
            return unknown_tool(name, self.agent.tools_by_name)
        return call_tool_sync(tool, dict(args))


def unknown_tool(name: str, tools: Mapping[str, Tool]) -> ToolOutcome:
    known = ", ".join(sorted(tools)) or "none"
    return ToolOutcome(
        error_type="UnknownTool", error_message=f"no tool named {name!r} (tools: {known})"
    )


class AgentRun(Run):
    """A :class:`Run` of an agent's session, what ``nbagent.Agent.run`` returns: ``source`` is
    the agent's loop by default. Beside a Run's API it has ``session`` and ``messages`` (the
    conversation so far), ``rerun_tool`` of its Python tools, ``fork(step, edit)`` and
    ``forks``, and the paused calls of ``pause_before``."""

    cannot_fork = None

    def __init__(
        self,
        session: AgentSession,
        source: Any = None,
        *,
        title: str | None = None,
        show_thinking: bool = True,
        throttle_ms: float = 50,
        display: bool | None = None,
        view: RunView | None = None,
    ) -> None:
        super().__init__(
            session.agent.raw_events(session) if source is None else source,
            format="events",
            title=title,
            show_thinking=show_thinking,
            throttle_ms=throttle_ms,
            display=display,
            view=view,
        )
        self._session = session
        session.pauses = self.pauses  # the loop's paused calls wait where the notebook answers
        Reruns(self, session.run_tool)  # rerun_tool and the Re-run button call its tools
        AppCalls(self, session)  # an MCP app's own tool calls (run.app_calls)
        self.on_message("fork", self._fork_from_view)
        self._fork_root: AgentRun = self
        """The run whose view shows this one's forks: the original of a fork's forks too."""
        self._forks: list[AgentRun] = []

    @property
    def session(self) -> AgentSession:
        """The run's conversation and tools."""
        return self._session

    @property
    def messages(self) -> list[Message]:
        """The conversation so far (Chat Completions messages)."""
        return list(self._session.messages)

    # -- forks -----------------------------------------------------------------------------

    def fork(self, step: int | str, edit: Edit = None, *, title: str | None = None) -> AgentRun:
        """A new run of the same agent from the conversation up to model step ``step``,
        shown beside the original (as a lane of its widget) and returned at once.

        ``step``: the model-call number (1, 2, ...; 0: before the first call) or its step id
        (``"model-2"``); it must have finished, its tool calls included. ``edit``: None (the
        same conversation), a str (with step 0 the prompt instead of the original one; after
        a later step the next user message), or ``{tool call id or its position in the step:
        new result}`` (the model reads the edited results). Raises ``RuntimeError`` for a step
        that has not finished, ``ValueError`` for an edit that does not fit the step."""
        n = step_number(step)
        messages = fork_messages(self._session.messages, self._session.marks, n, edit)
        root = self._fork_root
        session = AgentSession(self._session.agent, messages)
        session.pause_before = self._session.pause_before  # the same breakpoints
        run = AgentRun(
            session,
            title=title or fork_title(messages, self._session.marks, n, edit),
            show_thinking=bool(getattr(root.widget, "show_thinking", True)),
            display=root.widget is not None,
        )
        run._fork_root = root
        root._forks.append(run)
        if show_beside(root, run):
            run.start()
        else:  # the original has no widget of its own (a lane): the fork shows on its own
            launch(run)
        return run

    @property
    def forks(self) -> list[AgentRun]:
        """The forks shown beside this run, in the order they were made (a fork's forks are
        its original's: they show beside it too); [] for a fork."""
        return list(self._forks)

    def _fork_from_view(self, content: ForkRequest) -> None:
        """Fork here: ``{"type": "fork", "step": n | None, "edit": ...}``; with no step, the
        step is the one that called the tools whose results ``edit`` names."""
        edit = content.get("edit")
        step = content.get("step")
        if step is None and isinstance(edit, dict) and edit:
            step = self._session.marks.step_of(str(next(iter(edit))))
        if not isinstance(edit, (str, dict, type(None))) or step is None:
            return
        log = logging.getLogger("nbagent")
        if not shows_forks(self._fork_root):  # the comm handler could show the fork nowhere
            log.warning("Fork here: a lane or a chat turn shows no forks; call run.fork() instead")
            return

        def start() -> None:
            try:
                self.fork(step, edit)
            except (RuntimeError, ValueError, TypeError) as e:
                # The button has no cell to raise in: the kernel's log says why.
                log.warning("Fork here: %s", e)

        # Off the comm handler: a widget's comm is opened and a run started.
        in_background(start, name="nbagent-fork")


def history_messages(history: Any) -> list[Message]:
    """The messages a run continues from: a run of an agent's, a session, or a list (its
    messages as every server accepts them, ``request.wire_message``)."""
    if history is None:
        return []
    session = getattr(history, "session", history)
    if isinstance(session, AgentSession):
        return answer_tool_calls(session.messages)
    if isinstance(history, Sequence) and not isinstance(history, (str, bytes)):
        return answer_tool_calls([wire_message(m) for m in history])
    raise TypeError(
        "history must be a Run of an Agent, an AgentSession or a list of messages, "
        f"got {type(history).__name__}"
    )


_NO_RESULT = "(no result: the run was stopped before this tool finished)"


def answer_tool_calls(messages: Sequence[Message]) -> list[Message]:
    """``messages`` with a tool message for every tool call: a run stopped while its tools
    ran leaves calls with no result, and the API refuses a conversation that has them."""
    out: list[Message] = []
    unanswered: list[str] = []

    def answer_the_rest() -> None:
        out.extend({"role": "tool", "tool_call_id": i, "content": _NO_RESULT} for i in unanswered)
        unanswered.clear()

    for message in messages:
        role = message.get("role")
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id in unanswered:
                unanswered.remove(call_id)
        else:
            answer_the_rest()
        if role == "assistant":
            unanswered.extend(str(c.get("id")) for c in message.get("tool_calls") or [])
        out.append(message)
    answer_the_rest()
    return out
