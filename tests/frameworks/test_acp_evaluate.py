"""``nbagent.evaluate`` with an ACP agent as its task: the scripted agent of
tests/acp_agents/evalagent.py (written with the SDK, run over stdio with this Python). Each case
is a prompt turn in a session of its own on the agent's one process, one case at a time; a
permission request is rejected once, and the case's tool panel says nobody was there to answer;
the notebook's own session is left as it was, and closing the agent leaves no process."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import nbagent
from nbagent._evaluate.acp_task import REJECTED
from tests.acp_agents import alive
from tests.frameworks.conftest import need
from tests.wait import PATIENCE, wait_for

need("acp")

SCRIPT = str(Path(__file__).resolve().parents[1] / "acp_agents" / "evalagent.py")


@pytest.fixture
def agent() -> Iterator[nbagent.AcpAgent]:
    agent = nbagent.acp([sys.executable, SCRIPT], startup_timeout=PATIENCE)
    yield agent
    agent.close()


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


def test_cases_of_an_acp_agent_run_one_at_a_time(agent: nbagent.AcpAgent) -> None:
    seen: list[list[str]] = []

    def running(case: Any, transcript: Any) -> bool:
        seen.append([c.status for c in ev.cases])
        return True

    ev = nbagent.evaluate(agent, ["a", "b", "c"], scorers=[running], concurrency=8, progress=False)
    ev.wait(PATIENCE * 3)
    assert [c.status for c in ev.cases] == ["completed"] * 3, [c.error for c in ev.cases]
    # Scored as each case ends: no other case was running then.
    assert all(statuses.count("running") <= 1 for statuses in seen), json.dumps(seen)
    assert [c.output.split(": ")[1] for c in ev.cases] == ["A", "B", "C"]


def test_a_prompt_of_the_notebook_while_a_case_runs_is_refused(agent: nbagent.AcpAgent) -> None:
    ev = nbagent.evaluate(agent, ["wait"], progress=False)
    case = ev.cases[0]
    wait_for(lambda: case.run is not None and case.transcript.text, what="the case working")
    with pytest.raises(RuntimeError, match="a prompt is running"):
        agent.prompt("meanwhile")
    ev.cancel()
    ev.wait(PATIENCE)
    assert case.status == "cancelled", case.error
    # Stopped on the agent's side too (session/cancel): the agent takes a prompt again.
    assert agent.prompt("after").wait(PATIENCE).text == "sess-1 #1: AFTER"
