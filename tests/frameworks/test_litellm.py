"""LiteLLM: ``completion(stream=True)`` / ``acompletion`` chunks (``ModelResponseStream``) read
by the openai-chat adapter, with no ``format=``: the library's own ``mock_response`` stream, its
OpenAI provider against a local Chat Completions server (reasoning, tool-call deltas) and its
Anthropic provider against a local Messages server (thinking blocks with signatures, redacted
thinking). The expected result is what LiteLLM itself assembles (``stream_chunk_builder``).
"""

from __future__ import annotations

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no fetch of the price list

from collections.abc import Iterator
from typing import Any

import pytest

from tests.frameworks.conftest import need

litellm = need("litellm")

import nbagent  # noqa: E402
from nbagent.adapters import detect_format  # noqa: E402
from nbagent.core.events import Event, MessageEnd, RunEnd, RunStart, StepEnd, StepStart, Usage  # noqa: E402
from tests import aio  # noqa: E402
from tests.servers import OpenAIServer, chunk, usage_chunk  # noqa: E402
from tests.sse_servers import SSEServer, fixture_frames  # noqa: E402
from tests.wait import PATIENCE  # noqa: E402

MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture
def cost_in_usage() -> Iterator[None]:
    """LiteLLM puts the cost in the stream's usage only when asked to (a global switch)."""
    before = litellm.include_cost_in_streaming_usage
    litellm.include_cost_in_streaming_usage = True
    yield
    litellm.include_cost_in_streaming_usage = before


def transcript(items: list[Any]) -> tuple[nbagent.Transcript, list[Event]]:
    events = list(nbagent.iter_events(iter(items)))
    return nbagent.Transcript.from_events(events), events


def assembled(items: list[Any]) -> Any:
    """LiteLLM's own view of the whole response."""
    return litellm.stream_chunk_builder(items, messages=MESSAGES)


def test_mock_response_streams_text_usage_and_cost(cost_in_usage: None) -> None:
    items = list(
        litellm.completion(
            model="gpt-4o-mini",
            messages=MESSAGES,
            mock_response="Hello there, world of streams",
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert type(items[0]).__name__ == "ModelResponseStream"
    assert detect_format(items[0]) == "openai-chat"
    t, events = transcript(items)
    whole = assembled(items)
    assert t.text == whole.choices[0].message.content == "Hello there, world of streams"
    assert (t.status, t.end_reason) == ("completed", "completed")
    (run_usage,) = [e for e in events if isinstance(e, Usage)]
    final_usage = items[-1].usage
    assert (run_usage.input_tokens, run_usage.output_tokens) == (
        final_usage.prompt_tokens,
        final_usage.completion_tokens,
    )
    assert run_usage.scope == "run"
    assert run_usage.cost_usd == pytest.approx(final_usage.cost)
    assert final_usage.cost > 0
    kinds = [type(e) for e in events]
    assert kinds.index(RunStart) < kinds.index(StepStart) < kinds.index(StepEnd)
    assert isinstance(events[-1], RunEnd)


def test_acompletion_async_stream() -> None:
    async def main() -> tuple[list[Event], str]:
        response = await litellm.acompletion(
            model="openai/x", messages=MESSAGES, mock_response="async answer", stream=True
        )
        events = [e async for e in nbagent.aiter_events(response)]
        return events, "async answer"

    events, expected = aio.run(main())
    t = nbagent.Transcript.from_events(events)
    assert t.text == expected
    assert t.status == "completed"


REASONING_AND_TOOLS = [
    chunk("", role="assistant"),
    chunk(reasoning_content="The user wants "),
    chunk(reasoning_content="the weather."),
    chunk("Let me check."),
    chunk(
        tool_calls=[
            {
                "index": 0,
                "id": "call_w",
                "type": "function",
                "function": {"name": "weather", "arguments": ""},
            }
        ]
    ),
    chunk(tool_calls=[{"index": 0, "function": {"arguments": '{"city": '}}]),
    chunk(tool_calls=[{"index": 0, "function": {"arguments": '"Paris"}'}}]),
    chunk(
        tool_calls=[
            {
                "index": 1,
                "id": "call_t",
                "type": "function",
                "function": {"name": "time", "arguments": '{"tz": "CET"}'},
            }
        ]
    ),
    chunk(finish_reason="tool_calls"),
    usage_chunk(21, 34),
]


def test_openai_provider_reasoning_and_tool_call_deltas() -> None:
    with OpenAIServer(script=REASONING_AND_TOOLS) as srv:
        items = list(
            litellm.completion(
                model="openai/x",
                api_base=srv.base_url,
                api_key="test",
                messages=MESSAGES,
                stream=True,
                stream_options={"include_usage": True},
            )
        )
    whole = assembled(items)
    message = whole.choices[0].message
    t, events = transcript(items)
    assert t.thinking == message.reasoning_content == "The user wants the weather."
    assert t.text == message.content == "Let me check."
    assert "weather." not in t.text
    expected = [(c.id, c.function.name, c.function.arguments) for c in message.tool_calls]
    assert expected == [
        ("call_w", "weather", '{"city": "Paris"}'),
        ("call_t", "time", '{"tz": "CET"}'),
    ]
    got = [(c.id, c.name, c.args) for c in t.tool_calls]
    assert got == [("call_w", "weather", {"city": "Paris"}), ("call_t", "time", {"tz": "CET"})]
    assert t.end_reason == "tool_calls"
    assert (t.usage.input_tokens, t.usage.output_tokens) == (
        whole.usage.prompt_tokens,
        whole.usage.completion_tokens,
    )
    step_ends = [e for e in events if isinstance(e, StepEnd)]
    assert [e.finish_reason for e in step_ends] == ["tool_calls"]


def test_openai_provider_reasoning_field_named_reasoning() -> None:
    """Servers that send ``delta.reasoning`` (Groq, Cerebras): LiteLLM maps it; we read both."""
    script = [
        chunk("", role="assistant"),
        chunk(reasoning="thinking hard"),
        chunk("4"),
        chunk(finish_reason="stop"),
    ]
    with OpenAIServer(script=script) as srv:
        items = list(
            litellm.completion(
                model="openai/x",
                api_base=srv.base_url,
                api_key="test",
                messages=MESSAGES,
                stream=True,
            )
        )
    t, _ = transcript(items)
    assert (t.thinking, t.text) == ("thinking hard", "4")


def anthropic_stream(fixture: str) -> list[Any]:
    frames = fixture_frames("anthropic", fixture)
    assert frames is not None
    with SSEServer(frames) as srv:
        return list(
            litellm.completion(
                model="anthropic/claude-sonnet-4-20250514",
                api_base=f"http://127.0.0.1:{srv.port}",
                api_key="test",
                messages=MESSAGES,
                stream=True,
                stream_options={"include_usage": True},
            )
        )


def test_anthropic_provider_thinking_blocks_keep_the_signature() -> None:
    items = anthropic_stream("thinking_signature")
    assert any(getattr(i.choices[0].delta, "thinking_blocks", None) for i in items)
    whole = assembled(items)
    t, events = transcript(items)
    assert (
        t.thinking == whole.choices[0].message.reasoning_content == "Simple educational question."
    )
    assert t.text == whole.choices[0].message.content == "The answer is 4."
    ends = [e for e in events if isinstance(e, MessageEnd) and e.channel == "thinking"]
    assert [e.signature for e in ends] == ["c3ludGhldGlj"]
    assert t.usage.output_tokens == whole.usage.completion_tokens == 40


def test_anthropic_provider_redacted_thinking() -> None:
    items = anthropic_stream("redacted_thinking")
    t, events = transcript(items)
    ends = [e for e in events if isinstance(e, MessageEnd) and e.channel == "thinking"]
    assert [(e.redacted, e.encrypted_value) for e in ends] == [
        (True, "EmwKAhgBEgy3va3pzix/LafPsn4a"),
        (False, None),
    ]
    assert ends[1].signature == "c2ln"
    assert t.thinking == "Visible part."
    assert t.text == "Done."


def test_show_reads_a_litellm_stream_without_format() -> None:
    stream = litellm.completion(
        model="openai/x", messages=MESSAGES, mock_response="shown", stream=True
    )
    run = nbagent.show(stream)
    run.wait(PATIENCE)
    assert run.transcript.text == "shown"
    assert run.transcript.status == "completed"


def test_anthropic_provider_cache_writes_are_counted_and_priced() -> None:
    """LiteLLM's own Anthropic provider reading a stream with prompt-cache writes: its usage
    (``prompt_tokens_details.cache_write_tokens`` and the 1h breakdown, prompt tokens counting
    the cache) counted, and nbagent's own price of them what LiteLLM charged."""
    from nbagent.transcript.prices import step_cost

    items = anthropic_stream("cache_writes")
    wire = items[-1].usage
    t, _ = transcript(items)
    u = t.usage
    assert (u.input_tokens, u.cached_input_tokens) == (wire.prompt_tokens, 1200)
    assert u.cache_write_tokens == wire.prompt_tokens_details.cache_write_tokens == 50_000
    assert u.cache_write_1h_tokens == 20_000
    pytest.importorskip("genai_prices")
    state = t.to_dict()
    assert state["cost_usd"] == pytest.approx(wire.cost)  # LiteLLM's figure
    mine = step_cost(state["model"], None, state["usage"], state["started_at"])
    assert mine == (pytest.approx(wire.cost), "price table")
