"""The timeline: rows from transcript states (``tests/fixtures/timeline.json``, also read by
``js/test/timeline.test.js``), nesting, parallel calls, live rows, a replayed demo, and the
static copies (SVG and tables) with hostile names.

``python -m tests.test_timeline`` rewrites the fixture from the states made here."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import nbagent
import nbagent.core.events as E
from nbagent import Transcript, demo
from nbagent.transcript.export.markdown import to_markdown
from nbagent.transcript.export.static_html import to_html
from nbagent.transcript.export.timeline import (
    row_cells,
    timeline_axis,
    timeline_html,
    timeline_legend,
    timeline_markdown,
    timeline_rows,
)
from tests.wait import PATIENCE

FIXTURE_PATH = Path(__file__).parent / "fixtures" / "timeline.json"
T0 = 1_700_000_000.0
HOSTILE = "<script>alert(1)</script>\"onload=x ' & |"
_TEXT_KEYS = ("text", "result", "arguments", "args", "display")


def _fold(events: list[E.Event]) -> Transcript:
    t = Transcript()
    for n, ev in enumerate(events, 1):
        ev.seq = n
        t.apply(ev)
    return t


def _state(t: Transcript) -> dict[str, Any]:
    """The state without the run's text (the rows read none of it): a small fixture."""
    d = t.to_dict()
    d["blocks"] = [{k: v for k, v in b.items() if k not in _TEXT_KEYS} for b in d["blocks"]]
    return d


def _weather(upto: int | None = None) -> Transcript:
    events = list(nbagent.load(demo.recording("weather")))
    return _fold(events[:upto] if upto is not None else events)


def _at(ts: float, ev: E.Event) -> E.Event:
    ev.ts = T0 + ts
    return ev


def _nested_events(tool_name: str = "research", agent_name: str = "researcher") -> list[E.Event]:
    """A model call whose tool starts a sub-agent (one model call and one tool call of its own),
    then a last model call."""
    usage = {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
    return [
        _at(0, E.RunStart(model="m")),
        _at(0.1, E.StepStart(step_id="s1", name="model")),
        _at(0.2, E.ToolCallStart(tool_call_id="call_r", name=tool_name)),
        _at(0.3, E.ToolCallEnd(tool_call_id="call_r", arguments="{}")),
        _at(0.3, E.Usage(step_id="s1", **usage)),
        _at(0.35, E.StepEnd(step_id="s1", finish_reason="tool_calls")),
        _at(0.4, E.StepStart(step_id="agent-1", name=agent_name, step_type="subagent")),
        _at(0.4, E.StepStart(step_id="a-s1", name="model", parent="agent-1")),
        _at(0.5, E.ToolCallStart(tool_call_id="call_in", name="lookup", parent="agent-1")),
        _at(0.6, E.ToolCallEnd(tool_call_id="call_in", arguments="{}", parent="agent-1")),
        _at(0.6, E.Usage(step_id="a-s1", **usage, parent="agent-1")),
        _at(0.65, E.StepEnd(step_id="a-s1", finish_reason="tool_calls", parent="agent-1")),
        _at(0.9, E.ToolResult(tool_call_id="call_in", content="ok", parent="agent-1")),
        _at(1.0, E.StepEnd(step_id="agent-1")),
        _at(1.1, E.ToolResult(tool_call_id="call_r", content="found")),
        _at(1.2, E.StepStart(step_id="s2", name="model")),
        _at(1.3, E.MessageStart(message_id="m2")),
        _at(1.3, E.TextDelta(message_id="m2", delta="done")),
        _at(1.5, E.StepEnd(step_id="s2", finish_reason="completed")),
        _at(1.6, E.RunEnd()),
    ]


def _nested_in_tool() -> dict[str, Any]:
    """The sub-agent started inside the tool call (its scope is the call): one level deeper."""
    events = _nested_events()
    for ev in events[6:14]:
        if ev.parent is None:
            ev.parent = "call_r"
    return _state(_fold(events))


def _costed() -> dict[str, Any]:
    state = _state(_weather())
    state["steps"][0]["cost_usd"] = 0.0123
    state["steps"][2]["cost_usd"] = 0.5
    return state


def _plain_text() -> dict[str, Any]:
    return _state(
        _fold(
            [
                _at(0, E.RunStart()),
                _at(0.2, E.MessageStart(message_id="m")),
                _at(0.2, E.TextDelta(message_id="m", delta="hi")),
                _at(0.5, E.RunEnd()),
            ]
        )
    )


def _cancelled() -> dict[str, Any]:
    events = _nested_events()[:9]
    events.append(_at(0.7, E.RunEnd(reason="cancelled")))
    return _state(_fold(events))


def make_cases() -> list[dict[str, Any]]:
    """The fixture's states and ``now``s, each with the rows and axis this module computes."""
    weather_events = list(nbagent.load(demo.recording("weather")))
    parallel = next(
        i for i, ev in enumerate(weather_events) if ev.kind == "step_start" and ev.name == "tools"
    )
    during_tools = weather_events[parallel].ts + 0.1
    cases: list[dict[str, Any]] = [
        {"name": "weather demo, ended", "state": _state(_weather()), "now": None},
        {"name": "weather demo, parallel tools running", "now": during_tools},
        {"name": "weather demo, first model call streaming", "now": weather_events[10].ts},
        {"name": "a sub-agent beside its tool call", "state": _state(_fold(_nested_events()))},
        {"name": "a sub-agent inside its tool call", "state": _nested_in_tool()},
        {"name": "cancelled mid sub-agent", "state": _cancelled()},
        {"name": "costs per step", "state": _costed()},
        {"name": "plain text: no timing rows", "state": _plain_text()},
        {"name": "hostile names", "state": _state(_fold(_nested_events(HOSTILE, HOSTILE)))},
    ]
    cases[1]["state"] = _state(_weather(parallel + 1))
    cases[2]["state"] = _state(_weather(11))
    # Saved before steps had a ``type``: the tool round is told from its timing. Those states
    # measured a step's output in characters, not deltas (issue 49).
    for name in ("weather demo, ended", "weather demo, parallel tools running"):
        old = json.loads(json.dumps(next(c for c in cases if c["name"] == name)))
        for step in old["state"]["steps"]:
            step.pop("type", None)
            step["output_chars"] = step.pop("output_deltas")
        cases.append(old | {"name": f"{name}, steps without a type"})
    # A tool call that failed: its own colour, and the legend says "failed".
    failed = json.loads(json.dumps(cases[0]))
    tool = next(b for b in failed["state"]["blocks"] if b["type"] == "tool")
    tool["state"], tool["is_error"] = "error", True
    cases.append(failed | {"name": "a failed tool call"})
    # Clocks that disagree (a run's start 30 years before its steps): still a few ticks.
    far = json.loads(json.dumps(cases[0]))
    far["state"]["started_at"] -= 1e9
    cases.append(far | {"name": "a start 30 years before the steps"})
    for case in cases:
        case.setdefault("now", None)
        rows = timeline_rows(case["state"], case["now"])
        case["rows"] = rows
        case["cells"] = [row_cells(r) for r in rows]
        case["axis"] = timeline_axis(rows) if rows else None
        case["legend"] = timeline_legend(rows)
    return cases


CASES = json.loads(FIXTURE_PATH.read_text("utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_fixture_rows(case: dict[str, Any]) -> None:
    rows = timeline_rows(case["state"], case["now"])
    assert rows == case["rows"]
    assert [row_cells(r) for r in rows] == case["cells"]
    assert (timeline_axis(rows) if rows else None) == case["axis"]
    assert timeline_legend(rows) == case["legend"]


def test_the_axis_has_at_most_six_ticks_however_long_the_span() -> None:
    for case in CASES:
        assert case["axis"] is None or 2 <= len(case["axis"]["ticks"]) <= 6, case["name"]


def test_the_fixture_is_what_the_states_make() -> None:
    made = json.loads(json.dumps(make_cases()))
    assert made == CASES, "run: python -m tests.test_timeline"


def _by_id(rows: list[Any]) -> dict[str, Any]:
    return {r["id"]: r for r in rows}


def test_a_replayed_demo_gives_model_calls_and_overlapping_parallel_tools() -> None:
    t = _weather()
    rows = timeline_rows(t.to_dict())
    assert [(r["kind"], r["label"]) for r in rows] == [
        ("model", "demo-model"),
        ("tool", "get_weather"),
        ("tool", "get_weather"),
        ("model", "demo-model"),
    ]
    paris, oslo = rows[1], rows[2]
    assert paris["start"] < oslo["end"]
    assert oslo["start"] < paris["end"]
    assert paris["duration"] == t.to_dict()["blocks"][1]["duration_s"]
    assert (rows[0]["tokens_in"], rows[0]["tokens_out"]) == (334, 48)
    steps = t.to_dict()["steps"]
    assert rows[3]["end"] == pytest.approx(steps[2]["ended_at"] - t.to_dict()["started_at"])
    # The tool round (a step of its own) is no model call: its calls are the rows.
    assert "tools-1" not in _by_id(rows)
    # nbagent.replay() re-stamps the events from now: the rows, offsets from the run's start,
    # are the recording's.
    replayed = timeline_rows(
        nbagent.replay(demo.recording("weather"), speed=0).wait(PATIENCE).to_dict()
    )
    assert [(r["id"], r["kind"], r["depth"], r["state"]) for r in replayed] == [
        (r["id"], r["kind"], r["depth"], r["state"]) for r in rows
    ]
    for got, want in zip(replayed, rows, strict=True):
        assert got["start"] == pytest.approx(want["start"], abs=1e-3)
        assert got["end"] == pytest.approx(want["end"], abs=1e-3)


def test_nesting_puts_a_sub_agent_and_its_calls_under_the_tool_that_started_it() -> None:
    rows = timeline_rows(_nested_in_tool())
    assert [(r["id"], r["depth"]) for r in rows] == [
        ("s1", 0),
        ("call_r", 0),
        ("agent-1", 1),
        ("a-s1", 2),
        ("call_in", 2),
        ("s2", 0),
    ]
    beside = timeline_rows(_state(_fold(_nested_events())))
    assert [(r["id"], r["depth"]) for r in beside][2:5] == [
        ("agent-1", 0),
        ("a-s1", 1),
        ("call_in", 1),
    ]


def test_live_rows_end_at_now_and_grow() -> None:
    events = list(nbagent.load(demo.recording("weather")))
    t = _weather(11)
    state = t.to_dict()
    first = state["steps"][0]["started_at"]
    early = timeline_rows(state, first + 0.5)
    later = timeline_rows(state, first + 0.9)
    assert early[0]["state"] == later[0]["state"] == "running"
    assert later[0]["end"] - early[0]["end"] == pytest.approx(0.4)
    assert later[0]["duration"] > early[0]["duration"]
    # Without now a running row has no length; a replay's clock behind its stamps: no less.
    assert timeline_rows(state)[0]["end"] == timeline_rows(state)[0]["start"]
    assert timeline_rows(state, events[0].ts - 5)[0]["end"] == early[0]["start"]


def test_a_cancelled_run_closes_its_open_rows_at_its_end() -> None:
    rows = _by_id(timeline_rows(_cancelled()))
    assert rows["agent-1"]["state"] == rows["a-s1"]["state"] == "cancelled"
    assert rows["call_in"]["state"] == "cancelled"
    assert rows["agent-1"]["end"] == pytest.approx(0.7)


def test_cost_shows_per_row_and_unknown_is_a_dash() -> None:
    cells = [row_cells(r)["cost"] for r in timeline_rows(_costed())]
    assert cells == ["$0.012", "—", "—", "$0.500"]


def test_no_timing_means_no_timeline_in_the_copies() -> None:
    state = _plain_text()
    assert timeline_rows(state) == []
    assert timeline_html(state) == ""
    assert timeline_markdown(state, str) == ""
    assert "Timeline" not in to_html(state)
    assert "Timeline" not in to_markdown(state)


# Numbers, and the constants of timeline.py: no text of the run.
_ATTR = re.compile(
    r"^(?:-?[0-9.]+|[MV0-9 .]+|[0-9 .]+|#[0-9a-f]{6}|[a-zA-Z-]+|http://www\.w3\.org/2000/svg)$"
)


def _svg_of(page: str) -> ET.Element:
    m = re.search(r"<svg.*?</svg>", page, re.S)
    assert m, page
    return ET.fromstring(m.group(0))


def test_the_export_draws_the_rows_and_hostile_names_stay_text() -> None:
    state = _fold(_nested_events(HOSTILE, HOSTILE)).to_dict()
    page = to_html(state)
    assert "<script>" not in page
    assert "onload=x" not in page.replace("&quot;onload=x", "")
    svg = _svg_of(page)
    for el in svg.iter():
        for name, value in el.attrib.items():
            assert _ATTR.match(value), (el.tag, name, value)
            assert HOSTILE not in value
    texts = [el.text for el in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts.count(HOSTILE) == 2  # the tool call and the sub-agent, as text
    rects = list(svg.iter("{http://www.w3.org/2000/svg}rect"))
    legend = timeline_legend(timeline_rows(state))
    assert legend == ["model call", "tool call", "sub-agent"]
    # A bar per row, a swatch per colour the legend names.
    assert len(rects) == len(timeline_rows(state)) + len(legend) == 6 + 3
    # The table: label, start, duration, tokens, cost per row.
    table = re.search(r"<table>.*?</table>", page.split("<svg")[1], re.S)
    assert table
    assert table.group(0).count("<tr>") == 7
    assert "in 10 · out 5 tokens" in table.group(0)
    assert html_unescaped_count(table.group(0)) == 2


def html_unescaped_count(fragment: str) -> int:
    import html

    return html.unescape(fragment).count(HOSTILE)


def test_bars_are_placed_by_their_times() -> None:
    state = _state(_weather())
    svg = _svg_of(timeline_html(state))
    rects = list(svg.iter("{http://www.w3.org/2000/svg}rect"))
    rects.sort(key=lambda r: float(r.get("y", "")))  # grouped by kind: back to row order
    xs = [(float(r.get("x", "")), float(r.get("width", ""))) for r in rects]
    (x1, w1), (x2, w2) = xs[1], xs[2]
    assert x1 < x2 + w2
    assert x2 < x1 + w1
    assert xs[3][0] > xs[0][0] + xs[0][1]  # the second model call after the first


def test_the_markdown_copy_has_the_table_with_hostile_names_escaped() -> None:
    state = _fold(_nested_events(HOSTILE, HOSTILE)).to_dict()
    md = to_markdown(state)
    section = md.split("<summary>Timeline</summary>")[1]
    assert "<script>" not in section
    assert section.count("| Step | Start | Duration | Tokens | Cost |") == 1
    assert "| — |" in section


if __name__ == "__main__":
    FIXTURE_PATH.write_text(
        json.dumps(make_cases(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def test_an_agent_used_as_a_tool_nests_its_calls_under_that_tool_call() -> None:
    """A real nbagent.Agent run (the openai client against scripted servers): the researcher
    agent's model calls and tool call are one level under the outer run's tool call."""
    from tests.test_agent_nested import nested_run

    _, t, _, _ = nested_run()
    rows = timeline_rows(t.to_dict())
    assert [(r["kind"], r["id"], r["depth"]) for r in rows] == [
        ("model", "model-1", 0),
        ("tool", "call_1", 0),
        ("model", "call_1/model-1", 1),
        ("tool", "call_1/call_1", 1),
        ("model", "call_1/model-2", 1),
        ("model", "model-2", 0),
    ]
    outer_tool, inner = rows[1], rows[2:5]
    assert all(outer_tool["start"] <= r["start"] <= r["end"] <= outer_tool["end"] for r in inner)
    assert rows[0]["label"] == rows[5]["label"] == "outer-model"
