"""Prompt-cache writes: read from each provider's usage shape (the SDKs' own objects where
there is one), kept in a run's usage only once reported, priced at genai-prices' write rates
without counting the cache twice, and said beside the cache reads."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import nbagent
import nbagent.core.events as E
from nbagent.adapters.base import ServerSentEvent
from nbagent.adapters.dexto import DextoAdapter
from nbagent.adapters.kit import anthropic_usage, cache_writes, langchain_usage, openai_usage
from nbagent.transcript.export.status import detail_lines
from nbagent.transcript.prices import step_cost
from nbagent.transcript.transcript import Transcript
from tests.adapter_harness import transcript_of

T0 = datetime(2025, 11, 1, tzinfo=timezone.utc).timestamp()
CLAUDE = "claude-sonnet-4-5"
FORMATS = Path(__file__).parent / "fixtures" / "formats.json"


def table_price(model: str, provider: str, **usage: int) -> float:
    """genai-prices' own figure, at ``T0``."""
    genai_prices = pytest.importorskip("genai_prices")
    price = genai_prices.calc_price(
        genai_prices.Usage(**usage),
        model,
        provider_id=provider,
        genai_request_timestamp=datetime.fromtimestamp(T0, tz=timezone.utc),
    )
    return float(price.total_price)


# -- the price ------------------------------------------------------------------------------


def test_cache_writes_are_priced_at_the_write_rates() -> None:
    """Anthropic counts the cache apart from ``input_tokens``: the writes (an hour's at their
    own rate) are added to the input as genai-prices counts it, and cost more than input."""
    apart = {"input_tokens": 3, "output_tokens": 10, "cached_input_tokens": 1200}
    written = apart | {"cache_write_tokens": 50_000}
    counted = {
        "input_tokens": 51_203,
        "cache_read_tokens": 1200,
        "cache_write_tokens": 50_000,
        "output_tokens": 10,
    }
    want = table_price(CLAUDE, "anthropic", **counted)
    assert step_cost(CLAUDE, "anthropic", written, T0) == (pytest.approx(want), "price table")
    as_input = table_price(
        CLAUDE, "anthropic", input_tokens=51_203, cache_read_tokens=1200, output_tokens=10
    )
    assert want > as_input
    hour = written | {"cache_write_1h_tokens": 20_000}
    want_hour = table_price(CLAUDE, "anthropic", **counted, cache_write_1h_tokens=20_000)
    assert step_cost(CLAUDE, "anthropic", hour, T0) == (pytest.approx(want_hour), "price table")
    assert want_hour > want


@pytest.mark.parametrize("provider", ["anthropic", None])
def test_an_input_that_holds_the_cache_is_not_counted_twice(provider: str | None) -> None:
    """LiteLLM, LangChain, pydantic-ai, AG-UI and OpenTelemetry count the cache inside the
    input, whatever the provider (LiteLLM names it ``anthropic``): their total says so."""
    held = {
        "input_tokens": 51_203,
        "output_tokens": 10,
        "total_tokens": 51_213,
        "cached_input_tokens": 1200,
        "cache_write_tokens": 50_000,
    }
    apart = held | {"input_tokens": 3}
    apart.pop("total_tokens")
    want = step_cost(CLAUDE, "anthropic", apart, T0)
    assert want is not None
    assert step_cost(CLAUDE, provider, held, T0) == (pytest.approx(want[0]), "price table")
    with_total = apart | {"total_tokens": 51_213}  # Anthropic's, Bedrock's total
    assert step_cost(CLAUDE, None, with_total, T0) == (pytest.approx(want[0]), "price table")


def test_an_override_prices_cache_writes_at_its_cache_write() -> None:
    nbagent.prices({"my-cached": {"input": 1.0, "output": 2.0, "cache_write": 1.25}})
    try:
        usage = {"input_tokens": 1_000_000, "output_tokens": 0, "cache_write_tokens": 400_000}
        assert step_cost("my-cached", None, usage) == (pytest.approx(0.6 + 0.5), "override")
        nbagent.prices({"my-cached": {"input": 1.0, "output": 2.0}})
        assert step_cost("my-cached", None, usage) == (pytest.approx(1.0), "override")
    finally:
        nbagent.prices(None)


# -- the run's usage ------------------------------------------------------------------------


def test_a_run_without_cache_writes_keeps_the_usage_it_had() -> None:
    """The keys come once a source reports them: a run (and a state saved) without them reads
    and writes back unchanged."""
    t = Transcript.from_events([E.RunStart(), E.Usage(input_tokens=5, output_tokens=2)])
    assert set(t.to_dict()["usage"]) == {
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "reasoning_tokens",
        "cached_input_tokens",
    }
    assert (t.usage.cache_write_tokens, t.usage.cache_write_1h_tokens) == (None, None)
    for case in json.loads(FORMATS.read_text("utf-8"))["status"]:
        state = case["state"]
        assert Transcript.from_dict(state).to_dict()["usage"] == state["usage"], case["name"]


def test_cache_writes_add_up_over_steps_and_survive_a_save() -> None:
    def step(sid: str, written: int, hour: int | None) -> list[E.Event]:
        usage = E.Usage(
            input_tokens=3,
            output_tokens=10,
            cache_write_tokens=written,
            cache_write_1h_tokens=hour,
            step_id=sid,
            model=CLAUDE,
            provider="anthropic",
        )
        return [E.StepStart(step_id=sid), usage, E.StepEnd(step_id=sid)]

    events = [E.RunStart(), *step("s1", 50_000, 20_000), *step("s2", 0, None), E.RunEnd()]
    t = Transcript.from_events(events)
    d = t.to_dict()
    assert (d["usage"]["cache_write_tokens"], d["usage"]["cache_write_1h_tokens"]) == (
        50_000,
        20_000,
    )
    assert "cache_write_1h_tokens" not in d["steps"][1]["usage"]
    assert Transcript.from_dict(json.loads(json.dumps(d))).to_dict() == d
    assert E.event_from_json(events[2].to_json()) == events[2]


# -- the readers ----------------------------------------------------------------------------


def test_anthropics_own_usage_objects() -> None:
    types = pytest.importorskip("anthropic.types")
    usage = types.Usage(
        input_tokens=3,
        output_tokens=1,
        cache_read_input_tokens=1200,
        cache_creation_input_tokens=50_000,
        cache_creation=types.CacheCreation(
            ephemeral_5m_input_tokens=30_000, ephemeral_1h_input_tokens=20_000
        ),
    )
    u = anthropic_usage(usage)
    assert (u.cache_write_tokens, u.cache_write_1h_tokens, u.total_tokens) == (
        50_000,
        20_000,
        51_204,
    )
    delta = types.MessageDeltaUsage(output_tokens=10)  # the rest as message_start said
    u = anthropic_usage(delta, before=usage)
    assert (u.input_tokens, u.output_tokens, u.cache_write_tokens, u.total_tokens) == (
        3,
        10,
        50_000,
        51_213,
    )


def test_openais_own_usage_objects() -> None:
    pytest.importorskip("openai")
    from openai.types.completion_usage import CompletionUsage, PromptTokensDetails
    from openai.types.responses.response_usage import (
        InputTokensDetails,
        OutputTokensDetails,
        ResponseUsage,
    )

    chat = CompletionUsage(
        prompt_tokens=51_203,
        completion_tokens=10,
        total_tokens=51_213,
        prompt_tokens_details=PromptTokensDetails(cached_tokens=1200, cache_write_tokens=50_000),
    )
    assert openai_usage(chat).cache_write_tokens == 50_000
    responses = ResponseUsage(
        input_tokens=51_203,
        output_tokens=10,
        total_tokens=51_213,
        input_tokens_details=InputTokensDetails(cached_tokens=1200, cache_write_tokens=50_000),
        output_tokens_details=OutputTokensDetails(reasoning_tokens=0),
    )
    assert openai_usage(responses).cache_write_tokens == 50_000
    assert openai_usage(responses, details=False).cache_write_tokens is None


def test_the_shapes_a_breakdown_by_ttl_comes_in() -> None:
    assert cache_writes(None) == (None, None)
    assert cache_writes(50_000) == (50_000, None)
    assert cache_writes(50_000, 30_000, 20_000) == (50_000, 20_000)
    assert cache_writes(0, 30_000, 20_000) == (50_000, 20_000)  # LangChain's zeroed total
    assert cache_writes(None, 0, 0) == (0, None)
    lc = langchain_usage(
        {
            "input_tokens": 51_203,
            "output_tokens": 10,
            "input_token_details": {"cache_read": 1200, "cache_creation": 50_000},
        }
    )
    assert (lc.cache_write_tokens, lc.cache_write_1h_tokens) == (50_000, None)


def test_dextos_cache_write_tokens() -> None:
    usage = {"inputTokens": 3, "outputTokens": 10, "totalTokens": 51_213}
    usage |= {"cacheReadTokens": 1200, "cacheWriteTokens": 50_000}
    response = {"content": "Cached.", "provider": "anthropic", "model": CLAUDE}
    items = [
        ServerSentEvent(event="llm:thinking", data="{}"),
        ServerSentEvent(event="llm:response", data=json.dumps(response | {"tokenUsage": usage})),
    ]
    t, _ = transcript_of(DextoAdapter(), items)
    state: dict[str, Any] = t.to_dict()
    assert state["usage"]["cache_write_tokens"] == 50_000
    assert detail_lines(state, state["ended_at"])[0] == (
        "in 3 · cached 1,200 · cache write 50,000 · out 10 · total 51,213 tokens"
    )
