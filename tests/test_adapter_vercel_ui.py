"""The vercel-ui adapter: fixtures through adapter → Normalizer → Transcript, detection,
item forms (dicts, JSON strings, SSE data lines, ServerSentEvents) and robustness."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbagent.adapters.base import ServerSentEvent
from nbagent.adapters.vercel_ui import VercelUiAdapter
from nbagent.core.events import Custom, Event, NbagentError, RunEnd, TextDelta
from nbagent.transcript.transcript import Transcript
from tests.adapter_harness import fixture_items, fixture_lines, tool_rows, transcript_of

FIXTURES = Path(__file__).parent / "fixtures" / "vercel-ui"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.jsonl"))
OTHER = Path(__file__).parent / "fixtures" / "openai-chat"


lines = fixture_lines


def items(name: str) -> list[Any]:
    return fixture_items(FIXTURES / f"{name}.jsonl")


def run(items_: list[Any]) -> tuple[Transcript, list[Event]]:
    return transcript_of(VercelUiAdapter(), items_)


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
        "warnings": len(state["warnings"]),
        "custom": [e.name for e in events if isinstance(e, Custom)],
    }


@pytest.mark.parametrize("name", NAMES)
def test_fixture(name: str) -> None:
    want = json.loads((FIXTURES / f"{name}.expected.json").read_text())
    got = summary(*run(items(name)))
    assert {k: got[k] for k in want} == want


@pytest.mark.parametrize("name", NAMES)
def test_item_forms_agree(name: str) -> None:
    """Dicts, JSON strings, ``data:`` lines and ServerSentEvents give the same transcript."""
    raw = lines(FIXTURES / f"{name}.jsonl")
    base = run(items(name))[0].to_dict()
    forms: tuple[list[Any], ...] = (
        raw,
        [f"data: {ln}" for ln in raw],
        [ServerSentEvent(data=ln) for ln in raw],
    )
    if name.startswith("v4"):  # legacy lines are not JSON: as str or bytes only
        forms = ([it.encode() for it in items(name)], [f"{it}\n" for it in items(name)])
    for form in forms:
        got = run(list(form))[0].to_dict()
        for key in ("started_at", "first_token_at", "ended_at", "run_id"):
            got.pop(key), base.pop(key, None)
        base_cmp = {k: v for k, v in base.items() if k in got}
        assert got == base_cmp


def test_run_id_and_mapping_details() -> None:
    adapter = VercelUiAdapter()
    evs = adapter.feed({"type": "start", "messageId": "m1"})
    assert evs[0].run_id == "m1"
    evs = adapter.feed(
        {"type": "tool-input-start", "toolCallId": "c", "toolName": "t", "providerExecuted": True}
    )
    assert evs[0].executor == "server"  # type: ignore[attr-defined]
    evs = adapter.feed({"type": "tool-input-error", "toolCallId": "c", "errorText": "bad"})
    assert [e.kind for e in evs] == ["tool_call_end", "error"]
    assert evs[1].recoverable  # type: ignore[attr-defined]
    evs = adapter.feed({"type": "finish", "finishReason": "whatever"})
    assert isinstance(evs[-1], RunEnd)
    assert (evs[-1].reason, evs[-1].raw_reason) == ("unknown", "whatever")
    assert adapter.feed({"type": "text-delta", "id": "x", "delta": "late"}) == []
    assert adapter.end() == []


def test_typeless_part_is_raw_custom() -> None:
    adapter = VercelUiAdapter()
    evs = adapter.feed({"no": "type"})
    assert isinstance(evs[-1], Custom)
    assert evs[-1].is_raw


def test_cut_off_is_incomplete() -> None:
    t, _ = run(items("cut_off"))
    assert t.end_reason == "incomplete"
    assert t.error is not None


def test_bad_items_raise_nbagent_errors() -> None:
    adapter = VercelUiAdapter()
    with pytest.raises(NbagentError):
        adapter.feed("{not json")
    with pytest.raises(NbagentError):
        adapter.feed("[1, 2]")
    assert adapter.feed(": keep-alive") == []
    assert adapter.feed("") == []


def test_detect() -> None:
    for name in NAMES:
        for ln in lines(FIXTURES / f"{name}.jsonl"):
            if ln == "[DONE]" or "brand-new-part" in ln:  # unknown types: not detected
                continue
            item = json.loads(ln)
            if isinstance(item, str):  # a legacy v4 line
                assert VercelUiAdapter.detect(item), ln
                assert VercelUiAdapter.detect(item.encode()), ln
                continue
            assert VercelUiAdapter.detect(item), ln
            assert VercelUiAdapter.detect(ln), ln
            assert VercelUiAdapter.detect(ServerSentEvent(data=ln)), ln
    for path in OTHER.glob("*.jsonl"):
        for ln in lines(path):
            assert not VercelUiAdapter.detect(ln)
            if ln != "[DONE]":
                assert not VercelUiAdapter.detect(json.loads(ln))
    others: list[Any] = [
        "hello",
        "",
        b"\xff",
        None,
        42,
        [1],
        {"type": "error", "error": {"type": "overloaded_error"}},
        {"type": "message_start", "message": {}},
        {"type": "TEXT_MESSAGE_CONTENT", "delta": "x"},
        {"event": "on_chat_model_stream", "data": {}, "run_id": "r"},
        {"jsonrpc": "2.0", "id": 1, "result": {"kind": "task"}},
        ServerSentEvent(data="not json"),
        "[DONE]",
        "3:45",
        "0: hello",
        "2:30 pm",
        'e:{"x": 1}',
    ]
    for item in others:
        assert not VercelUiAdapter.detect(item), item


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
    # the answer is the top-level text, with paragraph breaks between blocks
    assert set(t.text) <= set("".join(by_id.values())) | {"\n"}


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
