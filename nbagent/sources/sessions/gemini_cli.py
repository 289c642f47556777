"""A Gemini CLI chat and its sub-agents' chats, as records in the order they were written.

A chat is ``~/.gemini/tmp/<project>/chats/session-<time>-<id>.jsonl`` (``.json``, one document,
in versions before the JSON Lines one). A sub-agent's chat is ``chats/<session id>/<sub-agent
session id>.jsonl`` (``.json``); the ``invoke_agent`` call that ran it names that id
(``agentId``, Gemini CLI 0.38 and later), which makes the call its scope; a sub-agent's own
sub-agents are in the folder of its id. A document's messages are records of their own, so
that they go in the order they were written with its sub-agents'.

A line is in the order by the latest time it holds: a message is written again when its calls
have run (their ``timestamp``), the metadata when it changed (``lastUpdated``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from nbagent.adapters.base import field, list_or_empty, str_or_none
from nbagent.adapters.sessions.record import SessionRecord, iso_seconds
from nbagent.sources.sessions.lines import Read, read_file, tagged, time_order
from nbagent.sources.trace_input import TraceRecord, TraceSource

__all__ = ["gemini_cli_records"]

_DEPTH = 8
"""Sub-agents of sub-agents followed this deep at most."""


def gemini_cli_records(source: TraceSource) -> Iterator[TraceRecord]:
    """The records of a Gemini CLI chat (JSON Lines, or the older one document) and of its
    sub-agents' chats found beside it (a source that is a file), in the order they were
    written."""
    main = _expand(read_file(source))
    files = [main]
    path = source.path
    if path is not None:
        pending = [(main.records, 0)]
        while pending:
            records, depth = pending.pop(0)
            session = _session_id(records)
            folder = path.parent / session if session else None
            if folder is None or depth >= _DEPTH or not folder.is_dir():
                continue
            calls = _agent_calls(records)
            for file in sorted(folder.glob("*.json*")):
                if file.suffix not in (".json", ".jsonl"):
                    continue
                child = _expand(read_file(file))
                agent = _session_id(child.records) or file.stem
                child = tagged(child, thread=agent, parent=calls.get(agent))
                files.append(child)
                pending.append((child.records, depth + 1))
    return time_order(files, _time)


def _expand(read: Read) -> Read:
    """A document's messages as records of their own, after its metadata."""
    out: list[SessionRecord] = []
    for record in read.records:
        data = record.data
        messages = field(data, "messages") if isinstance(data, Mapping) else None
        if not isinstance(messages, list) or "$set" in data:
            out.append(record)
            continue
        head = {k: v for k, v in data.items() if k != "messages"}
        out.append(replace(record, data=head))
        out.extend(replace(record, data=m) for m in messages)
    return Read(out, read.failure)


def _time(data: Any) -> float | None:
    """The latest time a record holds: when it was written."""
    if not isinstance(data, Mapping):
        return None
    times = [iso_seconds(data.get(k)) for k in ("timestamp", "startTime")]
    times.append(iso_seconds(field(data.get("$set"), "lastUpdated")))
    times += [iso_seconds(field(c, "timestamp")) for c in list_or_empty(data.get("toolCalls"))]
    known = [t for t in times if t is not None]
    return max(known) if known else None


def _session_id(records: list[SessionRecord]) -> str | None:
    for record in records[:1]:
        return str_or_none(field(record.data, "sessionId"))
    return None


def _agent_calls(records: list[SessionRecord]) -> dict[str, str]:
    """The sub-agents a chat's calls ran (``agentId``) → the call's id."""
    calls: dict[str, str] = {}
    for record in records:
        for call in list_or_empty(field(record.data, "toolCalls")):
            agent, call_id = str_or_none(field(call, "agentId")), str_or_none(field(call, "id"))
            if agent and call_id:
                calls.setdefault(agent, call_id)
    return calls
