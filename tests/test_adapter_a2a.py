"""The a2a adapter: v0.3 and v1.0 stream fixtures through adapter → Normalizer →
Transcript, item forms, detection, robustness."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbagent.adapters.a2a import A2aAdapter, normalize_state
from nbagent.adapters.base import ServerSentEvent
from nbagent.core.events import Custom, Event, NbagentError, RunEnd, RunStart, Status, TextDelta
from nbagent.transcript.transcript import Transcript
from tests.adapter_harness import fixture_items, fixture_lines, tool_rows, transcript_of

FIXTURES = Path(__file__).parent / "fixtures" / "a2a"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.jsonl"))
OTHER = Path(__file__).parent / "fixtures" / "openai-chat"


lines = fixture_lines


def items(name: str) -> list[Any]:
    return fixture_items(FIXTURES / f"{name}.jsonl")


def run(items_: list[Any]) -> tuple[Transcript, list[Event]]:
    return transcript_of(A2aAdapter(), items_)


def summary(t: Transcript, events: list[Event]) -> dict[str, Any]:
    state = t.to_dict()
    tools = tool_rows(state)
    return {
        "run_id": state["run_id"],
        "text": t.text,
        "thinking": t.thinking,
        "tools": tools,
        "usage": state["usage"],
        "status": state["status"],
        "end_reason": state["end_reason"],
        "steps": len(state["steps"]),
        "activity": state["activity"],
        "error_message": (state["error"] or {}).get("message"),
        "error_code": (state["error"] or {}).get("code"),
        "blocks": sum(b["type"] == "text" for b in state["blocks"]),
        "warnings": len(state["warnings"]),
        "custom": [e.name for e in events if isinstance(e, Custom)],
        "notes": [
            [b["kind"], b["level"], b["title"], b["text"]]
            for b in state["blocks"]
            if b["type"] == "note"
        ],
    }


@pytest.mark.parametrize("name", NAMES)
def test_fixture(name: str) -> None:
    want = json.loads((FIXTURES / f"{name}.expected.json").read_text())
    got = summary(*run(items(name)))
    assert {k: got[k] for k in want} == want


@pytest.mark.parametrize("name", NAMES)
def test_item_forms_agree(name: str) -> None:
    """Dicts, JSON strings, ServerSentEvents and bare results give the same transcript."""
    raw = lines(FIXTURES / f"{name}.jsonl")
    base = strip(run(items(name))[0].to_dict())
    bare = [it.get("result", it) for it in items(name)]
    for form in (raw, [ServerSentEvent(data=ln) for ln in raw], bare):
        assert strip(run(list(form))[0].to_dict()) == base


def strip(state: dict[str, Any]) -> dict[str, Any]:
    for key in ("started_at", "first_token_at", "ended_at"):
        state.pop(key, None)
    if state["run_id"].startswith("run_"):  # made up by the normalizer
        state.pop("run_id")
    return state


def test_status_text_is_activity_not_answer() -> None:
    _, events = run(items("v03_completed"))
    statuses = [e for e in events if isinstance(e, Status)]
    assert [s.state for s in statuses] == ["submitted", "working", "completed"]
    assert statuses[1].text == "Drafting the report…"
    _, events = run(items("input_required"))
    end = events[-1]
    assert isinstance(end, RunEnd)
    assert (end.reason, end.raw_reason) == ("interrupted", "input-required")
    assert end.message == "Please tell me the city."


def test_thread_and_raw_reason() -> None:
    _, events = run(items("v03_completed"))
    start = next(e for e in events if isinstance(e, RunStart))
    assert start.thread_id == "05217e44-7e9f-473e-ab4f-2c2dde50a2b1"
    end = events[-1]
    assert isinstance(end, RunEnd)
    assert end.raw_reason == "completed"


def test_final_true_non_terminal_state_is_unknown() -> None:
    adapter = A2aAdapter()
    evs = adapter.feed({"taskId": "t", "status": {"state": "working"}, "final": True,
                        "kind": "status-update"})  # fmt: skip
    assert isinstance(evs[-1], RunEnd)
    assert evs[-1].reason == "unknown"
    assert adapter.feed({"taskId": "t", "status": {"state": "completed"},
                         "kind": "status-update"}) == []  # fmt: skip
    assert adapter.end() == []


def test_states() -> None:
    assert normalize_state("TASK_STATE_INPUT_REQUIRED") == "input-required"
    assert normalize_state("auth-required") == "auth-required"
    assert normalize_state("cancelled") == "canceled"
    assert normalize_state(None) == "unknown"
    adapter = A2aAdapter()
    evs = adapter.feed(
        {"statusUpdate": {"taskId": "t", "status": {"state": "TASK_STATE_AUTH_REQUIRED"}}}
    )
    assert isinstance(evs[-1], RunEnd)
    assert evs[-1].reason == "interrupted"
    adapter = A2aAdapter()
    evs = adapter.feed(
        {"statusUpdate": {"taskId": "t", "status": {"state": "TASK_STATE_REJECTED"}}}
    )
    assert [e.kind for e in evs][-2:] == ["error", "run_end"]


def test_unknown_result_is_raw_custom() -> None:
    adapter = A2aAdapter()
    evs = adapter.feed({"jsonrpc": "2.0", "id": 1, "result": {"kind": "brand-new"}})
    assert any(isinstance(e, Custom) and e.is_raw for e in evs)


def test_bad_items_raise_nbagent_errors() -> None:
    adapter = A2aAdapter()
    for bad in ("{not json", "[1, 2]", 42):
        with pytest.raises(NbagentError):
            adapter.feed(bad)
    assert adapter.feed(ServerSentEvent(data="")) == []


def test_detect() -> None:
    for name in NAMES:
        for ln in lines(FIXTURES / f"{name}.jsonl"):
            assert A2aAdapter.detect(json.loads(ln)), ln
            assert A2aAdapter.detect(ln), ln
            assert A2aAdapter.detect(ServerSentEvent(data=ln)), ln
            result = json.loads(ln).get("result")
            if result is not None:
                assert A2aAdapter.detect(result), ln
    for path in OTHER.glob("*.jsonl"):
        for ln in lines(path):
            assert not A2aAdapter.detect(ln)
            if ln != "[DONE]":
                assert not A2aAdapter.detect(json.loads(ln))
    others: list[Any] = [
        "hello",
        "",
        b"\xff",
        None,
        42,
        [1],
        {"jsonrpc": "2.0", "id": 1, "result": {"choices": []}},
        {"jsonrpc": "2.0", "id": 1, "method": "message/stream", "params": {}},
        {"kind": "text", "text": "x"},
        {"message": "hello"},
        {"task": "write a poem"},
        {"type": "text-delta", "id": "t", "delta": "x"},
        {"event": "on_chat_model_stream", "data": {}, "run_id": "r"},
        ServerSentEvent(data="not json"),
        "[DONE]",
    ]
    for item in others:
        assert not A2aAdapter.detect(item), item


ALL_ITEMS = [it for name in NAMES for it in items(name)]


def check_text_matches(t: Transcript, events: list[Event]) -> None:
    by_id: dict[str, str] = {}
    for ev in events:
        if isinstance(ev, TextDelta):
            by_id[ev.message_id] = by_id.get(ev.message_id, "") + ev.delta
    blocks: dict[str, str] = {}
    for b in t.to_dict()["blocks"]:
        if b["type"] == "text":
            blocks[b["id"]] = blocks.get(b["id"], "") + b["text"]
    assert blocks == by_id
    assert sorted(t.text) == sorted("".join(by_id.values()))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(ALL_ITEMS), max_size=40))
def test_any_sequence_never_raises(seq: list[Any]) -> None:
    try:
        t, events = run(seq)
    except NbagentError:
        return
    assert sum(isinstance(e, RunEnd) for e in events) == 1
    check_text_matches(t, events)
    assert t.status != "running"


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(NAMES), st.data())
def test_truncated_shuffled_duplicated(name: str, data: st.DataObject) -> None:
    seq = items(name)
    cut = data.draw(st.integers(0, len(seq)))
    seq = seq[:cut]
    seq = data.draw(st.permutations(seq + seq[: data.draw(st.integers(0, len(seq)))]))
    t, events = run(list(seq))
    assert sum(isinstance(e, RunEnd) for e in events) == 1
    check_text_matches(t, events)
