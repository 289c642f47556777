"""``nbagent.acp`` with an agent that speaks ACP's newer shapes the pinned SDK (0.12.1) does
not model (tests/acp_agents/scripted.py ``newer``, sending them on its raw connection): the
notice, the compaction and the tool call's name reach the run in their place among the
agent's messages, a ``$/cancel_request`` answers the request it withdrew, an update kind
nbagent does not read is one warning, and the turn's usage and cost are the run's."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import nbagent
from tests.frameworks.conftest import need
from tests.wait import PATIENCE

need("acp")

SCRIPT = str(Path(__file__).resolve().parents[1] / "acp_agents" / "scripted.py")


def test_the_newer_shapes_reach_the_run_in_their_place(started: Any) -> None:
    agent = nbagent.acp([sys.executable, SCRIPT, "newer"], startup_timeout=PATIENCE)
    started.append(agent)
    run = agent.prompt("go")
    t = run.wait(PATIENCE)
    assert run.status == "completed", t.error
    state = t.to_dict()
    kinds = [b["type"] for b in state["blocks"]]
    assert kinds == ["user", "text", "note", "tool", "note", "tool", "text"], kinds
    notice, compaction = [b for b in state["blocks"] if b["type"] == "note"]
    assert (notice["kind"], notice["level"], notice["title"], notice["text"]) == (
        "notice",
        "warning",
        "Rate limited",
        "Retrying.",
    )
    assert (compaction["title"], compaction["text"], compaction["status"]) == (
        "Context compacted",
        "Kept: the goal.",
        "completed",
    )
    listed, withdrawn = t.tool_calls
    assert listed.meta is not None
    assert (listed.name, listed.meta["tool"]) == ("Run ls", "Bash")
    assert withdrawn.answer is not None
    assert withdrawn.answer["action"] == "cancel"
    assert t.text == "Before.\n\n After: cancelled."
    assert [w["error_type"] for w in state["warnings"]] == ["acp.unread"]
    assert state["usage"]["input_tokens"] == 100
    assert state["usage"]["reasoning_tokens"] == 12
    assert state["cost_usd"] == 0.25
    assert state["context"] == {"used": 900, "size": 8000}
