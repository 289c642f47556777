"""A Codex rollout and its sub-agents' rollouts, as records in the order they were written.

A sub-agent is a thread of its own, in a rollout of its own (``rollout-<time>-<thread>.jsonl``,
in the folder of the day it started: ``sessions/YYYY/MM/DD/``), its ``session_meta`` naming the
thread that spawned it. The parent's ``spawn_agent`` call says which thread it started: its
output's ``agent_id``, or the ``receiver_thread_ids`` of the CLI's ``item_completed`` for that
call; that call is the sub-agent's scope. A sub-agent's own sub-agents are found the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from nbagent.adapters.base import field, list_or_empty, str_or_none
from nbagent.adapters.sessions.record import SessionRecord, iso_seconds
from nbagent.sources.sessions.lines import read_file, tagged, time_order
from nbagent.sources.trace_input import TraceRecord, TraceSource

__all__ = ["codex_records"]

_SPAWN = "spawn_agent"
_DEPTH = 8
"""Sub-agents of sub-agents followed this deep at most."""


def codex_records(source: TraceSource) -> Iterator[TraceRecord]:
    """The records of a Codex rollout and of the rollouts of the sub-agents it spawned, found
    in the sessions folder it is in (a source that is a file), in the order they were
    written."""
    files = [read_file(source)]
    path = source.path
    if path is not None:
        seen: set[str] = set()
        pending = [(files[0].records, 0)]
        while pending:
            records, depth = pending.pop(0)
            for thread, call in _spawned(records).items():
                if thread in seen or depth >= _DEPTH:
                    continue
                seen.add(thread)
                found = _rollout(path, thread)
                if found is None:
                    continue
                read = read_file(found)
                child = tagged(read, thread=thread, parent=call, agent=_nickname(read.records))
                files.append(child)
                pending.append((child.records, depth + 1))
    return time_order(files, _time)


def _time(data: Any) -> float | None:
    return iso_seconds(field(data, "timestamp")) if isinstance(data, Mapping) else None


def _spawned(records: list[SessionRecord]) -> dict[str, str]:
    """The threads a rollout's ``spawn_agent`` calls started → the call's id."""
    spawns: set[str] = set()
    threads: dict[str, str] = {}
    for record in records:
        payload = field(record.data, "payload")
        kind = field(payload, "type")
        call = str_or_none(field(payload, "call_id"))
        if kind == "function_call" and field(payload, "name") == _SPAWN and call:
            spawns.add(call)
        elif kind == "function_call_output" and call in spawns:
            thread = str_or_none(field(_json(field(payload, "output")), "agent_id"))
            if thread and call:
                threads.setdefault(thread, call)
        elif kind == "item_completed" and field(field(payload, "item"), "tool") == _SPAWN:
            item = field(payload, "item")
            for thread in list_or_empty(field(item, "receiver_thread_ids")):
                if isinstance(thread, str) and isinstance(field(item, "id"), str):
                    threads.setdefault(thread, field(item, "id"))
    return threads


def _json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return None


def _rollout(main: Path, thread: str) -> Path | None:
    """A thread's rollout: beside the main one, else in another day's folder of the same
    sessions folder (``sessions/YYYY/MM/DD``)."""
    pattern = f"rollout-*-{thread}.jsonl"
    found = sorted(main.parent.glob(pattern))
    if not found and len(main.parents) > 3 and main.parents[3].is_dir():
        found = sorted(main.parents[3].glob(f"*/*/*/{pattern}"))
    return found[0] if found else None


def _nickname(records: list[SessionRecord]) -> str | None:
    """The nickname a sub-agent's ``session_meta`` gives it."""
    for record in records[:1]:
        payload = field(record.data, "payload")
        spawn = field(field(field(payload, "source"), "subagent"), "thread_spawn")
        return str_or_none(field(payload, "agent_nickname")) or str_or_none(
            field(spawn, "agent_nickname")
        )
    return None
