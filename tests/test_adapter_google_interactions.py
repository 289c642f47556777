"""The google-interactions adapter (Gemini's Interactions API): the fixtures of
``tests/fixtures/google-interactions`` (written from the API's documented wire, each event's
fields checked against the google-genai SDK's types) as dicts, JSON lines and SSE frames,
through the pipeline to the transcript; the shapes the fixtures do not have. The SDK's own
stream against a local server: ``tests/frameworks/test_google_interactions.py``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nbagent.adapters import GoogleInteractionsAdapter, detect_format
from nbagent.adapters.base import ServerSentEvent
from nbagent.core.events import (
    Custom,
    ErrorEvent,
    Event,
    Media,
    RunEnd,
    StepStart,
    ToolCallStart,
)
from nbagent.transcript.transcript import Transcript
from tests.adapter_harness import fixture_items, fixture_lines, fold

FIXTURES = Path(__file__).parent / "fixtures" / "google-interactions"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.jsonl"))


def items(name: str) -> list[Any]:
    return fixture_items(FIXTURES / f"{name}.jsonl")


def sse(name: str) -> list[ServerSentEvent]:
    """The fixture as ``nbagent.sse`` gives it: each event named by its type, ``done`` last."""
    out = []
    for line in fixture_lines(FIXTURES / f"{name}.jsonl"):
        event = "done" if line == "[DONE]" else json.loads(line)["event_type"]
        out.append(ServerSentEvent(data=line, event=event))
    return out


def read(source: list[Any]) -> tuple[Transcript, list[Event]]:
    _, events = fold(GoogleInteractionsAdapter(), source)
    return Transcript.from_events(events), events


USAGE = ("input_tokens", "output_tokens", "total_tokens", "reasoning_tokens", "cached_input_tokens")


def summary(t: Transcript, events: list[Event]) -> dict[str, Any]:
    """What a fixture's ``.expected.json`` says of the run."""
    d = t.to_dict()
    end = events[-1]
    assert isinstance(end, RunEnd)
    error = d["error"]
    keys = ("id", "name", "args", "result", "is_error")
    return {
        "text": t.text,
        "thinking": t.thinking,
        "tools": [{k: getattr(c, k) for k in keys} for c in t.tool_calls],
        "usage": {k: (d["usage"] or {}).get(k) for k in USAGE},
        "end_reason": end.reason,
        "raw_reason": end.raw_reason,
        "error": None if error is None else {"message": error["message"], "code": error["code"]},
        "run_id": events[0].run_id,
        "model": d["model"],
    }


def created(interaction_id: str, **more: Any) -> dict[str, Any]:
    interaction = {"id": interaction_id, "status": "in_progress", **more}
    return {"event_type": "interaction.created", "interaction": interaction}


def completed(interaction_id: str, status: str = "completed") -> dict[str, Any]:
    interaction = {"id": interaction_id, "status": status}
    return {"event_type": "interaction.completed", "interaction": interaction}


def one_step(step: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"event_type": "step.start", "index": 0, "step": step},
            {"event_type": "step.stop", "index": 0}]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_fixture(name: str) -> None:
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text())
    lines = fixture_lines(FIXTURES / f"{name}.jsonl")
    assert detect_format(items(name)[0]) == "google-interactions"
    for source in (items(name), lines, sse(name)):
        t, events = read(source)
        assert summary(t, events) == expected


def test_thinking_keeps_its_signature_and_a_step_names_its_agent() -> None:
    _, events = read(items("text_thinking"))
    ends = [e for e in events if e.kind == "message_end" and e.channel == "thinking"]  # type: ignore[attr-defined]
    assert [e.signature for e in ends] == ["RXVjbGlkIHNpZ25hdHVyZQ=="]  # type: ignore[attr-defined]
    _, events = read([created("v1_a", agent="deep-research")])
    assert [(e.step_id, e.name) for e in events if isinstance(e, StepStart)] == [
        ("v1_a", "deep-research")
    ]


def test_server_and_mcp_calls_say_who_runs_them() -> None:
    _, events = read(items("search_then_function") + items("mcp_and_image")[:3])
    starts = [(e.name, e.executor, e.server) for e in events if isinstance(e, ToolCallStart)]
    assert starts[:2] == [("google_search", "server", None), ("get_weather", None, None)]
    _, events = read(items("mcp_and_image"))
    (mcp,) = [e for e in events if isinstance(e, ToolCallStart)]
    assert (mcp.name, mcp.executor, mcp.server) == ("get_forecast", "server", "weather")
    (image,) = [e for e in events if isinstance(e, Media)]  # the model's image, where it came
    assert (image.mime, image.data) == ("image/png", "iVBORw0KGgo=")


def test_each_hop_of_a_continued_interaction_is_a_step() -> None:
    _, events = read(items("continuation"))
    steps = [(e.step_id, e.kind) for e in events if e.kind in ("step_start", "step_end")]
    assert steps == [("v1_h1", "step_start"), ("v1_h1", "step_end"), ("v1_h2", "step_start"),
                     ("v1_h2", "step_end")]  # fmt: skip
    _, events = read(items("paused"))
    end = events[-1]
    assert isinstance(end, RunEnd)
    (note,) = [e.value for e in events if isinstance(e, Custom) and e.name == "note"]
    assert "continuation_token" in note["text"]
    t, _ = read(items("paused"))
    assert [b["title"] for b in t.blocks if b["type"] == "note"] == [note["title"]]


def test_a_stream_resumed_mid_step_goes_on() -> None:
    """The SDK reconnects to the same interaction: its ``interaction.created`` again, then
    deltas of a step whose start came before the drop (or never: a stream read from its
    middle)."""
    text = [{"event_type": "step.delta", "index": 0, "delta": {"type": "text", "text": t}}
            for t in ("Chunk 1 ", "Chunk 2 ", "Chunk 3")]  # fmt: skip
    again = created("int_1")
    t, events = read([again, text[0], text[1], again, text[2], completed("int_1")])
    assert t.text == "Chunk 1 Chunk 2 Chunk 3"
    assert [e.step_id for e in events if isinstance(e, StepStart)] == ["int_1"]
    t, events = read(text[1:])  # no interaction.created at all
    assert (t.text, events[-1].reason) == ("Chunk 2 Chunk 3", "incomplete")  # type: ignore[attr-defined]


def test_a_status_update_that_ends_the_interaction_ends_the_run() -> None:
    """An interaction cancelled (or failed) says so in a status update, and the stream stops
    with no ``interaction.completed``."""
    text = {"event_type": "step.delta", "index": 0, "delta": {"type": "text", "text": "Hal"}}
    cancelled = {
        "event_type": "interaction.status_update",
        "interaction_id": "i",
        "status": "cancelled",
    }
    t, events = read([created("i"), text, cancelled])
    assert (t.text, events[-1].reason, events[-1].raw_reason) == ("Hal", "cancelled", "cancelled")  # type: ignore[attr-defined]
    paused = {**cancelled, "status": "requires_continuation"}
    _, events = read([created("i"), text, paused])
    assert events[-1].reason == "interrupted"  # type: ignore[attr-defined]
    working = {**cancelled, "status": "in_progress"}
    _, events = read([created("i"), text, working])
    assert events[-1].reason == "incomplete"  # type: ignore[attr-defined]


def test_a_result_whose_call_came_earlier_names_it() -> None:
    """A ``function_result`` (or a server tool's result) whose call was in an earlier
    interaction: the call is shown whole first, named, not blank."""
    start = {"event_type": "step.start", "index": 0,
             "step": {"type": "function_result", "call_id": "f9", "name": "get_time",
                      "result": {"time": "12:00"}}}  # fmt: skip
    t, _ = read([start, {"event_type": "step.stop", "index": 0}])
    assert [(c.id, c.name, c.result) for c in t.tool_calls] == [
        ("f9", "get_time", {"time": "12:00"})
    ]
    start = {"event_type": "step.start", "index": 0,
             "step": {"type": "url_context_result", "call_id": "u1", "is_error": True}}  # fmt: skip
    t, _ = read([start, {"event_type": "step.stop", "index": 0}])
    assert [(c.name, c.is_error) for c in t.tool_calls] == [("url_context", True)]


def test_what_it_cannot_read_is_kept() -> None:
    odd = [
        {"event_type": "step.start", "index": 0, "step": {"type": "user_input", "content": []}},
        {"event_type": "step.delta", "index": 1, "delta": {"type": "hologram", "x": 1}},
        {"event_type": "interaction.teleported", "x": 2},
    ]
    t, events = read([created("i"), *odd])
    names = [e.name for e in events if isinstance(e, Custom)]
    assert names == ["google.user_input", "google.hologram", "google.interaction.teleported"]
    assert (t.to_dict()["status"], events[-1].reason) == ("error", "incomplete")  # type: ignore[attr-defined]


def test_an_error_first_and_nothing_at_all() -> None:
    error = {"event_type": "error", "error": {"code": "invalid_request", "message": "bad model"}}
    assert detect_format(error) == "google-interactions"
    _, events = read([error])
    assert [type(e).__name__ for e in events][-2:] == ["ErrorEvent", "RunEnd"]
    assert [e.message for e in events if isinstance(e, ErrorEvent)] == ["bad model"]
    _, events = read([])
    assert events[-1].reason == "incomplete"  # type: ignore[attr-defined]
