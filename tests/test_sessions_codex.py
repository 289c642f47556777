"""OpenAI Codex CLI's rollouts (tests/fixtures/traces/codex, written by Codex CLI 0.169.0 against
a scripted Responses API) read as a run: the prompt, reasoning summaries, text, every call with
its arguments and result or error, the sub-agent's own rollout in the spawn_agent call that
started it, usage from the token_count totals, durations to the millisecond. Kernel-free."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

from nbagent.sources.recording import Player
from tests.session_harness import (
    CODEX_CHILD,
    CODEX_DAY,
    CODEX_MAIN,
    blocks,
    events_of,
    head,
    in_order_per_scope,
    run_of,
    steps,
    tools,
    users,
)

THREAD = "01a2256a-cf57-7551-8ce8-02ce81ed487c"
CHILD = "01a2256a-d30a-73d2-8de5-8ce2f8e5a8a3"
TURN = "01a2256a-cf6f-7c73-9f9f-3c66e38148a3"
CHILD_TURN = "01a2256a-d310-71e2-af7f-cf0700918320"
SUMMARY = "notes.txt is a short to-do list: buy milk, call the plumber, water the plants."


def output(code: int, chunk: str, tokens: int, text: str) -> str:
    return (
        f"Chunk ID: {chunk}\nWall time: 0.0000 seconds\nProcess exited with code {code}\n"
        f"Original token count: {tokens}\nOutput:\n{text}"
    )


def test_the_rollout_reads_as_the_run_it_was() -> None:
    transcript, state = run_of(CODEX_MAIN)
    assert head(state) == (THREAD, "scripted-model", "completed", "completed")
    assert users(state) == [
        (
            "How many lines does notes.txt have? Show todo.txt too, and spawn a sub-agent to "
            "summarise notes.txt.",
            None,
        ),
        ("Summarise notes.txt in one sentence.", "call_spawn"),
    ]
    assert [(b["id"], b["text"]) for b in blocks(state, "thinking")] == [
        ("rs_count", "Counting the lines: `wc -l` answers that."),
        ("rs_answer", "I have the count, the failed cat and the sub-agent's summary."),
    ]
    assert [(b["id"], b.get("parent")) for b in blocks(state, "text")] == [
        ("msg_count", None),
        ("msg_sub_answer", "call_spawn"),
        ("msg_answer", None),
    ]
    assert blocks(state, "text")[1]["text"] == SUMMARY
    answer = json.loads(CODEX_MAIN.read_text().splitlines()[38])["payload"]["content"][0]["text"]
    assert transcript.text == "Let me count the lines first.\n\n" + answer


def test_every_call_with_its_arguments_result_or_error_and_duration() -> None:
    _, state = run_of(CODEX_MAIN)
    spawned = json.dumps({"agent_id": CHILD, "nickname": "Lovelace"}, separators=(",", ":"))
    waited = {"status": {CHILD: {"completed": SUMMARY}}, "timed_out": False}
    assert tools(state) == [
        (
            "call_wc",
            "exec_command",
            {"cmd": "wc -l notes.txt"},
            "done",
            output(0, "cd73db", 3, "3 notes.txt\n"),
            False,
            None,
            129,
        ),
        (
            "call_cat",
            "exec_command",
            {"cmd": "cat todo.txt"},
            "error",
            output(1, "420257", 11, "cat: todo.txt: No such file or directory\n"),
            True,
            None,
            130,
        ),
        (
            "call_spawn",
            "spawn_agent",
            {"message": "Summarise notes.txt in one sentence."},
            "done",
            spawned,
            False,
            None,
            39,
        ),
        (
            "call_sub_cat",
            "exec_command",
            {"cmd": "cat notes.txt"},
            "done",
            output(0, "d9777c", 11, "buy milk\ncall the plumber\nwater the plants\n"),
            False,
            "call_spawn",
            269,
        ),
        (
            "call_wait",
            "wait_agent",
            {"targets": [CHILD], "timeout_ms": 60000},
            "done",
            json.dumps(waited, separators=(",", ":")),
            False,
            None,
            1094,
        ),
    ]


def test_usage_is_the_token_count_totals_step_by_step() -> None:
    _, state = run_of(CODEX_MAIN)
    assert steps(state) == [
        (f"{TURN}:step1", None, 54, 416, 10107, 23),
        (f"{TURN}:step2", None, 547, 642, 10297, 10),
        (f"{TURN}:step3", None, 773, 870, 10406, 10),
        (f"{CHILD_TURN}:step1", "call_spawn", 910, 1075, 7634, 10),
        (f"{TURN}:step4", None, 911, 1078, 10513, 10),
        (f"{CHILD_TURN}:step2", "call_spawn", 1347, 2136, 7747, 14),
        (f"{TURN}:step5", None, 2173, 3006, 10737, 43),
    ]
    # The main thread's last total_token_usage (52060 in, 96 out) and the sub-agent's (15381, 24).
    usage = state["usage"]
    assert (usage["input_tokens"], usage["output_tokens"], usage["total_tokens"]) == (
        67441,
        120,
        67561,
    )
    spawn = next(b for b in blocks(state, "tool") if b["id"] == "call_spawn")
    assert (spawn["usage"]["input_tokens"], spawn["usage"]["output_tokens"]) == (15381, 24)
    assert round((state["ended_at"] - state["started_at"]) * 1000) == 3052


def test_each_thread_starts_its_events_in_time_order() -> None:
    events = events_of(CODEX_MAIN)
    assert in_order_per_scope(events)
    assert round(events[0].ts, 3) == 1795924086.688


def test_replayed_at_its_pace_it_takes_the_time_it_took() -> None:
    """The sub-agent ran beside its parent's ``wait_agent``: some of its events come before
    an earlier-stamped one of the other thread. Such an event waits nothing, and the next wait
    counts from the latest time played: the waits add up to the run's 3.052 s."""
    events = events_of(CODEX_MAIN)
    assert min(b.ts - a.ts for a, b in itertools.pairwise(events)) < -0.1
    waits: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    player = Player(events, speed=1, keep_times=True, clock=lambda: now[0], sleep=sleep)
    assert len(list(player)) == len(events)
    assert min(waits) > 0
    assert round(sum(waits) * 1000) == 3052


def copy_day(tmp_path: Path) -> Path:
    target = tmp_path / "sessions" / "2026" / "11" / "29"
    shutil.copytree(CODEX_DAY, target)
    return target


def test_a_child_rollout_in_another_days_folder_is_found(tmp_path: Path) -> None:
    day = copy_day(tmp_path)
    later = tmp_path / "sessions" / "2026" / "11" / "30"
    later.mkdir(parents=True)
    (day / CODEX_CHILD.name).rename(later / CODEX_CHILD.name)
    _, state = run_of(day / CODEX_MAIN.name)
    assert [r[0] for r in tools(state) if r[6] == "call_spawn"] == ["call_sub_cat"]


def test_a_corrupt_line_ends_the_run_naming_it(tmp_path: Path) -> None:
    main = copy_day(tmp_path) / CODEX_MAIN.name
    lines = main.read_text().splitlines(keepends=True)
    lines[18] = "{not json\n"  # the cat call
    main.write_text("".join(lines))
    _, state = run_of(main)
    assert state["status"] == "error"
    assert state["error"]["message"] == (
        f"{main}, line 19: not JSON: Expecting property name enclosed in double quotes"
    )
    assert [r[0] for r in tools(state)] == ["call_wc"]
    assert tools(state)[0][3] == "done"


def test_an_unknown_record_type_is_a_step_of_its_name(tmp_path: Path) -> None:
    main = copy_day(tmp_path) / CODEX_MAIN.name
    lines = main.read_text().splitlines(keepends=True)
    new = {"timestamp": "2026-11-29T03:48:07.300Z", "type": "brand_new", "payload": {"x": 1}}
    event = {
        "timestamp": "2026-11-29T03:48:07.301Z",
        "type": "event_msg",
        "payload": {"type": "odd"},
    }
    lines[18:18] = [json.dumps(new) + "\n", json.dumps(event) + "\n"]
    main.write_text("".join(lines))
    _, state = run_of(main)
    named = [
        (s["name"], round(s["started_at"], 3)) for s in state["steps"] if s.get("type") == "node"
    ]
    assert named == [("brand_new", 1795924087.3), ("event_msg:odd", 1795924087.301)]
    assert state["status"] == "completed"
    assert len(tools(state)) == 5
