"""The agent's stdout as the SDK reads it: a line that is a JSON object (a JSON-RPC message)
passes to the SDK (as ``rewrite`` returns it: ``_raw``, what the SDK cannot read as an
extension notification); any other line (a stray ``print``, a banner, a log line) is taken
out and reported (``report``), so the run shows it as a warning and the session goes on. The
SDK would skip a line that is not JSON with a log entry nobody sees, and a line of JSON that is
not an object would break its reader."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

__all__ = ["LINE_SHOWN", "filtered"]

LINE_SHOWN = 500
"""Characters of a stray line a warning quotes at most."""


Rewrite = Callable[[dict[str, Any]], dict[str, Any]]


def filtered(
    source: asyncio.StreamReader,
    report: Callable[[str], None],
    limit: int,
    rewrite: Rewrite | None = None,
) -> tuple[asyncio.StreamReader, asyncio.Task[None]]:
    """A reader for the SDK holding ``source``'s JSON-RPC lines (each as ``rewrite`` returns
    it), and the task that fills it (it ends with ``source``: the SDK's reader then sees the
    end of the stream)."""
    sink = asyncio.StreamReader(limit=limit)
    return sink, asyncio.ensure_future(_pump(source, sink, report, rewrite))


def message_of(line: bytes) -> dict[str, Any] | None:
    """The JSON object ``line`` holds (what a JSON-RPC message is), else None."""
    stripped = line.strip()
    if not stripped.startswith(b"{"):
        return None
    try:
        message = json.loads(stripped)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


async def _pump(
    source: asyncio.StreamReader,
    sink: asyncio.StreamReader,
    report: Callable[[str], None],
    rewrite: Rewrite | None = None,
) -> None:
    try:
        while line := await _read_line(source):
            message = message_of(line)
            if message is not None:
                told = message if rewrite is None else rewrite(message)
                sink.feed_data(line if told is message else json.dumps(told).encode() + b"\n")
            elif line.strip():
                text = line.decode("utf-8", "replace").strip()
                report(text if len(text) <= LINE_SHOWN else text[:LINE_SHOWN] + "…")
    except (OSError, ValueError):  # the pipe broke: the end of the stream, as EOF is
        pass
    finally:
        sink.feed_eof()


async def _read_line(reader: asyncio.StreamReader) -> bytes:
    """The next line, however long (the reader's limit bounds a chunk, not a line); b"" at
    the end."""
    chunks: list[bytes] = []
    while True:
        try:
            chunks.append(await reader.readuntil(b"\n"))
            return b"".join(chunks)
        except asyncio.LimitOverrunError as exc:  # noqa: PERF203 - loops only past the limit
            chunks.append(await reader.readexactly(exc.consumed))
        except asyncio.IncompleteReadError as exc:
            chunks.append(exc.partial)
            return b"".join(chunks)
