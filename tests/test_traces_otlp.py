"""``nbagent.load_trace`` on the OTLP/JSON files the real instrumentations wrote
(tests/fixtures/traces/README.md): the GenAI conventions' spans (one export request per line,
and one per file), their log events alone, and OpenInference's spans. Each check is one of the
list a user must see: the answer, every tool call (name, arguments, result or error, in
order, the file's ids), the sub-agent nested under the call that ran it, usage totals, the
file's times to the millisecond, events in time order. Kernel-free; no socket opened."""

from __future__ import annotations

import pytest

from tests.traces import by_name, calls, loaded, ms, steps, text_blocks

ANSWER = (
    'A: A.S.\nThe "A-1720" is a rare and highly sought-after 3D printed model of the A-172 '
    "aircraft, which was released in 2018 by the Air & Space Museum."
)
PROMPT = "What is the weather in Paris today, and where is my order A-17?"
NOT_FOUND = "order 'A-1720' not found: the order service knows no such id"

GENAI_CALLS = [
    ("call__0_get_weather_cmpl-4c2b0b6a-a210-4470-b3c4-b42e15b49835", "get_weather"),
    ("call__0_lookup_order_cmpl-1231e9ce-37ff-40f4-89d7-71ed5860151f", "lookup_order"),
    ("call__0_ask_researcher_cmpl-97040b55-7119-4759-b1d6-488b59ee26c5", "ask_researcher"),
]
GENAI_STEPS = {  # span id: (start, end) in ns, as the file has them
    "802b5f17ef85fb42": (1795924434382215648, 1795924445736280695),
    "4fdb8b2a66024802": (1795924445737832659, 1795924452594797433),
    "9db45c2f02c4c2f1": (1795924452597383637, 1795924465071368129),
    "4ffe338c5dfc054e": (1795924465071691196, 1795924468740605237),
    "bd72649acec369fc": (1795924468743656491, 1795924475379418219),
}


def _ns_ms(start: int, end: int) -> int:
    return round((end - start) / 1e6)


@pytest.mark.parametrize("name", ["openai-v2.jsonl", "openai-v2.json"])
def test_genai_spans(name: str) -> None:
    run, t = loaded(f"otlp-genai/{name}")
    assert run.trace_format == "otlp"
    assert t.status == "completed"
    assert t.run_id == "7804d3cfbf042dfd82d3d572e2d45217"  # the trace's id
    assert t.title == "invoke_agent travel_assistant"
    assert t.text == ANSWER
    assert [(c.id, c.name) for c in calls(t)] == GENAI_CALLS
    tools = by_name(t)
    assert tools["get_weather"].args == {"city": "Paris"}
    assert tools["get_weather"].result == '{"city":"Paris","temperature_c":18,"sky":"light rain"}'
    assert not tools["get_weather"].is_error
    assert tools["lookup_order"].args == {"order_id": "A-1720"}
    assert tools["lookup_order"].is_error
    assert tools["lookup_order"].result == NOT_FOUND
    assert tools["ask_researcher"].args == {"question": "error: order 'A-1720' not found"}
    assert tools["ask_researcher"].result == ANSWER
    # The tools' own times: their execute_tool spans'.
    assert ms(tools["ask_researcher"].duration_s) == _ns_ms(
        1795924465071542496, 1795924468740792269
    )
    # The researcher sub-agent: its model call and its answer inside the call that ran it.
    researcher = GENAI_CALLS[2][0]
    nested = [s for s in steps(t) if s.get("parent") == researcher]
    assert [s["id"] for s in nested] == ["4ffe338c5dfc054e"]
    assert [b.get("parent") for b in text_blocks(t)] == [researcher, None]
    # Usage: the model calls' (the streamed calls had none: llama.cpp sends none).
    assert (t.usage.input_tokens, t.usage.output_tokens) == (165, 29)
    # The span ids are the steps' ids; their times the file's, to the millisecond.
    assert {s["id"]: (ms(s["ended_at"] - s["started_at"])) for s in steps(t)} == {
        sid: _ns_ms(*times) for sid, times in GENAI_STEPS.items()
    }
    d = t.to_dict()
    assert ms(d["ended_at"] - d["started_at"]) == _ns_ms(1795924434381291180, 1795924475379662152)
    assert d["blocks"][0] == {"type": "user", "id": "user:1", "text": PROMPT}
    stamps = [ev.ts for ev in run.events]
    assert stamps == sorted(stamps)


def test_genai_log_events_alone() -> None:
    """The model calls' events (log records, content in their attributes): each call a step at
    its time with its output, the tools' results read from the next call's input."""
    _run, t = loaded("otlp-genai/openai-v2.logs.jsonl")
    assert t.status == "completed"
    assert t.text.endswith(ANSWER)
    assert [(c.id, c.name) for c in calls(t)] == GENAI_CALLS
    tools = by_name(t)
    assert (
        tools["get_weather"].result == '{"city": "Paris", "temperature_c": 18, "sky": "light rain"}'
    )
    assert tools["lookup_order"].result == f"Error: {NOT_FOUND}"
    assert [s["id"] for s in steps(t)] == list(GENAI_STEPS)
    assert (t.usage.input_tokens, t.usage.output_tokens) == (165, 29)


OI_CALLS = [
    ("call__0_get_weather_cmpl-c9066cc7-f815-490b-b719-1cd762bb9456", "get_weather"),
    ("lookup_order", "lookup_order"),  # the streamed call's id: checked apart (below)
    ("call__0_ask_researcher_cmpl-5cf05c38-28ad-439d-a3b4-c8486b7a2518", "ask_researcher"),
]


@pytest.mark.parametrize("name", ["openinference.jsonl", "openinference.json"])
def test_openinference_spans(name: str) -> None:
    run, t = loaded(f"otlp-openinference/{name}")
    assert t.status == "completed"
    assert t.run_id == "3b755c0ac3a83d43baaa3eadf6dee7d9"
    assert t.title == "travel_assistant"
    assert t.text == ANSWER
    names = [c.name for c in calls(t)]
    assert names == [n for _, n in OI_CALLS]
    first, second, third = calls(t)
    assert first.id == OI_CALLS[0][0]
    assert third.id == OI_CALLS[2][0]
    # The instrumentation's streamed call: its id, as its accumulator wrote it, repeated.
    assert second.id.startswith("call__0_lookup_order_cmpl-b3adf179-58ef-4442-b1ce-e783f4f5aeaf")
    assert first.args == {"city": "Paris"}
    assert first.result == '{"city": "Paris", "temperature_c": 18, "sky": "light rain"}'
    assert second.args == {"order_id": "A-1720"}
    assert second.is_error
    assert second.result == f"ToolError: {NOT_FOUND}"
    assert third.result == ANSWER
    researcher_steps = [s["id"] for s in steps(t) if s.get("parent") == third.id]
    assert researcher_steps == ["7cd967f4f0369479"]
    assert (t.usage.input_tokens, t.usage.output_tokens) == (165, 29)
    by_id = {s["id"]: s for s in steps(t)}
    e5 = by_id["e5cf78410e74fe44"]
    assert ms(e5["ended_at"] - e5["started_at"]) == _ns_ms(1795924475664493318, 1795924476260324905)
    assert ms(second.duration_s) == _ns_ms(1795924490421332939, 1795924490422696622)
    stamps = [ev.ts for ev in run.events]
    assert stamps == sorted(stamps)


def test_the_demo_ships_the_genai_file_as_written() -> None:
    from nbagent import demo
    from tests.traces import FIXTURES

    shipped = demo.trace("otlp-genai").read_bytes()
    assert shipped == (FIXTURES / "otlp-genai" / "openai-v2.jsonl").read_bytes()
    with pytest.raises(KeyError, match="traces: otlp-genai"):
        demo.trace("nope")
