"""Run a coroutine to completion from a test, whatever loop the test process holds."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(
    coro: Coroutine[Any, Any, T],
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
) -> T:
    """``asyncio.run`` on a fresh thread (on a loop from ``loop_factory`` if given).

    Playwright's sync API (the browser tests' session fixture) keeps an event loop
    running in the main thread, where ``asyncio.run`` refuses to start another. The thread is
    a daemon, and so is every thread a library starts from it (a thread inherits the flag):
    a worker a library leaves behind (AnyIO's) cannot keep the test process alive.
    """
    result: list[T] = []
    error: list[BaseException] = []

    def main() -> None:
        try:
            result.append(asyncio.run(coro) if loop_factory is None else on(loop_factory(), coro))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            error.append(exc)

    thread = threading.Thread(target=main, name="aio-run", daemon=True)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


def on(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)`` on ``loop`` (``asyncio.Runner(loop_factory=)`` is 3.11+)."""
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        asyncio.set_event_loop(None)
        loop.close()
