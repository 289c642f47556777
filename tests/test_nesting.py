"""Sub-agents nested in the tool call or sub-agent step that started them
(docs/develop/contracts.md, "Nesting"): the normalizer keeps the scope, the reducer folds it
into blocks, usage and text, and the exports and a saved state keep it."""

from __future__ import annotations

import io
import json
from typing import Any

import nbagent
from nbagent import Transcript
from nbagent.core.events import (
    Event,
    MessageEnd,
    RunEnd,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
    Usage,
    event_from_json,
)
from nbagent.transcript.fold import apply_op
from nbagent.widget.terminal import Printer


def nested_run() -> list[Event]:
    """Top-level text, a tool call whose sub-agent thinks, answers and calls a tool of its own,
    a subgraph scope inside that sub-agent, then the top-level answer."""
    return [
        StepStart(step_id="s1"),
        TextDelta(message_id="m1", delta="Let me ask the researcher."),
        ToolCallStart(tool_call_id="call_1", name="researcher"),
        ToolCallArgsDelta(tool_call_id="call_1", delta='{"prompt": "Oslo?"}'),
        Usage(input_tokens=10, output_tokens=5, step_id="s1"),
        StepEnd(step_id="s1"),
        # the sub-agent: everything carries parent="call_1"
        StepStart(step_id="sub:s1", parent="call_1"),
        ThinkingDelta(message_id="sub:t1", delta="Look it up.", parent="call_1"),
        TextDelta(message_id="sub:m1", delta="Checking", parent="call_1"),
        ToolCallStart(tool_call_id="sub:call", name="search", parent="call_1"),
        ToolResult(tool_call_id="sub:call", content="rain", parent="call_1"),
        Usage(input_tokens=7, output_tokens=3, parent="call_1"),
        StepEnd(step_id="sub:s1", parent="call_1"),
        # a subgraph scope inside the sub-agent
        StepStart(step_id="sg", name="summarizer", step_type="subagent", parent="call_1"),
        StepStart(step_id="sg:s1", parent="sg"),
        TextDelta(message_id="sg:m1", delta="Rainy.", parent="sg"),
        Usage(input_tokens=2, output_tokens=1, parent="sg"),
        StepEnd(step_id="sg:s1", parent="sg"),
        StepEnd(step_id="sg", parent="call_1"),
        ToolResult(tool_call_id="call_1", content="Rainy."),
        StepStart(step_id="s2"),
        TextDelta(message_id="m2", delta="It is rainy in Oslo."),
        Usage(input_tokens=20, output_tokens=6, step_id="s2"),
        StepEnd(step_id="s2"),
    ]


def fold(events: list[Event]) -> tuple[Transcript, list[Event]]:
    out = list(nbagent.iter_events(events, clock=lambda: 1.0))
    return Transcript.from_events(out), out


def test_blocks_carry_their_scope_and_text_is_the_top_level() -> None:
    t, _ = fold(nested_run())
    d = t.to_dict()
    scope = {b["id"]: b.get("parent") for b in d["blocks"]}
    assert scope == {
        "m1": None,
        "call_1": None,
        "sub:t1": "call_1",
        "sub:m1": "call_1",
        "sub:call": "call_1",
        "sg": "call_1",
        "sg:m1": "sg",
        "m2": None,
    }
    assert "parent" not in d["blocks"][0]  # top-level blocks are as they always were
    assert t.text == "Let me ask the researcher.\n\nIt is rainy in Oslo."
    assert t.thinking == ""
    assert [b["id"] for b in t.children("call_1")] == ["sub:t1", "sub:m1", "sub:call", "sg"]
    assert [b["text"] for b in t.children("sg")] == ["Rainy."]
    assert [(c.id, c.parent) for c in t.tool_calls] == [("call_1", None), ("sub:call", "call_1")]
    agent = next(b for b in d["blocks"] if b["type"] == "agent")
    assert agent["name"] == "summarizer"
    assert agent["ended_at"] is not None
    assert agent["started_at"] is not None


def test_usage_of_a_scope_is_summed_into_its_block_and_counts_in_the_run() -> None:
    t, _ = fold(nested_run())
    blocks = {b["id"]: b for b in t.to_dict()["blocks"]}
    assert blocks["sg"]["usage"]["input_tokens"] == 2
    # the tool call's sub-agent: its own step and the subgraph inside it
    assert blocks["call_1"]["usage"]["input_tokens"] == 7 + 2
    assert blocks["call_1"]["usage"]["output_tokens"] == 3 + 1
    assert "usage" not in blocks["sub:call"]  # a call that started no sub-agent
    assert t.usage.input_tokens == 10 + 7 + 2 + 20
    steps = {s["id"]: s for s in t.to_dict()["steps"]}
    assert steps["sub:s1"]["parent"] == "call_1"
    assert steps["sub:s1"]["usage"]["input_tokens"] == 7  # attributed to its scope's step
    assert "parent" not in steps["s1"]


def test_the_normalizer_keeps_the_scope_on_what_it_synthesizes() -> None:
    _, out = fold(nested_run())
    for ev in out:
        ids = (getattr(ev, "message_id", None) or "", getattr(ev, "tool_call_id", None) or "")
        if any(i.startswith("sub:") for i in ids):
            assert ev.parent == "call_1", ev
    starts = [e for e in out if e.kind == "message_start" and e.message_id == "sub:m1"]
    ends = [e for e in out if isinstance(e, MessageEnd) and e.message_id == "sub:m1"]
    assert [e.parent for e in starts + ends] == ["call_1", "call_1"]
    tool_end = next(e for e in out if isinstance(e, ToolCallEnd) and e.tool_call_id == "sub:call")
    assert tool_end.parent == "call_1"


def test_ops_rebuild_the_nested_state_and_from_dict_keeps_it() -> None:
    t = Transcript()
    state: dict[str, Any] = Transcript().to_dict()
    for ev in nbagent.iter_events(nested_run()):
        for op in t.apply(ev):
            apply_op(state, json.loads(json.dumps(op)))
    assert state == t.to_dict()
    again = Transcript.from_dict(json.loads(json.dumps(state)))
    assert again.to_dict() == state
    assert again.text == t.text
    assert [b["id"] for b in again.children("call_1")] == [b["id"] for b in t.children("call_1")]


def test_a_recording_keeps_the_scope_and_old_recordings_read_as_top_level() -> None:
    _, out = fold(nested_run())
    lines = [ev.to_json() for ev in out]
    assert any('"parent":"call_1"' in line for line in lines)
    back = Transcript.from_events([event_from_json(line) for line in lines])
    assert back.to_dict()["blocks"] == fold(nested_run())[0].to_dict()["blocks"]
    old = '{"kind":"text_delta","seq":2,"ts":1.0,"run_id":"r","message_id":"m","delta":"hi"}'
    assert event_from_json(old).parent is None


def test_exports_nest_the_sub_agent() -> None:
    t, _ = fold(nested_run())
    html = t.to_html()
    tool_start = html.index('class="nba-tool')
    children = html.index('class="nba-children"', tool_start)
    assert tool_start < children < html.index("Checking") < html.index("It is rainy in Oslo.")
    assert 'class="nba-agent"' in html
    assert "summarizer" in html
    assert html.index('class="nba-agent"') > children
    md = t.to_markdown()
    assert "Sub-agent:" in md
    assert "Agent: summarizer" in md
    assert md.index("Sub-agent:") < md.index("Checking") < md.index("It is rainy in Oslo.")
    text = t.to_text()
    assert text.startswith("Let me ask the researcher.\n\nIt is rainy in Oslo.")
    assert "\n  [tool] search(" in text  # the sub-agent's call, indented
    assert "\n  [agent] summarizer · " in text


def test_the_terminal_indents_a_sub_agent_under_its_call() -> None:
    out = io.StringIO()
    Printer(out, colour=False).feed(nbagent.iter_events(nested_run(), clock=lambda: 1.0))
    assert out.getvalue().splitlines() == [
        "Let me ask the researcher.",
        "  [thinking…]",
        "  Checking",
        "  ✓ search({}) → rain",
        "  [summarizer]",
        "    Rainy.",
        '✓ researcher({"prompt": "Oslo?"}) → Rainy.',
        "It is rainy in Oslo.",
        "[completed]",
    ]


def test_a_parent_that_names_nothing_shows_at_the_top_level() -> None:
    events = [TextDelta(message_id="x", delta="orphan", parent="nowhere"), RunEnd()]
    t, _ = fold(events)
    assert t.to_dict()["blocks"][0]["parent"] == "nowhere"
    assert "orphan" in t.to_html()
    assert t.text == ""  # it is not the top-level answer either
