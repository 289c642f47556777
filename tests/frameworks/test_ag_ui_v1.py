"""AG-UI 1.0's interrupts, activities, encrypted reasoning and metadata, from the
``ag-ui-protocol`` SDK's own objects (``ag_ui_v1_streams``): the fixtures are what the SDK
serializes; its objects fold as the fixtures do; the answers to an interrupted run are
``resume`` entries the SDK's ``RunAgentInput`` takes; the saved state keeps it all, and the
exports show it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.frameworks.conftest import need

need("ag_ui")

from ag_ui.core import (  # noqa: E402
    Interrupt,
    ReasoningStartEvent,
    ResumeEntry,
    RunAgentInput,
    RunFinishedEvent,
    RunFinishedInterruptOutcome,
    RunStartedEvent,
    SubagentStartedEvent,
)

from nbagent.adapters.ag_ui import (  # noqa: E402
    AgUiAdapter,
    check_answer,
    pending_interrupts,
    resume_entries,
)
from nbagent.core.events import Custom  # noqa: E402
from nbagent.transcript.transcript import Transcript  # noqa: E402
from nbagent.widget.chunks import mentions_tools  # noqa: E402
from tests.adapter_harness import fold  # noqa: E402
from tests.frameworks.ag_ui_v1_streams import FIXTURES, STREAMS, jsonl  # noqa: E402
from tests.test_adapter_ag_ui import expected, summary  # noqa: E402

BEFORE = dt.datetime(2026, 11, 30, tzinfo=dt.timezone.utc)
"""A time before the fixture's interrupts expire (2026-12-01T12:00:00Z)."""


def transcript(name: str) -> Transcript:
    _, out = fold(AgUiAdapter(), STREAMS[name]())
    return Transcript.from_events(out)


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_fixture_is_the_sdk_serialization(name: str) -> None:
    assert (FIXTURES / f"{name}.jsonl").read_text() == jsonl(name)


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_sdk_objects_fold_as_the_fixture(name: str) -> None:
    _, out = fold(AgUiAdapter(), STREAMS[name]())
    assert summary(out) == expected(name)


def test_interrupt_not_tied_to_a_call_is_a_block_with_its_message() -> None:
    d = transcript("interrupt_v1").to_dict()
    (block,) = [b for b in d["blocks"] if b["type"] == "interrupt"]
    assert block["id"] == "i-details"
    assert block["message"] == "Where to, and for how many nights?"
    assert block["expires_at"] == "2026-12-01T12:00:00Z"
    assert block["response_schema"]["required"] == ["city"]
    (call,) = [b for b in d["blocks"] if b["type"] == "tool"]
    assert call["state"] == "paused"
    assert call["pause"]["message"] == "Cancel booking B-7?"
    assert call["pause"]["head"] == "Cancel booking B-7?"  # the paused panel's head line
    assert Transcript.from_dict(json.loads(json.dumps(d))).to_dict() == d  # saved, reopened


def test_resume_entries_fit_the_sdk_run_agent_input() -> None:
    t = transcript("interrupt_v1")
    assert [i["id"] for i in pending_interrupts(t)] == ["i-approve", "i-details"]
    entries = resume_entries(t, {"i-details": {"city": "Lisbon", "nights": 3}}, now=BEFORE)
    assert entries == [
        {"interruptId": "i-approve", "status": "cancelled"},
        {
            "interruptId": "i-details",
            "status": "resolved",
            "payload": {"city": "Lisbon", "nights": 3},
        },
    ]
    body = {"threadId": "t9", "runId": "r10", "messages": [], "resume": entries}
    parsed = RunAgentInput.model_validate(body)
    assert parsed.resume is not None
    assert [e.status for e in parsed.resume] == ["cancelled", "resolved"]
    assert ResumeEntry.model_validate(entries[1]).payload == {"city": "Lisbon", "nights": 3}
    # the saved state answers the same
    saved = json.loads(json.dumps(t.to_dict()))
    answer = {"i-approve": {"approved": True}}
    assert resume_entries(saved, answer, now=BEFORE)[0]["status"] == "resolved"


def test_an_answer_after_expires_at_is_refused_in_one_line() -> None:
    t = transcript("interrupt_v1")
    late = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)
    answer = {"i-details": {"city": "Lisbon"}}
    with pytest.raises(ValueError, match="expired") as caught:
        resume_entries(t, answer, now=late)
    assert str(caught.value) == (
        "interrupt 'i-details': it expired at 2026-12-01T12:00:00Z: "
        "the agent no longer takes an answer"
    )
    # a tool call's interrupt expires too (its pause keeps expires_at)
    items = STREAMS["interrupt_v1"]()
    items[-1].outcome.interrupts[0].expires_at = "2026-12-01T12:00:00Z"
    _, out = fold(AgUiAdapter(), items)
    with pytest.raises(ValueError, match="'i-approve': it expired at"):
        resume_entries(Transcript.from_events(out), {"i-approve": {"approved": True}}, now=late)
    # cancelling is still possible after it expired: nothing is answered
    assert {e["status"] for e in resume_entries(t, {}, now=late)} == {"cancelled"}
    schema = {"type": "string"}
    assert check_answer(schema, "x", expires_at="2026-12-01T12:00:00Z", now=late) is not None
    assert check_answer(schema, "x", expires_at="2026-12-01T12:00:00Z", now=BEFORE) is None
    naive = "2026-12-01T12:00:00"  # no zone: UTC
    assert check_answer(schema, "x", expires_at=naive, now=late) is not None
    assert check_answer(schema, "x", expires_at="next tuesday") is None  # no date: never expires
    assert check_answer(schema, "x", expires_at="9" * 10_000) is None  # bounded


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({"i-details": {"nights": 2}}, "needs 'city'"),
        ({"i-details": {"city": "Porto", "nights": "two"}}, "nights must be integer"),
        ({"i-details": {"city": "Porto", "class": "first"}}, "must be one of"),
        ({"i-approve": {"approved": "yes"}}, "approved must be boolean"),
        ({"i-details": "Lisbon"}, "must be object"),
        ({"nope": 1}, "no interrupt 'nope'"),
    ],
)
def test_resume_entries_refuse_what_does_not_fit(answers: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        resume_entries(transcript("interrupt_v1"), answers, now=BEFORE)


def test_check_answer_simple_schemas() -> None:
    assert check_answer({"type": "string"}, "x") is None
    assert check_answer({"type": "number"}, True) is not None  # a bool is no number
    assert check_answer({"type": ["string", "null"]}, None) is None
    assert check_answer({"anyOf": [{"type": "string"}]}, 3) is None  # beyond simple: agent's


def test_activity_block_keeps_the_last_content_and_a_bad_patch_ends_it() -> None:
    t = transcript("activity")
    d = t.to_dict()
    a1, a2 = [b for b in d["blocks"] if b["type"] == "activity"]
    assert a1["content"]["found"] == 3
    assert a1["content"]["done"] is True
    assert "error" not in a1
    assert a2["content"] == {"steps": ["search", "book"]}  # the last good one
    assert "test of '/steps/0'" in a2["error"]
    assert d["status"] == "completed"
    again = Transcript.from_dict(json.loads(json.dumps(d)))
    assert again.to_dict() == d


def test_encrypted_reasoning_is_said_never_decoded() -> None:
    t = transcript("encrypted_reasoning")
    d = t.to_dict()
    thinking = [b for b in d["blocks"] if b["type"] == "thinking"]
    assert [(b["id"], b["text"], b.get("encrypted")) for b in thinking] == [
        ("th1", "Compare the fares.", True),
        ("c1:think1", "", True),
        ("th2", "", True),
    ]
    html, md = t.to_html(), t.to_markdown()
    assert "encrypted reasoning" in html
    assert "encrypted reasoning" in md
    assert "gAAA" not in html + md + json.dumps(d)
    assert Transcript.from_dict(d).to_dict() == d


def test_exports_show_activities_and_interrupts() -> None:
    act, intr = transcript("activity"), transcript("interrupt_v1")
    assert "Activity: SEARCH" in act.to_markdown()
    assert "tap.pt" in act.to_markdown()
    assert "tap.pt" in act.to_html()
    assert "Activity: PLAN · stopped" in act.to_html()
    assert "Activity: SEARCH" in act.to_text()
    for text in (intr.to_markdown(), intr.to_html(), intr.to_text()):
        assert "Waiting for input: input_required" in text
        assert "Where to, and for how many nights?" in text
        assert "Expires: 2026-12-01T12:00:00Z" in text


def test_metadata_of_every_event_is_kept() -> None:
    raw, _ = fold(AgUiAdapter(), STREAMS["activity"]())
    kept = [e.meta["metadata"] for e in raw if e.meta and "metadata" in e.meta]
    assert kept == [{"widget": "search-card"}]


@pytest.mark.parametrize("name", ["activity", "interrupt_v1"])
def test_the_page_gets_the_panels_chunk_for_them(name: str) -> None:
    """The tools chunk draws activity and interrupt panels: a state holding one asks for it."""
    d = transcript(name).to_dict()
    kinds = {"activity": "activity", "interrupt_v1": "interrupt"}
    only = {**d, "blocks": [b for b in d["blocks"] if b["type"] == kinds[name]]}
    assert only["blocks"]
    assert mentions_tools(only)


def test_a_sub_agents_interrupt_shows_inside_it() -> None:
    events = [
        RunStartedEvent(thread_id="t", run_id="r"),
        SubagentStartedEvent(subagent_run_id="sub1", name="booker"),
        RunFinishedEvent(
            thread_id="t",
            run_id="r",
            outcome=RunFinishedInterruptOutcome(
                interrupts=[
                    Interrupt(id="i1", reason="input_required", subagent_run_id="sub1"),
                    Interrupt(id="i2", reason="input_required"),
                ]
            ),
        ),
    ]
    _, out = fold(AgUiAdapter(), events)
    blocks = Transcript.from_events(out).to_dict()["blocks"]
    assert [(b["id"], b.get("parent")) for b in blocks if b["type"] == "interrupt"] == [
        ("i1", "sub1"),
        ("i2", None),
    ]


def test_metadata_of_an_event_that_becomes_nothing_is_kept_on_its_own() -> None:
    events = [
        RunStartedEvent(thread_id="t", run_id="r"),
        ReasoningStartEvent(message_id="rs1", metadata={"trace": "abc"}),
        RunFinishedEvent(thread_id="t", run_id="r"),
    ]
    raw, _ = fold(AgUiAdapter(), events)
    (kept,) = [e for e in raw if e.meta and "metadata" in e.meta]
    assert isinstance(kept, Custom)
    assert (kept.name, kept.value, kept.meta) == (
        "metadata",
        {"type": "REASONING_START"},
        {"metadata": {"trace": "abc"}},
    )
