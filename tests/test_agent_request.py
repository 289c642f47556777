"""The JSON body an Agent's requests carry, as the server receives it: the real ``openai``
client over an ``httpx.MockTransport`` that records each request's bytes and answers with
one scripted SSE stream per request.

The shape is the one every OpenAI-compatible server accepts (``nbagent/agent/request.py``
says who refuses what): no ``null`` anywhere, an assistant message's ``content`` always a
string, tool calls with ``id``, ``type``, ``function.name`` and ``function.arguments`` the text
of a JSON object, tool messages with a string ``content``; ``tool_choice`` and
``parallel_tool_calls`` only as asked, a forced ``tool_choice`` only until a tool has run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx
import openai
import pytest

from nbagent import Transcript
from nbagent.agent.agent import Agent
from nbagent.agent.request import request_options, wire_arguments, wire_message
from nbagent.core.events import Event
from tests import aio
from tests.servers import chunk, text_chunks, usage_chunk

Script = Sequence[dict[str, Any]]


class Recorder:
    """An ``AsyncOpenAI`` whose transport keeps each request's JSON body (``bodies``) and
    answers request ``n`` with ``scripts[n]`` (the last one repeated) as an SSE stream."""

    def __init__(self, *scripts: Script) -> None:
        self.scripts = scripts
        self.bodies: list[dict[str, Any]] = []
        # Any: the openai package types its client as its own httpx's (httpx2 lately).
        http_client: Any = httpx.AsyncClient(transport=httpx.MockTransport(self._answer))
        self.client = openai.AsyncOpenAI(
            base_url="http://127.0.0.1:9/v1", api_key="test", max_retries=0, http_client=http_client
        )

    def _answer(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/chat/completions"
        self.bodies.append(json.loads(request.content))
        script = self.scripts[min(len(self.bodies), len(self.scripts)) - 1]
        sse = "".join(f"data: {json.dumps(item)}\n\n" for item in script) + "data: [DONE]\n\n"
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=sse.encode()
        )


def calls(*items: tuple[str, str, str], text: str = "") -> list[dict[str, Any]]:
    """A step that asks for tools (``(id, name, arguments)`` each), after ``text`` if any."""
    out = [chunk("", role="assistant")]
    if text:
        out.append(chunk(text))
    for i, (call_id, name, arguments) in enumerate(items):
        call = {"index": i, "id": call_id, "type": "function"}
        out.append(chunk(tool_calls=[call | {"function": {"name": name, "arguments": arguments}}]))
    return [*out, chunk(finish_reason="tool_calls"), usage_chunk(20, 5)]


ANSWER = text_chunks(["It is ", "18°C."])


def get_weather(city: str) -> dict[str, Any]:
    """Current weather for a city."""
    return {"city": city, "temp": 18}


def now() -> str:
    """The time."""
    return "12:00"


def run(agent: Agent, prompt: str, **kw: Any) -> Transcript:
    async def go() -> list[Event]:
        return [ev async for ev in agent.stream(prompt, **kw)]

    return Transcript.from_events(aio.run(go()))


def nulls(value: Any, path: str = "$") -> list[str]:
    """Where ``value`` (a JSON body) holds a null."""
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in nulls(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in nulls(v, f"{path}[{i}]")]
    return []


# -- the conversation ------------------------------------------------------------------


def test_a_tool_only_step_goes_back_with_string_content_and_well_formed_calls() -> None:
    rec = Recorder(calls(("call_1", "get_weather", '{"city": "Paris"}')), ANSWER)
    agent = Agent("m", tools=[get_weather], client=rec.client, instructions="Be brief.")
    t = run(agent, "Weather in Paris?")
    assert t.status == "completed"
    assert len(rec.bodies) == 2
    assert [nulls(b) for b in rec.bodies] == [[], []]
    system, user, assistant, result = rec.bodies[1]["messages"]
    assert system == {"role": "system", "content": "Be brief."}
    assert user == {"role": "user", "content": "Weather in Paris?"}
    assert assistant == {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            }
        ],
    }
    assert result == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": '{"city": "Paris", "temp": 18}',
    }


def test_text_said_before_the_calls_is_the_assistant_messages_content() -> None:
    step = calls(("call_1", "now", ""), text="Let me look.")
    rec = Recorder(step, ANSWER)
    run(Agent("m", tools=[now], client=rec.client), "Time?")
    assistant = rec.bodies[1]["messages"][1]
    assert assistant["content"] == "Let me look."
    assert assistant["tool_calls"][0]["function"] == {"name": "now", "arguments": "{}"}


def test_arguments_that_are_no_json_object_go_back_as_an_empty_object() -> None:
    # vLLM and llama.cpp's templates parse them: the next request would be refused.
    rec = Recorder(calls(("call_1", "get_weather", '{"city": "Par')), ANSWER)
    t = run(Agent("m", tools=[get_weather], client=rec.client), "Weather?")
    assert t.status == "completed"
    assert t.tool_calls[0].is_error
    assistant, result = rec.bodies[1]["messages"][1:]
    assert assistant["tool_calls"][0]["function"]["arguments"] == "{}"
    assert result["content"].startswith("Error: ToolArgumentsError")


def test_a_history_as_the_sdk_dumps_it_is_sent_without_nulls() -> None:
    history = [
        {"role": "user", "content": "Weather in Paris?", "name": None},
        {  # ChatCompletionMessage.model_dump(): every unset field a None
            "role": "assistant",
            "content": None,
            "refusal": None,
            "audio": None,
            "function_call": None,
            "annotations": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "get_weather",
                                                             "arguments": {"city": "Paris"}}},
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "18°C"},
        {"role": "assistant", "content": None, "tool_calls": []},
    ]  # fmt: skip
    rec = Recorder(ANSWER)
    run(Agent("m", tools=[get_weather], client=rec.client), "And Oslo?", history=history)
    (body,) = rec.bodies
    assert nulls(body) == []
    assert body["messages"] == [
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "18°C"},
        {"role": "assistant", "content": ""},
        {"role": "user", "content": "And Oslo?"},
    ]


# -- the options -----------------------------------------------------------------------


def test_the_tools_and_only_the_options_asked_for_are_sent() -> None:
    rec = Recorder(ANSWER)
    run(Agent("m", tools=[get_weather], client=rec.client), "Hi")
    (body,) = rec.bodies
    assert set(body) == {"model", "messages", "stream", "stream_options", "tools"}
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    (tool,) = body["tools"]
    assert tool["type"] == "function"
    function = tool["function"]
    assert (function["name"], function["description"]) == ("get_weather", get_weather.__doc__)
    assert function["parameters"]["type"] == "object"
    assert function["parameters"]["required"] == ["city"]


def test_parallel_tool_calls_is_sent_when_asked_and_on_every_step() -> None:
    rec = Recorder(calls(("call_1", "now", "{}")), ANSWER)
    run(Agent("m", tools=[now], client=rec.client, parallel_tool_calls=False), "Time?")
    assert [b["parallel_tool_calls"] for b in rec.bodies] == [False, False]


def test_without_tools_no_tool_option_is_sent() -> None:
    # OpenAI refuses tool_choice and parallel_tool_calls with no tools.
    rec = Recorder(ANSWER)
    agent = Agent("m", client=rec.client, tool_choice="required", parallel_tool_calls=True)
    run(agent, "Hi", history=[])
    (body,) = rec.bodies
    assert not {"tools", "tool_choice", "parallel_tool_calls"} & set(body)


FORCED = {"type": "function", "function": {"name": "get_weather"}}


@pytest.mark.parametrize("forced", [FORCED, "required"])
def test_a_forced_tool_choice_holds_until_a_tool_ran_then_auto(forced: Any) -> None:
    step = calls(("call_1", "get_weather", '{"city": "Paris"}'))
    rec = Recorder(step, ANSWER, step, ANSWER)
    agent = Agent("m", tools=[get_weather], client=rec.client, tool_choice=forced)
    first = run(agent, "Weather?")
    assert first.status == "completed"
    assert [b["tool_choice"] for b in rec.bodies] == [forced, "auto"]
    # A new prompt is a new turn: forced again until its tool ran.
    messages = rec.bodies[-1]["messages"] + [{"role": "assistant", "content": "18°C."}]
    run(agent, "And in Oslo?", history=messages)
    assert [b["tool_choice"] for b in rec.bodies[2:]] == [forced, "auto"]


def test_a_tool_choice_that_forces_nothing_is_sent_as_given_on_every_step() -> None:
    rec = Recorder(calls(("call_1", "now", "{}")), ANSWER)
    run(Agent("m", tools=[now], client=rec.client, tool_choice="auto"), "Time?")
    assert [b["tool_choice"] for b in rec.bodies] == ["auto", "auto"]


# -- the pieces ------------------------------------------------------------------------


def test_request_options_resets_only_after_a_tool_message_of_this_turn() -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    earlier: list[dict[str, Any]] = [
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "", "tool_calls": []},
        {"role": "tool", "tool_call_id": "x", "content": "1"},
    ]
    options = {"tool_choice": "required", "temperature": 0}
    assert request_options(options, tools, earlier)["tool_choice"] == "auto"
    asked_again = [*earlier, {"role": "user", "content": "b"}]
    assert request_options(options, tools, asked_again)["tool_choice"] == "required"
    assert request_options(options, tools, asked_again)["temperature"] == 0
    assert options == {"tool_choice": "required", "temperature": 0}  # the agent's own: kept


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ('{"a": 1}', '{"a": 1}'),
        ("", "{}"),
        ("  ", "{}"),
        ('{"a": ', "{}"),
        ("[1, 2]", "{}"),
        ('"text"', "{}"),
        ('{"a": NaN}', "{}"),
        ({"a": "é"}, '{"a": "é"}'),
        ({"a": float("nan")}, "{}"),
        (None, "{}"),
    ],
)
def test_wire_arguments_is_always_a_json_objects_text(given: Any, sent: str) -> None:
    assert wire_arguments(given) == sent


def test_wire_message_leaves_what_it_cannot_read_for_the_server_to_refuse() -> None:
    odd = {"role": "assistant", "content": None, "tool_calls": "not a list"}
    assert wire_message(odd) == {"role": "assistant", "content": "", "tool_calls": "not a list"}
    partial = {"role": "assistant", "tool_calls": [{"id": "a"}]}  # no function: as given
    assert wire_message(partial) == {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"id": "a"}],
    }
