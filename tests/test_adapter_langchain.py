"""The langchain adapter: astream_events v2 fixtures through adapter → Normalizer →
Transcript, duck-typed AIMessageChunk objects, LangGraph Platform SSE frames, detection,
robustness."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbagent.adapters.base import ServerSentEvent
from nbagent.adapters.langchain import LangChainAdapter
from nbagent.core.events import Custom, Event, NbagentError, RunEnd, TextDelta
from nbagent.transcript.transcript import Transcript
from tests.adapter_harness import fixture_items, fixture_lines, tool_rows, transcript_of

FIXTURES = Path(__file__).parent / "fixtures" / "langchain"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.jsonl"))
OTHER = Path(__file__).parent / "fixtures" / "openai-chat"


lines = fixture_lines


def items(name: str) -> list[Any]:
    return fixture_items(FIXTURES / f"{name}.jsonl")


def run(items_: list[Any]) -> tuple[Transcript, list[Event]]:
    return transcript_of(LangChainAdapter(), items_)


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
        "step_names": [s["name"] for s in state["steps"]],
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
    """Dicts, JSON strings, SSE ``event: events`` frames and message objects agree."""
    raw = lines(FIXTURES / f"{name}.jsonl")
    base = strip(run(items(name))[0].to_dict())
    sse: list[Any] = [ServerSentEvent(event="metadata", data='{"run_id": "platform-run"}')]
    sse += [ServerSentEvent(event="events", data=ln) for ln in raw]
    for form in (raw, [ServerSentEvent(event="events", data=ln) for ln in raw], as_objects(name)):
        assert strip(run(list(form))[0].to_dict()) == base
    got = run(sse)[0]
    assert got.run_id == "platform-run"
    assert got.text == run(items(name))[0].text
    assert got.end_reason == run(items(name))[0].end_reason


def strip(state: dict[str, Any]) -> dict[str, Any]:
    for key in ("started_at", "first_token_at", "ended_at", "run_id"):
        state.pop(key, None)
    return state


class Obj:
    """A stand-in for ``AIMessageChunk`` / ``ToolMessage``: attributes, no mapping."""

    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)


def as_objects(name: str) -> list[Any]:
    out = []
    for it in items(name):
        data = it["data"]
        if isinstance(data.get("chunk"), dict):
            data["chunk"] = Obj(**data["chunk"])
        if isinstance(data.get("output"), dict) and "content" in data["output"]:
            data["output"] = Obj(**data["output"])
        if it["event"] == "on_tool_error":
            data["error"] = TimeoutError(data["error"].split(": ", 1)[1])
        out.append(it)
    return out


def test_tool_error_exception_object() -> None:
    t, _ = run(as_objects("tools_fifo"))
    call_a = next(b for b in t.to_dict()["blocks"] if b.get("id") == "call_a")
    assert call_a["result"] == "TimeoutError: too slow"
    assert call_a["is_error"]


def test_platform_error_frame() -> None:
    raw = lines(FIXTURES / "cut_off.jsonl")
    seq: list[Any] = [ServerSentEvent(event="events", data=ln) for ln in raw]
    seq.append(ServerSentEvent(event="error", data='{"error": "boom", "message": "graph failed"}'))
    t, _ = run(seq)
    assert t.end_reason == "error"
    assert t.error is not None
    assert t.error["message"] == "graph failed"
    assert t.text == "Half"


def test_cut_off_is_incomplete() -> None:
    t, _ = run(items("cut_off"))
    assert t.end_reason == "incomplete"


def test_bad_items_raise_nbagent_errors() -> None:
    adapter = LangChainAdapter()
    for bad in ("{not json", "[1, 2]", '{"data": {}}', 42):
        with pytest.raises(NbagentError):
            adapter.feed(bad)


def test_detect() -> None:
    for name in NAMES:
        for ln in lines(FIXTURES / f"{name}.jsonl"):
            assert LangChainAdapter.detect(json.loads(ln)), ln
            assert LangChainAdapter.detect(ln), ln
            assert LangChainAdapter.detect(ServerSentEvent(event="events", data=ln)), ln
    for path in OTHER.glob("*.jsonl"):
        for ln in lines(path):
            assert not LangChainAdapter.detect(ln)
            if ln != "[DONE]":
                assert not LangChainAdapter.detect(json.loads(ln))
    others: list[Any] = [
        "hello",
        "",
        b"\xff",
        None,
        42,
        [1],
        {"event": "thread.run.created", "data": {}},
        {"event": "on_x"},
        {"type": "text-delta", "id": "t", "delta": "x"},
        {"jsonrpc": "2.0", "id": 1, "result": {"kind": "task"}},
        ServerSentEvent(data="not json"),
        ServerSentEvent(event="metadata", data='{"run_id": "r"}'),
        "[DONE]",
    ]
    for item in others:
        assert not LangChainAdapter.detect(item)


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


def test_lists_of_the_wrong_type_are_read_as_empty() -> None:
    # Found by fuzzing: tool_call_chunks = -1 raised TypeError.
    item = {
        "event": "on_chat_model_stream",
        "run_id": "m1",
        "data": {"chunk": {"content": "Half", "tool_call_chunks": -1}},
    }
    events = LangChainAdapter().feed(item)
    assert [e.delta for e in events if isinstance(e, TextDelta)] == ["Half"]


def model_events(*middle: dict[str, Any], output: Any) -> list[dict[str, Any]]:
    """A chat model run's ``astream_events`` dicts: its start, ``middle``, its end."""
    base = {"run_id": "m1", "name": "Fake", "parent_ids": [], "tags": [], "metadata": {}}
    start = {**base, "event": "on_chat_model_start", "data": {"input": "hi"}}
    end = {**base, "event": "on_chat_model_end", "data": {"output": output}}
    return [start, *({**base, **m} for m in middle), end]


def test_a_model_that_streamed_only_its_thinking_keeps_its_text() -> None:
    thought = {"content": [{"type": "reasoning", "reasoning": "hmm"}], "type": "AIMessageChunk"}
    stream = {"event": "on_chat_model_stream", "data": {"chunk": thought}}
    t, _ = run(model_events(stream, output={"content": "Answer", "type": "ai"}))
    assert (t.thinking, t.text) == ("hmm", "Answer")


def test_a_whole_message_with_wrong_types_is_read_as_far_as_it_goes() -> None:
    output = {
        "content": [5, None, {"type": "reasoning", "reasoning": ["no"]}, {"type": "text"}, "ok"],
        "additional_kwargs": {"reasoning_content": 3},
        "type": "ai",
    }
    t, _ = run(model_events(output=output))
    assert (t.thinking, t.text, t.status) == ("", "ok", "completed")
