"""The reducer: ops consistency (what the browser applies), round trips, and each rule."""

from __future__ import annotations

import copy
import gc
import json
import time

import pytest
from hypothesis import given, settings

from nbagent.core.events import (
    Custom,
    ErrorEvent,
    MessageEnd,
    MessageStart,
    RunEnd,
    RunStart,
    State,
    Status,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
    Usage,
)
from nbagent.pipeline.normalize import Normalizer
from nbagent.transcript import export as export
from nbagent.transcript.export.common import answer_text
from nbagent.transcript.transcript import ToolCall, Transcript, apply_op
from tests.invariants import check_ops, wire
from tests.strategies import event_sequences


def normalized(events, ending="finish"):
    n = Normalizer(clock=lambda: 50.0)
    out = []
    for ev in events:
        out += n.feed(ev)
    return out + (n.finish() if ending == "finish" else [])


@given(event_sequences())
@settings(max_examples=300, deadline=None)
def test_ops_rebuild_state_after_every_normalized_event(events):
    check_ops(normalized(events))


def test_a_whole_message_ended_redacted_before_any_text_is_no_longer_pending() -> None:
    """Hypothesis's example: a thinking message announced whole that ends redacted with no
    text gets its block at its end; the ops say it is no longer pending, as ``to_dict()``
    does."""
    t = check_ops(
        [
            RunStart(run_id="r", ts=0.0),
            MessageStart(message_id="m2", whole=True, ts=1.0),
            MessageEnd(message_id="m2", channel="thinking", redacted=True, ts=2.0),
        ]
    )
    assert t.to_dict()["whole_pending"] == []


@given(event_sequences())
@settings(max_examples=200, deadline=None)
def test_ops_rebuild_state_for_raw_unnormalized_events(events):
    check_ops(copy.deepcopy(events))


@given(event_sequences())
@settings(max_examples=200, deadline=None)
def test_round_trip_from_dict(events):
    t = Transcript.from_events(normalized(events, ending="none"))
    d = t.to_dict()
    again = Transcript.from_dict(wire(d))
    assert wire(again.to_dict()) == wire(d)
    assert again.text == t.text
    assert again.thinking == t.thinking
    assert again.status == t.status
    # The static copies' answer (made from the saved state) is the transcript's.
    assert answer_text(d["blocks"]) == t.text


@given(event_sequences())
@settings(max_examples=100, deadline=None)
def test_from_dict_then_continue_matches(events):
    out = normalized(events)
    half = len(out) // 2
    t = Transcript.from_events(out[:half])
    resumed = Transcript.from_dict(wire(t.to_dict()))
    full = Transcript.from_events(out)
    for ev in out[half:]:
        resumed.apply(ev)
    assert resumed.text == full.text
    assert resumed.status == full.status


def test_initial_state_shape():
    d = Transcript().to_dict()
    assert d == {
        "version": 1,
        "run_id": None,
        "title": None,
        "model": None,
        "status": "running",
        "end_reason": None,
        "error": None,
        "started_at": None,
        "first_token_at": None,
        "ended_at": None,
        "deltas": 0,
        "generating_s": 0.0,
        "generating_since": None,
        "usage": {
            "input_tokens": None,
            "output_tokens": None,
            "total_tokens": None,
            "reasoning_tokens": None,
            "cached_input_tokens": None,
        },
        "steps": [],
        "warnings": [],
        "activity": None,
        "blocks": [],
    }


def test_ops_for_a_delta_are_small():
    t = Transcript()
    t.apply(RunStart(run_id="r", ts=1.0))
    first = t.apply(TextDelta(message_id="m", delta="Hel", ts=2.0))
    assert first == [
        {"op": "add", "block": {"type": "text", "id": "m", "text": "Hel", "refusal": False}},
        {"op": "run", "set": {"deltas": 1, "first_token_at": 2.0, "generating_since": 2.0}},
    ]
    # One op per token: the append carries the run's delta count.
    assert t.apply(TextDelta(message_id="m", delta="lo", ts=3.0)) == [
        {"op": "append", "i": 0, "key": "text", "text": "lo", "deltas": 2},
    ]
    assert t.apply(TextDelta(message_id="m", delta="", ts=3.0)) == []


def test_blocks_in_display_order_and_text_thinking():
    t = Transcript.from_events(
        normalized(
            [
                ThinkingDelta(message_id="m1:think", delta="let me "),
                ThinkingDelta(message_id="m1:think", delta="see"),
                TextDelta(message_id="m1", delta="It is "),
                ToolCallStart(tool_call_id="call_a", name="get_weather"),
                TextDelta(message_id="m2", delta="sunny"),
                TextDelta(message_id="m1", delta="warm. "),
            ]
        )
    )
    assert [(b["type"], b["id"]) for b in t.blocks] == [
        ("thinking", "m1:think"),
        ("text", "m1"),
        ("tool", "call_a"),
        ("text", "m2"),
    ]
    assert t.text == "It is warm. \n\nsunny"  # the tool call stands between
    assert t.thinking == "let me see"
    assert t.deltas == 5
    think = t.blocks[0]
    assert think["started_at"] == 50.0
    assert think["ended_at"] == 50.0


def test_text_is_the_top_level_text_in_paragraphs_around_other_blocks():
    t = Transcript.from_events(
        normalized(
            [
                TextDelta(message_id="m1", delta="a"),
                ToolCallStart(tool_call_id="call_a", name="ask_agent"),
                TextDelta(message_id="sub", delta="nested", parent="call_a"),
                ToolCallEnd(tool_call_id="call_a", arguments="{}"),
                ToolResult(tool_call_id="call_a", content="done"),
                TextDelta(message_id="m2", delta="b"),
                MessageEnd(message_id="m2"),
                TextDelta(message_id="m3", delta="c"),
            ]
        )
    )
    # A tool call between two texts: two paragraphs. Two texts with nothing between: as is.
    # The sub-agent's text (its block has a parent) is not in .text; it is inside the call.
    assert t.text == "a\n\nbc"
    assert [(b["type"], b["id"], b["text"]) for b in t.children("call_a")] == [
        ("text", "sub", "nested")
    ]
    assert [b["id"] for b in t.blocks if b["type"] == "text" and "parent" not in b] == [
        "m1",
        "m2",
        "m3",
    ]


def test_messages_that_came_whole_are_paragraphs_of_their_own_in_text_and_copies():
    """``nbagent.watch()`` sees whole messages; a late one (LiteLLM reports a call's end
    after later calls) can land right beside another, with no tool call between."""
    events = []
    for mid, text in (("m1", "Hello."), ("m2", "Here is what the tools returned.")):
        events += [MessageStart(message_id=mid, whole=True), TextDelta(message_id=mid, delta=text)]
        events.append(MessageEnd(message_id=mid))
    t = Transcript.from_events(normalized(events))
    assert t.text == "Hello.\n\nHere is what the tools returned."
    assert t.to_text().startswith(t.text + "\n")
    assert export.to_text(t.to_dict()).startswith(t.text + "\n")


def test_refusal_block():
    t = Transcript.from_events(
        normalized(
            [
                TextDelta(message_id="r", delta="I can't", refusal=True),
                TextDelta(message_id="r", delta=" help"),
                RunEnd(reason="refusal"),
            ]
        )
    )
    assert t.blocks[0]["refusal"] is True
    assert t.text == "I can't help"
    assert t.status == "completed"
    assert t.end_reason == "refusal"


def test_redacted_thinking_makes_a_block():
    t = Transcript.from_events(
        normalized(
            [
                MessageStart(message_id="t", channel="thinking"),
                MessageEnd(message_id="t", channel="thinking", redacted=True),
            ]
        )
    )
    assert t.blocks == [
        {
            "type": "thinking",
            "id": "t",
            "text": "",
            "redacted": True,
            "started_at": 50.0,
            "ended_at": 50.0,
        }
    ]


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        ("completed", "completed"),
        ("tool_calls", "completed"),
        ("max_tokens", "completed"),
        ("content_filter", "completed"),
        ("refusal", "completed"),
        ("interrupted", "completed"),
        ("unknown", "completed"),
        ("cancelled", "cancelled"),
        ("error", "error"),
        ("incomplete", "error"),
        ("expired", "error"),
    ],
)
def test_status_of_reason(reason, status):
    t = Transcript.from_events([RunStart(ts=1.0), RunEnd(reason=reason, ts=2.0)])
    assert t.status == status
    assert t.end_reason == reason
    assert t.ended_at == 2.0
    assert (t.error is not None) == (status == "error")


def test_running_until_run_end():
    t = Transcript()
    assert t.status == "running"
    t.apply(RunStart(ts=1.0))
    t.apply(TextDelta(message_id="m", delta="x", ts=1.5))
    assert t.status == "running"
    assert t.end_reason is None
    assert t.elapsed_s == 0.5


def test_incomplete_message():
    t = Transcript.from_events(
        normalized([TextDelta(message_id="m", delta="par"), RunEnd(reason="incomplete")])
    )
    assert t.status == "error"
    assert t.end_reason == "incomplete"
    assert t.error == {"message": "stream ended unexpectedly", "error_type": None, "code": None}
    t2 = Transcript.from_events([RunStart(), RunEnd(reason="incomplete", message="EOF at byte 7")])
    assert t2.error is not None
    assert t2.error["message"] == "EOF at byte 7"


def test_cancellation():
    n = Normalizer()
    events = n.feed(TextDelta(message_id="m", delta="so far")) + n.cancel()
    t = Transcript.from_events(events)
    assert t.status == "cancelled"
    assert t.end_reason == "cancelled"
    assert t.error is None
    assert t.text == "so far"


def test_fatal_and_recoverable_errors():
    events = normalized(
        [
            ErrorEvent(message="skipped a bad chunk", recoverable=True, code=400),
            TextDelta(message_id="m", delta="a"),
            ErrorEvent(message="Overloaded", error_type="overloaded_error", code=529),
            TextDelta(message_id="m", delta="never"),
        ]
    )
    t = Transcript.from_events(events)
    assert t.warnings == [{"message": "skipped a bad chunk", "error_type": None, "code": 400}]
    assert t.error == {"message": "Overloaded", "error_type": "overloaded_error", "code": 529}
    assert t.status == "error"
    assert t.end_reason == "error"
    assert t.text == "a"


def test_warnings_are_capped():
    t = Transcript()
    for i in range(150):
        t.apply(ErrorEvent(message=str(i), recoverable=True))
    assert len(t.warnings) == 100


def test_events_after_run_end_change_nothing():
    t = Transcript.from_events([RunStart(), TextDelta(message_id="m", delta="a"), RunEnd()])
    before = t.to_dict()
    assert t.apply(TextDelta(message_id="m", delta="b")) == []
    assert t.apply(RunEnd(reason="error")) == []
    assert t.to_dict() == before


def test_usage_cumulative_replaces_field_by_field():
    t = Transcript.from_events(
        [
            RunStart(),
            Usage(input_tokens=10, output_tokens=1),
            Usage(output_tokens=25),  # Anthropic message_delta: cumulative output only
        ]
    )
    assert t.usage.input_tokens == 10
    assert t.usage.output_tokens == 25
    assert t.usage.total_tokens == 35  # derived


def test_usage_incremental_adds():
    t = Transcript.from_events(
        [
            RunStart(),
            Usage(input_tokens=10, output_tokens=1, cumulative=False),
            Usage(output_tokens=2, cumulative=False),
            Usage(output_tokens=3, reasoning_tokens=1, cumulative=False),
        ]
    )
    assert (t.usage.input_tokens, t.usage.output_tokens, t.usage.reasoning_tokens) == (10, 6, 1)
    assert t.usage.total_tokens == 16


def test_usage_unknown_is_none():
    t = Transcript.from_events([RunStart(), RunEnd()])
    assert t.usage.input_tokens is None
    assert t.usage.total_tokens is None
    t2 = Transcript.from_events([RunStart(), Usage(output_tokens=4)])
    assert t2.usage.total_tokens is None


def test_usage_per_step_and_run_scope():
    t = Transcript.from_events(
        [
            RunStart(),
            StepStart(step_id="s1", name="model"),
            Usage(input_tokens=100, output_tokens=10),
            Usage(output_tokens=20),
            StepEnd(step_id="s1", finish_reason="tool_calls"),
            StepStart(step_id="s2", name="model"),
            Usage(input_tokens=200, output_tokens=5),
            StepEnd(step_id="s2", finish_reason="stop"),
        ]
    )
    assert [s["usage"]["output_tokens"] for s in t.steps] == [20, 5]
    assert [s["finish_reason"] for s in t.steps] == ["tool_calls", "stop"]
    assert (t.usage.input_tokens, t.usage.output_tokens, t.usage.total_tokens) == (300, 25, 325)
    t.apply(Usage(input_tokens=1000, output_tokens=1, total_tokens=1001, scope="run"))
    assert t.usage.total_tokens == 1001


def test_each_step_has_its_start_end_and_usage():
    """Parallel model calls (sub-agents) report usage late: ``step_id`` names the step."""
    t = Transcript.from_events(
        [
            RunStart(ts=1.0),
            StepStart(step_id="a", name="model", ts=2.0),
            StepStart(step_id="b", name="model", ts=2.5),
            Usage(input_tokens=10, output_tokens=3, step_id="a", ts=3.0),
            StepEnd(step_id="a", finish_reason="stop", ts=4.0),
            Usage(input_tokens=7, output_tokens=1, ts=4.5),  # no step_id: the latest started
            StepEnd(step_id="c", ts=5.0),  # an end with no start
        ]
    )
    rows = [(s["id"], s["started_at"], s["ended_at"], s["usage"]) for s in t.steps]
    usage_a = {"input_tokens": 10, "output_tokens": 3, "total_tokens": 13}
    usage_b = {"input_tokens": 7, "output_tokens": 1, "total_tokens": 8}
    assert [(i, start, end) for i, start, end, _ in rows] == [
        ("a", 2.0, 4.0),
        ("b", 2.5, None),
        ("c", None, 5.0),
    ]
    assert [u and {k: u[k] for k in usage_a} for *_, u in rows] == [usage_a, usage_b, None]
    assert (t.usage.input_tokens, t.usage.output_tokens) == (17, 4)


def test_usage_model_fills_model():
    t = Transcript.from_events([RunStart(), Usage(model="gpt-4o-mini", output_tokens=1)])
    assert t.model == "gpt-4o-mini"


def test_tool_lifecycle_and_duration():
    t = Transcript()
    t.apply(RunStart(ts=0.5))
    t.apply(ToolCallStart(tool_call_id="c", name="get_weather", ts=1.0))
    assert t.tool_calls[0].state == "args"
    t.apply(ToolCallArgsDelta(tool_call_id="c", delta='{"city":"Paris"}', ts=1.2))
    t.apply(
        ToolCallEnd(tool_call_id="c", arguments='{"city":"Paris"}', args={"city": "Paris"}, ts=2.0)
    )
    tc = t.tool_calls[0]
    assert isinstance(tc, ToolCall)
    assert tc.state == "running"
    assert tc.args_done_at == 2.0
    assert tc.args == {"city": "Paris"}
    t.apply(ToolResult(tool_call_id="c", content="18°C", ts=3.5))
    assert (tc.state, tc.result, tc.is_error, tc.ended_at, tc.duration_s) == (
        "done",
        "18°C",
        False,
        3.5,
        1.5,
    )
    assert tc.name == "get_weather"
    assert tc.arguments == '{"city":"Paris"}'
    assert t.first_token_at == 1.2
    assert t.ttft_s == pytest.approx(0.7)


def test_tool_duration_from_start_without_end_and_error_state():
    t = Transcript.from_events(
        [
            RunStart(ts=0.0),
            ToolCallStart(tool_call_id="c", name="f", ts=1.0),
            ToolResult(tool_call_id="c", content="boom", is_error=True, ts=4.0),
        ]
    )
    tc = t.tool_calls[0]
    assert tc.state == "error"
    assert tc.is_error
    assert tc.duration_s == 3.0


def test_a_tool_nbagent_ran_keeps_its_output_traceback_and_own_duration():
    meta = {"duration_s": 0.25, "output": "hi\n", "traceback": "Traceback ...", "abandoned": True}
    events = [
        RunStart(ts=0.0),
        ToolCallStart(tool_call_id="c", name="f", ts=1.0),
        ToolCallEnd(tool_call_id="c", arguments="{}", args={}, ts=1.5),
        ToolResult(tool_call_id="c", content="TimeoutError: f", is_error=True, ts=9.0, meta=meta),
    ]
    t = Transcript.from_events(events)
    tc = t.tool_calls[0]
    assert (tc.output, tc.traceback, tc.abandoned) == ("hi\n", "Traceback ...", True)
    assert tc.duration_s == 0.25  # time in the tool, not since its arguments ended
    block = t.to_dict()["blocks"][0]
    assert block["output"] == "hi\n"
    assert block["abandoned"] is True
    assert Transcript.from_dict(json.loads(json.dumps(t.to_dict()))).to_dict() == t.to_dict()
    # Without them (any other source) the block has none of these keys.
    plain = Transcript.from_events([*events[:3], ToolResult(tool_call_id="c", content=1, ts=2)])
    assert not {"output", "traceback", "abandoned"} & plain.to_dict()["blocks"][0].keys()


def test_preliminary_result_keeps_running():
    t = Transcript.from_events(
        normalized(
            [
                ToolCallStart(tool_call_id="c", name="f"),
                ToolCallEnd(tool_call_id="c", arguments="{}"),
                ToolResult(tool_call_id="c", content="10%", preliminary=True),
            ]
        )[:-1]
    )
    tc = t.tool_calls[0]
    assert tc.state == "running"
    assert tc.result == "10%"
    assert tc.ended_at is None


def test_result_for_unknown_tool_creates_block():
    t = Transcript.from_events(
        [RunStart(), ToolResult(tool_call_id="x", name="search", content={"hits": 3}, ts=9.0)]
    )
    tc = t.tool_calls[0]
    assert (tc.id, tc.name, tc.state, tc.result) == ("x", "search", "done", {"hits": 3})
    assert tc.duration_s is None


def test_steps_status_state_custom():
    t = Transcript()
    ops = t.apply(Status(state="running_tool", text="searching…"))
    assert ops == [{"op": "run", "set": {"activity": "searching…"}}]
    assert t.apply(Status(state="x", text="searching…")) == []
    assert t.apply(State(value={"a": 1})) == []
    assert t.apply(Custom(name="c")) == []
    t.apply(Status(state="thinking"))
    assert t.activity == "thinking"
    t.apply(RunEnd())
    assert t.activity is None


def test_run_start_fields():
    t = Transcript.from_events([RunStart(run_id="r1", model="m", title="My run", ts=5.0)])
    assert (t.run_id, t.model, t.title, t.started_at) == ("r1", "m", "My run", 5.0)


def test_from_events_accepts_dicts():
    events = [e.to_dict() for e in normalized([TextDelta(message_id="m", delta="hi")])]
    assert Transcript.from_events(events).text == "hi"


def test_apply_op_rejects_unknown():
    with pytest.raises(ValueError, match="unknown op"):
        apply_op({}, {"op": "nope"})


def test_append_is_linear():
    """1-char deltas into one block: 4x the deltas cost about 4x the time, and at most 8x: a
    quadratic append would cost 16x. (Under a loaded CI, 5.4x was seen: cache misses grow
    with the heap, not with the algorithm.)"""

    def cost(n):
        t = Transcript()
        evs = [TextDelta(message_id="m", delta="x") for _ in range(n)]
        # This thread's CPU time, without the collector: the wall clock of a shared machine
        # and full collections (which walk every live event) moved the ratio from 4 to 12.
        gc.collect()
        gc.disable()
        try:
            start = time.thread_time()
            for ev in evs:
                t.apply(ev)
            _ = t.text
            return time.thread_time() - start
        finally:
            gc.enable()

    cost(1000)
    small, big = min(cost(50_000) for _ in range(3)), min(cost(200_000) for _ in range(3))
    assert big <= small * 8, f"{big / small:.1f}x the time for 4x the deltas"


def test_text_that_was_thinking_rebuilds_from_its_ops_and_from_its_state():
    """A closing think tag turns the text so far into thinking (``was_thinking``): the page's
    state, retyped by a ``set`` op, equals ``to_dict()``, and a saved state reads back the same."""
    from nbagent.core.events import MessageEnd
    from tests.invariants import check_ops

    t = check_ops(
        [
            TextDelta(message_id="m", delta="plan"),
            MessageEnd(message_id="m", channel="text", was_thinking=True),
        ]
    )
    (block,) = t.to_dict()["blocks"]
    assert (block["type"], block["text"]) == ("thinking", "plan")
    assert Transcript.from_dict(t.to_dict()).to_dict() == t.to_dict()


def test_run_ops_carry_only_what_changed() -> None:
    """A run's start and end ops name no null field it never set, nor its start again when
    the source's start was dated back to the run's creation (bytes of every chat turn)."""
    t = Transcript()
    assert t.begin(5.0) == [{"op": "run", "set": {"started_at": 5.0}}]
    assert t.apply(RunStart(run_id="r1", ts=5.0)) == [{"op": "run", "set": {"run_id": "r1"}}]
    t.apply(TextDelta(message_id="m", delta="Hi", ts=6.0))
    (end,) = [op for op in t.apply(RunEnd(ts=7.0)) if "ended_at" in op.get("set", {})]
    assert "activity" not in end["set"]
    # What the ops leave out is what the state already holds: the browser's state is the same.
    check_ops(
        [RunStart(title="T", ts=1.0), TextDelta(message_id="m", delta="Hi", ts=2.0), RunEnd(ts=3.0)]
    )
