"""Coding agents' session files opened with ``nbagent.load_trace``: their formats as entries of
its registry, each told from its first records by their content, the sources a session can be
given as (a path, a file object, bytes, parsed records), every event at its record's time, and
no socket opened. The formats themselves: test_sessions_claude_code.py, _codex.py,
_gemini_cli.py; told apart from the other formats: test_traces_load.py. Kernel-free."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

import nbagent
from nbagent.adapters.sessions import ClaudeCodeAdapter, CodexAdapter, GeminiCliAdapter
from nbagent.sources.sessions import CLAUDE_CODE, CODEX, GEMINI_CLI
from nbagent.sources.trace_formats import FORMATS, first_documents, trace_format
from nbagent.sources.trace_input import open_trace
from tests.session_harness import (
    CLAUDE_SESSION,
    CODEX_MAIN,
    GEMINI_SESSION,
    events_of,
    run_of,
    tools,
)
from tests.traces import no_sockets

FIXTURES = {"claude-code": CLAUDE_SESSION, "codex": CODEX_MAIN, "gemini-cli": GEMINI_SESSION}
SESSIONS = (GEMINI_CLI, CODEX, CLAUDE_CODE)


def test_the_formats_are_entries_of_load_traces_registry() -> None:
    assert [(f.name, f.adapter) for f in FORMATS if f in SESSIONS] == [
        ("gemini-cli", GeminiCliAdapter),
        ("codex", CodexAdapter),
        ("claude-code", ClaudeCodeAdapter),
    ]
    for f in SESSIONS:
        assert trace_format(f.name) is f
        assert f.adapter().name == f.name


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_each_format_is_told_by_its_first_records_alone(name: str) -> None:
    first = first_documents(open_trace(FIXTURES[name]))
    assert [f.name for f in FORMATS if f.detect(first)] == [name]
    assert [f.name for f in FORMATS if f.detect(first[:1])] == [name]
    parsed = [json.loads(line) for line in FIXTURES[name].read_text().splitlines()[:3]]
    assert [f.name for f in FORMATS if f.detect([parsed])] == [name]  # records as data


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
    assert not any(f.detect(first) for f in SESSIONS)


def test_a_format_name_it_does_not_know_says_which_it_does() -> None:
    with pytest.raises(nbagent.UnknownFormatError, match="no trace format 'claude': one of"):
        nbagent.load_trace(CLAUDE_SESSION, "claude")


def test_a_file_object_opened_on_the_file_finds_the_sub_agents_beside_it() -> None:
    with CLAUDE_SESSION.open("rb") as fh:
        run = nbagent.load_trace(fh)
    assert (run.trace_format, run.trace_file) == ("claude-code", str(CLAUDE_SESSION))
    state = run.wait(60).to_dict()
    assert [r[6] for r in tools(state)] == [None, None, None, "toolu_main_agent"]


def test_bytes_and_parsed_records_are_the_session_alone() -> None:
    data = CODEX_MAIN.read_bytes()
    parsed = [json.loads(line) for line in data.decode().splitlines()]
    for source in (io.BytesIO(data), io.StringIO(data.decode()), data, parsed):
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
    assert state["error"]["message"].startswith("<data>, line 23: not JSON: ")
    assert [r[0] for r in tools(state)] == []


def test_an_empty_session_ends_incomplete() -> None:
    events = events_of(b"", "codex")
    assert [e.kind for e in events] == ["run_start", "run_end"]
    assert events[-1].reason == "incomplete"  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_event_has_its_records_time(name: str) -> None:
    """The adapter stamps each event with the time of the record it came of: the run read
    back has the times it had, none taken from the clock."""
    fmt = trace_format(name)
    adapter = fmt.adapter()
    records = list(fmt.read(open_trace(FIXTURES[name])))
    events = [ev for r in records for ev in adapter.feed(r.item)] + adapter.end()
    assert len({r.file for r in records}) == 2  # the session's file and its sub-agent's
    assert [ev for ev in events if not ev.ts] == []


def test_no_socket_is_opened() -> None:
    with no_sockets() as tried:
        for path in FIXTURES.values():
            run = nbagent.load_trace(path)
            assert run.wait(60).status == "completed"
            assert nbagent.replay(run, speed=0).wait(60).status == "completed"
    assert tried == []
