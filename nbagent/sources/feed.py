"""``Feed``: a source that other threads push items into (the hooks of ``nbagent.watch()``).

The library calls a hook on its own thread; the hook puts a record here and returns. The
run reads the feed on its own thread (``nbagent-run-N``): nothing is folded or sent from a
thread nbagent does not own.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from typing import Any

__all__ = ["Feed"]


class Feed:
    """Items in from any thread, out in order to one reader, until ``finish()`` or ``close()``."""

    def __init__(self, format: str = "auto") -> None:  # noqa: A002 - the public API's name
        self.nbagent_format = format
        """The format the items are read in (``source_format`` reads it)."""
        self._items: deque[Any] = deque()
        self._cond = threading.Condition()
        self._finished = False
        self._closed = False

    def put(self, item: Any) -> bool:
        """Queue an item; False once the feed is finished or closed (the item is dropped)."""
        with self._cond:
            if self._finished or self._closed:
                return False
            self._items.append(item)
            self._cond.notify()
            return True

    def finish(self) -> None:
        """No more items: the reader ends after the ones queued."""
        with self._cond:
            self._finished = True
            self._cond.notify_all()

    def close(self) -> None:
        """Stop: the reader ends at once, the items still queued are dropped."""
        with self._cond:
            self._closed = True
            self._items.clear()
            self._cond.notify_all()

    @property
    def finished(self) -> bool:
        """True once ``finish()`` or ``close()`` was called."""
        return self._finished or self._closed

    def __iter__(self) -> Iterator[Any]:
        while True:
            with self._cond:
                while not self._items and not (self._finished or self._closed):
                    self._cond.wait()
                if self._closed or not self._items:
                    return
                item = self._items.popleft()
            yield item
