"""What every adapter test does: wire items → adapter → normalizer, without I/O."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nbagent.adapters import Adapter
from nbagent.core.events import Event, RunStart
from nbagent.pipeline.normalize import Normalizer
from nbagent.transcript.transcript import Transcript


def fold(
    adapter: Adapter, items: Iterable[Any], *, clock: float = 1.0, source_errors: bool = False
) -> tuple[list[Event], list[Event]]:
    """``(adapter events, normalized events)`` of a whole stream.

    Checks the adapter contract on every event before the normalizer stamps it (in
    place): ``seq``, ``ts`` and (but on ``RunStart``) ``run_id`` are left empty.
    An adapter's exception propagates (tests of "only NbagentError escapes" need it),
    unless ``source_errors``: then it ends the run through ``fail()``, as a Run does.
    """
    norm = Normalizer(source=adapter.name, clock=lambda: clock)
    raw: list[Event] = []
    out: list[Event] = []

    def take(events: list[Event]) -> None:
        for ev in events:
            assert (ev.seq, ev.ts) == (0, 0.0), f"{adapter.name} stamped {ev!r}"
            assert isinstance(ev, RunStart) or ev.run_id == "", f"{adapter.name}: {ev!r}"
            raw.append(ev)
            out.extend(norm.feed(ev))

    try:
        for item in items:
            take(adapter.feed(item))
    except Exception as exc:
        if not source_errors:
            raise
        out.extend(norm.fail(exc))
    take(adapter.end())
    if not norm.ended:
        out.extend(norm.finish())
    return raw, out


def fixture_lines(path: Path) -> list[str]:
    """A fixture's non-blank lines."""
    return [ln for ln in path.read_text().splitlines() if ln.strip()]


def fixture_items(path: Path) -> list[Any]:
    """A JSONL fixture's items (a ``[DONE]`` line kept as the string)."""
    return [ln if ln == "[DONE]" else json.loads(ln) for ln in fixture_lines(path)]


def transcript_of(adapter: Adapter, items: Iterable[Any]) -> tuple[Transcript, list[Event]]:
    """Items → adapter → normalizer → transcript (the pipeline, without I/O), and the
    normalized events."""
    _, events = fold(adapter, items)
    return Transcript.from_events(events), events


def tool_rows(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool blocks of a transcript's state, by what the fixtures' expectations compare."""
    keys = ("id", "name", "args", "state", "result", "is_error")
    return [{k: b[k] for k in keys} for b in state["blocks"] if b["type"] == "tool"]
