"""``SpanTraceAdapter``: the records of a file's spans (``timeline``) → a run's events.

The span adapter of ``watch()`` (``otel``), in its file mode (``OtelFileAdapter``: every span a
step), after the run's ``RunStart``: its id the trace's, its title the top span's name, its
time the first record's. Pure: every time comes from the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent.adapters.base import BadItemError, str_or_none
from nbagent.adapters.kit.hook_record import HookRecord
from nbagent.adapters.otel.files import OtelFileAdapter
from nbagent.core.events import EndReason, Event, RunEnd, RunStart

__all__ = ["SpanTraceAdapter"]


class SpanTraceAdapter:
    """``feed(record)``: a span's start or end (``HookRecord``) → events; ``end()``: the
    steps still open closed, and the run's ``RunEnd``."""

    name: ClassVar[str] = "spans"

    def __init__(self) -> None:
        self._spans = OtelFileAdapter()
        self._started = False
        self._last = 0.0
        self._failed: str | None = None

    def feed(self, record: Any) -> list[Event]:
        if not isinstance(record, HookRecord):
            raise BadItemError(f"a span trace's records are HookRecords, got {type(record)}")
        out: list[Event] = []
        if not self._started:
            self._started = True
            data = record.data if isinstance(record.data, Mapping) else {}
            top = data.get("parent_id") is None
            title = str_or_none(data.get("name")) if top else None
            out.append(RunStart(run_id=record.root, title=title, ts=record.ts))
        self._last = max(self._last, record.ts)
        data = record.data if isinstance(record.data, Mapping) else {}
        top_end = record.kind == "span_end" and data.get("parent_id") is None
        if top_end and data.get("status") == "ERROR":  # the run itself failed
            self._failed = str_or_none(data.get("status_description")) or "failed"
        events = self._spans.feed(record)
        for ev in events:
            if ev.ts == 0:
                ev.ts = record.ts
        return out + events

    def end(self) -> list[Event]:
        """The steps still open closed, then the run's end: at the last span's end, ``error``
        when a top span failed."""
        reason: EndReason = "error" if self._failed else "completed"
        ended = RunEnd(reason=reason, message=self._failed, ts=self._last)
        return [*self._spans.end(), ended]
