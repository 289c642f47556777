"""The records of one session file, read with where each came from, and the records of several
files (a session and its sub-agents') put in the order they were written.

A file is read as any trace source is (``trace_input.each_document``): a JSON Lines file gives a
record per line; a file holding one JSON document spread over several lines (Gemini CLI's
older ``session-*.json``) gives that document as its one record; a document that is a list
(parsed records handed over as data) gives its items. A line that is not JSON ends the file's
records (``Read.failure``); ``time_order`` raises it where that line was written, after every
record written before it, of any of the files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from nbagent.adapters.sessions.record import SessionRecord
from nbagent.sources.trace_input import (
    TraceLineError,
    TraceRecord,
    TraceSource,
    each_document,
    open_trace,
)

__all__ = ["Key", "Read", "read_file", "tagged", "time_order"]

Key = Callable[[Any], "float | None"]
"""A record's time for the order of several files (epoch seconds), None when it has none."""


@dataclass(frozen=True, slots=True)
class Read:
    """One file's records, and the bad line that ended them, if any."""

    records: list[SessionRecord]
    failure: TraceLineError | None = None


def read_file(
    source: TraceSource | Any,
    *,
    thread: str = "",
    parent: str | None = None,
    agent: str | None = None,
) -> Read:
    """The records of one file (a ``TraceSource``, or a path: a sub-agent's file), each with
    its file and line, and the ``thread`` / ``parent`` / ``agent`` given (a sub-agent's)."""
    src = source if isinstance(source, TraceSource) else open_trace(source)
    tags: dict[str, Any] = {"thread": thread, "parent": parent, "agent": agent}
    records: list[SessionRecord] = []

    def take(doc: Any, line: int | None) -> None:
        items = doc if isinstance(doc, list) else [doc]
        records.extend(SessionRecord(item, src.name, line, **tags) for item in items)

    failure = each_document(src, take)
    return Read(records, failure)


def tagged(read: Read, **tags: Any) -> Read:
    """``read`` with its records' ``thread`` / ``parent`` / ``agent`` set (a sub-agent's file,
    known as one once read)."""
    return Read([replace(r, **tags) for r in read.records], read.failure)


def time_order(files: list[Read], key: Key) -> Iterator[TraceRecord]:
    """The records of several files in the order they were written: by their times, each
    file's own order kept (a record's time is at least its file's previous one: a record
    without a time comes right after the one before it; the records at the head of a file
    that have none, with its first that has one); at equal times, the earlier file first (the
    session before its sub-agents). A file's bad line is raised where it was written: right
    after the file's last record read, once every record written before it has come."""
    keyed: list[tuple[float, int, int, SessionRecord | TraceLineError]] = []
    for index, read in enumerate(files):
        times = [key(r.data) for r in read.records]
        latest = next((t for t in times if t is not None), 0.0)
        for position, (record, own) in enumerate(zip(read.records, times, strict=True)):
            latest = latest if own is None else max(latest, own)
            keyed.append((latest, index, position, record))
        if read.failure is not None:
            keyed.append((latest, index, len(read.records), read.failure))
    keyed.sort(key=lambda item: item[:3])
    for *_, item in keyed:
        if isinstance(item, TraceLineError):
            raise item
        yield TraceRecord(item, item.file, item.line)
