"""The runtime with threads and without (as in Pyodide: JupyterLite, marimo's WASM export),
the same tests in both modes (``tests/threadless.py``): sources read, flushed, stopped,
replayed and stepped; the agent on the in-process scripted model, its tools re-run and its
calls paused; an evaluation. No kernel."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import nbagent
from nbagent import demo
from nbagent.core.events import event_from_dict
from nbagent.demo.in_process import IN_PROCESS_URL
from nbagent.runtime.loops import lenient_timers
from nbagent.runtime.run import Run
from tests.recording import (
    RecordingComm,
    browser_state,
    endless,
    ops_messages,
    ours,
    snapshots,
    start,
)
from tests.threadless import WebLoop, in_mode, no_threads, thread_mode
from tests.wait import PATIENCE, wait_for_async

__all__ = ["thread_mode"]  # the fixture, for pytest

QUESTION = "Compare the weather in Paris and Oslo today and tell me what to pack."


def page_text(comms: list[RecordingComm]) -> str:
    """The answer's text as the page has it from what it was sent so far."""
    blocks = browser_state(ours(comms)).get("blocks", [])
    return "".join(str(b.get("text", "")) for b in blocks if b.get("type") == "text")


def test_a_sync_source_streams_in_slices_and_the_loop_goes_on(
    thread_mode: str, comms: list[RecordingComm]
) -> None:
    def words() -> Iterator[str]:
        for i in range(200):
            time.sleep(0.001)  # a source that takes its time (a model's pace)
            yield f"w{i} "

    async def main() -> tuple[Run, int]:
        run = start(words())
        ticks = 0
        while not run.done:  # another task of the loop: it gets turns while the run reads
            ticks += 1
            await asyncio.sleep(0.002)
        await run
        return run, ticks

    run, ticks = in_mode(thread_mode, main())
    assert run.transcript.text == "".join(f"w{i} " for i in range(200))
    assert ticks >= 3, f"the loop had {ticks} turns while the run read"
    final = snapshots(ours(comms))[-1]["state"]
    assert final["status"] == "completed"
    assert 1 < len(ops_messages(ours(comms))) < 200  # throttled, not one message per item


def test_wait_blocks_with_threads_and_says_await_without(thread_mode: str) -> None:
    async def main() -> str:
        run = nbagent.show(iter(["a ", "b"]))
        if thread_mode == "threadless":
            with pytest.raises(RuntimeError, match="`await run`"):
                run.wait(PATIENCE)
            await run
        return run.wait(PATIENCE).text  # ended: returns at once in both modes

    assert in_mode(thread_mode, main()) == "a b"


def test_a_trailing_flush_goes_out_while_the_source_waits(
    thread_mode: str, comms: list[RecordingComm]
) -> None:
    async def source(waiting: asyncio.Event, go_on: asyncio.Event) -> AsyncIterator[str]:
        yield "first "
        yield "second "  # held back by the throttle: the scheduler must send it
        waiting.set()
        await go_on.wait()
        yield "third"

    async def main() -> str:
        waiting, go_on = asyncio.Event(), asyncio.Event()
        run = start(source(waiting, go_on), throttle_ms=50)
        await waiting.wait()
        sent = await wait_for_async(
            lambda: "second" in page_text(comms) and page_text(comms), what="the held-back text"
        )
        go_on.set()
        await run
        return sent

    sent = in_mode(thread_mode, main())
    assert sent == "first second "
    assert snapshots(ours(comms))[-1]["state"]["status"] == "completed"


def test_stop_ends_a_sync_source_and_closes_it(
    thread_mode: str, comms: list[RecordingComm]
) -> None:
    closed = threading.Event()

    async def main() -> Run:
        run = start(endless(closed))
        await wait_for_async(lambda: run.transcript.text, what="the first dots")
        assert run.widget is not None
        run.widget._dispatch(run.widget, {"type": "stop"}, [])  # the page's Stop
        assert run.status == "cancelled"  # at once
        await wait_for_async(closed.is_set, what="the source closed")
        await run
        return run

    run = in_mode(thread_mode, main())
    assert run.transcript.end_reason == "cancelled"
    assert snapshots(ours(comms))[-1]["state"]["status"] == "cancelled"


def recorded() -> list[nbagent.Event]:
    with open(demo.recording("weather"), encoding="utf-8") as file:
        return [event_from_dict(json.loads(line)) for line in file]


def test_a_step_replay_plays_each_step_before_step_returns(thread_mode: str) -> None:
    async def main() -> tuple[list[str], str]:
        run = nbagent.replay(recorded(), step=True)
        seen = []
        for _ in range(2):
            position = run.step(to="tool", timeout=PATIENCE)
            calls = run.transcript.tool_calls  # what a cell reads right after step()
            seen.append(f"{position}:{len(calls)}:{calls[-1].name if calls else ''}")
        run.step(to="end", timeout=PATIENCE)
        return seen, (await run).status

    seen, status = in_mode(thread_mode, main())
    assert status == "completed"
    # The first step ends with the first call's arguments, the second with the next call's
    # end (the recording's two calls are parallel), as the threads' replay plays them.
    assert seen == ["55:2:get_weather", "56:2:get_weather"], seen


def test_a_timed_replay_waits_its_gaps_and_a_stop_ends_a_long_one(thread_mode: str) -> None:
    events = recorded()

    async def main() -> tuple[str, str, str]:
        fast = nbagent.replay(events, speed=50)
        whole = (await fast).text
        # A gap of 1000 s between the first two events: a Stop ends the wait.
        slow = [events[0]] + [dataclasses.replace(e, ts=e.ts + 1000) for e in events[1:]]
        stopped = nbagent.replay(slow, max_gap_s=1000)
        await wait_for_async(lambda: stopped.player.position >= 1, what="the first event")
        stopped.cancel()
        return whole, (await stopped).status, fast.transcript.text

    whole, status, text = in_mode(thread_mode, main())
    assert whole == text
    assert "Oslo" in whole
    assert status == "cancelled"


def test_the_agent_on_the_in_process_model_calls_and_reruns_its_tools(thread_mode: str) -> None:
    async def main() -> tuple[Any, Any, str]:
        llm = demo.connect(in_process=True, speed=0)
        assert llm.base_url == IN_PROCESS_URL
        assert "answers in this kernel" in str(llm)
        agent = nbagent.Agent(llm.model, tools=demo.TOOLS, client=llm.client)
        run = agent.run(QUESTION)
        t = await run
        again = run.rerun_tool(0, city="Lisbon")  # a cell's sync call: the tool runs in it
        return t, again, run.transcript.tool_calls[0].reruns[-1]["args"]["city"]

    t, again, rerun_city = in_mode(thread_mode, main())
    assert t.status == "completed", t.to_dict().get("error")
    assert [c.args["city"] for c in t.tool_calls] == ["Paris", "Oslo"]
    assert "Oslo" in t.text
    assert again["city"] == "Lisbon"
    assert rerun_city == "Lisbon"


def test_a_stop_mid_stream_on_the_in_process_model_and_the_next_run(thread_mode: str) -> None:
    async def main() -> tuple[Any, Any]:
        llm = demo.connect(in_process=True, speed=1)  # the model's pace: seconds of text
        agent = nbagent.Agent(llm.model, client=llm.client)
        prompt = "When should I use asyncio.gather and when asyncio.TaskGroup? Show code."
        run = agent.run(prompt)
        await wait_for_async(lambda: len(run.transcript.text) > 20, what="the first words")
        run.cancel()
        stopped = await run
        demo.connect(in_process=True, speed=0)  # the same model, no pauses now
        return stopped, await agent.run("Hi")

    stopped, after = in_mode(thread_mode, main())
    assert stopped.status == "cancelled"
    assert 20 < len(stopped.text) < 1000  # what arrived is kept; the rest never came
    assert after.status == "completed"


def test_a_paused_call_is_answered_and_the_run_goes_on(thread_mode: str) -> None:
    async def main() -> Any:
        llm = demo.connect(in_process=True, speed=0)
        agent = nbagent.Agent(llm.model, tools=demo.TOOLS, client=llm.client)
        run = agent.run("What's the weather in Oslo?", pause_before=["get_weather"])
        pending = await run.until_paused(timeout=PATIENCE)
        assert [p.name for p in pending] == ["get_weather"]
        run.mock(0, {"city": "Oslo", "temp_c": 31, "sky": "heatwave"})
        return await run

    t = in_mode(thread_mode, main())
    assert t.status == "completed"
    assert t.tool_calls[0].mocked
    assert "31" in t.text


def test_the_pages_answer_step_and_rerun_act_on_the_loop(
    thread_mode: str, comms: list[RecordingComm], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the page sends (a comm message, handled on the loop's thread): a paused call's
    answer, a replay's step, a tool's Re-run."""
    monkeypatch.setattr("nbagent.runtime.run.in_notebook", lambda: True)  # runs get widgets

    def page(run: Run, message: dict[str, Any]) -> None:
        assert run.widget is not None
        run.widget._dispatch(run.widget, message, [])

    async def main() -> tuple[Any, int, Any]:
        llm = demo.connect(in_process=True, speed=0)
        agent = nbagent.Agent(llm.model, tools=demo.TOOLS, client=llm.client)
        run = agent.run("What's the weather in Oslo?", pause_before=True)
        pending = await run.until_paused(timeout=PATIENCE)
        page(run, {"type": "pause_answer", "id": pending[0].tool_call_id, "action": "deny"})
        t = await run
        call = t.tool_calls[0]
        page(run, {"type": "rerun", "id": call.id, "args": {"city": "Lisbon"}})
        await wait_for_async(lambda: call.reruns, what="the re-run's result")

        stepper = nbagent.replay(recorded(), step=True)
        page(stepper, {"type": "step", "to": "tool"})
        await wait_for_async(lambda: stepper.player.paused and stepper.player.position > 1)
        position = stepper.player.position
        page(stepper, {"type": "step", "to": "end"})
        await stepper
        return t, position, call.reruns[-1]

    t, position, rerun = in_mode(thread_mode, main())
    assert t.tool_calls[0].denied
    assert t.status == "completed"
    assert position == 55  # through the first call's arguments (as step(to="tool"))
    assert rerun["args"] == {"city": "Lisbon"}
    assert not rerun["is_error"]


def test_an_evaluation_runs_its_cases_and_scores_them(thread_mode: str) -> None:
    cases = [
        {"input": f"What's the weather in {city}?", "expected": [city]}
        for city in ("Paris", "Oslo", "Lisbon")
    ]

    def right_city(case: dict[str, Any], transcript: Any) -> bool:
        return [c.args.get("city") for c in transcript.tool_calls] == case["expected"]

    async def main() -> Any:
        llm = demo.connect(in_process=True, speed=0)
        agent = nbagent.Agent(llm.model, tools=[demo.get_weather], client=llm.client)
        ev = nbagent.evaluate(agent, cases, scorers=[right_city], concurrency=2, progress=False)
        if thread_mode == "threadless":
            with pytest.raises(RuntimeError, match="await"):
                ev.wait(PATIENCE)
        return await ev

    ev = in_mode(thread_mode, main())
    assert ev.status == "completed", ev.summary()
    assert [c.scores["right_city"] for c in ev.cases] == [True, True, True]


def test_pyodides_loop_is_made_to_take_a_deadline_just_passed() -> None:
    """anyio reschedules a timeout at its deadline (openai drains a stopped stream under one),
    which may have just passed: asyncio's loops call back at once, Pyodide's raised."""

    loop = WebLoop()
    try:
        with pytest.raises(ValueError, match="in the past"):
            loop.call_at(loop.time() - 0.01, lambda: None)
        lenient_timers(loop)
        called: list[bool] = []
        loop.call_at(loop.time() - 0.01, lambda: called.append(True))
        loop.call_soon(loop.stop)
        loop.run_forever()
        assert called == [True]
    finally:
        loop.close()


def test_no_threads_refuses_as_pyodide_does() -> None:
    with no_threads() as refused, pytest.raises(RuntimeError, match="can't start new thread"):
        threading.Thread(target=lambda: None, name="x").start()
    assert refused == ["x"]
