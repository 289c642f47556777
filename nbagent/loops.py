"""Event loops of nbagent's own: a fresh one for a coroutine in whatever thread calls it, and
one long-lived loop thread for runs of async sources started where no loop runs."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["background_loop", "run_fresh"]

T = TypeVar("T")


def run_fresh(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)``, done by hand.

    Once nest_asyncio is applied (``Run.wait()`` in a cell does), ``asyncio.run`` reuses the
    thread's current loop and returns as soon as ``coro`` does, leaving its other tasks (a
    cancelled tool, a stream's cleanup) never run to their end.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        try:
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


_background: asyncio.AbstractEventLoop | None = None
_background_lock = threading.Lock()


def background_loop() -> asyncio.AbstractEventLoop:
    """The loop of the ``nbagent-loop`` thread, started on first use, running until exit.

    Async sources started outside a running loop (plain Python, a comm handler's thread)
    run there, all on one loop: what they hold across runs (an ``AsyncOpenAI`` client's
    connection pool) belongs to the loop that made it, so a fresh loop per run would find
    it closed on the second run.
    """
    global _background
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
