"""End to end, in JupyterLab: an MCP server whose tools answer with a task
(tests/mcp_servers/tasks.py, the ``io.modelcontextprotocol/tasks`` extension) in its inspector.
The head line says the server offers tasks; a call answered with a task that runs until
cancelled shows the task's id, status and message with a bar in its panel, and Stop sends
``tasks/cancel`` (the server logs it); a task that completes shows how it ended, its bar gone;
a task that asks for input is answered from the page's question form."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.browser.lab import LabPage
from tests.browser.test_lab_protocols import tool, turn, wait_turn
from tests.wait import wait_for

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

SETUP = """\
import nbagent
server = nbagent.mcp([{python!r}, "-m", "tests.mcp_servers.tasks", "--log", {log!r}],
                     cwd={root!r})
server
"""


@pytest.mark.mcp
def test_a_tasks_status_and_message_in_its_panel_stop_and_input(
    lab: LabPage, tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    log.touch()
    lab.open("mcp_tasks.ipynb", [SETUP.format(python=sys.executable, log=str(log), root=str(ROOT))])
    lab.wait_tools_listed()
    head = lab.page.locator(".nba-insp-head").inner_text()
    assert "protocol 2026-07-28 · tasks" in head

    # A task that runs until cancelled: its status and message, with a bar, as it goes.
    tool(lab, "forever").get_by_role("button", name="Call").click()
    line = turn(lab, 0).locator(".nba-task")
    lab.wait_js(
        "() => /^task task-forever-\\d+ · working: still going \\(\\d+\\)$/.test("
        "document.querySelector('.nba-insp-calls .nba-task')?.textContent ?? '')"
    )
    bar = "el => getComputedStyle(el, '::after').content !== 'none'"
    assert line.evaluate(bar)  # the bar while it goes on (panels.css)
    # Stop: the run ends cancelled and the server is sent tasks/cancel.
    turn(lab, 0).get_by_role("button", name="Stop").click()
    wait_turn(lab, 0, "cancelled")
    wait_for(lambda: "cancel task-forever" in log.read_text(), 60, "tasks/cancel at the server")
    lab.wait_js(
        "() => !document.querySelector('.nba-insp-calls .nba-task').classList"
        ".contains('nba-task-going')"
    )
    assert not line.evaluate(bar)
    assert line.inner_text().startswith("task task-forever-")

    # A task that completes: how it ended, its result as the call's.
    build = tool(lab, "build")
    build.get_by_label("steps", exact=True).fill("2")
    build.get_by_role("button", name="Call").click()
    wait_turn(lab, 1, "completed")
    second = turn(lab, 1)
    assert second.locator(".nba-result").first.inner_text().strip() == "built in 2 steps"
    done = second.locator(".nba-task")
    assert done.inner_text().endswith("· completed: built")
    assert not done.evaluate(bar)

    # A task that asks for input: the question form, answered from the page (tasks/update).
    approve = tool(lab, "approve")
    approve.get_by_label("item", exact=True).fill("the plan")
    approve.get_by_role("button", name="Call").click()
    ask = lab.page.locator(".nba-insp-ask")
    ask.wait_for()
    assert "Approve the plan?" in ask.inner_text()
    ask.get_by_label("name", exact=True).fill("Ada")
    ask.get_by_role("button", name="Accept").click()
    wait_turn(lab, 2, "completed")
    third = turn(lab, 2)
    assert third.locator(".nba-result").first.inner_text().strip() == "the plan approved by Ada"
    assert "update task-approve" in log.read_text()
    assert lab.foreign_requests() == []
