"""End to end: an MCP server's inspector in JupyterLab (``nbagent.mcp(...)`` as a cell's last
expression), against tests/mcp_servers/toolbox.py over stdio: the lists, a form filled and
called, a required field missing, live progress then Stop (the server sees the
cancellation), an elicitation answered from the page, a resource read, the Log and JSON-RPC
tabs, a server's hostile text shown as text, and a sound played in its call's panel. And an
agent's run whose MCP tool call the server asks a question during: answered in the call's
panel."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.browser.lab import LabPage, lab_fixture, lab_server_fixture  # noqa: F401
from tests.servers import OpenAIServer, text_chunks
from tests.test_agent import calls_step
from tests.wait import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.mcp]

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
    assert "add(a=2, b=3)" in first.inner_text()
    first.locator(".nba-tool .nba-summary").click()
    assert first.locator(".nba-result").first.inner_text().strip() == "5"
    assert "add · toolbox" in first.locator(".nba-tool").inner_text()
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
    third.locator(".nba-tool .nba-summary").click()
    assert third.locator(".nba-result").first.inner_text().strip() == "hello Ada (tea)"

    # A resource read, from the Resources tab.
    tabs.get_by_role("tab", name="Resources (2)").click()
    readme = tool(lab, "notes://readme")
    readme.get_by_role("button", name="Read").click()
    wait_turn(lab, 3, "completed")
    fourth = turn(lab, 3)
    fourth.locator(".nba-tool .nba-summary").click()
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
    fifth.locator(".nba-tool .nba-summary").click()
    assert "onerror" in fifth.locator(".nba-result").first.inner_text()
    assert lab.js("() => window.__pwned") is None
    assert lab.page.locator(".nba-inspector img").count() == 0

    # A sound plays in the call's panel: a player the browser reads the WAV's length from.
    tool(lab, "sound").get_by_role("button", name="Call").click()
    wait_turn(lab, 5, "completed")
    turn(lab, 5).locator(".nba-tool .nba-summary").click()
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
