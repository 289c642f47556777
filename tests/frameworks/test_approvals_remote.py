"""Approval requests of remote agents (the Vercel AI SDK's UI stream, AG-UI interrupts,
Dexto's ``approval:request``) pause the call they name, with no actions (the answer goes to
the server from its own client) and the hint of how to answer. AG-UI's events are built with
its real SDK (``ag_ui``); the others are recorded streams (``tests/fixtures``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.frameworks.conftest import need

need("ag_ui")

from ag_ui.core import (  # noqa: E402
    Interrupt,
    RunFinishedEvent,
    RunFinishedInterruptOutcome,
    RunStartedEvent,
    ToolCallArgsEvent,
    ToolCallEndEvent,
    ToolCallStartEvent,
)

import nbagent  # noqa: E402
from nbagent.core.events import Event, Status  # noqa: E402

FIXTURES = Path(__file__).parent.parent / "fixtures"


def paused(events: list[Event]) -> tuple[Status, dict[str, Any]]:
    (status,) = [e for e in events if isinstance(e, Status) and e.state == "awaiting_approval"]
    t = nbagent.Transcript.from_events(events)
    (block,) = [b for b in t.to_dict()["blocks"] if b["id"] == status.tool_call_id]
    # The stream ended waiting for that answer: the call still waits, its panel shows the hint.
    assert t.status != "cancelled"
    assert block["state"] == "paused"
    assert block["pause"]["hint"] == status.detail["hint"]
    return status, block


def test_vercel_ui_tool_approval_request() -> None:
    lines = (FIXTURES / "vercel-ui" / "tool_approval.jsonl").read_text().splitlines()
    events = list(nbagent.iter_events([json.loads(ln) for ln in lines], format="vercel-ui"))
    status, block = paused(events)
    assert (status.tool_call_id, block["name"], block["args"]) == (
        "call_del",
        "deleteFile",
        {"path": "a.txt"},
    )
    detail = status.detail
    assert (detail["actions"], detail["origin"], detail["approval_id"]) == (
        [],
        "vercel-ui",
        "appr_1",
    )
    assert 'addToolApprovalResponse({ id: "appr_1", approved: true })' in detail["hint"]


def test_ag_ui_interrupt_on_a_tool_call() -> None:
    interrupt = Interrupt(
        id="int_1",
        reason="tool_approval",
        message="Delete a.txt?",
        tool_call_id="tc_1",
        response_schema={"type": "object", "properties": {"approved": {"type": "boolean"}}},
    )
    items = [
        RunStartedEvent(thread_id="th_9", run_id="r1"),
        ToolCallStartEvent(tool_call_id="tc_1", tool_call_name="delete_file"),
        ToolCallArgsEvent(tool_call_id="tc_1", delta='{"path": "a.txt"}'),
        ToolCallEndEvent(tool_call_id="tc_1"),
        RunFinishedEvent(
            thread_id="th_9",
            run_id="r1",
            outcome=RunFinishedInterruptOutcome(type="interrupt", interrupts=[interrupt]),
        ),
    ]
    events = list(nbagent.iter_events(items))
    status, block = paused(events)
    assert (status.tool_call_id, block["name"]) == ("tc_1", "delete_file")
    detail = status.detail
    assert (detail["actions"], detail["origin"], detail["interrupt_id"]) == ([], "ag-ui", "int_1")
    assert detail["message"] == "Delete a.txt?"
    assert detail["response_schema"]["properties"] == {"approved": {"type": "boolean"}}
    assert '"threadId": "th_9"' in detail["hint"]
    # the answer goes back as the interrupt's resume entry (resume_entries names its id)
    assert 'resume_entries(run.transcript, {"int_1": answer})' in detail["hint"]
    assert nbagent.Transcript.from_events(events).end_reason == "interrupted"


def test_dexto_approval_request_names_its_call() -> None:
    events = list(nbagent.iter_events(nbagent.sse_file(FIXTURES / "dexto" / "approval.sse")))
    status, block = paused(events)
    assert (status.tool_call_id, block["name"]) == ("call_7", "delete_file")
    detail = status.detail
    assert (detail["actions"], detail["origin"]) == ([], "dexto")
    assert '"ap_1"' in detail["hint"]
