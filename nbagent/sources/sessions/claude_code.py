"""Claude Code's session and its sub-agents' files, as records in the order they were written.

A session is ``~/.claude/projects/<project>/<session>.jsonl``. Its sub-agents (the Agent or
Task tool) each have a file of their own: ``<session>/subagents/agent-<id>.jsonl`` beside it
(Claude Code 2.1 and later), with ``agent-<id>.meta.json`` naming the ``toolUseId`` of the call
that started it and the agent's type; earlier versions wrote ``agent-<id>.jsonl`` in the
project's folder, the session's ``sessionId`` in its records, and the call is the one whose
result names the ``agentId`` (``toolUseResult``). A sub-agent whose call neither says is
nested under a sub-agent step of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from nbagent.adapters.base import field, list_or_empty, str_or_none
from nbagent.adapters.sessions.record import SessionRecord, iso_seconds
from nbagent.sources.sessions.lines import Read, read_file, tagged, time_order
from nbagent.sources.trace_input import TraceRecord, TraceSource

__all__ = ["claude_code_records"]

_PREFIX = "agent-"


def claude_code_records(source: TraceSource) -> Iterator[TraceRecord]:
    """The records of a Claude Code session and of its sub-agents' files found beside it (a
    source that is a file), in the order they were written."""
    main = read_file(source)
    files = [main]
    if source.path is not None:
        files += _subagents(source.path, main.records)
    return time_order(files, _time)


def _time(data: Any) -> float | None:
    return iso_seconds(field(data, "timestamp")) if isinstance(data, Mapping) else None


def _subagents(path: Path, main: list[SessionRecord]) -> list[Read]:
    calls = _agent_calls(main)
    found: list[Read] = []
    folder = path.with_suffix("") / "subagents"
    for file in sorted(folder.glob(f"{_PREFIX}*.jsonl")) if folder.is_dir() else ():
        agent = file.stem[len(_PREFIX) :]
        meta = _meta(file.with_suffix(".meta.json"))
        parent = str_or_none(meta.get("toolUseId")) or calls.get(agent)
        name = str_or_none(meta.get("agentType")) or str_or_none(meta.get("description"))
        found.append(read_file(file, thread=agent, parent=parent, agent=name))
    session = _session_id(main)
    for file in sorted(path.parent.glob(f"{_PREFIX}*.jsonl")) if session else ():
        read = read_file(file)  # earlier versions: in the project's folder
        if _session_id(read.records) != session:
            continue
        agent = file.stem[len(_PREFIX) :]
        found.append(tagged(read, thread=agent, parent=calls.get(agent)))
    return found


def _meta(path: Path) -> Mapping[str, Any]:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, Mapping) else {}


def _session_id(records: list[SessionRecord]) -> str | None:
    for record in records:
        session = str_or_none(field(record.data, "sessionId"))
        if session:
            return session
    return None


def _agent_calls(records: list[SessionRecord]) -> dict[str, str]:
    """The sub-agents the session's tool results name (``toolUseResult.agentId``) → the id of
    the call whose result it is."""
    calls: dict[str, str] = {}
    for record in records:
        data = record.data
        agent = str_or_none(field(field(data, "toolUseResult"), "agentId"))
        if agent is None:
            continue
        for block in list_or_empty(field(field(data, "message"), "content")):
            call = str_or_none(field(block, "tool_use_id"))
            if call is not None:
                calls.setdefault(agent, call)
    return calls
