"""A recording as a source: its events on their original schedule, or one step at a time.

    events, failure = read_recording("run.jsonl")     # what parsed, and the bad line if any
    player = Player(events, speed=2, failure=failure)
    for ev in player: ...                              # copies, timestamps moved to now

``read_recording`` (``recording_file``) reads the events; ``Player`` is what
``nbagent.apps.replay`` shows and ``nbagent replay`` prints. It waits between events for the
gaps of their ``ts`` (scaled by ``1 / speed``, each at most ``max_gap_s``), or, with
``step=True``, until ``request("event" | "tool" | "end")``. Every wait blocks on a
``threading.Condition`` (no polling) that ``close()`` wakes: Stop acts at once, even paused.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any, Literal

from nbagent.core.events import Event, RunEnd, ToolCallEnd, ToolResult
from nbagent.core.threads import NotReady, threads_available

__all__ = ["MAX_GAP_S", "STEPS", "Player", "StepTo"]

MAX_GAP_S = 3.0
"""The longest wait between two events of a replay (after scaling by the speed): a recording
with a ten-minute pause in it still plays in seconds. The timestamps keep the real gap."""

StepTo = Literal["event", "tool", "end"]
STEPS: tuple[str, ...] = StepTo.__args__  # type: ignore[attr-defined]


class Player:
    """Plays recorded events once, as a source (``nbagent_format = "events"``).

    ``position`` counts the events played of ``total``. ``failure`` (a bad line found by
    ``read_recording``) is raised after the last good event; a recording with no
    ``run_end`` (a run cut short while recorded) ends ``incomplete``. ``on_pause`` is called
    on the playing thread when a step is done, before it waits for the next request.
    ``keep_times``: the events keep their recorded times (a run recorded elsewhere, shown
    at once) rather than moving to a start at now.
    ``clock`` and ``sleep`` are for tests: ``sleep(seconds)`` replaces the timed wait.
    """

    nbagent_format = "events"

    def __init__(
        self,
        events: Sequence[Event],
        *,
        speed: float = 1.0,
        step: bool = False,
        failure: Exception | None = None,
        max_gap_s: float = MAX_GAP_S,
        keep_times: bool = False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        for name, value in (("speed", speed), ("max_gap_s", max_gap_s)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"{name} must be a number, got {value!r}")
            if not value >= 0 or math.isinf(value):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        self._events = list(events)
        self.total = len(self._events)
        self.speed = float(speed)
        self.stepping = step
        self.failure = failure
        self.max_gap_s = float(max_gap_s)
        self.keep_times = keep_times
        self.complete = any(isinstance(ev, RunEnd) for ev in self._events)
        """The recording has its ``run_end``: it was not cut short."""
        self.position = 0
        self.paused = False
        self.finished = False
        self.closed = False
        self.on_pause: Callable[[], None] | None = None
        self.on_resume: Callable[[], None] | None = None
        """Called as a step replay goes on after a pause (``on_pause``: as it pauses)."""
        self.waker: Callable[[], None] | None = None
        """Without threads: wakes the task reading it (``runtime.slices``) after a request or
        a close; it yields ``NotReady`` where it would wait."""
        self._head: tuple[float, float] | None = None  # the last event's ts, when it was played
        self._next_ts: float | None = None  # the ts of the event to play next
        self._clock = clock
        self._sleep = sleep
        self._wall = wall
        self._cond = threading.Condition()
        self._requests: deque[str] = deque()
        self._target: str | None = None  # the step being played
        self._requested = 0
        self._served = 0
        self._completed = 0  # steps played whose pause is not announced yet
        self._started = False

    @property
    def recorded(self) -> list[Event]:
        """The events it plays, with their recorded times (a copy of the list)."""
        return list(self._events)

    # -- control, from any thread --------------------------------------------------------

    def request(self, to: str = "event") -> int:
        """Queue a step (``"event"``, ``"tool"``: through the next tool call's arguments or
        result, ``"end"``: the rest at once); returns its ticket for ``wait_served``."""
        if to not in STEPS:
            raise ValueError(f"step to must be one of {', '.join(STEPS)}; got {to!r}")
        if not self.stepping:
            raise RuntimeError("this replay plays on its own: replay(..., step=True) steps")
        with self._cond:
            self._requests.append(to)
            self._requested += 1
            self._woken()
            return self._requested

    def wait_served(
        self, ticket: int, timeout: float | None = None, also: Callable[[], bool] | None = None
    ) -> bool:
        """Block until step ``ticket`` is played and shown, the recording ended, the player
        closed or ``also()`` holds (re-checked on ``wake()``); False on timeout."""

        def done() -> bool:
            return (
                self._served >= ticket
                or self.finished
                or self.closed
                or (also is not None and also())
            )

        with self._cond:
            return self._cond.wait_for(done, timeout)

    def wake(self) -> None:
        """Have waiters re-check their condition."""
        with self._cond:
            self._cond.notify_all()

    def close(self) -> None:
        """Stop playing: a wait (paused or timed) returns at once and the player ends."""
        with self._cond:
            self.closed = True
            self._woken()

    def view_state(self) -> dict[str, Any]:
        """What the widget's ``replay`` trait shows."""
        return {
            "position": self.position,
            "total": self.total,
            "step": self.stepping,
            "speed": self.speed,
            "paused": self.paused,
        }

    def clock(self) -> float:
        """The replay's time now, on its events' clock (epoch seconds): the played events'
        ``ts`` and, between two, as far as the recording's pace has come (times ``speed``);
        stopped while a step replay waits (and before it starts, after it ends). The view's
        clock runs on it, so the numbers it shows live (elapsed, tokens/s) are the
        recording's at any speed, as the final ones are."""
        with self._cond:
            head, upto = self._head, self._next_ts
        if head is None:
            return self._wall()
        ts, played_at = head
        if self.stepping or self.speed == 0 or upto is None:
            return ts
        return min(ts + (self._clock() - played_at) * self.speed, max(ts, upto))

    # -- playing -------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Event | NotReady]:
        with self._cond:
            if self._started:
                raise RuntimeError("a Player plays once; make another for another replay")
            self._started = True
        # Without threads its reader's task awaits each NotReady (``runtime.slices``).
        return self._blocking(self._play()) if threads_available() else self._play()

    def _blocking(self, plays: Iterator[Event | NotReady]) -> Iterator[Event]:
        """``_play`` on a thread of its own: each ``NotReady`` waited for here."""
        for item in plays:
            if not isinstance(item, NotReady):
                yield item
                continue
            with self._cond:
                if not self.closed and not self._requests:
                    self._cond.wait(item.delay_s)

    def _play(self) -> Iterator[Event | NotReady]:
        events = self._events
        base = events[0].ts if events else 0.0
        wall0 = base if self.keep_times and events else self._wall()
        start = self._clock()
        due = 0.0
        previous = base
        with self._cond:
            self._head, self._next_ts = (wall0, start), wall0
        for n, ev in enumerate(events):
            if self.stepping:
                if not (yield from self._await_request()):
                    return
            elif self.speed > 0:
                due += min(max(ev.ts - previous, 0.0) / self.speed, self.max_gap_s)
                if not (yield from self._sleep_until(start + due)):
                    return
            if self.closed:
                return
            # An event stamped before the one played last (a sub-agent's, written beside its
            # parent's thread) waited nothing: the next gap is counted from the latest time.
            previous = max(previous, ev.ts)
            self.position += 1
            # The original offsets from a start at now: the recorded durations (first token,
            # tools, tokens/s), and the view's clock runs on them (clock()).
            ts = wall0 + (ev.ts - base)
            upto = wall0 + (events[n + 1].ts - base) if n + 1 < len(events) else None
            with self._cond:
                self._head, self._next_ts = (ts, self._clock()), upto
            yield dataclasses.replace(ev, ts=ts)
            if self._target is not None and _ends_step(self._target, ev):
                with self._cond:
                    self._target = None
                    self._completed += 1
        with self._cond:
            self.finished = True
            self._served = self._requested
            self._cond.notify_all()
        if self.failure is not None:
            raise self.failure
        if not self.complete:
            yield RunEnd(
                ts=self._wall(),
                reason="incomplete",
                message="the recording ends before its run did (it was cut short)",
            )

    def _await_request(self) -> Generator[NotReady, None, bool]:
        """Step mode, before an event: True to play it, False once closed; ``NotReady`` until
        a request comes."""
        with self._cond:
            if self._target is not None:
                return not self.closed
        # The step's last event has been shown by now (the consumer asked for the next).
        if self.on_pause is not None:
            with self._cond:
                self.paused = True
            self.on_pause()
        with self._cond:
            self.paused = True
            self._served += self._completed
            self._completed = 0
            self._cond.notify_all()
        while True:
            with self._cond:
                if self._requests or self.closed:
                    self.paused = False
                    if self.closed:
                        return False
                    self._target = self._requests.popleft()
                    break
            yield NotReady()
        if self.on_resume is not None:
            self.on_resume()
        return True

    def _sleep_until(self, deadline: float) -> Generator[NotReady, None, bool]:
        remaining = deadline - self._clock()
        if remaining > 0:
            if self._sleep is not None:
                self._sleep(remaining)
            else:
                while not self.closed and (remaining := deadline - self._clock()) > 0:
                    yield NotReady(remaining)
        return not self.closed

    def _woken(self) -> None:
        """Requests and a close notify the playing thread, or wake the reader's task."""
        self._cond.notify_all()
        if self.waker is not None:
            self.waker()


def _ends_step(target: str, ev: Event) -> bool:
    if target == "event":
        return True
    if target == "tool":
        return isinstance(ev, (ToolCallEnd, ToolResult))
    return False
