"""An evaluation's widget (its code a chunk of its own, ``js/src/widget/evaluation/``), and the view
of a case's run, which shows nothing until the page opens the case's row.

A thousand cases make no thousand widgets: a case's run folds its transcript as any run does
and sends nothing (``CaseView``) until its row is opened; it then gets a run widget of its own
(``AgentWidget``, the same view as ``show()``'s, with Stop, Re-run and forks), made from its
state at that moment and fed from then on, which the evaluation's widget draws under the row.
An ``nbagent.Agent``'s case forks there (Fork here): that widget is then its run's ``widget``,
which shows the forks beside it as ``show()``'s does.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import ipywidgets
import traitlets

from nbagent.runtime.controller import Op
from nbagent.runtime.views import OwnWidget
from nbagent.widget.code_model import _text
from nbagent.widget.messages import EvalRequest
from nbagent.widget.widget import AgentWidget, _Widget

if TYPE_CHECKING:
    from nbagent.runtime.run import Run
    from nbagent.transcript.transcript import Transcript

__all__ = ["CASE_THROTTLE_MS", "CaseView", "EvaluationWidget"]

CASE_THROTTLE_MS = 100
"""An opened case's run sends at most one message per this many ms (a run of its own: 50)."""


class EvaluationWidget(_Widget[EvalRequest]):
    """The view of an evaluation (``nbagent.evaluate``): a header (progress, time, tokens,
    cost, each score's mean), filters, and a virtualized table of the cases whose rows open
    the case's run. Live changes go through custom messages (``nbagent.evaluation.board``);
    the traits change when the evaluation starts and ends, and when a case is opened."""

    _esm = _text("evaluation.js")
    _css = _text("evaluation.css")

    columns: traitlets.List[str] = traitlets.List(traitlets.Unicode()).tag(sync=True)
    """The score columns, in the order the scorers gave them."""

    baseline = traitlets.Unicode("").tag(sync=True)
    """The title of the evaluation this one is compared with; empty for none."""

    snapshot = traitlets.Dict().tag(sync=True)
    """``{"seq": n, "header": {...}, "rows": [...]}``: the whole table at ``seq``; written as
    the evaluation starts and ends (and after a rating or a case re-run once it ended)."""

    transcripts: traitlets.List[Any] = traitlets.List().tag(sync=True)
    """Each case's run's state (``Transcript.to_dict()``, None for a case that never ran),
    written once the evaluation has ended: a saved notebook opens a case from it."""

    opened = traitlets.Dict().tag(sync=True, **ipywidgets.widget_serialization)
    """The run widgets (``AgentWidget``) of the cases the page opened, by case index
    (``"IPY_MODEL_<id>"`` in the browser)."""

    def __repr__(self) -> str:
        header = self.snapshot.get("header") or {}
        return f"<nbagent.EvaluationWidget {header.get('status', 'idle')}>"


class CaseView:
    """The ``RunView`` of a case's run: nothing is sent until ``open``, then a run widget of
    its own is fed as ``show()``'s is."""

    widget: Any = None

    def __init__(self, title: str) -> None:
        self.title = title
        self.lock = threading.RLock()
        self.inner: OwnWidget | None = None
        """The run widget's view, once opened."""
        self.can_rerun: bool | str = False

    def open(self, run: Run) -> AgentWidget:
        """The run's widget: made now from the run's state (under its lock: the ops that
        follow are exactly those after it), or the one made before."""
        with self.lock:
            if self.inner is None:
                inner = OwnWidget(
                    run.transcript.to_dict(),
                    title=self.title,
                    show_thinking=True,
                    throttle_ms=CASE_THROTTLE_MS,
                )
                inner.widget.add_handler(run.handle_message)
                inner.widget.can_rerun = self.can_rerun
                if run.cannot_fork is None:  # an Agent's run: Fork here, its forks beside it
                    inner.widget.forks = []
                    run.widget = inner.widget
                if run.done:
                    inner.save_state(run.transcript)
                self.inner = inner
            widget: AgentWidget = self.inner.widget
            return widget

    def push(self, ops: list[Op], *, urgent: bool = False) -> None:
        if self.inner is not None:
            self.inner.push(ops, urgent=urgent)

    def push_late(self, ops: list[Op]) -> None:
        if self.inner is not None:
            self.inner.push_late(ops)

    def flush(self) -> None:
        if self.inner is not None:
            self.inner.flush()

    def close(self) -> None:
        if self.inner is not None:
            self.inner.close()

    def save_state(self, transcript: Transcript) -> None:
        if self.inner is not None:
            self.inner.save_state(transcript)

    def sync(self, transcript: Transcript) -> None:
        if self.inner is not None:
            self.inner.sync(transcript)

    def set_can_rerun(self, value: bool | str) -> None:
        self.can_rerun = value
        if self.inner is not None:
            self.inner.set_can_rerun(value)
