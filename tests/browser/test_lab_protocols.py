"""End to end: the protocols nbagent speaks, in JupyterLab.

MCP: a server's inspector (``nbagent.mcp(...)`` as a cell's last expression), against
tests/mcp_servers/toolbox.py over stdio: the lists, a form filled and called, a required field
missing, live progress then Stop (the server sees the cancellation), an elicitation answered
from the page, a resource read, the Log and JSON-RPC tabs, a server's hostile text shown as
text, and a sound played in its call's panel. And an agent's run whose MCP tool call the server
asks a question during: answered in the call's panel.

ACP (issue 36, "What the view shows"): a coding agent's run. A scripted agent written with the
SDK (tests/acp_agents/showcase.py) runs through ``nbagent.acp([...])`` in a cell: its plan (sent
three times) as a checklist, a tool call's diff with its counts, the context gauge, then a
permission request answered from the widget with the agent's own "Allow always", which the
agent says it got, and the command it then runs in a terminal, whose output shows in that
call's panel. Saved and reopened with no kernel, the output still shows the plan and the diff.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.lab import LabPage
from tests.browser.test_reopen import (
    SAVED_SEL,
    reopen_without_kernel,
    saved_notebook,
    wait_output_final,
)
from tests.servers import OpenAIServer, text_chunks
from tests.test_agent import calls_step
from tests.wait import wait_for

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

SETUP = """\
import nbagent
server = nbagent.mcp([{python!r}, "-m", "tests.mcp_servers.toolbox", "--log", {log!r}],
                     cwd={root!r})
server
"""


def turn(lab: LabPage, nth: int) -> Any:
    """The nth call's turn (its tool panel and status line) under the inspector."""
    return lab.page.locator(".nba-insp-calls .nba-turn").nth(nth)


def wait_turn(lab: LabPage, nth: int, status: str) -> None:
    """Wait until the nth call's status line starts with ``status``."""
    lab.wait_js(
        "([n, s]) => document.querySelectorAll('.nba-insp-calls .nba-turn')[n]"
        "?.querySelector('.nba-status-label')?.textContent.startsWith(s)",
        [nth, status],
    )


def tool(lab: LabPage, name: str) -> Any:
    """A tool's entry in the Tools tab, opened."""
    entry = lab.page.locator(".nba-insp-entry").filter(
        has=lab.page.locator(".nba-insp-name", has_text=name)
    )
    entry.locator("summary").first.click()
    return entry


@pytest.mark.mcp
def test_list_call_progress_stop_elicit_read(lab: LabPage, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    log.touch()
    cell = SETUP.format(python=sys.executable, log=str(log), root=str(ROOT))
    lab.open("mcp.ipynb", [cell])
    tabs = lab.page.locator(".nba-inspector .nba-insp-tabs")
    lab.wait_js(
        "() => [...document.querySelectorAll('.nba-insp-tab')].some("
        "(t) => t.textContent === 'Tools (13)')"
    )
    assert "Resources (2)" in tabs.inner_text()
    assert "Prompts (1)" in tabs.inner_text()
    head = lab.page.locator(".nba-insp-head").inner_text()
    assert "toolbox" in head
    assert "stdio" in head
    # The command as it reads, not the interpreter's path (the trait is saved with the notebook).
    assert f"{Path(sys.executable).name} -m tests.mcp_servers.toolbox" in head
    assert sys.executable not in head
    # No call yet: nothing under the lists (no empty box), once the calls' view is there.
    lab.wait_js("() => document.querySelector('.nba-insp-calls .nba-group') !== null")
    assert lab.js("() => document.querySelector('.nba-insp-calls').offsetHeight") == 0

    # A form filled and called: the call is a turn with its tool panel.
    add = tool(lab, "add")
    add.get_by_label("a", exact=True).fill("2")
    add.get_by_role("button", name="Call").click()
    error = add.locator(".nba-insp-error")
    error.wait_for(state="visible")
    assert "b: required" in error.inner_text()
    add.get_by_label("b", exact=True).fill("3")
    add.get_by_role("button", name="Call").click()
    wait_turn(lab, 0, "completed")
    first = turn(lab, 0)
    # The call's panel, open with its result first (no click), is the turn: no prompt
    # bubble above it, no model's numbers on its status line, only its state and duration.
    panel = first.locator(".nba-tool").first
    assert panel.get_attribute("open") is not None
    assert first.locator(".nba-result").first.inner_text().strip() == "5"
    result_y = first.locator(".nba-result-head").first.bounding_box()["y"]
    args_y = first.locator(".nba-section", has_text="Arguments").first.bounding_box()["y"]
    assert result_y < args_y
    assert "add · toolbox" in panel.inner_text()
    assert "a=2, b=3" in panel.locator(".nba-preview").inner_text()
    assert lab.page.locator(".nba-insp-calls .nba-prompt:not([hidden])").count() == 0
    assert first.locator(".nba-status-label").inner_text() == "completed"
    parts = first.locator(".nba-status-parts").inner_text()
    assert re.fullmatch(r"\d+\.\d s", parts), parts  # not "first token — · — tok/s"
    # The calls come from the forms: their chat has no input box.
    assert lab.page.locator(".nba-inspector .nba-chat-input").count() == 0

    # Live progress in the turn's status line, then Stop: the server sees the cancellation.
    slow = tool(lab, "slow")
    slow.get_by_label("steps", exact=True).fill("600")
    slow.get_by_role("button", name="Call").click()
    lab.wait_js(
        "() => [...document.querySelectorAll('.nba-insp-calls .nba-status-label')]"
        ".some((l) => /progress \\d+\\/600: step/.test(l.textContent) "
        "|| /did step/.test(l.textContent))"
    )
    turn(lab, 1).get_by_role("button", name="Stop").click()
    wait_turn(lab, 1, "cancelled")
    wait_for(lambda: "slow cancelled" in log.read_text(), 60, "the server to log the cancellation")

    # An elicitation: the form the server asked for, answered from the page.
    tool(lab, "ask_name").get_by_role("button", name="Call").click()
    ask = lab.page.locator(".nba-insp-ask")
    ask.wait_for()
    assert "Who is asking?" in ask.inner_text()
    ask.get_by_label("name", exact=True).fill("Ada")
    ask.locator(".nba-form-check").check()
    ask.get_by_role("button", name="Accept").click()
    wait_turn(lab, 2, "completed")
    ask.wait_for(state="detached")
    third = turn(lab, 2)
    assert third.locator(".nba-result").first.inner_text().strip() == "hello Ada (tea)"

    # A resource read, from the Resources tab.
    tabs.get_by_role("tab", name="Resources (2)").click()
    readme = tool(lab, "notes://readme")
    readme.get_by_role("button", name="Read").click()
    wait_turn(lab, 3, "completed")
    fourth = turn(lab, 3)
    assert "# Toolbox" in fourth.locator(".nba-result").first.inner_text()

    # The server's log and the connection's messages.
    tabs.get_by_role("tab", name="Log", exact=False).click()
    lab.wait_js("() => document.querySelector('.nba-insp-feed')?.textContent.includes('did step')")
    tabs.get_by_role("tab", name="JSON-RPC", exact=False).click()
    lab.wait_js(
        "() => document.querySelector('.nba-insp-feed')?.textContent.includes('tools/call')"
    )

    # Hostile text from the server stays text.
    tabs.get_by_role("tab", name="Tools", exact=False).click()
    hostile = tool(lab, "hostile")
    description = hostile.locator(".nba-insp-desc").inner_text()
    assert '<img src=x onerror="window.__pwned=1">' in description
    hostile.get_by_role("button", name="Call").click()
    wait_turn(lab, 4, "completed")
    fifth = turn(lab, 4)
    assert "onerror" in fifth.locator(".nba-result").first.inner_text()
    assert lab.js("() => window.__pwned") is None
    assert lab.page.locator(".nba-inspector img").count() == 0

    # A sound plays in the call's panel: a player the browser reads the WAV's length from.
    tool(lab, "sound").get_by_role("button", name="Call").click()
    wait_turn(lab, 5, "completed")
    player = "document.querySelector('.nba-insp-calls audio.nba-data-audio')"
    lab.wait_js(f"() => {player}?.readyState >= 1")  # HAVE_METADATA: loadedmetadata fired
    got = lab.js(
        f"() => {{ const a = {player}; "
        "return [a.controls, a.getAttribute('src').slice(0, 22), a.duration]; }"
    )
    assert got[:2] == [True, "data:audio/wav;base64,"]
    assert got[2] == pytest.approx(0.1)  # finite and > 0: decoded, not just present
    assert lab.foreign_requests() == []


AGENT = """\
import nbagent, openai
server = nbagent.mcp([{python!r}, "-m", "tests.mcp_servers.toolbox"], cwd={root!r})
client = openai.AsyncOpenAI(base_url={url!r}, api_key="test", max_retries=0)
agent = nbagent.Agent("m", tools=[server], client=client)
run = agent.run("Greet me.")
"""


@pytest.mark.mcp
def test_a_question_during_an_agents_call_is_answered_in_its_panel(lab: LabPage) -> None:
    """The question's form in the call's panel: typed into, checked, accepted."""
    scripts = [calls_step(("c1", "ask_name", "{}")), text_chunks(["Hello, Ada."])]
    with OpenAIServer(scripts=scripts) as srv:
        cell = AGENT.format(python=sys.executable, root=str(ROOT), url=srv.base_url)
        lab.open("mcp_agent.ipynb", [cell])
        panel = lab.page.locator(".nba-tool").first
        head = panel.locator(".nba-pause-head")
        head.wait_for()
        assert head.inner_text().startswith("The server asks: Who is asking?")
        assert "waiting for you" in head.inner_text()
        # The question's form (the answer chunk, loaded for this first paused call), from the
        # requested schema: Accept checks it in the browser, then sends its fields.
        name = panel.get_by_label("name", exact=True)
        name.wait_for()
        assert name.input_value() == ""
        assert not panel.locator(".nba-form-check").is_checked()  # tea: False, from `fill`
        assert panel.get_by_role("button", name="Edit arguments").is_hidden()
        panel.get_by_role("button", name="Accept").click()
        error = panel.locator(".nba-pause-error")
        assert error.inner_text() == "name: required"
        name.fill("Ada")
        panel.locator(".nba-form-check").check()
        panel.get_by_role("button", name="Accept").click()
        lab.wait_status("completed", 0)
        assert lab.js("() => globalThis.__nbagentAnswer?.size") == 1
    panel.locator(".nba-summary").click()
    assert panel.locator(".nba-result").first.inner_text().strip() == "hello Ada (tea)"
    assert "Approved" in panel.locator(".nba-pause-answer").inner_text()


# -- ACP --------------------------------------------------------------------------------

SHOWCASE = ROOT / "tests" / "acp_agents" / "showcase.py"
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
    pytest.importorskip("acp")
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
    print(f"\nACP: {time.monotonic() - started:.1f} s")


PROPOSE = f"""\
import sys, nbagent
agent = nbagent.acp([sys.executable, {str(SHOWCASE)!r}])
run = agent.prompt("propose")
"""
# The status line is one row: no item of it wrapped (as tall as two lines), none pushed past its
# right edge (Stop, where the run shows one, in sight).
ONE_ROW_JS = """(line) => {
    const edge = line.getBoundingClientRect().right;
    const shown = [...line.children].filter((c) => c.getClientRects().length > 0);
    const boxes = shown.map((c) => c.getBoundingClientRect());
    const button = line.querySelector('.nba-details-toggle').getBoundingClientRect().height;
    return {tallest: Math.max(...boxes.map((b) => b.height)), button,
            past: shown.filter((c, i) => boxes[i].right > edge + 0.5).map((c) => c.className),
            items: shown.map((c, i) => [c.className, boxes[i].width, boxes[i].right, edge])};
}"""


# Open (true) or close the left sidebar; whether it was closed before.
SIDEBAR_JS = """(open) => {
    const shell = jupyterapp.shell, was = shell.leftCollapsed;
    if (open && was) shell.expandLeft();
    if (!open && !was) shell.collapseLeft();
    return was;
}"""


def one_row(lab: LabPage, widget: Any) -> None:
    got = widget.locator(".nba-status").first.evaluate(ONE_ROW_JS)
    assert got["tallest"] < 1.5 * got["button"], got
    assert got["past"] == [], got


def test_stop_leaves_nothing_pending_on_one_status_line(lab: LabPage) -> None:
    """The agent proposes an edit and asks to make it; Stop: the call and its plan step end
    cancelled, the diff stays a proposed one, and at a 1,050 px window the status line (label,
    numbers, context gauge, session, buttons) stays one row."""
    pytest.importorskip("acp")
    size = lab.page.viewport_size
    lab.page.set_viewport_size({"width": 1050, "height": size["height"]})
    try:
        lab.open("acp_stop.ipynb", [PROPOSE, "agent.close()"], run=False)
        collapsed = lab.js(SIDEBAR_JS, True)  # as a newcomer's window: the file browser open
        lab.run_cell(0)
        widget = lab.widget(0)
        widget.get_by_role("button", name="Allow once").wait_for(state="visible")
        edit = widget.locator(".nba-tool").filter(has_text="Edit data.py")
        assert text_of(lab, edit, ".nba-acp-badge") == "edit · pending"
        assert edit.locator(".nba-result-head").text_content() == "Proposed diff"
        assert text_of(lab, edit, ".nba-diff-counts") == COUNTS
        text_of(lab, widget, ".nba-status .nba-gauge-text")
        one_row(lab, widget)
        lab.page.set_viewport_size({"width": 900, "height": size["height"]})  # and narrower
        one_row(lab, widget)
        lab.page.set_viewport_size({"width": 1050, "height": size["height"]})

        widget.locator(".nba-status .nba-stop").click()
        lab.wait_status("cancelled", 0)
        lab.page.wait_for_function(
            "(el) => el.textContent === 'edit · cancelled'",
            arg=edit.locator(".nba-acp-badge").element_handle(),
        )
        assert edit.get_attribute("class").split().count("nba-cancelled") == 1
        assert edit.locator(".nba-result-head").text_content() == "Proposed diff"
        marks = widget.locator(".nba-plan-mark").all_inner_texts()
        assert marks == ["☑", "☒", "☐"]
        assert text_of(lab, widget, ".nba-plan-cancelled .nba-plan-text") == "Fix the rounding"
        assert not [b for b in widget.locator(".nba-acp-badge").all_inner_texts() if "pending" in b]
        one_row(lab, widget)
        lab.run_cell(1)  # the agent's process ends with its handle
        lab.wait_kernel_idle()
        lab.js(SIDEBAR_JS, not collapsed)
    finally:
        lab.page.set_viewport_size(size)
    assert not lab.foreign_requests(), lab.foreign_requests()
