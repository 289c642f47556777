"""The scripted model of nbagent.demo.model: its rules, its wire (through the real ``openai``
client), nbagent.Agent against it, and demo.connect() offline and live."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, Literal

import httpx
import openai
import pytest

import nbagent
from nbagent import demo
from nbagent.demo import model as model_module
from nbagent.demo.in_process import clients
from nbagent.demo.model import ScriptedModel
from nbagent.demo.rules import plan_calls
from nbagent.tools import Tool


def weather(city: str, unit: Literal["C", "F"] = "C") -> dict[str, Any]:
    """Current weather."""
    if city == "Atlantis":
        raise LookupError("no station in 'Atlantis'")
    return {"city": city, "temp": 14, "unit": unit}


def convert(amount: float, currency: Literal["EUR", "USD", "JPY"]) -> float:
    """Convert an amount."""
    return amount


def read_file(path: str) -> str:
    """A file's text."""
    return "text"


def check_flag(on: bool) -> bool:
    """Needs a boolean, which the rules never guess."""
    return on


def schemas(*fns: Any) -> list[dict[str, Any]]:
    return [Tool.from_function(f).openai_schema()["function"] for f in fns]


@pytest.fixture(scope="module")
def model() -> Iterator[ScriptedModel]:
    with ScriptedModel(speed=0) as srv:
        yield srv


@pytest.fixture
def client(model: ScriptedModel) -> openai.OpenAI:
    return openai.OpenAI(base_url=model.base_url, api_key="scripted", max_retries=0)


# -- rule 1: which tools, which arguments -------------------------------------------------------


def test_one_call_per_named_value_and_not_the_first_word_of_a_sentence() -> None:
    calls, reasons = plan_calls(
        "Paris is nice. What's the weather in New York and in Oslo?", schemas(weather)
    )
    assert calls == [("weather", {"city": "New York"}), ("weather", {"city": "Oslo"})]
    assert "weather fits (city: New York, Oslo), so I call it 2 times, at once." in reasons[0]


def test_arguments_by_type_file_number_enum() -> None:
    tools = schemas(convert, read_file, weather)
    prompt = 'Convert 250 to JPY and read_file `notes/q3.md`; the file "x" too. Weather in "Rome".'
    calls, _ = plan_calls(prompt, tools)
    assert ("convert", {"amount": 250, "currency": "JPY"}) in calls
    assert ("read_file", {"path": "notes/q3.md"}) in calls  # a file name before quoted text
    assert ("read_file", {"path": "x"}) in calls
    assert ("weather", {"city": "Rome"}) in calls  # quoted text for any other string


def test_an_enum_not_named_takes_its_first_value() -> None:
    assert plan_calls("convert 3 please", schemas(convert))[0] == [
        ("convert", {"amount": 3, "currency": "EUR"})
    ]


def test_no_call_without_its_required_arguments_or_its_name() -> None:
    calls, reasons = plan_calls("what is the weather like?", schemas(weather, check_flag))
    assert calls == []
    assert reasons == ["weather fits (“weather”), but the question names no city."]
    assert plan_calls("Tell me about Oslo.", schemas(weather)) == ([], [])
    assert plan_calls("check it", schemas(check_flag))[0] == []  # "check" is the name, no bool


def test_at_most_four_calls_at_once() -> None:
    calls, reasons = plan_calls("weather in Aa, Bb, Cc, Dd, Ee and Ff", schemas(weather))
    assert [a["city"] for _, a in calls] == ["Aa", "Bb", "Cc", "Dd"]
    assert "(city: Aa, Bb, Cc, Dd), so I call it 4 times" in reasons[0]


# -- the wire ---------------------------------------------------------------------------------


def test_a_plain_answer_streams_with_reasoning_and_usage(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="my-model",
        messages=[{"role": "user", "content": "Explain SSE | please"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert {c.model for c in chunks} == {"my-model"}  # the model asked for, as servers do
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith("## A scripted answer")
    assert "| the question | Explain SSE \\| please |" in text  # escaped in the table
    assert any(getattr(c.choices[0].delta, "reasoning_content", None) for c in chunks if c.choices)
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == len(chunks) - 3  # role, finish, usage chunks


def test_no_usage_unless_asked_and_a_whole_completion_unless_streamed(
    client: openai.OpenAI,
) -> None:
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    chunks = list(client.chat.completions.create(model="m", messages=messages, stream=True))
    assert all(c.usage is None for c in chunks)
    done = client.chat.completions.create(model="m", messages=messages)
    assert done.choices[0].message.content == (
        "One sentence, as asked: I am a scripted model, not a language model, so “Hi” gets no "
        "real answer from me."
    )
    assert done.choices[0].finish_reason == "stop"


def test_bad_requests_get_clear_errors(client: openai.OpenAI, model: ScriptedModel) -> None:
    with pytest.raises(openai.BadRequestError, match="needs a list of messages"):
        client.chat.completions.create(model="m", messages="hi")  # type: ignore[arg-type]
    reply = httpx.post(f"{model.base_url}/chat/completions", content=b"{not json")
    assert reply.status_code == 400
    assert "not JSON" in reply.json()["error"]["message"]
    assert httpx.post(f"{model.base_url}/embeddings", json={}).status_code == 404
    assert [m.id for m in client.models.list()] == ["scripted"]


def test_in_process_the_model_answers_as_on_its_socket(client: openai.OpenAI) -> None:
    _, in_process = clients(ScriptedModel(speed=0))

    def answers(ask: openai.OpenAI) -> list[Any]:
        messages = [{"role": "user", "content": "What's the weather in Paris? | table"}]
        tools = [{"type": "function", "function": f} for f in schemas(weather)]
        stream = ask.chat.completions.create(model="m", messages=messages, tools=tools, stream=True)
        chunks = [c.model_dump(exclude={"id", "created"}) for c in stream]
        whole = ask.chat.completions.create(model="m", messages=messages[:1])
        with pytest.raises(openai.BadRequestError) as refused:
            ask.chat.completions.create(model="m", messages="hi")  # type: ignore[arg-type]
        return [chunks, whole.choices[0].message.content, refused.value.body, ask.models.list()]

    on_socket, here = answers(client), answers(in_process)
    assert here[:3] == on_socket[:3]
    assert [m.id for m in here[3]] == ["scripted"]
    assert any(c["choices"] and c["choices"][0]["delta"]["tool_calls"] for c in here[0])


def test_a_brain_that_raises_is_an_http_error() -> None:
    def broken(reply: Any) -> list[Any]:
        raise KeyError("messages")

    with ScriptedModel(broken, speed=0) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="x", max_retries=0)
        with pytest.raises(openai.InternalServerError, match="failed: KeyError: 'messages'"):
            client.chat.completions.create(model="m", messages=[], stream=True)


def test_a_client_that_goes_away_mid_stream_leaves_the_server_serving() -> None:
    with ScriptedModel(speed=0.05) as srv:  # pauses of seconds: the stream is still going
        slow = openai.OpenAI(base_url=srv.base_url, api_key="x", max_retries=0)
        messages = [{"role": "user", "content": "Hi"}]
        stream = slow.chat.completions.create(model="m", messages=messages, stream=True)
        next(iter(stream))
        stream.close()
        srv.speed = 0
        again = slow.chat.completions.create(model="m", messages=messages)
        assert again.choices[0].message.content


def pauses(body: dict[str, Any], speed: float) -> list[float]:
    """The pauses the scripted model plans for its first answer to ``body``."""
    return [item for item in ScriptedModel(speed=speed).answer(body) if isinstance(item, float)]


def test_pauses_follow_speed(monkeypatch: pytest.MonkeyPatch) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "stream": True}
    at_1, at_4 = pauses(body, 1), pauses(body, 4)
    # The same request, the same pauses: 0.45-0.9 s to the first token, then 8-35 ms a
    # token (thinking, text), divided by the speed; none at speed 0.
    assert len(at_1) > 10
    assert 0.45 <= at_1[0] <= 0.9
    assert all(0.008 <= p <= 0.035 for p in at_1[1:])
    assert at_4 == pytest.approx([p / 4 for p in at_1])
    assert pauses(body, 0) == []
    # And the server waits them out, the first before the first token: its sleeps are
    # recorded (not slept: what is asserted is what it waits, not how long that took here).
    slept: list[float] = []
    monkeypatch.setattr(model_module, "time", SimpleNamespace(sleep=slept.append))
    with ScriptedModel(speed=4) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="x")
        before_first: list[float] | None = None
        stream = client.chat.completions.create(model="m", messages=body["messages"], stream=True)
        for c in stream:
            if before_first is None and c.choices and c.choices[0].delta.content:
                before_first = list(slept)  # the server slept before it wrote this chunk
        planned = pauses(srv.requests[0], 4)
    assert before_first  # at least the pause to the first token (thinking may come first)
    assert before_first == planned[: len(before_first)]
    assert slept == planned


# -- nbagent.Agent against it -----------------------------------------------------------------


def test_agent_calls_the_named_tools_then_answers_from_their_results(
    client: openai.OpenAI,
) -> None:
    agent = nbagent.Agent("scripted", tools=[weather, read_file], client=client)
    t = agent.run("What's the weather in Paris and in Atlantis?").wait(30)
    assert t.status == "completed"
    assert [(c.name, c.args, c.is_error) for c in t.tool_calls] == [
        ("weather", {"city": "Paris"}, False),
        ("weather", {"city": "Atlantis"}, True),
    ]
    assert "| city | temp | unit |\n|---|---|---|\n| Paris | 14 | C |" in t.text
    assert "`weather(city='Atlantis')` failed: `LookupError: no station in 'Atlantis'`" in t.text
    assert "1 of them with an error" in t.thinking
    assert t.usage.input_tokens
    assert t.usage.output_tokens


def test_agent_history_reaches_the_model(client: openai.OpenAI, model: ScriptedModel) -> None:
    agent = nbagent.Agent("scripted", tools=[weather], client=client)
    first = agent.run("Weather in Oslo?")
    first.wait(30)
    t = agent.run("And the weather in Lisbon?", history=first).wait(30)
    assert [c.args for c in t.tool_calls] == [{"city": "Lisbon"}]
    sent = model.requests[-2]["messages"]  # the follow-up's first model call
    assert [m["role"] for m in sent] == ["user", "assistant", "tool", "assistant", "user"]


# -- demo.connect() ---------------------------------------------------------------------------


def test_connect_offline_starts_one_scripted_model(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "NBAGENT_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NBAGENT_DEMO_SPEED", "0")
    llm = demo.connect()
    assert (llm.live, llm.model, llm.speed) == (False, "scripted", 0)
    assert str(llm).startswith("Offline: no OPENAI_API_KEY or OPENAI_BASE_URL is set")
    assert demo.connect().base_url == llm.base_url  # one server per process
    assert str(llm.sync_client.base_url).rstrip("/") == llm.base_url
    reply = llm.sync_client.chat.completions.create(
        model=llm.model, messages=[{"role": "user", "content": "hi"}]
    )
    assert "scripted model" in (reply.choices[0].message.content or "")


def test_connect_live_with_a_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("NBAGENT_MODEL", "qwen3:4b")
    llm = demo.connect(speed=2)
    assert (llm.live, llm.model, llm.speed) == (True, "qwen3:4b", 2)
    assert llm.base_url == "http://127.0.0.1:9/v1"
    assert isinstance(llm.client, openai.AsyncOpenAI)
    assert isinstance(llm.sync_client, openai.OpenAI)
    assert str(llm) == (
        "Live: the cells below ask qwen3:4b at http://127.0.0.1:9/v1; the tools run in this kernel."
    )


def test_the_scripted_answer_is_json_safe_for_odd_tool_results(client: openai.OpenAI) -> None:
    def listing(pattern: str) -> list[Any]:
        """List things."""
        return [{"a": 1}, "x|y", None]

    agent = nbagent.Agent("scripted", tools=[listing], client=client)
    t = agent.run('listing of "*"').wait(30)
    assert "`listing(pattern='*')` returned 3:" in t.text
    assert '- {"a": 1}\n- x\\|y\n- null' in t.text
    assert json.loads(t.tool_calls[0].arguments) == {"pattern": "*"}


# -- the demos' scripts: the quickstart's agent on demo.connect() -------------------------------


def recorded(name: str) -> nbagent.Transcript:
    return nbagent.Transcript.from_events(nbagent.load(demo.recording(name)))


@pytest.mark.parametrize("name", list(demo.DEMOS))
def test_a_demos_prompt_runs_its_recorded_run_with_the_tools_live(
    name: str, client: openai.OpenAI
) -> None:
    """The quickstart asks the default scripted model (``demo.connect()``'s) the demos' prompts:
    the run is the recorded one, its tools called in this process (so Re-run reaches them)."""
    agent = nbagent.Agent(
        "scripted", tools=demo.TOOLS, client=client, instructions=demo.INSTRUCTIONS
    )
    run = agent.run(demo.DEMOS[name].prompt, title=demo.DEMOS[name].title)
    t = run.wait(30)
    expected = recorded(name)
    assert (t.status, t.title) == ("completed", expected.title)
    assert t.text == expected.text
    assert t.thinking == expected.thinking
    assert [(c.name, c.args, c.result, c.is_error) for c in t.tool_calls] == [
        (c.name, c.args, c.result, c.is_error) for c in expected.tool_calls
    ]
    ok = [i for i, c in enumerate(t.tool_calls) if not c.is_error]
    if ok:  # Re-run: the kernel holds the tool
        assert run.rerun_tool(ok[-1]) == t.tool_calls[ok[-1]].result


def test_a_demos_conversation_taken_elsewhere_gets_the_general_rules(
    client: openai.OpenAI,
) -> None:
    agent = nbagent.Agent("scripted", tools=demo.TOOLS, client=client)
    first = agent.run(demo.DEMOS["weather"].prompt)
    first.wait(30)
    # A fork whose edited result the script cannot read, then a question of its own.
    fork = first.fork(1, {"call_paris": "-40°C, storm"})
    t = fork.wait(30)
    assert t.status == "completed"
    assert "Paris vs Oslo today" not in t.text
    assert "-40°C, storm" in t.text
    follow = agent.run("And the weather in Lisbon?", history=first).wait(30)
    assert [c.args["city"] for c in follow.tool_calls] == ["Lisbon"]
