"""Waiting for another thread: ``wait_for(condition)`` polls until it holds, or fails.

A hand-off between threads is checked by waiting for the state the test is about (with a
deadline, so a test fails instead of hanging), never by sleeping for a guessed time.
``PATIENCE`` is that deadline: a watchdog, sized for a loaded machine (both cores busy
running other tests), not for how long the thing usually takes; a test that passes never
waits it out.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["PAGE_PATIENCE", "PATIENCE", "wait_for", "wait_for_async"]

T = TypeVar("T")

PATIENCE = 30.0
"""Seconds a test waits for what another thread or process does before it fails."""

PAGE_PATIENCE = 60.0
"""Seconds a browser test waits for what a page shows (a kernel, a server and Chromium between
it and the cause) before it fails."""


def wait_for(condition: Callable[[], T], timeout: float = PATIENCE, what: str = "") -> T:
    """``condition()`` once it is truthy (polled every 5 ms); AssertionError after
    ``timeout`` seconds, naming ``what`` was waited for."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what or condition!r}")
        time.sleep(0.005)
    return value


async def wait_for_async(
    condition: Callable[[], T], timeout: float = PATIENCE, what: str = ""
) -> T:
    """``wait_for`` on an event loop: polls with ``asyncio.sleep``, so the loop's other tasks (the
    run being waited on) go on meanwhile."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what or condition!r}")
        await asyncio.sleep(0.005)
    return value
