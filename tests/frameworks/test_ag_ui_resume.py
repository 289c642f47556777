"""AG-UI interrupts answered from the cell when nbagent drives the agent, against a real AG-UI
server made of the ``ag-ui-protocol`` package's own models and encoder
(``tests/ag_ui_servers/booking.py``, which reads every POST as the SDK's ``RunAgentInput``):
each interrupt is a paused question with its schema's form; an answer is checked (schema,
``expires_at``) before nbagent posts the next run's input (same thread, a new run id, the
messages so far, ``resume``), and the continued stream shows in the same run. Hostile: an
answer that does not fit, an expired interrupt, a server that errors on the resume."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.frameworks.conftest import need

need("ag_ui")

import nbagent  # noqa: E402
from nbagent.adapters.ag_ui import resume_entries  # noqa: E402
from nbagent.adapters.ag_ui.conversation import MAX_MESSAGES, Conversation  # noqa: E402
from nbagent.adapters.ag_ui.questions import (  # noqa: E402
    MAX_ASKED,
    form_schema,
    payload,
    questions,
)
from nbagent.runtime.run import Run  # noqa: E402
from tests.ag_ui_servers.booking import APPROVAL, SCHEMA, BookingAgent  # noqa: E402
from tests.wait import PATIENCE, wait_for  # noqa: E402


@contextlib.contextmanager
def asked(agent: BookingAgent, questions: int = 1) -> Iterator[Run]:
    """The agent's first run shown, once its ``questions`` are paused in the cell."""
    with agent:
        run = nbagent.show(nbagent.sse(agent.url, json=agent.first_input()))
        try:
            wait_for(lambda: len(run.pending) == questions or run.done, what="the questions")
            assert len(run.pending) == questions, run.transcript.to_dict()
            yield run
        finally:
            run.cancel()


def block(run: Run, block_id: str) -> dict[str, Any]:
    return next(b for b in run.transcript.to_dict()["blocks"] if b.get("id") == block_id)


def test_interrupts_are_questions_whose_answers_resume_the_thread_in_the_same_run() -> None:
    agent = BookingAgent(on_call=True)
    with asked(agent, 2) as run:
        details, approval = block(run, "i-details"), block(run, "c1")
        # the details: a question of its own, with the form of its response_schema
        assert details["name"] == "input_required"
        assert details["state"] == "paused"
        pause = details["pause"]
        assert pause["origin"] == "ag-ui"
        assert (pause["schema"], pause["fill"]) == (SCHEMA, {"city": None, "nights": None})
        assert pause["actions"] == ["run", "deny", "dismiss"]
        assert pause["head"].startswith("Where to, and for how many nights? (Accept")
        assert pause.get("hint") is None  # no code to paste: the form answers it
        # the approval pauses its own call, with its schema's form
        assert (approval["name"], approval["pause"]["schema"]) == ("cancel_booking", APPROVAL)
        assert [p.name for p in run.pending] == ["cancel_booking", "input_required"]
        assert len(agent.inputs) == 1  # nothing posted before every interrupt has its answer
        run.approve("c1", approved=True)
        run.approve("i-details", city="Lisbon", nights=3)
        t = run.wait(PATIENCE)
    assert (t.status, t.end_reason) == ("completed", "completed")
    assert t.text == "I need your trip's details.\n\nBooked Lisbon for 3 nights."
    calls = {c.id: c for c in t.tool_calls}
    assert calls["c1"].result == "cancelled B-7"
    assert calls["i-details"].result == '{"city": "Lisbon", "nights": 3}'
    # the next RunAgentInput, as the SDK reads it
    first, resumed = agent.inputs
    assert resumed.thread_id == first.thread_id == "th-1"
    assert resumed.run_id not in ("run-1", "")
    assert resumed.resume is not None
    assert [(e.interrupt_id, e.status, e.payload) for e in resumed.resume] == [
        ("i-approve", "resolved", {"approved": True}),
        ("i-details", "resolved", {"city": "Lisbon", "nights": 3}),
    ]
    said = [m.model_dump(by_alias=True, exclude_none=True) for m in resumed.messages]
    assert said == [
        {"id": "u1", "role": "user", "content": "Book me a trip."},
        {
            "id": "m1",
            "role": "assistant",
            "content": "I need your trip's details.",
            "toolCalls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "cancel_booking", "arguments": '{"booking": "B-7"}'},
                }
            ],
        },
    ]


def test_declined_and_dismissed_interrupts_are_answered_cancelled() -> None:
    agent = BookingAgent(on_call=True)
    with asked(agent, 2) as run:
        run.deny("c1")
        run.handle_message({"type": "pause_answer", "id": "i-details", "action": "dismiss"})
        t = run.wait(PATIENCE)
    assert t.status == "completed"
    assert t.text.endswith("Nothing booked.")
    resume = agent.inputs[1].resume
    assert resume is not None
    assert [(e.interrupt_id, e.status, e.payload) for e in resume] == [
        ("i-approve", "cancelled", None),
        ("i-details", "cancelled", None),
    ]
    calls = {c.id: c for c in t.tool_calls}
    assert calls["c1"].result == "not cancelled"
    assert (calls["i-details"].result, calls["i-details"].is_error) == ("cancelled", True)


def test_an_answer_that_does_not_fit_the_schema_is_refused_and_never_posted() -> None:
    agent = BookingAgent()
    with asked(agent) as run:
        with pytest.raises(ValueError, match=r"the answer\.nights must be integer, not str"):
            run.approve("i-details", city="Porto", nights="two")
        # the page's Accept, as its form sends it: refused on the question's panel
        wrong = {"type": "pause_answer", "id": "i-details", "action": "run", "args": {"nights": 2}}
        run.handle_message(wrong)
        wait_for(lambda: "error" in (block(run, "i-details").get("pause") or {}))
        assert block(run, "i-details")["pause"]["error"].endswith("the answer needs 'city'")
        # approve() with no fields answers with the form's start (no city): asked again
        run.approve("i-details")
        wait_for(lambda: run.pending and "error" in block(run, "i-details")["pause"])
        assert block(run, "i-details")["pause"]["error"] == "the answer needs 'city'"
        assert run.pending  # still asked, nothing posted
        assert len(agent.inputs) == 1
        run.approve("i-details", city="Porto")
        t = run.wait(PATIENCE)
    assert t.text.endswith("Booked Porto for 1 nights.")
    assert len(agent.inputs) == 2


def test_an_expired_interrupt_refuses_its_answer_in_one_line() -> None:
    agent = BookingAgent(expires_at="2020-01-01T00:00:00Z")
    with asked(agent) as run:
        assert block(run, "i-details")["pause"]["expires_at"] == "2020-01-01T00:00:00Z"
        message = {"type": "pause_answer", "id": "i-details", "action": "run"}
        run.handle_message(message | {"args": {"city": "Lisbon"}})
        wait_for(lambda: "error" in (block(run, "i-details").get("pause") or {}))
        error = block(run, "i-details")["pause"]["error"]
        assert error.endswith(
            "it expired at 2020-01-01T00:00:00Z: the agent no longer takes an answer"
        )
        assert "\n" not in error
        assert len(agent.inputs) == 1  # never posted
        run.deny("i-details")  # declining still answers it: cancelled
        t = run.wait(PATIENCE)
    resume = agent.inputs[1].resume
    assert resume is not None
    assert [(e.interrupt_id, e.status) for e in resume] == [("i-details", "cancelled")]
    assert t.text.endswith("Nothing booked.")


def test_a_server_that_errors_on_the_resume_ends_the_run_in_error_keeping_what_came() -> None:
    agent = BookingAgent(fail_resume=True)
    with asked(agent) as run:
        url = agent.url
        run.approve("i-details", city="Lisbon")
        t = run.wait(PATIENCE)
    assert (t.status, t.end_reason) == ("error", "error")
    assert t.text == "I need your trip's details."
    assert block(run, "i-details")["answer"]["action"] == "run"
    d = t.to_dict()
    (error,) = [e for e in d.get("errors") or [d.get("error")] if e]
    line = error if isinstance(error, str) else error.get("message")
    refused = '{"error": "the booking service is down"}'
    assert line == f"HTTPStatusError: HTTP 500 Internal Server Error from {url}: {refused}"


def test_not_driven_the_interrupts_end_the_run_with_their_code_hint() -> None:
    with BookingAgent(expires_at="2020-01-01T00:00:00Z") as agent:
        # read without a Run: nbagent posts nothing
        events = list(nbagent.iter_events(nbagent.sse(agent.url, json=agent.first_input())))
        assert events[-1].reason == "interrupted"  # type: ignore[attr-defined]
        # someone else's stream (its lines, as a file or a recording holds them)
        lines = httpx.post(agent.url, json=agent.first_input()).text.splitlines()
        t = nbagent.show([line for line in lines if line], format="ag-ui").wait(PATIENCE)
    assert (t.status, t.end_reason) == ("completed", "interrupted")
    (interrupt,) = [b for b in t.to_dict()["blocks"] if b["type"] == "interrupt"]
    assert interrupt["response_schema"] == SCHEMA
    # the code that answers it refuses an answer after expires_at, as the form does
    with pytest.raises(ValueError, match="'i-details': it expired at 2020-01-01T00:00:00Z"):
        resume_entries(t, {"i-details": {"city": "Lisbon"}})
    assert len(agent.inputs) == 2
    assert all(not i.resume for i in agent.inputs)


def test_the_conversation_so_far_from_the_events() -> None:
    thread = Conversation([{"id": "u1", "role": "user", "content": "hi"}])
    for ev in [
        {"type": "TEXT_MESSAGE_CHUNK", "messageId": "a1", "delta": "Hel"},
        {"type": "TEXT_MESSAGE_CHUNK", "delta": "lo"},  # continues the chunked message
        {"type": "TOOL_CALL_CHUNK", "toolCallId": "c1", "toolCallName": "f", "delta": "{}"},
        {"type": "TOOL_CALL_RESULT", "toolCallId": "c1", "content": "ok"},  # no message id
        {"type": "TEXT_MESSAGE_CONTENT", "messageId": "nope", "delta": 3},  # no such message
        "not an event",
    ]:
        thread.feed(ev)
    assert thread.messages() == [
        {"id": "u1", "role": "user", "content": "hi"},
        {"id": "a1", "role": "assistant", "content": "Hello"},
        {
            "id": "c1",
            "role": "assistant",
            "toolCalls": [
                {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ],
        },
        {"id": "c1:text1", "role": "tool", "toolCallId": "c1", "content": "ok"},
    ]
    assert thread.call_name("c1") == "f"
    snapshot = [{"id": "x", "role": "user", "content": "again"}]
    thread.feed({"type": "MESSAGES_SNAPSHOT", "messages": snapshot})
    assert thread.messages() == snapshot
    many = Conversation(
        [{"id": str(n), "role": "user", "content": "x"} for n in range(MAX_MESSAGES + 5)]
    )
    kept = many.messages()
    assert len(kept) == MAX_MESSAGES
    assert kept[0]["id"] == "5"


def test_stop_while_asked_posts_nothing() -> None:
    agent = BookingAgent(on_call=True)
    with asked(agent, 2) as run:
        run.approve("c1", approved=True)  # one answered, the other still asked
        run.cancel()
        t = run.wait(PATIENCE)
    assert t.status == "cancelled"
    assert len(agent.inputs) == 1


def test_hostile_interrupts_are_asked_once_each_and_bounded() -> None:
    interrupts: list[Any] = [
        {"id": "a", "reason": "input_required", "responseSchema": {"type": "string"}},
        {"id": "a", "reason": "again"},  # a repeated id
        {"reason": "no id"},  # cannot be answered
        {"id": "b", "toolCallId": "c1", "responseSchema": "not a schema"},
        {"id": "c", "toolCallId": "c1"},  # a second interrupt on the same call
        "not an interrupt",
        *({"id": f"n{n}"} for n in range(MAX_ASKED + 10)),
    ]
    event = {"type": "RUN_FINISHED", "outcome": {"type": "interrupt", "interrupts": interrupts}}
    asked_ = questions(event)
    assert [q.id for q in asked_[:3]] == ["a", "b", "n0"]
    assert len(asked_) == 2 + MAX_ASKED + 10  # asked: the first MAX_ASKED; the rest cancelled
    a, b = asked_[0], asked_[1]
    # a schema that is not an object's is one field, "answer", taken back as the answer
    assert form_schema(a.schema)["properties"] == {"answer": {"type": "string"}}
    assert payload(a, {"answer": "Lisbon"}) == "Lisbon"
    # no schema (or no dict): a text
    assert form_schema(b.schema)["properties"] == {"answer": {"type": "string"}}
    assert (b.call_id, b.on_call, b.name) == ("c1", True, "interrupt")
    # an object's empty fields are not in the answer
    q = questions({"outcome": {"interrupts": [{"id": "d", "responseSchema": {"type": "object"}}]}})[
        0
    ]
    assert payload(q, {"x": None, "y": 1}) == {"y": 1}
