"""Waiting for another thread: ``wait_for(condition)`` polls until it holds, or fails.

A hand-off between threads is checked by waiting for the state the test is about (with a
deadline, so a test fails instead of hanging), never by sleeping for a guessed time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["wait_for"]

T = TypeVar("T")


def wait_for(condition: Callable[[], T], timeout: float = 5.0, what: str = "") -> T:
    """``condition()`` once it is truthy (polled every 5 ms); AssertionError after
    ``timeout`` seconds, naming ``what`` was waited for."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what or condition!r}")
        time.sleep(0.005)
    return value
