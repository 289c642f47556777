"""The MCP tutorial's app live in JupyterLab + Chromium (notebooks/mcp.ipynb, "A server with an
app"): the tutorial's own cells (the weather server, whose ``weather_card`` tool has an app
through the SDK's ``mcp.server.apps``; the app, a plain HTML page whose inline script speaks the
handshake without ext-apps' SDK; an agent on the scripted model calling the tool). The call's
panel, opened, shows the app in a frame sandboxed ``allow-scripts`` only; the app completes the
handshake, shows the call's input and result, and follows the page's light and dark theme; the
page makes no request outside the Jupyter server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.lab import LabPage, set_theme

pytestmark = pytest.mark.browser

TUTORIAL = Path(__file__).resolve().parents[2] / "notebooks" / "mcp.ipynb"


def tutorial_cells(*starts: str) -> list[str | tuple[str, str]]:
    """The tutorial's code cells that begin with ``starts``, in that order, as it writes them."""
    cells = json.loads(TUTORIAL.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    found: list[str | tuple[str, str]] = []
    for start in starts:
        (source,) = [s for s in code if s.startswith(start)]
        found.append(source)
    return found


CELLS = tutorial_cells(
    "import sys",
    "%%writefile weather_server.py",
    "server = nbagent.mcp(",
    "%%writefile forecast_card.html",
    "agent = nbagent.Agent(",  # the agent (its first run: the forecast for Oslo and Bergen)
    "(tool,) = ",  # the weather card for Lisbon
)


@pytest.mark.mcp
def test_the_tutorials_app_shows_its_call_and_follows_the_theme(lab: LabPage) -> None:
    lab.open("mcp_apps_tutorial.ipynb", CELLS)
    lab.wait_status("completed", nth=1, timeout=120)
    card = lab.widget(1)
    card.locator(".nba-tool > summary").first.click()
    assert card.locator(".nba-app-uri").inner_text() == "ui://weather/card.html"
    frame = card.locator("iframe.nba-app-frame")
    assert frame.get_attribute("sandbox") == "allow-scripts"
    app = card.frame_locator("iframe.nba-app-frame")
    app.locator("#city", has_text="Tomorrow in Lisbon").wait_for()
    app.locator("#temp", has_text="21 °C").wait_for()
    assert app.locator("#sky").inner_text() == "sunny"
    app.locator("html[data-theme='light']").wait_for()

    set_theme(lab, "JupyterLab Dark")
    try:
        app.locator("html[data-theme='dark']").wait_for()
    finally:
        set_theme(lab, "JupyterLab Light")
    app.locator("html[data-theme='light']").wait_for()
    assert card.locator(".nba-app-note").inner_text() == ""
    assert lab.foreign_requests() == []
