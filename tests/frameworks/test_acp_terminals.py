"""``nbagent.acp``'s process-level client features against a real ACP agent process (the
scripted agent tests/acp_agents/terminals.py, written with the SDK, over stdio): terminals on
and off, their output live in the tool panel, bounded and truncated, killed on Stop, release
and close; a stray line on the agent's stdout shown as a warning; the agent's questions
(elicitation) pausing the run."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

import nbagent
from nbagent.acp_client._terminals import PANEL_BYTES
from nbagent.core.events import ToolResult
from tests.acp_agents import alive
from tests.frameworks.conftest import EVALAGENT, need
from tests.wait import PATIENCE
from tests.wait import wait_for as _wait_for

need("acp")

T = TypeVar("T")

SCRIPT = str(Path(__file__).resolve().parents[1] / "acp_agents" / "terminals.py")


def start(started: list[nbagent.AcpAgent], behaviour: str, **kw: Any) -> nbagent.AcpAgent:
    agent = nbagent.acp([sys.executable, SCRIPT, behaviour], startup_timeout=PATIENCE, **kw)
    started.append(agent)
    return agent


def wait_for(condition: Callable[[], T], what: str, seen: Callable[[], object]) -> T:
    """``tests.wait.wait_for``, failing with what ``seen()`` says at the end."""
    try:
        return _wait_for(condition, what=what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; saw {seen()!r}") from None


def python(code: str, **fields: Any) -> dict[str, Any]:
    """A command of the ``run`` behaviour: ``code`` run by this Python."""
    return {"args": ["-c", code], **fields}


def results_of(run: nbagent.Run) -> list[dict[str, Any]]:
    transcript = run.wait(PATIENCE)
    assert run.status == "completed", transcript.error
    answer: list[dict[str, Any]] = json.loads(transcript.text)
    return answer


def panel(run: nbagent.Run, call_id: str) -> str:
    """What the tool panel of ``call_id`` shows as its result ("" before it has one)."""
    calls = [c for c in run.transcript.tool_calls if c.id == call_id]
    return str(calls[0].result or "") if calls else ""


def pids_in(path: Path) -> list[int]:
    """The pids a command wrote to ``path`` (none yet: [])."""
    text = path.read_text() if path.exists() else ""
    return [int(p) for p in text.split()] if text.endswith("\n") else []


SPAWNS = (
    "import os, subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
    "open({path!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}\\n')\n"
    "print('started', flush=True)\n"
    "time.sleep(600)\n"
)
"""A command that starts a child of its own, writes both pids, prints, and runs on."""


def test_a_command_runs_in_the_sessions_directory_and_its_panel_shows_its_output(
    started: Any, tmp_path: Path
) -> None:
    agent = start(started, "run", cwd=tmp_path, terminals=True)
    lines = "import os\nfor i in range(3): print(f'line {i}', flush=True)\nprint(os.getcwd())"
    failing = "import sys\nprint('to stderr', file=sys.stderr, flush=True)\nsys.exit(3)"
    outside = python("print('never')", cwd=str(tmp_path.parent))
    env = python("import os; print(os.environ['GREETING'])", env={"GREETING": "hi"})
    shell = {"command": "echo one && echo two"}  # no args: a shell command line
    run = agent.prompt(json.dumps([python(lines), python(failing), outside, env, shell]))
    ok, failed, refused, with_env, by_shell = results_of(run)
    assert ok == {
        "exit": 0,
        "signal": None,
        "output": f"line 0\nline 1\nline 2\n{tmp_path}\n",
        "truncated": False,
    }
    assert (failed["exit"], failed["output"]) == (3, "to stderr\n")  # stderr too
    assert "outside the directories" in refused["error"]["message"]
    assert with_env["output"] == "hi\n"
    assert by_shell["output"] == "one\ntwo\n"
    first, second, *_ = run.transcript.tool_calls
    assert first.state == "done"
    assert "line 0\nline 1\nline 2\n" in panel(run, "call_1")
    assert "[term-1: exited with code 0]" in panel(run, "call_1")
    assert second.state == "error"
    assert "to stderr" in panel(run, "call_2")
    assert "[term-2: exited with code 3]" in panel(run, "call_2")


def test_terminals_not_turned_on_are_refused_to_the_agent(started: Any) -> None:
    agent = start(started, "run")
    run = agent.prompt(json.dumps([python("print('never')")]))
    (refused,) = results_of(run)
    assert refused["offered"] is False  # not in the client's capabilities either
    assert "terminals=True" in refused["error"]["message"]


def test_output_over_the_byte_limit_is_truncated_at_a_character_boundary(
    started: Any, tmp_path: Path
) -> None:
    agent = start(started, "run", cwd=tmp_path, terminals=True)
    many = "for i in range(2000): print(f'é€ line {i}', flush=True)"
    big = "import sys\nsys.stdout.write('x' * 99999 + '\\n')"
    run = agent.prompt(json.dumps([python(many, limit=1001), python(big)]))
    limited, whole = results_of(run)
    assert limited["truncated"] is True
    output = limited["output"]
    assert len(output.encode()) <= 1001
    assert "\ufffd" not in output  # cut between characters, never inside one
    assert output.endswith("é€ line 1998\né€ line 1999\n")
    assert (whole["truncated"], len(whole["output"])) == (False, 100000)
    shown = panel(run, "call_2")  # the panel keeps the end, within its own bound
    assert shown.startswith("```text\n[… earlier output not kept]\n")
    assert PANEL_BYTES - 100 < len(shown.encode()) < PANEL_BYTES + 200


def test_the_panel_gets_a_commands_output_in_few_items(started: Any, tmp_path: Path) -> None:
    agent = start(started, "run", cwd=tmp_path, terminals=True)
    # 400 lines written apart (the command works between them): one item a line unthrottled
    paced = "import time\nfor i in range(400):\n    print(i, flush=True)\n    time.sleep(0.002)"
    run = agent.prompt(json.dumps([python(paced)]))
    (paced_result,) = results_of(run)
    assert paced_result["output"] == "".join(f"{i}\n" for i in range(400))
    items = [e for e in run.events if isinstance(e, ToolResult) and e.tool_call_id == "call_1"]
    assert len(items) < 400 // 4, f"{len(items)} items for 400 lines"
    assert items[-1].content.endswith("399\n```\n[term-1: exited with code 0]")


def test_stop_kills_a_running_command_and_what_it_started(started: Any, tmp_path: Path) -> None:
    agent = start(started, "long", cwd=tmp_path, terminals=True)
    pid_file = tmp_path / "pids"
    run = agent.prompt(SPAWNS.format(path=str(pid_file)))
    wait_for(
        lambda: "started" in panel(run, "call_long"),
        "the output live in the panel",
        lambda: panel(run, "call_long"),
    )
    assert "[term-1: running]" in panel(run, "call_long")
    command, child = pids_in(pid_file)
    assert alive(command)
    assert alive(child)
    run.cancel()
    assert run.status == "cancelled"
    wait_for(lambda: not alive(command), f"the command {command} killed on Stop", lambda: "alive")
    wait_for(lambda: not alive(child), f"its child {child} killed with its group", lambda: "alive")
    assert alive(agent.pid)  # the agent obeyed the cancel: only the terminal was killed


def test_close_and_release_kill_the_command(started: Any, tmp_path: Path) -> None:
    agent = start(started, "long", cwd=tmp_path, terminals=True)
    pid_file = tmp_path / "pids"
    run = agent.prompt(SPAWNS.format(path=str(pid_file)))
    wait_for(lambda: pids_in(pid_file), "the command's pids", lambda: run.transcript.to_dict())
    command, child = pids_in(pid_file)
    agent.close()
    assert run.status == "cancelled"
    wait_for(
        lambda: not (alive(command) or alive(child)),
        "the command gone on close()",
        lambda: {"command": alive(command), "child": alive(child)},
    )

    releasing = start(started, "run", cwd=tmp_path, terminals=True)
    pid_file = tmp_path / "released"
    code = SPAWNS.format(path=str(pid_file))
    (released,) = results_of(releasing.prompt(json.dumps([python(code, release=True)])))
    assert "no terminal 'term-1'" in released["released"]["message"]  # forgotten
    command, child = pids_in(pid_file)
    wait_for(
        lambda: not (alive(command) or alive(child)),
        "the released command gone",
        lambda: {"command": alive(command), "child": alive(child)},
    )


def test_a_stray_line_on_the_agents_stdout_is_a_warning_and_the_turn_goes_on(
    started: Any,
) -> None:
    agent = start(started, "stray")
    run = agent.prompt("go")
    transcript = run.wait(PATIENCE)
    assert run.status == "completed", transcript.error
    assert transcript.text == "before after"
    text, array = transcript.warnings
    assert text["error_type"] == array["error_type"] == "stray_output"
    assert text["message"].endswith("not JSON-RPC: Loading model weights... done")
    assert array["message"].endswith("not JSON-RPC: [1, 2]")
    again = agent.prompt("again")  # the session goes on
    assert again.wait(PATIENCE).text == "before after"


def test_the_agents_questions_pause_the_run_with_a_form(started: Any) -> None:
    agent = start(started, "ask")
    run = agent.prompt("go")
    (asked,) = wait_for(lambda: run.pending, "the question in call_q", lambda: run.transcript.text)
    assert asked.tool_call_id == "call_q"
    assert asked.args == {"name": None, "count": 2}  # the form starts from the defaults
    # The pause is listed at once; its status reaches the transcript through the run's reader.
    (call,) = wait_for(
        lambda: [c for c in run.transcript.tool_calls if c.state == "paused"],
        "call_q paused in the transcript",
        lambda: run.transcript.tool_calls,
    )
    assert call.pause is not None
    assert call.pause["schema"]["required"] == ["name"]
    assert call.pause["head"].startswith("The agent asks: Who are you?")
    with pytest.raises(ValueError, match="required: name"):
        run.approve(0, name="")
    run.approve(0, name="Ada", count=3)
    own = wait_for(
        lambda: [p for p in run.pending if p.tool_call_id.startswith("elicitation-")],
        "the question with no call of its own",
        lambda: run.pending,
    )
    run.deny(own[0].tool_call_id)
    transcript = run.wait(PATIENCE)
    assert run.status == "completed", transcript.error
    assert json.loads(transcript.text) == [
        {"action": "accept", "content": {"name": "Ada", "count": 3}},
        {"action": "decline"},
    ]
    first, second = transcript.tool_calls
    assert first.answer == {"action": "run", "edited": False, "reason": "answered"}
    assert (second.name, second.state) == ("Who are you?", "done")
    assert second.answer is not None
    assert second.answer["reason"] == "declined"


def test_stop_kills_the_terminals_of_its_session_only(started: Any, tmp_path: Path) -> None:
    agent = nbagent.acp([sys.executable, EVALAGENT], terminals=True, startup_timeout=PATIENCE)
    started.append(agent)
    mine_file, case_file = tmp_path / "mine.pid", tmp_path / "case.pid"
    mine = agent.prompt(f"terminal {mine_file}")
    (mine_child,) = wait_for(lambda: pids_in(mine_file), "the notebook's command", mine.events)
    ev = nbagent.evaluate(agent, [f"terminal {case_file}"], progress=False)
    (case_child,) = wait_for(lambda: pids_in(case_file), "the case's command", ev.cases)
    case = ev.cases[0]
    assert case.run is not None
    # Each terminal's output in the panel of its own session's run.
    run = case.run
    wait_for(lambda: "mine.pid" in panel(mine, "call_term"), "the notebook's panel", mine.events)
    wait_for(lambda: "case.pid" in panel(run, "call_term"), "the case's panel", run.events)
    assert "case.pid" not in panel(mine, "call_term"), panel(mine, "call_term")
    assert "mine.pid" not in panel(run, "call_term"), panel(run, "call_term")
    ev.cancel()
    ev.wait(PATIENCE)
    assert case.status == "cancelled", case.error
    wait_for(lambda: not alive(case_child), "the case's command killed", ev.cases)
    # The notebook's turn and its command run on.
    assert alive(mine_child)
    assert not mine.done, mine.transcript.to_dict()
    mine.cancel()
    wait_for(lambda: not alive(mine_child), "the notebook's command killed", mine.events)
