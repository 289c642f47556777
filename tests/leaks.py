"""What a run leaves behind: threads, sockets and file descriptors of this process, and
the tasks of an event loop.

    before = footprint()
    ...                                   # start a run, let it fail, wait for it
    assert left_behind(before, loop=loop) == []         # a loop running in another thread
    assert await left_behind_here(before) == []         # on the running loop (a kernel cell)

They wait (up to ``timeout``) for things to go away, since closing is asynchronous (a
thread returns after its source is closed, a loop task after its cleanup), and name each
thing still there. ``allow`` lists threads that may stay: a sync tool abandoned past its
timeout, reported by ``nbagent.tools.abandoned_threads``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

import psutil

from nbagent.runtime import flushes

__all__ = ["Footprint", "footprint", "left_behind", "left_behind_here", "loop_tasks"]


@dataclass(frozen=True)
class Footprint:
    threads: frozenset[threading.Thread]
    sockets: frozenset[tuple[object, ...]]
    fds: frozenset[tuple[int, str]]  # (fd, what it is: a path, "socket:[…]", "pipe:[…]")
    tasks: frozenset[asyncio.Task[object]]  # of the loop running where it was taken, if any


def footprint() -> Footprint:
    process = psutil.Process()
    sockets = frozenset(
        (c.fd, c.family, c.type, c.laddr, c.raddr) for c in process.net_connections(kind="all")
    )
    try:
        tasks = frozenset(asyncio.all_tasks())
    except RuntimeError:  # no loop runs in this thread
        tasks = frozenset()
    return Footprint(frozenset(threading.enumerate()), sockets, _fds(), tasks)


def _fds() -> frozenset[tuple[int, str]]:
    found = set()
    for name in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # closed meanwhile (the listing's own fd, too)
            found.add((int(name), os.readlink(f"/proc/self/fd/{name}")))
    return frozenset(found)


def loop_tasks(loop: asyncio.AbstractEventLoop) -> list[asyncio.Task[object]]:
    """The tasks of a loop running in another thread, but the probe's own."""

    async def probe() -> list[asyncio.Task[object]]:
        me = asyncio.current_task()
        return [t for t in asyncio.all_tasks() if t is not me]

    return asyncio.run_coroutine_threadsafe(probe(), loop).result(5)


def _flush_thread() -> threading.Thread | None:
    """The process-wide flush thread of the controllers: started once, shared by every run."""
    scheduler = flushes._default
    return None if scheduler is None else scheduler._thread


def _found(before: Footprint, allow: Iterable[threading.Thread]) -> list[str]:
    gc.collect()  # what only the garbage collector closes is left behind too, until then
    allowed = {*allow, _flush_thread()}
    now = footprint()
    found = [
        f"thread {t.name!r}"
        for t in now.threads - before.threads
        if t.is_alive() and t not in allowed
    ]
    found += [f"socket {s}" for s in now.sockets - before.sockets]
    found += [f"file descriptor {fd} ({what})" for fd, what in sorted(now.fds - before.fds)]
    return found


def left_behind(
    before: Footprint,
    *,
    loop: asyncio.AbstractEventLoop | None = None,
    allow: Iterable[threading.Thread] = (),
    timeout: float = 5.0,
) -> list[str]:
    """What exists now and did not at ``before`` (plus any task of ``loop``, a loop running
    in another thread), once it had ``timeout`` seconds to go; ``[]`` when nothing was."""
    deadline = time.monotonic() + timeout
    while True:
        found = _found(before, allow)
        if loop is not None:
            found += [f"task {t!r}" for t in loop_tasks(loop)]
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


async def left_behind_here(
    before: Footprint,
    *,
    allow: Iterable[threading.Thread] = (),
    timeout: float = 5.0,
    host: tuple[str, ...] = (),
) -> list[str]:
    """``left_behind`` from a task of the running loop, whose new tasks count too, but those
    of the ``host`` packages (the kernel's own, serving the cell that checks)."""
    deadline = time.monotonic() + timeout
    me = asyncio.current_task()
    while True:
        found = _found(before, allow)
        found += [
            f"task {t!r}"
            for t in asyncio.all_tasks() - before.tasks
            if t is not me and not _runs_in(t, host)
        ]
        if not found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.05)


def _runs_in(task: asyncio.Task[object], packages: tuple[str, ...]) -> bool:
    code = getattr(task.get_coro(), "cr_code", None)
    path = "" if code is None else code.co_filename
    return any(f"/{package}/" in path for package in packages)
