"""``nbagent.watch()`` over the ``openai`` client itself (the ``openai`` hook family): the real
client against a local server (``tests/servers.py``'s ``OpenAIServer`` for Chat Completions,
a small Responses route here), checked against the objects the client returned."""

from __future__ import annotations

import importlib
import inspect
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pydantic
import pytest

from tests.frameworks.conftest import need

openai = need("openai")

from openai.resources.chat.completions import AsyncCompletions, Completions  # noqa: E402
from openai.resources.responses import AsyncResponses, Responses  # noqa: E402
from openai.types.responses import (  # noqa: E402
    Response,
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseReasoningItem,
    ResponseUsage,
)
from openai.types.responses.response_usage import (  # noqa: E402
    InputTokensDetails,
    OutputTokensDetails,
)

import nbagent  # noqa: E402
from nbagent.demo.model import LocalServer, send_json  # noqa: E402
from nbagent.sources.hooks.openai_client import OpenAIClientHook  # noqa: E402
from tests import aio  # noqa: E402
from tests.servers import OpenAIServer, Reply, chunk, usage_chunk  # noqa: E402
from tests.wait import PATIENCE  # noqa: E402

CLASSES = (Completions, AsyncCompletions, Responses, AsyncResponses)

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


def weather(city: str) -> str:
    return f"sunny in {city}"


def tool_call_script() -> list[dict[str, Any]]:
    call = {
        "index": 0,
        "id": "call_oslo",
        "type": "function",
        "function": {"name": "get_weather", "arguments": json.dumps({"city": "Oslo"})},
    }
    return [
        chunk("", role="assistant"),
        chunk(tool_calls=[call]),
        chunk(finish_reason="tool_calls"),
        usage_chunk(11, 6),
    ]


def answer_script(text: str = "It is sunny in Oslo.") -> list[dict[str, Any]]:
    return [
        chunk("", role="assistant"),
        chunk(text),
        chunk(finish_reason="stop"),
        usage_chunk(23, 8),
    ]


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer(scripts=[tool_call_script(), answer_script()]) as srv:
        yield srv


def originals() -> list[Any]:
    return [cls.__dict__[name] for cls in CLASSES for name in ("create", "parse")]


def tool_loop(client: Any) -> list[Any]:
    """A hand-written agent loop: ask, run the tools asked for, ask again with their results."""
    messages: list[Any] = [{"role": "user", "content": "Weather in Oslo?"}]
    responses = []
    while True:
        response = client.chat.completions.create(model="m", messages=messages, tools=TOOLS)
        responses.append(response)
        message = response.choices[0].message
        if not message.tool_calls:
            return responses
        messages.append(message)
        for call in message.tool_calls:
            result = weather(**json.loads(call.function.arguments))
            messages.append({"role": "tool", "tool_call_id": call.id, "content": result})


async def async_tool_loop(client: Any) -> list[Any]:
    messages: list[Any] = [{"role": "user", "content": "Weather in Oslo?"}]
    responses = []
    while True:
        response = await client.chat.completions.create(model="m", messages=messages, tools=TOOLS)
        responses.append(response)
        message = response.choices[0].message
        if not message.tool_calls:
            return responses
        messages.append(message)
        for call in message.tool_calls:
            result = weather(**json.loads(call.function.arguments))
            messages.append({"role": "tool", "tool_call_id": call.id, "content": result})


def check_loop(run: Any, responses: list[Any]) -> None:
    """The run shows what the client returned: the answer, the tool call with its arguments
    and result, one step per call with its times, the usage summed."""
    t = run.transcript
    assert t.status == "completed"
    assert t.text == responses[-1].choices[0].message.content
    asked = responses[0].choices[0].message.tool_calls
    assert [(c.id, c.name, c.args) for c in t.tool_calls] == [
        (a.id, a.function.name, json.loads(a.function.arguments)) for a in asked
    ]
    assert [c.result for c in t.tool_calls] == ["sunny in Oslo"]
    assert len(t.steps) == len(responses)
    for step, response in zip(t.steps, responses, strict=True):
        assert step["started_at"] is not None
        assert step["ended_at"] >= step["started_at"]
        assert step["usage"]["input_tokens"] == response.usage.prompt_tokens
    assert [s["finish_reason"] for s in t.steps] == ["tool_calls", "completed"]
    assert t.usage.input_tokens == sum(r.usage.prompt_tokens for r in responses)
    assert t.usage.output_tokens == sum(r.usage.completion_tokens for r in responses)
    assert t.to_dict()["whole"] is True


# -- a with block ------------------------------------------------------------------------------


def test_tool_loop_in_a_block(server: OpenAIServer) -> None:
    client = openai.OpenAI(base_url=server.base_url, api_key="test")
    before = originals()
    with nbagent.watch(title="loop") as run:
        assert originals() != before  # patched for the block
        responses = tool_loop(client)
    assert originals() == before  # the very same functions again
    check_loop(run, responses)
    events = len(run.events)
    client.chat.completions.create(model="m", messages=[{"role": "user", "content": "again"}])
    assert len(run.events) == events


def test_async_tool_loop(server: OpenAIServer) -> None:
    client = openai.AsyncOpenAI(base_url=server.base_url, api_key="test")

    async def main() -> tuple[Any, list[Any]]:
        async with nbagent.watch() as run:
            responses = await async_tool_loop(client)
        return run, responses

    before = originals()
    run, responses = aio.run(main())
    assert originals() == before
    check_loop(run, responses)


def test_a_call_on_a_thread_of_the_block(server: OpenAIServer) -> None:
    client = openai.OpenAI(base_url=server.base_url, api_key="test")
    server.scripts = [answer_script("From a thread.")]
    results: list[Any] = []
    with nbagent.watch() as run:
        worker = threading.Thread(
            target=lambda: results.append(
                client.chat.completions.create(
                    model="m", messages=[{"role": "user", "content": "hi"}]
                )
            )
        )
        worker.start()
        worker.join()
    assert run.transcript.text == results[0].choices[0].message.content == "From a thread."


def test_thinking_refusal_and_usage_details() -> None:
    """A whole answer with ``reasoning_content`` (vLLM, DeepSeek), usage details."""
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "reasoner-1",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {
                    "role": "assistant",
                    "content": "42.",
                    "reasoning_content": "Six times seven.",
                },
            }
        ],
        "usage": {
            "prompt_tokens": 5,
            "completion_tokens": 9,
            "total_tokens": 14,
            "completion_tokens_details": {"reasoning_tokens": 4},
            "prompt_tokens_details": {"cached_tokens": 2},
        },
    }
    with OpenAIServer(scripts=[Reply(200, body)]) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test")
        with nbagent.watch() as run:
            response = client.chat.completions.create(
                model="reasoner", messages=[{"role": "user", "content": "6*7?"}]
            )
    t = run.transcript
    assert t.text == response.choices[0].message.content
    assert t.thinking == response.choices[0].message.reasoning_content
    assert "Six" not in t.text
    assert t.usage.reasoning_tokens == 4
    assert t.usage.cached_input_tokens == 2
    assert t.steps[0]["name"] == "reasoner"


def test_structured_outputs_with_parse(server: OpenAIServer) -> None:
    """``parse`` does not go through ``create``: it is wrapped too."""

    class City(pydantic.BaseModel):
        city: str

    server.scripts = [answer_script('{"city": "Oslo"}')]
    client = openai.OpenAI(base_url=server.base_url, api_key="test")
    with nbagent.watch() as run:
        completion = client.chat.completions.parse(
            model="m", messages=[{"role": "user", "content": "Where?"}], response_format=City
        )
    assert completion.choices[0].message.parsed == City(city="Oslo")
    assert run.transcript.text == completion.choices[0].message.content
    assert run.transcript.usage.input_tokens == completion.usage.prompt_tokens


def test_async_parse_keeps_its_shape(server: OpenAIServer) -> None:
    """``AsyncCompletions.parse`` is an ``async def``; wrapped, it still is (callers check)."""

    class City(pydantic.BaseModel):
        city: str

    server.scripts = [answer_script('{"city": "Oslo"}')]
    client = openai.AsyncOpenAI(base_url=server.base_url, api_key="test")

    async def main() -> tuple[Any, Any]:
        async with nbagent.watch() as run:
            assert inspect.iscoroutinefunction(AsyncCompletions.parse)
            assert not inspect.iscoroutinefunction(AsyncCompletions.create)  # as the SDK's
            completion = await client.chat.completions.parse(
                model="m", messages=[{"role": "user", "content": "Where?"}], response_format=City
            )
        return run, completion

    run, completion = aio.run(main())
    assert completion.choices[0].message.parsed == City(city="Oslo")
    assert run.transcript.text == completion.choices[0].message.content


def test_a_stream_and_a_raw_response_pass_through_unrecorded(server: OpenAIServer) -> None:
    server.scripts = [answer_script()]
    client = openai.OpenAI(base_url=server.base_url, api_key="test")
    with nbagent.watch() as run:
        stream = client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        assert type(stream) is openai.Stream
        with stream:
            text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        raw = client.chat.completions.with_raw_response.create(
            model="m", messages=[{"role": "user", "content": "hi"}]
        )
        assert raw.parse().choices[0].message.content == "It is sunny in Oslo."
    assert text == "It is sunny in Oslo."
    assert run.transcript.steps == []


# -- failures and restoring ---------------------------------------------------------------------


def test_a_server_error_propagates_and_ends_the_run_error() -> None:
    with OpenAIServer(status=500) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=0)
        before = originals()
        raised: list[BaseException] = []
        with pytest.raises(openai.InternalServerError) as info, nbagent.watch() as run:  # noqa: PT012
            try:
                client.chat.completions.create(model="m", messages=[])
            except openai.InternalServerError as exc:
                raised.append(exc)
                raise
    assert info.value is raised[0]
    assert originals() == before
    t = run.transcript
    assert t.status == "error"
    assert t.steps[0]["finish_reason"] == "error"
    assert any("500" in str(w.get("message")) for w in t.warnings), t.warnings


def test_restored_when_the_block_raises(server: OpenAIServer) -> None:
    client = openai.OpenAI(base_url=server.base_url, api_key="test")
    before = originals()
    with pytest.raises(KeyError, match="boom"), nbagent.watch() as run:  # noqa: PT012
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
        raise KeyError("boom")
    assert originals() == before
    assert run.transcript.status == "error"
    assert len(run.transcript.steps) == 1


def test_two_blocks_on_two_threads_end_in_any_order(server: OpenAIServer) -> None:
    """Block A opens, block B opens on another thread, A ends first: B still sees its call,
    and the classes get their own functions back only when B ends."""
    server.scripts = [answer_script("B's answer.")]
    client = openai.OpenAI(base_url=server.base_url, api_key="test")
    before = originals()
    b_open, a_closed = threading.Event(), threading.Event()
    b_runs: list[Any] = []

    def block_b() -> None:
        with nbagent.watch() as run:
            b_runs.append(run)
            b_open.set()
            a_closed.wait(PATIENCE)
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": "b"}])

    with nbagent.watch() as run_a:
        thread = threading.Thread(target=block_b)
        thread.start()
        b_open.wait(PATIENCE)
    a_closed.set()
    assert originals() != before  # B is still open
    thread.join(PATIENCE)
    assert originals() == before
    assert run_a.transcript.steps == []
    assert b_runs[0].transcript.text == "B's answer."


@pytest.mark.parametrize(
    "module", ["opentelemetry.instrumentation.openai_v2", "openinference.instrumentation.openai"]
)
def test_an_instrumentor_shows_the_calls_instead(
    server: OpenAIServer, module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OpenTelemetry instrumentor of openai is on: its spans show the call (the ``otel``
    family, where the process has an SDK tracer provider), this hook records nothing; the
    block gives back what it found."""
    seen: list[str] = []
    real = OpenAIClientHook.request

    def spy(self: OpenAIClientHook, api: str, kwargs: dict[str, Any]) -> str:
        seen.append(api)
        return real(self, api, kwargs)

    monkeypatch.setattr(OpenAIClientHook, "request", spy)
    try:
        instrumentation = importlib.import_module(module)
    except ImportError as exc:
        pytest.skip(f"{module} cannot be imported here: {exc}")
    server.scripts = [answer_script()]
    client = openai.OpenAI(base_url=server.base_url, api_key="test")
    instrumentor = instrumentation.OpenAIInstrumentor()
    instrumentor.instrument()
    try:
        found = originals()
        with nbagent.watch() as run:
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
        assert originals() == found
    finally:
        instrumentor.uninstrument()
    assert seen == []
    assert len(run.transcript.steps) <= 1  # the otel family's step, or none
    assert len(server.requests) == 1


def test_a_framework_call_is_left_to_its_family(
    server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pydantic-ai's ``OpenAIChatModel`` calls the client from ``pydantic_ai.models``: the
    pydantic-ai family shows it, this one records nothing (no duplicate)."""
    need("pydantic_ai")
    from pydantic_ai import Agent
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    server.scripts = [answer_script("From pydantic-ai.")]
    seen: list[str] = []
    real = OpenAIClientHook.request

    def spy(self: OpenAIClientHook, api: str, kwargs: dict[str, Any]) -> str:
        seen.append(api)
        return real(self, api, kwargs)

    monkeypatch.setattr(OpenAIClientHook, "request", spy)
    client = openai.AsyncOpenAI(base_url=server.base_url, api_key="test")
    model = OpenAIChatModel("m", provider=OpenAIProvider(openai_client=client))
    with nbagent.watch() as run:
        result = aio.run(Agent(model).run("hi"))
        assert seen == []
        own = openai.OpenAI(base_url=server.base_url, api_key="test")
        own.chat.completions.create(model="m", messages=[{"role": "user", "content": "mine"}])
    assert result.output == "From pydantic-ai."
    assert len(server.requests) == 2
    assert seen == ["chat"]  # the user's own call is recorded
    # pydantic-ai's call is shown once, by the otel family (its instrumentation), and the
    # user's own call by this one: one step each
    assert len(run.transcript.steps) == 2


# -- watch(client) ----------------------------------------------------------------------------


def test_watch_a_client(server: OpenAIServer) -> None:
    server.scripts = [answer_script("One."), answer_script("Two.")]
    client = openai.OpenAI(base_url=server.base_url, api_key="test")
    other = openai.OpenAI(base_url=server.base_url, api_key="test")
    before = originals()
    w = nbagent.watch(client)
    try:
        assert originals() == before  # the classes are not touched
        assert "create" not in other.chat.completions.__dict__
        texts = []
        for question in ("one", "two"):
            r = client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": question}]
            )
            texts.append(r.choices[0].message.content)
        other.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    finally:
        w.stop()
    assert "create" not in client.chat.completions.__dict__
    assert "create" not in client.responses.__dict__
    assert len(w.runs) == 2
    for run, text in zip(w.runs, texts, strict=True):
        t = run.wait(timeout=PATIENCE)
        assert t.status == "completed"
        assert t.text == text
    client.chat.completions.create(model="m", messages=[{"role": "user", "content": "after"}])
    assert len(w.runs) == 2


def test_watch_a_client_a_failing_call() -> None:
    with OpenAIServer(status=500) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=0)
        with nbagent.watch(client) as w, pytest.raises(openai.InternalServerError):
            client.chat.completions.create(model="m", messages=[])
    assert len(w.runs) == 1
    t = w.runs[0].wait(timeout=PATIENCE)
    assert t.status == "error"
    assert "create" not in client.chat.completions.__dict__


def test_watch_an_async_client(server: OpenAIServer) -> None:
    client = openai.AsyncOpenAI(base_url=server.base_url, api_key="test")

    async def main() -> tuple[Any, list[Any]]:
        with nbagent.watch(client) as w:
            return w, await async_tool_loop(client)

    w, responses = aio.run(main())
    assert "create" not in client.chat.completions.__dict__
    assert len(w.runs) == len(responses) == 2
    first, second = (run.wait(timeout=PATIENCE) for run in w.runs)
    assert [c.name for c in first.tool_calls] == ["get_weather"]
    assert first.steps[0]["finish_reason"] == "tool_calls"
    assert second.text == responses[1].choices[0].message.content
    assert second.status == "completed"


# -- the Responses API ------------------------------------------------------------------------


def response_object(n: int, body: dict[str, Any]) -> Response:
    usage = ResponseUsage(
        input_tokens=7 * n,
        output_tokens=5,
        total_tokens=7 * n + 5,
        input_tokens_details=InputTokensDetails(cached_tokens=n, cache_write_tokens=0),
        output_tokens_details=OutputTokensDetails(reasoning_tokens=2),
    )
    if n == 1:
        output: list[Any] = [
            ResponseReasoningItem(
                id="rs_1",
                type="reasoning",
                summary=[{"type": "summary_text", "text": "Ask the weather tool."}],
            ),
            ResponseFunctionToolCall(
                type="function_call",
                id="fc_1",
                call_id="call_r1",
                name="get_weather",
                arguments=json.dumps({"city": "Bergen"}),
                status="completed",
            ),
        ]
    else:
        result = next(i["output"] for i in body["input"] if i.get("type") == "function_call_output")
        output = [
            ResponseOutputMessage(
                id=f"msg_{n}",
                type="message",
                role="assistant",
                status="completed",
                content=[
                    ResponseOutputText(
                        type="output_text", text=f"Bergen: {result}.", annotations=[]
                    )
                ],
            )
        ]
    return Response(
        id=f"resp_{n}",
        created_at=0,
        model="test-model",
        object="response",
        output=output,
        parallel_tool_calls=True,
        tool_choice="auto",
        tools=[],
        status="completed",
        usage=usage,
    )


class ResponsesServer(LocalServer):
    """``POST /v1/responses``: the Responses API, not streamed, two answers in turn."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        srv = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                srv.requests.append(body)
                response = response_object(len(srv.requests), body)
                send_json(self, 200, response.model_dump(mode="json"))

        return Handler


def test_a_responses_api_loop() -> None:
    with ResponsesServer() as srv:
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{srv.port}/v1", api_key="test")
        with nbagent.watch() as run:
            items: list[Any] = [{"role": "user", "content": "Weather in Bergen?"}]
            first = client.responses.create(model="m", input=items)
            items += first.output
            for call in first.output:
                if call.type == "function_call":
                    result = weather(**json.loads(call.arguments))
                    items.append(
                        {"type": "function_call_output", "call_id": call.call_id, "output": result}
                    )
            second = client.responses.create(model="m", input=items)
    t = run.transcript
    assert t.status == "completed"
    assert t.text == second.output_text
    assert t.thinking == first.output[0].summary[0].text
    [call] = t.tool_calls
    assert (call.id, call.name, call.args) == ("call_r1", "get_weather", {"city": "Bergen"})
    assert call.result == "sunny in Bergen"
    assert [s["finish_reason"] for s in t.steps] == ["tool_calls", "completed"]
    assert t.usage.input_tokens == first.usage.input_tokens + second.usage.input_tokens
    assert t.usage.cached_input_tokens == 1 + 2
    assert t.to_dict()["whole"] is True
