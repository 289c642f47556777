"""The demo recordings shipped in nbagent/demo/: what they hold, and that tests/record_demos.py
(nbagent.Agent against a scripted server) still makes them."""

from __future__ import annotations

import itertools
import statistics
from pathlib import Path

import pytest

import nbagent
from nbagent import Transcript, demo
from nbagent.core.events import TextDelta
from tests.record_demos import MODELS, record


def shipped(name: str) -> Transcript:
    return Transcript.from_events(nbagent.load(demo.recording(name)))


def test_every_demo_has_its_recording_and_model() -> None:
    assert set(demo.DEMOS) == set(MODELS)
    for name in demo.DEMOS:
        t = shipped(name)
        assert t.status == "completed", name
        assert t.title == demo.DEMOS[name].title
    with pytest.raises(KeyError, match="demos: weather"):
        demo.recording("nope")


def test_weather_thinks_then_calls_two_tools_in_parallel() -> None:
    t = shipped("weather")
    kinds = [b["type"] for b in t.blocks]
    assert kinds[:3] == ["thinking", "tool", "tool"]
    assert "two independent lookups" in t.thinking
    assert [(c.name, c.args) for c in t.tool_calls] == [
        ("get_weather", {"city": "Paris", "unit": "C"}),
        ("get_weather", {"city": "Oslo", "unit": "C"}),
    ]
    assert not any(c.is_error for c in t.tool_calls)
    # The answer quotes what the tool really returned.
    assert t.tool_calls[1].result == demo.get_weather("Oslo")
    assert "| Oslo | -2 °C | light snow | 20 km/h | 60 % |" in t.text
    assert "```python\nfrom nbagent.demo import get_weather" in t.text
    assert len(t.steps) == 3  # model, tools, model


def test_failing_tool_is_an_error_the_agent_recovers_from() -> None:
    t = shipped("failing_tool")
    failed, listed, computed = t.tool_calls
    assert failed.is_error
    assert failed.result == "FileNotFoundError: [Errno 2] No such file: 'sales_q3.csv'"
    block = next(b for b in t.blocks if b["type"] == "tool")
    assert 'File "nbagent/demo/__init__.py"' in block["traceback"]  # no local path shipped
    assert listed.result == ["sales_2024_q2.csv", "sales_2024_q3.csv"]
    assert not computed.is_error
    assert computed.result == demo.revenue_by_region("sales_2024_q3.csv")
    assert "| **Total** | **20,510.00** | |" in t.text


def test_markdown_is_long_with_code_and_a_table() -> None:
    t = shipped("markdown")
    assert len(t.text) > 2000
    assert t.text.count("```python") == 5
    assert "| One task fails | the others keep running | the others are cancelled |" in t.text
    assert t.thinking
    assert t.tool_calls == []


def test_recordings_are_paced_like_a_model() -> None:
    for name in demo.DEMOS:
        events = list(nbagent.load(demo.recording(name)))
        t = Transcript.from_events(events)
        assert t.ttft_s is not None
        assert 0.3 < t.ttft_s < 2, name
        stamps = [e.ts for e in events if isinstance(e, TextDelta)]
        gaps = [b - a for a, b in itertools.pairwise(stamps)]
        assert 0.008 < statistics.median(gaps) < 0.06, name


@pytest.mark.parametrize("name", list(MODELS))
def test_the_script_still_makes_the_shipped_recording(name: str, tmp_path: Path) -> None:
    made = record(name, tmp_path / f"{name}.jsonl", paced=False).transcript
    expected = shipped(name)
    assert made.text == expected.text
    assert made.thinking == expected.thinking
    assert [(c.name, c.args, c.result, c.is_error) for c in made.tool_calls] == [
        (c.name, c.args, c.result, c.is_error) for c in expected.tool_calls
    ]
    assert made.usage == expected.usage
