"""pydantic-ai (``pydantic-ai-slim``): ``agent.run_stream_events()`` and ``agent.iter()``, made
by the library's own test models (``TestModel``, ``FunctionModel``), read with no ``format=``
and checked against what the library reports (``AgentRunResult``, its messages)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.frameworks.conftest import need
from tests.wait import wait_for_async

pydantic_ai = need("pydantic_ai")

import pydantic  # noqa: E402 - after need(): pydantic-ai's own dependency
from pydantic_ai import Agent, DeferredToolRequests, ModelRetry  # noqa: E402
from pydantic_ai.messages import (  # noqa: E402
    AgentStreamEvent,
    ModelMessage,
    ModelResponse,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import (  # noqa: E402
    AgentInfo,
    DeltaThinkingPart,
    DeltaToolCall,
    FunctionModel,
)
from pydantic_ai.models.test import TestModel  # noqa: E402
from pydantic_ai.run import AgentRunResult, AgentRunResultEvent  # noqa: E402

import nbagent  # noqa: E402
from nbagent import Transcript  # noqa: E402
from nbagent.adapters import BadItemError, detect_format  # noqa: E402
from nbagent.adapters.base import ServerSentEvent  # noqa: E402
from nbagent.adapters.pydantic_ai import PydanticAiAdapter  # noqa: E402
from nbagent.core.events import Event, RunEnd, Status, Usage  # noqa: E402
from tests import aio  # noqa: E402
from tests.adapter_harness import fold  # noqa: E402
from tests.kernel import Kernel, final_state  # noqa: E402


def weather_agent() -> Agent[None, str]:
    """Three model calls, streamed by ``FunctionModel``: thinking and two tool calls with
    streamed arguments (one raises ``ModelRetry``), the retried call, then the answer."""
    calls = 0

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[Any]:
        nonlocal calls
        calls += 1
        if calls == 1:
            yield {0: DeltaThinkingPart(content="The user wants ")}
            yield {0: DeltaThinkingPart(content="the weather.", signature="sig-1")}
            yield {1: DeltaToolCall(name="get_weather", json_args='{"city": ', tool_call_id="c1")}
            yield {1: DeltaToolCall(json_args='"Paris"}')}
            yield {2: DeltaToolCall(name="flaky", json_args='{"x": ', tool_call_id="c2")}
            yield {2: DeltaToolCall(json_args="1}")}
        elif calls == 2:
            yield {0: DeltaToolCall(name="flaky", json_args='{"x": 2}', tool_call_id="c3")}
        else:
            yield "It is sunny "
            yield "in Paris."

    def whole(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        """The same answers, not streamed (what ``agent.iter()`` asks for when no node is
        streamed)."""
        nonlocal calls
        calls += 1
        if calls == 1:
            return ModelResponse(
                parts=[
                    ThinkingPart("The user wants the weather.", signature="sig-1"),
                    ToolCallPart("get_weather", '{"city": "Paris"}', "c1"),
                    ToolCallPart("flaky", '{"x": 1}', "c2"),
                ]
            )
        if calls == 2:
            return ModelResponse(parts=[ToolCallPart("flaky", '{"x": 2}', "c3")])
        return ModelResponse(parts=[TextPart("It is sunny in Paris.")])

    model = FunctionModel(whole, stream_function=stream)
    agent: Agent[None, str] = Agent(model, name="weather")

    @agent.tool_plain
    def get_weather(city: str) -> str:
        return f"sunny in {city}"

    @agent.tool_plain
    def flaky(x: int) -> str:
        if x == 1:
            raise ModelRetry("x must be 2")
        return "ok"

    return agent


async def tee(agent: Agent[Any, Any], seen: list[Any], prompt: str = "weather?") -> Any:
    """The events of ``agent.run_stream_events``, as a user's generator that keeps them."""
    async with agent.run_stream_events(prompt) as events:
        async for ev in events:
            seen.append(ev)
            yield ev


async def collect(source: Any) -> list[Event]:
    return [ev async for ev in nbagent.aiter_events(source)]


def result_of(seen: list[Any]) -> AgentRunResult[Any]:
    last = seen[-1]
    assert isinstance(last, AgentRunResultEvent)
    return last.result


def responses(result: AgentRunResult[Any]) -> list[ModelResponse]:
    return [m for m in result.new_messages() if isinstance(m, ModelResponse)]


def check_against_result(events: list[Event], result: AgentRunResult[Any]) -> Transcript:
    """The transcript shows what the library reports: the answer, each call with its
    arguments and return, the usage of the run and of each model call."""
    t = Transcript.from_events(events)
    assert t.status == "completed"
    assert t.text == result.output
    calls = [p for r in responses(result) for p in r.parts if isinstance(p, ToolCallPart)]
    returns = {
        p.tool_call_id: p
        for m in result.new_messages()
        for p in m.parts
        if isinstance(p, ToolReturnPart)
    }
    assert [(c.name, c.args) for c in t.tool_calls] == [
        (p.tool_name, p.args_as_dict()) for p in calls
    ]
    for shown, part in zip(t.tool_calls, calls, strict=True):
        back = returns[part.tool_call_id]
        assert shown.result == back.content
        assert shown.is_error == (back.outcome != "success")
    usage = result.usage
    assert (t.usage.input_tokens, t.usage.output_tokens) == (
        usage.input_tokens,
        usage.output_tokens,
    )
    steps = t.steps
    assert len(steps) == len(responses(result))
    for step, response in zip(steps, responses(result), strict=True):
        assert step["usage"]["input_tokens"] == response.usage.input_tokens
        assert step["usage"]["output_tokens"] == response.usage.output_tokens
        assert step["ended_at"] is not None
    return t


# -- run_stream_events ------------------------------------------------------------------------


def test_function_model_thinking_streamed_arguments_retry_and_usage() -> None:
    seen: list[Any] = []
    events = aio.run(collect(tee(weather_agent(), seen)))
    result = result_of(seen)
    t = check_against_result(events, result)
    assert result.output == "It is sunny in Paris."
    assert t.thinking == "The user wants the weather."
    assert "weather." not in t.text
    ends = [e for e in events if e.kind == "message_end" and e.channel == "thinking"]
    assert [e.signature for e in ends] == ["sig-1"]
    # streamed arguments arrive in pieces; two calls in one response; ModelRetry is an error
    deltas = [e for e in events if e.kind == "tool_call_args_delta" and e.tool_call_id == "c1"]
    assert [d.delta for d in deltas] == ['{"city": ', '"Paris"}']
    assert [c.id for c in t.tool_calls] == ["c1", "c2", "c3"]
    retried = t.tool_calls[1]
    assert (retried.result, retried.is_error) == ("x must be 2", True)
    assert [s["finish_reason"] for s in t.steps] == ["tool_calls", "tool_calls", "completed"]
    run_usage = [e for e in events if isinstance(e, Usage) and e.scope == "run"]
    assert run_usage[0].meta == {"requests": 3, "tool_calls": 2}
    (end,) = [e for e in events if isinstance(e, RunEnd)]
    assert (end.reason, end.result) == ("completed", result.output)


def test_show_takes_run_stream_events_itself() -> None:
    """``run_stream_events`` returns an async context manager: nbagent enters it."""
    agent = weather_agent()
    cm = agent.run_stream_events("weather?")
    assert not hasattr(cm, "__aiter__")
    events = aio.run(collect(cm))
    t = Transcript.from_events(events)
    seen: list[Any] = []
    aio.run(collect(tee(weather_agent(), seen)))
    check_against_result(events, result_of(seen))
    assert events[0].source == "pydantic-ai"
    assert t.thinking
    assert t.thinking not in t.text


def test_the_entered_events_are_a_source_too() -> None:
    async def main() -> list[Event]:
        async with weather_agent().run_stream_events("weather?") as events:
            return await collect(events)

    t = Transcript.from_events(aio.run(main()))
    assert t.text == "It is sunny in Paris."
    assert len(t.steps) == 3


def test_test_model_tools_retry_with_whole_arguments() -> None:
    attempts = 0
    agent: Agent[None, str] = Agent(TestModel(call_tools=["lookup"], custom_output_text="done"))

    @agent.tool_plain
    def lookup(city: str) -> str:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise ModelRetry("try again")
        return f"found {city}"

    seen: list[Any] = []
    events = aio.run(collect(tee(agent, seen)))
    t = check_against_result(events, result_of(seen))
    assert [(c.is_error, c.result) for c in t.tool_calls] == [
        (True, "try again"),
        (False, "found a"),
    ]


def test_a_tool_call_id_used_again_is_made_unique() -> None:
    """A model that repeats its call ids: each call keeps its own block and result."""
    calls = 0

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[Any]:
        nonlocal calls
        calls += 1
        if calls <= 2:
            yield {
                0: DeltaToolCall(name="step", json_args=f'{{"n": {calls}}}', tool_call_id="same")
            }
        else:
            yield "done"

    agent: Agent[None, str] = Agent(FunctionModel(stream_function=stream))

    @agent.tool_plain
    def step(n: int) -> str:
        return f"step {n}"

    events = aio.run(collect(agent.run_stream_events("go")))
    t = Transcript.from_events(events)
    assert [(c.id, c.args, c.result) for c in t.tool_calls] == [
        ("same", {"n": 1}, "step 1"),
        ("same#2", {"n": 2}, "step 2"),
    ]
    assert t.text == "done"


def test_structured_output_through_the_output_tool() -> None:
    class Forecast(pydantic.BaseModel):
        city: str
        temp: int

    agent: Agent[None, Forecast] = Agent(TestModel(), output_type=Forecast)
    seen: list[Any] = []
    events = aio.run(collect(tee(agent, seen)))
    result = result_of(seen)
    (end,) = [e for e in events if isinstance(e, RunEnd)]
    assert end.result == result.output.model_dump()
    (call,) = Transcript.from_events(events).tool_calls
    assert (call.name, call.args) == ("final_result", result.output.model_dump())
    assert call.result == "Final result processed."


def test_a_call_awaiting_approval_is_a_status_and_the_run_is_interrupted() -> None:
    agent: Agent[None, str | DeferredToolRequests] = Agent(
        TestModel(), output_type=[str, DeferredToolRequests]
    )

    @agent.tool_plain(requires_approval=True)
    def delete(path: str) -> str:
        return "deleted"

    seen: list[Any] = []
    events = aio.run(collect(tee(agent, seen)))
    output = result_of(seen).output
    assert isinstance(output, DeferredToolRequests)
    (pending,) = output.approvals
    (status,) = [e for e in events if isinstance(e, Status)]
    assert (status.state, status.tool_call_id) == ("awaiting_approval", pending.tool_call_id)
    assert status.detail["args"] == pending.args
    (end,) = [e for e in events if isinstance(e, RunEnd)]
    assert (end.reason, end.raw_reason) == ("interrupted", "deferred_tool_requests")
    t = Transcript.from_events(events)
    assert [c.name for c in t.tool_calls] == ["delete"]


def test_a_failing_model_ends_the_run_with_its_error() -> None:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        yield "partial "
        raise RuntimeError("the model broke")

    agent: Agent[None, str] = Agent(FunctionModel(stream_function=stream))
    t = Transcript.from_events(aio.run(collect(agent.run_stream_events("go"))))
    assert t.status == "error"
    assert "the model broke" in (t.error or {}).get("message", "")
    assert t.text == "partial "


def test_json_dicts_of_the_events_read_the_same() -> None:
    seen: list[Any] = []
    events = aio.run(collect(tee(weather_agent(), seen)))
    adapter = pydantic.TypeAdapter(AgentStreamEvent)
    dicts = [adapter.dump_python(ev, mode="json") for ev in seen[:-1]]
    result = result_of(seen)
    dicts.append(
        {
            "event_kind": "agent_run_result",
            "result": {
                "output": result.output,
                "messages": json.loads(result.all_messages_json()),
                "usage": pydantic.TypeAdapter(type(result.usage)).dump_python(result.usage),
            },
        }
    )
    assert detect_format(dicts[0]) == "pydantic-ai"
    from_dicts = Transcript.from_events(list(nbagent.iter_events(dicts)))
    shown = Transcript.from_events(events)
    assert (from_dicts.text, from_dicts.thinking) == (shown.text, shown.thinking)
    assert [(c.id, c.args, c.result) for c in from_dicts.tool_calls] == [
        (c.id, c.args, c.result) for c in shown.tool_calls
    ]
    assert from_dicts.usage == shown.usage
    assert [s["usage"] for s in from_dicts.steps] == [s["usage"] for s in shown.steps]


def test_a_recording_of_json_lines_reads_as_the_live_run() -> None:
    """``tests/fixtures/pydantic-ai/weather.jsonl``: the weather run as pydantic-ai's own JSON
    (``AgentStreamEvent``), as lines of text and as ServerSentEvents."""
    path = Path(__file__).parents[1] / "fixtures" / "pydantic-ai" / "weather.jsonl"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    seen: list[Any] = []
    live = Transcript.from_events(aio.run(collect(tee(weather_agent(), seen))))
    for items in (lines, [ServerSentEvent(data=ln) for ln in lines]):
        t = Transcript.from_events(list(nbagent.iter_events(items)))
        assert (t.status, t.text, t.thinking) == ("completed", live.text, live.thinking)
        assert [(c.id, c.args, c.result, c.is_error) for c in t.tool_calls] == [
            (c.id, c.args, c.result, c.is_error) for c in live.tool_calls
        ]
        assert t.usage == live.usage


# -- agent.iter -------------------------------------------------------------------------------


async def iter_events(agent: Agent[Any, Any], *, nodes: bool) -> AsyncIterator[Any]:
    """What a user writes with ``agent.iter``: each node's ``stream(ctx)`` events (and, with
    ``nodes``, the nodes themselves), then ``run.result``."""
    async with agent.iter("weather?") as run:
        async for node in run:
            if nodes:
                yield node
            if Agent.is_model_request_node(node) or Agent.is_call_tools_node(node):
                async with node.stream(run.ctx) as stream:
                    async for ev in stream:
                        yield ev
        yield run.result


def test_iter_node_streams_read_as_run_stream_events() -> None:
    seen: list[Any] = []
    aio.run(collect(tee(weather_agent(), seen)))
    expected = result_of(seen)
    for nodes in (False, True):
        events = aio.run(collect(iter_events(weather_agent(), nodes=nodes)))
        assert events[0].source == "pydantic-ai"
        t = check_against_result(events, expected)
        assert t.thinking == "The user wants the weather."
        # with the nodes, each step has its usage as it ends, not at the end of the run
        usage_at = [i for i, e in enumerate(events) if isinstance(e, Usage) and e.scope == "step"]
        first_result = next(i for i, e in enumerate(events) if e.kind == "tool_result")
        assert (usage_at[0] < first_result) == nodes


def test_iter_nodes_alone_show_whole_steps() -> None:
    async def main() -> tuple[list[Event], AgentRunResult[Any]]:
        async with weather_agent().iter("weather?") as run:
            events = await collect(run)
        assert run.result is not None
        return events, run.result

    events, result = aio.run(main())
    t = Transcript.from_events(events)
    # no result object in the node stream: the graph's End gives the output, the steps the usage
    assert t.text == result.output
    assert t.thinking == "The user wants the weather."
    assert [(c.name, c.result) for c in t.tool_calls] == [
        ("get_weather", "sunny in Paris"),
        ("flaky", "x must be 2"),
        ("flaky", "ok"),
    ]
    assert t.usage.output_tokens == result.usage.output_tokens
    assert len(t.steps) == 3


# -- the adapter alone ------------------------------------------------------------------------


def test_a_stream_cut_before_its_result_is_incomplete() -> None:
    seen: list[Any] = []
    aio.run(collect(tee(weather_agent(), seen)))
    _, out = fold(PydanticAiAdapter(), seen[:5])
    (end,) = [e for e in out if isinstance(e, RunEnd)]
    assert end.reason == "incomplete"
    assert "AgentRunResultEvent" in (end.message or "")


def test_what_it_cannot_read_names_the_library() -> None:
    adapter = PydanticAiAdapter()
    with pytest.raises(BadItemError, match="pydantic-ai"):
        adapter.feed(42)
    with pytest.raises(BadItemError, match="run_stream_events"):
        adapter.feed(object())


def test_nbagent_never_imports_pydantic_ai() -> None:
    """Its JSON events are read, and the adapter detected, with no import of the library."""
    code = (
        "import sys, nbagent\n"
        "items = [{'event_kind': 'part_start', 'index': 0, "
        "'part': {'part_kind': 'text', 'content': 'hi'}}]\n"
        "t = nbagent.Transcript.from_events(list(nbagent.iter_events(items)))\n"
        "assert t.text == 'hi', t.text\n"
        "assert not [m for m in sys.modules if m.startswith('pydantic_ai')]\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=root, timeout=60)


# -- show() and Stop ----------------------------------------------------------------------------


def slow_agent(closed: list[str]) -> Agent[None, str]:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        try:
            yield "a "
            yield "b "
            await asyncio.sleep(30)
            yield "never"
        finally:
            closed.append("model stream closed")

    return Agent(FunctionModel(stream_function=stream))


def test_show_and_cancel_stop_the_run() -> None:
    closed: list[str] = []

    async def main() -> Any:
        run = nbagent.show(slow_agent(closed).run_stream_events("go"))
        await wait_for_async(lambda: run.transcript.text == "a b ", what='"a b "')
        run.cancel()
        await run
        # The library's task ends on its loop, soon after the Stop.
        await wait_for_async(lambda: closed, what="the model stream to close")
        return run

    run = aio.run(main())
    assert (run.status, run.transcript.text) == ("cancelled", "a b ")
    assert closed == ["model stream closed"]


# -- a real kernel ----------------------------------------------------------------------------


KERNEL_SETUP = (
    "import asyncio, time, nbagent\n"
    "from tests.frameworks.test_pydantic_ai import slow_agent, weather_agent\n"
    "async def until(condition, timeout=30):\n"
    "    deadline = time.monotonic() + timeout\n"
    "    while not condition():\n"
    "        assert time.monotonic() < deadline, 'timed out'\n"
    "        await asyncio.sleep(0.01)\n"
)


@pytest.mark.kernel
def test_kernel_shows_run_stream_events(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute("run = nbagent.show(weather_agent().run_stream_events('weather?'))")
    kernel.execute("t = await run")
    state = final_state(kernel, since)
    blocks = state["blocks"]
    assert "".join(b["text"] for b in blocks if b["type"] == "text") == "It is sunny in Paris."
    assert [b["text"] for b in blocks if b["type"] == "thinking"] == ["The user wants the weather."]
    tools = [
        (b["name"], b["args"], b["result"], b["is_error"]) for b in blocks if b["type"] == "tool"
    ]
    assert tools == [
        ("get_weather", {"city": "Paris"}, "sunny in Paris", False),
        ("flaky", {"x": 1}, "x must be 2", True),
        ("flaky", {"x": 2}, "ok", False),
    ]
    assert (state["status"], state["end_reason"]) == ("completed", "completed")
    assert state["usage"]["output_tokens"] == kernel.value("run.transcript.usage.output_tokens")
    assert len(state["steps"]) == 3


@pytest.mark.kernel
def test_kernel_stop_cancels_the_run(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute(
        "closed = []\n"
        "run = nbagent.show(slow_agent(closed).run_stream_events('go'))\n"
        "await until(lambda: run.transcript.text == 'a b ')\n"
        "run.cancel()\n"
        "t = await run"
    )
    kernel.wait_value("closed", ["model stream closed"])
    state = final_state(kernel, since)
    assert state["status"] == "cancelled"
    assert "".join(b["text"] for b in state["blocks"] if b["type"] == "text") == "a b "


def test_cache_writes_of_each_request_and_of_the_run() -> None:
    """``RequestUsage.cache_write_tokens`` (and ``cache_write_1h_tokens``) on each step, the
    run's ``RunUsage`` the same: counted, and priced by the model the agent names."""
    from pydantic_ai.usage import RequestUsage

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        usage = RequestUsage(
            input_tokens=51_203,
            cache_read_tokens=1200,
            cache_write_tokens=50_000,
            cache_write_1h_tokens=20_000,
            output_tokens=10,
        )
        return ModelResponse(parts=[TextPart("Cached.")], usage=usage)

    agent = Agent(FunctionModel(answer, model_name="anthropic:claude-sonnet-4-5"))

    async def main() -> tuple[list[Event], AgentRunResult[Any]]:
        async with agent.iter("hi") as run:
            events = await collect(run)
        assert run.result is not None
        return events, run.result

    events, result = aio.run(main())
    t = Transcript.from_events(events)
    assert (t.usage.cache_write_tokens, t.usage.cache_write_1h_tokens) == (
        result.usage().cache_write_tokens,
        20_000,
    )
    assert (t.usage.input_tokens, t.usage.cached_input_tokens) == (51_203, 1200)
    (step,) = t.steps
    assert step["usage"]["cache_write_tokens"] == 50_000
    genai_prices = pytest.importorskip("genai_prices")
    from datetime import datetime, timezone

    want = genai_prices.calc_price(
        genai_prices.Usage(
            input_tokens=51_203,
            cache_read_tokens=1200,
            cache_write_tokens=50_000,
            cache_write_1h_tokens=20_000,
            output_tokens=10,
        ),
        "claude-sonnet-4-5",
        provider_id="anthropic",
        genai_request_timestamp=datetime.fromtimestamp(step["started_at"], tz=timezone.utc),
    )
    assert (step["cost_usd"], step["cost_source"]) == (
        pytest.approx(float(want.total_price)),
        "price table",
    )
