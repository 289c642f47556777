"""Running a coroutine on a fresh event loop of nbagent's own, in whatever thread calls it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any, TypeVar

__all__ = ["run_fresh"]

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
