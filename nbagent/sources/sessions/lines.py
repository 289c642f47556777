"""The records of one session file, read with where each came from, and the records of several
files (a session and its sub-agents') put in the order they were written.

A source is a path, a file object (text or binary), the file's bytes, or data already parsed
(a list of records, one record or one JSON document). A JSON Lines file gives a record per
line; a file holding one JSON document spread over several lines (Gemini CLI's older
``session-*.json``) gives that document as its one record. A line that is not JSON ends the
file's records with a record saying so (``SessionRecord.error``), its file and line named: the
run shows everything before it, then ends on that error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbagent.adapters.sessions.record import SessionRecord
from nbagent.core.values import strict_json

__all__ = ["Key", "Loaded", "load", "path_of", "read_records", "time_order"]

_UNNAMED = "<stream>"
"""The file's name in messages about the lines of bytes or of a file object with no name."""

Key = Callable[[Any], "float | None"]
"""A record's time for the order of several files (epoch seconds), None when it has none."""


@dataclass(frozen=True, slots=True)
class Loaded:
    """A session's own file, read already (once: a file object can be read once): its
    records, and its path when it is a file (its sub-agents' files are looked for beside it)."""

    records: list[SessionRecord]
    path: Path | None

    def first(self, n: int = 8) -> list[Any]:
        """The parsed JSON of its first ``n`` records that could be read (what a format's
        ``detect`` is asked)."""
        return [r.data for r in self.records[:n] if not r.error]


def load(source: Any) -> Loaded:
    """A source read (a ``Loaded`` is given back as it is)."""
    if isinstance(source, Loaded):
        return source
    return Loaded(read_records(source), path_of(source))


def path_of(source: Any) -> Path | None:
    """The file a source is: its path, or the path of a file object opened on a file (the
    sub-agents' files are looked for beside it); None for data."""
    if isinstance(source, (str, os.PathLike)):
        return Path(source)
    name = getattr(source, "name", None)
    if hasattr(source, "read") and isinstance(name, str) and os.path.isfile(name):
        return Path(name)
    return None


def read_records(
    source: Any, *, thread: str = "", parent: str | None = None, agent: str | None = None
) -> list[SessionRecord]:
    """The records of one file or of parsed data, each with its file and line, and the
    ``thread`` / ``parent`` / ``agent`` given (a sub-agent's file)."""
    tags: dict[str, Any] = {"thread": thread, "parent": parent, "agent": agent}
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            return _parse(fh.read(), os.fspath(source), tags)
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        return _parse(source.read(), name if isinstance(name, str) else _UNNAMED, tags)
    if isinstance(source, (bytes, bytearray)):
        return _parse(bytes(source), _UNNAMED, tags)
    if isinstance(source, Mapping):
        return [SessionRecord(source, "", 1, **tags)]
    if isinstance(source, Iterable):
        return [SessionRecord(data, "", n, **tags) for n, data in enumerate(source, 1)]
    raise TypeError(
        f"cannot read a session from a {type(source).__name__}: pass a path, a file object or "
        "the parsed records"
    )


def _parse(raw: bytes | str, name: str, tags: dict[str, Any]) -> list[SessionRecord]:
    text = raw.decode("utf-8-sig", errors="replace") if isinstance(raw, bytes) else raw
    records: list[SessionRecord] = []
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(SessionRecord(strict_json(line), name, number, **tags))
        except ValueError as exc:
            if not records and (document := _document(text)) is not None:
                return [SessionRecord(document, name, number, **tags)]
            cut = "" if line.endswith(("\n", "\r")) else " (the last line is cut short)"
            error = f"not JSON: {_reason(exc)}{cut}"
            records.append(SessionRecord(None, name, number, error=error, **tags))
            break
    return records


def _document(text: str) -> Any:
    """The file as one JSON document, when it is one (spread over several lines)."""
    try:
        return strict_json(text)
    except ValueError:
        return None


def _reason(exc: ValueError) -> str:
    return exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)


def time_order(files: list[list[SessionRecord]], key: Key) -> Iterator[SessionRecord]:
    """The records of several files in the order they were written: by their times, each
    file's own order kept (a record's time is at least its file's previous one: a record
    without a time, a line that could not be read, comes right after the one before it; the
    records at the head of a file that have none, with its first that has one); at equal
    times, the earlier file first (the session before its sub-agents)."""
    keyed: list[tuple[float, int, int, SessionRecord]] = []
    for index, records in enumerate(files):
        times = [None if r.error else key(r.data) for r in records]
        latest = next((t for t in times if t is not None), 0.0)
        for position, (record, own) in enumerate(zip(records, times, strict=True)):
            latest = latest if own is None else max(latest, own)
            keyed.append((latest, index, position, record))
    keyed.sort(key=lambda item: item[:3])
    return (record for *_, record in keyed)
