"""Where a run's ops go: a widget of its own, or a lane of a widget of several runs.

``Run`` talks to its view only through ``RunView``; ``OwnWidget`` is what ``show()`` makes,
``nbagent._lanes.Lane`` a lane of ``show({...})``, ``compare()`` or ``Chat``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from nbagent import _wire as wire
from nbagent._output import WIDGET_VIEW_MIME
from nbagent._widget import AgentWidget
from nbagent.runtime.controller import Controller, Op, Send
from nbagent.runtime.kernel import CellMark, on_next_cell, same_cell

if TYPE_CHECKING:
    from nbagent._transcript import Transcript

__all__ = ["CellOutput", "OwnWidget", "RunView"]


class RunView(Protocol):
    """Where a run's ops go: a widget of its own (``OwnWidget``) or a lane of a widget
    of several runs (``nbagent._lanes.Lane``)."""

    widget: Any
    lock: threading.RLock
    """The lock the run's producer holds while it folds and pushes."""

    def push(self, ops: list[Op], *, urgent: bool = False) -> None: ...
    def push_late(self, ops: list[Op]) -> None: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...
    def save_state(self, transcript: Transcript) -> None: ...
    def sync(self, transcript: Transcript) -> None: ...
    def set_can_rerun(self, value: bool) -> None: ...


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
        self.widget.snapshot = {"seq": self.controller.seq, "state": transcript.to_dict()}

    def sync(self, transcript: Transcript) -> None:
        self.controller.send_snapshot(transcript.to_dict())

    def set_can_rerun(self, value: bool) -> None:
        self.widget.can_rerun = value


class CellOutput:
    """The cell output of a widget (one run's, or a lanes widget's): its display, its final
    copy, and the answer to the browser's ``output`` (DEVELOP.md, "The saved output").
    ``bundle()`` gives the output's data now (``nbagent._output.mimebundle``)."""

    def __init__(
        self,
        widget: Any,
        controller: Controller,
        lock: threading.RLock,
        bundle: Callable[[], dict[str, Any]],
    ) -> None:
        self.widget = widget
        self.controller = controller
        self.lock = lock
        self.bundle = bundle
        self.handle: Any = None
        """The display handle, once displayed."""

    def display(self) -> None:
        """Display the widget below the running cell."""
        from IPython.display import display

        self.handle = display(self.bundle(), raw=True, display_id=True)  # type: ignore[no-untyped-call]

    def update(self) -> None:
        """Update the output. Lands only while the displaying cell still executes (JupyterLab)
        or under `jupyter execute`; ``answer`` is for the rest."""
        if self.handle is not None:
            with contextlib.suppress(Exception):  # the static copy is a courtesy
                self.handle.update(self.bundle(), raw=True)

    def ended(self, mark: CellMark) -> None:
        """The runs ended, their final state written since ``mark``: the final copy now, and
        both again when the next cell starts if they went out between two cells, tagged with
        the one that ended (`jupyter execute` drops those: it reads each cell's messages until
        the cell ends)."""
        if self.handle is None:
            return
        self.update()
        if not same_cell(mark):
            on_next_cell(self.republish)

    def republish(self) -> None:
        """The widget's final state and output again (see ``ended``)."""
        with self.lock:
            self.widget.send_state("snapshot")
            self.update()

    def answer(self) -> None:
        """Send the output's data to the browser, at the current seq: the caller holds
        ``lock`` and has checked that the runs ended (nothing is sent while one streams)."""
        with self.lock:
            self.controller.flush()
            data = {k: v for k, v in self.bundle().items() if k != WIDGET_VIEW_MIME}
            self.controller.send_message(wire.output_message(self.controller.seq, data))
