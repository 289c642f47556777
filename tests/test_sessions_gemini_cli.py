"""Gemini CLI's chat files (tests/fixtures/traces/gemini-cli, written by Gemini CLI 0.61.0
against a scripted Gemini API) read as a run: the prompt, thoughts, text, every tool call with
its arguments and result or error (each message written again as it changed, read once), the
sub-agent's chat in the invoke_agent call that ran it, usage from the messages' tokens,
durations to the millisecond; and the older one-document chats (``session-*.json``), in the
shape gemini-cli's ``ConversationRecord`` had before its JSON Lines files
(packages/core/src/services/chatRecordingService.ts at f744913584^). Kernel-free."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.session_harness import (
    GEMINI_AGENT,
    GEMINI_CHATS,
    GEMINI_SESSION,
    blocks,
    events_of,
    head,
    in_order_per_scope,
    run_of,
    steps,
    tools,
    users,
)

SESSION = "e1579256-34fe-4a78-a757-35f8183479e9"
AGENT = "5f73ee02-fdfa-44ea-ae6a-624b6d90454d"
INVOKE = "invoke_agent__invoke_agent_1795924098983_0"
SHELL = "run_shell_command__run_shell_command_1795924097678_0"
READ = "read_file__read_file_1795924098700_0"
CWD = "/tmp/nbagent-trace-gemini-znum9hly/project"
SUMMARY = "notes.txt is a short to-do list: buy milk, call the plumber, water the plants."
DONE = (
    "Subagent 'generalist' finished.\nTermination Reason: GOAL\nResult:\n{\n"
    f'  "response": "{SUMMARY}"\n}}'
)
TOOLS = [
    (
        SHELL,
        "run_shell_command",
        {"command": "wc -l notes.txt", "description": "Count the lines of notes.txt"},
        "done",
        "<untrusted_context>\nOutput: 3 notes.txt\nProcess Group PGID: 879\n</untrusted_context>",
        False,
        None,
        423,
    ),
    (
        READ,
        "read_file",
        {"file_path": "todo.txt"},
        "error",
        f"File not found: {CWD}/todo.txt",
        True,
        None,
        66,
    ),
    (
        INVOKE,
        "invoke_agent",
        {"agent_name": "generalist", "prompt": "Summarise notes.txt in one sentence."},
        "done",
        DONE,
        False,
        None,
        892,
    ),
    (
        f"{AGENT}#0-0",
        "read_file",
        {"file_path": "notes.txt"},
        "done",
        "buy milk\ncall the plumber\nwater the plants\n",
        False,
        INVOKE,
        145,
    ),
    (
        f"{AGENT}#1-0",
        "complete_task",
        {"result": {"response": SUMMARY}},
        "done",
        "Output submitted and task completed.",
        False,
        INVOKE,
        75,
    ),
]
STEPS = [
    ("54cfce4b-a301-44f2-9d77-627a3b59066f", None, 152, 760, 11725, 21),
    ("ac8ced15-579c-45ef-88c4-c60ca0f91e4d", None, 1184, 1347, 11863, 21),
    ("16f72875-0144-49e5-a84a-4439e6e22bea", None, 1414, 1644, 11964, 21),
    ("a1262d08-2c4b-415f-b649-f7932ed22fe1", INVOKE, 2081, 2181, 12026, 21),
    ("19c19eec-7899-4869-a33b-bd21daace968", INVOKE, 2328, 2419, 12117, 21),
    ("802eabdd-f843-4ca3-90d4-fe6fea43c0fe", None, 2537, 2914, 12108, 21),
]


def check_run(state: dict[str, Any]) -> None:
    """What the fixture's chat holds, whichever file shape it was read from."""
    assert head(state) == (SESSION, "gemini-3.8-flash", "completed", "completed")
    assert users(state) == [
        (
            "How many lines does notes.txt have? Check todo.txt too, and have the generalist "
            "sub-agent summarise notes.txt.",
            None,
        ),
        ("Summarise notes.txt in one sentence.", INVOKE),
    ]
    assert [b["text"] for b in blocks(state, "thinking")] == [
        "**Counting lines**\n\nThe user wants a line count; wc -l gives it.",
        "**Checking todo.txt**\n\nNow todo.txt, which may not exist.",
        "**Answering**\n\nI have the count, the missing file's error and the summary.",
    ]
    assert tools(state) == TOOLS
    assert steps(state) == STEPS
    # Output: 12 candidates and 9 thoughts per message; the sub-agent's in its call too.
    usage = state["usage"]
    assert (usage["input_tokens"], usage["output_tokens"], usage["reasoning_tokens"]) == (
        71803,
        126,
        54,
    )
    assert usage["total_tokens"] == 71929
    invoke = next(b for b in blocks(state, "tool") if b["id"] == INVOKE)
    assert (invoke["usage"]["input_tokens"], invoke["usage"]["output_tokens"]) == (24143, 42)


def test_the_chat_reads_as_the_run_it_was() -> None:
    transcript, state = run_of(GEMINI_SESSION)
    check_run(state)
    answer = json.loads(GEMINI_SESSION.read_text().splitlines()[19])["content"]
    assert transcript.text == "Let me count the lines first.\n\n" + answer
    assert round((state["ended_at"] - state["started_at"]) * 1000) == 2914


def test_a_message_written_again_is_read_once_in_time_order() -> None:
    events = events_of(GEMINI_SESSION)
    assert in_order_per_scope(events)
    assert [e.ts for e in events] == sorted(e.ts for e in events)
    starts = [e for e in events if e.kind == "tool_call_start"]
    assert len(starts) == len({e.tool_call_id for e in starts}) == 5  # type: ignore[attr-defined]
    usages = [e for e in events if e.kind == "usage"]
    assert len(usages) == 6


def document(path: Path) -> dict[str, Any]:
    """A JSON Lines chat as the one document earlier versions wrote: its metadata with its
    ``$set`` updates, and its messages, each in its latest form (the CLI's own reading)."""
    meta: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for line in path.read_text().splitlines():
        record = json.loads(line)
        if "$set" in record:
            meta.update({k: v for k, v in record["$set"].items() if k != "messages"})
            for message in record["$set"].get("messages", []):
                messages[message["id"]] = message
        elif "sessionId" in record:
            meta.update(record)
        else:
            messages[record["id"]] = record
    return {**meta, "messages": list(messages.values())}


def write_documents(tmp_path: Path, *, agent_ids: bool) -> Path:
    chats = tmp_path / "chats"
    (chats / SESSION).mkdir(parents=True)
    main = document(GEMINI_SESSION)
    if not agent_ids:  # as before Gemini CLI 0.38
        for message in main["messages"]:
            for call in message.get("toolCalls", []):
                call.pop("agentId", None)
    path = chats / "session-2026-11-29T03-48-e1579256.json"
    path.write_text(json.dumps(main, indent=2))
    (chats / SESSION / f"{AGENT}.json").write_text(json.dumps(document(GEMINI_AGENT), indent=2))
    return path


def test_the_older_one_document_chat_reads_the_same(tmp_path: Path) -> None:
    transcript, state = run_of(write_documents(tmp_path, agent_ids=True))
    check_run(state)
    assert transcript.text.startswith("Let me count the lines first.\n\n")


def test_a_sub_agent_its_call_does_not_name_is_a_sub_agent_step(tmp_path: Path) -> None:
    _, state = run_of(write_documents(tmp_path, agent_ids=False))
    scope = AGENT
    scopes = {r[0]: r[6] for r in tools(state)}
    assert scopes == {
        SHELL: None,
        READ: None,
        INVOKE: None,
        f"{AGENT}#0-0": scope,
        f"{AGENT}#1-0": scope,
    }
    (agent,) = blocks(state, "agent")
    assert (agent["id"], agent["name"]) == (scope, "sub-agent")
    assert state["status"] == "completed"


def copy_chats(tmp_path: Path) -> Path:
    shutil.copytree(GEMINI_CHATS, tmp_path / "chats")
    return tmp_path / "chats" / GEMINI_SESSION.name


def test_a_corrupt_line_ends_the_run_naming_it(tmp_path: Path) -> None:
    session = copy_chats(tmp_path)
    lines = session.read_text().splitlines(keepends=True)
    lines[11] = lines[11][:-40] + "\n"  # the read_file call with its result, cut
    session.write_text("".join(lines))
    _, state = run_of(session)
    assert state["status"] == "error"
    assert state["error"]["message"].startswith(f"{session}, line 12: not JSON: ")
    assert [r[0] for r in tools(state)] == [SHELL]
    assert len(blocks(state, "thinking")) == 2


def test_an_unknown_record_is_a_step_and_a_rewind_a_note(tmp_path: Path) -> None:
    session = copy_chats(tmp_path)
    lines = session.read_text().splitlines(keepends=True)
    new = {"id": "x1", "timestamp": "2026-11-29T03:48:20.300Z", "type": "brand-new"}
    rewind = {"$rewindTo": "802eabdd-f843-4ca3-90d4-fe6fea43c0fe"}
    lines += [json.dumps(new) + "\n", json.dumps(rewind) + "\n"]
    session.write_text("".join(lines))
    _, state = run_of(session)
    (note,) = blocks(state, "note")
    assert note["title"] == "Rewound"
    assert "802eabdd-f843-4ca3-90d4-fe6fea43c0fe" in note["text"]
    assert tools(state) == TOOLS
    (step,) = [s for s in state["steps"] if s["name"] == "brand-new"]
    assert (step["id"], round(step["started_at"], 3)) == ("x1", 1795924100.3)
