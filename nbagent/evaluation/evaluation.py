"""``nbagent.evaluate()`` and the :class:`Evaluation` it returns at once.

The engine (``schedule.Engine``) runs on a loop the way a run's source does
(``runtime.driver``): the loop running here when it is the kernel's or there is no kernel,
else the kernel's, else nbagent's background loop; as a task made in an empty context (a
cell's context would tag what it sends with that cell). The evaluation registers with the
runtime like a run: re-running its cell, or ``nbagent.stop_all()``, cancels it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import threading
import time
from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any

from nbagent.evaluation import records, static, table
from nbagent.evaluation.cases import EvalCase
from nbagent.evaluation.schedule import Engine
from nbagent.runtime import registry
from nbagent.runtime.kernel import (
    CellMark,
    block_until_done,
    cell_mark,
    current_cell_id,
    kernel_loop,
    running_loop,
    same_cell,
)
from nbagent.runtime.loops import background_loop, settle_threadsafe

if TYPE_CHECKING:
    from nbagent.evaluation.board import Board

__all__ = ["Evaluation"]

CaseListener = Callable[[EvalCase], None]


class Evaluation:
    """Many runs of one task over a dataset, scored: what :func:`nbagent.evaluate` returns
    at once (or :meth:`Evaluation.load` reads back).

    ``await ev`` / ``ev.wait()``: until every case has ended. ``ev.cases[i]`` (an
    :class:`nbagent.EvalCase`): its ``status``, ``run``, ``transcript``, ``output``, ``scores``.
    ``ev.to_pandas()``: one row per case. ``ev.cancel()``: running cases end cancelled,
    queued ones never start (``skipped``). ``ev.rate(i, up, comment)``: a reviewer's verdict;
    ``ev.to_dataset()``: the reviewed cases as a new dataset. ``ev.save(path)`` /
    ``Evaluation.load(path)``. ``ev.report``: a pydantic-evals dataset's ``EvaluationReport``.
    ``ev.baseline``, ``ev.deltas``, ``ev.changes``: compared with an earlier evaluation.
    """

    def __init__(
        self,
        cases: list[EvalCase],
        *,
        title: str,
        engine: Engine | None = None,
        baseline: Evaluation | None = None,
    ) -> None:
        self.cases = cases
        """Every case, in order: the dataset's, each repetition next to the one before."""
        self.title = title
        self.baseline = baseline
        """The evaluation this one is compared with (``evaluate(baseline=...)``), or None."""
        self.report: Any = None
        """A pydantic-evals dataset's ``EvaluationReport``, once done (else None)."""
        self.started_at = time.time()
        self.ended_at: float | None = None
        self._engine = engine
        self._done = threading.Event()
        # Set once the done callbacks ran too (the widget's final table): what wait() waits for.
        self._settled = threading.Event()
        self._listeners: list[CaseListener] = []
        self._done_callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reruns: set[asyncio.Task[None]] = set()
        self.board: Board | None = None
        """The evaluation's widget, live (``nbagent.evaluation.board``), once displayed."""
        self._shown_at: CellMark | None = None
        self._cell: str | None = None  # the cell that started it: its runs belong to it
        if engine is None:  # read back: ended already
            self.ended_at = self.started_at
            self._done.set()
            self._settled.set()
        else:
            engine.listeners.append(self._changed)

    # -- life ------------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        """True once every case has ended."""
        return self._done.is_set()

    @property
    def status(self) -> str:
        """``running``; once every case has ended, ``cancelled`` (``cancel()``, a re-run
        cell), ``completed`` when every case completed, else ``ended`` (cases in error, or
        skipped over the cost budget: ``summary()`` counts them)."""
        engine = self._engine
        from nbagent.evaluation.schedule import CANCELLED

        cancelled = engine is not None and engine.stopped == CANCELLED
        return records.outcome(self.cases, done=self.done, cancelled=cancelled)

    def cancel(self) -> None:
        """Stop: running cases end cancelled, queued ones never start (``skipped``)."""
        if self._engine is not None and not self.done:
            self._engine.cancel()

    def wait(self, timeout: float | None = None) -> Evaluation:
        """Block until every case has ended and the widget has its final table; returns the
        evaluation. In a kernel cell the kernel's loop is driven meanwhile; an interrupt
        (KeyboardInterrupt) cancels it."""
        try:
            block_until_done(self._task, self._loop, self._settled, timeout)
        except KeyboardInterrupt:
            self.cancel()
            raise
        if not self.done and timeout is not None:
            raise TimeoutError(f"the evaluation is still running after {timeout} s")
        return self

    def __await__(self) -> Generator[Any, None, Evaluation]:
        return self.wait_async().__await__()

    async def wait_async(self) -> Evaluation:
        """``await ev``: the evaluation once every case has ended."""
        if not self.done:
            loop = asyncio.get_running_loop()
            future: asyncio.Future[None] = loop.create_future()
            self.on_done(lambda: settle_threadsafe(loop, future, None))
            await future
        return self

    def rerun(self, i: int) -> None:
        """Run case ``i`` again (Re-run case), also after the evaluation ended: its last
        results are replaced, its rating and comment kept; its row streams again."""
        engine, loop, case = self._engine, self._loop, self.cases[i]
        if engine is None or loop is None:
            raise RuntimeError("this evaluation was read from a file: it has no task to run")
        if case.status in ("queued", "running"):
            raise RuntimeError(f"case {i} is {case.status}: it can run again once it ends")
        case.status = "running"  # at once: a second click is refused

        async def again() -> None:
            registry.pin_cell(self._cell)  # as the evaluation's other runs (see _main)
            await engine.run_case(case, again=True)

        def start() -> None:
            task = contextvars.Context().run(loop.create_task, again())
            self._reruns.add(task)
            task.add_done_callback(self._reruns.discard)

        loop.call_soon_threadsafe(start)

    def show(self) -> None:
        """Display the evaluation's widget below the running cell (in a notebook)."""
        if self.board is None:
            from nbagent.evaluation.board import Board

            self.board = Board(self)
            if self._engine is not None:
                self._engine.views = self.board.views
        self.board.display()
        self._shown_at = cell_mark()

    def _ipython_display_(self) -> None:
        """What IPython shows for an evaluation that is a cell's last expression: its
        widget (nothing more in the cell that displayed it)."""
        if self._shown_at is not None and same_cell(self._shown_at):
            return
        self.show()

    def on_change(self, callback: CaseListener) -> None:
        """Call ``callback(case)`` whenever a case starts, ends or is rated (any thread)."""
        self._listeners.append(callback)

    def on_done(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once the evaluation has ended (at once if it has)."""
        with self._lock:
            if not self.done:
                self._done_callbacks.append(callback)
                return
        callback()

    def _changed(self, case: EvalCase) -> None:
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):  # a view's failure never stops the cases
                listener(case)

    def _start(self, main: Callable[[], Any]) -> None:
        registry.track(self)
        self._cell = current_cell_id()
        here, home = running_loop(), kernel_loop()
        if here is not None and (home is None or here is home):
            self._loop = here
            self._task = contextvars.Context().run(here.create_task, self._main(main))
            return
        loop = self._loop = home or background_loop()

        def start() -> None:
            self._task = contextvars.Context().run(loop.create_task, self._main(main))

        loop.call_soon_threadsafe(start)

    async def _main(self, main: Callable[[], Any]) -> None:
        # The cases' runs belong to the cell that started the evaluation: they start while
        # later cells run, and re-running one of those must not stop them.
        registry.pin_cell(self._cell)
        try:
            self.report = await main()
        except BaseException:  # noqa: BLE001 - whatever stopped it, the cases are ended below
            assert self._engine is not None
            self._engine.cancel()
            self._engine.skip_rest(self._engine.stopped or "not started")
        finally:
            self._finish()

    def _finish(self) -> None:
        self.ended_at = time.time()
        registry.forget(self)
        with self._lock:
            self._done.set()
            callbacks, self._done_callbacks = self._done_callbacks, []
        try:
            for callback in callbacks:
                callback()
        finally:
            self._settled.set()

    # -- results ---------------------------------------------------------------------------

    def rate(self, i: int, up: bool | None, comment: str = "") -> None:
        """Rate case ``i``: thumbs up (True), down (False) or cleared (None), with a comment."""
        case = self.cases[i]
        case.rating, case.comment = up, comment
        self._changed(case)

    @property
    def score_names(self) -> list[str]:
        """Every score column, in the order the scorers gave them."""
        return records.score_names(self.cases)

    @property
    def shown_score_names(self) -> list[str]:
        """The score columns (and means) a table shows: :attr:`score_names` once a case has
        scores; until then the scorers' own names (a dict result names its columns then).
        Columns that change mid-run lay every row of a page out again."""
        names = self.score_names
        if names or self._engine is None:
            return names
        return [s.name for s in self._engine.scorers]

    @property
    def cost_usd(self) -> float:
        """What the cases cost so far (unknown costs count 0)."""
        return sum(c.transcript.cost_usd or 0.0 for c in self.cases)

    @property
    def deltas(self) -> list[dict[str, float] | None]:
        """Per case, each numeric score minus the baseline's for that case (matched by case
        name, else dataset position, and repetition); [] without a baseline."""
        if self.baseline is None:
            return []
        names = self.score_names
        return records.deltas(self.cases, self.baseline.cases, names)

    @property
    def changes(self) -> dict[str, dict[str, float | None]]:
        """Per score: its mean now, the baseline's, and the change; {} without a baseline."""
        if self.baseline is None:
            return {}
        return records.changes(self.cases, self.baseline.cases, self.score_names)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per case: what ``to_pandas()`` makes its rows of."""
        names = self.score_names
        deltas: Sequence[dict[str, float] | None] = self.deltas
        if self.baseline is None:
            return [records.row(c, names, None) for c in self.cases]
        return [records.row(c, names, d or {}) for c, d in zip(self.cases, deltas, strict=True)]

    def to_pandas(self) -> Any:
        """A pandas DataFrame, one row per case: ``name, input, expected, output, status``
        (``completed``, ``error``, ``cancelled``; ``skipped``: never started, ``error`` says
        why; ``queued`` / ``running`` while it runs), ``error, latency_s, ttft_s,
        input_tokens, output_tokens, cost_usd, tool_calls``, one column per score,
        ``score_errors`` (scorer → its error), ``<score>_delta`` with a baseline, ``repeat``,
        ``rating``, ``comment``."""
        import importlib

        try:
            pandas = importlib.import_module("pandas")  # not a dependency: only when asked for
        except ImportError:
            raise ImportError(
                "ev.to_pandas() needs pandas, which this Python does not have (`pip install "
                "pandas`; the try-it site in the browser carries none): ev.rows() gives the same "
                "rows as dicts"
            ) from None
        return pandas.DataFrame(self.rows())

    def to_dataset(self) -> list[dict[str, Any]]:
        """The reviewed (rated) cases as case dicts for a next ``evaluate()``: the output
        as ``expected`` where rated up, the original ``expected`` where rated down."""
        return records.reviewed(self.cases)

    def summary(self) -> str:
        """One line: the cases counted by status ("20 cases (1 completed, 19 error)"), each
        score's mean (and change), the cost, the time. ``status`` says how it ended."""
        parts = [records.counted(self.cases)]
        changes = self.changes
        for name, mean in records.means(self.cases, self.score_names).items():
            if mean is None:
                continue
            change = changes.get(name, {}).get("change")
            parts.append(f"{name} {mean:.3g}" + ("" if change is None else f" ({change:+.3g})"))
        if self.cost_usd:
            parts.append(f"${self.cost_usd:.4f}")
        if self.ended_at is not None and self._engine is not None:
            parts.append(f"{self.ended_at - self.started_at:.1f} s")
        return "; ".join(parts)

    def to_html(self) -> str:
        """A static, escaped copy of the table as the widget shows it (its columns, labels,
        number formats and look: ``nbagent.evaluation.static``), the status and summary
        above it."""
        deltas = self.deltas or [None] * len(self.cases)
        rows = [table.row_of(c, d) for c, d in zip(self.cases, deltas, strict=True)]
        shown = static.table_html(rows, self.shown_score_names)
        return records.summary_html(self.title, self.status, self.summary(), shown)

    def _repr_html_(self) -> str:
        return self.to_html()

    def save(self, path: str | os.PathLike[str]) -> Any:
        """Write the evaluation (cases, scores, ratings, transcripts) as JSONL; returns the
        path. ``Evaluation.load(path)`` reads it back."""
        return records.write_file(path, self.title, self.cases)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Evaluation:
        """An evaluation ``save()`` wrote: its cases with their transcripts, scores and
        ratings (no runs: ``case.run`` is None); it can be a ``baseline``."""
        title, cases = records.read_file(path)
        return cls(cases, title=title)

    def __len__(self) -> int:
        return len(self.cases)

    def __repr__(self) -> str:
        return f"<nbagent.Evaluation {self.title!r} {self.status}: {self.summary()}>"
