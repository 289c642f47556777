"""Running a coroutine on a fresh event loop of nbagent's own, in whatever thread calls it."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["run_fresh"]

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
