"""What the resuming sources share: the run's ids of the calls a framework pauses (an adapter
makes a repeated id unique, ``call_1#2``, and the widget answers a paused call by the id of its
block), and how such a source is bound to its run and read."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from typing import Any

from nbagent.core.events import Event, Status
from nbagent.runtime.pause import Pauses

__all__ = ["CallIds", "ResumingSource"]


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


class ResumingSource:
    """A framework's run as an async source that pauses on its approval requests: ``_read``
    yields its items; ``_pauses`` is the run's once ``nbagent_bind_run`` gave it (None: read
    without a ``Run``, the requests show with their hint only)."""

    def __init__(self) -> None:
        self._pauses: Pauses | None = None
        self._ids = CallIds()
        self._events = self._read()

    def nbagent_bind_run(self, run: Any) -> None:
        """The ``Run`` showing this source: its ``pauses`` answer the requests."""
        self._pauses = run.pauses
        self._ids.watch(run)

    def __aiter__(self) -> AsyncIterator[Any]:
        return self

    async def __anext__(self) -> Any:
        return await anext(self._events)

    async def aclose(self) -> None:
        """Stop: closing the reader cancels the framework's run (a run waiting for answers
        simply ends: the Run cancels its waits)."""
        await self._events.aclose()

    def _read(self) -> AsyncGenerator[Any, None]:
        raise NotImplementedError
