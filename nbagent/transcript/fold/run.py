"""How the reducer folds what concerns the whole run: steps (model calls), activity, errors
and warnings, and the run's start and end; its usage and cost in ``usage.py``.

Steps carry ``started_at``, ``ended_at``, ``model``, ``finish_reason`` and what ``usage.py``
adds (their usage, ``output_deltas``, cost)."""

from __future__ import annotations

from typing import Any

import nbagent.core.events as E
from nbagent.transcript.blocks import AgentBlock, ToolCall
from nbagent.transcript.fold.activity import ActivityFold
from nbagent.transcript.fold.plans import STOPPED, next_plan, stopped_plan
from nbagent.transcript.fold.state import MAX_WARNINGS, Op, set_op, step_entry
from nbagent.transcript.fold.tools import PAUSE_STATES, ToolFold
from nbagent.transcript.fold.usage import UsageFold

__all__ = ["PENDING_TOOL_STATES", "RunFold"]

PENDING_TOOL_STATES = ("args", "running", "paused")
"""A tool call's states before its result: at the run's end these become ``cancelled``."""

_STATUS_OF_REASON = {
    "cancelled": "cancelled",
    "error": "error",
    "incomplete": "error",
    "expired": "error",
}
_START_KEYS = ("run_id", "title", "model", "started_at")
"""The run's fields a ``RunStart`` sets."""
_DEFAULT_ERROR = {
    "error": "error",
    "incomplete": "stream ended unexpectedly",
    "expired": "run expired",
}


class RunFold(UsageFold, ToolFold, ActivityFold):
    """The run-level handlers of the reducer."""

    def _on_step_start(self, ev: E.StepStart) -> list[Op]:
        if ev.step_id in self._step_index:
            return []
        self._step_index[ev.step_id] = len(self._steps)
        self._steps.append(step_entry(ev.step_id, ev.name, ev.ts, ev.parent, ev.step_type))
        if ev.step_type not in ("subagent", "tool"):  # those produce no tokens of their own
            self._awaiting.add(ev.step_id)
            self._step_deltas0[ev.step_id] = self.deltas
        ops: list[Op] = [{"op": "run", "set": {"steps": self.steps}}]
        if ev.step_type == "subagent" and ev.step_id not in self._agent_index:
            return self._add(AgentBlock(ev.step_id, ev.name, ev.ts), *ops)
        return ops

    def _on_step_end(self, ev: E.StepEnd) -> list[Op]:
        i = self._step_index.get(ev.step_id)
        if i is None:
            self._step_index[ev.step_id] = i = len(self._steps)
            self._steps.append(step_entry(ev.step_id, ev.name, None))
        step = self._steps[i]
        step["finish_reason"] = ev.finish_reason
        step["name"] = step["name"] or ev.name
        step["ended_at"] = ev.ts
        self._awaiting.discard(ev.step_id)
        if ev.step_id in self._step_deltas0:
            self._measure_step(i)
        ops: list[Op] = [{"op": "run", "set": {"steps": self.steps}}]
        j = self._agent_index.get(ev.step_id)
        if j is not None and isinstance(agent := self._blocks[j], AgentBlock):
            agent.ended_at = ev.ts
            ops.append(set_op(j, {"ended_at": ev.ts}))
        return ops

    def _on_status(self, ev: E.Status) -> list[Op]:
        if ev.tool_call_id and ev.state in PAUSE_STATES:  # on the call's block, not the run
            return self._on_pause_status(ev)
        ops = self._on_tool_status(ev) if ev.tool_call_id else []
        activity = ev.text or ev.state or None
        if activity == self.activity:
            return ops
        self.activity = activity
        return [*ops, {"op": "run", "set": {"activity": activity}}]

    def _on_state(self, ev: E.State) -> list[Op]:
        """A plan (``activity_snapshot`` of ``activity_type`` ``"plan"``: an ACP agent's) is
        the run's ``plan``: the one with no id replaced by each of its snapshots, those with
        an id kept by it (``plans.py``). The session an ACP agent's run is in (its
        ``activity_type`` ``"session"``: ``nbagent/adapters/acp/session.py``) is the run's
        ``session``, each snapshot's fields replacing those. Any other activity is a block of its
        own (``activity.py``); other shared state is kept in the events only."""
        if ev.op == "activity_delta" or (
            ev.op == "activity_snapshot" and ev.activity_type not in ("plan", "session")
        ):
            return self._on_activity(ev)
        if ev.op != "activity_snapshot":
            return []
        if ev.activity_type == "session" and isinstance(ev.value, dict):
            session = {**(self.session or {}), **ev.value}
            if session == self.session:
                return []
            self.session = session
            return [{"op": "run", "set": {"session": session}}]
        if ev.activity_type != "plan":
            return []
        plan = next_plan(self.plan, ev.value)
        if plan is None or plan == self.plan:
            return []
        self.plan = plan
        return [{"op": "run", "set": {"plan": plan}}]

    def _on_error(self, ev: E.ErrorEvent) -> list[Op]:
        info = {"message": ev.message, "error_type": ev.error_type, "code": ev.code}
        if not ev.recoverable:
            self.error = info
            return [{"op": "run", "set": {"error": dict(info)}}]
        if len(self.warnings) >= MAX_WARNINGS:
            return []
        self.warnings.append(info)
        return [{"op": "run", "set": {"warnings": [dict(w) for w in self.warnings]}}]

    def begin(self, ts: float) -> list[Op]:
        """The run exists from ``ts`` (epoch seconds: ``show``'s call, an agent's request),
        before its source's first item, which may take seconds (a local model reading its
        prompt): its clock starts there, and the widget says it waits for the first token.
        Returns the ops (none once the run started). The ``RunStart`` folded later still sets
        the run's fields and its start: the same one (the pipeline dates it back to the
        run's creation) or the source's own (a replay's, a server's)."""
        if self.started_at is not None:
            return []
        self.started_at, self._begun = ts, True
        return [{"op": "run", "set": {"started_at": ts}}]

    def _on_run_start(self, ev: E.RunStart) -> list[Op]:
        if self.started_at is not None and not self._begun:
            return []
        self._begun = False
        was = (self.run_id, self.title, self.model, self.started_at)
        self.run_id, self.title, self.model = ev.run_id or None, ev.title, ev.model
        self._provider = ev.provider  # whose price list the run's steps are priced by
        self.started_at = ev.ts
        # Only what changed: a run's first op carries no null it never set, nor its start
        # again when the pipeline dated the source's start back to the run's creation.
        now = (self.run_id, self.title, self.model, self.started_at)
        keys = {k: v for k, v, old in zip(_START_KEYS, now, was, strict=True) if v != old}
        return [{"op": "run", "set": keys}] if keys else []

    def _on_run_end(self, ev: E.RunEnd) -> list[Op]:
        self._ended = True
        self.status = _STATUS_OF_REASON.get(ev.reason, "completed")
        activity, self.activity = self.activity, None
        self.end_reason, self.ended_at = ev.reason, ev.ts
        changes: dict[str, Any] = {"status": self.status, "end_reason": ev.reason}
        changes["ended_at"] = ev.ts
        if activity is not None:
            changes["activity"] = None
        if self.error is None and ev.reason in _DEFAULT_ERROR:
            message = ev.message or _DEFAULT_ERROR[ev.reason]
            self.error = {"message": message, "error_type": None, "code": None}
            changes["error"] = dict(self.error)
        if self.status != "completed" and (plan := stopped_plan(self.plan)) is not None:
            self.plan, changes["plan"] = plan, dict(plan)  # cut short: its step in progress too
        ops = [*self.resume(ev.ts), *self._cancel_pending_tools(ev.ts, ev.reason)]
        ops += self._interrupts(ev)
        for j in self._agent_index.values():  # sub-agents still open end with the run
            block = self._blocks[j]
            if isinstance(block, AgentBlock) and block.ended_at is None:
                block.ended_at = ev.ts
                ops.append(set_op(j, {"ended_at": ev.ts}))
        return [*ops, {"op": "run", "set": changes}]

    def _cancel_pending_tools(self, ts: float, reason: str | None = None) -> list[Op]:
        """Tool calls whose result never came end with the run as ``cancelled``: a view must
        not show a call of an ended run as still going (whatever ended it: completed, error,
        Stop), and the saved transcript says the same, its ``meta`` status too (an ACP
        agent's "pending" becomes ``cancelled``). Except, unless the run was stopped, a
        paused call only its framework's own client can answer (no ``actions``: a remote
        agent's approval request, which ends the stream): it still waits there, and its
        panel keeps saying what to call."""
        ops: list[Op] = []
        for j in self._tool_index.values():
            tool = self._blocks[j]
            if reason != "cancelled" and _answered_elsewhere(tool):
                continue
            if isinstance(tool, ToolCall) and tool.state in PENDING_TOOL_STATES:
                tool.state, tool.ended_at = "cancelled", ts
                changes: dict[str, Any] = {"state": "cancelled", "ended_at": ts}
                if tool.meta and tool.meta.get("status") not in (None, *_FINISHED):
                    # what its producer last said of it ("pending") is no longer so
                    tool.meta = {**tool.meta, "status": STOPPED}
                    changes["meta"] = dict(tool.meta)
                if reason in _CUT and tool.parse_error is not None and tool.is_error:
                    # arguments cut off with the stream: the call never ended, nor erred
                    tool.is_error = changes["is_error"] = False
                ops.append(set_op(j, changes))
        return ops


_FINISHED = ("completed", "failed")
"""A producer's status of a call that ended (ACP's): kept as it is when the run ends."""
_CUT = frozenset(("incomplete", "error", "cancelled"))
"""Run ends that may cut a call's arguments short (anything else ended a complete answer)."""


def _answered_elsewhere(block: object) -> bool:
    """A paused call nbagent cannot answer: its framework resumes it from another call."""
    if not isinstance(block, ToolCall) or block.state != "paused":
        return False
    return not (block.pause or {}).get("actions")
