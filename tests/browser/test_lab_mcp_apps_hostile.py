"""A hostile MCP app in JupyterLab + Chromium (tests/mcp_servers/apps.py ``--hostile``, the
``misbehave`` tool's app: plain HTML and JS). It fetches a foreign URL and loads a foreign
image (the CSP's ``default-src 'none'`` stops both: no request leaves the page), reads and
writes ``parent.document`` (the sandbox's opaque origin: a SecurityError), sets
``top.location`` (no ``allow-top-navigation``: the page stays), asks for ten downloads and one
of a link (three offers wait for the reader, the rest and the link refused), logs markup (shown
as text), sends malformed JSON-RPC, a 3 MB message and 5,000 pings as fast as it can (the
host's checks: dropped, or answered within the rate bound). Nothing outside its frame
changes (the page's title and address, a neighbour widget, the notebook's cells), the page
sends no request outside the Jupyter server (the foreign image shows, at times, as a request
Chromium failed with "csp": stopped before it was sent), a cell still runs, and the call's
panel says nothing broke.

The known gap: the frame may navigate itself (``location = ...`` inside it); neither the
sandbox (no flag governs a frame's own navigation) nor the CSP (``navigate-to`` was never
shipped) stops that, so the app could load a foreign page in its own frame."""

from __future__ import annotations

import json
import sys

import pytest

from tests.browser.lab import LabPage
from tests.browser.test_lab_mcp_apps import ROOT
from tests.browser.test_lab_protocols import tool, turn, wait_turn
from tests.mcp_servers.apps import FLOOD

pytestmark = pytest.mark.browser

CELLS: list[str | tuple[str, str]] = [
    "import nbagent\n"
    f"server = nbagent.mcp([{sys.executable!r}, '-m', 'tests.mcp_servers.apps', '--hostile'],"
    f" cwd={str(ROOT)!r})\nserver",
    "neighbour = nbagent.show(['a neighbour widget, untouched'])",
    "pass",
]
PER_SECOND = 50
"""The host's rate bound (js/src/panels/app_host.js MAX_PER_SECOND)."""

OUTSIDE_JS = """() => ({
    title: document.title,
    href: location.href,
    cells: jupyterapp.shell.currentWidget.content.widgets.length,
    neighbour: jupyterapp.shell.currentWidget.content.widgets[1].node
        .querySelector('.jp-OutputArea').innerText,
})"""


@pytest.mark.mcp
def test_a_hostile_app_changes_nothing_outside_its_frame(lab: LabPage) -> None:
    lab.open("mcp_apps_hostile.ipynb", CELLS)
    lab.wait_cell_output(1, "a neighbour widget, untouched")
    lab.wait_tools_listed()
    before = lab.js(OUTSIDE_JS)
    # Chromium may report an image the CSP blocks as a request that failed with "csp": tried
    # in the frame, stopped in the browser, never sent.
    blocked: list[str] = []
    lab.page.on("requestfailed", lambda r: blocked.append(r.url) if r.failure == "csp" else None)
    entry = tool(lab, "misbehave")
    entry.get_by_text("raw JSON").click()
    entry.get_by_label("Arguments (JSON)").fill("{}")
    entry.get_by_role("button", name="Call").click()
    wait_turn(lab, 0, "completed")
    frame = turn(lab, 0).locator("iframe.nba-app-frame")
    assert frame.get_attribute("sandbox") == "allow-scripts"
    app = turn(lab, 0).frame_locator("iframe.nba-app-frame")
    app.locator("#flood").wait_for()
    said = {k: app.locator(f"#{k}").inner_text() for k in ("fetch", "parent", "write", "top")}
    assert said["fetch"].startswith("blocked"), said
    assert said["parent"] == "blocked: SecurityError", said
    assert said["write"] == "blocked: SecurityError", said
    flood = json.loads(app.locator("#flood").inner_text())
    assert flood["sent"] == FLOOD
    # Answered within the rate bound (a second's window, over the time the flood took).
    assert flood["answers"] <= PER_SECOND * (flood["ms"] / 1000 + 2), flood

    # Its downloads: the offers that may wait (js/src/panels/app_download.js MAX_OFFERS), its
    # files named without a path; its log as text, no image of it.
    offers = turn(lab, 0).locator(".nba-app-offer")
    offers.nth(2).wait_for()
    assert offers.count() == 3
    assert offers.nth(0).inner_text().startswith("The app offers x0.txt (1 bytes)")
    log = turn(lab, 0).locator(".nba-app .nba-output")
    log.filter(has_text="info: <img src=https://example.com/log.png>19").wait_for()
    assert turn(lab, 0).locator(".nba-app img").count() == 0

    # Nothing outside the frame changed; the call's panel says nothing broke; a cell runs.
    assert lab.js(OUTSIDE_JS) == before
    assert turn(lab, 0).locator(".nba-app-note").inner_text() == ""
    assert turn(lab, 0).locator(".nba-error").count() == 0
    lab.run_source(2, "print(6 * 7)")
    lab.wait_cell_output(2, "42")
    assert [u for u in lab.foreign_requests() if u not in blocked] == []
