"""The ag-ui adapter: fixtures (dicts, JSON lines, ServerSentEvents) through the adapter,
the normalizer and the transcript; detection; hostile orderings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nbagent.adapters.ag_ui import EVENT_TYPES, AgUiAdapter
from nbagent.adapters.base import BadItemError, ServerSentEvent
from nbagent.core.events import (
    Custom,
    ErrorEvent,
    Event,
    MessageEnd,
    MessageStart,
    NbagentError,
    RunEnd,
    RunStart,
    State,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallStart,
    Usage,
)
from nbagent.transcript.transcript import Transcript
from tests.adapter_harness import fold
from tests.frameworks.conftest import need
from tests.invariants import block_text

FIXTURES = Path(__file__).parent / "fixtures" / "ag-ui"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.jsonl"))
OTHER_FIXTURES = Path(__file__).parent / "fixtures"


def lines(name: str) -> list[str]:
    return [ln for ln in (FIXTURES / f"{name}.jsonl").read_text().splitlines() if ln.strip()]


def dicts(name: str) -> list[dict[str, Any]]:
    return [json.loads(ln) for ln in lines(name)]


def sse(name: str) -> list[ServerSentEvent]:
    return [ServerSentEvent(data=ln) for ln in lines(name)]  # AG-UI: data-only frames


def expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.expected.json").read_text())
    return data


ALL_ITEMS: list[dict[str, Any]] = [d for name in NAMES for d in dicts(name)]


def run(items: list[Any]) -> tuple[list[Event], list[Event]]:
    """Items → (adapter events, normalized events)."""
    return fold(AgUiAdapter(), items)


def summary(events: list[Event]) -> dict[str, Any]:
    t = Transcript.from_events(events)
    d = t.to_dict()
    blocks = d["blocks"]
    end = next(e for e in events if isinstance(e, RunEnd))
    return {
        "run_id": d["run_id"],
        "text": t.text,
        "thinking": t.thinking,
        "tools": [
            {k: b[k] for k in ("id", "name", "args", "state", "result", "is_error")}
            for b in blocks
            if b["type"] == "tool"
        ],
        "usage": d["usage"],
        "status": d["status"],
        "end_reason": d["end_reason"],
        "raw_reason": end.raw_reason,
        "error": d["error"],
        "steps": [[s["id"], s["name"], s["finish_reason"]] for s in d["steps"]],
        "states": [e.op for e in events if isinstance(e, State)],
        "custom": [e.name for e in events if isinstance(e, Custom)],
        "interrupts": (end.meta or {}).get("interrupts"),
        "result": end.result,
    } | _v1_summary(d, events)


def _v1_summary(d: dict[str, Any], events: list[Event]) -> dict[str, Any]:
    """What AG-UI 1.0's shapes add to a fixture's summary, only when there (the older
    fixtures' expectations stay as they were): activity and interrupt blocks, encrypted
    reasoning, events' ``metadata``."""
    out: dict[str, Any] = {}
    for kind in ("activity", "interrupt"):
        found = [
            {k: v for k, v in b.items() if k != "type"} for b in d["blocks"] if b["type"] == kind
        ]
        if found:
            out[kind] = found
    encrypted = [b["id"] for b in d["blocks"] if b.get("encrypted")]
    if encrypted:
        out["encrypted"] = encrypted
    metadata = [[e.kind, e.meta["metadata"]] for e in events if "metadata" in (e.meta or {})]
    if metadata:
        out["metadata"] = metadata
    paused = [[b["id"], b["pause"]] for b in d["blocks"] if b.get("pause")]
    if paused:
        out["paused"] = paused
    return out


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind", ["dicts", "json", "sse"])
def test_fixture(name: str, kind: str) -> None:
    load: dict[str, Any] = {"dicts": dicts, "json": lines, "sse": sse}
    items: list[Any] = load[kind](name)
    raw, out = run(items)
    assert summary(out) == expected(name)
    saved = Transcript.from_events(out).to_dict()  # saved and reopened: the same state
    assert Transcript.from_dict(json.loads(json.dumps(saved))).to_dict() == saved
    assert isinstance(raw[-1], RunEnd)
    assert sum(isinstance(e, RunEnd) for e in raw) == 1
    assert all(e.delta for e in raw if isinstance(e, (TextDelta, ThinkingDelta, ToolCallArgsDelta)))
    assert [e.seq for e in out] == list(range(1, len(out) + 1))
    assert all(e.source == "ag-ui" for e in out)


def test_run_started_fields() -> None:
    raw, _ = run(dicts("steps_state"))
    start = raw[0]
    assert isinstance(start, RunStart)
    assert (start.run_id, start.thread_id) == ("r2", "t2")


def test_text_message_role_and_ends() -> None:
    raw, _ = run(dicts("text_tools"))
    starts = [e for e in raw if isinstance(e, MessageStart)]
    assert [(e.message_id, e.channel, e.role) for e in starts] == [
        ("m1", "text", "assistant"),
        ("m3", "text", "assistant"),
    ]
    tool = next(e for e in raw if isinstance(e, ToolCallStart))
    assert (tool.tool_call_id, tool.name, tool.parent_message_id) == ("tc1", "search", "m1")


def test_reasoning_messages_and_encrypted_value() -> None:
    raw, _ = run(dicts("reasoning"))
    starts = [e for e in raw if isinstance(e, MessageStart) and e.channel == "thinking"]
    assert [(e.message_id, e.meta) for e in starts] == [
        ("rm1", {"reasoning_id": "r-1"}),
        ("rm2", None),
    ]
    ends = [e for e in raw if isinstance(e, MessageEnd) and e.channel == "thinking"]
    assert [(e.message_id, e.encrypted_value) for e in ends] == [("rm1", "gAAAA"), ("rm2", None)]
    usage = [e for e in raw if isinstance(e, Usage)]
    assert [(u.model, u.provider, u.scope, u.cumulative) for u in usage] == [
        ("gpt-5", "openai", "run", False),
        ("small", None, "run", False),
    ]


def test_legacy_thinking_gets_an_id_and_title() -> None:
    raw, _ = run(dicts("thinking_legacy"))
    start = next(e for e in raw if isinstance(e, MessageStart) and e.channel == "thinking")
    assert start.title == "Planning"
    deltas = [e for e in raw if isinstance(e, ThinkingDelta)]
    assert {d.message_id for d in deltas} == {start.message_id}


def test_chunks_expand() -> None:
    raw, _ = run(dicts("chunks"))
    kinds = [
        (type(e).__name__, getattr(e, "message_id", getattr(e, "tool_call_id", ""))) for e in raw
    ]
    assert ("MessageEnd", "c1") in kinds
    assert kinds.index(("MessageEnd", "c1")) < kinds.index(("MessageStart", "c2"))
    assert kinds.index(("ToolCallEnd", "tc1")) < kinds.index(("ToolCallStart", "tc2"))
    assert ("ToolCallEnd", "tc2") in kinds
    assert ("MessageEnd", "c2") in kinds


def test_steps_and_state() -> None:
    raw, _ = run(dicts("steps_state"))
    steps = [(type(e).__name__, e.step_id) for e in raw if isinstance(e, (StepStart, StepEnd))]
    assert steps == [
        ("StepStart", "plan"),
        ("StepEnd", "plan"),
        ("StepStart", "act"),
        ("StepEnd", "act"),
        ("StepStart", "plan#2"),
        ("StepEnd", "plan#2"),
    ]
    states = [e for e in raw if isinstance(e, State)]
    assert states[0].value == {"todo": ["a"], "count": 0}
    assert states[1].patch == [{"op": "replace", "path": "/count", "value": 1}]
    assert (states[3].message_id, states[3].activity_type, states[3].value) == (
        "a1",
        "PLAN",
        {"steps": 2},
    )
    raw_event = next(e for e in raw if isinstance(e, Custom) and e.is_raw)
    assert (raw_event.value, raw_event.meta) == ({"some": "thing"}, {"source": "langgraph"})


def test_run_error_is_fatal() -> None:
    raw, _ = run(dicts("run_error"))
    error = next(e for e in raw if isinstance(e, ErrorEvent))
    assert (error.message, error.code, error.recoverable) == ("boom", "INTERNAL", False)
    assert isinstance(raw[-1], RunEnd)
    assert raw[-1].reason == "error"


def test_subagents() -> None:
    items = [
        {"type": "RUN_STARTED", "threadId": "t", "runId": "r"},
        {"type": "SUBAGENT_STARTED", "subagentRunId": "sa1", "name": "researcher"},
        {"type": "SUBAGENT_ERROR", "subagentRunId": "sa1", "message": "timeout"},
        {"type": "SUBAGENT_STARTED", "subagentRunId": "sa2", "name": "writer"},
        {"type": "SUBAGENT_FINISHED", "subagentRunId": "sa2", "outcome": {"type": "success"}},
        {"type": "RUN_FINISHED", "threadId": "t", "runId": "r", "outcome": {"type": "cancelled"}},
    ]
    _raw, out = run(items)
    t = Transcript.from_events(out)
    assert [(s["id"], s["name"], s["finish_reason"]) for s in t.steps] == [
        ("sa1", "researcher", "error"),
        ("sa2", "writer", "success"),
    ]
    assert [w["message"] for w in t.to_dict()["warnings"]] == ["timeout"]
    assert (t.status, t.end_reason) == ("cancelled", "cancelled")


def test_subagents_without_run_ids_get_ids_from_the_kit_each_start_paired_with_its_end() -> None:
    """A sub-agent the wire names not is ``agent{n}`` (``Ids.scope_id``); an end without a run
    id ends the newest one started without one, in the scope it started in."""
    items = [
        {"type": "RUN_STARTED", "threadId": "t", "runId": "r"},
        {"type": "SUBAGENT_STARTED", "name": "researcher", "parentToolCallId": "call_1"},
        {"type": "SUBAGENT_STARTED", "name": "writer"},
        {"type": "SUBAGENT_ERROR", "message": "timeout"},
        {"type": "SUBAGENT_FINISHED", "outcome": {"type": "success"}},
        {"type": "RUN_FINISHED", "threadId": "t", "runId": "r"},
    ]
    raw, out = run(items)
    assert [(e.step_id, e.parent) for e in raw if isinstance(e, StepStart)] == [
        ("agent1", "call_1"),
        ("agent2", None),
    ]
    assert [(e.step_id, e.parent) for e in raw if isinstance(e, StepEnd)] == [
        ("agent2", None),
        ("agent1", "call_1"),
    ]
    t = Transcript.from_events(out)
    assert [(s["name"], s["finish_reason"]) for s in t.steps] == [
        ("researcher", "success"),
        ("writer", "error"),
    ]
    assert [w["message"] for w in t.to_dict()["warnings"]] == ["timeout"]


def test_reasoning_chunk_without_delta_opens_then_empty_delta_closes() -> None:
    adapter = AgUiAdapter()
    first = adapter.feed({"type": "REASONING_MESSAGE_CHUNK", "messageId": "r"})
    assert [type(e) for e in first] == [MessageStart]
    assert [type(e) for e in adapter.feed({"type": "REASONING_MESSAGE_CHUNK", "delta": "x"})] == [
        ThinkingDelta
    ]
    closed = adapter.feed({"type": "REASONING_MESSAGE_CHUNK", "messageId": "r", "delta": ""})
    assert [(type(e), e.message_id) for e in closed if isinstance(e, MessageEnd)] == [
        (MessageEnd, "r")
    ]


def test_sdk_objects_with_snake_case_attributes() -> None:
    """The ag-ui-protocol SDK's own pydantic events (snake_case attributes, a str enum type)."""
    core = need("ag_ui.core")
    items = [
        core.RunStartedEvent(thread_id="t", run_id="r"),
        core.TextMessageStartEvent(message_id="m", role="assistant"),
        core.TextMessageContentEvent(message_id="m", delta="Hi"),
        core.ToolCallStartEvent(tool_call_id="c", tool_call_name="f"),
        core.ToolCallArgsEvent(tool_call_id="c", delta="{}"),
        core.ToolCallEndEvent(tool_call_id="c"),
        core.ToolCallResultEvent(message_id="m2", tool_call_id="c", content="ok"),
        core.RunFinishedEvent(thread_id="t", run_id="r"),
    ]
    assert all(isinstance(i.type, core.EventType) for i in items)
    assert all(AgUiAdapter.detect(i) for i in items)
    _, out = run(items)
    t = Transcript.from_events(out)
    assert (t.run_id, t.text, t.status, t.end_reason) == ("r", "Hi", "completed", "completed")
    assert [(c.id, c.name, c.args, c.result) for c in t.tool_calls] == [("c", "f", {}, "ok")]


def test_sdk_chunk_events() -> None:
    core = need("ag_ui.core")
    items = [
        core.RunStartedEvent(thread_id="t", run_id="r"),
        core.TextMessageChunkEvent(message_id="m", delta="Hi"),
    ]
    assert all(AgUiAdapter.detect(i) for i in items)
    _, out = run(items)
    assert Transcript.from_events(out).text == "Hi"


def test_empty_text_content_is_dropped() -> None:
    raw, out = run([{"type": "TEXT_MESSAGE_CONTENT", "messageId": "m", "delta": ""}])
    assert not any(isinstance(e, TextDelta) for e in raw)
    assert Transcript.from_events(out).end_reason == "incomplete"


def test_unknown_types_are_kept_as_custom() -> None:
    raw, _ = run([{"type": "RUN_STARTED", "runId": "r"}, {"type": "NEW_THING", "x": 1}])
    assert any(isinstance(e, Custom) and e.name == "NEW_THING" and e.is_raw for e in raw)


def test_events_after_run_finished_are_dropped() -> None:
    adapter = AgUiAdapter()
    for item in dicts("text_tools"):
        adapter.feed(item)
    assert adapter.feed({"type": "TEXT_MESSAGE_CONTENT", "messageId": "m9", "delta": "x"}) == []
    assert adapter.end() == []


@pytest.mark.parametrize("bad", [None, 3, [1], "not json", '"a string"', b"{", "[1, 2]"])
def test_bad_items_raise_bad_item_error(bad: Any) -> None:
    with pytest.raises(BadItemError):
        AgUiAdapter().feed(bad)


# -- detection -----------------------------------------------------------------------------


def other_format_items() -> list[Any]:
    items: list[Any] = []
    for fmt in ("openai-chat", "anthropic"):
        for path in sorted((OTHER_FIXTURES / fmt).glob("*.jsonl")):
            for ln in path.read_text().splitlines():
                if ln.strip():
                    items.append(ln)
                    if ln.strip() != "[DONE]":
                        d = json.loads(ln)
                        items.append(d)
                        if fmt == "anthropic":
                            items.append(ServerSentEvent(data=ln, event=d["type"]))
    items += ["Hello", "", "data: x", "[DONE]", b"\xff", None, 1, [], {}, {"type": "text"}]
    items += [{"type": "text-delta"}, {"type": "run_started"}, {"type": "Run_Started"}]
    items += [{"kind": "text_delta"}, ServerSentEvent(data="not json")]
    return items


def test_detect_true_on_every_item_kind() -> None:
    for d in ALL_ITEMS:
        line = json.dumps(d)
        for item in (d, line, line.encode(), ServerSentEvent(data=line)):
            assert AgUiAdapter.detect(item), item
    for kind in EVENT_TYPES:
        assert AgUiAdapter.detect({"type": kind})


def test_detect_false_on_other_formats() -> None:
    for item in other_format_items():
        assert not AgUiAdapter.detect(item), item


# -- hostile orderings ----------------------------------------------------------------------


def check_text(out: list[Event]) -> None:
    assert isinstance(out[-1], RunEnd)
    assert sum(isinstance(e, RunEnd) for e in out) == 1
    by_message: dict[str, str] = {}
    for e in out:
        if isinstance(e, TextDelta):
            by_message[e.message_id] = by_message.get(e.message_id, "") + e.delta
    assert block_text(Transcript.from_events(out)) == "".join(by_message.values())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(ALL_ITEMS), max_size=40), st.sampled_from(["dict", "json", "sse"]))
def test_any_sequence_never_breaks(items: list[dict[str, Any]], kind: str) -> None:
    feed: list[Any] = list(items)
    if kind == "json":
        feed = [json.dumps(i) for i in items]
    elif kind == "sse":
        feed = [ServerSentEvent(data=json.dumps(i)) for i in items]
    try:
        _, out = run(feed)
    except NbagentError:
        return
    check_text(out)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(NAMES), st.data())
def test_fixture_mutations_never_break(name: str, data: st.DataObject) -> None:
    items = dicts(name)
    items = data.draw(st.permutations(items)) if data.draw(st.booleans()) else items
    cut = data.draw(st.integers(0, len(items)))
    dup = data.draw(st.lists(st.integers(0, max(len(items) - 1, 0)), max_size=5))
    feed = items[:cut] + [items[i] for i in dup if i < len(items)]
    _, out = run(feed)
    check_text(out)
