"""A run's events in about the size of its text: ``Run.events``.

A run of a million tokens is a million ``TextDelta`` objects (~170 bytes each) over ~4 MB of
text. ``EventLog`` keeps consecutive deltas of one block that share every field but ``seq``,
``ts`` and ``delta`` as one *segment*: those fields and ``seq`` once (the deltas' follow by
one), each delta's ``ts`` (``array('d')``: exact) and where its text begins (``array('i')``),
and no text: that is the transcript's, in the block's ``TextBuffer``, which only grows (whole
arguments that replace a tool call's streamed ones get a new buffer). A ``final_text`` or a
tool call end's ``arguments`` equal to its block's text points there too. Other events are
kept as they came.

A read-only sequence: ``len``, ``[i]``, slices and iteration give events equal to the ones
appended, the same ``to_json()`` (a delta is made anew at each read, its ``meta`` shared with
its segment's: treat them as read-only); ``jsonl()`` writes the same bytes, per segment.

``append`` comes right after the transcript folded the event (``Run._ingest``), and under
the lock the log was given (the run's); readers take it for a batch at a time. A delta whose
text is not at the end of its block's buffer then (no transcript, the transcript ended, or
appended too early) has its text kept in the log's own buffer: the log stays exact.
"""

from __future__ import annotations

import dataclasses
import threading
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

from nbagent.core.events import (
    Event,
    MessageEnd,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
)
from nbagent.core.textbuf import TextBuffer
from nbagent.runtime.log_segments import (
    Deltas,
    Shape,
    TextRef,
    same_shape,
)
from nbagent.transcript.fold import TranscriptBase

__all__ = ["EventLog"]

_KINDS: dict[type, str] = {TextDelta: "text", ThinkingDelta: "thinking", ToolCallArgsDelta: "tool"}
"""Delta classes, and the kind of block whose buffer takes their text."""
_STR_FIELDS = ("run_id", "source", "message_id", "tool_call_id")
_CHUNK = 1 << 15
_MASK = _CHUNK - 1
_BATCH = 4096
"""Events (or lines) made per hold of the lock while reading: a writer waits no longer."""


_Segment = Deltas | TextRef | Event
_Make = Callable[[int, float, str], Any]


class EventLog(Sequence[Event]):
    """Every event of a run, in order, in about the size of its text (module docstring).

    ``transcript``: the run's, whose buffers hold the deltas' text. ``lock``: the lock the
    writer holds around ``append`` (the run's); readers take it.
    """

    def __init__(
        self, transcript: TranscriptBase | None = None, lock: threading.RLock | None = None
    ) -> None:
        self._transcript = transcript
        self._lock = lock if lock is not None else threading.RLock()
        self._segments: list[_Segment] = []
        self._starts = array("q")  # the index of each segment's first event
        # Per event (0 but for deltas), in chunks: one array of millions left holes in the
        # heap as realloc moved it. ts, and where a delta's text begins from its segment's off.
        self._ts, self._at = array("d"), array("i")  # the chunks being filled
        self._tss, self._ats = [self._ts], [self._at]
        self._open: Deltas | None = None  # the last segment, while deltas may extend it
        self._fast: Deltas | None = None  # the same, when its text is the transcript's
        self._shapes: dict[str, Shape] = {}
        self._own = TextBuffer()  # the text of deltas that the transcript does not hold
        self._len = 0

    # -- writing ----------------------------------------------------------------------

    def append(self, ev: Event) -> None:
        """Add the next event, right after the transcript folded it."""
        seg = self._fast
        if seg is not None:
            # The hot path, once per token: a delta that extends the last segment, just folded
            # by the transcript, which appended its text to the block's buffer (it does while
            # it runs; checked when the segment started). And same_shape(), inline.
            e: Any = ev
            s = seg.shape.sample
            cls = type(e)
            n = self._len
            if (
                cls is type(s)
                and self._transcript.last_event is ev  # type: ignore[union-attr]
                and e.seq == seg.base + n
                and type(e.ts) is float
                and e.run_id == s.run_id
                and e.source == s.source
                and e.meta is s.meta
                and (
                    e.message_id == s.message_id and e.refusal is s.refusal
                    if cls is TextDelta
                    else (
                        e.tool_call_id == s.tool_call_id
                        if cls is ToolCallArgsDelta
                        else e.message_id == s.message_id
                        and e.summary is s.summary
                        and e.part_index is s.part_index
                    )
                )
            ):
                size = seg.size
                self._at.append(size)
                self._ts.append(e.ts)
                seg.size = size + len(e.delta)
                self._len = n + 1
                if n & _MASK == _MASK:
                    self._next_chunk()
                return
        self._add(ev)

    def _add(self, ev: Event) -> None:
        """The slow path: a delta that starts a segment (or extends one whose text is the
        log's own, or whose fields are equal objects), or another event."""
        kind = _KINDS.get(type(ev))
        if kind is not None:
            delta = getattr(ev, "delta", None)
            if (  # else kept as it is: its JSON would not come back from the arrays
                type(delta) is str
                and type(ev.seq) is int
                and type(ev.ts) is float
                and all(type(getattr(ev, k, "")) is str for k in _STR_FIELDS)
                and self._add_delta(ev, kind, delta)
            ):
                return
        segment: _Segment = ev
        if type(ev) is MessageEnd and ev.final_text:
            segment = self._ref(ev, "final_text", ev.final_text, ev.channel, ev.message_id)
        elif type(ev) is ToolCallEnd and ev.arguments:
            segment = self._ref(ev, "arguments", ev.arguments, "tool", ev.tool_call_id)
        self._open = self._fast = None
        self._segments.append(segment)
        self._starts.append(self._len)
        self._push(0.0, 0)

    def _add_delta(self, ev: Event, kind: str, delta: str) -> bool:
        """Add a delta to the last segment or a new one; False if it must be kept whole."""
        buffer = self._buffer(kind, ev, delta)
        if buffer is None:
            buffer, off = self._own, len(self._own)  # where the text will go
        else:
            off = len(buffer) - len(delta)
        seg, n = self._open, self._len
        if seg is not None and not (
            seg.buffer is buffer and seg.off + seg.size == off and ev.seq == seg.base + n
        ):
            seg = None  # its text or its seq does not follow the last segment's
        shape = None
        if seg is None or not same_shape(ev, seg.shape.sample):
            try:
                shape = Shape(ev)
            except (TypeError, ValueError):  # a field json cannot write: save() will say so
                return False
            if seg is not None and shape.key != seg.shape.key:
                seg = None
        if buffer is self._own:
            buffer.append(delta)
        if seg is None:
            assert shape is not None
            shape = self._shapes.setdefault(shape.key, shape)  # blocks taking turns share it
            seg = self._open = Deltas(shape, buffer, off, ev.seq - n)
            self._segments.append(seg)
            self._starts.append(n)
        self._fast = None if buffer is self._own else seg
        self._push(ev.ts, seg.size)
        seg.size += len(delta)
        return True

    def _push(self, ts: float, at: int) -> None:
        """The next event's ts and text offset."""
        self._ts.append(ts)
        self._at.append(at)
        n = self._len
        self._len = n + 1
        if n & _MASK == _MASK:
            self._next_chunk()

    def _next_chunk(self) -> None:
        self._ts, self._at = array("d"), array("i")
        self._tss.append(self._ts)
        self._ats.append(self._at)

    def _buffer(self, kind: str, ev: Any, delta: str) -> TextBuffer | None:
        """The transcript's buffer that ``delta`` was just appended to, if it was."""
        block_id = ev.tool_call_id if kind == "tool" else ev.message_id
        transcript = self._transcript
        if transcript is None or transcript.last_event is not ev:
            return None  # not folded (yet: appended too early; or the transcript ended)
        buffer = transcript.text_buffer(kind, block_id)
        if buffer is None or not delta:
            return buffer
        tail, pieces = buffer.tail, buffer.pieces
        if tail[-1] is delta if tail else pieces and pieces[-1].endswith(delta):
            return buffer
        return None

    def _ref(self, ev: Event, name: str, text: str, kind: str, block_id: str) -> _Segment:
        """``ev`` without its whole text when that is its block's text, else ``ev``."""
        transcript = self._transcript
        buffer = None if transcript is None else transcript.text_buffer(kind, block_id)
        if (
            buffer is None
            or type(text) is not str
            or len(buffer) != len(text)
            or buffer.text != text
        ):
            return ev
        without: dict[str, Any] = {name: None}
        return TextRef(dataclasses.replace(ev, **without), name, buffer, len(text))

    # -- reading ----------------------------------------------------------------------

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...
    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        with self._lock:
            n = self._len
            if isinstance(index, slice):
                start, stop, step = index.indices(n)
                if step == 1:
                    return self._read(start, stop, lines=False)
                return [self._read(i, i + 1, lines=False)[0] for i in range(start, stop, step)]
            i = index + n if index < 0 else index
            if not 0 <= i < n:
                raise IndexError("event log index out of range")
            event: Event = self._read(i, i + 1, lines=False)[0]
            return event

    def __iter__(self) -> Iterator[Event]:
        i = 0
        while True:
            with self._lock:
                batch: list[Event] = self._read(i, min(i + _BATCH, self._len), lines=False)
            if not batch:
                return
            yield from batch
            i += len(batch)

    def jsonl(self) -> Iterator[str]:
        """nbagent's JSONL (``format="events"``) of the events there are at the first
        ``next()``, in pieces of many lines."""
        with self._lock:
            stop = self._len
        for i in range(0, stop, _BATCH):
            with self._lock:
                lines: list[str] = self._read(i, min(i + _BATCH, stop), lines=True)
            yield "".join(lines)

    def __repr__(self) -> str:
        return f"<EventLog of {self._len} events in {len(self._segments)} segments>"

    def _read(self, i: int, stop: int, *, lines: bool) -> list[Any]:
        """Events ``i`` to ``stop`` (or their JSONL lines), the lock held."""
        out: list[Any] = []
        starts = self._starts
        s = bisect_right(starts, i) - 1
        while i < stop:
            seg = self._segments[s]
            end = starts[s + 1] if s + 1 < len(starts) else self._len
            if isinstance(seg, Deltas):
                make = seg.shape.line if lines else seg.shape.event
                self._deltas(seg, i, min(end, stop), end, make, out)
            else:
                ev = seg.get() if isinstance(seg, TextRef) else seg
                out.append(ev.to_json() + "\n" if lines else ev)
            i = end
            s += 1
        return out

    def _deltas(
        self, seg: Deltas, i: int, stop: int, end: int, make: _Make, out: list[Any]
    ) -> None:
        """``make(seq, ts, text)`` of the events ``i`` to ``stop`` of ``seg`` (which ends at
        ``end``) onto ``out``."""
        bounds = _column(self._ats, i, stop)
        bounds.append(_column(self._ats, stop, stop + 1)[0] if stop < end else seg.size)
        base = bounds[0]
        text = seg.buffer.slice(seg.off + base, seg.off + bounds[-1])
        tss = _column(self._tss, i, stop)
        for j in range(stop - i):
            piece = text[bounds[j] - base : bounds[j + 1] - base]
            out.append(make(seg.base + i + j, tss[j], piece))


def _column(chunks: list[array[Any]], i: int, stop: int) -> list[Any]:
    """Entries ``i`` to ``stop`` of a per-event column kept in chunks."""
    out: list[Any] = []
    while i < stop:
        c, j = divmod(i, _CHUNK)
        k = min(stop - i, _CHUNK - j)
        out += chunks[c][j : j + k].tolist()
        i += k
    return out
