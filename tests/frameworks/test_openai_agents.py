"""The OpenAI Agents SDK (``openai-agents``): ``Runner.run_streamed(...)`` and its
``stream_events()`` read by ``format="openai-agents"`` with no ``format=``.

The streams are the SDK's own: ``agents.testing.ScriptedModel`` (one text delta per content
part), its ``OpenAIChatCompletionsModel`` against ``tests.servers.OpenAIServer`` (many
deltas, reasoning, the converter's ``"__fake_id__"`` item ids) and its
``OpenAIResponsesModel`` against a local Responses SSE server replaying recorded streams.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.frameworks.conftest import need

agents = need("agents")

import openai  # noqa: E402 - after need(): skipped where the extra is absent
from agents import (  # noqa: E402
    Agent,
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Runner,
    function_tool,
    set_tracing_disabled,
)
from agents.exceptions import MaxTurnsExceeded  # noqa: E402
from agents.stream_events import AgentUpdatedStreamEvent  # noqa: E402
from agents.testing import ScriptedModel, assistant_message, function_call  # noqa: E402
from agents.usage import Usage as AgentsUsage  # noqa: E402
from openai.types.responses import ResponseReasoningItem  # noqa: E402
from openai.types.responses.response_reasoning_item import Summary  # noqa: E402

import nbagent  # noqa: E402
from nbagent.adapters import detect_format  # noqa: E402
from nbagent.adapters.openai_agents import OpenAIAgentsAdapter  # noqa: E402
from nbagent.core.events import (  # noqa: E402
    Event,
    StepEnd,
    StepStart,
    ToolCallStart,
    ToolResult,
    Usage,
)
from nbagent.core.values import plain  # noqa: E402
from tests import aio  # noqa: E402
from tests.servers import Gate, OpenAIServer, chunk, text_chunks, usage_chunk  # noqa: E402
from tests.sse_servers import SSEServer, fixture_frames  # noqa: E402
from tests.wait import PATIENCE, wait_for_async  # noqa: E402

set_tracing_disabled(True)  # no trace export (it would want an API key)


@function_tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@function_tool
def get_time(tz: str) -> str:
    """The time in a time zone."""
    return f"12:00 {tz}"


def usage(inp: int, out: int) -> AgentsUsage:
    return AgentsUsage(requests=1, input_tokens=inp, output_tokens=out, total_tokens=inp + out)


Run = tuple[Any, list[Event]]  # (the SDK's RunResultStreaming, nbagent's events)


def run_agent(make: Callable[[], Agent[Any]], prompt: str = "hi") -> Run:
    """``Runner.run_streamed`` (on a loop: it starts a task) read by ``aiter_events``."""

    async def main() -> Run:
        result = Runner.run_streamed(make(), prompt)
        return result, [ev async for ev in nbagent.aiter_events(result)]

    return aio.run(main())


def transcript(events: list[Event]) -> nbagent.Transcript:
    return nbagent.Transcript.from_events(events)


def steps(events: list[Event]) -> list[tuple[str, str]]:
    return [(ev.step_id, ev.name) for ev in events if isinstance(ev, StepStart)]


def step_usage(events: list[Event]) -> list[tuple[str | None, int | None, int | None]]:
    return [
        (ev.step_id, ev.input_tokens, ev.output_tokens) for ev in events if isinstance(ev, Usage)
    ]


# -- ScriptedModel ----------------------------------------------------------------------------


def test_plain_answer() -> None:
    def make() -> Agent[Any]:
        model = ScriptedModel([{"output": [assistant_message("Hello there.")]}])
        return Agent(name="Greeter", model=model)

    result, events = run_agent(make)
    t = transcript(events)
    assert result.is_complete
    assert result.final_output == "Hello there."
    assert t.text == result.final_output
    assert (t.status, t.end_reason) == ("completed", "completed")
    assert steps(events) == [("step1", "Greeter")]
    assert {ev.source for ev in events} == {"openai-agents"}


def test_a_function_tool_call_and_its_result() -> None:
    def make() -> Agent[Any]:
        model = ScriptedModel(
            [
                {"output": [function_call("get_weather", {"city": "Paris"}, call_id="call_1")]},
                {"output": [assistant_message("It is sunny in Paris.")]},
            ]
        )
        return Agent(name="Helper", model=model, tools=[get_weather])

    result, events = run_agent(make)
    t = transcript(events)
    (call,) = t.tool_calls
    sdk_calls = [i for i in result.new_items if i.type == "tool_call_item"]
    sdk_outputs = [i for i in result.new_items if i.type == "tool_call_output_item"]
    assert (call.id, call.name) == (sdk_calls[0].raw_item.call_id, "get_weather")
    assert call.args == json.loads(sdk_calls[0].raw_item.arguments) == {"city": "Paris"}
    assert call.result == sdk_outputs[0].output == "sunny in Paris"
    assert t.text == result.final_output == "It is sunny in Paris."
    assert steps(events) == [("step1", "Helper"), ("step2", "Helper")]
    ends = [(ev.step_id, ev.finish_reason) for ev in events if isinstance(ev, StepEnd)]
    assert ends == [("step1", "tool_calls"), ("step2", "completed")]
    # the call was streamed by the raw events; the run items add only its result
    assert sum(isinstance(ev, ToolCallStart) for ev in events) == 1
    assert sum(isinstance(ev, ToolResult) for ev in events) == 1


def test_two_tools_then_a_third() -> None:
    def make() -> Agent[Any]:
        model = ScriptedModel(
            [
                {
                    "output": [
                        function_call("get_weather", {"city": "Oslo"}, call_id="call_1"),
                        function_call("get_time", {"tz": "CET"}, call_id="call_2"),
                    ]
                },
                {"output": [function_call("get_weather", {"city": "Rome"}, call_id="call_3")]},
                {"output": [assistant_message("Done.")]},
            ]
        )
        return Agent(name="Helper", model=model, tools=[get_weather, get_time])

    result, events = run_agent(make)
    t = transcript(events)
    got = [(c.id, c.name, c.args, c.result) for c in t.tool_calls]
    assert got == [
        ("call_1", "get_weather", {"city": "Oslo"}, "sunny in Oslo"),
        ("call_2", "get_time", {"tz": "CET"}, "12:00 CET"),
        ("call_3", "get_weather", {"city": "Rome"}, "sunny in Rome"),
    ]
    assert t.text == result.final_output == "Done."
    # the scripted model names every message "scripted-message": the run's first keeps it
    texts = [b["id"] for b in t.to_dict()["blocks"] if b["type"] == "text"]
    assert texts == ["scripted-message"]
    assert [name for _, name in steps(events)] == ["Helper"] * 3


def test_a_handoff_between_two_agents() -> None:
    def make() -> Agent[Any]:
        billing = Agent(
            name="Billing",
            model=ScriptedModel([{"output": [assistant_message("Billing here: paid.")]}]),
        )
        model = ScriptedModel(
            [{"output": [function_call("transfer_to_billing", {}, call_id="call_h")]}]
        )
        return Agent(name="Triage", model=model, handoffs=[billing])

    result, events = run_agent(make)
    t = transcript(events)
    assert result.last_agent.name == "Billing"
    assert t.text == result.final_output == "Billing here: paid."
    (call,) = t.tool_calls
    assert (call.id, call.name) == ("call_h", "transfer_to_billing")
    assert json.loads(call.result) == {"assistant": "Billing"}
    assert steps(events) == [("step1", "Triage"), ("step2", "Billing")]
    assert (t.status, t.end_reason) == ("completed", "completed")


def test_reasoning_items_are_thinking_never_the_answer() -> None:
    def make() -> Agent[Any]:
        reasoning = ResponseReasoningItem(
            id="rs_1",
            type="reasoning",
            summary=[
                Summary(text="The user greets.", type="summary_text"),
                Summary(text="Greet back.", type="summary_text"),
            ],
        )
        model = ScriptedModel([{"output": [reasoning, assistant_message("Hi!")]}])
        return Agent(name="Thinker", model=model)

    result, events = run_agent(make)
    t = transcript(events)
    assert t.thinking == "The user greets.\n\nGreet back."
    assert t.text == result.final_output == "Hi!"
    assert "greets" not in t.text


def test_usage_per_model_call_and_for_the_run() -> None:
    def make() -> Agent[Any]:
        model = ScriptedModel(
            [
                {
                    "output": [function_call("get_weather", {"city": "X"}, call_id="c")],
                    "usage": usage(10, 5),
                },
                {"output": [assistant_message("ok")], "usage": usage(20, 4)},
            ]
        )
        return Agent(name="Counter", model=model, tools=[get_weather])

    result, events = run_agent(make)
    t = transcript(events)
    assert step_usage(events) == [("step1", 10, 5), ("step2", 20, 4)]
    sdk = result.context_wrapper.usage
    assert t.usage is not None
    assert (t.usage.input_tokens, t.usage.output_tokens, t.usage.total_tokens) == (
        sdk.input_tokens,
        sdk.output_tokens,
        sdk.total_tokens,
    )
    assert [s["usage"]["output_tokens"] for s in t.to_dict()["steps"]] == [5, 4]


def test_a_model_error_mid_run_ends_the_run_as_an_error() -> None:
    step = agents.testing.ModelStep.raise_error(RuntimeError("the model broke"))

    def make() -> Agent[Any]:
        model = ScriptedModel(
            [{"output": [function_call("get_weather", {"city": "X"}, call_id="c")]}, step]
        )
        return Agent(name="Helper", model=model, tools=[get_weather])

    _, events = run_agent(make)
    t = transcript(events)
    assert (t.status, t.end_reason) == ("error", "error")
    assert t.error is not None
    assert "the model broke" in t.error["message"]
    (call,) = t.tool_calls
    assert call.result == "sunny in X"  # what came before the error stays


def test_max_turns_exceeded_is_an_error() -> None:
    def make() -> Agent[Any]:
        calls = [
            {"output": [function_call("get_weather", {"city": str(i)}, call_id=f"c{i}")]}
            for i in range(3)
        ]
        return Agent(name="Looper", model=ScriptedModel(calls), tools=[get_weather])

    async def main() -> list[Event]:
        result = Runner.run_streamed(make(), "loop", max_turns=2)
        return [ev async for ev in nbagent.aiter_events(result)]

    t = transcript(aio.run(main()))
    assert t.status == "error"
    assert t.error is not None
    assert MaxTurnsExceeded.__name__ in t.error["message"]


def test_the_stream_events_themselves_are_detected() -> None:
    async def main() -> tuple[str, list[Event]]:
        model = ScriptedModel([{"output": [assistant_message("Direct.")]}])
        result = Runner.run_streamed(Agent(name="A", model=model), "hi")
        items = [ev async for ev in result.stream_events()]
        return detect_format(items[0]), list(nbagent.iter_events(iter(items)))

    fmt, events = aio.run(main())
    assert fmt == "openai-agents"
    assert transcript(events).text == "Direct."


def test_raw_events_alone_read_as_openai_responses() -> None:
    async def main() -> list[Any]:
        model = ScriptedModel([{"output": [assistant_message("Raw only.")], "usage": usage(3, 2)}])
        result = Runner.run_streamed(Agent(name="A", model=model), "hi")
        return [ev async for ev in result.stream_events() if ev.type == "raw_response_event"]

    raw = aio.run(main())
    t = transcript(list(nbagent.iter_events(iter(raw), format="openai-responses")))
    assert (t.text, t.status) == ("Raw only.", "completed")
    assert t.usage is not None
    assert t.usage.output_tokens == 2
    auto = transcript(list(nbagent.iter_events(iter(raw))))
    assert auto.text == "Raw only."


def test_run_items_alone_show_messages_and_tools() -> None:
    async def main() -> list[Any]:
        model = ScriptedModel(
            [
                {"output": [function_call("get_weather", {"city": "Lima"}, call_id="c1")]},
                {"output": [assistant_message("Warm.")]},
            ]
        )
        result = Runner.run_streamed(Agent(name="A", model=model, tools=[get_weather]), "hi")
        return [ev async for ev in result.stream_events() if ev.type == "run_item_stream_event"]

    t = transcript(list(nbagent.iter_events(iter(aio.run(main())))))
    assert t.text == "Warm."
    (call,) = t.tool_calls
    assert (call.name, call.args, call.result) == ("get_weather", {"city": "Lima"}, "sunny in Lima")


# -- an agent used as a tool --------------------------------------------------------------------


async def merged(result: Any, inner: asyncio.Queue[Any]) -> AsyncIterator[Any]:
    """The outer run's events with those of its agent-tools (``as_tool(on_stream=...)``),
    in the order they came: the SDK streams an agent-tool's events only to that callback."""
    outer: asyncio.Queue[Any] = inner
    done = object()

    async def pump() -> None:
        try:
            async for ev in result.stream_events():
                await outer.put(ev)
        finally:
            await outer.put(done)

    task = asyncio.create_task(pump())
    try:
        while (item := await outer.get()) is not done:
            yield item
    finally:
        await task


def test_an_agent_used_as_a_tool_is_nested_under_its_call() -> None:
    async def main() -> tuple[Any, list[Event]]:
        queue: asyncio.Queue[Any] = asyncio.Queue()
        researcher = Agent(
            name="Researcher",
            model=ScriptedModel([{"output": [assistant_message("Paris has 2M people.")]}]),
        )
        tool = researcher.as_tool(
            tool_name="research", tool_description="Research.", on_stream=queue.put_nowait
        )
        model = ScriptedModel(
            [
                {"output": [function_call("research", {"input": "Paris"}, call_id="call_r")]},
                {"output": [assistant_message("About 2 million.")]},
            ]
        )
        result = Runner.run_streamed(Agent(name="Lead", model=model, tools=[tool]), "hi")
        return result, [ev async for ev in nbagent.aiter_events(merged(result, queue))]

    result, events = aio.run(main())
    nested = [ev for ev in events if ev.parent is not None]
    assert nested
    assert {ev.parent for ev in nested} == {"call_r"}
    assert ("call_r:step1", "Researcher") in steps(events)
    nested_text = "".join(getattr(ev, "delta", "") for ev in nested if ev.kind == "text_delta")
    assert nested_text == "Paris has 2M people."
    top = transcript([ev for ev in events if ev.parent is None])
    assert top.text == result.final_output == "About 2 million."
    (call,) = top.tool_calls
    assert (call.id, call.result) == ("call_r", "Paris has 2M people.")


# -- the SDK's real models against local servers ---------------------------------------------------


def chat_model(srv: OpenAIServer) -> OpenAIChatCompletionsModel:
    client = openai.AsyncOpenAI(base_url=srv.base_url, api_key="test", max_retries=0)
    return OpenAIChatCompletionsModel("test-model", client)


def reasoning_tool_script() -> list[dict[str, Any]]:
    call = {"index": 0, "id": "call_A", "type": "function"}
    return [
        chunk("", role="assistant"),
        chunk(reasoning_content="Weather needs "),
        chunk(reasoning_content="the tool."),
        chunk(tool_calls=[{**call, "function": {"name": "get_weather", "arguments": ""}}]),
        chunk(tool_calls=[{"index": 0, "function": {"arguments": '{"city":'}}]),
        chunk(tool_calls=[{"index": 0, "function": {"arguments": '"Paris"}'}}]),
        chunk(finish_reason="tool_calls"),
        usage_chunk(11, 7),
    ]


def test_chat_completions_model_streams_thinking_tools_and_text() -> None:
    answer = ["It is ", "sunny ", "in Paris."]
    scripts = [reasoning_tool_script(), text_chunks(answer)]
    with OpenAIServer(scripts=scripts) as srv:

        def make() -> Agent[Any]:
            settings = ModelSettings(include_usage=True)
            return Agent(
                name="Helper", model=chat_model(srv), tools=[get_weather], model_settings=settings
            )

        result, events = run_agent(make)
    t = transcript(events)
    assert t.thinking == "Weather needs the tool."
    assert t.text == result.final_output == "It is sunny in Paris."
    assert "tool" not in t.text
    (call,) = t.tool_calls
    assert (call.id, call.name, call.args, call.result) == (
        "call_A",
        "get_weather",
        {"city": "Paris"},
        "sunny in Paris",
    )
    deltas = [ev for ev in events if ev.kind == "text_delta"]
    assert len(deltas) == 3  # streamed as it came
    sdk = result.context_wrapper.usage
    assert t.usage is not None
    assert t.usage.total_tokens == sdk.total_tokens
    assert steps(events) == [("step1", "Helper"), ("step2", "Helper")]


class ResponsesServer(SSEServer):
    """A Responses SSE endpoint: one recorded stream per request, the last one repeated."""

    def __init__(self, scripts: Sequence[Sequence[bytes]]) -> None:
        self.scripts = [list(script) for script in scripts]
        super().__init__()

    @property  # type: ignore[override]
    def script(self) -> list[bytes]:
        n = max(len(self.requests) - 1, 0)
        return self.scripts[min(n, len(self.scripts) - 1)]

    @script.setter
    def script(self, value: Any) -> None:
        pass


def recorded(name: str) -> list[bytes]:
    frames = fixture_frames("openai-responses", name)
    assert frames is not None
    return frames


@function_tool(name_override="get_weather")
def get_weather_with_note(city: str, note: str) -> str:
    """The weather in a city, with a note (the recorded stream's tool)."""
    return f"sunny in {city} ({note})"


def test_responses_model_two_tools_reasoning_and_usage() -> None:
    # Recorded Responses streams: two parallel calls, then reasoning and the answer.
    with ResponsesServer([recorded("parallel_tools"), recorded("reasoning_summary")]) as srv:
        client = openai.AsyncOpenAI(
            base_url=f"http://127.0.0.1:{srv.port}/v1", api_key="test", max_retries=0
        )

        def make() -> Agent[Any]:
            tools = [get_weather_with_note, get_time]
            return Agent(name="Planner", model=OpenAIResponsesModel("m", client), tools=tools)

        result, events = run_agent(make)
    t = transcript(events)
    got = [(c.id, c.name, c.args, c.result) for c in t.tool_calls]
    weather = ({"city": 'Paris "centre"', "note": "café"}, 'sunny in Paris "centre" (café)')
    assert got == [
        ("call_a", "get_weather", *weather),
        ("call_b", "get_time", {"tz": "CET"}, "12:00 CET"),
    ]
    assert t.thinking == "**Planning**\n\nI will answer.\n\nSecond part."
    assert t.text == result.final_output == "42"
    sdk = result.context_wrapper.usage
    assert t.usage is not None
    assert (t.usage.total_tokens, t.usage.reasoning_tokens) == (
        sdk.total_tokens,
        sdk.output_tokens_details.reasoning_tokens,
    )
    assert t.model == "gpt-4.1-2025-04-14"


# -- nbagent.show and Stop --------------------------------------------------------------------


def test_show_of_run_streamed_awaited_on_the_loop(capsys: pytest.CaptureFixture[str]) -> None:
    async def main() -> tuple[Any, nbagent.Transcript]:
        model = ScriptedModel(
            [
                {"output": [function_call("get_weather", {"city": "Nice"}, call_id="c")]},
                {"output": [assistant_message("Sunny in Nice.")]},
            ]
        )
        result = Runner.run_streamed(Agent(name="A", model=model, tools=[get_weather]), "hi")
        run = nbagent.show(result)
        return result, await run

    result, t = aio.run(main())
    assert t.text == result.final_output == "Sunny in Nice."
    assert t.tool_calls[0].result == "sunny in Nice"
    assert (t.status, t.end_reason) == ("completed", "completed")
    assert "Sunny in Nice." in capsys.readouterr().out


def test_stop_cancels_the_sdk_run(capsys: pytest.CaptureFixture[str]) -> None:
    # Held far longer than the test (released at its end): "never" cannot come first.
    script = [chunk("", role="assistant"), chunk("Thinking slowly "), Gate(600), chunk("never")]
    with OpenAIServer(script=script) as srv:

        async def main() -> tuple[Any, nbagent.Transcript]:
            result = Runner.run_streamed(Agent(name="Slow", model=chat_model(srv)), "hi")
            run = nbagent.show(result)
            await wait_for_async(lambda: "slowly" in run.transcript.text, what="the first words")
            run.cancel()
            t = await run
            await wait_for_async(  # the SDK's task ends on its own loop
                lambda: result.run_loop_task is None or result.run_loop_task.done(),
                what="the SDK's run task to end",
            )
            return result, t

        result, t = aio.run(main())
        assert srv.wait_disconnect(PATIENCE)  # the model's HTTP stream was closed
        srv.release()
    assert (t.status, t.text) == ("cancelled", "Thinking slowly ")
    assert result.is_complete
    assert result.run_loop_task is None or result.run_loop_task.done()
    assert result.final_output is None


# -- a real kernel ------------------------------------------------------------------------------


KERNEL_SETUP = """
import asyncio, time, openai, nbagent
from agents import Agent, Runner, OpenAIChatCompletionsModel, function_tool, set_tracing_disabled
set_tracing_disabled(True)

@function_tool
def get_weather(city: str) -> str:
    '''The weather in a city.'''
    return f"sunny in {city}"

def agent(url):
    client = openai.AsyncOpenAI(base_url=url, api_key='test', max_retries=0)
    model = OpenAIChatCompletionsModel('test-model', client)
    return Agent(name='Helper', model=model, tools=[get_weather])

async def until(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, 'timed out'
        await asyncio.sleep(0.01)
"""


def tool_call_script(city: str) -> list[dict[str, Any]]:
    arguments = json.dumps({"city": city})
    function = {"name": "get_weather", "arguments": arguments}
    return [
        chunk(tool_calls=[{"index": 0, "id": "call_k", "type": "function", "function": function}]),
        chunk(finish_reason="tool_calls"),
    ]


@pytest.mark.kernel
def test_kernel_show_run_streamed(kernel: Any) -> None:
    from tests.kernel import widget_traffic

    scripts = [tool_call_script("Oslo"), text_chunks(["Cold ", "in ", "Oslo."])]
    with OpenAIServer(scripts=scripts) as srv:
        since = len(kernel.messages())
        kernel.execute(
            f"result = Runner.run_streamed(agent({srv.base_url!r}), 'weather?')\n"
            "run = nbagent.show(result)\nt = await run"
        )
    (widget,) = widget_traffic(kernel.messages(), since)["widgets"]
    state = widget["final"]["state"]
    assert (state["status"], state["end_reason"]) == ("completed", "completed")
    text = "".join(b["text"] for b in state["blocks"] if b["type"] == "text")
    assert text == "Cold in Oslo." == kernel.value("result.final_output")
    assert [s["name"] for s in state["steps"]] == ["Helper", "Helper"]


@pytest.mark.kernel
def test_kernel_stop_cancels_the_sdk_run(kernel: Any) -> None:
    from tests.kernel import widget_traffic

    script = [chunk("", role="assistant"), chunk("Slow "), Gate(10), chunk("never")]
    with OpenAIServer(script=script) as srv:
        since = len(kernel.messages())
        kernel.execute(
            f"result = Runner.run_streamed(agent({srv.base_url!r}), 'hi')\n"
            "run = nbagent.show(result)\n"
            "await until(lambda: run.transcript.text == 'Slow ')\n"
            "run.cancel()\nt = await run\n"
            "await until(lambda: result.run_loop_task is None or result.run_loop_task.done())"
        )
        assert srv.wait_disconnect(PATIENCE)
        srv.release()
    (widget,) = widget_traffic(kernel.messages(), since)["widgets"]
    assert widget["final"]["state"]["status"] == "cancelled"
    assert kernel.value("result.is_complete") is True
    assert kernel.value("result.final_output") is None


# -- recordings (the dict form: tests/fixtures/openai-agents) -----------------------------------

RECORDINGS = Path(__file__).parents[1] / "fixtures" / "openai-agents"


def as_dict(ev: Any) -> dict[str, Any]:
    """A stream event's dict form, as a JSONL recording keeps it (agents by name only)."""
    if ev.type == "raw_response_event":
        return {"type": ev.type, "data": plain(ev.data)}
    if ev.type == "agent_updated_stream_event":
        return {"type": ev.type, "new_agent": {"name": ev.new_agent.name}}
    item: dict[str, Any] = {"type": ev.item.type, "raw_item": plain(ev.item.raw_item)}
    for key in ("output", "source_agent", "target_agent"):
        value = getattr(ev.item, key, None)
        if value is not None:
            item[key] = {"name": value.name} if key.endswith("agent") else plain(value)
    return {"type": ev.type, "name": ev.name, "item": item}


def tool_and_handoff() -> Agent[Any]:
    billing = Agent(
        name="Billing",
        model=ScriptedModel([{"output": [assistant_message("Refunded.")], "usage": usage(7, 2)}]),
    )
    model = ScriptedModel(
        [
            {
                "output": [function_call("get_weather", {"city": "Oslo"}, call_id="call_w")],
                "usage": usage(10, 5),
            },
            {
                "output": [function_call("transfer_to_billing", {}, call_id="call_h")],
                "usage": usage(12, 3),
            },
        ]
    )
    return Agent(name="Triage", model=model, tools=[get_weather], handoffs=[billing])


def record(make: Callable[[], Agent[Any]]) -> list[dict[str, Any]]:
    async def main() -> list[dict[str, Any]]:
        result = Runner.run_streamed(make(), "hi")
        return [as_dict(ev) async for ev in result.stream_events()]

    return aio.run(main())


def untimed(t: nbagent.Transcript) -> list[dict[str, Any]]:
    timing = {"started_at", "args_done_at", "ended_at", "duration_s"}
    return [{k: v for k, v in b.items() if k not in timing} for b in t.to_dict()["blocks"]]


def test_a_recording_reads_as_the_live_run() -> None:
    # Regenerate: path.write_text("".join(json.dumps(d) + "\n" for d in record(...)))
    path = RECORDINGS / "tool_and_handoff.jsonl"
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert lines == record(tool_and_handoff)  # the SDK still streams what was recorded
    _, live = run_agent(tool_and_handoff)
    replayed = transcript(list(nbagent.iter_events(iter(lines))))
    assert untimed(replayed) == untimed(transcript(live))
    assert replayed.text == "Refunded."
    assert [(c.name, c.result) for c in replayed.tool_calls] == [
        ("get_weather", "sunny in Oslo"),
        ("transfer_to_billing", '{"assistant": "Billing"}'),
    ]
    assert replayed.usage is not None
    assert replayed.usage.total_tokens == 39


def test_a_chat_completions_recording() -> None:
    # Recorded from test_chat_completions_model_streams_thinking_tools_and_text's run.
    path = RECORDINGS / "chat_completions_reasoning_tool.jsonl"
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert detect_format(lines[0]) == "openai-agents"
    t = transcript(list(nbagent.iter_events(iter(lines))))
    assert (t.thinking, t.text) == ("Weather needs the tool.", "It is sunny in Paris.")
    assert [(c.id, c.args, c.result) for c in t.tool_calls] == [
        ("call_A", {"city": "Paris"}, "sunny in Paris")
    ]


# -- items no offline model produces, built from the SDK's own classes ------------------------


def test_mcp_items_and_approvals() -> None:
    from agents.items import MCPApprovalRequestItem, MCPListToolsItem
    from agents.stream_events import AgentUpdatedStreamEvent, RunItemStreamEvent
    from openai.types.responses.response_output_item import (
        McpApprovalRequest,
        McpListTools,
        McpListToolsTool,
    )

    agent = Agent(name="Coder")
    listed = McpListTools(
        id="mcpl_1",
        server_label="git",
        tools=[McpListToolsTool(name="search", input_schema={})],
        type="mcp_list_tools",
    )
    request = McpApprovalRequest(
        id="apr_1", arguments="{}", name="push", server_label="git", type="mcp_approval_request"
    )
    items = [
        AgentUpdatedStreamEvent(new_agent=agent),
        RunItemStreamEvent(
            name="mcp_list_tools", item=MCPListToolsItem(agent=agent, raw_item=listed)
        ),
        RunItemStreamEvent(
            name="mcp_approval_requested",
            item=MCPApprovalRequestItem(agent=agent, raw_item=request),
        ),
    ]
    events = list(nbagent.iter_events(iter(items)))
    (call,) = transcript(events).tool_calls
    assert (call.id, call.name, call.args, call.result) == (
        "mcpl_1",
        "mcp_list_tools",
        {"server_label": "git"},
        ["search"],
    )
    statuses = [ev.text for ev in events if ev.kind == "status"]
    assert statuses == ["Coder", "approval requested: git.push"]


def test_a_run_cancelled_by_its_owner_ends_cancelled() -> None:
    # result.cancel() mid model call: the SDK's stream just stops, with the call still open.
    script = [chunk("", role="assistant"), chunk("Half "), Gate(10), chunk("never")]
    with OpenAIServer(script=script) as srv:

        async def main() -> list[Event]:
            result = Runner.run_streamed(Agent(name="Slow", model=chat_model(srv)), "hi")
            out = []
            async for ev in nbagent.aiter_events(result):
                out.append(ev)
                if ev.kind == "text_delta":
                    result.cancel()
            return out

        events = aio.run(main())
        srv.release()
    t = transcript(events)
    assert (t.status, t.end_reason, t.text) == ("cancelled", "cancelled", "Half ")
    assert [ev.finish_reason for ev in events if isinstance(ev, StepEnd)] == ["incomplete"]


def test_an_unreadable_raw_event_names_the_sdk_and_its_version() -> None:
    from agents.stream_events import RawResponsesStreamEvent

    bad = RawResponsesStreamEvent(data={"no": "type"})  # type: ignore[arg-type]
    t = transcript(list(nbagent.iter_events(iter([bad]))))
    assert t.status == "error"
    assert t.error is not None
    assert f"openai-agents {agents.__version__}" in t.error["message"]
    assert "stream_events()" in t.error["message"]


def test_tool_progress_is_a_status_of_its_call() -> None:
    # ToolProgressStreamEvent is not in openai-agents 0.24: its documented shape, as a dict.
    items = [
        {
            "type": "run_item_stream_event",
            "name": "tool_called",
            "item": {
                "type": "tool_call_item",
                "raw_item": {
                    "type": "function_call",
                    "call_id": "c1",
                    "name": "fetch",
                    "arguments": "{}",
                },
            },
        },
        {
            "type": "tool_progress_stream_event",
            "tool_name": "fetch",
            "tool_call_id": "c1",
            "data": "50%",
        },
    ]
    events = list(nbagent.iter_events(iter(items)))
    (status,) = [ev for ev in events if ev.kind == "status"]
    assert (status.tool_call_id, status.text) == ("c1", "50%")


def test_an_agent_tool_of_no_call_id_nests_under_a_scope_ids_names_per_agent() -> None:
    adapter = OpenAIAgentsAdapter()
    scopes = []
    for name, then in (("Researcher", "Researcher"), ("Writer", "Writer"), ("Researcher", "X")):
        update = AgentUpdatedStreamEvent(new_agent=Agent(name=then))
        events = adapter.feed({"event": update, "agent": Agent(name=name), "tool_call": None})
        scopes.append({e.parent for e in events})
    assert scopes == [{"agent1"}, {"agent2"}, {"agent1"}]
