"""The run's ``plan`` from its plan snapshots (``State`` of ``op="activity_snapshot"``,
``activity_type="plan"``: an ACP agent's, ``nbagent/adapters/acp/plans.py``).

The plan is ``{"entries": [...], "plans": [...]}``: ``entries`` the checklist of the plan with
no id (ACP's ``plan``, each snapshot replacing it), ``plans`` (only while there is one) the
plans with an id, in order of first appearance, each ``{"id", "type": "items", "entries"}``,
``{"id", "type": "markdown", "content"}`` or ``{"id", "type": "file", "uri"}``, a snapshot of
the same id replacing it in place, ``{"id", "removed": True}`` taking it out."""

from __future__ import annotations

from typing import Any

__all__ = ["next_plan"]


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
