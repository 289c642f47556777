"""AG-UI 1.0 streams made of the ``ag-ui-protocol`` SDK's own objects: interrupts (one tied to
a tool call, one not), activities (snapshots and JSON Patch deltas, one patch that does not
apply), encrypted reasoning, ``metadata``. Their JSON lines (``model_dump_json(by_alias=True,
exclude_none=True)``, as the SDK's encoder writes them) are the fixtures
``tests/fixtures/ag-ui/{interrupt_v1,activity,encrypted_reasoning}.jsonl``; run this module to
write them again (``tests/frameworks/test_ag_ui_v1.py`` checks they are what it makes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ag_ui.core import (
    ActivityDeltaEvent,
    ActivitySnapshotEvent,
    Interrupt,
    ReasoningEncryptedValueEvent,
    ReasoningEndEvent,
    ReasoningMessageContentEvent,
    ReasoningMessageEndEvent,
    ReasoningMessageStartEvent,
    ReasoningStartEvent,
    RunFinishedEvent,
    RunFinishedInterruptOutcome,
    RunFinishedSuccessOutcome,
    RunStartedEvent,
    TextMessageContentEvent,
    TextMessageEndEvent,
    TextMessageStartEvent,
    ToolCallArgsEvent,
    ToolCallEndEvent,
    ToolCallResultEvent,
    ToolCallStartEvent,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ag-ui"

SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "nights": {"type": "integer"},
        "class": {"enum": ["economy", "business"]},
        "refundable": {"type": "boolean"},
    },
    "required": ["city"],
}


def interrupt_v1() -> list[Any]:
    """A run that asks to approve a tool call and, apart from any call, for a booking's
    details: ``RUN_FINISHED`` with the ``interrupt`` outcome and two interrupts."""
    return [
        RunStartedEvent(thread_id="t9", run_id="r9", metadata={"tenant": "acme"}),
        TextMessageStartEvent(message_id="m1", role="assistant"),
        TextMessageContentEvent(message_id="m1", delta="I need two answers."),
        TextMessageEndEvent(message_id="m1"),
        ToolCallStartEvent(
            tool_call_id="c1", tool_call_name="cancel_booking", parent_message_id="m1"
        ),
        ToolCallArgsEvent(tool_call_id="c1", delta='{"booking": "B-7"}'),
        ToolCallEndEvent(tool_call_id="c1"),
        RunFinishedEvent(
            thread_id="t9",
            run_id="r9",
            outcome=RunFinishedInterruptOutcome(
                interrupts=[
                    Interrupt(
                        id="i-approve",
                        reason="tool_approval",
                        message="Cancel booking B-7?",
                        tool_call_id="c1",
                        response_schema={
                            "type": "object",
                            "properties": {"approved": {"type": "boolean"}},
                            "required": ["approved"],
                        },
                    ),
                    Interrupt(
                        id="i-details",
                        reason="input_required",
                        message="Where to, and for how many nights?",
                        response_schema=SCHEMA,
                        expires_at="2026-12-01T12:00:00Z",
                        metadata={"form": "booking"},
                    ),
                ]
            ),
        ),
    ]


def activity() -> list[Any]:
    """Two activities: a search whose progress deltas apply, and a plan whose second patch
    does not (a ``test`` that fails): that one stops there, the run goes on."""
    return [
        RunStartedEvent(thread_id="t8", run_id="r8"),
        ActivitySnapshotEvent(
            message_id="a1",
            activity_type="SEARCH",
            content={"query": "flights to Lisbon", "found": 0, "sources": []},
            metadata={"widget": "search-card"},
        ),
        ActivityDeltaEvent(
            message_id="a1",
            activity_type="SEARCH",
            patch=[
                {"op": "replace", "path": "/found", "value": 3},
                {"op": "add", "path": "/sources/-", "value": "tap.pt"},
            ],
        ),
        ActivitySnapshotEvent(
            message_id="a2", activity_type="PLAN", content={"steps": ["search", "book"]}
        ),
        ActivityDeltaEvent(
            message_id="a2",
            activity_type="PLAN",
            patch=[{"op": "test", "path": "/steps/0", "value": "pay"}],
        ),
        ActivityDeltaEvent(
            message_id="a2",
            activity_type="PLAN",
            patch=[{"op": "add", "path": "/steps/-", "value": "pay"}],
        ),
        ActivityDeltaEvent(
            message_id="a1",
            activity_type="SEARCH",
            patch=[{"op": "add", "path": "/done", "value": True}],
        ),
        TextMessageStartEvent(message_id="m1", role="assistant"),
        TextMessageContentEvent(message_id="m1", delta="Found 3 flights."),
        TextMessageEndEvent(message_id="m1"),
        RunFinishedEvent(thread_id="t8", run_id="r8", outcome=RunFinishedSuccessOutcome()),
    ]


def encrypted_reasoning() -> list[Any]:
    """Reasoning whose encrypted value comes after its message ended, a tool call's
    encrypted reasoning, and reasoning that came only encrypted."""
    return [
        RunStartedEvent(thread_id="t7", run_id="r7"),
        ReasoningStartEvent(message_id="rs1"),
        ReasoningMessageStartEvent(message_id="th1", role="reasoning"),
        ReasoningMessageContentEvent(message_id="th1", delta="Compare the fares."),
        ReasoningMessageEndEvent(message_id="th1"),
        ReasoningEncryptedValueEvent(subtype="message", entity_id="th1", encrypted_value="gAAA1"),
        ReasoningEndEvent(message_id="rs1"),
        ToolCallStartEvent(tool_call_id="c1", tool_call_name="search"),
        ToolCallArgsEvent(tool_call_id="c1", delta="{}"),
        ToolCallEndEvent(tool_call_id="c1"),
        ReasoningEncryptedValueEvent(subtype="tool-call", entity_id="c1", encrypted_value="gAAA2"),
        ToolCallResultEvent(message_id="m0", tool_call_id="c1", content="2 fares"),
        ReasoningEncryptedValueEvent(subtype="message", entity_id="th2", encrypted_value="gAAA3"),
        TextMessageStartEvent(message_id="m1", role="assistant"),
        TextMessageContentEvent(message_id="m1", delta="Done."),
        TextMessageEndEvent(message_id="m1"),
        RunFinishedEvent(thread_id="t7", run_id="r7"),
    ]


STREAMS = {
    "interrupt_v1": interrupt_v1,
    "activity": activity,
    "encrypted_reasoning": encrypted_reasoning,
}


def jsonl(name: str) -> str:
    """The fixture's text: one event per line, as the SDK serializes it."""
    events = STREAMS[name]()
    return "".join(e.model_dump_json(by_alias=True, exclude_none=True) + "\n" for e in events)


if __name__ == "__main__":
    for name in STREAMS:
        (FIXTURES / f"{name}.jsonl").write_text(jsonl(name))
