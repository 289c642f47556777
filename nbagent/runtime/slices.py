"""Reading a sync source without threads (``core.threads``): a task on the running loop
advances it in slices of ``SLICE_S``, giving the loop back between two (the page's Stop,
the flushes and the kernel's messages go on); where the source has nothing yet it yields
``NotReady`` and the task awaits its waker or delay. ``advance()`` plays on in the caller's
frame, for a cell that must see what a step played before it returns (``ReplayRun.step``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Generator, Iterator
from typing import Any

from nbagent.core.events import Event
from nbagent.core.threads import NotReady
from nbagent.pipeline.stream import pump
from nbagent.runtime.sink import RunSink
from nbagent.sources import close_source

__all__ = ["SLICE_S", "SlicedReader"]

SLICE_S = 0.02
"""How long one slice reads before the loop gets a turn: the page's frames are 16 ms apart."""


class SlicedReader:
    """Reads ``source`` into ``sink`` in slices, from ``read()`` (the run's task) and from
    ``advance()`` (in place); wakes on ``wake()``, which the source is given as its
    ``waker`` when it has one (``sources.recording.Player``)."""

    def __init__(self, source: Any, sink: RunSink) -> None:
        self.source = source
        self.sink = sink
        self._events: Iterator[Event | NotReady] | None = None
        self._woken: asyncio.Event | None = None
        self.ended = False
        if hasattr(source, "waker"):
            source.waker = self.wake

    def wake(self) -> None:
        """The source may have more to read now (on the loop's thread)."""
        if self._woken is not None:
            self._woken.set()

    def advance(self, slice_s: float | None = None) -> NotReady | None:
        """Read until ``slice_s`` has passed (None: no limit), the source is not ready (its
        ``NotReady``) or the run has ended (None)."""
        if self.ended:
            return None
        try:
            if self._events is None:
                self._events = pump(self.source, iter(self.source), self.sink)
            events = self._events
            deadline = None if slice_s is None else time.monotonic() + slice_s
            for item in events:
                if type(item) is NotReady:
                    return item
                if deadline is not None and time.monotonic() >= deadline:
                    return NotReady(0.0)
        except Exception as exc:  # noqa: BLE001 - any failure ends the run, never the kernel
            self.ended = True
            self.sink.fail(exc)
            close_source(self.source)  # pump closed it, unless iter() itself raised
            return None
        except BaseException:  # the kernel's interrupt, landing in this slice: a Stop
            self.sink.cancel()
            self.close()
            raise
        self.ended = True
        return None

    async def read(self) -> None:
        """The run's task: slice after slice until the end; a cancel (a Stop) closes the
        source here, on the loop's thread, where its generator is suspended."""
        self._woken = asyncio.Event()
        try:
            while True:
                self._woken.clear()  # before the slice: a wake during it counts
                wait = self.advance(SLICE_S)
                if wait is None:
                    return
                if wait.delay_s == 0.0:
                    await asyncio.sleep(0)
                    continue
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._woken.wait(), wait.delay_s)
        except asyncio.CancelledError:
            self.sink.cancel()
            self.close()

    def close(self) -> None:
        """Close the source (and the pump reading it), unless they have ended."""
        if self.ended:
            return
        self.ended = True
        events, self._events = self._events, None
        if isinstance(events, Generator):
            events.close()  # suspended at a yield: pump's finally closes the source
        close_source(self.source)
