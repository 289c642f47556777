"""Recorded streams: nbagent's own JSONL (``load``) and raw captured SSE (``sse_file``)::

for ev in load("run.jsonl"): ...          # nbagent Events (format="events")
for sse in sse_file("capture.sse"): ...   # ServerSentEvents, decoded exactly
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import IO, Union

from nbagent.adapters.base import ServerSentEvent
from nbagent.core.events import Event, EventDecodeError, event_from_json
from nbagent.sources.sse import SSEDecoder

__all__ = ["JSONLError", "load", "sse_file"]

PathLike = Union[str, "os.PathLike[str]"]

_READ_SIZE = 65536


class JSONLError(EventDecodeError):
    """A line of a recorded JSONL file (``nbagent.load``, ``replay``) is not an nbagent
    event; the message names the file and the line number."""


def load(path: PathLike) -> Iterator[Event]:
    """The events of a JSONL file written from ``Event.to_json()`` lines, lazily.

    Blank lines are skipped. A bad line raises ``JSONLError`` naming the file and the
    line number.
    """
    with open(path, encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                ev = event_from_json(line)
            except EventDecodeError as exc:
                raise JSONLError(f"{os.fspath(path)}, line {number}: {exc}") from None
            yield ev


def _chunks(fh: IO[bytes]) -> Iterator[bytes]:
    while chunk := fh.read(_READ_SIZE):
        yield chunk


def sse_file(source: PathLike | Iterable[bytes] | IO[bytes]) -> Iterator[ServerSentEvent]:
    """The ``ServerSentEvent``s of a raw SSE capture: a path, a binary file object or an
    iterable of ``bytes`` chunks. A pending event at the end is flushed (lenient).
    """
    dec = SSEDecoder()
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            for chunk in _chunks(fh):
                yield from dec.feed(chunk)
    elif isinstance(source, (bytes, bytearray)):
        yield from dec.feed(bytes(source))
    elif hasattr(source, "read"):
        for chunk in _chunks(source):  # type: ignore[arg-type]
            yield from dec.feed(chunk)
    else:
        for chunk in source:
            yield from dec.feed(chunk)
    yield from dec.flush()
