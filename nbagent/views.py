"""Where a run's ops go: a widget of its own, or a lane of a widget of several runs.

``Run`` talks to its view only through ``RunView``; ``OwnWidget`` is what ``show()`` makes,
``nbagent.lanes.Lane`` a lane of ``show({...})``, ``compare()`` or ``Chat``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from nbagent.controller import Controller, Op
from nbagent.widget import AgentWidget

if TYPE_CHECKING:
    from nbagent.transcript import Transcript

__all__ = ["OwnWidget", "RunView"]


class RunView(Protocol):
    """Where a run's ops go: a widget of its own (``OwnWidget``) or a lane of a widget
    of several runs (``nbagent.lanes.Lane``)."""

    widget: Any
    lock: threading.RLock
    """The lock the run's producer holds while it folds and pushes."""

    def push(self, ops: list[Op], *, urgent: bool = False) -> None: ...
    def push_late(self, ops: list[Op]) -> None: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...
    def save_state(self, transcript: Transcript) -> None: ...
    def sync(self, transcript: Transcript) -> None: ...
    def set_can_rerun(self, value: bool) -> None: ...


class OwnWidget:
    """A run shown in an ``AgentWidget`` of its own: what ``show()`` makes."""

    def __init__(
        self,
        state: dict[str, Any],
        *,
        title: str | None,
        show_thinking: bool,
        throttle_ms: float,
        on_message: Callable[[dict[str, Any]], None],
    ) -> None:
        self.lock = threading.RLock()
        self.widget = AgentWidget(
            title=title or "", show_thinking=show_thinking, snapshot={"seq": 0, "state": state}
        )
        self.widget.add_handler(on_message)
        self.controller = Controller(self.widget.send, throttle_ms=throttle_ms)
        # The controller's own method: no extra call per token.
        self.push = self.controller.push
        self.push_late = self.controller.push_late
        self.flush = self.controller.flush
        self.close = self.controller.close

    def save_state(self, transcript: Transcript) -> None:
        self.widget.snapshot = {"seq": self.controller.seq, "state": transcript.to_dict()}

    def sync(self, transcript: Transcript) -> None:
        self.controller.send_snapshot(transcript.to_dict())

    def set_can_rerun(self, value: bool) -> None:
        self.widget.can_rerun = value
