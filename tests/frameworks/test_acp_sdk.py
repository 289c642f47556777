"""ACP from the real ``agent-client-protocol`` SDK (0.12): session updates built with its own
helpers and models (``acp.session_notification``, ``acp.start_tool_call``,
``acp.update_tool_call``, ``acp.tool_diff_content``…) and its ``PromptResponse``, read by the
``acp`` adapter as objects and as the JSON the SDK writes on the wire."""

from __future__ import annotations

import json
from typing import Any

from nbagent.adapters import adapter_for, detect_format
from nbagent.core.events import Event, RunEnd, RunStart, State, ToolResult, Usage
from nbagent.transcript.transcript import Transcript
from tests.adapter_harness import fold
from tests.frameworks.conftest import need

acp = need("acp")

from acp.schema import (  # noqa: E402 - after need()
    Cost,
    CurrentModeUpdate,
    PromptResponse,
    SessionInfoUpdate,
    UsageUpdate,
)
from acp.schema import Usage as AcpUsage  # noqa: E402

SESSION = "sess_sdk"


def turn() -> list[Any]:
    """One prompt turn as an agent built on the SDK sends it, then the prompt's response."""
    updates: list[Any] = [
        acp.update_user_message_text("Fix the parser"),
        acp.update_agent_thought_text("It parses ints."),
        acp.update_agent_message_text("Editing clean.py."),
        acp.start_tool_call(
            "call_1", "Edit clean.py", kind="edit", status="pending", raw_input={"path": "/p/c.py"}
        ),
        acp.update_tool_call("call_1", status="in_progress"),
        acp.update_tool_call(
            "call_1",
            status="completed",
            content=[acp.tool_diff_content("/p/c.py", "return float(x)\n", "return int(x)\n")],
        ),
        acp.start_tool_call("call_2", "pytest", kind="execute", status="in_progress"),
        acp.update_tool_call(
            "call_2",
            status="failed",
            content=[acp.tool_content(acp.text_block("1 failed"))],
            raw_output={"exit_code": 1},
        ),
        acp.update_plan([acp.plan_entry("Fix the parser", priority="high", status="completed")]),
        CurrentModeUpdate(session_update="current_mode_update", current_mode_id="code"),
        SessionInfoUpdate(session_update="session_info_update", title="Parser fix"),
        UsageUpdate(
            session_update="usage_update",
            used=1000,
            size=200000,
            cost=Cost(amount=0.01, currency="USD"),
        ),
        acp.update_agent_message(acp.image_block("iVBORw0KGgo=", "image/png")),
    ]
    notes: list[Any] = [acp.session_notification(SESSION, u) for u in updates]
    usage = AcpUsage(input_tokens=100, output_tokens=20, total_tokens=120)
    return [*notes, PromptResponse(stop_reason="end_turn", usage=usage)]


def wire(item: Any) -> str:
    return json.dumps(item.model_dump(mode="json", by_alias=True, exclude_none=True))


def events_of(items: list[Any]) -> list[Event]:
    """The pipeline without I/O, its clock fixed (the format detected from the first item)."""
    return fold(adapter_for(detect_format(items[0])), items)[1]


def test_sdk_objects_are_detected_and_read() -> None:
    items = turn()
    assert detect_format(items[0]) == "acp"
    events = events_of(items)
    start = next(e for e in events if isinstance(e, RunStart))
    assert start.thread_id == SESSION
    t = Transcript.from_events(events)
    state = t.to_dict()
    assert t.text == "Editing clean.py.\n\n[image: image/png]"  # a tool call between
    assert t.thinking == "It parses ints."
    tools = {b["id"]: b for b in state["blocks"] if b["type"] == "tool"}
    assert tools["call_1"]["name"] == "Edit clean.py"
    assert tools["call_1"]["args"] == {"path": "/p/c.py"}
    assert tools["call_1"]["state"] == "done"
    assert "-return int(x)\n+return float(x)" in tools["call_1"]["result"]
    assert (tools["call_2"]["state"], tools["call_2"]["result"]) == ("error", "1 failed")
    assert state["usage"]["input_tokens"] == 100
    assert state["cost_usd"] == 0.01
    end = events[-1]
    assert isinstance(end, RunEnd)
    assert (end.reason, end.raw_reason) == ("completed", "end_turn")
    assert any(isinstance(e, State) and e.activity_type == "plan" for e in events)
    failed = [e for e in events if isinstance(e, ToolResult) and e.is_error]
    assert failed[0].meta is not None
    assert failed[0].meta["raw_output"] == {"exit_code": 1}
    context = [e for e in events if isinstance(e, Usage) and e.meta]
    assert context[0].meta == {
        "context_used": 1000,
        "context_size": 200000,
        "cost_scope": "session",
    }


def test_wire_json_reads_as_the_objects() -> None:
    items = turn()
    by_objects = Transcript.from_events(events_of(items)).to_dict()
    by_wire = Transcript.from_events(events_of([wire(i) for i in items])).to_dict()
    for state in (by_objects, by_wire):
        for key in ("run_id", "started_at", "first_token_at", "ended_at"):
            state.pop(key, None)
    assert by_wire == by_objects


def test_prompt_response_stop_reasons() -> None:
    first = acp.session_notification(SESSION, acp.update_agent_message_text("x"))
    for stop, reason in [("max_tokens", "max_tokens"), ("cancelled", "cancelled")]:
        events = events_of([first, PromptResponse(stop_reason=stop)])
        end = events[-1]
        assert isinstance(end, RunEnd)
        assert end.reason == reason
