"""Coalesce transcript ops and decide when to send them: the only place that does.

A run's producer pushes ops as events arrive; the controller merges them and
sends at most one message per ``throttle_ms`` (the first ops and the end of a run
go out at once). Trailing flushes come from one nbagent-owned thread, because a
loop timer never fires while a cell blocks the kernel's main thread (``runtime.flushes``;
without threads, from the loop).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from nbagent.runtime.flushes import FlushScheduler, default_scheduler
from nbagent.transcript.fold.state import merged_run_set
from nbagent.widget import wire as wire
from nbagent.widget.messages import KernelMessage, SnapshotPayload

Op = dict[str, Any]
Message = KernelMessage
Send = Callable[[Message], None]


class Coalescer:
    """Merges a batch of ops into the fewest ops with the same effect.

    Appends to one ``(i, key)`` join until a ``set`` touches block ``i`` (appends
    to different blocks commute); a ``set`` merges into the block's last ``set`` when no
    append to that block came between (ops on other blocks commute with it: a partial image's
    successor replaces it in the batch, however much text streamed meanwhile); ``run`` sets
    merge into one, sent last (they touch no block).
    """

    __slots__ = ("_open", "_ops", "_run", "_sets", "structural", "text_chars")

    def __init__(self) -> None:
        self._ops: list[Op] = []
        self._run: dict[str, Any] | None = None
        self._open: dict[tuple[int, str], list[str]] = {}
        self._sets: dict[int, Op] = {}  # block -> its last set, no append to it since
        self.text_chars = 0
        """Characters of appended text pending."""
        self.structural = False
        """Whether anything but appends and the delta counter is pending."""

    def __bool__(self) -> bool:
        return bool(self._ops) or self._run is not None

    def add(self, ops: list[Op]) -> None:
        for op in ops:
            kind = op["op"]
            if kind == "append":
                text = op["text"]
                i, key = op["i"], op["key"]
                self._sets.pop(i, None)
                parts = self._open.get((i, key))
                if parts is None:
                    parts = self._open[(i, key)] = []
                    self._ops.append({"op": "append", "i": i, "key": key, "_parts": parts})
                parts.append(text)
                self.text_chars += len(text)
                deltas = op.get("deltas")
                if deltas is not None:  # the run's delta counter rides on a token's append
                    if self._run is None:
                        self._run = {}
                    self._run["deltas"] = deltas
            elif kind == "run":
                changes = op["set"]
                run = self._run
                if run is None:
                    self._run = run = {}
                run.update(merged_run_set(run, changes))
                # The delta counter rides along with text; any other field is structural.
                if not self.structural and (len(changes) > 1 or "deltas" not in changes):
                    self.structural = True
            elif kind == "set":
                self.structural = True
                index = op["i"]
                last = self._sets.get(index)
                if last is not None:
                    last["set"].update(op["set"])
                else:
                    self._sets[index] = {"op": "set", "i": index, "set": dict(op["set"])}
                    self._ops.append(self._sets[index])
                for target in [t for t in self._open if t[0] == index]:
                    del self._open[target]
            else:
                self.structural = True
                # The reducer may keep mutating the block it reported; send it as it is now.
                self._ops.append({"op": "add", "block": dict(op["block"])})

    def take(self) -> list[Op]:
        """Return the merged ops and start empty."""
        for op in self._ops:
            parts = op.pop("_parts", None)
            if parts is not None:
                op["text"] = "".join(parts)
        out = self._ops
        if self._run is not None:
            out.append({"op": "run", "set": self._run})
        self._ops = []
        self._run = None
        self._open = {}
        self._sets = {}
        self.text_chars = 0
        self.structural = False
        return out


class Controller:
    """Throttled, ordered delivery of one widget's ops.

    ``send`` receives whole messages in the wire form of ``nbagent.widget.wire``.
    At most one message per ``throttle_ms``; a batch of nothing but a little
    text (under ``min_batch_chars``) may wait up to twice that, because each
    message costs ~130 bytes of envelope however little it carries.
    Thread-safe: producers on any nbagent thread or the kernel's loop may push.

    ``lanes=True``: the widget shows several runs (lanes side by side, chat turns),
    each pushing with its ``lane`` number; one message per interval carries every
    lane's ops, and lanes are opened with their metadata (``open_lane``).
    """

    def __init__(
        self,
        send: Send,
        *,
        throttle_ms: float = 50,
        min_batch_chars: int = 256,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        scheduler: FlushScheduler | None = None,
        lanes: bool = False,
    ) -> None:
        if throttle_ms < 0:
            raise ValueError(f"throttle_ms must be >= 0, got {throttle_ms!r}")
        self._send = send
        self.throttle_s = throttle_ms / 1000
        self.min_batch_chars = min_batch_chars
        self._last_now_sent: float | None = None
        self._clock = clock
        self._wall = wall
        self._scheduler = scheduler if scheduler is not None else default_scheduler()
        self._lock = threading.Lock()
        self._pending = Coalescer()
        self.lanes = lanes
        """Whether messages use the lanes form (``wire.encode_lanes``)."""
        # Lane -> its pending ops; a single-run widget has lane 0 only.
        self._lanes: dict[int, Coalescer] = {} if lanes else {0: self._pending}
        self._meta: dict[int, dict[str, Any]] = {}
        self._last_flush: float | None = None
        self._scheduled = False
        # When the pending batch is due, as last computed (0: compute on the next push), and
        # whether that was for a small batch, which growing can make due sooner.
        self._due = 0.0
        self._due_small = False
        self.seq = 0
        """Sequence number of the last message sent."""
        self.messages_sent = 0
        self.closed = False
        self._now_every = 1.0  # seconds of the wall clock between two messages' "now"
        self._clocks: dict[int, Callable[[], float]] = {}
        """Lanes with a clock of their own (``lane_clock``), sent with every message."""

    def run_clock(self, wall: Callable[[], float]) -> None:
        """Give the page another clock for the run than the kernel's (a replay's: its
        events' time, which runs at its speed and stops while it waits for a step), sent
        with every message: the page's clock runs on it between two."""
        with self._lock:
            self._wall, self._now_every = wall, 0.0

    def lane_clock(self, lane: int, wall: Callable[[], float] | None) -> None:
        """Give a lane of a lanes widget its own clock, as ``run_clock`` a run's (a replay's),
        sent with every message (``clocks``) while the lane runs; None: it ended (its numbers
        are its own now), the messages stop carrying it."""
        with self._lock:
            if wall is None:
                self._clocks.pop(lane, None)
            else:
                self._clocks[lane] = wall

    def push(self, ops: list[Op], *, urgent: bool = False, lane: int = 0) -> None:
        """Queue ops; send now when the interval has passed (or ``urgent``), else later."""
        if not ops:
            return
        with self._lock:
            pending = self._lanes.get(lane)
            if self.closed or pending is None:
                return
            pending.add(ops)
            now = self._clock()
            # The hot path: nothing due yet and the batch did not outgrow its deadline.
            if not urgent and now < self._due and (not self._due_small or self._small()):
                return
            if urgent or self._wait_locked(now) <= 0:
                self._flush_locked(now)
            else:
                self._schedule_locked(now)

    def push_late(self, ops: list[Op], *, lane: int = 0) -> None:
        """Send ops now, even after ``close()``: changes from the notebook once a run ended
        (a tool re-run), which no producer races."""
        with self._lock:
            pending = self._lanes.get(lane)
            if pending is None:
                raise KeyError(f"no lane {lane}")
            pending.add(ops)
            self._flush_locked(self._clock())

    def open_lane(self, lane: int, meta: dict[str, Any], ops: list[Op] | None = None) -> None:
        """Start sending ops for ``lane``: ``meta`` (its title, ...) and its first ``ops``
        (the run's initial fields) go out now, in that order."""
        if not self.lanes:
            raise ValueError("open_lane() needs a Controller made with lanes=True")
        with self._lock:
            self._lanes.setdefault(lane, Coalescer()).add(ops or [])
            self._meta[lane] = dict(meta)
            self._flush_locked(self._clock())

    def set_meta(self, lane: int, changes: dict[str, Any]) -> None:
        """Send changed metadata of an open lane now."""
        with self._lock:
            if lane not in self._lanes:
                raise KeyError(f"no lane {lane}")
            self._meta.setdefault(lane, {}).update(changes)
            self._flush_locked(self._clock())

    def flush(self) -> None:
        """Send whatever is pending now."""
        with self._lock:
            self._flush_locked(self._clock())

    def flush_due(self) -> None:
        """Called by the scheduler at the deadline it was given."""
        with self._lock:
            self._scheduled = False
            if self.closed or not self._has_pending():
                return
            now = self._clock()
            if self._wait_locked(now) > 0:
                self._schedule_locked(now)
                return
            self._flush_locked(now)

    def send_snapshot(self, state: dict[str, Any]) -> None:
        """Flush pending ops, then send the whole state at the current seq.

        The caller must hold the producer's lock so that ``state`` includes
        exactly the ops sent so far.
        """
        self._send_snapshot({"state": state})

    def send_lanes_snapshot(self, lanes: list[dict[str, Any]]) -> None:
        """``send_snapshot`` of a lanes widget: ``[{"meta": {...}, "state": {...}}, ...]``,
        the caller holding the lock every lane's producer pushes under."""
        self._send_snapshot({"lanes": lanes})

    def _send_snapshot(self, payload: SnapshotPayload) -> None:
        with self._lock:
            self._flush_locked(self._clock())
            self._send(wire.snapshot_message(self.seq, self._wall(), payload))
            self.messages_sent += 1

    def send_message(self, message: Message) -> None:
        """Flush pending ops, then send ``message`` (not ops: the output data for a view)."""
        with self._lock:
            self._flush_locked(self._clock())
            self._send(message)
            self.messages_sent += 1

    def close(self) -> None:
        """Send the last ops; later pushes are ignored."""
        with self._lock:
            self._flush_locked(self._clock())
            self.closed = True

    def _small(self) -> bool:
        """Whether the pending batch is nothing but a little text."""
        if self._meta:
            return False
        chars = 0
        for pending in self._lanes.values():
            if pending.structural:
                return False
            chars += pending.text_chars
        return chars < self.min_batch_chars

    def _has_pending(self) -> bool:
        return bool(self._meta) or any(self._lanes.values())

    def _wait_locked(self, now: float) -> float:
        """Seconds until the pending batch is due (<= 0: now)."""
        if self._last_flush is None:
            return 0.0
        interval = 2 * self.throttle_s if self._small() else self.throttle_s
        return self._last_flush + interval - now

    def _schedule_locked(self, now: float) -> None:
        """Have the flush thread flush at the batch's deadline (sooner than any earlier one)."""
        due = now + self._wait_locked(now)
        earlier = due < self._due
        self._due = due
        self._due_small = self._small()
        if not self._scheduled or earlier:
            self._scheduled = True
            self._scheduler.schedule(due, self)

    def _flush_locked(self, now: float) -> None:
        if not self._has_pending():
            return
        self._due = 0.0
        self.seq += 1
        self._last_flush = now
        self.messages_sent += 1
        wall = self._wall()
        # The browser needs the kernel's clock once to run its timer; resend it now and then.
        send_now = self._last_now_sent is None or wall - self._last_now_sent >= self._now_every
        if send_now:
            self._last_now_sent = wall
        clock = wall if send_now else None
        if self.lanes:
            parts = [(lane, pending.take()) for lane, pending in self._lanes.items() if pending]
            meta, self._meta = self._meta, {}
            clocks = {lane: own() for lane, own in self._clocks.items()}
            self._send(wire.encode_lanes(self.seq, parts, meta, now=clock, clocks=clocks))
        else:
            self._send(wire.encode_ops(self.seq, self._pending.take(), now=clock))
