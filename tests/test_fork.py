"""``AgentRun.fork``: the real ``openai`` client against the scripted server on 127.0.0.1.

The scripted model asks for ``get_weather`` when the conversation ends with a user message
and answers with the tool's result when it ends with one; each test checks what the fork's
first request sent (the history up to the step, the edit), and that the original is untouched.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest

from nbagent import evaluate, show
from nbagent.agent.agent import Agent, AgentRun
from nbagent.apps.lanes import Lanes
from nbagent.apps.replay import ReplayRun
from nbagent.runtime.run import Run
from nbagent.sources.recording import Player
from tests.recording import RecordingComm
from tests.servers import OpenAIServer, text_chunks
from tests.test_agent import calls_step, client_for, off_loop
from tests.wait import PATIENCE, wait_for

ROOT = Path(__file__).resolve().parents[1]
CITY_CALL = ("call_1", "get_weather", '{"city": "Paris"}')


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"15°C in {city}"


def scripted_model(body: dict[str, Any], call: tuple[str, str, str] = CITY_CALL) -> list[Any]:
    last = body["messages"][-1]
    if last["role"] == "tool":
        return text_chunks([f"It is {last['content']}."])
    return calls_step(call)


def finished_run(srv: OpenAIServer, prompt: str = "Weather in Paris?") -> AgentRun:
    agent = Agent("m", tools=[get_weather], client=client_for(srv), instructions="Be brief.")
    run = agent.run(prompt)
    run.wait(PATIENCE)
    assert run.status == "completed"
    return run


ORIGINAL = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Weather in Paris?"},
    {
        "role": "assistant",
        "content": "",  # a string: servers refuse null (agent/request.py)
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            }
        ],
    },
    {"role": "tool", "tool_call_id": "call_1", "content": "15°C in Paris"},
    {"role": "assistant", "content": "It is 15°C in Paris."},
]


def test_a_fork_with_an_edited_result_sends_the_history_and_the_edit() -> None:
    with OpenAIServer(scripted_model) as srv:
        run = finished_run(srv)
        assert run.messages == ORIGINAL
        fork = run.fork(1, {"call_1": "-40°C in Paris"})
        fork.wait(PATIENCE)
        by_index = run.fork("model-1", {0: {"temp": 30}})
        by_index.wait(PATIENCE)
    assert len(srv.requests) == 4  # the original's two calls, one per fork
    edited = ORIGINAL[3] | {"content": "-40°C in Paris"}
    assert srv.requests[2]["messages"] == [*ORIGINAL[:3], edited]
    assert srv.requests[3]["messages"][-1]["content"] == '{"temp": 30}'
    assert by_index.title == 'fork after step 1 — edited: get_weather → {"temp": 30}'
    assert run.forks == [fork, by_index]
    assert fork.forks == []
    assert fork.status == "completed"
    assert fork.transcript.text == "It is -40°C in Paris."
    assert fork.title == "fork after step 1 — edited: get_weather → -40°C in Paris"
    assert fork.messages[-1] == {"role": "assistant", "content": "It is -40°C in Paris."}
    assert run.messages == ORIGINAL  # the original keeps its conversation
    assert run.transcript.text == "It is 15°C in Paris."


def test_a_fork_of_the_prompt_and_a_fork_after_the_answer() -> None:
    with OpenAIServer(scripted_model) as srv:
        run = finished_run(srv)
        other = run.fork(0, "Weather in Oslo?")
        other.wait(PATIENCE)
        more = run.fork(2, "And tomorrow?")
        more.wait(PATIENCE)
    # Step 0: the prompt replaced; the model asks for the tool again, the tool runs.
    oslo = {"role": "user", "content": "Weather in Oslo?"}
    assert srv.requests[2]["messages"] == [ORIGINAL[0], oslo]
    assert other.transcript.tool_calls[0].result == "15°C in Paris"
    assert other.title == "fork of the prompt — prompt: Weather in Oslo?"
    # After the final answer: the whole conversation, then the new user message.
    first_of_more = srv.requests[4]["messages"]
    assert first_of_more == [*ORIGINAL, {"role": "user", "content": "And tomorrow?"}]
    assert more.status == "completed"


def test_forks_of_forks_start_from_the_forks_conversation() -> None:
    with OpenAIServer(scripted_model) as srv:
        run = finished_run(srv)
        fork = run.fork(1, {0: "rain"})
        fork.wait(PATIENCE)
        again = fork.fork(0, "Weather in Rome?")  # the fork's own start, a prompt after it
        again.wait(PATIENCE)
        deeper = again.fork(1, {0: "snow"})
        deeper.wait(PATIENCE)
    assert srv.requests[3]["messages"] == [
        *ORIGINAL[:3],
        ORIGINAL[3] | {"content": "rain"},
        {"role": "user", "content": "Weather in Rome?"},
    ]
    sent = srv.requests[5]["messages"]
    roles = ["system", "user", "assistant", "tool", "user", "assistant", "tool"]
    assert [m["role"] for m in sent] == roles
    assert sent[-1]["content"] == "snow"
    assert deeper.transcript.text == "It is snow."
    assert run.forks == [fork, again, deeper]  # all beside the original


def test_what_cannot_be_forked_raises() -> None:
    with OpenAIServer(scripted_model) as srv:
        run = finished_run(srv)
        with pytest.raises(RuntimeError, match=r"model step 3 has not finished: .*\[1, 2\]"):
            run.fork(3)
        with pytest.raises(ValueError, match="is the run's answer"):
            run.fork(2)
        with pytest.raises(ValueError, match="called no tools"):
            run.fork(2, {0: "x"})
        with pytest.raises(ValueError, match="has no tool call 'call_9'"):
            run.fork(1, {"call_9": "x"})
        with pytest.raises(ValueError, match="step must be"):
            run.fork(-1)
        with pytest.raises(ValueError, match="step 0 has no tool calls"):
            run.fork(0, {0: "x"})
    assert len(srv.requests) == 2  # nothing was started
    with pytest.raises(RuntimeError, match=r"fork\(\) needs a run of nbagent.Agent"):
        show(iter(["hi"]), format="text").fork(0)


def test_a_step_whose_tools_still_run_cannot_be_forked() -> None:
    started, release = threading.Event(), threading.Event()

    def slow_weather(city: str) -> str:
        """Waits for the test."""
        started.set()
        release.wait(PATIENCE)
        return "done"

    def scenario() -> None:
        slow_call = ("call_s", "slow_weather", '{"city": "Oslo"}')
        with OpenAIServer(lambda body: scripted_model(body, slow_call)) as srv:
            agent = Agent("m", tools=[slow_weather], client=client_for(srv))
            run = agent.run("go")
            assert started.wait(PATIENCE)
            with pytest.raises(RuntimeError, match="model step 1 has not finished"):
                run.fork(1, {0: "x"})
            forked = run.fork(0)  # before the first call: always there once the loop began
            release.set()
            run.wait(PATIENCE)
            forked.wait(PATIENCE)
            assert run.fork(1, {0: "x"}).wait(PATIENCE).text == "It is x."

    off_loop(scenario)


def test_fork_here_lists_each_fork_in_the_originals_widget(
    comms: list[RecordingComm], caplog: pytest.LogCaptureFixture
) -> None:
    """The button's message (no step: the kernel finds it), a fork's own button (a fork of the
    fork, beside the original too), and a lane, which shows no forks: the message is refused."""
    with OpenAIServer(scripted_model) as srv:
        agent = Agent("m", tools=[get_weather], client=client_for(srv))
        run = off_loop(lambda: AgentRun(agent.session("Weather in Paris?"), display=True))
        run.start()
        run.wait(PATIENCE)
        run.handle_message({"type": "fork", "step": None, "edit": {"call_1": "hail"}})
        widget = run.widget
        wait_for(lambda: len(widget.forks) == 1, 10, "the fork's widget listed")
        first = widget.forks[0]
        assert first.title == "fork after step 1 — edited: get_weather → hail"
        wait_for(lambda: first.snapshot["state"]["status"] == "completed", 10, "the fork's end")
        # The fork's transcript is what it did after the fork point: the model's new answer.
        assert [b.get("text") for b in first.snapshot["state"]["blocks"]] == ["It is hail."]
        first._dispatch(first, {"type": "fork", "step": 0, "edit": "Weather in Rome?"}, [])
        wait_for(lambda: len(widget.forks) == 2, 10, "the fork of the fork listed")
        assert widget.forks[1].title == "fork of the prompt — prompt: Weather in Rome?"
        wait_for(lambda: widget.forks[1].snapshot["state"]["status"] == "completed", PATIENCE)
        assert srv.requests[3]["messages"][-1] == {"role": "user", "content": "Weather in Rome?"}
        # What the browser got: the list of the forks' models, as widget references.
        (comm,) = [c for c in comms if c.comm_id == widget.model_id]
        refs = [
            d["state"]["forks"]
            for kind, d in comm.log
            if kind == "comm_msg" and "forks" in d.get("state", {})
        ]
        assert refs[-1] == [f"IPY_MODEL_{w.model_id}" for w in widget.forks]

        requests = len(srv.requests)
        lanes = off_loop(lambda: Lanes(display=True))
        lane_run = lanes.add_agent(agent, "Weather?")
        lane_run.wait(PATIENCE)
        with caplog.at_level(logging.WARNING, logger="nbagent"):
            lane_run.handle_message({"type": "fork", "step": None, "edit": {"call_1": "x"}})
        assert "a lane or a chat turn shows no forks" in caplog.text
        assert len(srv.requests) == requests + 2  # the lane's own two model calls, no fork


def test_only_an_agent_runs_widget_offers_fork_here_and_the_others_say_why(
    comms: list[RecordingComm],
) -> None:
    """The widget's ``forks``: a list for a run of nbagent.Agent (its forks show there), None
    for a run whose ``fork()`` raises (the page disables Fork here, saying why)."""
    with OpenAIServer(scripted_model) as srv:
        agent = Agent("m", tools=[get_weather], client=client_for(srv))
        run = off_loop(lambda: AgentRun(agent.session("Weather in Paris?"), display=True))
        run.start()
        run.wait(PATIENCE)
    assert run.widget.forks == []
    played = Player(list(run.events), speed=0)
    shown = off_loop(lambda: Run(iter(["hi"]), format="text", display=True))
    replayed = off_loop(lambda: ReplayRun(played, display=True))
    for other in (shown, replayed):
        other.start()
        other.wait(PATIENCE)
        assert other.widget.forks is None
        with pytest.raises(RuntimeError) as raised:
            other.fork(1)
        assert str(raised.value) == f"fork() needs a run of nbagent.Agent: {other.cannot_fork}"
    assert replayed.cannot_fork == "a replay has no model to ask again"
    assert shown.cannot_fork == "this run has no conversation to go on from"
    # The page's disabled Fork here says what fork() raises with: a replay's (its `replay`
    # trait), else a run's (js/test/fork.test.js checks the buttons).
    forks = (ROOT / "js" / "src" / "panels" / "forks.js").read_text(encoding="utf-8")
    assert f'"{replayed.cannot_fork}"' in forks
    assert f'"{shown.cannot_fork}"' in forks


def test_an_agents_case_in_an_evaluation_forks_beside_its_run(comms: list[RecordingComm]) -> None:
    """An opened case of an nbagent.Agent's evaluation offers Fork here (its widget's
    ``forks`` a list, not None) and a fork from it shows beside the case's run."""
    with OpenAIServer(scripted_model) as srv:
        agent = Agent("m", tools=[get_weather], client=client_for(srv))
        ev = off_loop(lambda: evaluate(agent, ["Weather in Paris?"], display=True, progress=False))
        ev.wait(PATIENCE)
        (board,) = [c for c in comms if "columns" in c.log[0][1].get("state", {})]
        board.handle_msg(
            {
                "content": {"data": {"method": "custom", "content": {"type": "open", "i": 0}}},
                "buffers": [],
            }
        )
        run = ev.cases[0].run
        assert run is not None
        widget = wait_for(lambda: run.widget, 10, "the case's run widget")
        assert widget.forks == []
        widget._dispatch(widget, {"type": "fork", "step": None, "edit": {"call_1": "hail"}}, [])
        wait_for(lambda: len(widget.forks) == 1, 10, "the fork listed beside the case's run")
        fork = widget.forks[0]
        wait_for(lambda: fork.snapshot["state"]["status"] == "completed", PATIENCE, "its end")
        assert [b.get("text") for b in fork.snapshot["state"]["blocks"]] == ["It is hail."]


def test_a_fork_pauses_where_its_original_paused() -> None:
    with OpenAIServer(scripted_model) as srv:
        agent = Agent("m", tools=[get_weather], client=client_for(srv))
        run = agent.run("Weather in Paris?", pause_before=["get_weather"])
        wait_for(lambda: len(run.pending) == 1, PATIENCE)
        run.approve(0)
        run.wait(PATIENCE)
        fork = run.fork(0, "Weather in Oslo?")
        wait_for(lambda: len(fork.pending) == 1, PATIENCE)
        assert fork.pending[0].name == "get_weather"
        fork.deny(0, reason="not now")
        fork.wait(PATIENCE)
    assert fork.status == "completed"
    assert "not now" in srv.requests[-1]["messages"][-1]["content"]


def test_fork_here_on_a_step_line_sends_the_typed_message_after_that_step(
    comms: list[RecordingComm],
) -> None:
    with OpenAIServer(scripted_model) as srv:
        agent = Agent("m", tools=[get_weather], client=client_for(srv))
        run = off_loop(lambda: AgentRun(agent.session("Weather in Paris?"), display=True))
        run.start()
        run.wait(PATIENCE)
        run.handle_message({"type": "fork", "step": "model-2", "edit": "And in Oslo?"})
        wait_for(lambda: len(run.forks) == 1, 10, "the fork")
        run.forks[0].wait(PATIENCE)
    # The whole conversation (no instructions here), then the message typed.
    typed = {"role": "user", "content": "And in Oslo?"}
    assert srv.requests[2]["messages"] == [*ORIGINAL[1:], typed]
