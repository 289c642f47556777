"""The evaluation's engine: runs the cases, at most ``concurrency`` at a time, within a cost
budget, until done or cancelled, and scores each as it ends.

Every case goes through ``run_case``: started unless the evaluation was stopped (cancelled,
or the budget reached: it is then ``skipped``), run by the task's performer, scored. A
pydantic-evals dataset is run by pydantic-evals itself (``nbagent.evaluation.pydantic_evals``),
whose task calls ``run_case``; other datasets by ``concurrency`` workers here.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from nbagent.core.errors import error_message
from nbagent.evaluation.cases import EvalCase
from nbagent.evaluation.scoring import Scorer
from nbagent.evaluation.tasks import Hidden, MakeView, Performer
from nbagent.runtime.run import Run

__all__ = ["CANCELLED", "OVER_BUDGET", "Engine"]

CANCELLED = "not started: the evaluation was cancelled"
OVER_BUDGET = "not started: the cost budget (max_cost_usd) was reached"

Listener = Callable[[EvalCase], None]
Views = Callable[[EvalCase], MakeView]
"""Where each case's run shows: nowhere (``Hidden``) or a case of the evaluation's widget."""


class Engine:
    """Runs an evaluation's cases; ``listeners`` hear of each case as it starts and ends."""

    def __init__(
        self,
        cases: list[EvalCase],
        perform: Performer,
        scorers: list[Scorer],
        *,
        executor: Executor,
        concurrency: int,
        max_cost_usd: float | None,
        title: str,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {concurrency!r}")
        self.cases = cases
        self.perform = perform
        self.scorers = scorers
        self.executor = executor
        self.concurrency = concurrency
        self.max_cost_usd = max_cost_usd
        self.title = title
        self.listeners: list[Listener] = []
        self.views: Views = lambda _case: Hidden
        """Each case's run's view (the evaluation's widget sets its own)."""
        self.stopped: str | None = None
        """Why no more cases start (``CANCELLED``, ``OVER_BUDGET``); None while they do."""
        self._lock = threading.Lock()

    # -- the whole -------------------------------------------------------------------------

    async def run(self) -> None:
        """Every case, ``concurrency`` at a time; returns when each has ended."""
        queue = deque(self.cases)

        async def worker() -> None:
            while queue:
                await self.run_case(queue.popleft())

        try:
            await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(queue)))))
        finally:
            self.skip_rest(self.stopped or CANCELLED)

    def skip_rest(self, why: str) -> None:
        """Mark every case not started as ``skipped`` because of ``why``."""
        for case in self.cases:
            if case.status == "queued":
                case.status, case.error = "skipped", why
                self._changed(case)

    def cancel(self) -> None:
        """Start no more cases; the running ones end cancelled (from any thread)."""
        with self._lock:
            self.stopped = CANCELLED
            running = [c.run for c in self.cases if c.status == "running" and c.run is not None]
        for run in running:
            run.cancel()

    # -- one case --------------------------------------------------------------------------

    async def run_case(self, case: EvalCase, *, again: bool = False) -> None:
        """Start ``case`` (unless stopped), wait for its end, score it. ``again``: a case
        run once more from the notebook (Re-run case), whatever stopped the others."""
        with self._lock:
            if again:
                case.restart()
            else:
                self._check_budget()
            if self.stopped is not None and not again:
                case.status, case.error = "skipped", self.stopped
            else:
                case.status = "running"
        self._changed(case)
        if case.status == "skipped":
            return
        title = f"{self.title}: {case.name}" if case.name else f"{self.title} #{case.number}"
        try:
            outcome = await self.perform(
                case.input, title, lambda run: self._started(case, run, again), self.views(case)
            )
        except Exception as exc:  # noqa: BLE001 - a task that fails before any run: this case's
            case.status, case.error = "error", error_message(exc)
            self._changed(case)
            return
        case.run, case.output = outcome.run, outcome.output
        t = outcome.run.transcript
        case.status = t.status if t.status in ("error", "cancelled") else "completed"
        if case.status == "error":
            case.error = _run_error(t.error)
        elif case.status == "cancelled":
            case.error = "cancelled"
        if case.status != "cancelled":
            for scorer in self.scorers:
                await scorer.score(case, self.executor)
        self._changed(case)

    def _started(self, case: EvalCase, run: Run, again: bool) -> None:
        """``case``'s run exists: a cancel since it started reaches it."""
        with self._lock:
            case.run = run
            stop = self.stopped == CANCELLED and not again
        if stop:
            run.cancel()

    def _check_budget(self) -> None:
        """The caller holds the lock: stop starting cases once they cost ``max_cost_usd``."""
        if self.max_cost_usd is None or self.stopped is not None:
            return
        if self.cost_usd() >= self.max_cost_usd:
            self.stopped = OVER_BUDGET

    def cost_usd(self) -> float:
        """What the cases started so far cost (the running ones: so far)."""
        return sum(c.transcript.cost_usd or 0.0 for c in self.cases if c.run is not None)

    def _changed(self, case: EvalCase) -> None:
        for listener in list(self.listeners):
            with contextlib.suppress(Exception):  # a display's failure never stops the cases
                listener(case)


def _run_error(error: Any) -> str:
    """The transcript's error as one line."""
    if isinstance(error, dict):
        kind, message = error.get("type"), error.get("message")
        if kind and message and not str(message).startswith(str(kind)):
            return f"{kind}: {message}"
        return str(message or kind or "error")
    return str(error or "error")
