"""What every hook family's adapter is: records of one family in, events out."""

from __future__ import annotations

from typing import ClassVar

from nbagent.adapters.kit.hook_record import HookRecord
from nbagent.core.events import Event

__all__ = ["HookAdapter"]


class HookAdapter:
    """Turns the records of one hook family into events, in order (pure: no I/O, no clock).

    Events may carry their own ``ts`` (a span's start and end); the ones left at 0 get the
    record's. A failed call (a tool, a model call, the root itself) is an
    ``ErrorEvent(recoverable=True)``: whether it ends the run is the watch's decision (a
    ``with`` block goes on after a caught exception; a watched object's run ends with its
    root). A message seen only whole opens with ``MessageStart(whole=True)``.
    """

    family: ClassVar[str] = ""

    def feed(self, record: HookRecord) -> list[Event]:
        raise NotImplementedError

    def end(self) -> list[Event]:
        """The watch is over: close what is still open (calls whose end never came)."""
        return []
