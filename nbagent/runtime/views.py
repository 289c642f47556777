"""Where a run's ops go: a widget of its own, or a lane of a widget of several runs.

``Run`` talks to its view only through ``RunView``; ``OwnWidget`` is what ``show()`` makes,
``nbagent.apps.lane.Lane`` a lane of ``show({...})``, ``compare()`` or ``Chat``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from nbagent.runtime import marimo
from nbagent.runtime.controller import Controller, Op, Send
from nbagent.runtime.kernel import (
    CellMark,
    again_in_a_cell,
    at_cell_end,
    cell_mark,
    current_cell_id,
    follow_cells,
    same_cell,
    sent_in_a_cell,
)
from nbagent.transcript.media import saved_state
from nbagent.widget import wire as wire
from nbagent.widget.output import Head, RunOutput, assemble, split
from nbagent.widget.widget import AgentWidget, CodeModel

if TYPE_CHECKING:
    from nbagent.transcript.transcript import Transcript

__all__ = ["CellOutput", "OwnWidget", "RunView", "apart_html", "held"]


class RunView(Protocol):
    """Where a run's ops go: a widget of its own (``OwnWidget``) or a lane of a widget
    of several runs (``nbagent.apps.lane.Lane``)."""

    widget: Any
    lock: threading.RLock
    """The lock the run's producer holds while it folds and pushes."""

    def push(self, ops: list[Op], *, urgent: bool = False) -> None: ...
    def push_late(self, ops: list[Op]) -> None: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...
    def save_state(self, transcript: Transcript) -> None: ...
    def sync(self, transcript: Transcript) -> None: ...
    def set_can_rerun(self, value: bool | str) -> None: ...


class OwnWidget:
    """A run shown in an ``AgentWidget`` of its own: what ``show()`` makes."""

    def __init__(
        self,
        state: dict[str, Any],
        *,
        title: str | None,
        show_thinking: bool,
        throttle_ms: float,
        controller: Callable[[Send], Controller] | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.widget = AgentWidget(
            title=title or "", show_thinking=show_thinking, snapshot={"seq": 0, "state": state}
        )
        make = controller or (lambda send: Controller(send, throttle_ms=throttle_ms))
        self.controller = make(self.widget.send)
        """Sends the run's ops (``controller``: another one, e.g. with a test's clock)."""
        # The controller's own method: no extra call per token.
        self.push = self.controller.push
        self.push_late = self.controller.push_late
        self.flush = self.controller.flush
        self.close = self.controller.close

    def save_state(self, transcript: Transcript) -> None:
        """The run's state as the notebook saves it (``saved_state``: the pictures and sounds
        over the saved bound without their data; the page that built it from the ops keeps
        its own and loads nothing of this)."""
        state = saved_state(transcript.to_dict())
        self.widget.snapshot = {"seq": self.controller.seq, "state": state}

    def sync(self, transcript: Transcript) -> None:
        self.controller.send_snapshot(transcript.to_dict())

    def set_can_rerun(self, value: bool | str) -> None:
        self.widget.can_rerun = value


Parts = Callable[[], tuple[Head, list[RunOutput]]]
"""The output's head and runs now (``Lanes``: each lane's, its static copies made once)."""


class CellOutput:
    """The cell output of a widget (one run's, or a lanes widget's): its display, its final
    copy, and the answer to the browser's ``output`` (docs/develop/frontends.md).

    ``bundle()`` gives one run's output data now (``nbagent.widget.output.mimebundle``); a widget of
    several runs gives ``parts`` instead. Either is read at most once per ``seq``: the end of
    a run makes its state's copy and static HTML once, for the display update, the copy sent
    again at the next cell and the answer. ``state_trait``: the widget's trait to send again
    when the runs ended between two cells (None: the owner sends its own)."""

    def __init__(
        self,
        widget: Any,
        controller: Controller,
        lock: threading.RLock,
        bundle: Callable[[], dict[str, Any]] | None = None,
        *,
        parts: Parts | None = None,
        state_trait: str | None = "snapshot",
    ) -> None:
        if (bundle is None) == (parts is None):
            raise TypeError("CellOutput takes a bundle or parts")
        self.widget = widget
        self.controller = controller
        self.lock = lock
        self.bundle = bundle
        self.parts = parts
        self.state_trait = state_trait
        self.handle: Any = None
        """The display handle, once displayed."""
        self._made: tuple[int, Head, list[RunOutput]] | None = None
        self._one: tuple[Head, str | None, str | None] | None = None
        self._due_at_end = False
        self._due_next = False
        self.headless = False
        """Whether the displaying cell came from a client that names no cell (``jupyter
        execute``, papermill: nbclient), which saves the widget state with the output: the
        kernel's update then leaves the states to the models. JupyterLab and Notebook 7 send
        the cell's id, and save no widget state by default."""
        self.shown_at: CellMark | None = None
        """The displaying cell (``display``)."""
        self.saves_output = False
        """Whether a view asked for the output data (``answer``): its frontend writes the
        output into the notebook itself, so the kernel's update carries the states."""
        self._copied: dict[int, int] = {}
        """Each run's version the cell outputs hold a static copy of (``_copy_apart``)."""
        self._own = 0
        """How many runs the display itself shows: those of the displaying cell."""

    def display(self) -> None:
        """Display the widget below the running cell."""
        if marimo.running():
            # marimo's cell output holds the live widget only: its saved notebook keeps no
            # output to update, so no handle (``update`` and ``ended`` do nothing).
            marimo.output(self.widget)
            return
        from IPython.display import display

        follow_cells()  # from the displaying cell on, for ``ended``
        self.headless = current_cell_id() is None
        self.shown_at = cell_mark()
        code = getattr(self.widget, "code", None)
        if self.headless and isinstance(code, CodeModel):
            code.sends = sent_in_a_cell  # the math chunk, saved even when sent between cells
        head, runs = self.current()
        self.handle = display(assemble(head, runs), raw=True, display_id=True)  # type: ignore[no-untyped-call]
        self._copied = {i: run.version for i, run in enumerate(runs)}
        self._own = len(runs)
        if self.parts is not None and self.shown_at[0]:
            at_cell_end(self.shown_at, self._own_now)

    def _own_now(self) -> None:
        """The displaying cell ends: the runs it added are the display's own (``_apart``)."""
        with self.lock:
            self._own = len(self.current()[1])

    def current(self) -> tuple[Head, list[RunOutput]]:
        """The output at the current seq (what is pending flushed first), made once per seq."""
        with self.lock:
            self.controller.flush()
            seq = self.controller.seq
            made = self._made
            if made is None or made[0] != seq:
                head, runs = self._make(seq)
                made = self._made = (seq, head, runs)
            return made[1], made[2]

    def _make(self, seq: int) -> tuple[Head, list[RunOutput]]:
        if self.parts is not None:
            return self.parts()
        assert self.bundle is not None
        saved = getattr(self.widget, "snapshot", None) or {}
        if self._one is not None and saved.get("seq") == seq and "state" in saved:
            # The run's final state as the widget saved it (OwnWidget.save_state), not made again.
            head, title, prompt = self._one
            return head, [RunOutput(saved["state"], title, prompt, version=seq)]
        head, run = split(self.bundle(), version=seq)
        self._one = (head, run.title, run.prompt)
        return head, [run]

    def update(self) -> None:
        """Update the output now. Lands only while the displaying cell still executes
        (JupyterLab) or under `jupyter execute`; ``answer`` is for the rest. Not sent at all
        from a later cell of a client that names its cells once its page has asked for the
        output data (nbagent's renderer: JupyterLab, Notebook 7): the client would drop it, a
        chat's static copy, all its turns, crossing the wire for nothing at every cell, and
        the page writes the output from the answers (the new turns only)."""
        if self.handle is not None and not self._dropped():
            with contextlib.suppress(Exception):  # the static copy is a courtesy
                head, runs = self.current()
                if self._apart():
                    own, runs = runs[: self._own], runs[self._own :]
                    if any(self._copied.get(i) != run.version for i, run in enumerate(own)):
                        self.handle.update(assemble(head, own, in_model=True), raw=True)
                        self._copied.update((i, run.version) for i, run in enumerate(own))
                    self._copy_apart(runs, len(own))
                    return
                # Under `jupyter execute` the final states are saved with the widget's models:
                # not again in the output (nbagent/widget/output.py).
                data = assemble(head, runs, in_model=self.headless and not self.saves_output)
                self.handle.update(data, raw=True)
                self._copied = {i: run.version for i, run in enumerate(runs)}

    def _apart(self) -> bool:
        """Whether the runs added after the displaying cell go into outputs of their own: a
        widget of several runs (a chat's turns) under a client that names no cell, in a later
        cell. Its display, updated whole, would carry every turn again at each cell (a chat's
        bytes growing with the square of its turns); it keeps the runs of its cell."""
        later = self._later_cell()
        return self.parts is not None and self.headless and not self.saves_output and later

    def _later_cell(self) -> bool:
        """Whether a cell after the displaying one runs or ended (what goes out as that cell
        ends is still its own)."""
        shown, now = self.shown_at, cell_mark()
        if shown is None:
            return False
        return now[1] > shown[1] + 1 or (now[0] and now[1] > shown[1])

    def _copy_apart(self, runs: list[RunOutput], start: int) -> None:
        """Display the static copy of the runs from ``start`` on that the outputs lack (added,
        or re-run since) as an output of this cell: a notebook read top down (GitHub,
        nbconvert) has every turn once, under the cell that ran it; the widget's saved models
        have them all."""
        from IPython.display import display

        new = [run for i, run in enumerate(runs, start) if self._copied.get(i) != run.version]
        self._copied.update((i, run.version) for i, run in enumerate(runs, start))
        if new:
            html = "\n".join(run.html for run in new)
            text = "\n\n".join(run.text for run in new)
            display({"text/html": apart_html(self.widget, html), "text/plain": text}, raw=True)  # type: ignore[no-untyped-call]

    def _dropped(self) -> bool:
        """Whether an update now is for nobody: a client that names its cells, whose page
        writes the output (``saves_output``), a cell after the displaying one running or
        ended (what goes out as that cell ends lands)."""
        return not self.headless and self.saves_output and self._later_cell()

    def ended(self, mark: CellMark) -> None:
        """The runs ended, their final state written since ``mark``: the output is updated
        once per cell, at the end of the cell they ended in, or (they went out between two
        cells, tagged with the one that ended: `jupyter execute` reads each cell's messages
        until the cell ends, and drops those) as the next cell starts, with the final state
        again. However many runs end in a cell, or between two: one update."""
        if self.handle is None:
            return
        with self.lock:
            if self._due_at_end and same_cell(mark):
                return  # the end of this cell updates it already
            if not self._due_at_end and at_cell_end(mark, self._at_cell_end):
                self._due_at_end = True
            elif not self._due_next:
                # Also when an update is due at the end of a cell that has just ended: what
                # went out after its end is not that cell's.
                self._due_next = True
                again_in_a_cell(mark, self.republish)

    def _at_cell_end(self) -> None:
        with self.lock:
            self._due_at_end = False
        self.update()

    def republish(self) -> None:
        """The widget's final state and output again (see ``ended``): the state only for a
        client that names no cell (``headless``: nbclient drops what a cell did not send);
        JupyterLab's widget manager took it when it first went out, whichever cell it was
        tagged with, and would only be sent the run's text again."""
        with self.lock:
            self._due_next = False
            if self.state_trait is not None and self.headless:
                with contextlib.suppress(Exception):  # a closed widget has nothing to save
                    self.widget.send_state(self.state_trait)
            self.update()

    def answer(self, have: Mapping[int, int] | None = None) -> None:
        """Send the output to the browser, at the current seq, less the static parts it holds
        (``have``: run -> version): the caller holds ``lock`` and has checked that the runs
        ended (nothing is sent while one streams)."""
        with self.lock:
            self.saves_output = True
            head, runs = self.current()
            parts = [
                (i, run.version, run.part())
                for i, run in enumerate(runs)
                if have is None or have.get(i) != run.version
            ]
            message = wire.output_message(self.controller.seq, head.fields(), parts)
            self.controller.send_message(message)


def apart_html(widget: Any, html: str) -> str:
    """``html``, the static copy of runs of ``widget`` shown apart from it, marked so that the
    live widget hides it where its page shows it (js/src/view/lanes_view.js): a reader with
    no widget (GitHub, nbconvert) has it."""
    key = getattr(widget, "store_key", "")
    mark = f" nba-of-{key}" if isinstance(key, str) and key.isalnum() else ""
    return f'<div class="nba-apart{mark}">\n{html}\n</div>'


def held(have: Any) -> dict[int, int]:
    """The browser's ``have`` (``[[lane, version], ...]``: the static parts it holds)."""
    held: dict[int, int] = {}
    if isinstance(have, list):
        for entry in have:
            if isinstance(entry, list) and len(entry) == 2 and all(type(x) is int for x in entry):
                held[entry[0]] = entry[1]
    return held
