"""Breakpoints of nbagent.Agent (``pause_before``) with the real ``openai`` client against the
scripted server: each answer (run, edit, mock, deny, Stop) changes exactly what the server
receives next, and the transcript says how each call went on."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from nbagent import Pauses, Transcript
from nbagent.agent.agent import Agent, AgentRun
from nbagent.core.events import Event
from nbagent.runtime.pause import Answer
from tests import aio
from tests.servers import OpenAIServer, text_chunks
from tests.test_agent import CALLS, calls_step, client_for, get_time, get_weather, off_loop
from tests.test_pause import Paused
from tests.wait import PATIENCE

pytestmark = pytest.mark.usefixtures("_clear_calls")


@pytest.fixture
def _clear_calls() -> None:
    CALLS.clear()


STEP = calls_step(("call_a", "get_weather", '{"city": "Paris"}'))


def paused_run(
    scripts: list[Any], answer: Callable[[AgentRun], None], *, count: int = 1, **kw: Any
) -> tuple[AgentRun, OpenAIServer]:
    """Run an agent with ``pause_before`` until ``count`` calls wait, answer with
    ``answer(run)``, and wait for the end."""

    def scenario() -> tuple[AgentRun, OpenAIServer]:
        with OpenAIServer(scripts=scripts) as srv:
            agent = Agent("m", tools=[get_weather, get_time], client=client_for(srv))
            run = agent.run("w?", pause_before=kw.pop("pause_before", ["get_weather"]))
            Paused(run.pauses, count).wait()
            shown_paused(run, count)
            assert CALLS == [], "a paused call ran before its answer"
            answer(run)
            run.wait(PATIENCE)
            return run, srv

    return off_loop(scenario)


def until(check: Callable[[], bool], timeout: float = 10) -> None:
    """Wait for ``check()`` (the transcript folds on the run's thread, after the pause)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def shown_paused(run: AgentRun, count: int) -> None:
    until(lambda: sum(c.state == "paused" for c in run.transcript.tool_calls) >= count)


def tool_messages(srv: OpenAIServer, n: int) -> list[dict[str, Any]]:
    return [m for m in srv.requests[n]["messages"] if m["role"] in ("assistant", "tool")]


def test_approve_runs_the_call_as_asked() -> None:
    run, srv = paused_run([STEP, text_chunks(["18°C."])], lambda r: r.approve(0))
    assert CALLS == [("get_weather", {"city": "Paris", "unit": "C"})]
    sent = tool_messages(srv, 1)
    assert json.loads(sent[1]["content"]) == {"city": "Paris", "temp": 18, "unit": "C"}
    tool = run.transcript.tool_calls[0]
    assert (tool.state, tool.answer, tool.asked_args, tool.pause) == (
        "done",
        {"action": "run", "edited": False},
        None,
        None,
    )
    assert run.status == "completed"


def test_pending_lists_the_waiting_call_with_its_schema() -> None:
    seen: dict[str, Any] = {}

    def look(run: AgentRun) -> None:
        seen["pending"] = run.pending
        seen["block"] = run.transcript.tool_calls[0].to_dict()
        run.approve("call_a")

    paused_run([STEP, text_chunks(["ok"])], look)
    [call] = seen["pending"]
    assert (call.index, call.tool_call_id, call.name, call.args) == (
        0,
        "call_a",
        "get_weather",
        {"city": "Paris"},
    )
    block = seen["block"]
    assert block["state"] == "paused"
    assert block["pause"]["actions"] == ["run", "edit", "mock", "deny"]
    assert block["pause"]["origin"] == "breakpoint"
    assert block["pause"]["schema"]["required"] == ["city"]


def test_edited_arguments_run_and_are_what_the_model_called() -> None:
    run, srv = paused_run([STEP, text_chunks(["4°C."])], lambda r: r.approve(0, city="Oslo"))
    assert CALLS == [("get_weather", {"city": "Oslo", "unit": "C"})]
    assistant, tool_msg = tool_messages(srv, 1)
    assert json.loads(assistant["tool_calls"][0]["function"]["arguments"]) == {"city": "Oslo"}
    assert json.loads(tool_msg["content"]) == {"city": "Oslo", "temp": 4, "unit": "C"}
    tool = run.transcript.tool_calls[0]
    assert (tool.args, tool.asked_args) == ({"city": "Oslo"}, {"city": "Paris"})
    assert tool.answer == {"action": "run", "edited": True}
    assert "edited arguments" in run.transcript.to_text()


def test_arguments_that_do_not_fit_are_refused_and_the_call_stays_paused() -> None:
    def answer(run: AgentRun) -> None:
        with pytest.raises(ValueError, match="unit"):
            run.approve(0, unit="K")
        assert [p.tool_call_id for p in run.pending] == ["call_a"]
        with pytest.raises(IndexError, match="no paused tool call 3"):
            run.mock(3, "x")
        with pytest.raises(IndexError, match="no paused tool call with id 'nope'"):
            run.deny("nope")
        run.approve(0, unit="F")

    run, _ = paused_run([STEP, text_chunks(["ok"])], answer)
    assert CALLS == [("get_weather", {"city": "Paris", "unit": "F"})]
    with pytest.raises(RuntimeError, match="not paused"):
        run.approve(0)


def test_a_mocked_result_is_what_the_model_gets_and_the_tool_never_runs() -> None:
    run, srv = paused_run([STEP, text_chunks(["ok"])], lambda r: r.mock(0, "sunny, 30°C"))
    assert CALLS == []
    assert tool_messages(srv, 1)[1] == {
        "role": "tool",
        "tool_call_id": "call_a",
        "content": "sunny, 30°C",
    }
    tool = run.transcript.tool_calls[0]
    assert (tool.state, tool.result, tool.mocked, tool.denied) == (
        "done",
        "sunny, 30°C",
        True,
        False,
    )
    assert "mocked" in run.transcript.to_markdown()


def test_a_denied_call_tells_the_model_why() -> None:
    run, srv = paused_run([STEP, text_chunks(["Sorry."])], lambda r: r.deny(0, reason="no net"))
    assert CALLS == []
    assert tool_messages(srv, 1)[1]["content"] == "The user denied this call: no net"
    tool = run.transcript.tool_calls[0]
    assert (tool.denied, tool.answer) == (
        True,
        {"action": "deny", "edited": False, "reason": "no net"},
    )
    assert run.status == "completed"
    assert "denied" in run.transcript.to_html()


def test_parallel_calls_pause_together_and_unmatched_ones_run_at_once() -> None:
    step = calls_step(
        ("call_p", "get_weather", '{"city": "Paris"}'),
        ("call_o", "get_weather", '{"city": "Oslo"}'),
        ("call_t", "get_time", '{"tz": "UTC"}'),
    )

    def answer(run: AgentRun) -> None:
        assert [p.tool_call_id for p in run.pending] == ["call_p", "call_o"]
        run.deny("call_o")
        run.approve("call_p")

    def scenario() -> tuple[AgentRun, OpenAIServer]:
        with OpenAIServer(scripts=[step, text_chunks(["ok"])]) as srv:
            agent = Agent("m", tools=[get_weather, get_time], client=client_for(srv))
            run = agent.run("w?", pause_before=["get_weather"])
            Paused(run.pauses, 2).wait()
            until(lambda: len(CALLS) == 1)
            assert CALLS == [("get_time", {"tz": "UTC"})]  # not paused: ran at once
            answer(run)
            run.wait(PATIENCE)
            return run, srv

    _, srv = off_loop(scenario)
    contents = [m["content"] for m in tool_messages(srv, 1) if m["role"] == "tool"]
    assert json.loads(contents[0])["city"] == "Paris"
    assert contents[1] == "The user denied this call."
    assert contents[2] == "12:00 UTC"


def test_stop_while_paused_runs_nothing_and_asks_the_server_nothing_more() -> None:
    run, srv = paused_run([STEP, text_chunks(["never"])], lambda r: r.cancel())
    assert CALLS == []
    assert len(srv.requests) == 1
    assert run.status == "cancelled"
    assert run.transcript.tool_calls[0].state == "cancelled"


def test_pause_before_true_pauses_every_tool() -> None:
    step = calls_step(("call_t", "get_time", '{"tz": "CET"}'))
    run, _ = paused_run([step, text_chunks(["ok"])], lambda r: r.approve(0), pause_before=True)
    assert CALLS == [("get_time", {"tz": "CET"})]
    assert run.transcript.tool_calls[0].answer == {"action": "run", "edited": False}


def test_unknown_names_and_stream_without_pauses_are_refused() -> None:
    agent = Agent("m", tools=[get_weather], client=object())
    with pytest.raises(ValueError, match="no tool of the agent: \\['get_wether'\\]"):
        agent.prepare("x", pause_before=["get_wether"])
    with pytest.raises(ValueError, match="pass pauses="):
        agent.stream("x", pause_before=True)


def test_stream_with_pauses_is_answered_from_another_task() -> None:
    with OpenAIServer(scripts=[STEP, text_chunks(["ok"])]) as srv:
        agent = Agent("m", tools=[get_weather], client=client_for(srv))
        pauses = Pauses()

        async def go() -> list[Event]:
            async def answer() -> None:
                while not pauses.pending:
                    await asyncio.sleep(0.01)
                pauses.answer("call_a", Answer("mock", result="mocked"))

            task = asyncio.ensure_future(answer())
            events = [ev async for ev in agent.stream("w?", pause_before=True, pauses=pauses)]
            await task
            return events

        t = Transcript.from_events(aio.run(go()))
    assert (t.tool_calls[0].result, t.tool_calls[0].mocked, t.status) == (
        "mocked",
        True,
        "completed",
    )
    assert srv.requests[1]["messages"][-1]["content"] == "mocked"


def test_until_paused_returns_the_waiting_calls_then_nothing_once_the_run_ended() -> None:
    async def scenario(run: AgentRun) -> tuple[list[str], list[Any]]:
        waiting = [c.name for c in await run.until_paused(timeout=PATIENCE)]
        run.deny(0, reason="no")
        await run
        return waiting, await run.until_paused(timeout=1)

    with OpenAIServer(scripts=[STEP, text_chunks(["No weather then."])]) as srv:
        agent = Agent("m", tools=[get_weather], client=client_for(srv))
        run = agent.run("Weather?", pause_before=True)
        waiting, after = asyncio.run(scenario(run))
    assert waiting == ["get_weather"]
    assert after == []
