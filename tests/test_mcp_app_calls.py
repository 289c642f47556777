"""An MCP app's own tool calls on the kernel's side (nbagent/mcp_client/_app_calls.py), against
the SDK's test server (tests/mcp_servers/apps.py): the page's ``app_call`` pauses for the
author unless the server's ``app_calls`` policy lets it run, the answer (Run, edited, Deny)
goes back to the app as ``app_result``, each call is recorded under the owning call's block,
a Stop refuses the calls waiting, and a viewer's page cannot make one."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import nbagent
from nbagent import McpServer
from nbagent.agent.agent import Agent
from nbagent.agent.run import AgentRun
from nbagent.agent.tool_runner import pause_names
from nbagent.core.events import ToolCallStart, ToolResult
from nbagent.mcp_client._app_calls import AppCalls
from nbagent.runtime.run import Run
from nbagent.widget.audience import VIEWER_MESSAGES
from tests.mcp_servers import ROOT, call_log, logged
from tests.mcp_servers.apps import APP_HTML
from tests.recording import RecordingComm
from tests.servers import OpenAIServer, text_chunks
from tests.test_agent import calls_step, client_for, off_loop
from tests.wait import PATIENCE, wait_for

pytestmark = pytest.mark.mcp

APPS = [sys.executable, "-m", "tests.mcp_servers.apps"]


def _server(tmp_path: Path, app_calls: Any = "ask") -> McpServer:
    if not APP_HTML.is_file():
        pytest.fail(f"{APP_HTML} is missing: `make tests/mcp_apps/dist/app.html`", pytrace=False)
    log = call_log(tmp_path)
    s = nbagent.mcp([*APPS, "--log", str(log)], cwd=ROOT, timeout_s=30, app_calls=app_calls)
    s.test_log = log  # type: ignore[attr-defined]
    return s


@pytest.fixture
def server(tmp_path: Path) -> Iterator[McpServer]:
    with _server(tmp_path) as s:
        yield s


def _started(agent: Agent, prompt: str, pause_before: list[str] | None = None) -> AgentRun:
    """The agent's run with a widget of its own (recorded), started outside a kernel."""
    session = agent.session(prompt)
    session.pause_before = pause_names(pause_before or (), agent.tools_by_name, True)
    run = AgentRun(session, display=True)
    run.start()
    return run


def _ended_run(server: McpServer, **kw: Any) -> AgentRun:
    """A run whose call ``c1`` charted (its app owns the app calls), ended."""
    steps = [calls_step(("c1", "chart", '{"values": [1, 2]}')), text_chunks(["Charted."])]
    with OpenAIServer(scripts=steps) as srv:
        agent = Agent("m", tools=[server], client=client_for(srv))
        run = off_loop(lambda: _started(agent, "Chart.", **kw))
        assert run.wait(PATIENCE).status == "completed"
    return run


def _ask(run: Run, request: int | str, name: str, **arguments: Any) -> None:
    run.handle_message(
        {"type": "app_call", "id": "c1", "request": request, "name": name, "arguments": arguments}
    )


def _answer(run: AgentRun, request: int) -> dict[str, Any]:
    """The answer the app is posted for ``request``, as the page reads it: from the owning
    call's block in the state sent to the page (its record's ``answer``)."""

    def sent() -> dict[str, Any] | None:
        blocks = run.transcript.to_dict()["blocks"]
        owner = next(b for b in blocks if b.get("id") == "c1")
        found = [r for r in owner.get("reruns", []) if r.get("request") == request]
        return found[0].get("answer") if found else None

    return wait_for(sent, what=f"the answer to request {request}")


def _calls(run: AgentRun) -> AppCalls:
    calls = run.app_calls
    assert isinstance(calls, AppCalls)
    return calls


def _records(run: AgentRun) -> list[dict[str, Any]]:
    return [r for r in run.transcript.tool_calls[0].reruns if r.get("by") == "app"]


def _saved_results(run: AgentRun) -> list[Any]:
    """The results of the app calls in the state saved with the notebook, once one has any."""
    saved = run.widget.snapshot["state"]  # type: ignore[union-attr]
    owner = next(b for b in saved["blocks"] if b.get("id") == "c1")
    results = [r.get("result") for r in owner["reruns"] if r.get("by") == "app"]
    return results if any(r is not None for r in results) else []


def test_an_app_call_pauses_then_runs_when_approved(
    server: McpServer, comms: list[RecordingComm]
) -> None:
    run = _ended_run(server)
    _ask(run, 1, "bump", by=3)
    pending = wait_for(lambda: _calls(run).pending, what="the paused app call")
    assert [(c.name, c.arguments) for c in pending] == [("bump", {"by": 3})]
    assert _records(run)[0]["state"] == "paused"
    assert "result" not in _records(run)[0]  # none shown while it waits
    assert "bump 3" not in logged(server.test_log)  # type: ignore[attr-defined]
    assert _calls(run).answer(1, "run")
    answer = _answer(run, 1)
    assert answer["result"]["content"][0]["text"] == "bumped by 3"
    assert answer["result"]["isError"] is False
    record = _records(run)[0]
    assert (record["name"], record["state"], record["result"]) == ("bump", "done", "bumped by 3")
    # Shown as the app's call of bump, copied as one (not as a Re-run of the owning chart).
    assert record["label"] == "bump, called by the app"
    assert record["call_as"] == 'server.call("bump", {args})'
    # Saved with the notebook too: the saved state follows the record (``run.save_state``
    # after it, on nbagent's loop), so a loaded machine may show the record first.
    assert wait_for(lambda: _saved_results(run), what="the app call's result saved") == [
        "bumped by 3"
    ]


def test_edited_arguments_run_and_are_checked(
    server: McpServer, comms: list[RecordingComm]
) -> None:
    run = _ended_run(server)
    _ask(run, 2, "bump", by=1)
    wait_for(lambda: _calls(run).pending)
    with pytest.raises(ValueError, match="must be an object"):
        _calls(run).answer(2, "run", args=[5])  # type: ignore[arg-type]
    assert _calls(run).answer(2, "run", args={"by": 5})
    assert _answer(run, 2)["result"]["content"][0]["text"] == "bumped by 5"
    assert _records(run)[0]["args"] == {"by": 5}


def test_a_denied_call_tells_the_app_why(server: McpServer, comms: list[RecordingComm]) -> None:
    run = _ended_run(server)
    _ask(run, 3, "bump")
    wait_for(lambda: _calls(run).pending)
    run.handle_message(
        {"type": "app_call_answer", "id": "c1", "request": 3, "action": "deny", "reason": "no"}
    )
    result = _answer(run, 3)["result"]
    assert result["isError"] is True
    assert result["content"][0]["text"] == "The call was denied: no"
    assert _records(run)[0]["state"] == "denied"
    assert "bump" not in " ".join(logged(server.test_log))  # type: ignore[attr-defined]


def test_read_only_policy_runs_read_only_tools_at_once(
    tmp_path: Path, comms: list[RecordingComm]
) -> None:
    with _server(tmp_path, "read_only") as server:
        run = _ended_run(server)
        _ask(run, 4, "peek", key="k")
        assert _answer(run, 4)["result"]["content"][0]["text"] == "k is 7"
        _ask(run, 5, "bump")  # not read-only: it pauses
        assert [c.name for c in wait_for(lambda: _calls(run).pending)] == ["bump"]


def test_pause_before_pauses_even_a_read_only_call(
    tmp_path: Path, comms: list[RecordingComm]
) -> None:
    with _server(tmp_path, "read_only") as server:
        run = _ended_run(server, pause_before=["peek"])
        _ask(run, 6, "peek")
        assert [c.name for c in wait_for(lambda: _calls(run).pending)] == ["peek"]


def test_a_hint_in_pause_before_pauses_a_tool_only_the_app_calls(
    tmp_path: Path, comms: list[RecordingComm]
) -> None:
    """``total`` is read-only and the app's only (the model never sees it): the read-only
    policy runs it at once, unless ``pause_before`` names its hint."""
    with _server(tmp_path, "read_only") as server:
        assert "total" not in {t.name for t in server.agent_tools()}
        run = _ended_run(server)
        _ask(run, 9, "total")
        assert _answer(run, 9)["result"]["content"][0]["text"] == "total is 7"
        run = _ended_run(server, pause_before=["read_only"])
        _ask(run, 10, "total")
        assert [c.name for c in wait_for(lambda: _calls(run).pending)] == ["total"]
        assert logged(server.test_log).count("total") == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("owner", "name", "arguments", "why"),
    [
        ("c1", "nothing", {}, "has no tool 'nothing'"),
        ("c1", "secret", {}, "not visible to apps"),
        ("c1", "bump", [1], "must be an object"),
        ("c1", "x" * 200, {}, "params.name"),
    ],
)
def test_a_refused_call_is_a_one_line_error(
    server: McpServer, comms: list[RecordingComm], owner: str, name: str, arguments: Any, why: str
) -> None:
    run = _ended_run(server)
    run.handle_message(
        {"type": "app_call", "id": owner, "request": 7, "name": name, "arguments": arguments}
    )
    answer = _answer(run, 7)
    assert why in answer["error"]["message"]
    assert "\n" not in answer["error"]["message"]
    assert _calls(run).pending == []


def test_a_call_of_no_call_in_the_run_is_dropped(
    server: McpServer, comms: list[RecordingComm]
) -> None:
    run = _ended_run(server)
    run.handle_message({"type": "app_call", "id": "c9", "request": 9, "name": "bump"})
    run.handle_message({"type": "app_call", "id": "c1", "request": 10, "name": "bump"})
    wait_for(lambda: _calls(run).pending)  # the next message was read: the first is gone
    assert [r["request"] for r in _records(run)] == [10]


def test_stop_refuses_the_calls_waiting(server: McpServer, comms: list[RecordingComm]) -> None:
    steps = [
        calls_step(("c1", "chart", '{"values": [1]}')),
        calls_step(("c2", "peek", "{}")),
        text_chunks(["Done."]),
    ]
    with OpenAIServer(scripts=steps) as srv:
        agent = Agent("m", tools=[server], client=client_for(srv))
        run = off_loop(lambda: _started(agent, "Go.", ["peek"]))
        wait_for(lambda: run.pauses.pending, what="the model's paused call")
        _ask(run, 8, "bump")
        wait_for(lambda: _calls(run).pending, what="the paused app call")
        run.cancel()
        result = _answer(run, 8)["result"]
    assert result["isError"] is True
    assert "stopped" in result["content"][0]["text"]
    assert _calls(run).pending == []


def test_a_run_nbagent_cannot_call_for_refuses_its_apps_calls() -> None:
    """A replayed run (or a framework's) shows its calls' apps but cannot call their server:
    an app's call is answered at once with why, never left waiting."""
    events = [
        ToolCallStart(
            tool_call_id="c1", name="chart", meta={"app": {"uri": "ui://chart/app.html"}}
        ),
        ToolResult(tool_call_id="c1", content="1 values, total 4"),
    ]
    run = Run(events, display=False)
    run.start()
    assert run.wait(PATIENCE).status == "completed"
    assert run.app_calls is None
    _ask(run, 11, "bump", by=2)
    _ask(run, "x" * 200, "bump")  # no id the app could be answered under: dropped
    [record] = run.transcript.tool_calls[0].reruns
    assert (record["name"], record["state"]) == ("bump", "refused")
    assert "nbagent reaches no server of this run" in record["answer"]["error"]["message"]


def test_a_viewers_page_cannot_make_one() -> None:
    assert "app_call" not in VIEWER_MESSAGES
    assert "app_call_answer" not in VIEWER_MESSAGES


def test_app_calls_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="app_calls"):
        _server(tmp_path, "always")


def test_the_inspectors_call_has_its_app_call_too(server: McpServer) -> None:
    from nbagent.apps.inspector import McpInspector

    run = McpInspector(server).call("chart", {"values": [2]})
    assert run.wait(PATIENCE).status == "completed"
    owner = run.transcript.tool_calls[0].id
    run.handle_message({"type": "app_call", "id": owner, "request": "r", "name": "bump"})
    calls = run.app_calls
    assert isinstance(calls, AppCalls)
    assert [c.name for c in wait_for(lambda: calls.pending)] == ["bump"]
    assert calls.answer("r", "run")

    def answer() -> Any:
        records = run.transcript.tool_calls[0].reruns
        return records[0].get("answer") if records else None

    assert wait_for(answer)["result"]["content"][0]["text"] == "bumped by 1"
