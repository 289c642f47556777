"""``WatchRun``: the run of ``nbagent.watch()`` (``nbagent.apps.watch``), its events made of
what the libraries' hooks report, its Stop the cancelling of the watched code's task."""

from __future__ import annotations

import asyncio
from typing import Any

from nbagent.runtime.run import Run
from nbagent.runtime.views import RunView
from nbagent.sources.feed import Feed

__all__ = ["NOT_CANCELLABLE", "WatchRun"]

NOT_CANCELLABLE = (
    "stopped watching: the watched call itself goes on (a call running synchronously cannot "
    "be cancelled from here; interrupt the kernel to stop it)"
)


class WatchRun(Run):
    """A run whose events come from hooks: the calls of a ``with nbagent.watch()`` block,
    or one call of a watched object. ``Stop`` cancels the task running the watched code
    where there is one (``async with``, an awaited call) and says so where there is not."""

    def __init__(
        self,
        *,
        title: str | None = None,
        show_thinking: bool = True,
        throttle_ms: float = 50,
        view: RunView | None = None,
    ) -> None:
        self.feed = Feed("hooks")
        """Where the hooks' records go; read on the run's own thread."""
        super().__init__(
            self.feed, title=title, show_thinking=show_thinking, throttle_ms=throttle_ms, view=view
        )
        self._task: asyncio.Task[Any] | None = None
        self.stop_requested = False
        """True once a Stop (the button, ``cancel()``) ended the run."""

    def follow_task(self) -> None:
        """Stop cancels the asyncio task running here now (the watched code's), if any."""
        try:
            self._task = asyncio.current_task()
        except RuntimeError:  # no loop in this thread
            self._task = None

    def cancel(self) -> None:
        task = self._task
        stopped = self._sink.cancel("stopped by user" if task is not None else NOT_CANCELLABLE)
        self.pauses.cancel_all()
        if not stopped:
            return
        self.stop_requested = True
        self._driver.interrupt()
        if task is not None and not task.done():
            task.get_loop().call_soon_threadsafe(task.cancel)
