"""Cost per step and per run (issue 19, part C): ``nbagent.transcript.prices`` against
genai-prices' own
``calc_price`` on the same usage, ``nbagent.prices()`` overrides, what the reducer makes of
reported and priced costs (steps, the run, sub-agents), replays, and the exports' lines.

genai-prices needs Python 3.11: on 3.10 the tests of its table skip (overrides and reported
costs are tested there too)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import nbagent
import nbagent.core.events as E
from nbagent import Transcript
from nbagent.agent.agent import Agent
from nbagent.sources.files import load
from nbagent.transcript.export.status import step_lines
from nbagent.transcript.prices import step_cost
from tests.invariants import check_ops
from tests.servers import OpenAIServer, text_chunks
from tests.test_agent import calls_step, client_for, get_weather, off_loop
from tests.wait import PATIENCE

T0 = 1_767_225_600.0  # 2026-01-01 UTC: the prices in force then


def table() -> Any:
    return pytest.importorskip("genai_prices")


def table_price(model: str, provider: str, at: float = T0, **counts: int) -> float:
    """genai-prices' own figure for the same call."""
    gp = table()
    when = datetime.fromtimestamp(at, tz=timezone.utc)
    usage = gp.Usage(**counts)
    return float(
        gp.calc_price(usage, model, provider_id=provider, genai_request_timestamp=when).total_price
    )


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test here may reach beyond this machine (genai-prices must price from its bundled
    data; the scripted model server is local), and no override leaks out of a test."""
    connect = socket.socket.connect

    def local_only(sock: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost") and sock.family != socket.AF_UNIX:
            raise AssertionError(f"network use during a pricing test: {address!r}")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", local_only)
    nbagent.prices(None)
    yield
    nbagent.prices(None)


def usage(inp: int | None, out: int | None, cached: int | None = None) -> dict[str, Any]:
    return {"input_tokens": inp, "output_tokens": out, "cached_input_tokens": cached}


def run_events(*steps: tuple[str, list[E.Usage]], model: str | None = "gpt-4o") -> list[E.Event]:
    """A run of model steps, each with its usage events, one second apart."""
    out: list[E.Event] = [E.RunStart(model=model, ts=T0)]
    ts = T0
    for step_id, usages in steps:
        out.append(E.StepStart(step_id=step_id, name="model", ts=ts))
        out += usages
        out.append(E.StepEnd(step_id=step_id, finish_reason="stop", ts=ts + 1))
        ts += 2
    out.append(E.RunEnd(reason="completed", ts=ts))
    return out


# -- nbagent.transcript.prices ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "provider", "priced_by"),
    [
        ("gpt-4o", "openai", "openai"),
        ("gpt-4o-mini", None, "openai"),  # the one provider whose models the name matches
        ("claude-3-5-haiku-20241022", None, "anthropic"),
        ("gemini-2.5-flash", "google", "google"),
        ("claude-3-5-haiku-20241022", "bedrock", "aws"),
        ("openai/gpt-4o", None, "openai"),  # LiteLLM's name: the prefix is the provider
        ("anthropic:claude-sonnet-4-5", None, "anthropic"),  # pydantic-ai's
    ],
)
def test_a_known_model_costs_what_genai_prices_says(
    model: str, provider: str | None, priced_by: str
) -> None:
    got = step_cost(model, provider, usage(12_345, 678), T0)
    name = model.replace(":", "/").rpartition("/")[2]
    want = table_price(name, priced_by, input_tokens=12_345, output_tokens=678)
    assert got == (pytest.approx(want), "price table")
    assert want > 0


def test_cached_input_is_priced_at_the_cached_rate() -> None:
    # OpenAI counts cache reads inside the input; Anthropic apart from it.
    got = step_cost("gpt-4o", "openai", usage(10_000, 100, cached=8_000), T0)
    want = table_price(
        "gpt-4o", "openai", input_tokens=10_000, cache_read_tokens=8_000, output_tokens=100
    )
    assert got == (pytest.approx(want), "price table")
    full = table_price("gpt-4o", "openai", input_tokens=10_000, output_tokens=100)
    assert want < full
    got = step_cost("claude-sonnet-4-5", "anthropic", usage(2_000, 100, cached=8_000), T0)
    want = table_price(
        "claude-sonnet-4-5",
        "anthropic",
        input_tokens=10_000,
        cache_read_tokens=8_000,
        output_tokens=100,
    )
    assert got == (pytest.approx(want), "price table")


def test_reasoning_tokens_are_output() -> None:
    plain = step_cost("o3-mini", "openai", usage(1_000, 500), T0)
    with_reasoning = step_cost(
        "o3-mini", "openai", usage(1_000, 500) | {"reasoning_tokens": 400}, T0
    )
    want = table_price(
        "o3-mini", "openai", input_tokens=1_000, output_tokens=500, output_reasoning_tokens=400
    )
    assert with_reasoning == (pytest.approx(want), "price table")
    assert plain == with_reasoning  # part of the output, at its rate


def test_unknown_or_ambiguous_models_have_no_price() -> None:
    table()
    assert step_cost("demo-model", None, usage(100, 10), T0) is None
    assert step_cost("gpt-4o", "no-such-provider", usage(100, 10), T0) is None
    assert step_cost("gpt-4o", "openai", usage(None, None), T0) is None
    assert step_cost(None, "openai", usage(100, 10), T0) is None
    # Groq's model: no provider claims the name, so without one it is not guessed.
    assert step_cost("llama-3.1-8b-instant", None, usage(100, 10), T0) is None
    got = step_cost("llama-3.1-8b-instant", "groq", usage(100, 10), T0)
    assert got is not None
    assert got[0] == pytest.approx(
        table_price("llama-3.1-8b-instant", "groq", input_tokens=100, output_tokens=10)
    )


def test_overrides_win_match_by_prefix_and_reset() -> None:
    assert nbagent.prices() == {}
    now = nbagent.prices({"My-Model": {"input": 0.5, "output": 1.5, "cached_input": 0.05}})
    assert now == {"my-model": {"input": 0.5, "output": 1.5, "cached_input": 0.05}}
    got = step_cost("my-model", None, usage(1_000_000, 2_000_000, cached=400_000))
    assert got == (pytest.approx(0.6 * 0.5 + 0.4 * 0.05 + 2 * 1.5), "override")
    nbagent.prices({"gpt-4o*": {"input": 1, "output": 2}, "gpt-4o-mini": {"input": 3, "output": 4}})
    assert step_cost("gpt-4o-2024-08-06", "openai", usage(1_000_000, 0)) == (1.0, "override")
    assert step_cost("gpt-4o-mini", "openai", usage(1_000_000, 0)) == (3.0, "override")
    assert step_cost("my-model", None, usage(0, 1_000_000)) == (1.5, "override")  # kept
    assert nbagent.prices(reset=True, other={"input": 1, "output": 1}) == {
        "other": {"input": 1.0, "output": 1.0}
    }
    assert nbagent.prices(None) == {}
    assert step_cost("my-model", None, usage(1_000, 1_000)) is None
    with pytest.raises(ValueError, match="'input' and 'output'"):
        nbagent.prices({"x": {"input": 1}})
    with pytest.raises(ValueError, match="≥ 0"):
        nbagent.prices({"x": {"input": -1, "output": 1}})
    with pytest.raises(TypeError, match="must be a number"):
        nbagent.prices({"x": {"input": "1", "output": 1}})
    assert nbagent.prices() == {}


def test_genai_prices_is_imported_on_first_use_only() -> None:
    import subprocess
    import sys

    code = (
        "import sys, nbagent; from nbagent import Transcript; "
        "Transcript.from_events([]).to_dict(); print('genai_prices' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- the reducer ---------------------------------------------------------------------------


def test_steps_and_run_cost_from_the_table() -> None:
    events = run_events(
        ("s1", [E.Usage(input_tokens=1_000, output_tokens=100, cached_input_tokens=800)]),
        ("s2", [E.Usage(input_tokens=1_500, output_tokens=20, model="gpt-4o-mini")]),
    )
    t = check_ops(events)
    s1, s2 = t.steps
    want1 = table_price(
        "gpt-4o", "openai", input_tokens=1_000, cache_read_tokens=800, output_tokens=100
    )
    want2 = table_price("gpt-4o-mini", "openai", at=T0 + 2, input_tokens=1_500, output_tokens=20)
    assert (s1["model"], s1["cost_usd"], s1["cost_source"]) == (
        "gpt-4o",
        pytest.approx(want1),
        "price table",
    )
    assert (s2["model"], s2["cost_usd"]) == ("gpt-4o-mini", pytest.approx(want2))
    assert t.cost_usd == pytest.approx(want1 + want2)
    assert t.to_dict()["cost_usd"] == t.cost_usd
    assert Transcript.from_dict(json.loads(json.dumps(t.to_dict()))).to_dict() == t.to_dict()
    lines = step_lines(t.to_dict())
    assert lines[0].endswith(f"· ${want1:.4f} · stop")
    assert "$" in t.to_text().splitlines()[-3]  # the status line carries the run's cost


def test_a_step_without_a_price_makes_the_run_unknown() -> None:
    table()
    events = run_events(
        ("s1", [E.Usage(input_tokens=1_000, output_tokens=100)]),
        ("s2", [E.Usage(input_tokens=1_000, output_tokens=100, model="my-local-model")]),
    )
    t = check_ops(events)
    assert t.steps[0]["cost_usd"] > 0
    assert t.steps[1]["cost_usd"] is None
    assert "cost_source" not in t.steps[1]
    assert t.cost_usd is None
    state = t.to_dict()
    assert state["cost_usd"] is None  # it was known after step 1: the state says it no longer is
    assert step_lines(state)[1] == "step 2 · 1.00 s · in 1,000 · out 100 tokens · no price · stop"
    assert "$" not in t.to_text().splitlines()[-3]
    assert Transcript.from_dict(json.loads(json.dumps(state))).to_dict() == state


def test_an_unknown_model_shows_no_cost_and_older_states_stay_as_they_were() -> None:
    events = run_events(
        ("s1", [E.Usage(input_tokens=10, output_tokens=1)]),
        ("s2", [E.Usage(input_tokens=10, output_tokens=1)]),
        model="demo-model",
    )
    t = check_ops(events)
    assert [s["cost_usd"] for s in t.steps] == [None, None]
    assert "cost_usd" not in t.to_dict()
    assert step_lines(t.to_dict())[0].endswith("out 1 tokens · no price · stop")
    old = t.to_dict()
    for s in old["steps"]:
        del s["cost_usd"], s["model"]
    assert step_lines(old)[0] == "step 1 · 1.00 s · in 10 · out 1 tokens · stop"
    assert Transcript.from_dict(old).to_dict() == old


def test_overrides_price_the_steps() -> None:
    nbagent.prices({"demo-model": {"input": 1, "output": 10}})
    t = check_ops(
        run_events(("s1", [E.Usage(input_tokens=1_000, output_tokens=100)]), model="demo-model")
    )
    assert t.steps[0]["cost_source"] == "override"
    assert t.cost_usd == pytest.approx(0.001 + 0.001)


def test_a_reported_cost_wins_over_the_table() -> None:
    events = run_events(
        ("s1", [E.Usage(input_tokens=1_000, output_tokens=100, cost_usd=0.5)]),
        ("s2", [E.Usage(input_tokens=1_000, output_tokens=100, model="unknown-model")]),
    )
    events.insert(-1, E.Usage(scope="run", input_tokens=2_000, output_tokens=200, cost_usd=0.75))
    t = check_ops(events)
    assert (t.steps[0]["cost_usd"], t.steps[0]["cost_source"]) == (0.5, "reported")
    assert t.steps[1]["cost_usd"] is None
    assert t.cost_usd == 0.75  # the run's own figure, though a step has no price


def test_a_run_scope_usage_alone_is_priced_with_the_run_model() -> None:
    # openai-chat streamed by hand: one step, the usage at run scope.
    events = run_events(("s1", []))
    events.insert(-1, E.Usage(scope="run", input_tokens=2_000, output_tokens=200))
    t = check_ops(events)
    want = table_price("gpt-4o", "openai", input_tokens=2_000, output_tokens=200)
    assert t.cost_usd == pytest.approx(want)


def test_sub_agent_blocks_sum_their_steps() -> None:
    table()
    events: list[E.Event] = [
        E.RunStart(model="gpt-4o", ts=T0),
        E.StepStart(step_id="top", name="model", ts=T0),
        E.Usage(input_tokens=100, output_tokens=10, ts=T0),
        E.StepEnd(step_id="top", ts=T0 + 1),
        E.StepStart(step_id="sub", name="researcher", step_type="subagent", ts=T0 + 1),
        E.StepStart(step_id="a", name="model", parent="sub", ts=T0 + 1),
        E.Usage(input_tokens=1_000, output_tokens=50, model="gpt-4o-mini", parent="sub"),
        E.StepEnd(step_id="a", parent="sub", ts=T0 + 2),
        E.StepStart(step_id="b", name="model", parent="sub", ts=T0 + 2),
        E.Usage(input_tokens=2_000, output_tokens=70, model="gpt-4o-mini", parent="sub"),
        E.StepEnd(step_id="b", parent="sub", ts=T0 + 3),
        E.StepEnd(step_id="sub", ts=T0 + 3),
        E.RunEnd(reason="completed", ts=T0 + 4),
    ]
    t = check_ops(events)
    by_id = {s["id"]: s for s in t.steps}
    agent = next(b for b in t.blocks if b["type"] == "agent")
    assert agent["cost_usd"] == pytest.approx(by_id["a"]["cost_usd"] + by_id["b"]["cost_usd"])
    assert t.cost_usd == pytest.approx(agent["cost_usd"] + by_id["top"]["cost_usd"])
    assert by_id["a"]["model"] == "gpt-4o-mini"
    assert "cost_usd" not in by_id["sub"]  # a sub-agent's scope has no tokens of its own
    assert Transcript.from_dict(t.to_dict()).to_dict() == t.to_dict()


# -- a real agent run (the openai client against the scripted server) ------------------


def test_an_agent_run_its_nested_agent_and_its_replay_cost_the_same(tmp_path: Path) -> None:
    table()

    def scenario() -> tuple[Transcript, Path]:
        call = json.dumps({"prompt": "Weather in Paris?"})
        outer = [calls_step(("call_1", "researcher", call)), text_chunks(["It is 18°C."])]
        inner = [calls_step(("c1", "get_weather", '{"city": "Paris"}')), text_chunks(["18°C"])]
        with OpenAIServer(scripts=outer) as outer_srv, OpenAIServer(scripts=inner) as inner_srv:
            researcher = Agent(
                "gpt-4o-mini",
                tools=[get_weather],
                client=client_for(inner_srv, max_retries=0),
                name="researcher",
            )
            agent = Agent("gpt-4o", tools=[researcher], client=client_for(outer_srv))
            run = agent.run("Weather in Paris?")
            return run.wait(PATIENCE), run.save(tmp_path / "run.jsonl")

    live, path = off_loop(scenario)
    assert live.status == "completed"
    steps = [s for s in live.steps if s["usage"]]  # the model calls (not the tool rounds)
    assert len(steps) == 4
    assert {s["model"] for s in steps if s.get("parent")} == {"gpt-4o-mini"}
    assert {s["model"] for s in steps if not s.get("parent")} == {"gpt-4o"}
    for s in steps:
        u = s["usage"]
        model, at = s["model"], s["started_at"]
        counts = {"input_tokens": u["input_tokens"], "output_tokens": u["output_tokens"]}
        assert s["cost_usd"] == pytest.approx(table_price(model, "openai", at=at, **counts))
        assert s["cost_source"] == "price table"
    assert live.cost_usd == pytest.approx(sum(s["cost_usd"] for s in steps))
    call = next(b for b in live.blocks if b["id"] == "call_1")
    nested = [s["cost_usd"] for s in steps if s.get("parent")]
    assert len(nested) == 2
    assert call["cost_usd"] == pytest.approx(sum(nested))
    folded = Transcript.from_events(load(path))
    assert folded.steps == live.steps
    assert folded.cost_usd == live.cost_usd
    replayed = off_loop(lambda: nbagent.replay(path, speed=0).wait(PATIENCE))
    again = [s["cost_usd"] for s in replayed.steps if s["usage"]]
    assert again == pytest.approx([s["cost_usd"] for s in steps])
    assert replayed.cost_usd == pytest.approx(live.cost_usd)


def test_the_runs_provider_picks_the_price_list() -> None:
    table()
    events = run_events(("s1", [E.Usage(input_tokens=1_000, output_tokens=100)]))
    events[0] = E.RunStart(model="llama-3.1-8b-instant", provider="groq", ts=T0)
    t = check_ops(events)
    want = table_price("llama-3.1-8b-instant", "groq", input_tokens=1_000, output_tokens=100)
    assert t.steps[0]["cost_usd"] == pytest.approx(want)
    events[0] = E.RunStart(model="llama-3.1-8b-instant", ts=T0)  # no provider: not guessed
    assert check_ops(events).steps[0]["cost_usd"] is None


def test_a_saved_state_whose_cost_no_step_explains_comes_back_the_same() -> None:
    table()
    # The sub-agent's own usage (no step of its own) has no model: the run's cost is unknown.
    events = run_events(("s1", [E.Usage(input_tokens=1_000, output_tokens=100)]))
    events[-1:-1] = [
        E.StepStart(step_id="sub", name="helper", step_type="subagent", ts=T0 + 2),
        E.Usage(input_tokens=10, output_tokens=1, parent="sub", ts=T0 + 2),
        E.StepEnd(step_id="sub", ts=T0 + 3),
    ]
    t = check_ops(events)
    state = json.loads(json.dumps(t.to_dict()))
    assert state["cost_usd"] is None
    assert state["steps"][0]["cost_usd"] > 0
    assert Transcript.from_dict(state).to_dict() == state
