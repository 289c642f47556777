"""``LaneSaves``: where each lane of a ``Lanes`` widget goes (``Lanes`` extends it): its key in
the widget's model (``SavedLanes``: its first state, its final one, again after a re-run), its
share of the cell output once it ended, and its state sent again in a later cell where a
client that names no cell lost it (every such lane in one update).

Each copy of a lane's text goes to the reader that is there. A page that holds the widget's
model follows the lanes from the ops and writes their states into its own copy of the model
(``followLanes``, js/src/store/lanes.js): the page of a client that names its cells
(JupyterLab, Notebook 7), or one that says so (``listen``). A client that names no cell may
have no page (nbclient: `jupyter execute`, papermill): it saves what the kernel's messages
carry, the model's state and the outputs, and drops the ops. So the kernel sends the ops only
while a page follows them (held back meanwhile: a page that comes later asks, or is sent, a
snapshot), and a lane's saved state only where no page keeps it; the static copy goes into
the output for every reader (``nbagent.runtime.views.CellOutput``)."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from nbagent.runtime.controller import Controller
from nbagent.runtime.kernel import CellMark, again_in_a_cell, cell_mark, follow_cells, same_cell
from nbagent.runtime.run import Run
from nbagent.runtime.views import CellOutput
from nbagent.transcript.media import saved_state
from nbagent.widget.messages import KernelMessage
from nbagent.widget.output import RunOutput
from nbagent.widget.widget import LanesWidget
from nbagent.widget.wire import compact_state

__all__ = ["LaneSaves"]


class LaneSaves:
    """The saving half of ``Lanes``: what it keeps of each lane, by index."""

    # Lanes.__init__ sets each (its comments say what they hold).
    layout: str
    lock: threading.RLock
    runs: list[Run]
    widget: LanesWidget | None
    controller: Controller
    _metas: list[dict[str, Any]]
    _ended: dict[int, RunOutput]
    _unsaved: set[int]
    _output: CellOutput | None
    _listening: bool
    _held: bool

    def _send(self, message: KernelMessage) -> None:
        """The controller's ``send``: each message to the widget, but the ops while no page
        follows them (``_no_page``), held back (``_held``)."""
        if self.widget is None:
            return
        if "type" not in message and self._no_page():
            self._held = True
            return
        self.widget.send(message)

    def _no_page(self) -> bool:
        """Whether no page follows the ops: the widget is displayed by a cell of a client that
        names no cell, and no page said it listens."""
        output = self._output
        shown = output is not None and output.handle is not None and output.headless
        return shown and not self._listening and follow_cells()

    def _page_keeps(self) -> bool:
        """Whether a page follows the ops and writes each lane's state into its copy of the
        model: the kernel need not send it."""
        output = self._output
        named = output is not None and output.handle is not None and not output.headless
        return named or self._listening

    def listen(self) -> bool:
        """A page follows the widget from now on (its ``listen``, or a ``sync``): the ops go
        out; whether they were held back (the page then needs a snapshot)."""
        with self.lock:
            if self._listening:
                return False
            self.controller.flush()  # what is pending is held back too: the snapshot has it
            self._listening = True
            held, self._held = self._held, False
            return held

    def _open_state(self, index: int, state: dict[str, Any]) -> None:
        """Save a new lane's first state (running) in the widget: a notebook saved while it
        runs shows it so."""
        if self.widget is not None:
            self._publish(index, self._saved(index, state), cell_mark())

    def reopen(self, index: int) -> None:
        """Lane ``index``'s ended run sends ops again (a tool re-run): what it saved is out
        of date."""
        self._ended.pop(index, None)

    def save_lane(self, index: int) -> None:
        """Write a lane's state (only its) into the widget: at its end, after a re-run."""
        with self.lock:
            if self.widget is None:
                return
            self.controller.flush()
            self._write(index, saved_state(self.runs[index].transcript.to_dict()))

    def _write(self, index: int, state: dict[str, Any]) -> None:
        mark = cell_mark()
        saved = self._saved(index, state)
        self._ended[index] = self._run_output(index, state, saved["seq"])
        self._publish(index, saved, mark)

    def _run_output(self, index: int, state: dict[str, Any], version: int) -> RunOutput:
        """A lane's share of the output: one ``<style>`` (the first lane's) serves them all;
        a chat's turns in plain text are their outline (``RunOutput.brief``)."""
        title, prompt = self._metas[index].get("title"), self._metas[index].get("prompt")
        chat = self.layout == "chat"
        return RunOutput(state, title, prompt, version=version, styled=index == 0, brief=chat)

    def _publish(self, index: int, saved: dict[str, Any], mark: CellMark) -> None:
        """Write a lane's saved state into the widget's model, sent only where it is kept from
        the kernel's messages. A page built that state from the ops and writes it into its own
        copy of the model (``_page_keeps``): the kernel keeps its own without sending it (a page
        that opens later asks for it). A client that names no cell (nbclient) saves what a
        cell's messages carry: sent now in a cell, else in the next one (``_sent``)."""
        widget = self.widget
        if widget is None:
            return
        widget.keep_lane(index, saved)
        if self._page_keeps():
            return
        if mark[0] or not follow_cells():  # in a cell (or no cells at all)
            widget.send_lanes([index])
        self._sent(index, mark)

    def _saved(self, index: int, state: dict[str, Any]) -> dict[str, Any]:
        meta = {k: v for k, v in self._metas[index].items() if v is not None}
        return {"seq": self.controller.seq, "meta": meta, "state": compact_state(state)}

    def _sent(self, index: int, mark: tuple[bool, int]) -> None:
        """A lane's state went out since ``mark``: again in a cell if `jupyter execute` lost it
        (a client that names no cell; JupyterLab's widget manager took it as it came)."""
        headless = self._output is None or self._output.headless
        if same_cell(mark) or not headless or not follow_cells():  # no cells: nothing to do
            return
        due = not self._unsaved
        self._unsaved.add(index)
        if due:
            again_in_a_cell(mark, self._resend)

    def _resend(self) -> None:
        with self.lock:
            unsaved, self._unsaved = sorted(self._unsaved), set()
            if self.widget is None:
                return
            with contextlib.suppress(Exception):  # a closed widget has nothing to save
                self.widget.send_lanes(unsaved)

    def _lane_output(self, index: int) -> RunOutput:
        """A lane's output: as saved at its end, or as it is now (running, re-running)."""
        ended = self._ended.get(index)
        if ended is not None:
            return ended
        return self._run_output(index, self.runs[index].transcript.to_dict(), -1)
