"""The acp adapter: session/update fixtures through adapter → Normalizer → Transcript, item
forms, detection, tool calls out of order, the end of a turn, robustness."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbagent.adapters import detect_format
from nbagent.adapters.acp import STOP_REASONS, AcpAdapter
from nbagent.adapters.acp.content import DIFF_LINES, block_text, diff_text, tool_content_text
from nbagent.adapters.base import ServerSentEvent
from nbagent.core.events import (
    Custom,
    Event,
    NbagentError,
    RunEnd,
    RunStart,
    State,
    Status,
    ToolCallStart,
    ToolResult,
    Usage,
)
from nbagent.transcript.transcript import Transcript
from tests.adapter_harness import fixture_items, fixture_lines, tool_rows, transcript_of

FIXTURES = Path(__file__).parent / "fixtures" / "acp"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.jsonl"))
OTHERS = [
    p for p in (Path(__file__).parent / "fixtures").glob("*/*.jsonl") if p.parent.name != "acp"
]


lines = fixture_lines


def items(name: str) -> list[Any]:
    return fixture_items(FIXTURES / f"{name}.jsonl")


def run(items_: list[Any]) -> tuple[Transcript, list[Event]]:
    return transcript_of(AcpAdapter(), items_)


def summary(t: Transcript, events: list[Event]) -> dict[str, Any]:
    state = t.to_dict()
    tools = tool_rows(state)
    return {
        "text": t.text,
        "thinking": t.thinking,
        "tools": tools,
        "usage": {k: v for k, v in state["usage"].items() if v is not None},
        "cost_usd": state.get("cost_usd"),
        "status": state["status"],
        "end_reason": state["end_reason"],
        "error_message": (state["error"] or {}).get("message"),
        "blocks": [b["type"] for b in state["blocks"]],
        "custom": [e.name for e in events if isinstance(e, Custom)],
        "state": [e.activity_type for e in events if isinstance(e, State)],
        "notes": [
            [b["kind"], b["level"], b["title"], b["text"], b.get("status")]
            for b in state["blocks"]
            if b["type"] == "note"
        ],
        "warnings": [w["message"] for w in state["warnings"]],
        "tool_meta": [b.get("meta") for b in state["blocks"] if b["type"] == "tool"],
    }


@pytest.mark.parametrize("name", NAMES)
def test_fixture(name: str) -> None:
    want = json.loads((FIXTURES / f"{name}.expected.json").read_text())
    got = summary(*run(items(name)))
    assert {k: got[k] for k in want} == want


def strip(state: dict[str, Any]) -> dict[str, Any]:
    for key in ("started_at", "first_token_at", "ended_at", "run_id"):
        state.pop(key, None)
    return state


@pytest.mark.parametrize("name", NAMES)
def test_item_forms_agree(name: str) -> None:
    """Dicts, JSON strings, ServerSentEvents, JSON-RPC envelopes and bare ones agree."""
    raw = lines(FIXTURES / f"{name}.jsonl")
    base = strip(run(items(name))[0].to_dict())
    rpc = [
        {"jsonrpc": "2.0", "method": "session/update", "params": it}
        if "update" in it
        else {"jsonrpc": "2.0", "id": 1, "result": it}
        if "stopReason" in it
        else it
        for it in items(name)
    ]
    bare = [it.get("params", it.get("result", it)) for it in items(name)]
    for form in (raw, [ServerSentEvent(data=ln) for ln in raw], rpc, bare):
        assert strip(run(list(form))[0].to_dict()) == base


def test_detect() -> None:
    for name in NAMES:
        first = lines(FIXTURES / f"{name}.jsonl")[0]
        assert AcpAdapter.detect(first)
        assert AcpAdapter.detect(json.loads(first))
        assert AcpAdapter.detect(ServerSentEvent(data=first))
        assert detect_format(json.loads(first)) == "acp"
    for path in OTHERS:
        for ln in lines(path)[:3]:
            assert not AcpAdapter.detect(ln), (path, ln)
    others: list[Any] = [
        "hello",
        "",
        b"\xff",
        None,
        42,
        [1],
        {"update": {"sessionUpdate": 1}},
        {"update": "agent_message_chunk"},
        {"stopReason": "end_turn"},  # a turn's end is no stream's first item
        {"jsonrpc": "2.0", "id": 1, "result": {"choices": []}},
        ServerSentEvent(data="not json"),
        object(),
    ]
    for item in others:
        assert not AcpAdapter.detect(item), item


def test_run_start_and_end() -> None:
    _, events = run(items("edit_turn"))
    start = next(e for e in events if isinstance(e, RunStart))
    assert start.thread_id == "sess_1"
    end = events[-1]
    assert isinstance(end, RunEnd)
    assert (end.reason, end.raw_reason) == ("completed", "end_turn")
    context = next(e for e in events if isinstance(e, Usage) and e.meta)
    assert context.meta == {"context_used": 53000, "context_size": 200000, "cost_scope": "session"}
    assert context.cost_usd == 0.045


@pytest.mark.parametrize(
    ("stop", "reason", "status"),
    [
        ("end_turn", "completed", "completed"),
        ("max_tokens", "max_tokens", "completed"),
        ("max_turn_requests", "max_steps", "completed"),
        ("refusal", "refusal", "completed"),
        ("cancelled", "cancelled", "cancelled"),
        ("brand_new", "unknown", "completed"),
    ],
)
def test_stop_reasons(stop: str, reason: str, status: str) -> None:
    t, events = run([items("edit_turn")[0], {"stopReason": stop}])
    end = events[-1]
    assert isinstance(end, RunEnd)
    assert (end.reason, end.raw_reason) == (reason, stop)
    assert t.to_dict()["status"] == status
    assert set(STOP_REASONS) == {
        "end_turn",
        "max_tokens",
        "max_turn_requests",
        "refusal",
        "cancelled",
    }


def test_tool_calls_out_of_order_land_in_one_panel() -> None:
    t, events = run(items("out_of_order"))
    starts = [e for e in events if isinstance(e, ToolCallStart)]
    assert [s.tool_call_id for s in starts] == ["call_9", "call_10"]
    assert starts[0].executor == "agent"
    tools = [b for b in t.to_dict()["blocks"] if b["type"] == "tool"]
    assert tools[0]["args"] == {"path": "/home/ada/proj/data/sales.csv"}  # the late announce's
    assert (tools[1]["name"], tools[1]["state"], tools[1]["is_error"]) == ("tool", "error", True)


def test_tool_content_is_live_then_final() -> None:
    _, events = run(items("edit_turn"))
    results = [e for e in events if isinstance(e, ToolResult) and e.tool_call_id == "toolu_02"]
    assert [(r.content, r.preliminary) for r in results] == [
        ("[terminal: term_7]", True),
        ("3 passed", False),
    ]
    assert results[-1].meta is not None
    assert results[-1].meta["raw_output"] == {"exit_code": 0}
    edit = next(e for e in events if isinstance(e, ToolResult) and e.tool_call_id == "toolu_01")
    assert edit.meta is not None
    assert edit.meta["locations"] == ["/home/ada/proj/clean.py:3"]
    statuses = [e for e in events if isinstance(e, Status)]
    assert statuses[0].text == "Edit /home/ada/proj/clean.py"
    assert statuses[0].tool_call_id == "toolu_01"


def test_pending_call_keeps_its_arguments_open_until_it_runs() -> None:
    adapter = AcpAdapter()
    call = {"sessionUpdate": "tool_call", "toolCallId": "c", "title": "Edit"}
    note = {"sessionId": "s", "update": call | {"status": "pending", "rawInput": {}}}
    assert [e.kind for e in adapter.feed(note)] == ["run_start", "tool_call_start"]
    more = {"sessionUpdate": "tool_call_update", "toolCallId": "c", "rawInput": {"a": 1}}
    assert [e.kind for e in adapter.feed({"sessionId": "s", "update": more})] == []
    going = {"sessionUpdate": "tool_call_update", "toolCallId": "c", "status": "in_progress"}
    evs = adapter.feed({"sessionId": "s", "update": going})
    assert [e.kind for e in evs] == ["tool_call_end", "status"]


def test_messages_split_on_message_id_and_channel() -> None:
    t, _ = run(items("plan_and_quiet"))
    texts = [b["text"] for b in t.to_dict()["blocks"] if b["type"] == "text"]
    assert texts == ["Here is the plot:", "[image: image/png]"]
    chunk = {"sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": "a"}}
    think = {"sessionUpdate": "agent_thought_chunk", "content": {"type": "text", "text": "t"}}
    t, _ = run([{"update": u} for u in (chunk, think, chunk)] + [{"stopReason": "end_turn"}])
    assert [b["type"] for b in t.to_dict()["blocks"]] == ["text", "thinking", "text"]


def test_user_message_plan_and_quiet_updates_are_kept() -> None:
    t, events = run(items("plan_and_quiet"))
    user = next(e for e in events if isinstance(e, Custom) and e.name == "user_message")
    assert user.value == "Plot revenue by month"
    plans = [e for e in events if isinstance(e, State) and e.activity_type == "plan"]
    assert [p.message_id for p in plans] == ["acp:plan", "acp:plan"]
    assert plans[-1].value["entries"][1]["status"] == "completed"
    # The mode, commands, title and config are the run's session, shown quietly.
    sessions = [e.value for e in events if isinstance(e, State) and e.activity_type == "session"]
    assert sessions == [
        {"commands": ["review"]},
        {"mode": "plan"},
        {"title": "Revenue plot"},
        {"config": []},
    ]
    session = {"commands": ["review"], "mode": "plan", "title": "Revenue plot", "config": []}
    assert t.to_dict()["session"] == session
    mode = next(e for e in events if isinstance(e, Custom) and e.name == "acp.current_mode_update")
    assert mode.value == {"currentModeId": "plan"}
    assert not mode.is_raw
    evs = AcpAdapter().feed({"update": {"sessionUpdate": "brand_new", "x": 1}})
    assert any(isinstance(e, Custom) and e.is_raw and e.name == "acp.brand_new" for e in evs)


def test_content_text() -> None:
    assert (
        block_text({"type": "audio", "mimeType": "audio/wav", "data": ""}) == "[audio: audio/wav]"
    )
    link = {"type": "resource_link", "name": "sales.csv", "uri": "file:///d/sales.csv"}
    assert block_text(link) == "[sales.csv](file:///d/sales.csv)"
    embedded = {"type": "resource", "resource": {"uri": "file:///a.py", "text": "x = 1"}}
    assert block_text(embedded) == "[resource: file:///a.py]\nx = 1"
    assert (
        diff_text("/p/new.py", None, "a\nb")
        == "--- /dev/null\n+++ /p/new.py\n@@ -0,0 +1,2 @@\n+a\n+b\n"
    )
    same = [{"type": "diff", "path": "/p/a.py", "oldText": "x", "newText": "x"}]
    assert tool_content_text(same) == "[no change: /p/a.py]"
    assert tool_content_text([{"type": "odd"}, 3, None]) == '[odd: {"type": "odd"}]'


def test_end_without_response_is_incomplete() -> None:
    assert AcpAdapter().end()[0].reason == "incomplete"  # type: ignore[attr-defined]
    t, _ = run(items("cut_off"))
    assert t.to_dict()["end_reason"] == "incomplete"
    adapter = AcpAdapter()
    adapter.feed(items("edit_turn")[-1])
    assert adapter.feed(items("edit_turn")[0]) == []
    assert adapter.end() == []


def test_bad_items_raise_nbagent_errors() -> None:
    adapter = AcpAdapter()
    for bad in ("{not json", "[1, 2]", 42):
        with pytest.raises(NbagentError):
            adapter.feed(bad)
    assert adapter.feed(ServerSentEvent(data="")) == []
    evs = adapter.feed({"what": "ever"})
    assert any(isinstance(e, Custom) and e.is_raw for e in evs)


ALL_ITEMS = [it for name in NAMES for it in items(name)]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(ALL_ITEMS), max_size=25))
def test_any_order_of_items_folds(picked: list[Any]) -> None:
    t, events = run(picked)
    assert isinstance(events[-1], RunEnd)
    assert t.to_dict()["status"] in ("completed", "error", "cancelled")


def test_an_edit_past_the_diff_bound_is_shown_whole_in_linear_time() -> None:
    old = "".join(f"old {i}\n" for i in range(DIFF_LINES))
    new = "".join(f"new {i}\n" for i in range(3))
    text = diff_text("/p/a.py", old, new)
    head, *lines = text.splitlines()[2:]
    assert head == f"@@ -1,{DIFF_LINES} +1,3 @@"
    assert sum(ln.startswith("-") for ln in lines) == DIFF_LINES
    assert [ln for ln in lines if ln.startswith("+")] == ["+new 0", "+new 1", "+new 2"]
    small = diff_text("/p/a.py", "a\nb\n", "a\nc\n")  # under the bound: compared line by line
    assert small.splitlines()[2:] == ["@@ -1,2 +1,2 @@", " a", "-b", "+c"]
    assert diff_text("/p/n.py", None, "x\n" * DIFF_LINES).splitlines()[2].startswith("@@ -0,0 +1,")
