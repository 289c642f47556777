"""ACP's plans → ``State(op="activity_snapshot", activity_type="plan")`` events, which the
transcript folds into the run's ``plan`` (``nbagent/transcript/fold/plans.py``).

- ``plan`` (the stable form: the whole checklist, each update replacing it) → a snapshot
  ``{"entries": [...]}`` with ``message_id="acp:plan"``: the plan with no id.
- ``plan_update`` (UNSTABLE, sent only to a client advertising ``ClientCapabilities.plan``)
  → a snapshot of the plan ``planId`` names, ``message_id=f"acp:plan:{planId}"``, by its
  ``plan.type``: ``{"id", "type": "items", "entries": [...]}``, ``{"id", "type":
  "markdown", "content"}`` or ``{"id", "type": "file", "uri"}``. Each replaces that plan.
- ``plan_removed`` (UNSTABLE) → ``{"id", "removed": True}``: that plan is gone.

An update without a string ``planId``, or of another ``plan.type``, is no plan: ``None``
(the adapter keeps it as a raw ``Custom``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import plain
from nbagent.core.events import State

__all__ = ["plan", "plan_removed", "plan_update"]

# What each kind of plan_update carries, by its ``plan.type``: the wire field and its type.
_BODY: dict[str, tuple[str, type]] = {"items": ("entries", list), "markdown": ("content", str)}
_BODY["file"] = ("uri", str)


def _snapshot(value: dict[str, Any], plan_id: str | None = None) -> State:
    key = "acp:plan" if plan_id is None else f"acp:plan:{plan_id}"
    return State(op="activity_snapshot", activity_type="plan", message_id=key, value=value)


def plan(update: Mapping[str, Any]) -> State:
    """``plan``: the checklist with no id (non-list entries: an empty one)."""
    entries = plain(update.get("entries"))
    return _snapshot({"entries": entries if isinstance(entries, list) else []})


def plan_update(update: Mapping[str, Any]) -> State | None:
    """``plan_update``: the plan its ``plan.planId`` names, as its ``plan.type`` says."""
    body = update.get("plan")
    if not isinstance(body, Mapping):
        return None
    plan_id, kind = body.get("planId"), body.get("type")
    if not isinstance(plan_id, str) or not isinstance(kind, str) or kind not in _BODY:
        return None
    name, cls = _BODY[kind]
    content = plain(body.get(name))
    if not isinstance(content, cls):
        return None
    return _snapshot({"id": plan_id, "type": kind, name: content}, plan_id)


def plan_removed(update: Mapping[str, Any]) -> State | None:
    """``plan_removed``: the plan ``planId`` names is gone from the view."""
    plan_id = update.get("planId")
    if not isinstance(plan_id, str):
        return None
    return _snapshot({"id": plan_id, "removed": True}, plan_id)
