"""Where a run's source is read, and how the run is waited for and interrupted.

Sync sources are read on a thread nbagent owns; where threads cannot start
(``core.threads``), every source is read by a task on this thread's loop, a sync one in
slices (``runtime.slices``). Async sources run as a task: on the loop
running here when that is the kernel's (a cell) or when there is no kernel (plain
asyncio code); else on the kernel's own loop (a comm handler on an ipykernel 7 subshell
thread); else, with no loop at all, on nbagent's one background loop (``loops``). The task
is created in an empty ``contextvars.Context``: a task that inherits the cell's context
tags its messages with that cell, and ``jupyter execute`` drops them once the cell returns.
See ARCHITECTURE.md, "Threads, loops and cells".

A Stop (``cancel()``, the button, ``stop_all()``, a re-run cell): the sink ends the run
``cancelled`` at once, every paused call is answered ``cancel``, then ``Driver.interrupt``
wakes the reader: a task is cancelled on its loop; a stream object is closed from another
thread; a generator is closed by its own thread at its next item (closing it from another
raises ``ValueError``).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
from collections.abc import Coroutine
from typing import Any

from nbagent.core.threads import in_background, threads_available
from nbagent.pipeline.stream import apump, pump
from nbagent.runtime.kernel import block_until_done, kernel_loop, running_loop
from nbagent.runtime.loops import background_loop, settle_threadsafe, task_apart, this_threads_loop
from nbagent.runtime.sink import RunSink
from nbagent.runtime.slices import SlicedReader
from nbagent.sources import aclose_source, close_source, is_async_source

__all__ = ["Driver"]


class Driver:
    """Reads ``source`` into ``sink`` (``start``), wakes the reader after a Stop
    (``interrupt``), and waits for the run's end from a cell, a thread or a coroutine."""

    def __init__(self, source: Any, sink: RunSink, *, name: str) -> None:
        self.source = source
        self.sink = sink
        self.name = name
        self.thread: threading.Thread | None = None
        """The thread reading a sync source."""
        self.task: asyncio.Task[None] | None = None
        """The task reading an async source."""
        self.loop: asyncio.AbstractEventLoop | None = None
        """The loop that task runs on."""
        self.sliced: SlicedReader | None = None
        """The reader of a sync source without threads (``core.threads``)."""

    # -- reading ---------------------------------------------------------------------------

    def start(self) -> None:
        threads = threads_available()
        if not is_async_source(self.source):
            if not threads:
                self.sliced = SlicedReader(self.source, self.sink)
                self._start_on_this_loop(self.sliced.read())
                return
            self.thread = threading.Thread(target=self._read, name=self.name, daemon=True)
            self.thread.start()
            return
        if not threads:
            self._start_on_this_loop(self._aread())
            return
        here, home = running_loop(), kernel_loop()
        if here is not None and (home is None or here is home):
            self.loop = here
            self.task = task_apart(here, self._aread())
            return
        # One loop for every run started off the kernel's thread: what a source keeps
        # across runs (an AsyncOpenAI client's pool) is bound to the loop that first used it.
        self.loop = home or background_loop()
        self.loop.call_soon_threadsafe(self._start_task)

    def _start_on_this_loop(self, reader: Coroutine[Any, Any, None]) -> None:
        """Without threads: the task on this thread's loop (Pyodide's, a cell's or not)."""
        self.loop = this_threads_loop()
        self.task = task_apart(self.loop, reader)

    def _start_task(self) -> None:
        """On ``self.loop``: start reading there (already stopped: cancelled at once)."""
        assert self.loop is not None
        self.task = task_apart(self.loop, self._aread())
        if self.sink.ended:
            self.task.cancel()

    def _read(self) -> None:
        try:
            for _ in pump(self.source, iter(self.source), self.sink):
                pass
        except BaseException as exc:  # noqa: BLE001 - any failure ends the run, never the kernel
            self.sink.fail(exc)
            close_source(self.source)  # pump closed it, unless iter() itself raised

    async def _aread(self) -> None:
        try:
            # Closed here, at once: a kernel's interrupt landing in this very frame, between
            # two events, leaves the pump and the source suspended at a yield, and their
            # finalizer's aclose would wait for the loop that the next cell may block.
            pumped = apump(self.source, aiter(self.source), self.sink)
            async with contextlib.aclosing(pumped) as events:
                async for _ in events:
                    pass
        except asyncio.CancelledError:
            self.sink.cancel()
        except KeyboardInterrupt:
            # The kernel's interrupt, landing in this task while a cell's run.wait() drives
            # the loop: it stops the run, and is the cell's to raise.
            self.sink.cancel()
            raise
        except BaseException as exc:  # noqa: BLE001 - any failure ends the run, never the kernel
            self.sink.fail(exc)
            await aclose_source(self.source)  # apump closed it, unless aiter() itself raised

    def interrupt(self) -> None:
        """Wake the reader of a run just stopped, so that it closes the source."""
        task, loop = self.task, self.loop
        if loop is not None and (task is None or not task.done()):
            # Queued after _start_task, which was queued on the loop first.
            loop.call_soon_threadsafe(self._cancel_task)
        elif not inspect.isgenerator(self.source) and not is_async_source(self.source):
            # A stream object (an openai.Stream) closes its connection from any thread, which
            # unblocks a read; a generator can only be closed by its own thread, at its next
            # yield (closing it from here raises ValueError while it runs).
            in_background(close_source, self.source, name="nbagent-close")

    def _cancel_task(self) -> None:
        if self.task is not None:
            self.task.cancel()

    # -- waiting ---------------------------------------------------------------------------

    def wait(self, timeout: float | None) -> None:
        """Block until the run ends or ``timeout`` passes. In a cell, a run read on the
        kernel's own loop is driven by re-entering that loop (nest_asyncio): waiting on it
        otherwise would deadlock. Without threads nothing can block for it: ``RuntimeError``
        unless it has ended (``kernel.block_until_done``)."""
        try:
            block_until_done(self.task, self.loop, self.sink.done, timeout)
        except KeyboardInterrupt:
            if self.task is not None and self.task.done() and not self.task.cancelled():
                self.task.exception()  # raised here: not left to be logged as never retrieved
            raise

    async def wait_async(self) -> None:
        """Return once the run has ended, from a coroutine on any loop."""
        if self.sink.done.is_set():
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            settle_threadsafe(loop, future, None)

        self.sink.on_done(wake)
        await future
