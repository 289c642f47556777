"""Replay a recording through the same pipeline as ``show()``; record a run while it shows.

    run = nbagent.replay("run.jsonl")                 # the original timing
    run = nbagent.replay("run.jsonl", speed=0)        # as fast as possible
    run = nbagent.replay("run.jsonl", step=True)      # paused: run.step(), run.step(to="tool")
    run = nbagent.record(stream, "run.jsonl")         # show(stream), writing each event

A replay's source is a ``nbagent.sources.recording.Player``, read on a thread nbagent owns
like any sync source (without threads, by a task that awaits its gaps and steps); its
widget gets step buttons and shows its position through the ``replay`` trait, which
changes only when a step is done (bytes stay O(output)).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import IO, Any

from nbagent.core.events import Event
from nbagent.frameworks.rerun import RECORDING, attach
from nbagent.runtime.run import Run, launch
from nbagent.runtime.views import OwnWidget
from nbagent.sources.recording import MAX_GAP_S, STEPS, Player
from nbagent.sources.recording_file import read_recording
from nbagent.widget.messages import StepRequest

__all__ = ["RecordingRun", "ReplayRun", "record", "replay"]


class ReplayRun(Run):
    """A :class:`Run` whose source is a recording, what ``nbagent.replay`` returns: it plays
    at the recording's pace times ``speed``; ``step()`` drives a ``step=True`` replay one
    event, tool call or the rest at a time (``to="event"``, ``"tool"``, ``"end"``)."""

    cannot_fork = "a replay has no model to ask again"

    def __init__(
        self,
        player: Player,
        *,
        title: str | None = None,
        show_thinking: bool = True,
        throttle_ms: float = 50,
        display: bool | None = None,
    ) -> None:
        super().__init__(
            player,
            format="events",
            title=title,
            show_thinking=show_thinking,
            throttle_ms=throttle_ms,
            display=display,
        )
        self.player = player
        """The source: ``position`` of ``total`` events played, ``paused``."""
        attach(self, why=RECORDING)  # its tools ran when it was recorded
        player.on_pause = self._paused
        player.on_resume = self._resumed
        if isinstance(self.view, OwnWidget):
            # The page's clock of the run is the recording's (live numbers as the final ones).
            self.view.controller.run_clock(player.clock)
        if self.widget is not None:
            self.widget.replay = player.view_state()
        self.on_message("step", self._step_from_view)
        self.on_done(self._ended)

    def step(self, to: str = "event", *, timeout: float | None = None) -> int:
        """Play the next event (``to="event"``), up to the next tool call's arguments or result
        (``"tool"``) or the rest (``"end"``) at once; returns the position once it is shown
        (without threads, played in this frame before it returns)."""
        ticket = self.player.request(to)
        sliced = self._driver.sliced
        if sliced is not None:  # without threads: played here, in this frame, to its end
            sliced.advance()
            return self.player.position
        if not self.player.wait_served(ticket, timeout, also=lambda: self.done):
            raise TimeoutError(f"the replay did not finish its step within {timeout} s")
        if self.player.finished and not self.done:
            self.wait(timeout)  # the recording's end is being folded: let it land
        return self.player.position

    def _step_from_view(self, content: StepRequest) -> None:
        to = content.get("to")
        # The buttons: queue the step and return (the comm handler must not wait).
        if to in STEPS and self.player.stepping and not self.done:
            self.player.request(str(to))

    def _paused(self) -> None:
        """A step replay waits for its next step: the run is paused, its clock stopped."""
        self._sink.mark_paused(self.player.clock())
        self._show_position()

    def _resumed(self) -> None:
        self._sink.mark_paused(self.player.clock(), paused=False)

    def _show_position(self) -> None:
        """A step is done: its ops out first, then the position (the trait goes out at once)."""
        if self.view is not None:
            self.view.flush()
        if self.widget is not None:
            self.widget.replay = self.player.view_state()

    def _ended(self) -> None:
        self.player.close()  # a replay stopped while paused wakes and ends
        if self.widget is not None:
            self.widget.replay = self.player.view_state()


class RecordingRun(Run):
    """A :class:`Run` that writes each normalized event to ``path`` as it arrives, what
    ``nbagent.record`` returns: the file is JSONL, line-buffered (a crash keeps what arrived)
    and equal to what ``run.save(path)`` writes; ``nbagent.replay(path)`` plays it."""

    def __init__(self, source: Any, path: str | os.PathLike[str], **show_kwargs: Any) -> None:
        super().__init__(source, **show_kwargs)
        attach(self, self.source)  # as show() does
        self.path = Path(path)
        self.record_error: OSError | None = None
        """Why writing the recording stopped early (disk full, ...); the run goes on."""
        # Line-buffered: every line is on disk as soon as it is written, so a crash keeps
        # what arrived (the same bytes run.save() writes).
        self._file: IO[str] | None = self.path.open("w", encoding="utf-8", buffering=1)
        self.on_events(self._write)
        self.on_done(self._close)

    def _write(self, events: list[Event]) -> None:
        file = self._file
        if file is not None:
            try:
                file.write("".join(ev.to_json() + "\n" for ev in events))
            except OSError as exc:
                self.record_error = exc
                self._close()
                warnings.warn(f"nbagent.record: stopped writing {self.path}: {exc}", stacklevel=1)

    def _close(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            try:
                file.close()
            except OSError as exc:
                self.record_error = self.record_error or exc


def replay(
    path_or_events: str | os.PathLike[str] | Any,
    speed: float = 1.0,
    step: bool = False,
    title: str | None = None,
    *,
    show_thinking: bool = True,
    throttle_ms: float = 50,
    max_gap_s: float = MAX_GAP_S,
) -> ReplayRun:
    """Play a recording (a JSONL file from ``run.save()`` / ``record()``, a list of events, a
    ``Run``, or a run recorded elsewhere that ``load_trace`` read) live, like ``show()`` did,
    and return its :class:`ReplayRun` at once.

    ``speed``: 2 plays twice as fast, 0 as fast as possible; a wait between two events is at
    most ``max_gap_s``. ``step=True``: paused before the first event; the widget's buttons
    or ``run.step()`` play on. A bad line ends the replay with an error after what came
    before it; a missing file raises ``FileNotFoundError``.
    """
    if isinstance(path_or_events, ReplayRun):  # a replay, a loaded trace: what it plays
        events, failure = path_or_events.player.recorded, path_or_events.player.failure
    else:
        if isinstance(path_or_events, Run):  # a run of this session: its events so far
            path_or_events = list(path_or_events.events)
        events, failure = read_recording(path_or_events)
    player = Player(events, speed=speed, step=step, failure=failure, max_gap_s=max_gap_s)
    run = ReplayRun(player, title=title, show_thinking=show_thinking, throttle_ms=throttle_ms)
    return launch(run)


def record(
    source: Any,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    show_thinking: bool = True,
    throttle_ms: float = 50,
    format: str = "auto",  # noqa: A002 - the public API's name
) -> RecordingRun:
    """``show(source, ...)`` that also writes every normalized event to ``path`` (JSONL, the
    file ``run.save(path)`` would write) as it arrives; ``replay(path)`` plays it again."""
    run = RecordingRun(
        source,
        path,
        title=title,
        show_thinking=show_thinking,
        throttle_ms=throttle_ms,
        format=format,
    )
    return launch(run)
