"""A lane: one run's place in a widget of several runs (``nbagent.apps.lanes.Lanes``), the
``RunView`` its run pushes to: its ops go out in the group's one message, tagged with its index."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, Protocol

from nbagent.runtime.controller import Controller, Op
from nbagent.runtime.run import Run
from nbagent.transcript.transcript import Transcript
from nbagent.widget.widget import LanesWidget

__all__ = ["Lane", "LaneGroup"]


class LaneGroup(Protocol):
    """What a lane takes of its group (``nbagent.apps.lanes.Lanes``)."""

    widget: LanesWidget | None
    lock: threading.RLock
    controller: Controller
    runs: list[Run]

    def reopen(self, index: int) -> None: ...
    def save_lane(self, index: int) -> None: ...
    def sync(self) -> None: ...
    def set_meta(self, index: int, **changes: Any) -> None: ...


class Lane:
    """One run's place in a widget of several runs (the ``RunView`` of a lane's run)."""

    def __init__(self, group: LaneGroup, index: int) -> None:
        self.group = group
        self.index = index
        self.can_rerun: bool | str = False
        """Whether the lane's tool panels offer Re-run (the kernel holds its tools), or why
        not (``AgentWidget.can_rerun``)."""
        self.widget = group.widget
        self.lock = group.lock
        controller = group.controller
        # Bound once: a token's push costs no extra Python call.
        self.push: Callable[..., None] = functools.partial(controller.push, lane=index)

    def push_late(self, ops: list[Op]) -> None:
        """Send ops of the ended lane now (a tool re-run): what it saved is out of date."""
        self.group.reopen(self.index)
        self.group.controller.push_late(ops, lane=self.index)

    def flush(self) -> None:
        """Send what is pending now (every lane's: they share one message)."""
        self.group.controller.flush()

    def close(self) -> None:
        """The lane's run ended: its last ops go out now (the other lanes keep streaming), the
        last with its own clock if it had one (a replay's); then no more of it."""
        self.flush()
        self.group.controller.lane_clock(self.index, None)

    def save_state(self, transcript: Transcript) -> None:
        self.group.save_lane(self.index)

    def sync(self, transcript: Transcript) -> None:
        self.group.sync()

    def set_can_rerun(self, value: bool | str) -> None:
        self.can_rerun = value
        if self.index < len(self.group.runs):  # else the lane opens with it
            self.group.set_meta(self.index, can_rerun=value)
