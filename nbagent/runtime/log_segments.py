"""The segments an ``EventLog`` (``nbagent.runtime.log``) keeps its events in: deltas of one
shape whose texts lie end to end in a buffer (``Deltas``, their shared fields and JSONL line in
``Shape``), an end event whose text is its block's (``TextRef``)."""

from __future__ import annotations

import dataclasses
import json
import math
from json.encoder import encode_basestring
from typing import Any

from nbagent.core.events import Event, TextDelta, ToolCallArgsDelta
from nbagent.core.textbuf import TextBuffer

__all__ = ["Deltas", "Shape", "TextRef", "dumps", "same_shape"]

dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # as to_json()


class Shape:
    """What the deltas of a segment share: their class, every field but ``seq``, ``ts`` and
    ``delta``, and their JSONL line around those three."""

    __slots__ = ("fields", "head", "key", "post", "pre", "sample")

    def __init__(self, ev: Event) -> None:
        self.fields = {f.name: getattr(ev, f.name) for f in dataclasses.fields(ev)}
        for name in ("seq", "ts", "delta"):
            del self.fields[name]
        cls: Any = type(ev)
        self.sample: Any = cls(delta="", **self.fields)
        """A delta of this shape: one that extends a segment has these very fields."""
        items = [(k, v) for k, v in ev.to_dict().items() if k not in ("kind", "seq", "ts")]
        at = [k for k, _ in items].index("delta")
        self.head = '{"kind":' + dumps(ev.kind)
        self.pre = "".join(f",{dumps(k)}:{dumps(v)}" for k, v in items[:at]) + ',"delta":'
        self.post = "".join(f",{dumps(k)}:{dumps(v)}" for k, v in items[at + 1 :]) + "}\n"
        self.key = self.head + self.pre + self.post
        """Equal for two deltas exactly when their lines differ in seq, ts and delta only."""

    def line(self, seq: int, ts: float, text: str) -> str:
        """``to_json() + "\\n"`` of the delta ``(seq, ts, text)`` of this shape."""
        head = self.head
        if seq:
            head += f',"seq":{seq}'
        if ts:  # to_dict() leaves out 0.0 and -0.0, as their own lines do
            head += ',"ts":' + (repr(ts) if math.isfinite(ts) else dumps(ts))
        return head + self.pre + encode_basestring(text) + self.post

    def event(self, seq: int, ts: float, text: str) -> Event:
        ev: Event = type(self.sample)(seq=seq, ts=ts, delta=text, **self.fields)
        return ev


def same_shape(e: Any, s: Any) -> bool:
    """Whether delta ``e`` has the fields of ``s`` but seq and delta, and a float ts
    (``EventLog.append``'s hot path has the same test inline)."""
    cls = type(e)
    return (
        cls is type(s)
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
    )


class Deltas:
    """Consecutive deltas of one shape whose texts lie end to end in ``buffer`` from ``off``;
    the one at index i of the log has seq base + i."""

    __slots__ = ("base", "buffer", "off", "shape", "size")

    def __init__(self, shape: Shape, buffer: TextBuffer, off: int, base: int) -> None:
        self.shape, self.buffer, self.off, self.base = shape, buffer, off, base
        self.size = 0
        """Characters of text so far."""


class TextRef:
    """An end event whose whole text (``final_text``, ``arguments``) was its block's text:
    the event without it, and where that text is."""

    __slots__ = ("buffer", "event", "name", "size")

    def __init__(self, event: Event, name: str, buffer: TextBuffer, size: int) -> None:
        self.event, self.name, self.buffer, self.size = event, name, buffer, size

    def get(self) -> Event:
        text: dict[str, Any] = {self.name: self.buffer.slice(0, self.size)}
        return dataclasses.replace(self.event, **text)
