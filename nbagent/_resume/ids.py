"""The run's ids of the calls a framework pauses: an adapter makes a repeated id unique
(``call_1#2``), and the widget answers a paused call by the id of its block."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nbagent._events import Event, Status

__all__ = ["CallIds"]


class CallIds:
    """The framework's call id → the run's ``tool_call_id``, read from the run's
    ``awaiting_approval`` statuses (``detail["call_id"]``) as they are folded."""

    def __init__(self) -> None:
        self._ours: dict[str, str] = {}

    def watch(self, run: Any) -> None:
        run.on_events(self._note)

    def ours(self, call_id: str) -> str:
        return self._ours.get(call_id, call_id)

    def _note(self, events: Sequence[Event]) -> None:
        for ev in events:
            if isinstance(ev, Status) and ev.state == "awaiting_approval" and ev.tool_call_id:
                detail = ev.detail if isinstance(ev.detail, dict) else {}
                call_id = detail.get("call_id")
                if isinstance(call_id, str):
                    self._ours[call_id] = ev.tool_call_id
