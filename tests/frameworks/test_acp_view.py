"""What the widget gets of an ACP run (issue 36, "What the view shows"): the transcript's
``plan`` (the newest snapshot, and the plans with an id: ACP's UNSTABLE ``plan_update`` /
``plan_removed``, which the client's capability asks for), ``context`` (the gauge) and each
call's ``meta`` (kind, status, locations), a diff's path relative to ``cwd``, a permission
request as its call's pause with the agent's own options, answered by the widget's
``choose`` message with any of them; the chunk that draws them is sent when a state holds
them. Against tests/acp_agents/showcase.py and planner.py, agents written with the SDK, over
stdio."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import nbagent
from nbagent.core.events import State
from nbagent.pipeline.stream import Pipeline
from nbagent.transcript.transcript import Transcript
from nbagent.widget.audience import VIEWER_MESSAGES
from nbagent.widget.chunks import mentions_acp
from tests.frameworks.conftest import need
from tests.wait import PATIENCE, wait_for

need("acp")

from tests.acp_agents.planner import DOC, NOTES  # noqa: E402 - after need()

AGENTS = Path(__file__).resolve().parents[1] / "acp_agents"
SHOWCASE = str(AGENTS / "showcase.py")
PLANNER = str(AGENTS / "planner.py")
OPTIONS = [
    {"id": "yes", "name": "Allow once", "kind": "allow_once"},
    {"id": "always", "name": "Allow always", "kind": "allow_always"},
    {"id": "no", "name": "Reject once", "kind": "reject_once"},
    {"id": "never", "name": "Reject always", "kind": "reject_always"},
]


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[nbagent.AcpAgent]:
    handle = nbagent.acp([sys.executable, SHOWCASE], cwd=tmp_path, startup_timeout=PATIENCE)
    try:
        yield handle
    finally:
        handle.close()


def block(run: nbagent.Run, call_id: str, state: str) -> dict[str, Any] | None:
    """The run's block of ``call_id`` once it is in ``state``."""
    with run.lock:
        blocks = run.transcript.to_dict()["blocks"]
    found = next((b for b in blocks if b["id"] == call_id), None)
    return found if found is not None and found["state"] == state else None


def test_the_view_gets_plan_gauge_kinds_diff_and_the_agents_own_options(
    agent: nbagent.AcpAgent,
) -> None:
    run = agent.prompt("fix it")
    wait_for(lambda: run.pending, what="the permission request")
    # The request's status may trail the pause by a reader's item: wait for the panel.
    tool = wait_for(lambda: block(run, "run_1", "paused"), what="the paused call's panel")
    assert tool["state"] == "paused"
    assert tool["pause"]["options"] == OPTIONS
    assert tool["pause"]["origin"] == "acp"
    assert tool["meta"] == {"title": "Run pytest", "kind": "execute"}
    with run.lock:
        state = run.transcript.to_dict()
    assert [e["status"] for e in state["plan"]["entries"]] == [
        "completed",
        "completed",
        "in_progress",
    ]
    assert state["context"] == {"used": 1200, "size": 200000}
    assert state["cost_usd"] == 0.25
    edit = next(b for b in state["blocks"] if b["id"] == "edit_1")
    assert edit["meta"] == {
        "title": "Edit data.py",
        "kind": "edit",
        "status": "completed",
        "locations": ["data.py:3"],  # relative to the session's cwd
    }
    assert "--- data.py\n+++ data.py\n" in edit["result"]
    assert mentions_acp(state)
    # The widget's button: "choose" with the option's id, as a page sends it.
    run.handle_message({"type": "choose", "id": "run_1", "option": "always"})
    transcript = run.wait(PATIENCE)
    assert run.status == "completed", transcript.error
    assert transcript.text.endswith("The user answered: always.")
    answered = next(b for b in transcript.to_dict()["blocks"] if b["id"] == "run_1")
    assert answered["answer"] == {"action": "run", "edited": False, "option": "Allow always"}
    assert answered.get("pause") is None


def test_a_choice_the_agent_did_not_offer_leaves_the_call_paused(
    agent: nbagent.AcpAgent, caplog: Any
) -> None:
    run = agent.prompt("fix it")
    wait_for(lambda: run.pending, what="the permission request")
    run.handle_message({"type": "choose", "id": "run_1", "option": "maybe"})
    run.handle_message({"type": "choose", "id": "ghost", "option": "yes"})
    assert [p.tool_call_id for p in run.pending] == ["run_1"]
    assert "'maybe' is not an option offered" in caplog.text
    assert "no paused call 'ghost'" in caplog.text
    run.handle_message({"type": "choose", "id": "run_1", "option": "never"})
    transcript = run.wait(PATIENCE)
    assert transcript.text.endswith("The user answered: never.")
    answered = next(b for b in transcript.to_dict()["blocks"] if b["id"] == "run_1")
    assert answered["answer"]["action"] == "deny"
    assert answered["answer"]["option"] == "Reject always"


def test_a_viewers_page_cannot_choose() -> None:
    """The kernel refuses every message of a viewer's page not in VIEWER_MESSAGES."""
    assert "choose" not in VIEWER_MESSAGES


def _fold(items: list[Any]) -> dict[str, Any]:
    """The state once the items were read, the run still going (no end yet)."""
    pipeline, transcript = Pipeline("acp"), Transcript()
    for item in items:
        for ev in pipeline.feed(item):
            transcript.apply(ev)
    return transcript.to_dict()


def test_the_adapter_pauses_an_unannounced_call_and_says_how_it_was_answered() -> None:
    wire = [{"optionId": o["id"], "name": o["name"], "kind": o["kind"]} for o in OPTIONS]
    request = {
        "jsonrpc": "2.0",
        "id": 4,
        "method": "session/request_permission",
        "params": {
            "sessionId": "s",
            "toolCall": {"toolCallId": "ghost", "title": "rm -rf /", "kind": "delete"},
            "options": wire,
        },
    }
    paused = _fold([request])["blocks"][0]
    assert (paused["id"], paused["name"], paused["state"]) == ("ghost", "rm -rf /", "paused")
    assert paused["pause"]["options"] == OPTIONS
    assert paused["pause"]["actions"] == ["run", "deny"]
    cancelled = {"sessionId": "s", "toolCallId": "ghost", "outcome": {"outcome": "cancelled"}}
    stop = {"stopReason": "cancelled"}
    assert _fold([request, cancelled, stop])["blocks"][0]["answer"]["action"] == "cancel"
    rejected = {"toolCallId": "ghost", "outcome": {"outcome": "selected", "optionId": "no"}}
    answer = _fold([request, rejected])["blocks"][0]["answer"]
    assert answer == {
        "action": "deny",
        "edited": False,
        "reason": "Reject once",
        "option": "Reject once",
    }
    # Only the options offered: an id the agent never offered is no answer the user gave.
    forged = {"toolCallId": "ghost", "outcome": {"outcome": "selected", "optionId": "x"}}
    assert _fold([request, forged])["blocks"][0]["answer"]["action"] == "cancel"


def test_the_newest_plan_wins_and_other_state_is_not_a_plan() -> None:
    def plan(*statuses: str) -> dict[str, Any]:
        entries = [{"content": f"step {n}", "status": s} for n, s in enumerate(statuses)]
        return {"sessionUpdate": "plan", "entries": entries}

    state = _fold([plan("pending", "pending"), plan("completed", "in_progress")])
    assert [e["status"] for e in state["plan"]["entries"]] == ["completed", "in_progress"]
    assert Transcript.from_dict(state).to_dict() == state  # saved and read back alike
    plain = _fold(
        [{"sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": "hi"}}]
    )
    assert "plan" not in plain
    assert "context" not in plain
    assert not mentions_acp(plain)


def test_the_static_copy_shows_the_plan_and_a_calls_kind_escaped() -> None:
    """The saved output's text/html (nbconvert, GitHub): the plan's checklist and a call's kind
    and status, as text."""
    from nbagent.transcript.export.static_html import to_html

    hostile = "<img src=x onerror=alert(1)>"
    update = {
        "sessionUpdate": "tool_call",
        "toolCallId": "c",
        "title": "Edit",
        "kind": "edit",
        "status": "in_progress",
    }
    plan = {"sessionUpdate": "plan", "entries": [{"content": hostile, "status": "completed"}]}
    page = to_html(_fold([update, plan]))
    assert "☑ &lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img" not in page
    assert "edit · in progress" in page


def test_plans_with_an_id_are_asked_for_shown_in_order_updated_and_removed(
    tmp_path: Path,
) -> None:
    """tests/acp_agents/planner.py sends its plans only to a client advertising
    ``clientCapabilities.plan``: the answer says it did; the state keeps each plan by its id,
    in order, until the agent removes it; a recording and its replay say the same."""
    from nbagent.transcript.export.static_html import to_html

    agent = nbagent.acp([sys.executable, PLANNER], cwd=tmp_path, startup_timeout=PATIENCE)
    try:
        run = agent.prompt("plan it")
        transcript = run.wait(PATIENCE)
    finally:
        agent.close()
    assert run.status == "completed", transcript.error
    assert transcript.text == "plans: sent"  # the handshake advertised the capability
    notes = {"id": "notes", "type": "markdown", "content": NOTES}
    doc = {"id": "doc", "type": "file", "uri": DOC}
    state = transcript.to_dict()
    assert state["plan"] == {"entries": [], "plans": [notes, doc]}  # steps removed
    assert mentions_acp(state)
    # Before the removal: steps first (updated in place, its first entry done), then the rest.
    events = list(run.events)
    removal = next(
        i
        for i, e in enumerate(events)
        if isinstance(e, State) and isinstance(e.value, dict) and e.value.get("removed")
    )
    before = Transcript.from_events(events[:removal]).to_dict()["plan"]
    assert [p["id"] for p in before["plans"]] == ["steps", "notes", "doc"]
    statuses = [e["status"] for e in before["plans"][0]["entries"]]
    assert statuses == ["completed", "pending", "pending"]
    # What a saved notebook and a replay show: the same state, the same static copy.
    again = nbagent.replay(run.save(tmp_path / "plans.jsonl"), speed=0).wait(PATIENCE)
    assert again.to_dict()["plan"] == state["plan"]
    page = to_html(state)
    assert page.count('class="nba-plan"') == 2
    assert "<strong>rounding</strong>" in page
    assert "&lt;script&gt;" in page
    assert "<script" not in page
    assert "<p>Plan file: file:///work/PLAN.md</p>" in page  # a link only for http(s):


class _Listener:
    """An SDK client that keeps the kinds of the session updates it gets."""

    def __init__(self) -> None:
        self.kinds: list[str] = []

    async def session_update(self, session_id: str, update: Any, **kwargs: Any) -> None:
        self.kinds.append(update.session_update)

    def on_connect(self, conn: Any) -> None:
        return None


async def _kinds_without_the_capability(*argv: str) -> list[str]:
    """The updates of one prompt turn to an SDK client advertising no ``plan``."""
    import asyncio

    import acp
    from acp.schema import ClientCapabilities, TextContentBlock

    listener = _Listener()

    async def turn(conn: Any) -> None:
        await conn.initialize(protocol_version=1, client_capabilities=ClientCapabilities())
        session = await conn.new_session(cwd=str(AGENTS), mcp_servers=[])
        prompt = [TextContentBlock(type="text", text="plan it")]
        await conn.prompt(session_id=session.session_id, prompt=prompt)

    async with acp.spawn_agent_process(listener, sys.executable, PLANNER, *argv) as (conn, _):
        await asyncio.wait_for(turn(conn), PATIENCE)
    return listener.kinds


def test_the_plan_capability_is_the_agents_gate_not_the_sdks() -> None:
    """The SDK (0.12.1) delivers ``plan_update`` to a client that did not advertise
    ``plan`` (``always``: the agent sends regardless); only the agent's own check of the
    capability, as the protocol asks of it, keeps them from such a client. So nbagent gets
    plans from a well-behaved agent because its handshake advertises the capability (the
    test above), and would show them from one that sends them anyway."""
    import asyncio

    def turn(*argv: str) -> list[str]:
        # On a thread of its own: the session may already have a loop running on this one
        # (Playwright's sync API, the browser tests).
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, _kinds_without_the_capability(*argv)).result()

    assert turn() == ["agent_message_chunk"]
    sent = turn("always")
    assert sent.count("plan_update") == 4
    assert sent.count("plan_removed") == 1
