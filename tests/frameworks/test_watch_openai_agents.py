"""``nbagent.watch()`` over the OpenAI Agents SDK: its trace processor hook.

The runs are the SDK's own, non-streaming (``Runner.run_sync``, ``await Runner.run``), with
its real models against local servers on 127.0.0.1: ``OpenAIChatCompletionsModel`` against
``tests.servers.OpenAIServer`` (the answer by the agent's instructions) and
``OpenAIResponsesModel`` against a small Responses server here. The SDK's default exporter
(which would upload traces to OpenAI) is taken off for the module and put back after, with
the SDK's own ``set_trace_processors``; tracing is enabled for the module (another test
module disables it globally) and left as it was.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from tests.frameworks.conftest import need

agents = need("agents")

import openai  # noqa: E402 - after need(): skipped where the extra is absent
from agents import (  # noqa: E402
    Agent,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Runner,
    function_tool,
    set_trace_processors,
    set_tracing_disabled,
)
from agents.exceptions import UserError  # noqa: E402
from agents.items import ToolCallItem, ToolCallOutputItem  # noqa: E402
from agents.tracing import get_trace_provider  # noqa: E402

import nbagent  # noqa: E402
from nbagent.demo.model import LocalServer, send_json  # noqa: E402
from nbagent.transcript.transcript import Transcript  # noqa: E402
from tests import aio  # noqa: E402
from tests.servers import OpenAIServer, chunk, text_chunks, usage_chunk  # noqa: E402
from tests.wait import PATIENCE  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def tracing() -> Iterator[None]:
    """No exporter (no network), tracing on; both as they were afterwards."""
    provider = get_trace_provider()
    before = provider._multi_processor._processors  # type: ignore[attr-defined]
    manual = provider._manual_disabled  # type: ignore[attr-defined]
    set_trace_processors([])
    set_tracing_disabled(False)
    yield
    set_trace_processors(list(before))
    provider._manual_disabled = manual  # type: ignore[attr-defined]
    provider._refresh_disabled_flag()  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _own_loop(own_loop: None) -> None:
    """``Runner.run_sync`` on a loop of each test's own (``conftest.own_loop``)."""


def processors() -> tuple[Any, ...]:
    return get_trace_provider()._multi_processor._processors  # type: ignore[attr-defined, no-any-return]


# -- the models -----------------------------------------------------------------------------


def call(
    name: str, args: dict[str, Any], call_id: str, usage: tuple[int, int] = (5, 6)
) -> list[Any]:
    """A chat completion asking for one tool call."""
    tool_call = {
        "index": 0,
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(args)},
    }
    return [
        chunk("", role="assistant"),
        chunk(tool_calls=[tool_call]),
        chunk(finish_reason="tool_calls"),
        usage_chunk(*usage),
    ]


def by_instructions(plans: dict[str, list[list[Any]]]) -> Callable[[dict[str, Any]], list[Any]]:
    """The answer to a request: the agent's (its instructions) next planned one."""
    counts: dict[str, int] = {}
    lock = threading.Lock()

    def script(body: dict[str, Any]) -> list[Any]:
        messages = body.get("messages") or [{}]
        system = messages[0].get("content") if messages[0].get("role") == "system" else ""
        with lock:
            n = counts[system] = counts.get(system, -1) + 1
        steps = plans[system]
        return steps[min(n, len(steps) - 1)]

    return script


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as srv:
        yield srv


def chat_model(srv: OpenAIServer) -> OpenAIChatCompletionsModel:
    client = openai.AsyncOpenAI(base_url=srv.base_url, api_key="test")
    return OpenAIChatCompletionsModel("test-model", client)


@function_tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@function_tool(failure_error_function=None)
def explode(city: str) -> str:
    """A tool that fails (and the SDK lets it raise)."""
    raise ValueError(f"no weather for {city}")


@function_tool
def explode_handled(city: str) -> str:
    """A tool that fails (the SDK gives the model the error as the output)."""
    raise ValueError(f"no weather for {city}")


def weather_agent(srv: OpenAIServer, name: str = "weather") -> Agent[Any]:
    srv.script = by_instructions(
        {
            name: [
                call("get_weather", {"city": "Oslo"}, "call_w1"),
                text_chunks(["Oslo is ", "sunny."]),
            ]
        }
    )
    return Agent(name=name, instructions=name, model=chat_model(srv), tools=[get_weather])


def check_against_result(t: Transcript, result: Any) -> None:
    """The transcript says what the SDK's own result says: text, tool calls, usage."""
    assert t.text == result.final_output
    calls = [i.raw_item for i in result.new_items if isinstance(i, ToolCallItem)]
    outputs = {
        i.raw_item["call_id"]: i.output
        for i in result.new_items
        if isinstance(i, ToolCallOutputItem)
    }
    top = [c for c in t.tool_calls if c.parent is None]
    assert [(c.name, c.args) for c in top] == [(c.name, json.loads(c.arguments)) for c in calls]
    assert [c.result for c in top] == [outputs[c.call_id] for c in calls]
    usage = result.context_wrapper.usage
    assert (t.usage.input_tokens, t.usage.output_tokens) == (
        usage.input_tokens,
        usage.output_tokens,
    )
    assert len(t.steps) == usage.requests
    for step in t.steps:
        assert step["started_at"] <= step["ended_at"]
        assert step["name"] == "test-model"


# -- a block ---------------------------------------------------------------------------------


def test_run_sync_in_a_block(server: OpenAIServer) -> None:
    agent = weather_agent(server)
    before = processors()
    with nbagent.watch() as run:
        assert len(processors()) == len(before) + 1
        result = Runner.run_sync(agent, "Weather in Oslo?")
    assert processors() == before  # the same objects, in the same order
    t = run.transcript
    assert run.status == "completed"
    check_against_result(t, result)
    assert t.tool_calls[0].id == "call_w1"
    assert t.to_dict()["whole"] is True
    assert t.steps[0]["finish_reason"] == "tool_calls"
    assert t.steps[1]["finish_reason"] == "stop"
    # a call after the block: nothing added, no new run
    blocks = len(t.blocks)
    Runner.run_sync(agent, "again")
    assert len(run.transcript.blocks) == blocks


def test_async_run_in_async_block(server: OpenAIServer) -> None:
    agent = weather_agent(server)

    async def main() -> tuple[Any, Any]:
        async with nbagent.watch() as run:
            result = await Runner.run(agent, "Weather in Oslo?")
        return run, result

    run, result = aio.run(main())
    assert run.status == "completed"
    check_against_result(run.transcript, result)


def test_two_calls_in_one_block(server: OpenAIServer) -> None:
    agent = weather_agent(server)
    with nbagent.watch() as run:
        first = Runner.run_sync(agent, "Weather in Oslo?")
        server.script = text_chunks(["Just ", "text."])
        second = Runner.run_sync(agent, "again")
    # two answers that came whole: two paragraphs
    assert run.transcript.text == first.final_output + "\n\n" + second.final_output
    texts = [b for b in run.transcript.blocks if b["type"] == "text"]
    assert len(texts) == 2


def test_records_from_threads(server: OpenAIServer) -> None:
    """A run started on a pool's thread (no context of the block) still shows."""
    agent = weather_agent(server)
    with nbagent.watch() as run, ThreadPoolExecutor(1) as pool:
        result = pool.submit(Runner.run_sync, agent, "Weather in Oslo?").result()
    check_against_result(run.transcript, result)


# -- the Responses API model -----------------------------------------------------------------


class ResponsesServer(LocalServer):
    """``POST /v1/responses`` (not streamed): the next of ``answers``, a whole ``Response``."""

    def __init__(self, answers: list[list[dict[str, Any]]]) -> None:
        self.answers = answers
        self.count = 0

    def handler(self) -> type[BaseHTTPRequestHandler]:
        srv = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                output = srv.answers[min(srv.count, len(srv.answers) - 1)]
                srv.count += 1
                send_json(self, 200, response(f"resp_{srv.count}", output))

        return Handler

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


def response(response_id: str, output: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": response_id,
        "object": "response",
        "created_at": 1700000000,
        "model": "resp-model",
        "status": "completed",
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": 20,
            "output_tokens": 7,
            "total_tokens": 27,
            "input_tokens_details": {"cached_tokens": 4},
            "output_tokens_details": {"reasoning_tokens": 3},
        },
    }


def test_responses_model_text_thinking_and_tools() -> None:
    reasoning = {
        "type": "reasoning",
        "id": "rs_1",
        "summary": [{"type": "summary_text", "text": "Check the weather first."}],
    }
    function_call = {
        "type": "function_call",
        "id": "fc_1",
        "call_id": "call_r1",
        "name": "get_weather",
        "arguments": '{"city": "Oslo"}',
        "status": "completed",
    }
    message = {
        "type": "message",
        "id": "msg_1",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": "Sunny in Oslo.", "annotations": []}],
    }
    with ResponsesServer([[reasoning, function_call], [message]]) as srv:
        client = openai.AsyncOpenAI(base_url=srv.base_url, api_key="test")
        model = OpenAIResponsesModel("resp-model", client)
        agent = Agent(name="weather", model=model, tools=[get_weather])
        with nbagent.watch() as run:
            result = Runner.run_sync(agent, "Weather in Oslo?")
    t = run.transcript
    assert run.status == "completed"
    assert t.text == result.final_output == "Sunny in Oslo."
    assert t.thinking == "Check the weather first."
    assert [(c.id, c.name, c.args, c.result) for c in t.tool_calls] == [
        ("call_r1", "get_weather", {"city": "Oslo"}, "sunny in Oslo")
    ]
    usage = result.context_wrapper.usage
    assert t.usage.input_tokens == usage.input_tokens == 40
    assert t.usage.output_tokens == usage.output_tokens
    assert t.usage.reasoning_tokens == 6
    assert t.usage.cached_input_tokens == 8
    assert [s["name"] for s in t.steps] == ["resp-model", "resp-model"]


# -- handoffs, agents as tools ---------------------------------------------------------------


def test_handoff(server: OpenAIServer) -> None:
    billing = Agent(name="billing", instructions="billing", model=chat_model(server))
    triage = Agent(
        name="triage", instructions="triage", model=chat_model(server), handoffs=[billing]
    )
    server.script = by_instructions(
        {
            "triage": [call("transfer_to_billing", {}, "call_h1")],
            "billing": [text_chunks(["Your bill ", "is paid."])],
        }
    )
    with nbagent.watch() as run:
        result = Runner.run_sync(triage, "My bill?")
    t = run.transcript
    assert result.last_agent is billing
    assert run.status == "completed"
    assert t.text == result.final_output == "Your bill is paid."
    [handoff] = t.tool_calls
    assert handoff.name == "transfer_to_billing"
    assert json.loads(handoff.result) == {"assistant": "billing"}
    assert handoff.parent is None


def test_agent_as_tool_nests_under_the_call(server: OpenAIServer) -> None:
    helper = Agent(name="helper", instructions="helper", model=chat_model(server))
    boss = Agent(
        name="boss",
        instructions="boss",
        model=chat_model(server),
        tools=[helper.as_tool(tool_name="ask_helper", tool_description="Ask the helper.")],
    )
    server.script = by_instructions(
        {
            "boss": [
                call("ask_helper", {"input": "what is up?"}, "call_a1"),
                text_chunks(["The helper ", "says hi."]),
            ],
            "helper": [text_chunks(["Hi ", "from the helper."], usage=True)],
        }
    )
    with nbagent.watch() as run:
        result = Runner.run_sync(boss, "Ask the helper")
    t = run.transcript
    assert run.status == "completed"
    assert t.text == result.final_output == "The helper says hi."
    [ask] = t.tool_calls
    assert (ask.id, ask.name, ask.args) == ("call_a1", "ask_helper", {"input": "what is up?"})
    assert ask.result == "Hi from the helper."
    inside = t.children("call_a1")
    assert [b["type"] for b in inside] == ["text"]
    nested = [s for s in t.steps if s.get("parent") == "call_a1"]
    assert len(nested) == 1  # the helper's model call, inside the tool call
    usage = result.context_wrapper.usage  # the helper's call counted in
    assert (t.usage.input_tokens, t.usage.output_tokens) == (
        usage.input_tokens,
        usage.output_tokens,
    )
    assert ask.usage["input_tokens"] == 9  # the helper's own, on its tool call


# -- failures ---------------------------------------------------------------------------------


def test_raising_tool_errors_the_run(server: OpenAIServer) -> None:
    server.script = by_instructions({"boom": [call("explode", {"city": "Oslo"}, "call_x1")]})
    agent = Agent(name="boom", instructions="boom", model=chat_model(server), tools=[explode])
    before = processors()
    raised: list[BaseException] = []

    def call_it() -> None:
        try:
            Runner.run_sync(agent, "Weather?")
        except UserError as exc:  # the SDK's own exception object, to compare with
            raised.append(exc)
            raise

    with pytest.raises(UserError) as info, nbagent.watch() as run:
        call_it()
    assert info.value is raised[0]
    assert isinstance(info.value.__cause__, ValueError)
    assert processors() == before
    assert run.status == "error"
    [boom] = run.transcript.tool_calls
    assert boom.is_error is True
    assert "no weather for Oslo" in str(boom.result)


def test_handled_tool_error_is_an_error_result(server: OpenAIServer) -> None:
    server.script = by_instructions(
        {
            "careful": [
                call("explode_handled", {"city": "Oslo"}, "call_e1"),
                text_chunks(["No weather ", "today."]),
            ]
        }
    )
    agent = Agent(
        name="careful", instructions="careful", model=chat_model(server), tools=[explode_handled]
    )
    with nbagent.watch() as run:
        result = Runner.run_sync(agent, "Weather?")
    assert run.status == "completed"
    assert run.transcript.text == result.final_output
    [tool] = run.transcript.tool_calls
    outputs = [i.output for i in result.new_items if isinstance(i, ToolCallOutputItem)]
    assert tool.is_error is True
    assert tool.result == outputs[0]


# -- watch(agent) -----------------------------------------------------------------------------


def test_watch_an_agent(server: OpenAIServer) -> None:
    agent = weather_agent(server)
    other = Agent(name="other", instructions="other", model=chat_model(server))
    before = processors()
    w = nbagent.watch(agent)
    try:
        first = Runner.run_sync(agent, "Weather in Oslo?")
        server.script = by_instructions({"weather": [text_chunks(["Second ", "answer."])]})
        second = Runner.run_sync(agent, "again")
        server.script = by_instructions({"other": [text_chunks(["Not watched."])]})
        Runner.run_sync(other, "hi")  # another agent: not a run of this watch
    finally:
        w.stop()
    assert processors() == before
    assert len(w.runs) == 2
    for run, result in zip(w.runs, (first, second), strict=True):
        run.wait(timeout=PATIENCE)
        assert run.status == "completed"
        assert run.transcript.text == result.final_output
    server.script = by_instructions({"weather": [text_chunks(["After."])]})
    Runner.run_sync(agent, "after stop")
    assert len(w.runs) == 2


def test_watch_an_agent_failing_call(server: OpenAIServer) -> None:
    server.script = by_instructions({"boom": [call("explode", {"city": "Oslo"}, "call_x2")]})
    agent = Agent(name="boom", instructions="boom", model=chat_model(server), tools=[explode])
    with nbagent.watch(agent) as w, pytest.raises(UserError):
        Runner.run_sync(agent, "Weather?")
    [run] = w.runs
    run.wait(timeout=PATIENCE)
    assert run.status == "error"
    assert "no weather for Oslo" in (run.transcript.to_dict()["error"] or {})["message"]


# -- Stop, disabled tracing ----------------------------------------------------------------------


def test_stop_cancels_the_awaited_run(server: OpenAIServer) -> None:
    started = threading.Event()

    @function_tool
    async def slow(city: str) -> str:
        """A slow tool."""
        started.set()
        await asyncio.sleep(PATIENCE)  # only the Stop ends it sooner
        return "late"

    server.script = by_instructions({"slow": [call("slow", {"city": "Oslo"}, "call_s1")]})
    agent = Agent(name="slow", instructions="slow", model=chat_model(server), tools=[slow])
    holder: list[Any] = []

    def stop_later() -> None:
        started.wait(PATIENCE)
        holder[0].cancel()

    async def main() -> tuple[Any, bool]:
        returned = False
        async with nbagent.watch() as run:
            holder.append(run)
            threading.Thread(target=stop_later, daemon=True).start()
            await Runner.run(agent, "Weather?")
            returned = True  # only if the Stop did not cut the run: the tool was waited out
        return run, returned

    run, returned = aio.run(main())  # the block swallowed the Stop's CancelledError
    assert not returned
    assert run.status == "cancelled"
    assert started.is_set()


def test_disabled_tracing_is_a_warning(server: OpenAIServer) -> None:
    agent = weather_agent(server)
    set_tracing_disabled(True)
    try:
        with nbagent.watch() as run:
            Runner.run_sync(agent, "Weather in Oslo?")
    finally:
        set_tracing_disabled(False)
    warnings = run.transcript.to_dict()["warnings"]
    assert any("tracing is disabled" in w["message"] for w in warnings)
    assert run.transcript.text == ""


# -- more shapes: streamed under the hood, a model error, a guardrail's agent --------------------


def test_run_streamed_shows_whole_messages(server: OpenAIServer) -> None:
    """``Runner.run_streamed``: the spans carry the streamed answer whole (a ``Response``
    dump in the generation span); the hook sees no tokens."""
    agent = weather_agent(server)

    async def main() -> tuple[Any, Any]:
        async with nbagent.watch() as run:
            result = Runner.run_streamed(agent, "Weather in Oslo?")
            async for _ in result.stream_events():
                pass
        return run, result

    run, result = aio.run(main())
    assert run.status == "completed"
    check_against_result(run.transcript, result)
    assert run.transcript.to_dict()["whole"] is True


def test_model_error_errors_the_run() -> None:
    with OpenAIServer(status=500) as srv:
        client = openai.AsyncOpenAI(base_url=srv.base_url, api_key="test", max_retries=0)
        agent = Agent(name="down", model=OpenAIChatCompletionsModel("test-model", client))
        raised: list[BaseException] = []

        def call_it() -> None:
            try:
                Runner.run_sync(agent, "hi")
            except openai.InternalServerError as exc:
                raised.append(exc)
                raise

        with pytest.raises(openai.InternalServerError) as info, nbagent.watch() as run:
            call_it()
    assert info.value is raised[0]
    assert run.status == "error"
    [step] = run.transcript.steps
    assert step["finish_reason"] == "error"
    warnings = run.transcript.to_dict()["warnings"]
    assert any("scripted 500" in w["message"] for w in warnings)


def test_guardrail_agent_is_a_subagent_scope(server: OpenAIServer) -> None:
    checker = Agent(name="checker", instructions="checker", model=chat_model(server))

    @agents.input_guardrail
    async def check(ctx: Any, agent: Any, text: Any) -> Any:
        verdict = await Runner.run(checker, "is it fine?", context=ctx.context)
        tripped = verdict.final_output != "Fine."
        return agents.GuardrailFunctionOutput(verdict.final_output, tripwire_triggered=tripped)

    main_agent = Agent(
        name="main", instructions="main", model=chat_model(server), input_guardrails=[check]
    )
    server.script = by_instructions(
        {"checker": [text_chunks(["Fine."])], "main": [text_chunks(["All ", "good."])]}
    )
    with nbagent.watch() as run:
        result = Runner.run_sync(main_agent, "hello")
    t = run.transcript
    assert run.status == "completed"
    assert t.text == result.final_output == "All good."
    [scope] = [b for b in t.blocks if b["type"] == "agent"]
    assert scope["name"] == "checker"
    assert [b["type"] for b in t.children(scope["id"])] == ["text"]

    server.script = by_instructions(
        {"checker": [text_chunks(["Not fine."])], "main": [text_chunks(["unused"])]}
    )
    with (
        pytest.raises(agents.InputGuardrailTripwireTriggered),
        nbagent.watch() as failed,
    ):
        Runner.run_sync(main_agent, "hello")
    assert failed.status == "error"
    assert failed.transcript.to_dict()["activity"] is None  # the run ended
