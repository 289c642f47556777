"""``Turn``: one prompt turn as a run's source (``format="acp"``): the session's updates, then
the prompt's response, handed over from nbagent's background loop to the run's reader thread.

Closing the turn before the agent answered (a Stop, re-running the cell) calls ``on_stop``,
which cancels the turn on the agent's side."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from nbagent.runtime.pause import Pauses

__all__ = ["Turn", "warning"]

_END = object()


def warning(message: str, kind: str) -> dict[str, Any]:
    """An nbagent item (a ``session/update``'s ``update``): a warning the run shows, of the
    ``error_type`` ``kind``."""
    return {"sessionUpdate": "_nbagent/warning", "message": message, "errorType": kind}


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class Turn:
    """A prompt turn's items, read by the run (a sync source: it works from any cell or thread)."""

    nbagent_format = "acp"

    def __init__(self, on_stop: Callable[[Turn], None]) -> None:
        self._items: queue.Queue[Any] = queue.Queue()
        self._on_stop = on_stop
        self._closed = False
        self._lock = threading.Lock()
        self.pauses: Pauses | None = None
        """The run's paused calls (``nbagent_bind_run``): where permission requests wait."""
        self.run: Any = None
        self.offered: dict[str, list[Any]] = {}
        """The agent's permission options of each paused call (``tool_call_id`` → options)."""
        self.nbagent_choose: Callable[[int | str, str], None] | None = None
        """``run.choose(i, option_id)``: one of the options the agent offered for call ``i``
        (set by the agent: ``_choices.choose``)."""
        self.finished = threading.Event()
        """Set once the agent's side of the turn is over (answered, failed, or killed)."""
        self.session_id = ""
        """The ACP session the turn runs in (set as its prompt is sent): the client routes
        that session's updates, requests and terminal items here while it runs."""

    def nbagent_bind_run(self, run: Any) -> None:
        self.run = run
        self.pauses = run.pauses

    # -- from the loop ---------------------------------------------------------------------------

    def put(self, item: Any) -> None:
        self._items.put(item)

    def warn(self, message: str, kind: str) -> None:
        self._items.put({"sessionId": self.session_id, "update": warning(message, kind)})

    def end(self, response: Any) -> None:
        """The prompt's response (the run's last item)."""
        self._items.put(response)
        self._items.put(_END)

    def fail(self, error: BaseException) -> None:
        self._items.put(_Failed(error))

    # -- the run's reader --------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        item = self._items.get()
        if item is _END:
            raise StopIteration
        if isinstance(item, _Failed):
            raise item.error
        return item

    @property
    def closed(self) -> bool:
        """Whether the run is over (``close``): a prompt not sent yet is not sent."""
        return self._closed

    def close(self) -> None:
        """The run is over: a turn the agent has not finished is stopped (``on_stop``)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._items.put(_END)  # wakes a reader waiting for the next item
        if not self.finished.is_set():
            self._on_stop(self)
