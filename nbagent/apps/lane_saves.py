"""``LaneSaves``: where each lane of a ``Lanes`` widget is saved (``Lanes`` extends it): its
key in the widget's model (``SavedLanes``: its first state, its final one, again after a
re-run), its share of the cell output once it ended, and its state sent again in a later cell
where a client that names no cell lost it (every such lane in one update)."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from nbagent.runtime.controller import Controller
from nbagent.runtime.kernel import CellMark, again_in_a_cell, cell_mark, follow_cells, same_cell
from nbagent.runtime.run import Run
from nbagent.runtime.views import CellOutput
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
            self._write(index, self.runs[index].transcript.to_dict())

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
        copy of the model (``followLanes``, js/src/store/lanes.js): the kernel keeps its own
        without sending it (a page that opens later asks for it). A client that names no cell
        (nbclient) saves what a cell's messages carry: sent now in a cell, else in the next one
        (``_sent``)."""
        widget, output = self.widget, self._output
        if widget is None:
            return
        widget.keep_lane(index, saved)
        named = output is not None and output.handle is not None and not output.headless
        if not named and (mark[0] or not follow_cells()):  # in a cell (or no cells at all)
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
