"""The folding end of a run: what the pipeline yields goes into the run's events and
transcript, and the transcript's ops to the run's view (or to the terminal).

Every entry point takes the run's lock: the reader (a thread or a loop task) feeds items
while a Stop, a browser's ``sync`` or a re-run may come from other threads, and a
snapshot of the transcript must match exactly the ops sent before it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from nbagent.core.events import Event
from nbagent.pipeline.stream import Pipeline
from nbagent.runtime.kernel import CellMark, cell_mark
from nbagent.runtime.log import EventLog
from nbagent.runtime.views import OwnWidget, RunView
from nbagent.transcript.transcript import Transcript
from nbagent.widget.terminal import Printer

__all__ = ["RunSink"]

EventsCallback = Callable[[list[Event]], None]
Amend = Callable[[Event], Event]


class RunSink:
    """Folds one run's events and hands the ops on; ``stream.Sink`` for the read loop.

    ``view``: where ops go in a notebook (None outside one: ``printer`` prints instead).
    ``amend`` functions replace each event before anything else sees it (what the kernel knows
    and the source does not); ``on_events`` callbacks see each batch of events, under the lock,
    before it is folded;
    ``on_ending`` callbacks run once as the run ends (before ``done`` is set), ``on_done``
    callbacks after.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        transcript: Transcript,
        *,
        view: RunView | None,
        printer: Printer | None,
        lock: threading.RLock,
    ) -> None:
        self.pipeline = pipeline
        self.transcript = transcript
        self.view = view
        self.printer = printer
        self.lock = lock
        self.events = EventLog(transcript, lock)
        """Every normalized event, in order (their text kept once: in the transcript's buffers)."""
        self.done = threading.Event()
        self.end_mark: CellMark = (False, 0)
        """Where the kernel was in its cells as the run began to end (``kernel.cell_mark``)."""
        self._first_token_sent = False
        self._amends: list[Amend] = []
        self._observers: list[EventsCallback] = []
        self._ending: list[Callable[[CellMark], None]] = []
        self._callbacks: list[Callable[[], None]] = []

    # -- stream.Sink ---------------------------------------------------------------------

    @property
    def ended(self) -> bool:
        return self.pipeline.ended

    def feed(self, item: Any) -> list[Event]:
        with self.lock:  # a Stop from another thread ends the pipeline: it then returns []
            events = self.pipeline.feed(item)
            self.ingest(events)
            return events

    def finish(self) -> list[Event]:
        with self.lock:
            events = self.pipeline.finish()
            self.ingest(events)
            return events

    def fail(self, exc: BaseException) -> list[Event]:
        """End the run with ``exc``. The failure may be the widget's own (a send that
        raised): the transcript has the error then, and the run ends all the same."""
        events: list[Event] = []
        with self.lock, contextlib.suppress(Exception):
            events = self.pipeline.fail(exc)
            self.ingest(events)
        return events

    def cancel(self, message: str = "stopped by user") -> bool:
        """End the run as cancelled now; False when it had ended already."""
        with self.lock:
            if self.pipeline.ended:
                return False
            self.ingest(self.pipeline.cancel(message))
            return True

    def announce(self) -> None:
        """Send the run's start (``Transcript.begin``) to a widget of its own now, as the
        source is started: its first item may take seconds (a local model reading its
        prompt), and the message carries the kernel's clock, which the page's clock of the run
        runs on ("waiting for the first token · 7.0 s"). A lane's opening message said both."""
        with self.lock:
            start = self.transcript.started_at
            fresh = self.transcript.last_event is None  # nothing folded: no op sent it yet
            if isinstance(self.view, OwnWidget) and start is not None and fresh:
                # A courtesy: the source is read whatever the widget does with it.
                with contextlib.suppress(Exception):
                    self.view.push([{"op": "run", "set": {"started_at": start}}], urgent=True)

    def mark_paused(self, ts: float, paused: bool = True) -> None:
        """The run paused (or went on) at ``ts`` where no event says so (a step replay
        between steps): its clock stops, and the view hears it at once."""
        with self.lock:
            t = self.transcript
            ops = t.pause(ts) if paused else t.resume(ts)
            if ops and self.view is not None:
                self.view.push(ops, urgent=True)

    # -- folding and sending ---------------------------------------------------------------

    def ingest(self, events: list[Event]) -> None:
        """Fold events into the transcript and hand the ops to the view; the caller holds
        the lock."""
        if not events:
            return
        for amend in self._amends:  # in place: feed() returns this very list
            events[:] = [amend(ev) for ev in events]
        for observer in self._observers:
            observer(events)
        transcript = self.transcript
        ops: list[dict[str, Any]] = []
        log = self.events
        try:
            for ev in events:
                ops.extend(transcript.apply(ev))
                log.append(ev)  # after apply: its text is in the transcript's buffers
            if self.printer is not None:
                self.printer.feed(events)
            if self.view is not None:
                urgent = self.pipeline.ended
                if not self._first_token_sent and transcript.first_token_at is not None:
                    self._first_token_sent = urgent = True
                self.view.push(ops, urgent=urgent)
        except BaseException:
            # A KeyboardInterrupt lands between any two lines (a cell's run.wait() drives the
            # source here): the transcript may hold changes whose ops were never sent, so the
            # page gets the whole state again.
            if self.view is not None:
                with contextlib.suppress(Exception):
                    self.view.sync(transcript)
            raise
        finally:  # a widget that cannot be updated must not leave the run unfinished
            if self.pipeline.ended and not self.done.is_set():
                self._finish()

    def add(self, events: list[Event]) -> None:
        """Events that do not come from the source (what the producer learned meanwhile: an
        MCP app it read for a call), from any thread: folded, logged and sent as the source's
        while the run is live; after its end, what ``Transcript.apply_late`` folds, sent as
        late ops (the run's log ends with its end)."""
        with self.lock:
            if not self.pipeline.ended:
                self.ingest(self.pipeline.add(list(events)))
                return
            ops = [op for ev in events for op in self.transcript.apply_late(ev)]
            if ops and self.view is not None:
                self.view.push_late(ops)

    def _finish(self) -> None:
        try:
            self.end_mark = mark = cell_mark()
            if self.view is not None:
                self.view.close()
                self.view.save_state(self.transcript)
            for ending in self._ending:
                ending(mark)
        finally:  # wait() and await return, whatever the widget did
            self.done.set()
            callbacks, self._callbacks = self._callbacks, []
            for callback in callbacks:
                callback()

    # -- callbacks -------------------------------------------------------------------------

    def amend(self, fn: Amend) -> None:
        """Pass each event through ``fn`` (the same event, or a changed copy) before it is
        observed, folded and logged."""
        self._amends.append(fn)

    def on_events(self, callback: EventsCallback) -> None:
        """Call ``callback(events)`` with each batch of events before it is folded."""
        self._observers.append(callback)

    def on_ending(self, callback: Callable[[CellMark], None]) -> None:
        """Call ``callback(end_mark)`` as the run ends, its final state written, before
        ``wait()`` returns (the cell output's final copy)."""
        self._ending.append(callback)

    def on_done(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once the run has ended (now, if it has)."""
        with self.lock:
            if not self.done.is_set():
                self._callbacks.append(callback)
                return
        callback()
