"""Calling a run's tools again from the notebook: ``run.rerun_tool(i, **overrides)`` and the tool
panels' Re-run button, for any run whose producer can call its tools (``nbagent.Agent``'s runs,
a framework's run whose tool objects nbagent holds: ``nbagent.frameworks.rerun``).

A re-run is a call from the notebook, not an event of the run (it may come after the run's
end): it is recorded on the tool block's ``reruns`` and sent with ``Run.push_late``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nbagent.core.threads import in_background
from nbagent.runtime.reruns import cannot_reach
from nbagent.runtime.run import Run
from nbagent.widget.messages import RerunRequest

if TYPE_CHECKING:  # nbagent.tools loads pydantic: only when a tool is called
    from nbagent.tools import ToolOutcome

__all__ = ["Reruns", "ToolCallError", "ToolCaller"]

ToolCaller = Callable[[str, dict[str, Any]], "ToolOutcome"]
"""Calls the tool named so with these arguments from synchronous code (a notebook cell
included) and says what came of it; a failure is an error outcome, never an exception."""


class ToolCallError(RuntimeError):
    """A re-run tool raised or timed out; ``outcome`` holds the error and what it printed."""

    def __init__(self, outcome: ToolOutcome) -> None:
        super().__init__(outcome.shown)
        self.outcome = outcome


class Reruns:
    """The Re-run of one run's tool calls (the run's ``reruns``): ``call`` calls a tool, this
    shows each call under the original one, in the transcript and in the view, and answers
    the widget's ``{"type": "rerun", "id", "args"}``. Made before the run starts."""

    def __init__(self, run: Run, call: ToolCaller) -> None:
        self.run = run
        self._call = call
        run.reruns = self
        run.on_message("rerun", self._from_view)
        if run.view is not None:
            run.view.set_can_rerun(True)

    def rerun_tool(self, i: int, **overrides: Any) -> Any:
        """Call the tool of ``transcript.tool_calls[i]`` again, ``overrides`` replacing
        arguments; returns its result (raises :class:`ToolCallError` if it fails, and
        ``RuntimeError`` for a call whose tool nbagent cannot reach: its ``no_rerun``)."""
        call = self.run.transcript.tool_calls[i]
        if call.no_rerun:
            raise RuntimeError(cannot_reach(call.no_rerun))
        args = dict(call.args) if isinstance(call.args, dict) else {}
        outcome = self.rerun(call.id, call.name, args | overrides)
        if outcome.is_error:
            raise ToolCallError(outcome)
        return outcome.result

    def rerun(self, tool_call_id: str, name: str, args: dict[str, Any]) -> ToolOutcome:
        """Run a tool again and show it under the original call."""
        record = {"args": args, "state": "running", "result": None, "is_error": False}
        run = self.run
        with run.lock:
            k = run.record_rerun(tool_call_id, record)
        outcome = self._call(name, args)
        fields = {
            "state": "error" if outcome.is_error else "done",
            "result": outcome.shown,
            "is_error": outcome.is_error,
            "duration_s": outcome.duration_s,
        }
        fields |= outcome.extras()
        if outcome.display:
            fields["display"] = outcome.display
        with run.lock:
            run.record_rerun(tool_call_id, fields, k)
            run.save_state()
        return outcome

    def _from_view(self, content: RerunRequest) -> None:
        """The Re-run button: the arguments came as a JSON object (never as code to run)."""
        args = content.get("args")
        calls = self.run.transcript.tool_calls
        call = next((c for c in calls if c.id == content.get("id")), None)
        if call is None or call.no_rerun or not isinstance(args, dict):
            return
        # Off the kernel's main thread: the comm handler must not wait for a slow tool.
        in_background(self.rerun, call.id, call.name, args, name="nbagent-rerun")
