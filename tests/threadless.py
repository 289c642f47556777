"""The runtime's two modes, for tests that run in both (``thread_mode``): with threads, and
without (``NBAGENT_THREADS=0``, ``nbagent.core.threads``), where, as in Pyodide, starting a
thread raises ``RuntimeError: can't start new thread`` while the test's coroutine runs."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from tests import aio

__all__ = ["MODES", "in_mode", "no_threads", "thread_mode"]

T = TypeVar("T")

MODES = ("threads", "threadless")


@pytest.fixture(params=MODES)
def thread_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test that takes it runs twice: with threads, and as in Pyodide."""
    mode = str(request.param)
    if mode == "threadless":
        monkeypatch.setenv("NBAGENT_THREADS", "0")
    return mode


@contextlib.contextmanager
def no_threads() -> Iterator[list[str]]:
    """``Thread.start`` raises as Pyodide's does; yields the names of the threads refused."""
    refused: list[str] = []
    original = threading.Thread.start

    def start(self: threading.Thread) -> None:
        refused.append(self.name)
        raise RuntimeError("can't start new thread")

    threading.Thread.start = start  # type: ignore[method-assign]
    try:
        yield refused
    finally:
        threading.Thread.start = original  # type: ignore[method-assign]


class WebLoop(asyncio.SelectorEventLoop):
    """A loop that does what Pyodide's ``WebLoop`` does where asyncio's differ: its
    ``run_in_executor`` calls the function here and puts its result in a future
    (``asyncio.to_thread`` in libraries, the ``openai`` client's among them, works so there),
    and its ``call_later`` refuses a delay below 0 (nbagent's runtime makes it lenient)."""

    def call_later(self, delay: float, callback: Any, *args: Any, **kwargs: Any) -> Any:
        if delay < 0:
            raise ValueError("Can't schedule in the past")
        return super().call_at(self.time() + delay, callback, *args, **kwargs)

    def call_at(self, when: float, callback: Any, *args: Any, **kwargs: Any) -> Any:
        return self.call_later(when - self.time(), callback, *args, **kwargs)

    def run_in_executor(self, executor: Any, func: Callable[..., Any], *args: Any) -> Any:
        future = self.create_future()
        try:
            future.set_result(func(*args))
        except BaseException as exc:  # noqa: BLE001 - the awaiting caller's, as WebLoop's
            future.set_exception(exc)
        return future


def in_mode(mode: str, coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on a fresh loop (``tests.aio.run``); in threadless mode on a
    ``WebLoop``, where no thread may start while it runs, and none was tried."""
    if mode != "threadless":
        return aio.run(coro)

    async def guarded() -> T:
        with no_threads() as refused:
            try:
                return await coro
            finally:
                assert refused == [], f"threads were started without threads: {refused}"

    return aio.run(guarded(), loop_factory=WebLoop)
