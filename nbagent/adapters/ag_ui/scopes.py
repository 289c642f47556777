"""Which sub-agent an AG-UI event belongs to (``Event.parent``).

AG-UI 1.0 attributes a sub-agent's work by ``subagentRunId`` on each event; a tool call omits
it and inherits its containing message's (``parentMessageId``), and a message's later events
may omit it too. ``_Scopes`` remembers the scope of every message and tool call id it saw."""

from __future__ import annotations

from typing import Any

from nbagent.adapters.ag_ui.tables import _get
from nbagent.adapters.base import str_or_none

__all__ = ["UNSCOPED", "_Scopes"]

UNSCOPED: frozenset[str] = frozenset(
    {
        "RUN_STARTED",
        "RUN_FINISHED",
        "RUN_ERROR",
        "MESSAGES_SNAPSHOT",
        "SUBAGENT_STARTED",  # these set their own parents: the enclosing scope
        "SUBAGENT_FINISHED",
        "SUBAGENT_ERROR",
    }
)
"""Event types that belong to the run itself (or place their own step)."""


class _Scopes:
    """The scope (a sub-agent's run id) of message and tool call ids, and of sub-agents."""

    def __init__(self) -> None:
        self._of_message: dict[str, str] = {}
        self._of_call: dict[str, str] = {}
        self.of_subagent: dict[str, str | None] = {}
        """A sub-agent's run id → the scope its start and end belong to."""

    def scope(self, kind: str, ev: Any) -> str | None:
        """The sub-agent run id ``ev`` belongs to, None at the top level."""
        if kind in UNSCOPED:
            return None
        message_id = str_or_none(_get(ev, "messageId"))
        tool_call_id = str_or_none(_get(ev, "toolCallId"))
        scope = str_or_none(_get(ev, "subagentRunId"))
        if scope is None and tool_call_id is not None:
            scope = self._of_call.get(tool_call_id)
        if scope is None:
            parent_message = str_or_none(_get(ev, "parentMessageId"))
            for key in (message_id, parent_message):
                if key is not None and key in self._of_message:
                    scope = self._of_message[key]
                    break
        if scope is not None:
            if tool_call_id is not None:
                self._of_call.setdefault(tool_call_id, scope)
            elif message_id is not None:
                self._of_message.setdefault(message_id, scope)
        return scope

    def of_event(self, event: Any) -> str | None:
        """The remembered scope of an event's tool call or message (a chunked message or
        call that the run's end closes, its ``*_END`` never sent)."""
        tool_call_id = getattr(event, "tool_call_id", None)
        if isinstance(tool_call_id, str) and tool_call_id in self._of_call:
            return self._of_call[tool_call_id]
        message_id = getattr(event, "message_id", None)
        if isinstance(message_id, str):
            return self._of_message.get(message_id)
        return None

    def subagent_parent(self, ev: Any, run_id: str) -> str | None:
        """The scope a ``SUBAGENT_STARTED`` (of the sub-agent ``run_id``) opens in: the tool
        call that spawned it, else the enclosing sub-agent; remembered for its end."""
        parent = str_or_none(_get(ev, "parentToolCallId")) or str_or_none(
            _get(ev, "parentSubagentRunId")
        )
        self.of_subagent[run_id] = parent
        return parent
