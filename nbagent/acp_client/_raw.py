"""What the pinned SDK cannot read of the agent's messages, seen on the agent's stdout before
the SDK parses them (``_stdout``'s ``rewrite``):

- a ``session/update`` of a kind the SDK does not model (ACP's ``notice``,
  ``compaction_update``, ``compaction_summary_chunk``, anything newer): the SDK would log a
  validation error and drop it. It goes on, in its place among the agent's messages, as an
  extension notification (``_nbagent/raw_update``, the same params) the SDK hands to the
  client's ``ext_notification``: the turn gets the wire dict, which the adapter reads;
- ``$/cancel_request`` (the agent withdraws a request; the SDK 0.12.1 routes it nowhere):
  likewise as ``_nbagent/cancel_request``; the permission request it names (by the JSON-RPC
  id seen here) is answered cancelled;
- a tool call's ``name``, which the SDK's model drops: kept by session and call, for the client
  to add back to the update it shows (``names``).
"""

from __future__ import annotations

import functools
from typing import Any, get_args

__all__ = ["CANCEL", "RAW", "Raw", "sdk_updates"]

RAW = "_nbagent/raw_update"
CANCEL = "_nbagent/cancel_request"
KEPT = 1000
"""Names and requests kept at most (the oldest go first): a long session stays bounded."""


@functools.cache
def sdk_updates() -> frozenset[str]:
    """The ``sessionUpdate`` kinds the installed SDK's ``SessionNotification`` models."""
    from acp.schema import SessionNotification

    kinds: set[str] = set()
    union = SessionNotification.model_fields["update"].annotation
    for model in get_args(union):
        field = getattr(model, "model_fields", {}).get("session_update")
        if field is not None:
            kinds.update(k for k in get_args(field.annotation) if isinstance(k, str))
    return frozenset(kinds)


def _keep(table: dict[Any, Any], key: Any, value: Any) -> None:
    table[key] = value
    if len(table) > KEPT:
        del table[next(iter(table))]


class Raw:
    """The agent's messages as the SDK gets them (``rewrite``), and what they said that the
    SDK does not keep."""

    def __init__(self) -> None:
        self.names: dict[tuple[str, str], str] = {}
        """A tool call's ``name`` by ``(sessionId, toolCallId)``, until the client shows it."""
        self.asked: dict[str, tuple[str, str]] = {}
        """Each permission request's JSON-RPC id → its ``(sessionId, toolCallId)``."""

    def rewrite(self, message: dict[str, Any]) -> dict[str, Any]:
        """The message the SDK gets: ``message`` itself, or an extension notification
        carrying what the SDK cannot read (the module docstring)."""
        method, params = message.get("method"), message.get("params")
        if not isinstance(params, dict) or not isinstance(method, str):
            return message
        if "id" in message:
            if method == "session/request_permission":
                call = params.get("toolCall")
                call_id = call.get("toolCallId") if isinstance(call, dict) else None
                if isinstance(call_id, str) and isinstance(message["id"], (str, int)):
                    _keep(self.asked, str(message["id"]), (str(params.get("sessionId")), call_id))
            return message
        if method == "$/cancel_request":
            return {"jsonrpc": "2.0", "method": CANCEL, "params": params}
        if method != "session/update" or not isinstance(params.get("update"), dict):
            return message
        update = params["update"]
        kind = update.get("sessionUpdate")
        if isinstance(kind, str) and kind not in sdk_updates():
            return {"jsonrpc": "2.0", "method": RAW, "params": params}
        name, call_id = update.get("name"), update.get("toolCallId")
        if isinstance(name, str) and name and isinstance(call_id, str):
            _keep(self.names, (str(params.get("sessionId")), call_id), name)
        return message

    def withdrawn(self, params: dict[str, Any]) -> tuple[str, str] | None:
        """The ``(sessionId, toolCallId)`` of the permission request a ``$/cancel_request``
        names; None for another request (a file read, a terminal's: nothing waits on them)."""
        request_id = params.get("requestId")
        if not isinstance(request_id, (str, int)):
            return None
        return self.asked.pop(str(request_id), None)
