"""When a widget's held-back ops go out: ``Controller.flush_due()`` called at a deadline.

From one daemon thread (``Scheduler``), because a loop timer never fires while a cell blocks
the kernel's main thread; where threads cannot start (``core.threads``), from a timer of the
loop (``LoopScheduler``): nothing blocks a cell there, a cell's wait being ``await run``.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
import weakref
from collections.abc import Callable
from typing import Protocol

from nbagent.core.threads import threads_available
from nbagent.runtime.loops import this_threads_loop

__all__ = ["FlushScheduler", "Flushable", "LoopScheduler", "Scheduler", "default_scheduler"]


class Flushable(Protocol):
    """What a scheduler calls (a ``Controller``)."""

    closed: bool

    def flush_due(self) -> None: ...


class FlushScheduler(Protocol):
    """What a ``Controller`` asks to call its ``flush_due()`` at a deadline."""

    def schedule(self, deadline: float, controller: Flushable) -> None: ...


class Scheduler:
    """Calls ``controller.flush_due()`` at deadlines, from one daemon thread."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, weakref.ref[Flushable]]] = []
        self._counter = itertools.count()
        self._thread: threading.Thread | None = None

    def schedule(self, deadline: float, controller: Flushable) -> None:
        with self._cond:
            heapq.heappush(self._heap, (deadline, next(self._counter), weakref.ref(controller)))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="nbagent-flush", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                deadline = self._heap[0][0]
                delay = deadline - self._clock()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                _, _, ref = heapq.heappop(self._heap)
            flush_due(ref)


class LoopScheduler:
    """Calls ``controller.flush_due()`` at deadlines from a timer of this thread's loop."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock

    def schedule(self, deadline: float, controller: Flushable) -> None:
        loop = this_threads_loop()
        delay = max(deadline - self._clock(), 0.0)
        loop.call_later(delay, flush_due, weakref.ref(controller))


def flush_due(ref: weakref.ref[Flushable]) -> None:
    controller = ref()
    if controller is not None:
        try:
            controller.flush_due()
        except Exception:  # noqa: BLE001 - a broken comm must not stop every widget's flushes
            controller.closed = True


_default: Scheduler | None = None
_default_lock = threading.Lock()


def default_scheduler() -> FlushScheduler:
    """The process-wide flush thread (started on first use), or without threads a
    ``LoopScheduler``."""
    global _default
    if not threads_available():
        return LoopScheduler()
    with _default_lock:
        if _default is None:
            _default = Scheduler()
        return _default
