"""An agent's run: the Run of ``nbagent.Agent``, which holds its conversation and its tools.

    run = agent.run("Weather in Paris?")
    run.messages                  # the conversation so far (Chat Completions messages)
    run.rerun_tool(0, city="Oslo")  # call tool call 0's Python tool again, shown in its panel

A re-run is a call from the notebook, not an event of the run (it may come after the run's
end): it is recorded on the tool block's ``reruns`` and sent with ``Run.push_late``.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

from nbagent._events import Event
from nbagent._tools import Tool, ToolOutcome, call_tool_sync
from nbagent.runtime.pause import Pauses
from nbagent.runtime.run import Run
from nbagent.runtime.views import RunView

__all__ = ["AgentRun", "AgentSession", "ToolCallError", "unknown_tool"]

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
