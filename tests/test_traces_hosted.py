"""``nbagent.load_trace`` on the hosted tools' exports (tests/fixtures/traces/README.md): three
public Langfuse traces (Pydantic AI, the OpenAI Agents SDK, Google ADK) and the LangSmith run
tree the ``langsmith`` SDK posted (as a list, nested, and as its batch bodies). The checks a
user must see: the answer, every tool call (name, arguments, result or error, in order, the
file's ids), sub-agents nested by their parent links, usage and cost totals, the file's times
to the millisecond, events in time order. Kernel-free; no socket opened."""

from __future__ import annotations

import json

import pytest

from tests.traces import FIXTURES, by_name, calls, loaded, ms, steps, text_blocks


def _iso_ms(start: str, end: str) -> int:
    """The milliseconds between two of Langfuse's times (``...:22.049Z``)."""

    def at(text: str) -> int:
        hms = text[11:23]
        h, m, s = hms.split(":")
        return round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)

    return at(end) - at(start)


def test_langfuse_pydantic_ai_tools() -> None:
    run, t = loaded("langfuse/public/pydantic-ai-tools-2025-12-04.json")
    assert run.trace_format == "langfuse"
    assert t.status == "completed"
    assert t.run_id == "7a38edd8123db47ad8dcb8aa4c5e3926"
    texts = [b["text"] for b in text_blocks(t)]
    assert texts[-1] == "Why do programmers hate nature?  \nIt has too many bugs!"
    assert [(c.id, c.name) for c in calls(t)] == [
        ("call_X0OSgjUukT5inyEQvuZQnHrk", "get_pun_suggestion"),
        ("call_WxZcCvSDhGT4RJHlcU01k10x", "get_dad_joke_suggestion"),
        ("call_aRaObiWKKt6GzgDkkUl3bu1Q", "get_one_liner_suggestion"),
        ("call_ZuzwalMMtvv9BC6xlVe3fiBP", "final_result"),  # pydantic-ai's output tool
    ]
    tools = by_name(t)
    assert all(tools[n].args == {"topic": "programming"} for n in list(tools)[:3])
    assert tools["get_pun_suggestion"].result == (
        "Pun idea: Play on words related to 'programming' - think about homophones or double "
        "meanings"
    )
    assert tools["final_result"].args["quality"] == "good"
    # The tools' own times: their observations' (6, 5 and 5 ms).
    assert [ms(tools[n].duration_s) for n in list(tools)[:3]] == [6, 5, 5]
    # Usage and cost: the sum of the four generations' usageDetails and costDetails.
    assert (t.usage.input_tokens, t.usage.output_tokens) == (
        265 + 417 + 502 + 131,
        73 + 53 + 14 + 69,
    )
    assert t.to_dict()["cost_usd"] == pytest.approx(
        8.355e-05 + 9.435e-05 + 8.37e-05 + 6.1049999e-05
    )
    # Every observation a step, by its id, with its times; SPANs of no GenAI role plain steps.
    by_id = {s["id"]: s for s in steps(t)}
    assert len(by_id) == 9
    assert by_id["00d3f40ee8e3b716"]["name"] == "run_joke_generator"
    assert by_id["00d3f40ee8e3b716"]["type"] == "node"
    assert ms(by_id["00d3f40ee8e3b716"]["ended_at"] - by_id["00d3f40ee8e3b716"]["started_at"]) == (
        _iso_ms("2025-12-04T14:51:22.049Z", "2025-12-04T14:51:29.473Z")
    )
    assert by_id["be64c23f44dd98be"]["cost_usd"] == pytest.approx(8.355e-05)
    users = [b["text"] for b in t.to_dict()["blocks"] if b["type"] == "user"]
    assert users[1].startswith("Now write a funny joke about 'programming'")
    stamps = [ev.ts for ev in run.events]
    assert stamps == sorted(stamps)


def test_langfuse_openai_agents() -> None:
    """OpenInference's spans of the Agents SDK: the workflow around its one agent is a plain
    step, the agent the run (its answer the run's)."""
    _, t = loaded("langfuse/public/openai-agents-2025-09-30.json")
    assert t.status == "completed"
    assert t.text == (
        "The weather in Tokyo is currently sunny. If you need more details like temperature or "
        "forecast for the upcoming days, just let me know!"
    )
    (call,) = calls(t)
    assert (call.id, call.name, call.args) == (
        "call_Kud0j0DxWSmLzv9W5m6qVqXn",
        "get_weather",
        {"city": "Tokyo"},
    )
    assert call.result == "The weather in Tokyo is sunny."
    assert (t.usage.input_tokens, t.usage.output_tokens) == (55 + 85, 15 + 29)
    assert t.to_dict()["cost_usd"] == pytest.approx(0.00023 + 0.000402)
    assert [s["id"] for s in steps(t)] == [
        "e5a76f27f51ad40e",
        "98870087af69bf06",
        "90d94774e8e3724d",
    ]
    assert t.to_dict()["blocks"][0]["text"] == "What's the weather in Tokyo?"


def test_langfuse_google_adk() -> None:
    """Google ADK runs its tool inside the model call's span: one call, with its own id."""
    _, t = loaded("langfuse/public/google-adk-2025-08-28.json")
    assert t.text == "Hello Langfuse \U0001f44b!\n"
    (call,) = calls(t)
    assert (call.id, call.name, call.args) == (
        "adk-8bd8dc65-717d-4102-858b-3a1dd6b75a00",
        "say_hello",
        {},
    )
    assert call.result["response"] == {"greeting": "Hello Langfuse \U0001f44b"}
    assert (t.usage.input_tokens, t.usage.output_tokens) == (28 + 39, 3 + 6)
    assert t.to_dict()["cost_usd"] == pytest.approx(4e-06 + 6.3e-06)
    assert [s.get("finish_reason") for s in steps(t)] == [None, "completed", "completed"]


LANGSMITH_CALLS = [
    "call__0_get_weather_cmpl-b77644a7-e432-4560-9707-53a2a6053d49",
    "call__0_lookup_order_cmpl-e4f84f7e-b533-4774-9cf5-2979479fa788",
    "call__0_ask_researcher_cmpl-8e97dc1b-7f33-4bcc-8277-0d043444aa1f",
]
ANSWER = (
    'A: A.S.\nThe "A-1720" is a rare and highly sought-after 3D printed model of the A-172 '
    "aircraft, which was released in 2018 by the Air & Space Museum."
)


@pytest.mark.parametrize("name", ["runs.json", "run_tree.json", "batches.json"])
def test_langsmith_run_tree(name: str) -> None:
    run, t = loaded(f"langsmith/{name}")
    assert run.trace_format == "langsmith"
    assert t.status == "completed"
    assert t.run_id == "01a22567-a38e-7694-aaa8-3c637aad6155"
    assert t.title == "travel_assistant"
    assert t.text == ANSWER
    assert [c.id for c in calls(t)] == LANGSMITH_CALLS
    weather, order, researcher = calls(t)
    assert weather.name == "get_weather"
    assert weather.args == {"city": "Paris"}
    assert weather.result == {"city": "Paris", "temperature_c": 18, "sky": "light rain"}
    # The streamed call's name as wrap_openai accumulated it (the tool run's: lookup_order).
    assert order.name == "lookup_order" * 14
    assert order.args == {"order_id": "A-1720"}
    assert order.is_error
    assert order.result == "ToolError: order 'A-1720' not found: the order service knows no such id"
    assert researcher.name == "ask_researcher"
    assert researcher.result == ANSWER
    nested = [s["id"] for s in steps(t) if s.get("parent") == researcher.id]
    assert nested == ["01a22567-d203-7304-9bc4-5dcab8814cb5"]
    assert (t.usage.input_tokens, t.usage.output_tokens) == (165, 29)
    first = steps(t)[0]
    assert first["id"] == "01a22567-a3ea-7084-a607-8358069e9fb6"
    assert ms(first["ended_at"] - first["started_at"]) == 554  # 03:44:38.890246 → 39.443967
    assert ms(order.duration_s) == 1  # 03:44:45.332925 → 45.334289
    d = t.to_dict()
    assert ms(d["ended_at"] - d["started_at"]) == 32097  # 03:44:38.798429 → 45:10.895701
    stamps = [ev.ts for ev in run.events]
    assert stamps == sorted(stamps)


def test_cache_reads_and_writes_of_the_hosted_exports_are_counted() -> None:
    """A Langfuse generation's ``usageDetails`` and a LangSmith run's ``usage_metadata`` say
    the prompt-cache reads and writes of their call: both reach the run's usage."""
    trace = json.loads((FIXTURES / "langfuse/public/openai-agents-2025-09-30.json").read_text())
    for obs in trace["observations"]:
        if obs["type"] == "GENERATION":
            obs["usageDetails"].update({"prompt_details.cache_read": 40, "input_cache_creation": 7})
    _, t = loaded(trace)
    generations = sum(o["type"] == "GENERATION" for o in trace["observations"])
    assert (t.usage.cached_input_tokens, t.usage.cache_write_tokens) == (
        40 * generations,
        7 * generations,
    )
    runs = json.loads((FIXTURES / "langsmith/runs.json").read_text())
    models = 0
    for run in runs:
        said = [
            where["usage_metadata"]
            for where in ((run.get("extra") or {}).get("metadata"), run.get("outputs"))
            if isinstance(where, dict) and where.get("usage_metadata")
        ]
        for usage in said:
            usage["input_token_details"] = {"cache_read": 20, "cache_creation": 5}
        models += bool(said)
    _, t = loaded(runs)
    assert models
    assert (t.usage.cached_input_tokens, t.usage.cache_write_tokens) == (20 * models, 5 * models)
