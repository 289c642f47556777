"""The acp adapter's nbagent items (``_nbagent/terminal``, ``_nbagent/status``,
``_nbagent/warning``: what ``nbagent.acp``'s client puts in a turn beside the agent's updates),
through adapter → Normalizer → Transcript, with no process."""

from __future__ import annotations

from typing import Any

from nbagent.adapters.acp import AcpAdapter
from nbagent.adapters.acp.content import terminal_text
from nbagent.core.events import Status, ToolResult
from tests.adapter_harness import transcript_of

SESSION = "sess-1"


def update(**fields: Any) -> dict[str, Any]:
    return {"sessionId": SESSION, "update": fields}


def terminal(output: str, exit_code: int | None = None, **fields: Any) -> dict[str, Any]:
    status = None if exit_code is None else {"exitCode": exit_code, "signal": None}
    return update(
        sessionUpdate="_nbagent/terminal",
        terminalId="term-1",
        output=output,
        truncated=False,
        exitStatus=status,
        **fields,
    )


def shows_terminal(call_id: str, **fields: Any) -> dict[str, Any]:
    content = [{"type": "terminal", "terminalId": "term-1"}]
    return update(
        sessionUpdate="tool_call", toolCallId=call_id, title="Run", content=content, **fields
    )


END = {"stopReason": "end_turn"}


def test_a_terminals_output_replaces_its_mention_in_the_panel_as_it_comes() -> None:
    items = [
        shows_terminal("call_1", kind="execute", status="in_progress"),
        terminal("one\n"),
        terminal("one\ntwo\n"),
        terminal("one\ntwo\n", exit_code=0),
        update(sessionUpdate="tool_call_update", toolCallId="call_1", status="completed"),
        END,
    ]
    transcript, events = transcript_of(AcpAdapter(), items)
    results = [e for e in events if isinstance(e, ToolResult)]
    assert [r.preliminary for r in results] == [True, True, True, True, False]
    assert results[0].content == "[terminal: term-1]"  # before any output came
    assert results[1].content == "```text\none\n```\n[term-1: running]"
    (call,) = transcript.tool_calls
    assert call.state == "done"
    assert call.result == "```text\none\ntwo\n```\n[term-1: exited with code 0]"


def test_output_that_came_before_the_call_showed_the_terminal_is_kept_for_it() -> None:
    items = [terminal("early\n", exit_code=2), shows_terminal("call_1", status="failed"), END]
    transcript, _ = transcript_of(AcpAdapter(), items)
    (call,) = transcript.tool_calls
    assert (call.state, call.is_error) == ("error", True)
    assert call.result == "```text\nearly\n```\n[term-1: exited with code 2]"


def test_a_terminals_text_keeps_its_fence_shut_and_says_how_it_ended() -> None:
    fenced = terminal_text({"terminalId": "t", "output": "a ``` b\n", "truncated": True})
    assert fenced == "````text\n[… earlier output not kept]\na ``` b\n````\n[t: running]"
    killed = {
        "terminalId": "t",
        "output": "",
        "exitStatus": {"exitCode": None, "signal": "SIGKILL"},
    }
    assert terminal_text(killed) == "[t: killed by SIGKILL, no output]"


def test_a_status_item_pauses_a_call_even_one_never_announced() -> None:
    detail = {"actions": ["run", "deny", "dismiss"], "schema": {"type": "object"}, "head": "Q?"}
    items = [
        update(
            sessionUpdate="_nbagent/status",
            toolCallId="q1",
            state="awaiting_approval",
            detail=detail,
        ),
        update(
            sessionUpdate="_nbagent/status",
            toolCallId="q1",
            state="approval_answered",
            detail={"action": "deny", "reason": "declined"},
        ),
        END,
    ]
    transcript, events = transcript_of(AcpAdapter(), items)
    assert [e.state for e in events if isinstance(e, Status)] == [
        "awaiting_approval",
        "approval_answered",
    ]
    (call,) = transcript.tool_calls
    assert call.id == "q1"
    assert call.answer == {"action": "deny", "edited": False, "reason": "declined"}


def test_a_warning_item_is_a_warning_and_the_turn_goes_on() -> None:
    said = "the agent wrote a line on stdout that is not JSON-RPC: hello"
    items = [
        update(sessionUpdate="agent_message_chunk", content={"type": "text", "text": "a"}),
        update(sessionUpdate="_nbagent/warning", message=said),
        update(sessionUpdate="agent_message_chunk", content={"type": "text", "text": "b"}),
        END,
    ]
    transcript, _ = transcript_of(AcpAdapter(), items)
    assert transcript.text == "ab"
    assert transcript.status == "completed"
    assert transcript.warnings == [{"message": said, "error_type": "stray_output", "code": None}]
    kind = "session_close_failed"
    items[1] = update(sessionUpdate="_nbagent/warning", message="no close", errorType=kind)
    transcript, _ = transcript_of(AcpAdapter(), items)
    assert transcript.warnings == [{"message": "no close", "error_type": kind, "code": None}]
