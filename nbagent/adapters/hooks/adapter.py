"""``HooksAdapter`` (``format="hooks"``): the records of ``nbagent.watch()``'s hooks, one
family adapter each, merged in the order they came."""

from __future__ import annotations

from typing import Any, ClassVar

from nbagent.adapters.kit.hook_record import HookRecord
from nbagent.adapters.kit.hooks import HookAdapter
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.core.events import ErrorEvent, Event, RunEnd

__all__ = ["HooksAdapter"]


class HooksAdapter:
    """Records → events: each family to its adapter; the watch's own records here.

    ``FAMILIES`` (set by the package: family name → adapter class) is looked up on the
    first record of a family. Under ``watch(obj)`` (a ``mode`` record with ``per_root``)
    the run is one root: the root's failure ends it ``error``; in a ``with`` block a failed
    call is a warning and the block's exception (an ``error`` record) ends the run.
    """

    name: ClassVar[str] = "hooks"
    FAMILIES: ClassVar[dict[str, type[HookAdapter]]] = {}

    def __init__(self) -> None:
        self._adapters: dict[str, HookAdapter] = {}
        self._per_root = False
        self._life = Lifecycle("hooks", "HookRecord items")

    @staticmethod
    def detect(item: Any) -> bool:
        return isinstance(item, HookRecord)

    def feed(self, item: Any) -> list[Event]:
        if not isinstance(item, HookRecord):
            raise self._life.takes(item)
        if item.family == "watch":
            return self._own(item)
        adapter = self._adapters.get(item.family)
        if adapter is None:
            cls = self.FAMILIES.get(item.family)
            if cls is None:
                raise self._life.bad(f"no adapter for hook family {item.family!r}")
            adapter = self._adapters[item.family] = cls()
        events = adapter.feed(item)
        for ev in events:
            if ev.ts == 0:
                ev.ts = item.ts
        if self._per_root and item.last:
            events.extend(self._root_failed(events, item.ts))
        return events

    def end(self) -> list[Event]:
        return [ev for adapter in self._adapters.values() for ev in adapter.end()]

    def _own(self, record: HookRecord) -> list[Event]:
        data = record.data if isinstance(record.data, dict) else {}
        if record.kind == "mode":
            self._per_root = bool(data.get("per_root"))
            return []
        if record.kind == "warning":
            message = str(data.get("message") or "")
            return [ErrorEvent(message=message, recoverable=True, ts=record.ts)]
        if record.kind == "interrupted":
            message = str(data.get("message") or "interrupted")
            return [RunEnd(reason="interrupted", message=message, ts=record.ts)]
        if record.kind == "error":
            message = str(data.get("message") or "the watched code raised")
            error_type = data.get("error_type")
            return [
                ErrorEvent(
                    message=message,
                    error_type=error_type if isinstance(error_type, str) else None,
                    ts=record.ts,
                ),
                RunEnd(reason="error", message=message, ts=record.ts),
            ]
        return []

    @staticmethod
    def _root_failed(events: list[Event], ts: float) -> list[Event]:
        """A watched object's call that failed: its run ends ``error`` with the failure, said
        as a run's error is: ``"Type: text"``."""
        for ev in reversed(events):
            if isinstance(ev, ErrorEvent):
                kind, message = ev.error_type, ev.message
                if kind and not message.startswith(kind):
                    message = f"{kind}: {message}"
                return [RunEnd(reason="error", message=message, ts=ts)]
        return []
