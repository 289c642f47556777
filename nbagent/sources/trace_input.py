"""What ``nbagent.load_trace`` reads, and the shape of a trace format's entry.

A source is a path, a file object (text or binary), a file's bytes or data parsed already
(``open_trace`` makes a ``TraceSource`` of it, reading a file object once). Its documents
(``documents``) are JSON: one per line (JSON Lines, the first line parsing alone says so) or
one for the whole file (spread over lines); parsed data is one document as it is. A line that
is not JSON raises ``TraceLineError`` naming the file and the line, after the documents before
it: the one way a reader says a bad line (``load_trace`` ends the run with it, after
everything before it).

A format (``TraceFormat``) is one entry: its name, how its content is told (``detect``, from
the first documents), how its records are read (``read``: each ``TraceRecord`` with its file
and line) and its pure adapter (``adapter``: records → events). ``trace_formats.FORMATS``
lists them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from nbagent.core.events import Event, NbagentError
from nbagent.core.paths import private_paths
from nbagent.core.values import strict_json

__all__ = [
    "TraceAdapter",
    "TraceFormat",
    "TraceLineError",
    "TraceRecord",
    "TraceSource",
    "documents",
    "each_document",
    "open_trace",
]

_DATA = "<data>"


class TraceLineError(NbagentError, ValueError):
    """A line of a trace file that cannot be read: the run ends ``error`` with it, after
    what came before. The message names the file (as a notebook may save it: no path of this
    machine, ``core.paths``) and the line."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        where = private_paths(file)
        where = f"{where}, line {line}" if line is not None else where
        super().__init__(f"{where}: {reason}")
        self.file = file
        self.line = line


@dataclass(frozen=True)
class TraceSource:
    """A source to read: ``name`` the file's path as given (the file object's name, or
    ``"<data>"``); ``path`` the file on disk (a path, or a file object opened on one), for a
    reader that reads beside it (a session's sub-agents); ``text`` a file object's content;
    ``data`` parsed data (``parsed``)."""

    name: str
    path: Path | None = None
    text: str | None = None
    data: Any = None
    parsed: bool = False


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """One record of a trace, as its format's adapter takes it (``item``), with where it was
    read: the file (``file``) and its 1-based line (``line``; None where the file is one
    JSON document, or for parsed data)."""

    item: Any
    file: str
    line: int | None


class TraceAdapter(Protocol):
    """A format's pure adapter: ``feed(item)`` → the events of one record, ``end()`` → what
    closes the run's open parts, ending with the run's ``RunEnd`` where the records say when
    and how it ended (its time is the run's end even when a bad line cut the records short).
    No I/O, no clock: every time comes from the records."""

    def feed(self, item: Any) -> list[Event]: ...
    def end(self) -> list[Event]: ...


@dataclass(frozen=True)
class TraceFormat:
    """One format ``nbagent.load_trace`` reads."""

    name: str
    """What ``format=`` names it (``"otlp"``, ``"langfuse"``, ...)."""
    detect: Callable[[Sequence[Any]], bool]
    """Whether a source is in this format, from its first documents (a JSON Lines file's first
    lines, up to ``trace_formats.FIRST``; a JSON file's whole document, or parsed data as
    given, alone); never raises."""
    read: Callable[[TraceSource], Iterable[TraceRecord]]
    """The source's records in the order they play (by their times), each with its file and
    line; a line that cannot be read raises ``TraceLineError`` after the records before it."""
    adapter: Callable[[], TraceAdapter]
    """A new adapter for one load."""


def open_trace(source: Any) -> TraceSource:
    """``source`` as a ``TraceSource``: a path (a missing file raises ``FileNotFoundError``
    now), a file object (read whole, now), bytes (a file's content) or parsed data."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            if path.exists():
                raise IsADirectoryError(f"{os.fspath(source)} is a folder: give a trace file")
            raise FileNotFoundError(f"no such trace file: {os.fspath(source)}")
        return TraceSource(os.fspath(source), path=path)
    if isinstance(source, (bytes, bytearray)):
        return TraceSource(_DATA, text=_decoded(bytes(source)))
    read = getattr(source, "read", None)
    if callable(read):
        content = read()
        text = _decoded(bytes(content)) if isinstance(content, (bytes, bytearray)) else str(content)
        name = getattr(source, "name", None)
        if not isinstance(name, str):
            return TraceSource("<file>", text=text)
        return TraceSource(name, path=Path(name) if os.path.isfile(name) else None, text=text)
    return TraceSource(_DATA, data=source, parsed=True)


def documents(source: TraceSource) -> Generator[tuple[Any, int | None], None, None]:
    """Each JSON document of ``source`` with its line (None for a whole-file document)."""
    if source.parsed:
        yield source.data, None
        return
    read = _lines(source)
    try:
        yield from _parsed(source, enumerate(read, 1))
    finally:
        read.close()


def each_document(
    source: TraceSource, take: Callable[[Any, int | None], None]
) -> TraceLineError | None:
    """``take(doc, line)`` for every document of ``source`` up to a line that cannot be read:
    that line's error, for the reader to raise once what came before it has played."""
    try:
        for doc, line in documents(source):
            take(doc, line)
    except TraceLineError as exc:
        return exc
    return None


def _parsed(
    source: TraceSource, lines: Iterator[tuple[int, str]]
) -> Iterator[tuple[Any, int | None]]:
    for number, line in lines:
        if not line.strip():
            continue
        try:
            first = strict_json(line)
        except ValueError:
            yield _whole(source), None
            return
        yield first, number
        break
    for number, line in lines:
        if not line.strip():
            continue
        try:
            value = strict_json(line)
        except ValueError as exc:
            cut = "" if line.endswith(("\n", "\r")) else " (the last line is cut short)"
            raise TraceLineError(source.name, number, f"not JSON: {_reason(exc)}{cut}") from None
        yield value, number


def _whole(source: TraceSource) -> Any:
    text = source.text if source.text is not None else _file_text(source)
    try:
        return strict_json(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise TraceLineError(source.name, line, f"not JSON: {_reason(exc)}") from None


def _reason(exc: ValueError) -> str:
    """What is wrong, without ``json``'s place in the line (the message names the line)."""
    return exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)


def _lines(source: TraceSource) -> Generator[str, None, None]:
    if source.text is not None:
        yield from source.text.splitlines(keepends=True)
        return
    assert source.path is not None
    with source.path.open(encoding="utf-8-sig", errors="replace") as fh:
        yield from fh


def _file_text(source: TraceSource) -> str:
    assert source.path is not None
    return source.path.read_text(encoding="utf-8-sig", errors="replace")


def _decoded(content: bytes) -> str:
    return content.decode("utf-8-sig", errors="replace")
