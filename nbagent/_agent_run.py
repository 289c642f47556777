"""An agent's run: the Run of ``nbagent.Agent``, which holds its conversation and its tools.

    run = agent.run("Weather in Paris?")
    run.messages                  # the conversation so far (Chat Completions messages)
    run.rerun_tool(0, city="Oslo")  # call tool call 0's Python tool again, shown in its panel
    run.fork(1, {0: "22°C"})      # the conversation after step 1, a result edited, run again

A re-run is a call from the notebook, not an event of the run (it may come after the run's
end): it is recorded on the tool block's ``reruns`` and sent with ``Run.push_late``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Protocol

from nbagent._events import Event
from nbagent._fork import (
    Edit,
    StepMarks,
    fork_messages,
    fork_title,
    show_beside,
    shows_forks,
    step_number,
)
from nbagent._tools import Tool, ToolOutcome, call_tool_sync
from nbagent.runtime.pause import Pauses
from nbagent.runtime.run import Run, launch
from nbagent.runtime.views import RunView

__all__ = ["AgentRun", "AgentSession", "ToolCallError", "history_messages", "unknown_tool"]

Message = dict[str, Any]


class ToolCallError(RuntimeError):
    """A re-run tool raised or timed out; ``outcome`` holds the error and what it printed."""

    def __init__(self, outcome: ToolOutcome) -> None:
        super().__init__(outcome.shown)
        self.outcome = outcome


class _Agent(Protocol):
    tools_by_name: dict[str, Tool]

    def raw_events(self, session: AgentSession) -> AsyncIterator[Event]: ...


class AgentSession:
    """One conversation's state: the messages so far and the tools that can be re-run."""

    def __init__(self, agent: _Agent, messages: list[Message]) -> None:
        self.agent = agent
        self.messages = messages
        """The Chat Completions messages so far (system, user, assistant, tool)."""
        self.marks = StepMarks()
        """Where each finished model step ends in ``messages`` (``fork``)."""
        self.pause_before: frozenset[str] | bool = frozenset()
        """The tools whose calls pause before they run (True: all; ``agent.run(pause_before=)``)."""
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
    """A :class:`Run` of an agent's session: ``source`` is the agent's loop by default."""

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
        self.on_message("rerun", self._rerun_from_view)
        self.on_message("fork", self._fork_from_view)
        self._fork_root: AgentRun = self
        """The run whose view shows this one's forks: the original of a fork's forks too."""
        self._forks: list[AgentRun] = []
        if self.view is not None:
            self.view.set_can_rerun(True)

    @property
    def session(self) -> AgentSession:
        """The run's conversation and tools."""
        return self._session

    @property
    def messages(self) -> list[Message]:
        """The conversation so far (Chat Completions messages)."""
        return list(self._session.messages)

    def rerun_tool(self, i: int, **overrides: Any) -> Any:
        """Call the Python tool of ``transcript.tool_calls[i]`` again, ``overrides`` replacing
        arguments; returns its result (raises :class:`ToolCallError` if it fails)."""
        call = self.transcript.tool_calls[i]
        args = dict(call.args) if isinstance(call.args, dict) else {}
        outcome = self._rerun(call.id, call.name, args | overrides)
        if outcome.is_error:
            raise ToolCallError(outcome)
        return outcome.result

    def _rerun(self, tool_call_id: str, name: str, args: dict[str, Any]) -> ToolOutcome:
        """Run a tool again and show it under the original call."""
        record = {"args": args, "state": "running", "result": None, "is_error": False}
        with self.lock:
            k = self._record_rerun(tool_call_id, record)
        outcome = self._session.run_tool(name, args)
        fields = {
            "state": "error" if outcome.is_error else "done",
            "result": outcome.shown,
            "is_error": outcome.is_error,
            "duration_s": outcome.duration_s,
        }
        fields |= outcome.extras()
        if outcome.display:
            fields["display"] = outcome.display
        with self.lock:
            self._record_rerun(tool_call_id, fields, k)
            self.save_state()
        return outcome

    def _record_rerun(self, tool_call_id: str, fields: dict[str, Any], k: int | None = None) -> int:
        """Re-run ``k`` of the tool call (a new one when None) updated with ``fields``, in
        the transcript and in the view; its number."""
        i, tool = self.transcript.tool_call_at(tool_call_id)
        if k is None:
            tool.reruns.append(fields)
            k = len(tool.reruns) - 1
        else:  # a new dict: an earlier to_dict() keeps its own
            tool.reruns[k] = tool.reruns[k] | fields
        reruns = [dict(r) for r in tool.reruns]
        self.push_late([{"op": "set", "i": i, "set": {"reruns": reruns}}])
        return k

    def _rerun_from_view(self, content: dict[str, Any]) -> None:
        """The Re-run button: the arguments came as a JSON object (never as code to run)."""
        args = content.get("args")
        call = next((c for c in self.transcript.tool_calls if c.id == content.get("id")), None)
        if call is None or not isinstance(args, dict):
            return
        # Off the kernel's main thread: the comm handler must not wait for a slow tool.
        threading.Thread(
            target=self._rerun, args=(call.id, call.name, args), name="nbagent-rerun", daemon=True
        ).start()

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

    def _fork_from_view(self, content: dict[str, Any]) -> None:
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
        threading.Thread(target=start, name="nbagent-fork", daemon=True).start()


def history_messages(history: Any) -> list[Message]:
    """The messages a run continues from: a run of an agent's, a session, or a list."""
    if history is None:
        return []
    session = getattr(history, "session", history)
    if isinstance(session, AgentSession):
        return answer_tool_calls(session.messages)
    if isinstance(history, Sequence) and not isinstance(history, (str, bytes)):
        return answer_tool_calls([dict(m) for m in history])
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
