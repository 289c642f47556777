"""An evaluation's widget kept live: its table's change feed, the page's requests, the
cases it opens.

What changed (a case started, ended, was rated; the answers of the running cases grew) goes
out in one ``rows`` message per ``throttle_ms`` at most, from a thread nbagent owns, however
many cases run: the rows that changed, each running answer's new text (``append``), and the
header. ``seq`` numbers the messages; the page asks for the whole table again (``sync``) when
one is missing. The widget's ``snapshot`` trait holds the whole table as the evaluation starts
and ends, ``transcripts`` each case's run once it ended: what a saved notebook shows.

The page's requests: ``sync``, ``open`` (a case's run widget, ``CaseView.open``), ``rerun``,
``rate``, ``stop``.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any, cast

from nbagent.core.threads import threads_available
from nbagent.evaluation import records
from nbagent.evaluation.cases import EvalCase
from nbagent.evaluation.table import (
    OUTPUT_CHARS,
    Evaluation,
    compact_state,
    header_of,
    row_of,
    saved_rows,
)
from nbagent.evaluation.tasks import MakeView
from nbagent.evaluation.widget import CaseView, EvaluationWidget
from nbagent.runtime import marimo
from nbagent.runtime.kernel import current_cell_id
from nbagent.runtime.loops import task_apart, this_threads_loop
from nbagent.widget.messages import EvalOutput, EvalRequest, EvalRows, EvalSnapshot, EvalTable

__all__ = ["EVALUATION_MIME", "THROTTLE_MS", "Board"]

EVALUATION_MIME = "application/vnd.nbagent.evaluation+json"
"""An evaluation's output for nbagent's JupyterLab renderer (``js/lab/src/evaluation.js``):
``{"version": 1, "model_id", "title", "columns", "baseline", "snapshot", "transcripts"}``, or
``{"version", "model_id", "title", "in_model": true}`` when the saved widget state has them."""

THROTTLE_MS = 200
"""At most one ``rows`` message per this many ms (5 a second, whatever the concurrency)."""

_UNSENT = object()


class Board:
    """An evaluation's widget and what keeps it live (see the module's docstring)."""

    def __init__(self, ev: Evaluation, *, throttle_ms: float = THROTTLE_MS) -> None:
        self.ev = ev
        self.interval_s = throttle_ms / 1000
        self._lock = threading.RLock()
        self._seq = 0
        self._dirty: set[int] = set()
        self._page: dict[int, dict[str, Any]] = {}  # each row as the page has it
        self._head: dict[str, Any] = {}  # the header as the page has it
        self._views: dict[int, CaseView] = {}
        self._wanted: set[int] = set()  # opened by the page before their run existed
        self._thread: threading.Thread | None = None
        self._feeding: asyncio.Task[None] | None = None  # without threads: the feed's task
        self._wake = threading.Event()
        self._handles: list[Any] = []  # the displays, updated as the evaluation ends
        self._in_model = False
        baseline = ev.baseline.title if ev.baseline is not None else ""
        self._columns = ev.shown_score_names
        self.widget = EvaluationWidget(
            title=ev.title, baseline=baseline, columns=self._columns, snapshot=self._table()
        )
        self.widget.add_handler(self._on_message)
        ev.on_change(self._changed)
        ev.on_done(self._ended)

    # -- the cases' views ------------------------------------------------------------------

    def views(self, case: EvalCase) -> MakeView:
        """The view factory of ``case``'s runs (``Engine.views``): each is a ``CaseView``."""

        def make() -> CaseView:
            view = CaseView(f"{self.ev.title} #{case.number}")
            with self._lock:
                self._views[case.index] = view
            return view

        return make

    def open(self, i: int) -> None:
        """Give case ``i``'s run a widget of its own, drawn under its row (as its run
        starts, when it has not yet)."""
        with self._lock:
            case = self.ev.cases[i]
            view = self._views.get(i)
            if case.run is None or view is None or view is not case.run.view:
                if not case.done:
                    self._wanted.add(i)
                    self._ensure_thread()
                return
            self._wanted.discard(i)
            widget = view.open(case.run)
            if self.widget.opened.get(str(i)) is not widget:
                self.widget.opened = {**self.widget.opened, str(i): widget}

    # -- changes ---------------------------------------------------------------------------

    def _changed(self, case: EvalCase) -> None:
        with self._lock:
            self._dirty.add(case.index)
            if (
                case.status == "running"
                and case.run is None
                and str(case.index) in self.widget.opened
            ):
                # Re-run: the row's widget showed the last run; the new one opens as it starts.
                self.widget.opened = {
                    k: v for k, v in self.widget.opened.items() if k != str(case.index)
                }
                self._wanted.add(case.index)
            if not self.ev.done or case.status == "running":
                self._ensure_thread()
                return
        self._settle()  # after the end: a rating, a re-run's end

    def _ended(self) -> None:
        self._settle()

    def _settle(self) -> None:
        """Send what is pending and write the saved traits (the table, the transcripts)."""
        with self._lock:
            self._flush()
            states = [
                compact_state(c.transcript.to_dict())
                if c.status not in ("queued", "skipped")
                else None
                for c in self.ev.cases
            ]
            table = self._table()
            transcripts = saved_rows(table["rows"], states)
            self.widget.code.include("case")  # a saved notebook opens its cases with it
            with self.widget.hold_sync():
                self.widget.transcripts = transcripts
                self._columns_now()
                self.widget.snapshot = cast("dict[str, Any]", table)  # a JSON object
            self._update_displays()

    def _ensure_thread(self) -> None:
        """The caller holds the lock: the feed's thread runs while anything is live (without
        threads, its task on the loop)."""
        if self._thread is not None or self._feeding is not None:
            return
        if threads_available():
            self._thread = threading.Thread(
                target=self._feed, name="nbagent-evaluation-feed", daemon=True
            )
            self._thread.start()
        else:
            self._feeding = task_apart(this_threads_loop(), self._afeed())

    def _live(self) -> bool:
        return not self.ev.done or any(c.status == "running" for c in self.ev.cases)

    def _feed(self) -> None:
        while True:
            self._wake.wait(self.interval_s)  # a throttle's interval, not a stand-in for one
            if not self._fed():
                return

    async def _afeed(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)  # a throttle's interval
            if not self._fed():
                return

    def _fed(self) -> bool:
        """Send what is pending; whether the feed goes on (anything still live)."""
        with self._lock:
            with contextlib.suppress(Exception):  # a lost message: the page re-syncs
                self._flush()
            if self._live():
                return True
            self._thread = self._feeding = None  # under the lock: a change now starts another
            return False

    # -- sending ---------------------------------------------------------------------------

    def _flush(self) -> None:
        """The caller holds the lock: one ``rows`` message with what changed, if anything."""
        for i in list(self._wanted):
            self.open(i)
        self._columns_now()
        rows: list[dict[str, Any]] = []
        appends: list[list[Any]] = []
        deltas = self.ev.deltas
        for i in sorted(self._dirty):
            self._change(row_of(self.ev.cases[i], deltas[i] if deltas else None), rows, appends)
        for case in self.ev.cases:
            if case.status != "running" or case.index in self._dirty or case.run is None:
                continue
            with case.run.lock:
                text = case.transcript.text[:OUTPUT_CHARS]
            self._change({"i": case.index, "output": text}, rows, appends, whole=False)
        self._dirty.clear()
        if not rows and not appends:
            return
        self._seq += 1
        header = header_of(self.ev, deltas)
        message: EvalRows = {
            "type": "rows",
            "seq": self._seq,
            # What changed since the page's header (most of it stays between two messages).
            "header": {k: v for k, v in header.items() if self._head.get(k, _UNSENT) != v},
            "rows": rows,
            "append": appends,
        }
        self._head = header
        self.widget.send(message)

    def _change(
        self,
        row: dict[str, Any],
        rows: list[dict[str, Any]],
        appends: list[list[Any]],
        *,
        whole: bool = True,
    ) -> None:
        """What the page must change to show ``row`` (a whole row, or only its answer): the
        fields that differ (None: gone), and the answer's new text as an append when it
        goes on from what the page has."""
        i = row["i"]
        page = self._page.setdefault(i, {"i": i})
        change = {k: v for k, v in row.items() if k != "output" and page.get(k) != v}
        if whole:
            change |= {k: None for k in page if k not in row and k != "output"}
        text, had = row.get("output", ""), page.get("output", "")
        if text != had:
            if text.startswith(had):
                appends.append([i, text[len(had) :]])
            else:
                change["output"] = text
        if change:
            rows.append({"i": i, **change})
        if whole:
            page.clear()
        page.update(row)

    def _columns_now(self) -> None:
        names = self.ev.shown_score_names
        if names != self._columns:
            self._columns = names
            self.widget.columns = names

    def _table(self) -> EvalTable:
        """The whole table now; what the page has from then on (``_page``)."""
        deltas = self.ev.deltas
        rows = [row_of(c, deltas[c.index] if deltas else None) for c in self.ev.cases]
        self._page = {r["i"]: dict(r) for r in rows}
        self._head = header_of(self.ev, deltas)
        return {"seq": self._seq, "header": self._head, "rows": rows}

    # -- the page's requests ---------------------------------------------------------------

    def _on_message(self, content: EvalRequest) -> None:
        kind = content.get("type")
        i = content.get("i")
        index = i if isinstance(i, int) and 0 <= i < len(self.ev.cases) else None
        if kind == "sync":
            with self._lock:
                self._flush()  # what was pending goes out first: the table then covers it
                snapshot: EvalSnapshot = {"type": "snapshot", **self._table()}
                self.widget.send(snapshot)
        elif kind == "output":  # a host writes it into the notebook (js/src/store/offer.js)
            with self._lock:
                output: EvalOutput = {"type": "output", "data": self._bundle(in_model=False)}
                self.widget.send(output)
        elif kind == "stop":
            self.ev.cancel()
        elif index is None:
            return
        elif kind == "open":
            self.widget.code.include("case")  # the page draws the opened case with it
            self.open(index)
        elif kind == "rerun":
            self.ev.rerun(index)
        elif kind == "rate":
            up = content.get("up")
            comment = content.get("comment")
            self.ev.rate(
                index,
                up if isinstance(up, bool) else None,
                comment[:10_000] if isinstance(comment, str) else self.ev.cases[index].comment,
            )

    def display(self) -> None:
        """Display the widget below the running cell, with the table as HTML for a notebook
        read without widgets (updated as the evaluation ends)."""
        if marimo.running():
            marimo.output(self.widget)
            return
        from IPython.display import display

        # A client that names no cell (`jupyter execute`) saves the widget's state: the
        # output then leaves the table to it (saved once, not twice).
        self._in_model = current_cell_id() is None
        handle = display(self._bundle(), raw=True, display_id=True)  # type: ignore[no-untyped-call]
        self._handles.append(handle)

    def _bundle(self, *, in_model: bool | None = None) -> dict[str, Any]:
        """The output: the widget's view; the table and transcripts for nbagent's renderer
        (a notebook saved without widget state shows them, rows opening, with no kernel);
        the table as escaped HTML for any other reader; its status and summary (the cases
        counted by status) as plain text."""
        data = self.widget._repr_mimebundle_()
        bundle: dict[str, Any] = (data[0] if isinstance(data, tuple) else data) or {}
        w = self.widget
        payload: dict[str, Any] = {"version": 1, "model_id": w.model_id, "title": w.title}
        if self._in_model if in_model is None else in_model:
            payload["in_model"] = True
        else:
            payload |= {"columns": w.columns, "baseline": w.baseline, "snapshot": w.snapshot}
            payload["transcripts"] = w.transcripts
        # The table once it ends; while it runs, its summary (a page parses an output's HTML
        # again whenever it changes: JupyterLab's table of contents, for headings).
        ev = self.ev
        status, summary = ev.status, ev.summary()
        static = ev.to_html() if ev.done else records.summary_html(ev.title, status, summary)
        plain = records.headline(ev.title, status, summary)
        return {**bundle, EVALUATION_MIME: payload, "text/html": static, "text/plain": plain}

    def _update_displays(self) -> None:
        """The caller holds the lock: the outputs' HTML copy as the table is now."""
        if self._handles:
            bundle = self._bundle()
            for handle in self._handles:
                with contextlib.suppress(Exception):  # the static copy is a courtesy
                    handle.update(bundle, raw=True)
