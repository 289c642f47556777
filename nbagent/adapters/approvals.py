"""A framework's approval request as issue 19's paused tool call: the ``Status`` detail
every adapter emits, so the widget's paused panel reads one shape whatever the source.

``actions`` ⊆ ``["run", "edit", "mock", "deny"]`` is what the widget may offer: ``[]`` when
nbagent cannot answer the framework (a remote server's request, a stream read without its
run object); ``hint`` is then the code the user calls to resume it. ``origin`` names the
framework. ``schema`` is the tool's JSON schema of arguments when the request carries it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nbagent.core.events import Status

__all__ = ["ACTIONS", "answered_status", "approval_detail", "awaiting_status"]

ACTIONS = ("run", "edit", "mock", "deny")
"""Every answer the paused panel knows, in the order it offers them."""


def approval_detail(
    origin: str,
    *,
    actions: Sequence[str] = (),
    hint: str | None = None,
    schema: Any = None,
    **extra: Any,
) -> dict[str, Any]:
    """The ``detail`` of an ``awaiting_approval`` status (``extra``: what the framework's
    request said besides, kept for the details view)."""
    unknown = [a for a in actions if a not in ACTIONS]
    if unknown:
        raise ValueError(f"unknown approval actions {unknown}: the panel offers {ACTIONS}")
    detail: dict[str, Any] = dict(extra)
    detail.update(
        actions=[a for a in ACTIONS if a in actions],
        origin=origin,
        hint=hint,
        schema=schema if isinstance(schema, dict) else None,
    )
    return detail


def awaiting_status(
    tool_call_id: str, name: str, detail: dict[str, Any], verb: str = "awaits approval"
) -> Status:
    """The call ``tool_call_id`` waits for an approval (``detail``: ``approval_detail``)."""
    return Status(
        state="awaiting_approval",
        text=f"{name} {verb}",
        tool_call_id=tool_call_id,
        detail=detail,
    )


def answered_status(
    tool_call_id: str,
    action: str,
    *,
    args: dict[str, Any] | None = None,
    reason: str | None = None,
) -> Status:
    """The paused call was answered (``run``, ``mock``, ``deny`` or ``cancel``)."""
    return Status(
        state="approval_answered",
        text=action,
        tool_call_id=tool_call_id,
        detail={"action": action, "args": args, "reason": reason},
    )
