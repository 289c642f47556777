"""``nbagent.watch()`` through OpenTelemetry spans (the ``otel`` hook): pydantic-ai's own
instrumentation, and the OpenAI client instrumented by ``opentelemetry-instrumentation-openai-v2``
or OpenInference's ``openinference-instrumentation-openai`` reporting to the user's own SDK
``TracerProvider``."""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.frameworks.conftest import need

need("pydantic_ai")
need("opentelemetry.sdk.trace")

import openai  # noqa: E402
from opentelemetry import trace  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)
from pydantic_ai import Agent  # noqa: E402
from pydantic_ai.messages import (  # noqa: E402
    ModelMessage,
    ModelRequest,
    ModelResponse,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel  # noqa: E402
from pydantic_ai.models.test import TestModel  # noqa: E402

import nbagent  # noqa: E402
from tests import aio  # noqa: E402
from tests.servers import OpenAIServer, chunk, text_chunks, usage_chunk  # noqa: E402
from tests.wait import PATIENCE  # noqa: E402

# -- helpers --------------------------------------------------------------------------------


def weather_agent(name: str = "weather") -> Agent[None, str]:
    agent: Agent[None, str] = Agent(TestModel(), name=name)

    @agent.tool_plain
    def weather(city: str) -> str:
        return f"sunny in {city}"

    return agent


def thinking_model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    """Thinks and calls ``weather``; once the result is in, answers from it."""
    last = messages[-1]
    if isinstance(last, ModelRequest) and any(isinstance(p, ToolReturnPart) for p in last.parts):
        return ModelResponse(parts=[TextPart("The weather "), TextPart("is sunny.")])
    return ModelResponse(
        parts=[
            ThinkingPart("I should check the tool."),
            ToolCallPart("weather", {"city": "Paris"}, tool_call_id="call-w"),
        ]
    )


def tool_calls_of(result: Any) -> list[tuple[str, str, dict[str, Any], Any]]:
    """(id, name, args, result) of every call the run made, from pydantic-ai's own messages."""
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    results: dict[str, Any] = {}
    for message in result.all_messages():
        for part in message.parts:
            if isinstance(part, ToolCallPart):
                calls[part.tool_call_id] = (part.tool_name, part.args_as_dict())
            elif isinstance(part, ToolReturnPart):
                results[part.tool_call_id] = part.content
    return [(cid, name, args, results.get(cid)) for cid, (name, args) in calls.items()]


def transcript_calls(run: Any) -> list[tuple[str, str, dict[str, Any], Any]]:
    return [(c.id, c.name, c.args, c.result) for c in run.transcript.tool_calls]


def processors(provider: Any) -> tuple[Any, ...]:
    return tuple(provider._active_span_processor._span_processors)


@pytest.fixture(autouse=True)
def _own_loop(own_loop: None) -> None:
    """``agent.run_sync`` on a loop of each test's own (``conftest.own_loop``)."""


@pytest.fixture(scope="module")
def provider() -> TracerProvider:
    """The user's own global SDK provider (set once per process: the API refuses a second)."""
    current = trace.get_tracer_provider()
    if not isinstance(current, TracerProvider):
        trace.set_tracer_provider(TracerProvider())
        current = trace.get_tracer_provider()
    if not isinstance(current, TracerProvider):
        pytest.skip("another kind of global tracer provider is set in this process")
    current.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
    return current


def openai_v2_instrumentor() -> Any:
    """``opentelemetry-instrumentation-openai-v2``'s instrumentor, with message content on
    span attributes (the variable is read when ``instrument()`` runs)."""
    try:
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
        from opentelemetry.util.genai.handler import TelemetryHandler
    except ImportError as exc:
        pytest.skip(f"opentelemetry-instrumentation-openai-v2 does not import here: {exc}")
    if not hasattr(TelemetryHandler, "start_inference"):
        pytest.skip("opentelemetry-instrumentation-openai-v2 does not fit this util-genai")
    os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "span_only"
    return OpenAIInstrumentor()


def openinference_instrumentor() -> Any:
    from openinference.instrumentation.openai import OpenAIInstrumentor

    return OpenAIInstrumentor()


INSTRUMENTORS = {"openai-v2": openai_v2_instrumentor, "openinference": openinference_instrumentor}


def tool_script(name: str, arguments: str, call_id: str = "call_1") -> list[Any]:
    """One model answer that calls ``name``, with a usage chunk."""
    call = {"index": 0, "id": call_id, "type": "function"}
    call["function"] = {"name": name, "arguments": arguments}
    return [
        chunk(None, role="assistant", tool_calls=[call]),
        chunk(finish_reason="tool_calls"),
        usage_chunk(10, 5),
    ]


LOOKUP = {
    "type": "function",
    "function": {
        "name": "lookup",
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
    },
}


# -- pydantic-ai ----------------------------------------------------------------------------


def test_run_sync_shows_text_tool_calls_usage_and_steps() -> None:
    agent = weather_agent()
    with nbagent.watch() as run:
        result = agent.run_sync("Weather in Oslo?")
    t = run.transcript
    assert run.status == "completed"
    assert t.text == result.output
    assert transcript_calls(run) == tool_calls_of(result)
    assert t.usage.input_tokens == result.usage.input_tokens
    assert t.usage.output_tokens == result.usage.output_tokens
    state = t.to_dict()
    assert len(state["steps"]) == result.usage.requests
    assert all(s["started_at"] and s["ended_at"] >= s["started_at"] for s in state["steps"])
    assert state["whole"] is True


def test_thinking_and_several_text_parts() -> None:
    agent: Agent[None, str] = Agent(FunctionModel(thinking_model), name="thinker")

    @agent.tool_plain
    def weather(city: str) -> str:
        return f"sunny in {city}"

    with nbagent.watch() as run:
        result = agent.run_sync("Weather in Paris?")
    t = run.transcript
    assert t.text == result.output == "The weather is sunny."
    assert t.thinking == "I should check the tool."
    assert transcript_calls(run) == tool_calls_of(result)
    assert t.tool_calls[0].id == "call-w"
    assert t.usage.input_tokens == result.usage.input_tokens


def test_async_run() -> None:
    agent = weather_agent()

    async def main() -> tuple[Any, Any]:
        async with nbagent.watch() as run:
            result = await agent.run("Weather in Oslo?")
        return run, result

    run, result = aio.run(main())
    assert run.status == "completed"
    assert run.transcript.text == result.output
    assert transcript_calls(run) == tool_calls_of(result)


def test_runs_on_a_thread_of_their_own_still_report() -> None:
    agent = weather_agent()
    with nbagent.watch() as run, ThreadPoolExecutor(1) as pool:
        result = pool.submit(agent.run_sync, "Weather in Oslo?").result()
    assert run.transcript.text == result.output
    assert transcript_calls(run) == tool_calls_of(result)


def test_two_runs_in_one_block_show_one_after_the_other() -> None:
    agent = weather_agent()
    with nbagent.watch() as run:
        first = agent.run_sync("Weather in Oslo?")
        second = agent.run_sync("And in Rome?")
    texts = [b["text"] for b in run.transcript.blocks if b["type"] == "text"]
    assert texts == [first.output, second.output]
    assert len(run.transcript.tool_calls) == 2


def test_hooks_removed_after_the_block_and_on_error(provider: TracerProvider) -> None:
    agent = weather_agent()
    default = Agent._instrument_default
    before = processors(provider)
    with nbagent.watch() as run:
        assert Agent._instrument_default is not default
        assert len(processors(provider)) == len(before) + 1
        agent.run_sync("Weather in Oslo?")
    assert Agent._instrument_default is default
    assert processors(provider) == before
    state = run.transcript.to_dict()
    agent.run_sync("Weather in Rome?")
    assert run.transcript.to_dict() == state
    with pytest.raises(KeyError), nbagent.watch():
        raise KeyError("boom")
    assert Agent._instrument_default is default
    assert processors(provider) == before


def test_a_tool_that_raises_ends_the_run_error() -> None:
    agent: Agent[None, str] = Agent(TestModel(), name="broken")
    raised: list[BaseException] = []

    @agent.tool_plain
    def weather(city: str) -> str:
        error = RuntimeError(f"no weather for {city}")
        raised.append(error)
        raise error

    with pytest.raises(RuntimeError) as info, nbagent.watch() as run:
        agent.run_sync("Weather in Oslo?")
    assert info.value is raised[0]
    assert run.status == "error"
    (call,) = run.transcript.tool_calls
    assert call.is_error
    assert "no weather for" in str(call.result)


def test_a_sub_agent_in_a_tool_is_nested_in_that_call() -> None:
    inner = weather_agent("inner")
    outer: Agent[None, str] = Agent(TestModel(), name="outer")

    @outer.tool_plain
    async def ask(question: str) -> str:
        return (await inner.run(question)).output

    with nbagent.watch() as run:
        result = outer.run_sync("Ask the inner agent")
    t = run.transcript
    assert t.text == result.output
    top = [c for c in t.tool_calls if c.parent is None]
    assert [c.name for c in top] == ["ask"]
    nested = t.children(top[0].id)
    assert any(b["type"] == "text" for b in nested)
    assert [c.name for c in t.tool_calls if c.parent == top[0].id] == ["weather"]


def test_watch_an_agent_two_runs_then_stop() -> None:
    agent = weather_agent()
    w = nbagent.watch(agent)
    try:
        first = agent.run_sync("Weather in Oslo?")
        second = agent.run_sync("And in Rome?")
    finally:
        w.stop()
    assert agent.instrument is None
    for run in w.runs:
        run.wait(timeout=PATIENCE)
    assert [r.status for r in w.runs] == ["completed", "completed"]
    assert [r.transcript.text for r in w.runs] == [first.output, second.output]
    assert all(len(r.transcript.tool_calls) == 1 for r in w.runs)
    agent.run_sync("Weather in Paris?")
    assert len(w.runs) == 2


def test_watch_an_agent_a_failing_call_ends_its_run_error() -> None:
    agent: Agent[None, str] = Agent(TestModel(), name="flaky")
    calls: list[str] = []

    @agent.tool_plain
    def weather(city: str) -> str:
        calls.append(city)
        if len(calls) == 2:
            raise ValueError("weather service down")
        return f"sunny in {city}"

    with nbagent.watch(agent) as w:
        agent.run_sync("Weather in Oslo?")
        with pytest.raises(ValueError, match="weather service down"):
            agent.run_sync("Weather in Rome?")
    for run in w.runs:
        run.wait(timeout=PATIENCE)
    assert [r.status for r in w.runs] == ["completed", "error"]
    assert agent.instrument is None


def test_watch_rejects_other_objects() -> None:
    with pytest.raises(TypeError, match="pydantic-ai Agent"):
        nbagent.watch(object())


# -- the OpenAI client, instrumented by the user --------------------------------------------


@pytest.mark.parametrize("which", sorted(INSTRUMENTORS))
def test_openai_client_instrumented(provider: TracerProvider, which: str) -> None:
    instrumentor = INSTRUMENTORS[which]()
    instrumentor.instrument()
    try:
        with OpenAIServer(
            scripts=[tool_script("lookup", '{"q": "x"}'), text_chunks(["Hel", "lo"])]
        ) as srv:
            client = openai.OpenAI(base_url=srv.base_url, api_key="test")
            with nbagent.watch() as run:
                asked = client.chat.completions.create(
                    model="m", messages=[{"role": "user", "content": "hi"}], tools=[LOOKUP]
                )
                answer = client.chat.completions.create(
                    model="m", messages=[{"role": "user", "content": "hi"}]
                )
    finally:
        instrumentor.uninstrument()
    t = run.transcript
    assert run.status == "completed"
    assert t.text == answer.choices[0].message.content
    (want,) = asked.choices[0].message.tool_calls
    (call,) = t.tool_calls
    assert (call.id, call.name) == (want.id, want.function.name)
    assert call.args == json.loads(want.function.arguments)
    assert t.usage.input_tokens == asked.usage.prompt_tokens + answer.usage.prompt_tokens
    assert t.usage.output_tokens == asked.usage.completion_tokens + answer.usage.completion_tokens
    state = t.to_dict()
    assert len(state["steps"]) == 2
    assert all(s["name"] in ("m", asked.model) for s in state["steps"])  # asked for, or answered
    assert state["whole"] is True
    assert not state.get("warnings")


@pytest.mark.parametrize("which", sorted(INSTRUMENTORS))
def test_pydantic_ai_over_an_instrumented_openai_client_is_one_step_per_call(
    provider: TracerProvider, which: str
) -> None:
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    instrumentor = INSTRUMENTORS[which]()
    instrumentor.instrument()
    try:
        scripts = [tool_script("weather", '{"city": "Oslo"}'), text_chunks(["Sunny ", "in Oslo."])]
        with OpenAIServer(scripts=scripts) as srv:
            model = OpenAIChatModel(
                "m", provider=OpenAIProvider(base_url=srv.base_url, api_key="test")
            )
            agent: Agent[None, str] = Agent(model, name="weather")

            @agent.tool_plain
            def weather(city: str) -> str:
                return f"sunny in {city}"

            with nbagent.watch() as run:
                result = agent.run_sync("Weather in Oslo?")
    finally:
        instrumentor.uninstrument()
    t = run.transcript
    assert t.text == result.output
    assert transcript_calls(run) == tool_calls_of(result)
    assert len(t.to_dict()["steps"]) == result.usage.requests == 2
    assert t.usage.input_tokens == result.usage.input_tokens


def test_the_users_own_pydantic_ai_settings_get_the_processor() -> None:
    """pydantic-ai instrumented by the user, to an SDK provider of their own: listened to
    there (the settings stay theirs); ``watch(agent)`` likewise for an agent's own settings."""
    from pydantic_ai.models.instrumented import InstrumentationSettings

    own = TracerProvider()
    settings = InstrumentationSettings(tracer_provider=own)
    default = Agent._instrument_default
    Agent.instrument_all(settings)
    try:
        agent = weather_agent()
        with nbagent.watch() as run:
            assert len(processors(own)) == 1
            assert Agent._instrument_default is settings
            result = agent.run_sync("Weather in Oslo?")
        assert processors(own) == ()
    finally:
        Agent.instrument_all(default)
    assert run.transcript.text == result.output
    agent.instrument = settings
    with nbagent.watch(agent) as w:
        assert len(processors(own)) == 1
        agent.run_sync("Weather in Rome?")
    assert processors(own) == ()
    assert agent.instrument is settings
    for r in w.runs:
        r.wait(timeout=PATIENCE)
    assert [r.status for r in w.runs] == ["completed"]


def test_without_the_sdk_pydantic_ai_asks_for_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from nbagent.sources.hooks import HookError

    monkeypatch.setitem(sys.modules, "opentelemetry.sdk", None)  # the API alone: no SDK
    default = Agent._instrument_default
    with nbagent.watch() as run:
        pass
    warned = [w["message"] for w in run.transcript.to_dict()["warnings"]]
    assert [w for w in warned if "pip install 'jupyter-nbagent[otel]'" in w] != [], warned
    assert Agent._instrument_default is default
    with pytest.raises(HookError, match=r"nbagent\[otel\]"):
        nbagent.watch(weather_agent())


# -- spans of other instrumentations (OpenInference agents, chains, tools), as recorded --------


def span(
    sid: str,
    parent: str | None,
    name: str,
    attributes: dict[str, Any],
    *,
    start: float = 1.0,
    end: float | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "trace_id": "t",
        "span_id": sid,
        "parent_id": parent,
        "start": start,
        "attributes": attributes,
    }
    if end is not None:
        data |= {"end": end, "status": "ERROR" if error else "UNSET", "events": []}
        data["status_description"] = error
    return data


def fold(spans: list[tuple[str, dict[str, Any]]]) -> Any:
    from nbagent.adapters.hooks import HookRecord

    records = [
        HookRecord(
            "otel", kind, data, data.get("end") or data["start"], "t", last=i == len(spans) - 1
        )
        for i, (kind, data) in enumerate(spans)
    ]
    return nbagent.Transcript.from_events(nbagent.iter_events(records, format="hooks"))


def llm(sid: str, parent: str, content: str | None, **calls: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {"openinference.span.kind": "LLM", "llm.model_name": "gpt-x"}
    attrs["llm.output_messages.0.message.role"] = "assistant"
    if content is not None:
        attrs["llm.output_messages.0.message.content"] = content
    for j, (call_id, name) in enumerate(calls.items()):
        prefix = f"llm.output_messages.0.message.tool_calls.{j}.tool_call."
        attrs[prefix + "id"] = call_id
        attrs[prefix + "function.name"] = name
        attrs[prefix + "function.arguments"] = '{"x": 1}'
    attrs["llm.token_count.prompt"], attrs["llm.token_count.completion"] = 7, 3
    return attrs


def test_openinference_agents_tools_and_sub_agents_nest() -> None:
    agent = {"openinference.span.kind": "AGENT", "agent.name": "boss"}
    chain = {"openinference.span.kind": "CHAIN"}
    helper = {"openinference.span.kind": "AGENT", "agent.name": "helper"}
    tool = {"openinference.span.kind": "TOOL", "tool.name": "search", "input.value": '{"x": 1}'}
    ran = tool | {"output.value": "found"}
    steps = [
        ("span_start", span("a", None, "boss", agent)),
        ("span_start", span("c", "a", "chain", chain)),
        ("span_start", span("l1", "c", "llm", {})),
        ("span_end", span("l1", "c", "llm", llm("l1", "c", None, c1="search"), end=2)),
        ("span_start", span("t", "c", "search", tool, start=3)),
        ("span_start", span("h", "t", "helper", helper, start=3)),
        ("span_start", span("l2", "h", "llm", {}, start=3)),
        ("span_end", span("l2", "h", "llm", llm("l2", "h", "inner answer"), start=3, end=4)),
        ("span_end", span("h", "t", "helper", helper, start=3, end=4)),
        ("span_end", span("t", "c", "search", ran, start=3, end=5)),
        ("span_start", span("s", "c", "helper", helper, start=5)),
        ("span_start", span("l3", "s", "llm", {}, start=5)),
        ("span_end", span("l3", "s", "llm", llm("l3", "s", "side note"), start=5, end=6)),
        ("span_end", span("s", "c", "helper", helper, start=5, end=6)),
        ("span_start", span("l4", "c", "llm", {}, start=6)),
        ("span_end", span("l4", "c", "llm", llm("l4", "c", "final answer"), start=6, end=7)),
        ("span_end", span("c", "a", "chain", chain, end=7)),
        ("span_end", span("a", None, "boss", agent, end=8)),
    ]
    t = fold(steps)
    assert t.text == "final answer"
    (call,) = t.tool_calls
    assert (call.id, call.name, call.args, call.result) == ("c1", "search", {"x": 1}, "found")
    assert [b.get("text") for b in t.children("c1")] == ["inner answer"]
    (sub,) = [b for b in t.blocks if b["type"] == "agent"]
    assert sub["name"] == "helper"
    assert [b.get("text") for b in t.children(sub["id"])] == ["side note"]
    assert t.usage.input_tokens == 4 * 7
    state = t.to_dict()
    assert [s["started_at"] for s in state["steps"]] == [1.0, 3.0, 5.0, 5.0, 6.0]  # helper: 5


def test_a_failed_model_call_is_one_error_with_its_agent() -> None:
    agent = {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "a"}
    chat = {"gen_ai.operation.name": "chat", "gen_ai.request.model": "m"}
    steps = [
        ("span_start", span("a", None, "invoke_agent a", agent)),
        ("span_start", span("m", "a", "chat m", chat)),
        ("span_end", span("m", "a", "chat m", chat, end=2, error="APIError: 500")),
        ("span_end", span("a", None, "invoke_agent a", agent, end=3, error="APIError: 500")),
    ]
    t = fold(steps)
    state = t.to_dict()
    assert [w["message"] for w in state.get("warnings", [])] == ["APIError: 500"]
    assert state["steps"][0]["finish_reason"] == "error"


# -- prompt-cache writes on a span --------------------------------------------------------------

CLAUDE = "claude-sonnet-4-5"


def cache_price(when: float, *, hour: int = 0) -> float:
    """genai-prices' own price of 51,203 input tokens (1,200 read from the cache, 50,000
    written to it, ``hour`` of them for an hour) and 10 output tokens of ``CLAUDE``."""
    from datetime import datetime, timezone

    import genai_prices

    usage = genai_prices.Usage(
        input_tokens=51_203,
        cache_read_tokens=1200,
        cache_write_tokens=50_000,
        cache_write_1h_tokens=hour or None,
        output_tokens=10,
    )
    at = datetime.fromtimestamp(when, tz=timezone.utc)
    price = genai_prices.calc_price(
        usage, CLAUDE, provider_id="anthropic", genai_request_timestamp=at
    )
    return float(price.total_price)


def test_an_instrumented_calls_cache_writes_are_counted_and_priced(
    provider: TracerProvider,
) -> None:
    """A gateway's Chat Completions usage with cache writes (``cache_write_tokens``):
    OpenInference's span carries ``llm.token_count.prompt_details.cache_write``, counted and
    priced at genai-prices' write rate (openai-v2 puts no cache count on a Chat Completions
    span)."""
    pytest.importorskip("genai_prices")
    usage = usage_chunk(51_203, 10, model=CLAUDE)
    usage["usage"]["prompt_tokens_details"] = {"cached_tokens": 1200, "cache_write_tokens": 50_000}
    script = [*text_chunks(["Cached."], usage=False, model=CLAUDE), usage]
    instrumentor = openinference_instrumentor()
    instrumentor.instrument()
    try:
        with OpenAIServer(script=script) as srv:
            client = openai.OpenAI(base_url=srv.base_url, api_key="test")
            with nbagent.watch() as run:
                client.chat.completions.create(
                    model=CLAUDE, messages=[{"role": "user", "content": "hi"}]
                )
    finally:
        instrumentor.uninstrument()
    t = run.transcript
    assert (t.usage.input_tokens, t.usage.cache_write_tokens) == (51_203, 50_000)
    (step,) = t.steps
    assert step["cost_source"] == "price table"
    assert t.cost_usd == pytest.approx(cache_price(step["started_at"]))


def test_pydantic_ai_cache_writes_reach_the_span_and_the_run() -> None:
    """pydantic-ai's ``RequestUsage.cache_write_tokens`` on its instrumentation's span
    (``gen_ai.usage.cache_creation.input_tokens``), read by ``nbagent.watch()``."""
    pytest.importorskip("genai_prices")
    from pydantic_ai.usage import RequestUsage

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        usage = RequestUsage(
            input_tokens=51_203, cache_read_tokens=1200, cache_write_tokens=50_000, output_tokens=10
        )
        return ModelResponse(parts=[TextPart("Cached.")], usage=usage, model_name=CLAUDE)

    agent = Agent(FunctionModel(answer, model_name=CLAUDE))
    with nbagent.watch() as run:
        agent.run_sync("hi")
    t = run.transcript
    assert (t.usage.input_tokens, t.usage.cached_input_tokens) == (51_203, 1200)
    assert t.usage.cache_write_tokens == 50_000
    (step,) = t.steps  # pydantic-ai prices it (operation.cost) with genai-prices too
    assert t.cost_usd == pytest.approx(cache_price(step["started_at"]))
