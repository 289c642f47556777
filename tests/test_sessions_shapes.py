"""Session records of shapes the fixtures do not have: each adapter reads any JSON without
raising (a value of another type anywhere in a real record), the older layouts (Claude Code's
sub-agents in the project's folder), and the words a run ends on that the fixtures do not say
(an aborted Codex turn, an interrupted Claude Code answer). Kernel-free."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from nbagent.core.events import Event, RunEnd
from nbagent.pipeline.normalize import Normalizer
from nbagent.sources.trace_formats import trace_format
from nbagent.transcript.transcript import Transcript
from tests.session_harness import (
    CLAUDE,
    CLAUDE_AGENT,
    CLAUDE_SESSION,
    CODEX_MAIN,
    GEMINI_SESSION,
    events_of,
    run_of,
    tools,
)

FIXTURES = {"claude-code": CLAUDE_SESSION, "codex": CODEX_MAIN, "gemini-cli": GEMINI_SESSION}
ODD: list[Any] = [None, 0, -1, 2.5, True, "", "x", [], [None], {}, {"type": 5}]


def paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value: dict keys and list indices, down to its leaves."""
    found = [at]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += paths(inner, (*at, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += paths(inner, (*at, index))
    return found


def replaced(value: Any, at: tuple[Any, ...], new: Any) -> Any:
    if not at:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[at[0]] = replaced(value[at[0]], at[1:], new)
    return copy


def finish(name: str, records: list[Any]) -> list[Event]:
    adapter = trace_format(name).adapter()
    norm = Normalizer(source=name, clock=lambda: 1.0)
    out = [e for r in records for ev in adapter.feed(r) for e in norm.feed(ev)]
    return out + [e for ev in adapter.end() for e in norm.feed(ev)]


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_a_value_of_another_type_anywhere_never_raises(name: str) -> None:
    records = [json.loads(line) for line in FIXTURES[name].read_text().splitlines()]
    places = [(i, at) for i, data in enumerate(records) for at in paths(data)]
    rng = random.Random(f"{name} shapes")
    for i, at in rng.sample(places, min(300, len(places))):
        odd = rng.choice(ODD)
        mutated = [*records[:i], replaced(records[i], at, odd), *records[i + 1 :]]
        events = finish(name, mutated)
        assert isinstance(events[-1], RunEnd), (i, at, odd)
        Transcript.from_events(events)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_the_sub_agents_are_looked_for_whatever_the_records_hold(name: str, tmp_path: Path) -> None:
    """The readers that find a session's sub-agents read its records too (the calls that
    name them): a value of another type there never raises either."""
    main = FIXTURES[name]
    root = {"claude-code": CLAUDE, "codex": main.parent, "gemini-cli": main.parent}[name]
    lines = main.read_text().splitlines()
    records = [json.loads(line) for line in lines]
    places = [(i, at) for i, data in enumerate(records) for at in paths(data)]
    rng = random.Random(f"{name} files")
    for n, (i, at) in enumerate(rng.sample(places, 40)):
        copy = tmp_path / str(n) / root.name
        shutil.copytree(root, copy)
        odd = json.dumps(replaced(records[i], at, rng.choice(ODD)))
        (copy / main.relative_to(root)).write_text("\n".join([*lines[:i], odd, *lines[i + 1 :]]))
        _, state = run_of(copy / main.relative_to(root), name)
        assert state["status"] in ("completed", "error", "cancelled"), (i, at)


def test_claude_code_sub_agents_of_earlier_versions_beside_the_session(tmp_path: Path) -> None:
    """Before 2.1 a sub-agent's file was ``agent-<id>.jsonl`` in the project's folder, with no
    meta file: the call is the one whose result names the ``agentId``."""
    project = tmp_path / CLAUDE.name
    project.mkdir()
    shutil.copy(CLAUDE_SESSION, project)
    shutil.copy(CLAUDE_AGENT, project)
    _, state = run_of(project / CLAUDE_SESSION.name)
    assert [r[6] for r in tools(state)] == [None, None, None, "toolu_main_agent"]
    assert state["usage"]["input_tokens"] == 68524


def claude(kind: str, ts: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "timestamp": f"2026-01-01T00:00:{ts}Z", "sessionId": "s", **fields}


def test_an_interrupted_claude_code_answer_ends_cancelled() -> None:
    records = [
        claude("user", "01.000", uuid="u1", message={"role": "user", "content": "go"}),
        claude(
            "assistant",
            "02.000",
            uuid="a1",
            message={"id": "m1", "content": [{"type": "text", "text": "Start"}]},
        ),
        claude(
            "user",
            "03.500",
            uuid="u2",
            message={"content": [{"type": "text", "text": "[Request interrupted by user]"}]},
        ),
    ]
    _, state = run_of(records, "claude-code")
    assert (state["status"], state["end_reason"]) == ("cancelled", "cancelled")
    assert round(state["ended_at"] - state["started_at"], 3) == 2.5


def codex(kind: str, ts: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"timestamp": f"2026-01-01T00:00:{ts}Z", "type": kind, "payload": payload}


def test_an_aborted_codex_turn_ends_cancelled_and_a_compaction_is_a_note() -> None:
    records = [
        codex("session_meta", "00.000", {"id": "t1"}),
        codex("event_msg", "00.100", {"type": "task_started", "turn_id": "turn1"}),
        codex("event_msg", "00.200", {"type": "user_message", "message": "go"}),
        codex("compacted", "00.300", {"message": "the summary"}),
        codex("event_msg", "01.000", {"type": "turn_aborted", "reason": "interrupted"}),
    ]
    events = events_of(records, "codex")
    end = events[-1]
    assert isinstance(end, RunEnd)
    assert (end.reason, end.message) == ("cancelled", "the turn was aborted (interrupted)")
    state = Transcript.from_events(events).to_dict()
    notes = [(b["kind"], b["text"]) for b in state["blocks"] if b["type"] == "note"]
    assert notes == [("compaction", "the summary"), ("notice", "interrupted")]


def test_a_gemini_chat_cut_before_its_answer_ends_incomplete() -> None:
    lines = [json.loads(line) for line in GEMINI_SESSION.read_text().splitlines()[:8]]
    _, state = run_of(lines, "gemini-cli")
    assert (state["status"], state["end_reason"]) == ("error", "incomplete")
    assert [r[3] for r in tools(state)] == ["done"]
