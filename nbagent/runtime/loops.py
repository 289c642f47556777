"""Event loops of nbagent's own: a fresh one for a coroutine in whatever thread calls it, and
one long-lived loop thread for runs of async sources started where no loop runs."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Coroutine
from typing import Any, TypeVar

from nbagent.core.threads import THREADLESS, threads_available

__all__ = [
    "background_loop",
    "lenient_timers",
    "run_fresh",
    "settle_threadsafe",
    "task_apart",
    "this_threads_loop",
]

T = TypeVar("T")

CLOSING_S = 5.0
"""How long async generators' closings left at the end may take before they are cancelled."""


def run_fresh(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)``, done by hand.

    Once nest_asyncio is applied (``Run.wait()`` in a cell does), ``asyncio.run`` reuses the
    thread's current loop and returns as soon as ``coro`` does, leaving its other tasks (a
    cancelled tool, a stream's cleanup) never run to their end.
    """
    loop = asyncio.new_event_loop()
    try:
        return _until_done(loop, coro)
    finally:
        try:
            _finish_tasks(loop)
            _until_done(loop, loop.shutdown_asyncgens())
            _finish_tasks(loop)  # closings that the shutdown started
        finally:
            loop.close()


_background: asyncio.AbstractEventLoop | None = None
_background_lock = threading.Lock()


def background_loop() -> asyncio.AbstractEventLoop:
    """The loop of the ``nbagent-loop`` thread, started on first use, running until exit.

    Async sources started outside a running loop (plain Python, a comm handler's thread)
    run there, all on one loop: what they hold across runs (an ``AsyncOpenAI`` client's
    connection pool) belongs to the loop that made it, so a fresh loop per run would find
    it closed on the second run. Without threads (``core.threads``): this thread's loop.
    """
    global _background
    if not threads_available():
        return this_threads_loop()
    with _background_lock:
        if _background is None or _background.is_closed():
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def serve() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()

            threading.Thread(target=serve, name="nbagent-loop", daemon=True).start()
            ready.wait()
            _background = loop
        return _background


def this_threads_loop() -> asyncio.AbstractEventLoop:
    """The loop running in this thread, else the one set for it (Pyodide's ``WebLoop``, which
    runs whenever the page does); ``RuntimeError`` if there is none."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    if loop.is_closed():
        raise RuntimeError(f"{THREADLESS}, and this thread has no open event loop to read on")
    lenient_timers(loop)
    return loop


def lenient_timers(loop: asyncio.AbstractEventLoop) -> None:
    """Have Pyodide's ``WebLoop`` take a delay below 0 as asyncio's loops do (the callback is
    called at once), once. It raises "Can't schedule in the past" instead, and anyio's
    timeouts reschedule at a deadline that may have just passed (the browser's timer fires
    early by the loop's clock): openai's stream drain after a Stop printed that error."""
    if type(loop).__name__ != "WebLoop" or "call_later" in vars(loop):
        return
    strict = loop.call_later

    def call_later(delay: float, callback: Any, *args: Any, **kwargs: Any) -> Any:
        return strict(max(delay, 0.0), callback, *args, **kwargs)

    loop.call_later = call_later  # type: ignore[method-assign,assignment]  # call_at calls it


def task_apart(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
    """``loop.create_task(coro)`` in an empty context (``create_task(context=)`` is 3.11+: a
    task copies the context current where it is created): a task that inherits a cell's
    context tags its messages with that cell, and ``jupyter execute`` drops them once the
    cell returns."""
    task: asyncio.Task[T] = contextvars.Context().run(loop.create_task, coro)
    return task


def _until_done(loop: asyncio.AbstractEventLoop, awaitable: Awaitable[T]) -> T:
    """``loop.run_until_complete``, through ``run_forever``: nest_asyncio patches every
    loop's ``run_until_complete`` into one that installs no async generator hooks, and an
    async generator nobody closed (the inner ones of an httpx stream stopped early) is then
    finalized by the garbage collector, off the loop, its cleanup never run."""
    future = asyncio.ensure_future(awaitable, loop=loop)
    future.add_done_callback(lambda _: loop.stop())
    loop.run_forever()
    return future.result()


def _finish_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """End every task left: the closings of async generators run (their cleanup is what
    they are for, for up to ``CLOSING_S``), the others are cancelled (a tool given up on)."""
    for _ in range(10):  # a task's end may start another (a generator it dropped)
        pending = asyncio.all_tasks(loop)
        if not pending:
            return
        closings = {t for t in pending if type(t.get_coro()).__name__ == "async_generator_athrow"}
        for task in pending - closings:
            task.cancel()
        if closings:
            _until_done(loop, asyncio.wait(closings, timeout=CLOSING_S))
        for task in closings:
            task.cancel()  # a closing past its time (a done task ignores this)
        _until_done(loop, asyncio.gather(*pending, return_exceptions=True))


def settle_threadsafe(loop: asyncio.AbstractEventLoop, future: asyncio.Future[T], value: T) -> None:
    """Give ``future`` (of ``loop``) its result from any thread, unless it is done already (its
    waiter gave up) or its loop has closed."""
    if not loop.is_closed():
        loop.call_soon_threadsafe(_settle, future, value)


def _settle(future: asyncio.Future[T], value: T) -> None:
    if not future.done():
        future.set_result(value)
