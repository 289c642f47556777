"""The ``version="v3"`` content-block protocol of LangChain and LangGraph as dicts (what the
live objects give is tested in ``tests/frameworks/test_langgraph_v3.py``): the shapes a live
fake model does not make, the wire's form of a graph's events, errors and interrupts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from nbagent.adapters import LangGraphAdapter, detect_format
from nbagent.adapters.base import ServerSentEvent
from nbagent.core.events import ErrorEvent, Event, RunEnd, Status, StepEnd, StepStart
from nbagent.transcript.transcript import Transcript
from tests.adapter_harness import fold


def start(message_id: str = "m1", role: str = "ai", **more: Any) -> dict[str, Any]:
    return {"event": "message-start", "role": role, "id": message_id, **more}


def text(s: str, index: int = 0) -> dict[str, Any]:
    return {"event": "content-block-delta", "index": index,
            "delta": {"type": "text-delta", "text": s}}  # fmt: skip


def args(piece: str, index: int) -> dict[str, Any]:
    return {"event": "content-block-delta", "index": index,
            "delta": {"type": "tool-call-delta", "args": piece}}  # fmt: skip


def finish(**fields: Any) -> dict[str, Any]:
    return {"event": "message-finish", **fields}


def read(items: list[Any]) -> tuple[Transcript, list[Event]]:
    _, events = fold(LangGraphAdapter(), items)
    return Transcript.from_events(events), events


def test_a_model_stream_text_reasoning_call_usage() -> None:
    items = [
        start(metadata={"provider": "anthropic", "model": "claude-x"}),
        {"event": "content-block-start", "index": 0, "content": {"type": "reasoning"}},
        {"event": "content-block-delta", "index": 0,
         "delta": {"type": "reasoning-delta", "reasoning": "Add them."}},
        {"event": "content-block-finish", "index": 0,
         "content": {"type": "reasoning", "reasoning": "Add them.", "extras": {"signature": "s"}}},
        {"event": "content-block-start", "index": 1, "content": {"type": "text", "text": ""}},
        text("Let me ", 1),
        text("add.", 1),
        {"event": "content-block-finish", "index": 1,
         "content": {"type": "text", "text": "Let me add."}},
        {"event": "content-block-start", "index": 2,
         "content": {"type": "tool_call_chunk", "id": "c1", "name": "add", "args": ""}},
        args("{\"a\": 1,", 2),
        args(" \"b\": 2}", 2),
        {"event": "content-block-finish", "index": 2,
         "content": {"type": "tool_call", "id": "c1", "name": "add", "args": {"a": 1, "b": 2}}},
        finish(usage={"input_tokens": 9, "output_tokens": 4, "total_tokens": 13,
                      "output_token_details": {"reasoning": 2}},
               metadata={"finish_reason": "tool_use", "model_name": "claude-x"}),
    ]  # fmt: skip
    assert detect_format(items[0]) == "langgraph"
    assert detect_format(json.dumps(items[0])) == "langgraph"
    t, events = read(items)
    assert (t.thinking, t.text) == ("Add them.", "Let me add.")
    assert [(c.id, c.name, c.args) for c in t.tool_calls] == [("c1", "add", {"a": 1, "b": 2})]
    d = t.to_dict()
    assert (d["usage"]["input_tokens"], d["usage"]["reasoning_tokens"]) == (9, 2)
    assert (d["model"], d["end_reason"]) == ("claude-x", "tool_calls")
    (step,) = [e for e in events if isinstance(e, StepStart)]
    assert step.step_id == "m1"


def test_what_only_a_block_finish_says_is_read() -> None:
    """A text whose deltas stopped short, a call that came whole at its block's finish."""
    items = [
        start(),
        text("Hel"),
        {"event": "content-block-finish", "index": 0, "content": {"type": "text", "text": "Hello"}},
        {"event": "content-block-finish", "index": 1,
         "content": {"type": "tool_call", "id": "c9", "name": "look", "args": {"q": "x"}}},
        {"event": "content-block-finish", "index": 2,
         "content": {"type": "invalid_tool_call", "id": "c10", "name": "bad", "args": "{oops",
                     "error": "not JSON"}},
        finish(metadata={"finish_reason": "tool_calls"}),
    ]  # fmt: skip
    t, _ = read(items)
    assert t.text == "Hello"
    look, bad = t.tool_calls
    assert (look.id, look.name, look.args) == ("c9", "look", {"q": "x"})
    assert (bad.id, bad.name) == ("c10", "bad")


@pytest.mark.parametrize("shape", ["block-delta", "legacy-block-delta", "content_block"])
def test_older_cores_deltas(shape: str) -> None:
    """``block-delta`` snapshots (args so far), ``legacy-block-delta`` pieces, and a delta
    given as a content block."""
    if shape == "content_block":
        deltas = [{"event": "content-block-delta", "index": 0,
                   "content_block": {"type": "text", "text": "Hi"}}]  # fmt: skip
    else:
        pieces = ['{"a"', ": 1}"] if shape == "legacy-block-delta" else ['{"a"', '{"a": 1}']
        deltas = [
            {"event": "content-block-delta", "index": 1,
             "delta": {"type": shape, "fields": {"type": "tool_call_chunk", "id": "c1",
                                                 "name": "f", "args": piece}}}
            for piece in pieces
        ]  # fmt: skip
    t, _ = read([start(), *deltas, finish()])
    if shape == "content_block":
        assert t.text == "Hi"
    else:
        assert [(c.name, c.args) for c in t.tool_calls] == [("f", {"a": 1})]


def test_a_tool_message_is_skipped_and_an_error_ends_a_model_stream() -> None:
    items = [
        start("t1", role="tool"),
        text("tool words"),
        finish(),
        start("m2"),
        text("Par"),
        {"event": "error", "message": "rate limited", "code": "429"},
    ]
    t, events = read(items)
    assert t.text == "Par"
    (error,) = [e for e in events if isinstance(e, ErrorEvent)]
    assert (error.message, error.code, error.recoverable) == ("rate limited", "429", False)
    assert [e.finish_reason for e in events if isinstance(e, StepEnd)] == ["error"]
    assert t.to_dict()["status"] == "error"


def test_a_model_stream_cut_before_its_finish_is_incomplete() -> None:
    _, events = read([start(), text("Hal")])
    assert isinstance(events[-1], RunEnd)
    assert events[-1].reason == "incomplete"


def event(method: str, data: Any, ns: list[str] | None = None, **params: Any) -> dict[str, Any]:
    return {"type": "event", "method": method,
            "params": {"namespace": ns or [], "timestamp": 1, "data": data, **params}}  # fmt: skip


SUB = ["math:1"]


def wire_graph() -> list[Any]:
    """A graph's events as the wire sends them: a message's events alone (with their
    ``message_id``), a subgraph's life, a state with a tool result, a failing subgraph."""
    call = {"type": "tool_call_chunk", "id": "c1", "name": "add", "args": '{"a": 1}'}
    return [
        event("values", {"messages": [{"type": "human", "content": "hi", "id": "h"}]}),
        event("lifecycle", {"event": "started", "namespace": SUB, "graph_name": "math"}),
        event("values", {"messages": [{"type": "human", "content": "hi", "id": "h"}]}, SUB),
        event("messages", start("m1"), SUB),
        event("messages", {**text("Adding."), "message_id": "m1"}, SUB),
        event(
            "messages",
            {"event": "content-block-start", "index": 1, "content": call, "message_id": "m1"},
            SUB,
        ),
        event("messages", finish(message_id="m1", metadata={"finish_reason": "tool_calls"}), SUB),
        event(
            "values",
            {"messages": [{"type": "tool", "content": "1", "tool_call_id": "c1", "id": "t1"}]},
            SUB,
        ),
        event("lifecycle", {"event": "completed", "namespace": SUB}),
        event("lifecycle", {"event": "started", "namespace": ["other:2"]}),
        event("lifecycle", {"event": "failed", "namespace": ["other:2"], "error": "boom"}),
        event("messages", start("m2")),
        event("messages", {**text("Done."), "message_id": "m2"}),
        event("messages", finish(message_id="m2")),
    ]


def test_a_graph_over_the_wire() -> None:
    items = wire_graph()
    assert detect_format(json.dumps(items[0])) == "langgraph"
    sse = [ServerSentEvent(data=json.dumps(item), event=item["method"]) for item in items]
    assert detect_format(sse[0]) == "langgraph"
    for source in (items, [json.dumps(i) for i in items], sse):
        t, events = read(source)
        assert t.text == "Done."
        assert [(c.name, c.args, c.result) for c in t.tool_calls] == [("add", {"a": 1}, "1")]
        scopes = {e.step_id: e for e in events if isinstance(e, StepStart)}
        assert [s.name for s in scopes.values() if s.step_type == "subagent"] == ["math", "other"]
        ends = [(e.step_id, e.finish_reason) for e in events if isinstance(e, StepEnd)]
        assert ends == [("m1", "tool_calls"), ("math:1", None), ("other:2", "error"),
                        ("m2", None)]  # fmt: skip
        inside = [e for e in events if e.parent == "math:1"]
        assert {type(e).__name__ for e in inside} >= {"TextDelta", "ToolCallStart", "ToolResult"}
        (error,) = [e for e in events if isinstance(e, ErrorEvent)]
        assert (error.message, error.recoverable, error.parent) == ("boom", True, None)
        assert (t.to_dict()["status"], events[-1].reason) == ("completed", "completed")  # type: ignore[attr-defined]


def test_a_channel_of_a_transformer_of_its_own_is_kept() -> None:
    mine = event("scores", {"toxicity": 0.1})
    _, events = read([event("values", {"messages": []}), mine])
    (kept,) = [e for e in events if e.kind == "custom"]
    assert (kept.name, kept.value) == ("langgraph.scores", {"toxicity": 0.1})  # type: ignore[attr-defined]
    assert events[-1].reason == "completed"  # type: ignore[attr-defined]


def test_an_interrupt_over_the_wire_and_in_a_state() -> None:
    asked = event("input.requested", {"interrupt_id": "i1", "payload": "approve?"})
    for item in (asked, event("values", {"messages": []}, interrupts=[{"value": "approve?"}])):
        _, events = read([event("values", {"messages": []}), item])
        assert [e.text for e in events if isinstance(e, Status)] == ["approve?"]
        assert events[-1].reason == "interrupted"  # type: ignore[attr-defined]


def test_a_refusal_is_the_chunk_a_v1_stream_would_give() -> None:
    """A ``refusal`` block (its words at its start, repeated at its finish: said once) and
    ``ChatOpenAI``'s ``additional_kwargs["refusal"]`` become the refusal of the chunks they
    stand for, which the message readers show as refused."""
    from nbagent.adapters.langchain.v3 import ProtocolMessages

    block = {"type": "refusal", "refusal": "I can't help with that."}
    protocol = ProtocolMessages()
    chunks = [
        protocol.chunk(event, None, ())
        for event in (
            start(),
            {"event": "content-block-start", "index": 0, "content": block},
            {"event": "content-block-finish", "index": 0, "content": block},
            finish(additional_kwargs={"refusal": "No.", "reasoning_content": "said already"}),
        )
    ]
    assert chunks[1]["content"] == [block]
    assert chunks[2] is None
    assert chunks[3]["additional_kwargs"] == {"refusal": "No."}
