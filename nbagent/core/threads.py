"""Whether this Python can start threads, and what nbagent does where it cannot.

In Pyodide (JupyterLite's kernel, marimo's WASM export) ``threading.Thread.start()`` raises
``RuntimeError: can't start new thread``. There nbagent runs without threads: a source is read
by a task on the running loop (a sync one advanced in slices between awaits), flushes are
scheduled on the loop, a sync tool runs in the frame that calls it, and nothing blocks waiting
for a run (``await run`` does). ``NBAGENT_THREADS=0`` chooses that mode anywhere (the tests
run the runtime's tests both ways with it).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = [
    "THREADLESS",
    "InPlaceExecutor",
    "NotReady",
    "executor",
    "in_background",
    "off_the_loop",
    "run_now",
    "threads_available",
]

T = TypeVar("T")

THREADLESS = (
    "threads cannot start in this Python (Pyodide: JupyterLite, marimo's WASM export), "
    "so nbagent reads runs on the running loop"
)
"""The first half of every error that says what threadless mode cannot do."""


def threads_available() -> bool:
    """False where threads cannot start (``sys.platform`` emscripten or wasi) or
    ``NBAGENT_THREADS=0`` says to run as if (read each time: a test may set it)."""
    if os.environ.get("NBAGENT_THREADS") == "0":
        return False
    return sys.platform not in ("emscripten", "wasi")


@dataclass(frozen=True)
class NotReady:
    """What a sync source yields without threads instead of blocking: nothing to read until
    it is woken (its ``waker``), or ``delay_s`` has passed (None: only when woken). The
    reader's task awaits that, so the loop (the page's Stop, the flushes) goes on meanwhile."""

    delay_s: float | None = None


def in_background(fn: Callable[..., object], *args: Any, name: str) -> None:
    """``fn(*args)`` on a daemon thread named ``name``, off a comm handler that must not wait
    for it; without threads, here and now (nothing else could be waiting on this thread)."""
    if threads_available():
        threading.Thread(target=fn, args=args, name=name, daemon=True).start()
    else:
        fn(*args)


async def off_the_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``await asyncio.to_thread(fn, ...)``; without threads ``fn(...)`` here, holding the
    loop while it runs (what has to block can only block it)."""
    if not threads_available():
        return fn(*args, **kwargs)
    import asyncio  # not at import: ``import nbagent`` loads no asyncio

    return await asyncio.to_thread(fn, *args, **kwargs)


class InPlaceExecutor(Executor):
    """An executor that runs each call as it is submitted, in the caller's frame: what
    ``loop.run_in_executor`` gets without threads (a sync task or scorer holds the loop)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - the caller's to see, as a pool's would
            future.set_exception(exc)
        return future


def executor(max_workers: int, name: str) -> Executor:
    """A ``ThreadPoolExecutor`` of ``max_workers`` threads named ``name``; without threads an
    ``InPlaceExecutor``."""
    if threads_available():
        return ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=name)
    return InPlaceExecutor()


def run_now(coro: Coroutine[Any, Any, T], what: str) -> T:
    """Run ``coro`` to its end in this frame, where no loop can be waited on (a cell's sync
    call without threads): fine for a coroutine that never has to wait (a sync tool called
    in place); one that would wait raises ``RuntimeError`` naming ``what`` and its async form."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coro.close()
    raise RuntimeError(f"{THREADLESS}: {what} would have to wait here; await its async form")
