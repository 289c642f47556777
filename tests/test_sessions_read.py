"""Reading coding agents' session files (``nbagent.sources.sessions``): each format told from
its first records by their content, the sources a session can be given as (a path, a file
object, bytes, parsed records), the formats' list as the run's loader registers it, and no
socket opened. The formats themselves: test_sessions_claude_code.py, _codex.py,
_gemini_cli.py. Kernel-free."""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from nbagent import iter_events
from nbagent.adapters import ADAPTERS
from nbagent.adapters.base import UnknownFormatError
from nbagent.adapters.sessions import ClaudeCodeAdapter, CodexAdapter, GeminiCliAdapter
from nbagent.pipeline.normalize import Normalizer
from nbagent.sources.sessions import SESSION_FORMATS, load, session_records
from nbagent.transcript.transcript import Transcript
from tests.session_harness import (
    CLAUDE_SESSION,
    CODEX_MAIN,
    GEMINI_SESSION,
    run_of,
    tools,
)

FIXTURES = {"claude-code": CLAUDE_SESSION, "codex": CODEX_MAIN, "gemini-cli": GEMINI_SESSION}


def test_the_formats_as_the_loader_registers_them() -> None:
    assert [(f.name, f.adapter) for f in SESSION_FORMATS] == [
        ("gemini-cli", GeminiCliAdapter),
        ("codex", CodexAdapter),
        ("claude-code", ClaudeCodeAdapter),
    ]
    for f in SESSION_FORMATS:
        assert f.adapter().name == f.name


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_each_format_is_told_by_its_first_records_alone(name: str) -> None:
    first = load(FIXTURES[name]).first()
    assert [f.name for f in SESSION_FORMATS if f.detect(first)] == [name]
    assert [f.name for f in SESSION_FORMATS if f.detect(first[:1])] == [name]


@pytest.mark.parametrize(
    "first",
    [
        [],
        [{"type": "user", "message": {"content": "hi"}}],  # no session id
        [{"type": "assistant", "session_id": "s", "parent_tool_use_id": None, "message": {}}],
        [{"resourceSpans": []}],
        [{"choices": [{"delta": {"content": "x"}}]}],
        ["text"],
    ],
)
def test_other_records_are_no_session(first: list[Any]) -> None:
    assert not any(f.detect(first) for f in SESSION_FORMATS)


def test_a_source_of_no_session_or_an_unknown_format_name_says_so(tmp_path: Path) -> None:
    other = tmp_path / "spans.jsonl"
    other.write_text(json.dumps({"resourceSpans": []}) + "\n")
    with pytest.raises(UnknownFormatError, match="not a coding agent's session file"):
        session_records(other)
    with pytest.raises(UnknownFormatError, match="unknown session format 'claude'"):
        session_records(CLAUDE_SESSION, "claude")


def test_a_file_object_opened_on_the_file_finds_the_sub_agents_beside_it() -> None:
    with CLAUDE_SESSION.open("rb") as fh:
        _, state = run_of(fh)
    assert [r[6] for r in tools(state)] == [None, None, None, "toolu_main_agent"]


def test_bytes_and_parsed_records_are_the_session_alone() -> None:
    data = CODEX_MAIN.read_bytes()
    parsed = [json.loads(line) for line in data.decode().splitlines()]
    for source in (io.BytesIO(data), data, parsed):
        _, state = run_of(source)
        assert [r[0] for r in tools(state)] == [
            "call_wc",
            "call_cat",
            "call_spawn",
            "call_wait",
        ]
        assert state["status"] == "completed"


def test_a_corrupt_line_of_bytes_is_named_by_its_line() -> None:
    data = CLAUDE_SESSION.read_bytes().splitlines(keepends=True)
    data[22] = b"{oops\n"
    _, state = run_of(b"".join(data))
    assert state["error"]["message"].startswith("<stream>, line 23: not JSON: ")
    assert [r[0] for r in tools(state)] == []


def test_an_empty_session_ends_incomplete() -> None:
    (found, records) = session_records(b"", "codex")
    adapter = found.adapter()
    norm = Normalizer(source=found.name, clock=lambda: 5.0)
    events = [e for r in records for ev in adapter.feed(r) for e in norm.feed(ev)]
    events += [e for ev in adapter.end() for e in norm.feed(ev)]
    assert [e.kind for e in events] == ["run_start", "run_end"]
    assert events[-1].reason == "incomplete"  # type: ignore[attr-defined]


def test_no_socket_is_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a session file's reader opened a socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for path in FIXTURES.values():
        _, state = run_of(path)
        assert state["status"] == "completed"


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_through_the_pipeline_as_a_registered_format(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Registered as a format (``ADAPTERS``), a session's records go through
    ``nbagent.iter_events`` as any source's: the same run, every event at its record's time."""
    found, records = session_records(FIXTURES[name])
    monkeypatch.setitem(ADAPTERS, found.name, found.adapter)
    assert found.adapter.detect(load(FIXTURES[name]).records[0])
    events = list(iter_events(records, format=found.name, clock=refuse_clock))
    state = Transcript.from_events(events).to_dict()
    _, alone = run_of(FIXTURES[name])
    assert state == alone


def refuse_clock() -> float:
    raise AssertionError("a session's event took the clock")
