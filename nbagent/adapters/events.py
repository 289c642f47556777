"""``format="events"``: nbagent's own events, as objects, dicts or JSONL lines."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.core.events import EVENT_TYPES, Event, event_from_dict, event_from_json

__all__ = ["EventsAdapter"]


class EventsAdapter:
    """``Event`` instances pass through (copied: the normalizer stamps them, and the caller's
    objects stay untouched); dicts go through ``event_from_dict``; ``str``/``bytes`` lines
    through ``event_from_json`` (blank lines are skipped).

    A recording normally holds its own ``run_end``; when it does not, the normalizer ends
    the run as ``completed``.
    """

    name: ClassVar[str] = "events"

    def __init__(self) -> None:
        self._life = Lifecycle("events", "Event objects, dicts or JSON lines")

    @staticmethod
    def detect(item: Any) -> bool:
        if isinstance(item, Event):
            return True
        if not isinstance(item, Mapping):
            return False
        kind = item.get("kind")
        return isinstance(kind, str) and kind in EVENT_TYPES

    def feed(self, item: Any) -> list[Event]:
        if isinstance(item, Event):
            return [dataclasses.replace(item)]
        if isinstance(item, Mapping):
            return [event_from_dict(dict(item))]
        if isinstance(item, (bytes, bytearray)):
            item = bytes(item).decode("utf-8", errors="replace")
        if isinstance(item, str):
            if not item.strip():
                return []
            return [event_from_json(item)]
        raise self._life.takes(item)

    def end(self) -> list[Event]:
        return []
