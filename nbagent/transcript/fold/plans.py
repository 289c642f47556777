"""The run's ``plan`` from its plan snapshots (``State`` of ``op="activity_snapshot"``,
``activity_type="plan"``: an ACP agent's, ``nbagent/adapters/acp/plans.py``).

The plan is ``{"entries": [...], "plans": [...]}``: ``entries`` the checklist of the plan with
no id (ACP's ``plan``, each snapshot replacing it), ``plans`` (only while there is one) the
plans with an id, in order of first appearance, each ``{"id", "type": "items", "entries"}``,
``{"id", "type": "markdown", "content"}`` or ``{"id", "type": "file", "uri"}``, a snapshot of
the same id replacing it in place, ``{"id", "removed": True}`` taking it out. A run that ends
any way but completed (Stop, the agent's own ``cancelled``, an error: its agent's process died
mid-turn) leaves no entry ``in_progress``: ``stopped_plan`` makes those ``cancelled`` (nothing
works on them any more)."""

from __future__ import annotations

from typing import Any

__all__ = ["STOPPED", "next_plan", "stopped_plan"]

STOPPED = "cancelled"
"""The status an entry still ``in_progress`` gets when its run ends cut short."""


def _keyed(plan: dict[str, Any] | None) -> list[dict[str, Any]]:
    plans = plan.get("plans") if plan else None
    return [p for p in plans if isinstance(p, dict)] if isinstance(plans, list) else []


def next_plan(plan: dict[str, Any] | None, value: Any) -> dict[str, Any] | None:
    """The run's plan once a snapshot's ``value`` is folded into ``plan`` (None: no plan
    yet); ``plan`` itself when the snapshot removes a plan there is not."""
    value = value if isinstance(value, dict) else {}
    plan_id = value.get("id")
    keyed = _keyed(plan)
    if not isinstance(plan_id, str):
        entries = value.get("entries")
        new: dict[str, Any] = {"entries": list(entries) if isinstance(entries, list) else []}
    else:
        at = next((i for i, p in enumerate(keyed) if p.get("id") == plan_id), None)
        if value.get("removed"):
            if at is None:
                return plan
            del keyed[at]
        elif at is None:
            keyed.append(dict(value))
        else:
            keyed[at] = dict(value)
        entries = plan.get("entries") if plan else None
        new = {"entries": entries if isinstance(entries, list) else []}
    if keyed:
        new["plans"] = keyed
    return new


def _stopped(entries: Any) -> Any:
    if not isinstance(entries, list):
        return entries
    return [
        {**e, "status": STOPPED} if isinstance(e, dict) and e.get("status") == "in_progress" else e
        for e in entries
    ]


def stopped_plan(plan: dict[str, Any] | None) -> dict[str, Any] | None:
    """``plan`` once its run stopped: every entry ``in_progress`` (of the plan with no id and
    of each checklist with one) ``cancelled``; None when none was in progress."""
    if not plan:
        return None
    new = dict(plan, entries=_stopped(plan.get("entries")))
    if "plans" in plan:
        new["plans"] = [
            dict(p, entries=_stopped(p["entries"])) if isinstance(p, dict) and "entries" in p else p
            for p in _keyed(plan)
        ]
    return new if new != plan else None
