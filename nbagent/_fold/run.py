"""How the reducer folds what concerns the whole run: usage, steps (model calls), activity,
errors and warnings, and the run's start and end."""

from __future__ import annotations

from typing import Any

import nbagent._events as E
from nbagent._blocks import EMPTY_USAGE, display_usage, merge_usage, sum_usage
from nbagent._fold.state import MAX_WARNINGS, FoldState, Op, step_entry

__all__ = ["RunFold"]

_STATUS_OF_REASON = {
    "cancelled": "cancelled",
    "error": "error",
    "incomplete": "error",
    "expired": "error",
}
_DEFAULT_ERROR = {
    "error": "error",
    "incomplete": "stream ended unexpectedly",
    "expired": "run expired",
}


class RunFold(FoldState):
    """The run-level handlers of the reducer."""

    def _on_usage(self, ev: E.Usage) -> list[Op]:
        changes: dict[str, Any] = {}
        if ev.model and not self.model:
            self.model = changes["model"] = ev.model
        if ev.scope == "run":
            self._run_usage = merge_usage(self._run_usage or EMPTY_USAGE, ev)
        else:
            i = self._step_index.get(ev.step_id) if ev.step_id else None
            if i is None and self._steps:
                i = len(self._steps) - 1
            step = "" if i is None else self._steps[i]["id"]
            raw = self._raw_usage[step] = merge_usage(self._raw_usage.get(step, EMPTY_USAGE), ev)
            if i is not None:
                self._steps[i]["usage"] = display_usage(raw)
                changes["steps"] = self.steps
        raw_run = self._run_usage or sum_usage(self._raw_usage)
        self._usage = changes["usage"] = display_usage(raw_run)
        return [{"op": "run", "set": changes}]

    def _on_step_start(self, ev: E.StepStart) -> list[Op]:
        if ev.step_id in self._step_index:
            return []
        self._step_index[ev.step_id] = len(self._steps)
        self._steps.append(step_entry(ev.step_id, ev.name, ev.ts))
        return [{"op": "run", "set": {"steps": self.steps}}]

    def _on_step_end(self, ev: E.StepEnd) -> list[Op]:
        i = self._step_index.get(ev.step_id)
        if i is None:
            self._step_index[ev.step_id] = i = len(self._steps)
            self._steps.append(step_entry(ev.step_id, ev.name, None))
        step = self._steps[i]
        step["finish_reason"] = ev.finish_reason
        step["name"] = step["name"] or ev.name
        step["ended_at"] = ev.ts
        return [{"op": "run", "set": {"steps": self.steps}}]

    def _on_status(self, ev: E.Status) -> list[Op]:
        activity = ev.text or ev.state or None
        if activity == self.activity:
            return []
        self.activity = activity
        return [{"op": "run", "set": {"activity": activity}}]

    def _on_error(self, ev: E.ErrorEvent) -> list[Op]:
        info = {"message": ev.message, "error_type": ev.error_type, "code": ev.code}
        if not ev.recoverable:
            self.error = info
            return [{"op": "run", "set": {"error": dict(info)}}]
        if len(self.warnings) >= MAX_WARNINGS:
            return []
        self.warnings.append(info)
        return [{"op": "run", "set": {"warnings": [dict(w) for w in self.warnings]}}]

    def _on_run_start(self, ev: E.RunStart) -> list[Op]:
        if self.started_at is not None:
            return []
        self.run_id, self.title, self.model = ev.run_id or None, ev.title, ev.model
        self.started_at = ev.ts
        keys = {"run_id": self.run_id, "title": ev.title, "model": ev.model, "started_at": ev.ts}
        return [{"op": "run", "set": keys}]

    def _on_run_end(self, ev: E.RunEnd) -> list[Op]:
        self._ended = True
        self.status = _STATUS_OF_REASON.get(ev.reason, "completed")
        self.end_reason, self.ended_at, self.activity = ev.reason, ev.ts, None
        changes: dict[str, Any] = {"status": self.status, "end_reason": ev.reason}
        changes |= {"ended_at": ev.ts, "activity": None}
        if self.error is None and ev.reason in _DEFAULT_ERROR:
            message = ev.message or _DEFAULT_ERROR[ev.reason]
            self.error = {"message": message, "error_type": None, "code": None}
            changes["error"] = dict(self.error)
        return [{"op": "run", "set": changes}]
