"""A Voilà dashboard's viewers (``nbagent.page_role``): the page offers no Re-run, Fork or
pause answers, and the kernel refuses them when the page sends them by hand; the author's
switch (``nbagent.page_role("author")`` in the notebook) turns them back on. The proof is the
tool's own log: a file each call appends to. A run looks as in JupyterLab, light and dark. A
real Voilà 0.5 server, Debian Chromium, the offline demo model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.lab import require_bundle
from tests.browser.look import LOOK_RUN, look_of
from tests.browser.voila_app import VoilaPage, VoilaServer
from tests.wait import wait_for

pytestmark = pytest.mark.browser

AGENT = """\
import logging
import nbagent
from nbagent import demo
{role}
# What an app's author may keep: the requests the kernel refused (nbagent's logger).
logging.getLogger("nbagent").addHandler(logging.FileHandler("{name}-refused.log"))

def get_weather(city: str, unit: str = "C") -> dict:
    \"\"\"Current weather observations for a city.\"\"\"
    with open("{log}", "a") as log:
        log.write(city + "\\n")
    return demo.get_weather(city, unit)

llm = demo.connect()
agent = nbagent.Agent(
    llm.model, tools=[get_weather], instructions=demo.INSTRUCTIONS, client=llm.client
)
agent_run = agent.run("What is the weather in Paris?", title="Agent")
"""
# The model id in the page: a viewer reads it from the output; a hand-made message needs it.
MODEL_ID = """\
await agent_run
print("model", agent_run.widget.model_id, agent_run.transcript.tool_calls[0].id)
"""
PANEL = ".nba-live .nbagent .nba-tool"


@pytest.fixture(scope="module")
def server() -> Iterator[VoilaServer]:
    require_bundle()
    with VoilaServer() as server:
        for name, role in (("viewer", ""), ("author", 'nbagent.page_role("author")')):
            cells = [AGENT.format(role=role, name=name, log=f"{name}-calls.log"), MODEL_ID]
            server.write_notebook(f"{name}.ipynb", cells)
        look = f"import nbagent\nfrom nbagent import demo\n{LOOK_RUN}"
        server.write_notebook("look.ipynb", [look])
        yield server


class Dashboard:
    """A dashboard's page once its agent run completed: the run's widget model id and tool
    call id (from the notebook's output), and the snapshots the kernel sent the page."""

    def __init__(self, browser: Any, server: VoilaServer, name: str) -> None:
        self.page = page = VoilaPage(browser, server)
        self.server, self.name = server, name
        page.open(f"{name}.ipynb")
        page.wait_js(
            "() => document.querySelector('.nba-live .nba-status-label')"
            "?.textContent.startsWith('completed')",
            timeout=60,
        )
        text = page.page.locator(".jp-OutputArea-output", has_text="model ").inner_text()
        found = re.search(r"model ([0-9a-f]{32}) (\S+)", text)
        assert found, text
        self.model_id, self.call_id = found.groups()
        self.panel = page.page.locator(PANEL).first
        self.panel.locator(".nba-summary").click()

    def forge(self, content: dict[str, Any]) -> None:
        """Send ``content`` to the run's widget by hand (``window.__nbaForge``)."""
        self.page.js("([id, c]) => window.__nbaForge(id, c)", [self.model_id, content])

    def refused(self) -> list[str]:
        """The messages the kernel refused, from the notebook's log of nbagent's refusals."""
        log = Path(self.server.root) / f"{self.name}-refused.log"
        return re.findall(r"refused a '(\w+)' message", log.read_text() if log.exists() else "")


def calls(server: VoilaServer, name: str) -> list[str]:
    """The cities the dashboard's tool was called with, from its own log."""
    log = Path(server.root) / f"{name}-calls.log"
    return log.read_text().split() if log.exists() else []


def hand_made(call_id: str) -> list[dict[str, Any]]:
    """A re-run, a fork and a pause's answer with the viewer's own input."""
    return [
        {"type": "rerun", "id": call_id, "args": {"city": "VIEWER-CHOSE-THIS"}},
        {"type": "fork", "step": None, "edit": {call_id: "VIEWER-CHOSE-THIS"}},
        {"type": "pause_answer", "id": call_id, "action": "run", "args": {"city": "VIEWER"}},
    ]


def test_a_viewer_is_offered_no_rerun_and_its_hand_made_messages_are_refused(
    chromium_browser: Any, server: VoilaServer
) -> None:
    board = Dashboard(chromium_browser, server, "viewer")
    try:
        assert board.panel.locator(".nba-rerun-open").is_hidden()
        assert board.panel.locator(".nba-fork-box").is_hidden()
        assert board.panel.locator(".nba-copy-call").is_visible()  # copying stays
        assert calls(server, "viewer") == ["Paris"]
        for content in hand_made(board.call_id):
            board.forge(content)
        # Refused where it would have started: once the log says so, the tool was not called.
        wait_for(lambda: len(board.refused()) == 3, what="3 refusals in the notebook's log")
        assert board.refused() == ["rerun", "fork", "pause_answer"]
        assert calls(server, "viewer") == ["Paris"]
        assert board.page.page.locator(f"{PANEL} .nba-rerun").count() == 0
        assert [m for m in board.page.console if m.startswith("pageerror")] == []
    finally:
        board.page.close()


def test_the_authors_switch_turns_them_back_on(chromium_browser: Any, server: VoilaServer) -> None:
    board = Dashboard(chromium_browser, server, "author")
    try:
        assert board.panel.locator(".nba-rerun-open").is_visible()
        board.forge(hand_made(board.call_id)[0])  # the same hand-made re-run: now it runs
        wait_for(
            lambda: calls(server, "author") == ["Paris", "VIEWER-CHOSE-THIS"],
            what="the tool to log the re-run",
        )
        board.panel.locator(".nba-rerun .nba-result").wait_for()
        assert board.refused() == []
    finally:
        board.page.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_look_is_jupyterlabs(chromium_browser: Any, server: VoilaServer, theme: str) -> None:
    """The dashboard draws the run as JupyterLab does (tests/browser/look.py), in Voilà's
    light and dark themes (``?theme=dark``)."""
    page = VoilaPage(chromium_browser, server)
    try:
        page.open("look.ipynb" + ("?theme=dark" if theme == "dark" else ""))
        page.wait_js(
            "() => document.querySelector('.nba-live .nba-status-label')"
            "?.textContent.startsWith('completed')",
            timeout=60,
        )
        look_of(page.page.locator(".nba-live .nbagent").first, "voila", theme)
    finally:
        page.close()
