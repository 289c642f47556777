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

import contextlib
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol

from nbagent._evaluate import records
from nbagent._evaluate.cases import EvalCase
from nbagent._evaluate.tasks import MakeView, prompt_of
from nbagent._evaluate.widget import CaseView, EvaluationWidget
from nbagent.runtime import marimo


class Evaluation(Protocol):
    """What the board reads of an ``nbagent.Evaluation`` (which makes the board)."""

    cases: list[EvalCase]
    title: str
    started_at: float
    ended_at: float | None

    @property
    def baseline(self) -> Any: ...
    @property
    def done(self) -> bool: ...
    @property
    def status(self) -> str: ...
    @property
    def score_names(self) -> list[str]: ...
    @property
    def deltas(self) -> list[dict[str, float] | None]: ...
    @property
    def changes(self) -> dict[str, dict[str, float | None]]: ...
    def on_change(self, callback: Callable[[EvalCase], None]) -> None: ...
    def on_done(self, callback: Callable[[], None]) -> None: ...
    def cancel(self) -> None: ...
    def rerun(self, i: int) -> None: ...
    def rate(self, i: int, up: bool | None, comment: str = "") -> None: ...
    def to_html(self) -> str: ...


__all__ = ["INPUT_CHARS", "OUTPUT_CHARS", "THROTTLE_MS", "Board", "header_of", "row_of"]

THROTTLE_MS = 200
"""At most one ``rows`` message per this many ms (5 a second, whatever the concurrency)."""
INPUT_CHARS = 500
"""Characters of a case's input and expected output in its row (its run view has the rest)."""
OUTPUT_CHARS = 2000
"""Characters of a case's answer in its row (its run view has the rest)."""


def _shown(value: Any, limit: int) -> str | None:
    """A value as a row shows it: text as it is, anything else as JSON; cut at ``limit``."""
    if value is None:
        return None
    text = value if isinstance(value, str) else prompt_of(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_value(value: Any) -> Any:
    """A score as JSON holds it (else its text)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


def _output_of(case: EvalCase) -> str:
    """The answer so far (the transcript's text while it runs)."""
    if case.status == "running" or case.output is None:
        return case.transcript.text[:OUTPUT_CHARS]
    return _shown(case.output, OUTPUT_CHARS) or ""


def row_of(case: EvalCase, delta: dict[str, float] | None) -> dict[str, Any]:
    """One case as a row of the widget's table (``delta``: against the baseline, or None)."""
    row: dict[str, Any] = {
        "i": case.index,
        "name": case.name,
        "input": _shown(case.input, INPUT_CHARS) or "",
        "expected": _shown(case.expected, INPUT_CHARS),
        "output": _output_of(case),
        "status": case.status,
        "error": case.error,
        "scores": {k: _json_value(v) for k, v in case.scores.items()},
        "score_errors": dict(case.score_errors),
        **case.metrics(),
        "repeat": case.repeat,
        "rating": case.rating,
        "comment": case.comment,
    }
    if delta is not None:
        row["deltas"] = delta
        row["changed"] = any(abs(v) > 1e-12 for v in delta.values())
    return row


def header_of(ev: Evaluation) -> dict[str, Any]:
    """The table's header: counts, time, tokens, cost, each score's mean (and change)."""
    counts = Counter(c.status for c in ev.cases)
    done = sum(counts[s] for s in ("completed", "error", "cancelled", "skipped"))
    now = time.time()
    end = ev.ended_at if ev.ended_at is not None and not counts["running"] else now
    elapsed = end - ev.started_at
    ran = done - counts["skipped"]
    left = counts["queued"] + counts["running"]
    eta = elapsed / ran * left if ran and left and not ev.done else None
    costs = [c.transcript.cost_usd for c in ev.cases if c.status not in ("queued", "skipped")]
    known = [c for c in costs if c is not None]
    usage = [c.transcript.usage for c in ev.cases if c.status not in ("queued", "skipped")]
    names = ev.score_names
    return {
        "status": "running" if not ev.done or counts["running"] else ev.status,
        "total": len(ev.cases),
        "done": done,
        **{s: counts[s] for s in ("running", "queued", "cancelled", "skipped")},
        "errors": counts["error"],
        "started_at": ev.started_at,
        "elapsed_s": elapsed,
        "eta_s": eta,
        "now": now,
        "input_tokens": sum(u.input_tokens or 0 for u in usage),
        "output_tokens": sum(u.output_tokens or 0 for u in usage),
        "cost_usd": sum(known) if known else None,
        "means": records.means(ev.cases, names),
        "changes": ev.changes,
    }


class Board:
    """An evaluation's widget and what keeps it live (see the module's docstring)."""

    def __init__(self, ev: Evaluation, *, throttle_ms: float = THROTTLE_MS) -> None:
        self.ev = ev
        self.interval_s = throttle_ms / 1000
        self._lock = threading.RLock()
        self._seq = 0
        self._dirty: set[int] = set()
        self._sent: dict[int, str] = {}  # each running case's answer as the page has it
        self._views: dict[int, CaseView] = {}
        self._wanted: set[int] = set()  # opened by the page before their run existed
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._handles: list[Any] = []  # the displays, updated as the evaluation ends
        baseline = ev.baseline.title if ev.baseline is not None else ""
        self._columns = ev.score_names
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
            view = CaseView(f"{self.ev.title} #{case.index}")
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
            if case.status == "running" and str(case.index) in self.widget.opened:
                # Re-run: the row's widget showed the last run; the new one opens as it starts.
                self.widget.opened = {
                    k: v for k, v in self.widget.opened.items() if k != str(case.index)
                }
                self._wanted.add(case.index)
            if not self.ev.done:
                self._ensure_thread()
                return
            if case.status == "running":
                self._ensure_thread()
                return
        self._settle()  # after the end: a rating, a re-run's end

    def _ended(self) -> None:
        self._settle()

    def _settle(self) -> None:
        """Send what is pending and write the saved traits (the table, the transcripts)."""
        with self._lock:
            self._flush()
            self.widget.transcripts = [
                c.transcript.to_dict() if c.status not in ("queued", "skipped") else None
                for c in self.ev.cases
            ]
            self._write_snapshot()
            self._update_displays()

    def _ensure_thread(self) -> None:
        """The caller holds the lock: the feed's thread runs while anything is live."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._feed, name="nbagent-evaluation-feed", daemon=True
            )
            self._thread.start()

    def _live(self) -> bool:
        return not self.ev.done or any(c.status == "running" for c in self.ev.cases)

    def _feed(self) -> None:
        while True:
            self._wake.wait(self.interval_s)  # a throttle's interval, not a stand-in for one
            with self._lock:
                with contextlib.suppress(Exception):  # a lost message: the page re-syncs
                    self._flush()
                if not self._live():
                    self._thread = None
                    return

    # -- sending ---------------------------------------------------------------------------

    def _flush(self) -> None:
        """The caller holds the lock: one ``rows`` message with what changed, if anything."""
        for i in list(self._wanted):
            self.open(i)
        self._columns_now()
        rows: list[dict[str, Any]] = []
        deltas = self.ev.deltas
        for i in sorted(self._dirty):
            row = row_of(self.ev.cases[i], deltas[i] if deltas else None)
            rows.append(row)
            if self.ev.cases[i].status == "running":
                self._sent[i] = row["output"]
            else:
                self._sent.pop(i, None)
        appends: list[list[Any]] = []
        for case in self.ev.cases:
            if case.status != "running" or case.index in self._dirty or case.run is None:
                continue
            with case.run.lock:
                text = case.transcript.text[:OUTPUT_CHARS]
            sent = self._sent.get(case.index, "")
            if text == sent:
                continue
            if text.startswith(sent):
                appends.append([case.index, text[len(sent) :]])
            else:  # not a continuation (a block replaced): the whole answer again
                rows.append({"i": case.index, "output": text})
            self._sent[case.index] = text
        self._dirty.clear()
        if not rows and not appends:
            return
        self._seq += 1
        message = {
            "type": "rows",
            "seq": self._seq,
            "header": header_of(self.ev),
            "rows": rows,
            "append": appends,
        }
        self.widget.send(message)

    def _columns_now(self) -> None:
        names = self.ev.score_names
        if names != self._columns:
            self._columns = names
            self.widget.columns = names

    def _table(self) -> dict[str, Any]:
        deltas = self.ev.deltas
        rows = [row_of(c, deltas[c.index] if deltas else None) for c in self.ev.cases]
        for row in rows:
            if row["status"] == "running":
                self._sent[row["i"]] = row["output"]
        return {"seq": self._seq, "header": header_of(self.ev), "rows": rows}

    def _write_snapshot(self) -> None:
        self._columns_now()
        self.widget.snapshot = self._table()

    # -- the page's requests ---------------------------------------------------------------

    def _on_message(self, content: dict[str, Any]) -> None:
        kind = content.get("type")
        i = content.get("i")
        index = i if isinstance(i, int) and 0 <= i < len(self.ev.cases) else None
        if kind == "sync":
            with self._lock:
                self._flush()  # what was pending goes out first: the table then covers it
                self.widget.send({"type": "snapshot", **self._table()})
        elif kind == "stop":
            self.ev.cancel()
        elif index is None:
            return
        elif kind == "open":
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

        handle = display(self._bundle(), raw=True, display_id=True)  # type: ignore[no-untyped-call]
        self._handles.append(handle)

    def _bundle(self) -> dict[str, Any]:
        data = self.widget._repr_mimebundle_()
        bundle: dict[str, Any] = (data[0] if isinstance(data, tuple) else data) or {}
        return {**bundle, "text/html": self.ev.to_html()}

    def _update_displays(self) -> None:
        """The caller holds the lock: the outputs' HTML copy as the table is now."""
        if self._handles:
            bundle = self._bundle()
            for handle in self._handles:
                with contextlib.suppress(Exception):  # the static copy is a courtesy
                    handle.update(bundle, raw=True)
