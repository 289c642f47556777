"""A ``marimo run`` app's viewers (``nbagent.page_role``), as in Voilà
(tests/browser/test_voila_viewer.py): the page offers no Re-run or Fork, and the kernel refuses
a re-run, a fork and a pause's answer that a viewer sends by hand, through marimo's own
endpoint for widget messages; the author's switch turns them back on. The proof is the tool's
own log (the app of the Voilà test). A real marimo server in run mode, Debian Chromium, the
offline demo model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import require_bundle
from tests.browser.marimo_app import MarimoPage, MarimoServer
from tests.browser.test_voila_viewer import AGENT, hand_made
from tests.wait import wait_for

pytestmark = pytest.mark.browser

# The ids a hand-made message needs, shown in the app (a viewer reads them there).
IDS = """
import marimo as mo
agent_run.wait()
mo.md(f"ids {agent_run.widget.model_id} {agent_run.transcript.tool_calls[0].id}")
"""


@pytest.fixture(scope="module", params=["viewer", "author"])
def app(request: pytest.FixtureRequest, chromium_browser: Any) -> Iterator[tuple[str, Any]]:
    """The app served by ``marimo run`` (the author's switched on, or not) and its page,
    once the run completed."""
    require_bundle()
    role = 'nbagent.page_role("author")' if request.param == "author" else ""
    agent = AGENT.format(role=role, name="app", log="app-calls.log")
    with MarimoServer([agent, IDS], mode="run") as server:
        context = chromium_browser.new_context()
        sockets: list[str] = []
        context.on("page", lambda p: p.on("websocket", lambda ws: sockets.append(ws.url)))
        try:
            page = MarimoPage(context.new_page(), server)
            page.wait_status("Agent", "completed")
            yield request.param, Forger(page, server, sockets)
        finally:
            context.close()


class Forger:
    """Messages to the run's widget made by hand: what marimo's page posts for a widget
    (``/api/kernel/set_model_value``), with the viewer's own content."""

    def __init__(self, page: MarimoPage, server: MarimoServer, sockets: list[str]) -> None:
        self.page, self.server = page, server
        shown = page.page.get_by_text(re.compile(r"^ids \S+ \S+$"))
        shown.wait_for()
        self.model_id, self.call_id = shown.inner_text().split()[1:]
        wait_for(lambda: any("session_id=" in u for u in sockets), what="marimo's socket")
        url = next(u for u in sockets if "session_id=" in u)
        self.session = parse_qs(urlsplit(url).query)["session_id"][0]

    def send(self, content: dict[str, Any]) -> int:
        status: int = self.page.page.evaluate(
            """async ([session, body]) => (await fetch('/api/kernel/set_model_value', {
                method: 'POST', body: JSON.stringify(body),
                headers: {
                    'Content-Type': 'application/json', 'Marimo-Session-Id': session,
                    // the page's own skew-protection token, as marimo's page sends it
                    'Marimo-Server-Token':
                        document.querySelector('marimo-server-token').dataset.token,
                },
            })).status""",
            [
                self.session,
                {
                    "modelId": self.model_id,
                    "message": {"method": "custom", "content": content},
                    "buffers": [],
                },
            ],
        )
        return status

    def calls(self) -> list[str]:
        log = self.server.dir / "app-calls.log"
        return log.read_text().split() if log.exists() else []

    def refused(self) -> list[str]:
        log = self.server.dir / "app-refused.log"
        return re.findall(r"refused a '(\w+)' message", log.read_text() if log.exists() else "")


def test_hand_made_messages_are_refused_for_viewers_and_run_for_the_author(
    app: tuple[str, Forger],
) -> None:
    role, forger = app
    panel = forger.page.widget("Agent").locator(".nba-tool").first
    panel.locator(".nba-summary").click()
    panel.locator(".nba-copy-call").wait_for()
    assert panel.locator(".nba-rerun-open").is_visible() is (role == "author")
    assert forger.calls() == ["Paris"]
    if role == "viewer":
        for content in hand_made(forger.call_id):
            assert forger.send(content) == 200
        # Refused where it would have started: once the log says so, the tool was not called.
        wait_for(lambda: len(forger.refused()) == 3, what="3 refusals in the app's log")
        assert forger.refused() == ["rerun", "fork", "pause_answer"]
        assert forger.calls() == ["Paris"]
    else:
        assert forger.send(hand_made(forger.call_id)[0]) == 200  # the same re-run: it runs
        wait_for(
            lambda: forger.calls() == ["Paris", "VIEWER-CHOSE-THIS"],
            what="the tool to log the re-run",
        )
        assert forger.refused() == []
    assert forger.page.errors == []
