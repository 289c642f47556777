"""What every adapter test does: wire items → adapter → normalizer, without I/O."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nbagent._events import Event, RunStart
from nbagent._normalize import Normalizer
from nbagent.adapters import Adapter


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
