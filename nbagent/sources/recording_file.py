"""A recording read: the events of a JSONL file that ``run.save()`` or ``nbagent.record``
wrote, or of a list of events (``run.events``), each checked (a known kind, a finite ``ts``);
what ``nbagent.replay`` plays (``recording.Player``) and ``nbagent replay`` prints."""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Union

from nbagent.core.events import (
    Event,
    EventDecodeError,
    NbagentError,
    event_from_dict,
    event_from_json,
)
from nbagent.sources.files import JSONLError

__all__ = ["RecordingError", "read_recording"]

PathLike = Union[str, "os.PathLike[str]"]


class RecordingError(NbagentError, ValueError):
    """A recording that cannot be played (``nbagent.replay``, ``nbagent.load``): empty, or
    not made of nbagent events (a bad line is a ``JSONLError``, naming the file and line)."""


def read_recording(source: PathLike | Iterable[Any]) -> tuple[list[Event], JSONLError | None]:
    """The events of a recording, and the error of its first bad line (None when all parsed).

    ``source``: a JSONL file written by ``run.save()`` / ``nbagent.record`` (a missing file
    raises ``FileNotFoundError``), or events / their ``to_dict()`` dicts (``run.events``).
    Events are copied: playing them never changes the caller's. Raises ``RecordingError``
    when nothing can be played.
    """
    if isinstance(source, (str, os.PathLike)):
        events, failure = _read_file(Path(source))
    else:
        events, failure = _from_items(source), None
    if not events:
        if failure is not None:
            raise failure
        raise RecordingError(f"{_name(source)}: the recording holds no events")
    return events, failure


def _read_file(path: Path) -> tuple[list[Event], JSONLError | None]:
    events: list[Event] = []
    with path.open(encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                ev = event_from_json(line)
                _check_ts(ev)
            except EventDecodeError as exc:
                cut = "" if line.endswith("\n") else " (the last line is cut short)"
                return events, JSONLError(f"{path}, line {number}: {exc}{cut}")
            events.append(ev)
    return events, None


def _from_items(items: Iterable[Any]) -> list[Event]:
    if isinstance(items, (bytes, bytearray)) or not hasattr(items, "__iter__"):
        raise RecordingError(
            f"cannot replay a {type(items).__name__}: pass a path to a JSONL recording or a "
            "list of nbagent events (run.events)"
        )
    events: list[Event] = []
    for n, item in enumerate(items, 1):
        try:
            ev = dataclasses.replace(item) if isinstance(item, Event) else event_from_dict(item)
            _check_ts(ev)
        except EventDecodeError as exc:
            raise RecordingError(f"item {n}: {exc}") from None
        events.append(ev)
    return events


def _check_ts(ev: Event) -> None:
    ts = ev.ts
    if isinstance(ts, bool) or not isinstance(ts, (int, float)) or not math.isfinite(ts):
        raise EventDecodeError(f"{ev.kind} event has a bad ts {ts!r} (epoch seconds expected)")


def _name(source: Any) -> str:
    return os.fspath(source) if isinstance(source, (str, os.PathLike)) else "replay"
