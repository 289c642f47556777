"""End to end: an ACP coding agent's run in JupyterLab (issue 36, "What the view shows"). A
scripted agent written with the SDK (tests/acp_agents/showcase.py) runs through
``nbagent.acp([...])`` in a cell: its plan (sent three times) as a checklist, a tool call's
diff with its counts, the context gauge, then a permission request answered from the widget
with the agent's own "Allow always", which the agent says it got, and the command it then runs
in a terminal, whose output shows in that call's panel. Saved and reopened with no
kernel, the output still shows the plan and the diff."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.lab import LabPage, lab_fixture, lab_server_fixture  # noqa: F401
from tests.browser.test_reopen import (
    SAVED_SEL,
    reopen_without_kernel,
    saved_notebook,
    wait_output_final,
)

pytest.importorskip("acp")
pytestmark = pytest.mark.browser

SHOWCASE = Path(__file__).resolve().parents[1] / "acp_agents" / "showcase.py"
COUNTS = "+3 \N{MINUS SIGN}1"  # the diff's added and removed lines, as its panel's head says
CELL = f"""\
import sys, nbagent
agent = nbagent.acp([sys.executable, {str(SHOWCASE)!r}], terminals=True)
run = agent.prompt("fix the rounding")
"""


def text_of(lab: LabPage, root: Any, sel: str) -> str:
    """The text of ``sel`` under ``root`` once it has some (a folded panel's too)."""
    node = root.locator(sel).first
    try:
        node.wait_for(state="attached")
        lab.page.wait_for_function(
            "(el) => el.textContent.trim() !== ''", arg=node.element_handle()
        )
    except Exception as exc:
        raise AssertionError(f"no text in {sel}\n{lab.diagnose()}") from exc
    return str(node.text_content())


def test_plan_diff_gauge_and_the_agents_own_answer_then_saved(lab: LabPage) -> None:
    started = time.monotonic()
    lab.open("acp.ipynb", [CELL, "agent.close()"], run=False)
    lab.run_cell(0)
    widget = lab.widget(0)
    always = widget.get_by_role("button", name="Allow always")
    try:
        always.wait_for(state="visible")
    except Exception as exc:
        raise AssertionError(lab.diagnose()) from exc
    offered = widget.locator(".nba-pause-bar .nba-pause-option").all_inner_texts()
    assert offered == ["Allow once", "Allow always", "Reject once", "Reject always"]
    assert widget.locator(".nba-pause-run").is_hidden()  # the agent's options stand for Run

    # The plan came three times: one checklist, the newest snapshot.
    assert widget.locator(".nba-plan").count() == 1
    assert text_of(lab, widget, ".nba-plan-head") == "Plan · 2 of 3 done"
    marks = widget.locator(".nba-plan-mark").all_inner_texts()
    assert marks == ["☑", "☑", "◐"]
    edit = widget.locator(".nba-tool").filter(has_text="Edit data.py")
    assert text_of(lab, edit, ".nba-diff-counts") == COUNTS
    assert text_of(lab, edit, ".nba-acp-badge") == "edit · completed"
    assert text_of(lab, edit, ".nba-diff-file") == "data.py"  # relative to the session's cwd
    assert "x = math.floor(2.5 + 0.5)" in text_of(lab, edit, ".nba-diff-add.nba-diff-line")
    assert text_of(lab, edit, ".nba-acp-location") == "data.py:3"
    gauge = text_of(lab, widget, ".nba-status .nba-gauge-text")
    assert gauge == "1,200 / 200,000 tokens (1%)"
    assert "$0.250" in widget.locator(".nba-status-parts").inner_text()

    always.click()
    lab.wait_status("completed", 0)
    assert "The user answered: always." in widget.inner_text()
    asked = widget.locator(".nba-tool").filter(has_text="Run pytest")
    assert text_of(lab, asked, ".nba-pause-answer") == "Answered: Allow always"
    lab.page.wait_for_function(  # the terminal's output, streamed into the call's panel
        "(el) => el.textContent.includes('3 passed')",
        arg=asked.locator(".nba-result").first.element_handle(),
    )
    assert "collected 3 items\n" in text_of(lab, asked, ".nba-result")

    wait_output_final(lab)
    lab.save()
    data = saved_notebook(lab).cells[0].outputs[-1]["data"]
    state = data["application/vnd.nbagent.transcript+json"]["runs"][0]["state"]
    assert state["plan"]["entries"][2]["status"] == "in_progress"
    lab.run_cell(1)  # the agent's process ends with its handle
    lab.wait_kernel_idle()
    reopen_without_kernel(lab)
    try:
        lab.page.wait_for_selector(SAVED_SEL)
    except Exception as exc:
        raise AssertionError(f"no saved transcript\n{lab.diagnose()}") from exc
    saved = lab.page.locator(SAVED_SEL).first
    assert text_of(lab, saved, ".nba-plan-head") == "Plan · 2 of 3 done"
    assert text_of(lab, saved, ".nba-diff-counts") == COUNTS
    assert "x = math.floor(2.5 + 0.5)" in text_of(lab, saved, ".nba-diff-add.nba-diff-line")
    assert saved.locator(".nba-pause-option").count() == 0
    assert not lab.foreign_requests(), lab.foreign_requests()
    print(f"\ntest_lab_acp: {time.monotonic() - started:.1f} s")
