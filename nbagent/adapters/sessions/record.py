"""``SessionRecord``: one record of a coding agent's session files, as the session readers
(``nbagent.sources.sessions``) hand it to an adapter of this package: the record's parsed JSON,
where it was read (the file and its line), which thread it belongs to (the session's own, or a
sub-agent's) and the tool call that started that thread. And the clock of these files: their
ISO-8601 times read as epoch seconds (``iso_seconds``), to the millisecond they carry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

__all__ = ["SessionRecord", "as_record", "iso_seconds", "type_of"]


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One record of a session: a line of a JSON Lines file, or one message of a session kept
    as a single JSON document (Gemini CLI's older ``session-*.json``).

    ``data`` is the record's parsed JSON; ``file`` and ``line`` name where it was read
    (``line``: 1-based, the line of a JSON Lines file; None for a record of a document or of
    data parsed already); ``thread`` is "" for the session's own records and the sub-agent's
    id for a sub-agent's (its own file); ``parent`` the id of the tool call that started that
    sub-agent, when its files say (a sub-agent's records without it are nested under a
    sub-agent step of their own); ``agent`` the sub-agent's name (its type, its nickname) when
    its files say."""

    data: Any
    file: str = ""
    line: int | None = None
    thread: str = ""
    parent: str | None = None
    agent: str | None = None


def as_record(item: Any) -> SessionRecord:
    """An adapter's item as a ``SessionRecord``: the record itself, or a bare parsed record
    (a dict a test or a caller hands over), read as the session's own."""
    return item if isinstance(item, SessionRecord) else SessionRecord(item)


def type_of(data: Any) -> str:
    """A record's (an item's, a block's) ``type``; "" when it has none that is a string."""
    kind = data.get("type") if isinstance(data, Mapping) else None
    return kind if isinstance(kind, str) else ""


_DIGITS = frozenset("0123456789")


def iso_seconds(value: Any) -> float | None:
    """Epoch seconds of an ISO-8601 time (``2026-11-29T03:48:00.425Z``, any number of
    fraction digits, ``Z`` or an offset; no offset: UTC); None for anything else."""
    if not isinstance(value, str) or not 10 <= len(value) <= 64:
        return None
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    head, dot, rest = text.partition(".")
    if dot:  # Python 3.10's fromisoformat takes 3 or 6 fraction digits only
        n = 0
        while n < len(rest) and rest[n] in _DIGITS:
            n += 1
        text = head + "." + (rest[:n] + "000000")[:6] + rest[n:]
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()
