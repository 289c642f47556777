"""nbagent.Agent with the real ``openai`` client against a scripted server on 127.0.0.1.

Each test serves one script per model call (``OpenAIServer(scripts=...)``) and checks the
transcript, the tools actually executed (with which arguments), the messages the client sent
back, and how the run ended.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import threading
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import openai
import pytest

from nbagent import Transcript
from nbagent.agent.agent import Agent, ToolCallError
from nbagent.core.events import Event
from tests import aio
from tests.servers import Drop, OpenAIServer, Reply, chunk, text_chunks, usage_chunk
from tests.wait import PATIENCE

T = TypeVar("T")
CALLS: list[tuple[str, dict[str, Any]]] = []
_lock = threading.Lock()


def get_weather(city: str, unit: Literal["C", "F"] = "C") -> dict[str, Any]:
    """Current weather for a city.

    Args:
        city: The city's name.
        unit: Celsius or Fahrenheit.
    """
    with _lock:
        CALLS.append(("get_weather", {"city": city, "unit": unit}))
    print(f"looking up {city}")
    return {"city": city, "temp": 18 if city == "Paris" else 4, "unit": unit}


async def get_time(tz: str) -> str:
    """The time in a time zone."""
    with _lock:
        CALLS.append(("get_time", {"tz": tz}))
    await asyncio.sleep(0.01)
    return f"12:00 {tz}"


def broken(x: int) -> int:
    """Always fails."""
    raise ValueError(f"no luck with {x}")


@pytest.fixture(autouse=True)
def _clear_calls() -> None:
    CALLS.clear()


def tool_call(index: int, call_id: str | None, name: str | None, arguments: str) -> dict[str, Any]:
    call: dict[str, Any] = {"index": index, "function": {"arguments": arguments}}
    if call_id is not None:
        call |= {"id": call_id, "type": "function"}
        call["function"]["name"] = name
    return chunk(tool_calls=[call])


def calls_step(*calls: tuple[str, str, str], usage: bool = True) -> list[Any]:
    """A model step that asks for tools: ``(id, name, arguments)`` each, split in two pieces."""
    out: list[Any] = [chunk(None, role="assistant")]
    for i, (call_id, name, args) in enumerate(calls):
        half = len(args) // 2
        out.append(tool_call(i, call_id, name, args[:half]))
        out.append(tool_call(i, None, None, args[half:]))
    out.append(chunk(finish_reason="tool_calls"))
    if usage:
        out.append(usage_chunk(20, 10))
    return out


def client_for(srv: OpenAIServer, **kw: Any) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=srv.base_url, api_key="test", **kw)


def collect(agent: Agent, prompt: str, **kw: Any) -> tuple[list[Event], Transcript]:
    async def go() -> list[Event]:
        return [ev async for ev in agent.stream(prompt, **kw)]

    events = aio.run(go())
    return events, Transcript.from_events(events)


def off_loop(fn: Callable[[], T]) -> T:
    """``fn()`` on a thread with no event loop, as in plain Python: the browser tests' Playwright
    keeps a loop in the main thread that runs only while Playwright is called, so a Run
    started there would stream only then."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(fn).result()


def sent_messages(srv: OpenAIServer, n: int) -> list[dict[str, Any]]:
    return list(srv.requests[n]["messages"])


# -- one step -------------------------------------------------------------------------


def test_a_plain_answer_is_one_step() -> None:
    with OpenAIServer(scripts=[text_chunks(["Hello", ", ", "world"])]) as srv:
        agent = Agent("test-model", client=client_for(srv), instructions="Be brief.")
        events, t = collect(agent, "Hi")
    assert t.text == "Hello, world"
    assert t.status == "completed"
    assert t.end_reason == "completed"
    assert sent_messages(srv, 0) == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
    ]
    body = srv.requests[0]
    assert body["stream"] is True
    assert body["model"] == "test-model"
    assert "tools" not in body
    assert [e.kind for e in events].count("run_start") == 1
    assert [e.kind for e in events].count("run_end") == 1
    assert t.usage is not None
    assert t.usage.output_tokens == 12


def test_reasoning_field_is_thinking_not_answer() -> None:
    script = [
        chunk("", role="assistant"),
        chunk(reasoning_content="Let me think. "),
        chunk(reasoning_content="Paris is in France."),
        chunk("Paris."),
        chunk(finish_reason="stop"),
    ]
    with OpenAIServer(scripts=[script]) as srv:
        _, t = collect(Agent("m", client=client_for(srv)), "Capital?")
    assert t.thinking == "Let me think. Paris is in France."
    assert t.text == "Paris."


# -- tools ----------------------------------------------------------------------------


def test_parallel_tool_calls_run_and_their_results_go_back() -> None:
    step1 = calls_step(
        ("call_a", "get_weather", '{"city": "Paris"}'),
        ("call_b", "get_weather", '{"city": "Oslo", "unit": "F"}'),
        ("call_c", "get_time", '{"tz": "CET"}'),
    )
    step2 = text_chunks(["Paris 18°C, Oslo 4°F, 12:00 CET."])
    with OpenAIServer(scripts=[step1, step2]) as srv:
        agent = Agent("m", tools=[get_weather, get_time], client=client_for(srv))
        _, t = collect(agent, "Weather in Paris and Oslo, and the time?")
    assert sorted(CALLS, key=repr) == sorted(
        [
            ("get_weather", {"city": "Paris", "unit": "C"}),
            ("get_weather", {"city": "Oslo", "unit": "F"}),
            ("get_time", {"tz": "CET"}),
        ],
        key=repr,
    )
    assert len(srv.requests) == 2
    tools = srv.requests[0]["tools"]
    assert [x["function"]["name"] for x in tools] == ["get_weather", "get_time"]
    weather = tools[0]["function"]["parameters"]
    assert weather["properties"]["unit"]["enum"] == ["C", "F"]
    assert weather["required"] == ["city"]
    second = sent_messages(srv, 1)
    assert second[0] == {"role": "user", "content": "Weather in Paris and Oslo, and the time?"}
    assistant = second[1]
    assert assistant["role"] == "assistant"
    assert [(c["id"], c["function"]["name"], c["function"]["arguments"]) for c in
            assistant["tool_calls"]] == [
        ("call_a", "get_weather", '{"city": "Paris"}'),
        ("call_b", "get_weather", '{"city": "Oslo", "unit": "F"}'),
        ("call_c", "get_time", '{"tz": "CET"}'),
    ]  # fmt: skip
    results = second[2:]
    assert [(m["role"], m["tool_call_id"]) for m in results] == [
        ("tool", "call_a"),
        ("tool", "call_b"),
        ("tool", "call_c"),
    ]
    assert json.loads(results[0]["content"]) == {"city": "Paris", "temp": 18, "unit": "C"}
    assert results[2]["content"] == "12:00 CET"
    assert t.text == "Paris 18°C, Oslo 4°F, 12:00 CET."
    assert t.status == "completed"
    by_id = {c.id: c for c in t.tool_calls}
    assert by_id["call_a"].args == {"city": "Paris"}
    assert by_id["call_a"].result == {"city": "Paris", "temp": 18, "unit": "C"}
    assert by_id["call_c"].result == "12:00 CET"
    assert not any(c.is_error for c in t.tool_calls)
    # Each model call is a step with its own usage.
    steps = [(s["id"], s["name"]) for s in t.steps]
    assert steps == [("model-1", "model"), ("tools-1", "tools"), ("model-2", "model")]
    assert t.steps[0]["usage"] is not None
    assert t.steps[2]["usage"] is not None


def test_what_a_tool_prints_is_kept_with_its_result(capsys: pytest.CaptureFixture[str]) -> None:
    step1 = calls_step(("call_a", "get_weather", '{"city": "Paris"}'))
    with OpenAIServer(scripts=[step1, text_chunks(["ok"])]) as srv:
        events, _ = collect(Agent("m", tools=[get_weather], client=client_for(srv)), "w?")
    result = next(e for e in events if e.kind == "tool_result")
    assert result.meta is not None
    assert result.meta["output"] == "looking up Paris\n"
    assert "looking up" not in capsys.readouterr().out


def test_a_tool_that_raises_is_an_error_result_and_the_run_goes_on() -> None:
    step1 = calls_step(("call_x", "broken", '{"x": 3}'))
    with OpenAIServer(scripts=[step1, text_chunks(["Sorry, it failed."])]) as srv:
        events, t = collect(Agent("m", tools=[broken], client=client_for(srv)), "go")
    call = t.tool_calls[0]
    assert call.is_error
    assert "ValueError: no luck with 3" in str(call.result)
    result = next(e for e in events if e.kind == "tool_result")
    assert result.meta is not None
    assert "raise ValueError" in result.meta["traceback"]
    tool_message = sent_messages(srv, 1)[-1]
    assert tool_message["role"] == "tool"
    assert tool_message["content"] == "Error: ValueError: no luck with 3"
    assert t.text == "Sorry, it failed."
    assert t.status == "completed"


def test_malformed_arguments_are_not_called_and_the_model_is_told() -> None:
    step1 = calls_step(("call_m", "get_weather", '{"city": "Par'))
    with OpenAIServer(scripts=[step1, text_chunks(["Retrying is up to you."])]) as srv:
        _, t = collect(Agent("m", tools=[get_weather], client=client_for(srv)), "w?")
    assert CALLS == []
    assert t.tool_calls[0].is_error
    content = sent_messages(srv, 1)[-1]["content"]
    assert content.startswith("Error: ToolArgumentsError")
    assert t.status == "completed"


def test_an_unknown_tool_is_an_error_result() -> None:
    step1 = calls_step(("call_u", "launch_rocket", "{}"))
    with OpenAIServer(scripts=[step1, text_chunks(["I can't."])]) as srv:
        _, t = collect(Agent("m", tools=[get_weather], client=client_for(srv)), "go")
    assert t.tool_calls[0].is_error
    assert "no tool named 'launch_rocket'" in sent_messages(srv, 1)[-1]["content"]


def test_max_steps_ends_the_run_with_a_clear_reason() -> None:
    step = calls_step(("call_a", "get_time", '{"tz": "UTC"}'))
    with OpenAIServer(scripts=[step]) as srv:  # the model never stops asking
        agent = Agent("m", tools=[get_time], client=client_for(srv), max_steps=3)
        _, t = collect(agent, "loop")
    assert len(srv.requests) == 3
    assert len(CALLS) == 3
    assert t.end_reason == "max_steps"
    assert any("max_steps" in w["message"] for w in t.warnings)


# -- the transport --------------------------------------------------------------------


def test_http_429_is_retried_by_the_client() -> None:
    busy = Reply(429, {"error": {"message": "slow down", "type": "rate_limit"}},
                 {"retry-after-ms": "10"})  # fmt: skip
    with OpenAIServer(scripts=[busy, text_chunks(["Fine now."])]) as srv:
        _, t = collect(Agent("m", client=client_for(srv)), "hi")
    assert len(srv.requests) == 2
    assert t.text == "Fine now."
    assert t.status == "completed"


def test_429_with_no_retries_left_ends_the_run_with_the_servers_message() -> None:
    busy = Reply(429, {"error": {"message": "slow down", "type": "rate_limit"}})
    with OpenAIServer(scripts=[busy]) as srv:
        _, t = collect(Agent("m", client=client_for(srv, max_retries=0)), "hi")
    assert t.status == "error"
    assert t.error is not None
    assert "slow down" in t.error["message"]


def test_a_stream_cut_mid_answer_keeps_what_arrived() -> None:
    script = [chunk("", role="assistant"), chunk("Half an ans"), chunk("wer"), Drop()]
    with OpenAIServer(scripts=[script]) as srv:
        _, t = collect(Agent("m", client=client_for(srv, max_retries=0)), "hi")
    assert t.text == "Half an answer"
    assert t.status == "error"
    # A connection broken mid-stream ends "incomplete" (a refused one "error"):
    # docs/develop/decisions.md.
    assert t.end_reason == "incomplete"
    assert t.error is not None
    assert "APIConnectionError" in t.error["message"]


# -- conversation and re-runs ---------------------------------------------------------


def test_history_continues_the_conversation() -> None:
    step1 = calls_step(("call_a", "get_weather", '{"city": "Paris"}'))
    with OpenAIServer(scripts=[step1, text_chunks(["18°C."]), text_chunks(["Sunny."])]) as srv:
        agent = Agent("m", tools=[get_weather], client=client_for(srv), instructions="Hi.")
        session = agent.session("Weather in Paris?")

        async def go(s: Any) -> list[Event]:
            from nbagent.pipeline.stream import aiter_events

            return [ev async for ev in aiter_events(agent.raw_events(s), format="events")]

        async def both() -> None:
            # One loop for both: the client's pooled connection belongs to the loop that
            # opened it (a second asyncio.run could find it closed, and never ask).
            await go(session)
            await go(agent.session("And tomorrow?", history=session))

        aio.run(both())
    third = sent_messages(srv, 2)
    assert [m["role"] for m in third] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "user",
    ]
    assert third[-2] == {"role": "assistant", "content": "18°C."}
    assert third[-1] == {"role": "user", "content": "And tomorrow?"}


def test_rerun_tool_calls_the_python_tool_with_overrides() -> None:
    step1 = calls_step(("call_a", "get_weather", '{"city": "Paris"}'))
    with OpenAIServer(scripts=[step1, text_chunks(["ok"])]) as srv:
        agent = Agent("m", tools=[get_weather, broken], client=client_for(srv))
        run = agent.run("w?")
        run.wait(PATIENCE)
    assert run.transcript.tool_calls[0].args == {"city": "Paris"}
    assert run.rerun_tool(0) == {"city": "Paris", "temp": 18, "unit": "C"}
    assert run.rerun_tool(0, city="Oslo", unit="F") == {"city": "Oslo", "temp": 4, "unit": "F"}
    assert CALLS[-1] == ("get_weather", {"city": "Oslo", "unit": "F"})
    assert [m["role"] for m in run.messages] == ["user", "assistant", "tool", "assistant"]
    reruns = run.transcript.tool_calls[0].reruns
    assert [(r["args"], r["state"], r["result"]) for r in reruns] == [
        ({"city": "Paris"}, "done", {"city": "Paris", "temp": 18, "unit": "C"}),
        ({"city": "Oslo", "unit": "F"}, "done", {"city": "Oslo", "temp": 4, "unit": "F"}),
    ]
    assert reruns[1]["output"] == "looking up Oslo\n"
    assert run.transcript.tool_calls[0].result == {"city": "Paris", "temp": 18, "unit": "C"}
    with pytest.raises(ToolCallError, match="ToolArgumentsError: city"):
        run.rerun_tool(0, city=3)  # not a str: the tool is not called
    assert run.transcript.tool_calls[0].reruns[-1]["is_error"] is True
    assert run.session.run_tool("broken", {"x": 1}).error_type == "ValueError"
    assert run.session.run_tool("nope", {}).error_type == "UnknownTool"


def test_a_sync_openai_client_works_too() -> None:
    with OpenAIServer(scripts=[text_chunks(["Hello"])]) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test")
        _, t = collect(Agent("m", client=client), "Hi")
    assert t.text == "Hello"


def test_bad_settings_raise_at_once() -> None:
    with pytest.raises(ValueError, match="max_steps"):
        Agent("m", max_steps=0)
    with pytest.raises(ValueError, match="same name"):
        Agent("m", tools=[get_weather, get_weather])
    with pytest.raises(TypeError, match="history"):
        Agent("m").session("x", history=42)  # type: ignore[arg-type]


def test_a_sync_tool_past_its_timeout_is_abandoned_and_the_run_goes_on() -> None:
    from nbagent.tools import Tool, abandoned_threads

    release = threading.Event()

    def slow(n: int) -> int:
        """Takes too long: released only after the checks."""
        release.wait(PATIENCE)
        return n

    tool = Tool.from_function(slow, timeout_s=0.2)
    step1 = calls_step(("call_s", "slow", '{"n": 1}'))
    before = set(threading.enumerate())
    with OpenAIServer(scripts=[step1, text_chunks(["It timed out."])]) as srv:
        _, t = collect(Agent("m", tools=[tool], client=client_for(srv)), "go")
    call = t.tool_calls[0]
    assert call.is_error
    assert call.abandoned
    assert "TimeoutError" in str(call.result)
    assert sent_messages(srv, 1)[-1]["content"].startswith("Error: TimeoutError")
    assert t.status == "completed"
    # Its thread is still there, counted as abandoned (other tests' may come and go).
    (thread,) = [t for t in set(threading.enumerate()) - before if t.name == "nbagent-tool"]
    assert abandoned_threads() >= 1
    release.set()
    thread.join(PATIENCE)
    assert not thread.is_alive()


def test_stop_during_a_tool_cancels_it() -> None:
    started, cancelled = threading.Event(), threading.Event()

    async def wait_forever() -> str:
        """Never returns by itself."""
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "never"

    def scenario() -> Transcript:
        step1 = calls_step(("call_w", "wait_forever", "{}"))
        with OpenAIServer(scripts=[step1]) as srv:
            run = Agent("m", tools=[wait_forever], client=client_for(srv)).run("go")
            assert started.wait(PATIENCE)
            run.cancel()
            return run.wait(PATIENCE)

    t = off_loop(scenario)
    assert t.status == "cancelled"
    assert cancelled.wait(PATIENCE), "the tool task was not cancelled"


def test_the_default_client_reads_openai_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    with OpenAIServer(scripts=[text_chunks(["From the env."])]) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        _, t = collect(Agent("m"), "hi")
    assert t.text == "From the env."
    assert srv.headers[0].get("authorization") == "Bearer none"
