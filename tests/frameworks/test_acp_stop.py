"""An ACP run after Stop says nothing is still going: the call that was interrupted ends
``cancelled`` (its state and the agent's status in its ``meta``, not "pending"), the plan's
entry in progress ``cancelled`` (☒), in the state, the saved copy and the static HTML; a diff
the call never applied is a "Proposed diff" there, not its result. With the SDK's own objects
(``agent-client-protocol``), ended by nbagent's Stop or by the agent's ``cancelled`` answer,
and end to end against tests/acp_agents/showcase.py."""

from __future__ import annotations

import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

import nbagent
from nbagent.pipeline.stream import Pipeline
from nbagent.transcript.export.static_html import to_html
from nbagent.transcript.export.status import status_label
from nbagent.transcript.transcript import Transcript
from tests.frameworks.conftest import need
from tests.wait import PATIENCE, wait_for

acp = need("acp")

from acp.schema import PromptResponse  # noqa: E402 - after need()

SHOWCASE = str(Path(__file__).resolve().parents[1] / "acp_agents" / "showcase.py")
SCRIPT = "import pandas as pd\n"


def turn() -> list[Any]:
    """The tutorial's agent up to its question: a plan with its last step in progress, then
    a file it proposes to write (a diff, the call ``pending``), as the SDK sends them."""
    entries = [
        acp.plan_entry("Read sales.csv", status="completed"),
        acp.plan_entry("Write monthly.py", status="in_progress"),
        acp.plan_entry("Say what it did", status="pending"),
    ]
    updates = [
        acp.update_plan(entries),
        acp.start_tool_call(
            "edit_1",
            "Write monthly.py",
            kind="edit",
            status="pending",
            content=[acp.tool_diff_content("/work/monthly.py", SCRIPT)],
        ),
    ]
    return [acp.session_notification("s1", u) for u in updates]


def folded(items: list[Any], end: str) -> dict[str, Any]:
    """The state once ``items`` were read and the run ended: by nbagent's Stop ("stop"), by
    the turn failing without the agent's last updates ("died": its process gone mid-turn, as
    ``nbagent.acp`` says it), or by the agent's answer (``PromptResponse(stop_reason=end)``)."""
    pipeline, transcript = Pipeline("acp"), Transcript()
    if end not in ("stop", "died"):
        items = [*items, PromptResponse(stop_reason=end)]
    for item in items:
        for ev in pipeline.feed(item):
            transcript.apply(ev)
    if end == "stop":
        last = pipeline.cancel()
    elif end == "died":
        last = pipeline.fail(ConnectionError("the agent exited (code -9) mid-turn"))
    else:
        last = pipeline.finish()
    for ev in last:
        transcript.apply(ev)
    return transcript.to_dict()


def test_before_stop_the_call_is_pending_and_its_diff_proposed() -> None:
    pipeline, transcript = Pipeline("acp"), Transcript()
    for item in turn():
        for ev in pipeline.feed(item):
            transcript.apply(ev)
    call = transcript.to_dict()["blocks"][-1]
    assert (call["state"], call["meta"]["status"]) == ("running", "pending")
    assert "+++ /work/monthly.py" in call["result"]


@pytest.mark.parametrize("end", ["stop", "cancelled"])
def test_after_stop_nothing_is_pending_or_in_progress(end: str) -> None:
    state = folded(turn(), end)
    assert state["status"] == "cancelled"
    call = state["blocks"][-1]
    assert call["state"] == "cancelled"
    assert call["meta"] == {"title": "Write monthly.py", "kind": "edit", "status": "cancelled"}
    statuses = [e["status"] for e in state["plan"]["entries"]]
    assert statuses == ["completed", "cancelled", "pending"]
    assert Transcript.from_dict(state).to_dict() == state  # saved and read back alike
    page = to_html(state)
    assert "edit · cancelled" in page
    assert "☒ Write monthly.py" in page
    assert "pending" not in page.replace("☐ Say what it did", "")


def test_a_run_whose_agent_died_mid_turn_leaves_nothing_pending_or_in_progress() -> None:
    """The turn ends in an error without the agent's last updates: the call and the plan's step
    in progress end as after Stop, and the status line says why in one line."""
    state = folded(turn(), "died")
    assert state["status"] == "error"
    call = state["blocks"][-1]
    assert (call["state"], call["meta"]["status"]) == ("cancelled", "cancelled")
    assert [e["status"] for e in state["plan"]["entries"]] == ["completed", "cancelled", "pending"]
    label = status_label(state)
    assert label == "error: ConnectionError: the agent exited (code -9) mid-turn", label
    page = to_html(state)
    assert "☒ Write monthly.py" in page
    assert "in progress" not in page


def test_a_completed_run_keeps_what_the_agent_said() -> None:
    """The agent's own word stands when it ended its turn: a step it left in progress."""
    state = folded(turn()[:1], "end_turn")
    assert [e["status"] for e in state["plan"]["entries"]][1] == "in_progress"


def test_a_rejected_diff_is_a_proposed_diff_in_the_static_copy() -> None:
    rejected = acp.update_tool_call("edit_1", status="failed")
    state = folded([*turn(), acp.session_notification("s1", rejected)], "end_turn")
    call = state["blocks"][-1]
    assert (call["state"], call["is_error"]) == ("error", True)
    page = to_html(state)
    assert '<div class="nba-label">Proposed diff</div>' in page
    assert '<div class="nba-label">Error</div>' not in page


def paused(run: nbagent.Run, call_id: str) -> bool:
    with run.lock:
        blocks = run.transcript.to_dict()["blocks"]
    return any(b["id"] == call_id and b["state"] == "paused" for b in blocks)


def test_stop_while_the_agent_asks_to_edit(tmp_path: Path) -> None:
    """End to end: the showcase agent proposes an edit (its call ``pending``, a diff) and
    asks to make it, its plan's second step in progress; Stop."""
    with nbagent.acp([sys.executable, SHOWCASE], cwd=tmp_path, startup_timeout=PATIENCE) as agent:
        run = agent.prompt("propose")
        wait_for(lambda: run.pending, what="the permission request")
        # The request's status may trail the pause by a reader's item: wait for the panel.
        wait_for(lambda: paused(run, "edit_2"), what="the paused call's panel")
        run.cancel()
        transcript = run.wait(PATIENCE)
    state = transcript.to_dict()
    assert state["status"] == "cancelled"
    statuses = [e["status"] for e in state["plan"]["entries"]]
    assert statuses == ["completed", "cancelled", "pending"]
    edit = next(b for b in state["blocks"] if b["id"] == "edit_2")
    assert edit["state"] == "cancelled"
    assert edit["meta"]["status"] == "cancelled"
    assert "+++ data.py" in edit["result"]  # the diff it proposed, relative to the session


def test_the_agents_process_killed_while_it_asks_to_edit(tmp_path: Path) -> None:
    """End to end: the showcase agent's process dies (SIGKILL) while it asks to make its edit:
    the run ends in an error saying so in one line, the call and the plan's step cancelled."""
    with nbagent.acp([sys.executable, SHOWCASE], cwd=tmp_path, startup_timeout=PATIENCE) as agent:
        run = agent.prompt("propose")
        wait_for(lambda: run.pending, what="the permission request")
        wait_for(lambda: paused(run, "edit_2"), what="the paused call's panel")
        os.killpg(agent.pid, signal.SIGKILL)
        transcript = run.wait(PATIENCE)
    state = transcript.to_dict()
    assert state["status"] == "error"
    label = status_label(state)
    assert "\n" not in label
    assert re.fullmatch(
        r"error: AcpError: ACP agent .*: the agent exited \(code -9\) mid-turn", label
    )
    # said in a state a notebook saves: no path of this machine (the agent's command shown)
    assert sys.executable not in label, label
    assert str(Path(SHOWCASE).parent) not in label, label
    assert [e["status"] for e in state["plan"]["entries"]] == ["completed", "cancelled", "pending"]
    edit = next(b for b in state["blocks"] if b["id"] == "edit_2")
    assert (edit["state"], edit["meta"]["status"]) == ("cancelled", "cancelled")


def test_a_calls_arguments_name_files_relative_to_the_session() -> None:
    """A path among a call's arguments (``rawInput``) inside the session's directory reads
    relative to it, as its locations and diffs do: a saved notebook holds no directory of its
    author's; one outside stays as the agent sent it."""
    from pathlib import PurePath

    from nbagent.acp_client._paths import relative_update

    read = acp.start_read_tool_call("read_1", "Read sales.csv", "/home/ann/work/sales.csv")
    inside = relative_update(read, PurePath("/home/ann/work"))
    assert inside.raw_input == {"path": "sales.csv"}
    assert [loc.path for loc in inside.locations] == ["sales.csv"]
    outside = relative_update(read, PurePath("/srv"))
    assert outside.raw_input == {"path": "/home/ann/work/sales.csv"}
