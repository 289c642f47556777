"""``nbagent.acp``: nbagent as the client of real ACP agent processes, the scripted agents of
tests/acp_agents/ (written with the SDK, run over stdio with this Python): a streamed turn,
modes, permissions, notebooks, files inside and outside the roots, Stop (an agent that obeys
and one that ignores it), a crash, a start-up that never answers, and authentication."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import nbagent
from tests.acp_agents import alive
from tests.frameworks.conftest import need
from tests.wait import PATIENCE, wait_for

need("acp")

SCRIPT = str(Path(__file__).resolve().parents[1] / "acp_agents" / "scripted.py")


def command(behaviour: str) -> list[str]:
    return [sys.executable, SCRIPT, behaviour]


def start(started: list[nbagent.AcpAgent], behaviour: str, **kw: Any) -> nbagent.AcpAgent:
    agent = nbagent.acp(command(behaviour), startup_timeout=PATIENCE, **kw)
    started.append(agent)
    return agent


def test_a_streamed_turn_with_thinking_and_a_tool_call_then_a_conversation(started: Any) -> None:
    agent = start(started, "chat")
    assert [m.id for m in agent.modes] == ["ask", "code"]
    assert agent.mode == "ask"
    run = agent.prompt("hello")
    transcript = run.wait(PATIENCE)
    assert run.status == "completed", run.transcript.error
    assert run.format == "acp"
    assert transcript.text == "You said: hello (mode ask)"
    assert transcript.thinking.strip() == "Thinking it over."
    (call,) = transcript.tool_calls
    assert (call.id, call.name, call.state) == ("call_1", "Read data.csv", "done")
    assert [(c.name, c.description) for c in agent.commands] == [("review", "Review the changes")]
    session = agent.session_id
    with pytest.raises(ValueError, match="'plan' is not a mode"):
        agent.set_mode("plan")
    agent.set_mode("code")
    assert agent.mode == "code"
    again = agent.prompt("again")
    assert again.wait(PATIENCE).text == "You said: again (mode code)"
    assert agent.session_id == session  # the same session: a conversation


def test_a_second_prompt_while_one_runs_names_the_running_one(started: Any) -> None:
    agent = start(started, "cancel")
    run = agent.prompt("wait")
    with pytest.raises(RuntimeError, match=r"a prompt is running.*nbagent\.Run #"):
        agent.prompt("another")
    run.cancel()
    assert run.wait(PATIENCE).status == "cancelled"


def test_permissions_pause_the_run_and_take_the_agents_own_options(started: Any) -> None:
    agent = start(started, "permissions", auto_approve={"read"})
    run = agent.prompt("go")
    first = wait_for(lambda: run.pending, what="the first permission request")
    assert [p.tool_call_id for p in first] == ["call_1"]
    with pytest.raises(TypeError, match="ACP cannot carry edited arguments"):
        run.approve(0, path="other.py")
    with pytest.raises(TypeError, match="cannot be answered 'mock'"):
        run.mock(0, "done")
    run.approve(0)  # allow_once, never allow_always
    wait_for(lambda: [p.tool_call_id for p in run.pending] == ["call_2"], what="call_2 paused")
    run.deny(0)
    ghost = wait_for(lambda: run.pending, what="the unannounced call's request")
    assert [(p.tool_call_id, p.name) for p in ghost] == [("ghost", "Run a command never announced")]
    with pytest.raises(ValueError, match="'maybe' is not an option"):
        run.choose(0, "maybe")
    run.choose("ghost", "always")  # as agent.choose("ghost", "always")
    transcript = run.wait(PATIENCE)  # the read request was auto-approved: no pause
    assert run.status == "completed", transcript.error
    assert json.loads(transcript.text) == ["yes", "no", "always", "yes"]


def test_only_a_run_whose_pauses_offer_options_can_choose() -> None:
    run = nbagent.Run(iter(["hi"]))
    with pytest.raises(TypeError, match="offer no options"):
        run.choose(0, "always")


def test_stop_answers_a_waiting_permission_request_as_cancelled(started: Any) -> None:
    agent = start(started, "permissions")
    run = agent.prompt("go")
    wait_for(lambda: run.pending, what="the first permission request")
    run.cancel()
    assert run.status == "cancelled"
    assert run.pending == []
    asked = agent.prompt("what did you get?")  # the same session, once the agent is done
    assert json.loads(asked.wait(PATIENCE).text) == ["cancelled"] * 3 + ["cancelled"]


def test_a_request_aimed_at_a_notebook_is_refused_unless_allowed(started: Any) -> None:
    agent = start(started, "notebook")
    run = agent.prompt("edit the notebook")
    assert run.wait(PATIENCE).text == "no"  # rejected without asking
    assert run.pending == []
    allowing = start(started, "notebook", allow_notebook_edits=True)
    run = allowing.prompt("edit the notebook")
    wait_for(lambda: run.pending, what="the notebook request paused")
    run.approve(0)
    assert run.wait(PATIENCE).text == "yes"


def test_files_are_served_inside_the_roots_only(started: Any, tmp_path: Path) -> None:
    home, extra, outside = tmp_path / "home", tmp_path / "extra", tmp_path / "outside"
    for d in (home, extra, outside):
        d.mkdir()
    (home / "data.txt").write_text("one\ntwo\nthree\nfour\n")
    (extra / "notes.md").write_text("notes")
    (outside / "secret.txt").write_text("secret")
    (home / "link").symlink_to(outside / "secret.txt")
    agent = start(started, "files", cwd=home, roots=[extra])
    ops = [
        {"op": "read", "path": str(home / "data.txt"), "line": 2, "limit": 2},
        {"op": "read", "path": str(extra / "notes.md")},
        {"op": "read", "path": f"{home}/../outside/secret.txt"},
        {"op": "read", "path": str(home / "link")},
        {"op": "read", "path": "data.txt"},
        {"op": "write", "path": str(home / "new" / ".." / "made.txt"), "content": "made"},
        {"op": "write", "path": str(home / "link"), "content": "overwritten"},
        {"op": "write", "path": str(home / "nb.ipynb"), "content": "{}"},
    ]
    run = agent.prompt(json.dumps(ops))
    results = json.loads(run.wait(PATIENCE).text)
    assert results[0] == {"ok": "two\nthree\n"}
    assert results[1] == {"ok": "notes"}
    assert "outside the directories" in results[2]["error"]
    assert "outside the directories" in results[3]["error"]
    assert "only absolute paths" in results[4]["error"]
    assert results[5] == {"ok": "written"}  # a new file, by its parent's real path
    assert (home / "made.txt").read_text() == "made"
    assert "outside the directories" in results[6]["error"]
    assert "notebook" in results[7]["error"]
    assert (outside / "secret.txt").read_text() == "secret"
    assert not (home / "nb.ipynb").exists()
    # A write no tool call named shows as an edit of its own, with its diff (from cwd).
    (written,) = run.transcript.tool_calls
    assert (written.name, written.meta["kind"], written.meta["status"]) == (
        "Write made.txt",
        "edit",
        "completed",
    )
    assert "--- /dev/null\n+++ made.txt\n" in written.result
    assert "+made\n" in written.result
    (home / "new.txt").write_text("old line\nkept\n")
    new = agent.prompt(
        json.dumps([{"op": "write", "path": str(home / "new.txt"), "content": "new line\nkept\n"}])
    )
    assert json.loads(new.wait(PATIENCE).text) == [{"ok": "written"}]
    assert (home / "new.txt").read_text() == "new line\nkept\n"
    (changed,) = new.transcript.tool_calls
    assert "-old line\n+new line\n kept\n" in changed.result


def test_stop_cancels_the_turn_on_the_agent(started: Any) -> None:
    agent = start(started, "cancel")
    run = agent.prompt("work")
    wait_for(lambda: run.transcript.text == "working", what="the first chunk")
    run.cancel()
    assert run.status == "cancelled"  # at once
    assert run.wait(PATIENCE).status == "cancelled"
    session = agent.session_id
    nxt = agent.prompt("again")  # the agent ended its turn: the same session goes on
    wait_for(lambda: nxt.transcript.text == "working", what="the next turn's chunk")
    assert agent.session_id == session
    nxt.cancel()


def test_an_agent_that_ignores_cancel_is_killed_with_its_children(
    started: Any, tmp_path: Path
) -> None:
    agent = start(started, "stubborn")
    first = agent.pid
    pid_file = tmp_path / "child.pid"
    run = agent.prompt(str(pid_file))
    wait_for(lambda: run.transcript.text == "working", what="the first chunk")
    child = int(pid_file.read_text())
    assert alive(child)
    run.cancel()
    assert run.status == "cancelled"
    wait_for(lambda: not alive(child), what=f"the agent's child {child} killed")
    wait_for(lambda: not alive(first), what=f"the agent {first} killed")
    nxt = agent.prompt(str(tmp_path / "second.pid"))  # started afresh: a new process
    wait_for(lambda: nxt.transcript.text == "working", what="the new agent's chunk")
    nxt.cancel()


def test_an_agent_that_crashes_mid_turn_ends_the_run_with_its_stderr(started: Any) -> None:
    agent = start(started, "crash")
    run = agent.prompt("go")
    transcript = run.wait(PATIENCE)
    assert run.status == "error"
    assert transcript.text == "partial answer"  # what arrived is kept
    assert "exited (code 3) mid-turn" in str(transcript.error)
    assert "boom: the scripted agent crashed" in str(transcript.error)


def test_an_agent_that_closes_its_pipe_mid_turn_ends_the_run(started: Any) -> None:
    agent = start(started, "hangup")
    run = agent.prompt("go")
    transcript = run.wait(PATIENCE)
    assert run.status == "error"
    assert transcript.text == "partial answer"
    assert "closed its pipe mid-turn" in str(transcript.error)
    assert "closing stdout" in str(transcript.error)
    first = agent.pid
    wait_for(lambda: not alive(first), what=f"the agent {first} killed, its pipe gone")
    again = agent.prompt("go")  # started afresh
    assert again.wait(PATIENCE).text == "partial answer"
    assert agent.pid != first


def test_an_agent_that_exits_right_after_its_answer_ends_the_turn_completed(
    started: Any,
) -> None:
    agent = start(started, "parting")
    first = agent.pid
    run = agent.prompt("bye")
    transcript = run.wait(PATIENCE)
    assert (run.status, transcript.text) == ("completed", "goodbye"), transcript.error
    wait_for(lambda: not alive(first), what=f"the agent {first} gone after its answer")
    again = agent.prompt("bye")  # started afresh
    assert again.wait(PATIENCE).text == "goodbye"
    assert agent.pid != first


def test_a_command_that_does_not_exist_says_so() -> None:
    said = r"ACP agent no-such-acp-agent --acp: could not start: .*No such file"
    with pytest.raises(nbagent.AcpError, match=said):
        nbagent.acp("no-such-acp-agent --acp")


def test_an_agent_that_never_answers_initialize_times_out_clearly() -> None:
    with pytest.raises(nbagent.AcpError) as caught:
        nbagent.acp(command("mute"), startup_timeout=0.5)
    message = str(caught.value)
    assert "did not start within 0.5 s" in message
    assert "scripted.py mute" in message


def test_an_agent_that_requires_authentication(started: Any) -> None:
    with pytest.raises(nbagent.AcpError, match=r"requires authentication.*key \(API key\)"):
        nbagent.acp(command("auth"), startup_timeout=PATIENCE)
    with pytest.raises(nbagent.AcpError, match="no auth method 'nope'"):
        nbagent.acp(command("auth"), auth="nope", startup_timeout=PATIENCE)
    agent = start(started, "auth", auth="key")
    assert agent.session_id == "sess-auth"


def test_close_leaves_no_process() -> None:
    with nbagent.acp(command("chat"), startup_timeout=PATIENCE) as agent:
        pid = agent.pid
        assert alive(pid)
    wait_for(lambda: not alive(pid), what=f"the agent {pid} gone")
    with pytest.raises(nbagent.AcpError, match="closed"):
        agent.prompt("hello")


def test_a_dropped_agent_and_the_interpreters_exit_leave_no_process() -> None:
    agent = nbagent.acp(command("chat"), startup_timeout=PATIENCE)
    pid = agent.pid
    del agent
    gc.collect()
    wait_for(lambda: not alive(pid), what=f"the dropped agent {pid} gone")
    script = f"import sys, nbagent; a = nbagent.acp({command('chat')!r}); print(a.pid, flush=True)"
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        # a whole interpreter: nbagent, the ACP SDK, the agent's start and its exit (on a
        # machine at load 15 that took over PATIENCE)
        timeout=4 * PATIENCE,
        check=True,
        env=os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    left = int(done.stdout.split()[-1])
    wait_for(lambda: not alive(left), what=f"the agent {left} gone with its interpreter")
