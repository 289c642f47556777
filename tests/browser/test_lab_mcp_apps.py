"""End to end, in JupyterLab + Chromium: an MCP server whose tool has an app
(tests/mcp_servers/apps.py, written with the SDK's ``mcp.server.apps``; its app with
ext-apps' own ``App`` class, so the handshake is the real one) in its inspector. Calling
``chart`` from the Tools tab shows its app in the call's panel: a frame sandboxed with
``allow-scripts`` only, its CSP naming the domain the app declares (its server's
``app_domains=True``), inside which the app says it connected and shows the input and result
it received and the page's theme and the cell's width, which it follows as they change; its
button's tool call pauses for the author in the call's panel, answered as the model's calls
are (its arguments edited there), then the app gets its result; its log shows under it; its
download is offered in the panel and saved by the reader's click; the page makes no request
outside the server."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from nbagent.mcp_client._app_domains import csp_policy
from tests.browser.lab import LabPage, set_theme
from tests.browser.test_lab_protocols import tool, turn, wait_turn
from tests.mcp_servers.apps import APP_HTML

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

SETUP = """\
import nbagent
server = nbagent.mcp(
    [{python!r}, "-m", "tests.mcp_servers.apps", "--log", {log!r}], cwd={root!r}, app_domains=True
)
server
"""


@pytest.mark.mcp
def test_a_tools_app_shows_its_input_and_result_sandboxed(lab: LabPage, tmp_path: Path) -> None:
    if not APP_HTML.is_file():
        pytest.fail(f"{APP_HTML} is missing: `make tests/mcp_apps/dist/app.html`", pytrace=False)
    log = tmp_path / "calls.log"
    log.touch()
    lab.open("mcp_apps.ipynb", [SETUP.format(python=sys.executable, log=str(log), root=str(ROOT))])
    lab.wait_tools_listed()
    chart = tool(lab, "chart")
    chart.get_by_text("raw JSON").click()
    chart.get_by_label("Arguments (JSON)").fill(json.dumps({"values": [3, 4]}))
    chart.get_by_role("button", name="Call").click()
    wait_turn(lab, 0, "completed")
    assert turn(lab, 0).locator(".nba-app-uri").inner_text() == "ui://chart/app.html"

    frame = turn(lab, 0).locator("iframe.nba-app-frame")
    assert frame.get_attribute("sandbox") == "allow-scripts"
    app = turn(lab, 0).frame_locator("iframe.nba-app-frame")
    # The app's declared domain, allowed by app_domains=True: in its frame's CSP, as the page
    # built it, and said in its panel.
    reach = "https://api.example.com"
    assert turn(lab, 0).locator(".nba-app-domains").inner_text() == f"the app may reach {reach}"
    csp = app.locator('meta[http-equiv="Content-Security-Policy"]')
    assert csp.get_attribute("content") == csp_policy({"connectDomains": [reach]})
    app.locator("#state", has_text="connected").wait_for()
    # Its log (the page asks the kernel for the extras chunk that draws it: no call of the
    # app's has needed it yet).
    turn(lab, 0).locator(".nba-app .nba-output", has_text="info chart: connected").wait_for()
    app.locator("#result", has_text="2 values, total 7").wait_for()
    assert json.loads(app.locator("#input").inner_text()) == {"values": [3, 4]}
    assert app.locator("#theme").inner_text() == "light"
    assert "chart [3.0, 4.0] apps=True" in log.read_text()

    # The page turns dark, then light again: the app is told each time (host-context-changed).
    set_theme(lab, "JupyterLab Dark")
    try:
        app.locator("#theme", has_text="dark").wait_for()
    finally:
        set_theme(lab, "JupyterLab Light")
    app.locator("#theme", has_text="light").wait_for()

    # The page narrows: the app is told the cell's new width (host-context-changed).
    shown = app.locator("#width", has_text=re.compile(r"^[1-9]\d*$"))
    shown.wait_for()
    wide = int(shown.inner_text())
    lab.page.set_viewport_size({"width": 900, "height": 1000})
    try:
        app.locator("#width", has_text=re.compile(rf"^(?!{wide}$)\d+$")).wait_for()
        assert int(app.locator("#width").inner_text()) < wide
    finally:
        lab.page.set_viewport_size({"width": 1280, "height": 1000})
    app.locator("#width", has_text=str(wide)).wait_for()

    # The app's button calls a tool through the host: the call pauses for the author, answered
    # like the model's (the panel's own Run, Edit arguments, Deny), nothing called yet; its
    # arguments edited in the page, and the app gets the result of the edited call.
    app.locator("#bump").click()
    waiting = turn(lab, 0).locator(".nba-app .nba-pause")
    waiting.locator(".nba-pause-head", has_text="bump, called by the app").wait_for()
    assert app.locator("#bumped").inner_text() == "calling"
    assert "bump" not in log.read_text()
    waiting.get_by_role("button", name="Edit arguments").click()
    editor = waiting.get_by_role("textbox", name="Arguments (JSON)")
    assert json.loads(editor.input_value()) == {"by": 1}
    editor.fill('{"by": 4}')
    waiting.get_by_role("button", name="Run with these arguments").click()
    app.locator("#bumped", has_text="bumped by 4").wait_for()
    assert "bump 4" in log.read_text()
    assert turn(lab, 0).locator(".nba-app .nba-pause").count() == 0

    # The app asks for a download (its frame may not): offered in the panel, saved on a click.
    app.locator("#download").click()
    offer = turn(lab, 0).locator(".nba-app-offer")
    offer.filter(has_text="The app offers chart.csv (8 bytes)").wait_for()
    assert app.locator("#downloaded").inner_text() == "asking"
    with lab.page.expect_download() as saved:
        offer.get_by_role("button", name="Save").click()
    assert saved.value.suggested_filename == "chart.csv"
    assert Path(saved.value.path()).read_text() == "x,y\n1,2\n"
    app.locator("#downloaded", has_text="saved").wait_for()
    assert offer.count() == 0
    assert lab.foreign_requests() == []
