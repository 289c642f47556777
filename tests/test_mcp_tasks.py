"""MCP tasks (the ``io.modelcontextprotocol/tasks`` extension): a ``tools/call`` a server
answers with a task (tests/mcp_servers/tasks.py, written with the SDK) is followed to its end
by ``nbagent.mcp(...)`` calls, the inspector's calls and an ``Agent``'s: its status on the
way, its input asked through the question form, Stop and the timeout as ``tasks/cancel``;
and a server whose tasks go wrong ends in a clear error or a skipped snapshot."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp_types import Tool, ToolExecution

import nbagent
from nbagent import McpError, McpServer
from nbagent.agent.agent import Agent
from nbagent.apps.inspector import McpInspector
from nbagent.core.events import Status
from nbagent.mcp_client._catalog import tool_of
from nbagent.mcp_client._tasks import POLL_S, read_task
from tests.mcp_servers import ROOT, call_log, logged
from tests.servers import OpenAIServer, text_chunks
from tests.test_agent import calls_step, client_for, off_loop
from tests.test_mcp_agent_asks import paused_with
from tests.test_mcp_inspector import asked, in_thread
from tests.wait import PATIENCE, wait_for

pytestmark = pytest.mark.mcp

TASKS = [sys.executable, "-m", "tests.mcp_servers.tasks"]


def tasks_server(log: Path, *args: str, timeout_s: float = 30, **kw: Any) -> McpServer:
    return nbagent.mcp([*TASKS, "--log", str(log), *args], cwd=ROOT, timeout_s=timeout_s, **kw)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return call_log(tmp_path)


@pytest.fixture
def server(log: Path) -> Iterator[McpServer]:
    with tasks_server(log) as server:
        yield server


def sent(server: McpServer, method: str) -> list[dict[str, Any]]:
    """The requests of ``method`` nbagent sent, as JSON."""
    out = [json.loads(e["text"]) for e in server.rpc if e["dir"] == "out"]
    return [m for m in out if m.get("method") == method]


def test_a_call_answered_with_a_task_waits_for_the_tasks_result(server: McpServer) -> None:
    assert server.protocol_version == "2026-07-28"
    assert server.tasks  # the server offers the extension
    seen: list[dict[str, Any]] = []
    result = server._wait(
        server._submit(server._conn.call("build", {"steps": 3}, None, seen.append)), None, "build"
    )
    assert result.text == "built in 3 steps"
    task_id = result.task and result.task["id"]
    done = {"id": task_id, "status": "completed", "message": "built"}
    assert result.task == done | {"text": f"task {task_id} · completed: built"}
    assert seen[0]["status"] == "working"
    assert seen[-1] == result.task
    # nbagent declared the extension on the call and followed the task with tasks/get.
    (call,) = sent(server, "tools/call")
    capabilities = call["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"]
    assert "io.modelcontextprotocol/tasks" in capabilities["extensions"]
    assert {m["params"]["taskId"] for m in sent(server, "tasks/get")} == {task_id}
    # A tool answered at once is still a plain result.
    plain = server.call("add", a=2, b=3)
    assert plain.text == "5"
    assert plain.task is None


def test_the_task_tools_need_the_extension_the_legacy_handshake_lacks(log: Path) -> None:
    """On the revisions before 2026-07-28 there are no task results: the server refuses the
    call (-32021), as it refused every client before nbagent declared the extension."""
    with tasks_server(log, protocol="legacy") as server:
        assert not server.tasks
        with pytest.raises(McpError, match="did not declare required extension"):
            server.call("build")


def test_the_status_sequence_reaches_the_transcript(server: McpServer, tmp_path: Path) -> None:
    inspector = McpInspector(server)
    run = inspector.call("build", {"steps": 3})
    t = run.wait(PATIENCE)
    assert t.status == "completed"
    call = t.tool_calls[0]
    assert call.result == "built in 3 steps"
    assert call.meta is not None
    assert call.meta["task"]["status"] == "completed"
    statuses = [e for e in run.events if isinstance(e, Status) and e.tool_call_id == call.id]
    words = [e.text for e in statuses]
    assert words[0] is not None
    assert words[0].startswith(f"task {call.meta['task']['id']} · working")
    assert words[-1] == f"task {call.meta['task']['id']} · completed: built"
    assert [e.detail["task"]["status"] for e in statuses][-1] == "completed"
    # Saved with the run: a reopened notebook shows how the task ended.
    blocks = t.to_dict()["blocks"]
    saved = next(b for b in blocks if b.get("type") == "tool")
    assert saved["meta"]["task"]["status"] == "completed"
    # Its recording (nbagent's JSONL) folds again to the same task.
    run.save(tmp_path / "run.jsonl")
    again = nbagent.Transcript.from_events(nbagent.load(tmp_path / "run.jsonl"))
    assert again.tool_calls[0].meta == call.meta


def test_a_pushed_task_is_followed_by_its_notifications(server: McpServer) -> None:
    """``pushed`` asks to be polled every minute and says each change with
    ``notifications/tasks``: the call ends on them, with no ``tasks/get`` at all."""
    result = server.call("pushed", steps=3)
    assert result.text == "built in 3 steps"
    assert result.task is not None
    assert result.task["status"] == "completed"
    assert sent(server, "tasks/get") == []


def test_notifications_sent_before_the_tasks_handle_are_kept_for_it(server: McpServer) -> None:
    """``early`` says every change, its end too, before the handle reaches nbagent."""
    result = server.call("early", steps=2)
    assert result.text == "built in 2 steps"
    assert sent(server, "tasks/get") == []


def test_a_message_held_back_is_told_without_waiting_for_the_next_poll(server: McpServer) -> None:
    """``burst`` says two steps at once (the second within ``TELL_S`` of the first, so held
    back), then nothing, and asks to be polled every minute: the panel still gets step 2."""
    run = McpInspector(server).call("burst", {})
    wait_for(
        lambda: any(
            isinstance(e, Status) and e.text and e.text.endswith(" · working: step 2 of 2")
            for e in run.events
        ),
        PATIENCE,
        "the held-back message",
    )
    run.cancel()
    assert run.wait(PATIENCE).status == "cancelled"


def test_input_required_is_answered_through_the_question_form(server: McpServer, log: Path) -> None:
    thread, out = in_thread(lambda: server.call("approve", item="the plan"))
    request = asked(server)
    assert request.kind == "elicitation"
    assert request.message == "Approve the plan?"
    assert request.schema is not None
    assert request.schema["required"] == ["name"]
    with pytest.raises(ValueError, match="required: name"):
        server.answer(request, "accept", {})
    server.answer(request, "accept", {"name": "Ada"})
    thread.join(PATIENCE)
    assert out["value"].text == "the plan approved by Ada"
    (update,) = sent(server, "tasks/update")
    assert update["params"]["inputResponses"] == {
        "who": {"action": "accept", "content": {"name": "Ada"}}
    }

    thread, out = in_thread(lambda: server.call("approve", item="the budget"))
    server.answer(asked(server), "decline")
    thread.join(PATIENCE)
    assert out["value"].text == "the budget: declined"
    updates = [line for line in logged(log) if line.startswith("update")]
    assert [line.split()[-1] for line in updates] == ["['who']", "['who']"]  # each asked once


def test_a_tasks_sampling_request_is_answered_or_refused(server: McpServer, log: Path) -> None:
    thread, out = in_thread(lambda: server.call("ask_model", prompt="Say hi"))
    request = asked(server)
    assert request.kind == "sampling"
    assert request.message == "Say hi"
    server.answer(request, "accept", "hi there")
    thread.join(PATIENCE)
    assert out["value"].text == "the model said: hi there"

    # Refused: the call fails saying so, and the task is not left going.
    thread, out = in_thread(lambda: server.call("ask_model", prompt="Say hi"))
    server.answer(asked(server), "decline")
    thread.join(PATIENCE)
    assert "the user declined the sampling request" in str(out["error"])
    assert any(x.startswith("cancel task-ask_model") for x in logged(log))


def test_a_failed_task_raises_with_the_servers_reason(server: McpServer) -> None:
    with pytest.raises(
        McpError, match=r"task task-explode-\d+ failed: the build machine caught fire"
    ):
        server.call("explode")
    assert server.call("add", a=1, b=1).text == "2"  # the connection goes on


def test_stop_sends_tasks_cancel(server: McpServer, log: Path) -> None:
    inspector = McpInspector(server)
    run = inspector.call("forever", {})
    wait_for(lambda: "call forever" in log.read_text(), PATIENCE, "the task to start")
    wait_for(
        lambda: any(
            isinstance(e, Status) and e.text and "still going" in e.text for e in run.events
        ),
        PATIENCE,
        "the task's first status",
    )
    run.cancel()
    assert run.wait(PATIENCE).status == "cancelled"
    wait_for(
        lambda: any(x.startswith("cancel task-forever") for x in logged(log)),
        PATIENCE,
        "tasks/cancel",
    )
    (cancel,) = sent(server, "tasks/cancel")
    assert cancel["params"]["taskId"].startswith("task-forever")


def test_a_task_that_outlives_the_timeout_is_cancelled(log: Path) -> None:
    with tasks_server(log, timeout_s=1) as server:
        with pytest.raises(McpError, match=r"did not end within 1 s \(working\): cancelled it"):
            server.call("forever")
        assert any(x.startswith("cancel task-forever") for x in logged(log))


def test_an_agent_waits_for_a_tasks_result(server: McpServer) -> None:
    with OpenAIServer(
        scripts=[calls_step(("c1", "build", '{"steps": 2}')), text_chunks(["Built."])]
    ) as srv:
        agent = Agent("m", tools=[server], client=client_for(srv))
        t = off_loop(lambda: agent.run("Build it.").wait(PATIENCE))
    assert t.status == "completed"
    call = t.tool_calls[0]
    assert call.result == "built in 2 steps"
    assert call.meta is not None
    assert call.meta["task"]["status"] == "completed"
    assert srv.requests[1]["messages"][-1]["content"] == "built in 2 steps"


def test_stopping_an_agents_run_cancels_its_task(server: McpServer, log: Path) -> None:
    with OpenAIServer(scripts=[calls_step(("c1", "forever", "{}")), text_chunks(["?"])]) as srv:
        agent = Agent("m", tools=[server], client=client_for(srv))
        run = off_loop(lambda: agent.run("Go on forever."))
        call = wait_for(lambda: run.transcript.tool_calls and run.transcript.tool_calls[0])
        wait_for(
            lambda: call.meta and call.meta["task"]["status"] == "working", PATIENCE, "the task"
        )
        run.cancel()
        assert run.wait(PATIENCE).status == "cancelled"
    wait_for(
        lambda: any(x.startswith("cancel task-forever") for x in logged(log)),
        PATIENCE,
        "tasks/cancel",
    )


def test_an_agents_task_asking_for_input_pauses_the_call(server: McpServer) -> None:
    steps = [calls_step(("c1", "approve", '{"item": "the plan"}')), text_chunks(["Done."])]
    with OpenAIServer(scripts=steps) as srv:
        agent = Agent("m", tools=[server], client=client_for(srv))
        run = off_loop(lambda: agent.run("Get it approved."))
        pause = paused_with(run)
        assert pause["head"].startswith("The server asks: Approve the plan? (Accept")
        run.approve(0, name="Grace")
        t = run.wait(PATIENCE)
    assert t.tool_calls[0].result == "the plan approved by Grace"
    assert srv.requests[1]["messages"][-1]["content"] == "the plan approved by Grace"


def test_the_inspector_shows_task_support() -> None:
    """The server's offer (the head line's "tasks") and a tool's own ``taskSupport``, read
    from the SDK's Tool."""
    declared = tool_of(
        Tool(
            name="t",
            input_schema={"type": "object"},
            execution=ToolExecution(task_support="required"),
        )
    )
    assert declared.task_support == "required"
    assert tool_of(Tool(name="u", input_schema={"type": "object"})).task_support is None


def test_the_inspector_head_says_the_server_offers_tasks(server: McpServer) -> None:
    assert McpInspector(server)._server_info()["tasks"] is True


# -- hostile servers ------------------------------------------------------------------------


@pytest.fixture
def hostile(log: Path) -> Iterator[McpServer]:
    with tasks_server(log, "--hostile", timeout_s=30) as server:
        yield server


def test_a_status_no_revision_has_is_skipped(hostile: McpServer) -> None:
    result = hostile.call("odd_status")
    assert result.text == "done after an odd status"
    assert result.task is not None
    assert result.task["status"] == "completed"
    assert result.task["skipped"] == [
        "a task snapshot with 'paused' skipped (not a status of MCP tasks)"
    ]


def test_a_task_without_its_id_is_a_one_line_error(hostile: McpServer) -> None:
    with pytest.raises(McpError) as caught:
        hostile.call("no_id")
    assert str(caught.value) == (
        "tasks: no_id failed: an answer that is not what MCP defines (task.taskId: Field required)"
    )


def test_fields_of_the_wrong_types_are_left_out_or_refused(hostile: McpServer) -> None:
    with pytest.raises(McpError, match="completed without a tool result"):
        hostile.call("bad_types")
    assert hostile.call("odd_status").text == "done after an odd status"


def test_a_task_that_never_ends_ends_at_the_timeout(log: Path) -> None:
    with tasks_server(log, "--hostile", timeout_s=1) as server:
        with pytest.raises(McpError, match="did not end within 1 s"):
            server.call("endless")
        assert any(x.startswith("cancel task-endless") for x in logged(log))


def test_a_flood_of_notifications_is_told_coalesced(hostile: McpServer) -> None:
    seen: list[dict[str, Any]] = []
    call = hostile._conn.call("flood", {}, None, seen.append)
    result = hostile._wait(hostile._submit(call), None, "flood")
    assert result.text == "done after 1,000 notifications"
    assert seen[-1]["status"] == "completed"
    assert len(seen) < 1_000  # a new message of the same status: told at most every 0.1 s
    assert hostile.call("odd_status").task is not None  # the connection goes on


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        (
            {"status": "working", "statusMessage": "half", "pollIntervalMs": 250},
            {"status": "working", "message": "half", "poll_s": 0.25},
        ),
        (
            {"status": "working", "statusMessage": ["x"], "pollIntervalMs": "soon"},
            {"status": "working"},
        ),
        ({"status": "working", "pollIntervalMs": True}, {"status": "working"}),
        ({"status": "working", "pollIntervalMs": float("nan")}, {"status": "working"}),
        ({"status": "working", "pollIntervalMs": 0}, {"status": "working", "poll_s": POLL_S[0]}),
        ({"status": "working", "pollIntervalMs": 1e12}, {"status": "working", "poll_s": POLL_S[1]}),
        (
            {"status": "working", "statusMessage": "x" * 10_000},
            {"status": "working", "message": "x" * 2000},
        ),
        ({"status": "failed", "error": {"code": 1}}, {"status": "failed", "error": {"code": 1}}),
        ({"status": "PAUSED"}, "a task snapshot with 'PAUSED' skipped (not a status of MCP tasks)"),
        ({}, "a task snapshot with no status skipped (not a status of MCP tasks)"),
        ([1, 2], "a task snapshot that is not an object (list)"),
    ],
)
def test_a_task_snapshot_is_read_field_by_field(raw: Any, read: Any) -> None:
    assert read_task(raw) == read
