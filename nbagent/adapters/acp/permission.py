"""ACP permission requests as paused tool calls (issue 19's shape, ``adapters/approvals.py``).

Two items, fed by the client that answers the request (``nbagent.acp``'s, on the turn it
pauses):

- the request: ``session/request_permission``'s params (the SDK's
  ``RequestPermissionRequest``: ``{"sessionId", "toolCall": {...}, "options": [...]}``) →
  the call's panel (started if the agent never announced it, as the request says) and an
  ``awaiting_approval`` status whose ``detail`` holds the agent's own ``options``
  (``[{"id", "name", "kind"}]``: allow_once, allow_always, reject_once, reject_always);
- its answer, nbagent's own item (the response does not name the call):
  ``{"sessionId", "toolCallId", "outcome": {"outcome": "selected", "optionId": ...}}`` or
  ``{"outcome": "cancelled"}`` → ``approval_answered`` (``run`` for an allow option, ``deny``
  for a reject, ``cancel``), the option's name (``option``) and id (``option_id``) in its
  ``detail``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.adapters.approvals import answered_status, approval_detail, awaiting_status
from nbagent.adapters.base import list_or_empty, str_or_none
from nbagent.core.events import Event

__all__ = ["Permissions", "is_answer", "is_request"]


def is_request(payload: Mapping[str, Any]) -> bool:
    return isinstance(payload.get("toolCall"), Mapping) and "options" in payload


def is_answer(payload: Mapping[str, Any]) -> bool:
    return isinstance(payload.get("outcome"), Mapping) and "toolCallId" in payload


def _options(value: Any) -> list[dict[str, str]]:
    """The agent's options as plain dicts the widget draws one button each for."""
    out = []
    for option in list_or_empty(value):
        if not isinstance(option, Mapping):
            continue
        option_id = str_or_none(option.get("optionId"))
        if option_id is None:
            continue
        kind = str_or_none(option.get("kind")) or ""
        out.append(
            {"id": option_id, "name": str_or_none(option.get("name")) or option_id, "kind": kind}
        )
    return out


def actions_of(options: list[dict[str, str]]) -> list[str]:
    """What ``run.approve`` / ``run.deny`` can carry out (the client's ``_actions``): ``run``
    where the agent offers to allow once, ``deny`` where it offers a reject."""
    kinds = {o["kind"] for o in options}
    return (["run"] if "allow_once" in kinds else []) + (
        ["deny"] if kinds & {"reject_once", "reject_always"} else []
    )


class Permissions:
    """The options offered for each paused call of a turn (its answer names one)."""

    def __init__(self) -> None:
        self._offered: dict[str, list[dict[str, str]]] = {}

    def request(self, call_id: str, title: str, options: Any, out: list[Event]) -> None:
        offered = _options(options)
        self._offered[call_id] = offered
        detail = approval_detail("acp", actions=actions_of(offered), options=offered)
        out.append(awaiting_status(call_id, title, detail))

    def withdrawn(self, call_id: str, out: list[Event]) -> None:
        """The agent withdrew its request (``$/cancel_request``): answered cancelled."""
        if self._offered.pop(call_id, None) is not None:
            status = answered_status(call_id, "cancel")
            status.text = "the agent withdrew its request"
            out.append(status)

    def answer(self, payload: Mapping[str, Any], out: list[Event]) -> None:
        call_id = str(payload.get("toolCallId"))
        outcome = payload["outcome"]
        option_id = str_or_none(outcome.get("optionId"))
        chosen = next((o for o in self._offered.pop(call_id, []) if o["id"] == option_id), None)
        if outcome.get("outcome") != "selected" or chosen is None:
            out.append(answered_status(call_id, "cancel"))
            return
        deny = chosen["kind"].startswith("reject")
        status = answered_status(
            call_id, "deny" if deny else "run", reason=chosen["name"] if deny else None
        )
        status.text = chosen["name"]
        status.detail = {
            **(status.detail or {}),
            "option": chosen["name"],
            "option_id": chosen["id"],
        }
        out.append(status)
