"""Claude Code's session files (tests/fixtures/traces/claude-code, written by Claude Code 2.1.328
against a scripted Messages API) read as a run: the prompt, thinking, text, every tool call
with its arguments and result or error, the sub-agent in the Agent call that started it, usage
counted once per message, durations to the millisecond from the records' times, the file's ids.
Kernel-free."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.session_harness import (
    CLAUDE,
    CLAUDE_AGENT,
    CLAUDE_SESSION,
    blocks,
    events_of,
    head,
    in_order_per_scope,
    run_of,
    steps,
    tools,
    users,
)

PROMPT = (
    "How many lines does notes.txt have? Check todo.txt too, and have a sub-agent summarise "
    "notes.txt."
)
SESSION = "26d9261f-da35-424a-9a45-b10e1d122e3a"
CWD = "/tmp/nbagent-trace-claude-cg_mssvv/project"
SUMMARY = "notes.txt is a short to-do list: buy milk, call the plumber, water the plants."


def test_the_session_reads_as_the_run_it_was() -> None:
    transcript, state = run_of(CLAUDE_SESSION)
    assert head(state) == (SESSION, "claude-opus-5-5", "completed", "completed")
    assert state["error"] is None
    assert users(state) == [
        (PROMPT, None),
        ("Summarise notes.txt in one sentence.", "toolu_main_agent"),
    ]
    assert [b["text"] for b in blocks(state, "thinking")] == [
        "The user asks for a line count: wc -l answers that.",
        "Now todo.txt, which may not exist.",
        "I have the count, the missing file's error and the summary.",
    ]
    texts = [(b["id"], b.get("parent")) for b in blocks(state, "text")]
    assert texts == [
        ("msg_scripted_12561:text1", None),
        ("msg_scripted_8932:text1", "toolu_main_agent"),
        ("msg_scripted_13105:text1", None),
    ]
    assert blocks(state, "text")[1]["text"] == SUMMARY
    assert transcript.text.startswith("Let me count the lines first.\n\n`wc -l` says: 3 notes.txt.")
    answer = json.loads(CLAUDE_SESSION.read_text().splitlines()[38])["message"]["content"][0][
        "text"
    ]
    assert transcript.text.endswith(answer)


def test_every_tool_call_with_its_arguments_result_or_error_and_duration() -> None:
    _, state = run_of(CLAUDE_SESSION)
    bash = {"command": "wc -l notes.txt", "description": "Count lines in notes.txt"}
    agent = {
        "description": "Summarise the notes",
        "prompt": "Summarise notes.txt in one sentence.",
        "subagent_type": "general-purpose",
        "run_in_background": False,
    }
    missing = f"File does not exist. Note: your current working directory is {CWD}."
    notes = "1\tbuy milk\n2\tcall the plumber\n3\twater the plants\n4\t"
    rows = tools(state)
    assert [r[:2] for r in rows] == [
        ("toolu_main_bash", "Bash"),
        ("toolu_main_read", "Read"),
        ("toolu_main_agent", "Agent"),
        ("toolu_sub_read", "Read"),
    ]
    assert rows[0] == ("toolu_main_bash", "Bash", bash, "done", "3 notes.txt", False, None, 77)
    assert rows[1] == (
        "toolu_main_read",
        "Read",
        {"file_path": f"{CWD}/todo.txt"},
        "error",
        missing,
        True,
        None,
        88,
    )
    assert rows[2][2:4] == (agent, "done")
    assert rows[2][5:] == (False, None, 1561)
    assert SUMMARY in rows[2][4]
    assert rows[3] == (
        "toolu_sub_read",
        "Read",
        {"file_path": f"{CWD}/notes.txt"},
        "done",
        notes,
        False,
        "toolu_main_agent",
        151,
    )


def test_usage_counts_each_message_once_and_the_sub_agent_in_its_call() -> None:
    _, state = run_of(CLAUDE_SESSION)
    # Each message's usage is on each of its content records (3, 2, 1, 1, 1, 2 records).
    assert steps(state) == [
        ("msg_scripted_12561", None, 441, 806, 12561, 27),
        ("msg_scripted_12684", None, 1017, 1181, 12684, 16),
        ("msg_scripted_12816", None, 1288, 1368, 12816, 10),
        ("msg_scripted_8426", "toolu_main_agent", 1574, 1660, 8426, 10),
        ("msg_scripted_8932", "toolu_main_agent", 2087, 2715, 8932, 14),
        ("msg_scripted_13105", None, 3062, 4569, 13105, 69),
    ]
    # The CLI's own totals (cost-state's modelUsage): 68524 in, 146 out.
    assert state["usage"]["input_tokens"] == 68524
    assert state["usage"]["output_tokens"] == 146
    agent = next(b for b in blocks(state, "tool") if b["id"] == "toolu_main_agent")
    assert (agent["usage"]["input_tokens"], agent["usage"]["output_tokens"]) == (17358, 24)
    assert round((state["ended_at"] - state["started_at"]) * 1000) == 4569
    assert [s["finish_reason"] for s in state["steps"]] == ["tool_calls"] * 4 + ["completed"] * 2


def test_events_start_in_time_order_each_at_its_records_time() -> None:
    events = events_of(CLAUDE_SESSION)
    assert in_order_per_scope(events)
    assert [e.ts for e in events] == sorted(e.ts for e in events)
    first = events[0]
    assert (first.kind, round(first.ts, 3)) == ("run_start", 1795924080.425)


def copy_session(tmp_path: Path) -> Path:
    """The fixture's project folder in ``tmp_path`` (the session, its sub-agent beside it)."""
    target = tmp_path / CLAUDE.name
    shutil.copytree(CLAUDE, target)
    return target / CLAUDE_SESSION.name


def test_a_corrupt_line_ends_the_run_naming_it_after_what_came_before(tmp_path: Path) -> None:
    session = copy_session(tmp_path)
    lines = session.read_text().splitlines(keepends=True)
    lines[30] = lines[30][:50] + "\n"  # the Read call's record, cut
    session.write_text("".join(lines))
    _, state = run_of(session)
    assert (state["status"], state["end_reason"]) == ("error", "error")
    assert state["error"]["message"].startswith(f"{session}, line 31: not JSON: ")
    assert [r[0] for r in tools(state)] == ["toolu_main_bash"]
    assert len(blocks(state, "thinking")) == 2


def test_a_corrupt_line_of_the_sub_agent_names_its_file(tmp_path: Path) -> None:
    session = copy_session(tmp_path)
    agent = session.parent / CLAUDE_AGENT.relative_to(CLAUDE)
    lines = agent.read_text().splitlines(keepends=True)
    agent.write_text("".join(lines[:19]) + lines[19][:80])  # its last line cut short
    _, state = run_of(session)
    assert state["error"]["message"].startswith(f"{agent}, line 20: not JSON: ")
    assert state["error"]["message"].endswith("(the last line is cut short)")
    assert [r[0] for r in tools(state)] == [
        "toolu_main_bash",
        "toolu_main_read",
        "toolu_main_agent",
        "toolu_sub_read",
    ]
    assert [b["state"] for b in blocks(state, "tool")][-1] == "done"


def test_an_unknown_record_is_a_step_of_its_name_at_its_time(tmp_path: Path) -> None:
    session = copy_session(tmp_path)
    lines = session.read_text().splitlines(keepends=True)
    new = {"type": "brand-new", "timestamp": "2026-11-29T03:48:01.500Z", "sessionId": SESSION}
    lines.insert(29, json.dumps(new) + "\n")
    session.write_text("".join(lines))
    _, state = run_of(session)
    assert state["status"] == "completed"
    step = next(s for s in state["steps"] if s["name"] == "brand-new")
    assert (step["id"], step["type"], round(step["started_at"], 3)) == (
        "brand-new:step1",
        "node",
        1795924081.5,
    )
    assert len(tools(state)) == 4


def test_the_cli_bookkeeping_is_skipped_quietly() -> None:
    _, state = run_of(CLAUDE_SESSION)
    assert {s["name"] for s in state["steps"]} == {"model"}
    assert not state["warnings"]
    assert not blocks(state, "note")
