"""``nbagent.evaluate`` with an ACP agent as its task: the scripted agent of
tests/acp_agents/evalagent.py (written with the SDK, run over stdio with this Python; the
``agent`` fixture of conftest.py). Each case is a prompt turn in a session of its own on the
agent's one process, up to ``concurrency`` at once and beside the notebook's own prompts, its
session closed after it where the agent can; a permission request is rejected once, and the
case's tool panel says nobody was there to answer; Stop of a case cancels its session alone,
an agent killed after it ends every running turn; the notebook's own session is left as it
was, and closing the agent leaves no process."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

import nbagent
from nbagent.evaluation.acp_task import REJECTED
from tests.acp_agents import alive
from tests.frameworks.conftest import EVALAGENT, need
from tests.wait import PATIENCE, wait_for

need("acp")


def ends_with_expected(case: Any, transcript: Any, output: Any) -> bool:
    return isinstance(output, str) and output.endswith(case["expected"])


def test_an_evaluation_runs_each_case_in_a_new_session_and_rejects_permissions(
    agent: nbagent.AcpAgent,
) -> None:
    pid = agent.pid
    own = agent.session_id
    assert own == "sess-1"
    dataset = [
        {"input": "hello", "expected": "HELLO"},
        {"input": "ask permission to edit", "expected": "got no"},
        {"input": "bye", "expected": "BYE"},
    ]
    ev = nbagent.evaluate(
        agent, dataset, scorers=[ends_with_expected], concurrency=4, progress=False
    ).wait(PATIENCE * 3)
    df = ev.to_pandas()
    assert list(df["status"]) == ["completed"] * 3, list(df["error"])
    assert list(df["ends_with_expected"]) == [True, True, True], list(df["output"])
    # Each case in a session of its own, the first prompt of it; never the notebook's.
    sessions = [c.run.events[0].thread_id for c in ev.cases if c.run is not None]
    assert len(set(sessions)) == 3, sessions
    assert own not in sessions
    assert df["output"][0] == f"{sessions[0]} #1: HELLO"
    assert df["output"][2] == f"{sessions[2]} #1: BYE"
    assert all(c.run is not None and c.run.format == "acp" for c in ev.cases)
    # Each case's run begins with its input as the user's turn.
    firsts = [c.transcript.to_dict()["blocks"][0] for c in ev.cases]
    assert [(b["type"], b["text"]) for b in firsts] == [("user", c["input"]) for c in dataset]
    # The permission request was rejected once (the agent's "no"), and its panel says why.
    asked = ev.cases[1].transcript
    (call,) = asked.tool_calls
    assert (call.id, call.state, call.is_error) == ("call_perm", "error", True), call
    assert call.result == REJECTED
    assert asked.text == "got no"
    # The notebook's conversation goes on in its own session, on the same process.
    assert agent.session_id == own
    assert agent.pid == pid
    assert agent.prompt("again").wait(PATIENCE).text == f"{own} #1: AGAIN"
    agent.close()
    wait_for(lambda: not alive(pid), what=f"the agent's process {pid} gone after close()")


def session_of(case: Any) -> str:
    """The ACP session a case's run went to (its first event's thread)."""
    assert case.run is not None, case
    return str(case.run.events[0].thread_id)


def test_cases_run_at_once_each_in_its_session_its_permission_rejected_in_its_panel(
    agent: nbagent.AcpAgent,
) -> None:
    # Each case waits in the agent till all three are in flight (or says how many came).
    names = ["a", "b", "c"]
    dataset = [f"meet 3 within {PATIENCE}: permission for {x}" for x in names]
    ev = nbagent.evaluate(agent, dataset, concurrency=3, progress=False).wait(PATIENCE * 3)
    assert [c.status for c in ev.cases] == ["completed"] * 3, [c.error for c in ev.cases]
    sessions = [session_of(c) for c in ev.cases]
    assert len(set(sessions)) == 3, sessions
    assert agent.session_id not in sessions
    # Each case's own answer, from its own session.
    assert [c.output for c in ev.cases] == [
        f"{sid}: got no for {x}" for sid, x in zip(sessions, names, strict=True)
    ]
    # Each request paused its own case's run, where it was rejected: one panel each, saying so.
    for case in ev.cases:
        (call,) = case.transcript.tool_calls
        assert (call.id, call.state, call.result) == ("call_perm", "error", REJECTED), call
    assert agent.prompt("again").wait(PATIENCE).text == f"{agent.session_id} #1: AGAIN"


def test_the_notebooks_prompt_runs_beside_a_case_and_stop_cancels_the_cases_session_only(
    agent: nbagent.AcpAgent,
) -> None:
    own = agent.session_id
    ev = nbagent.evaluate(agent, ["wait"], progress=False)
    case = ev.cases[0]
    wait_for(lambda: case.run is not None and case.transcript.text, what="the case working")
    mine = agent.prompt("wait")  # another session: not refused
    wait_for(lambda: mine.transcript.text == "working", what="the notebook's turn working")
    # Still one prompt at a time in a session.
    with pytest.raises(RuntimeError, match=f"a prompt is running in this agent's session {own}"):
        agent.prompt("meanwhile")
    ev.cancel()
    ev.wait(PATIENCE)
    assert case.status == "cancelled", case.error
    # session/cancel went to the case's session only: the notebook's turn runs on.
    asked = nbagent.evaluate(agent, ["sessions"], progress=False).wait(PATIENCE)
    told = json.loads(asked.cases[0].output)
    assert told == {"cancelled": [session_of(case)], "closed": []}, told
    assert not mine.done, mine.transcript.to_dict()
    mine.cancel()
    assert mine.status == "cancelled"
    # Stopped on the agent's side too (session/cancel): the session takes a prompt again.
    assert agent.prompt("after").wait(PATIENCE).text == f"{own} #2: AFTER"


def test_an_agent_killed_after_a_stop_ends_every_running_turn_saying_so(
    agent: nbagent.AcpAgent,
) -> None:
    pid = agent.pid
    mine = agent.prompt("wait")
    wait_for(lambda: mine.transcript.text == "working", what="the notebook's turn working")
    ev = nbagent.evaluate(agent, ["ignore cancel"], progress=False)
    case = ev.cases[0]
    wait_for(lambda: case.run is not None and case.transcript.text, what="the case working")
    stubborn = session_of(case)
    ev.cancel()  # the case's turn never ends: the agent is killed after the grace period
    ev.wait(PATIENCE)
    assert case.status == "cancelled", case.error
    transcript = mine.wait(PATIENCE)
    assert mine.status == "error", transcript.to_dict()
    error = str(transcript.error)
    assert "the agent was killed mid-turn" in error, error
    assert f"session {stubborn} did not end its turn" in error, error
    wait_for(lambda: not alive(pid), what=f"the agent's process {pid} gone")
    # Started afresh at the next prompt.
    assert agent.prompt("after").wait(PATIENCE).text == f"{agent.session_id} #1: AFTER"
    assert agent.pid != pid


def test_a_cases_session_is_closed_when_the_agent_can_close_sessions(started: Any) -> None:
    agent = nbagent.acp([sys.executable, EVALAGENT, "close"], startup_timeout=PATIENCE)
    started.append(agent)
    ev = nbagent.evaluate(agent, ["a", "b"], concurrency=2, progress=False).wait(PATIENCE * 2)
    assert [c.status for c in ev.cases] == ["completed"] * 2, [c.error for c in ev.cases]
    assert [c.output.split(": ")[1] for c in ev.cases] == ["A", "B"]
    assert [c.transcript.warnings for c in ev.cases] == [[], []]
    # Closed as each case ended (before its run did); the notebook's session stays open.
    told = json.loads(agent.prompt("sessions").wait(PATIENCE).text)
    assert sorted(told["closed"]) == sorted(session_of(c) for c in ev.cases), told
    assert agent.session_id not in told["closed"]


def test_a_cases_session_is_left_open_when_the_agent_cannot_close_sessions(
    agent: nbagent.AcpAgent,
) -> None:
    ev = nbagent.evaluate(agent, ["a"], progress=False).wait(PATIENCE)
    assert ev.cases[0].status == "completed", ev.cases[0].error
    told = json.loads(agent.prompt("sessions").wait(PATIENCE).text)
    assert told == {"cancelled": [], "closed": []}, told


def test_a_failed_session_close_is_a_warning_in_the_cases_run(started: Any) -> None:
    agent = nbagent.acp([sys.executable, EVALAGENT, "close"], startup_timeout=PATIENCE)
    started.append(agent)
    ev = nbagent.evaluate(agent, ["keep open"], progress=False).wait(PATIENCE)
    (case,) = ev.cases
    assert case.status == "completed", case.error
    (warning,) = case.transcript.warnings
    assert warning["error_type"] == "session_close_failed", warning
    assert warning["message"].startswith(f"session/close of {session_of(case)} failed: "), warning
    assert f"{session_of(case)} is busy" in warning["message"], warning


def test_a_stray_line_while_turns_run_is_a_warning_in_each(agent: nbagent.AcpAgent) -> None:
    """The line names no session: each turn running then shows it (each case prints one once
    both run, and ends once both printed)."""
    ev = nbagent.evaluate(agent, ["stray 2"] * 2, concurrency=2, progress=False).wait(PATIENCE * 2)
    assert [c.status for c in ev.cases] == ["completed"] * 2, [c.error for c in ev.cases]
    sessions = [session_of(c) for c in ev.cases]
    assert [c.output for c in ev.cases] == [f"{sid} strayed" for sid in sessions]
    expected = sorted(f"not JSON-RPC: stray from {sid}" for sid in sessions)
    for case in ev.cases:
        warnings = case.transcript.warnings
        assert {w["error_type"] for w in warnings} == {"stray_output"}, warnings
        assert sorted(w["message"].split("stdout that is ")[1] for w in warnings) == expected


def test_a_question_naming_no_session_while_turns_run_is_cancelled_and_said_in_each(
    agent: nbagent.AcpAgent,
) -> None:
    """Asked in request mode (no session) while two turns run, whose is it? Neither can be told:
    cancelled, and each run says so; nothing pauses."""
    ev = nbagent.evaluate(agent, ["question 2"] * 2, concurrency=2, progress=False).wait(
        PATIENCE * 2
    )
    assert [c.status for c in ev.cases] == ["completed"] * 2, [c.error for c in ev.cases]
    sessions = [session_of(c) for c in ev.cases]
    assert [c.output for c in ev.cases] == [f"{sid} got cancel" for sid in sessions]
    for case in ev.cases:
        warnings = case.transcript.warnings
        assert {w["error_type"] for w in warnings} == {"unanswered_question"}, warnings
        asked = sorted(w["message"].split("asked ")[1].split(" for no")[0] for w in warnings)
        assert asked == sorted(f"“Go on, {sid}?”" for sid in sessions)
        assert all("while 2 turns ran: answered cancel" in w["message"] for w in warnings)
        assert case.transcript.tool_calls == []
