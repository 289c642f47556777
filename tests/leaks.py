"""What a run leaves behind: threads, sockets and file descriptors of this process, and
the tasks of an event loop.

    before = footprint()
    ...                                   # start a run, let it fail, wait for it
    assert left_behind(before, loop=loop) == []

``left_behind`` waits (up to ``timeout``) for things to go away, since closing is
asynchronous (a thread returns after its source is closed, a loop task after its
cleanup), and names each thing still there. ``allow`` lists threads that may stay:
a sync tool abandoned past its timeout, reported by ``nbagent.tools.abandoned_threads``.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

import psutil

from nbagent import controller

__all__ = ["Footprint", "footprint", "left_behind", "loop_tasks"]


@dataclass(frozen=True)
class Footprint:
    threads: frozenset[threading.Thread]
    sockets: frozenset[tuple[object, ...]]
    fds: int


def footprint() -> Footprint:
    process = psutil.Process()
    sockets = frozenset(
        (c.fd, c.family, c.type, c.laddr, c.raddr) for c in process.net_connections(kind="all")
    )
    return Footprint(frozenset(threading.enumerate()), sockets, process.num_fds())


def loop_tasks(loop: asyncio.AbstractEventLoop) -> list[asyncio.Task[object]]:
    """The tasks of a loop running in another thread, but the probe's own."""

    async def probe() -> list[asyncio.Task[object]]:
        me = asyncio.current_task()
        return [t for t in asyncio.all_tasks() if t is not me]

    return asyncio.run_coroutine_threadsafe(probe(), loop).result(5)


def _flush_thread() -> threading.Thread | None:
    """The process-wide flush thread of the controllers: started once, shared by every run."""
    scheduler = controller._default
    return None if scheduler is None else scheduler._thread


def left_behind(
    before: Footprint,
    *,
    loop: asyncio.AbstractEventLoop | None = None,
    allow: Iterable[threading.Thread] = (),
    timeout: float = 5.0,
) -> list[str]:
    """What exists now and did not at ``before`` (plus any task of ``loop``), once it had
    ``timeout`` seconds to go; ``[]`` when nothing was left behind."""
    allowed = {*allow, _flush_thread()}
    deadline = time.monotonic() + timeout
    while True:
        gc.collect()  # what only the garbage collector closes is left behind too, until then
        now = footprint()
        found = [
            f"thread {t.name!r}"
            for t in now.threads - before.threads
            if t.is_alive() and t not in allowed
        ]
        found += [f"socket {s}" for s in now.sockets - before.sockets]
        if now.fds > before.fds:
            found.append(f"{now.fds - before.fds} more file descriptors")
        if loop is not None:
            found += [f"task {t!r}" for t in loop_tasks(loop)]
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)
