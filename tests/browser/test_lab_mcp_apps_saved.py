"""A run with an MCP app saved, its kernel shut down, the notebook reopened (trusted, as
JupyterLab signs what it saves): the saved view shows the app as it was, from the notebook
alone, in a frame sandboxed as the live one; the app (ext-apps' own ``App``, so the handshake
is the real one) receives the call's input and result; its button's tool call is answered with
a JSON-RPC error "no kernel"; the page makes no request outside the Jupyter server. The same
notebook written by another hand (unsigned: untrusted) shows a line naming the app and its tool,
never the app's code."""

from __future__ import annotations

import json

import nbformat
import pytest

from tests.browser.lab import LabPage
from tests.browser.test_reopen import (
    LIVE_SEL,
    SAVED_SEL,
    reopen_without_kernel,
    saved_notebook,
    wait_output_final,
)
from tests.mcp_servers.apps import APP_HTML, APP_URI

pytestmark = pytest.mark.browser

CELL = """\
import nbagent
from pathlib import Path
from nbagent.core.events import Custom, ToolCallEnd, ToolCallStart, ToolResult
uri = {uri!r}
result = {{"content": [{{"type": "text", "text": "2 values, total 7"}}], "isError": False}}
run = nbagent.show([
    ToolCallStart(tool_call_id="c", name="chart", meta={{"app": {{"uri": uri}}}}),
    ToolCallEnd(tool_call_id="c", args={{"values": [3, 4]}}),
    Custom(name="mcp_app", value={{"uri": uri, "html": Path({app!r}).read_text()}}),
    ToolResult(tool_call_id="c", content="2 values, total 7",
               meta={{"app": {{"uri": uri, "result": result}}}}),
])
"""


def test_a_reopened_trusted_notebook_shows_the_app_as_it_was(lab: LabPage) -> None:
    if not APP_HTML.is_file():
        pytest.fail(f"{APP_HTML} is missing: `make tests/mcp_apps/dist/app.html`", pytrace=False)
    lab.open("mcp_app_saved.ipynb", [CELL.format(uri=APP_URI, app=str(APP_HTML))])
    lab.page.wait_for_selector(LIVE_SEL)
    lab.wait_status("completed")
    wait_output_final(lab)
    lab.save()
    # The notebook keeps the app's HTML once (the output's payload; not its text/html copy).
    html = APP_HTML.read_text(encoding="utf-8")
    text = (lab.server.root / "mcp_app_saved.ipynb").read_text(encoding="utf-8")
    assert text.count(json.dumps(html[:2000])[1:-1]) == 1
    assert APP_URI in saved_notebook(lab).cells[0].outputs[0]["data"]["text/html"]

    reopen_without_kernel(lab)
    view = lab.page.locator(SAVED_SEL)
    view.locator(".nba-tool > summary").first.click()
    frame = view.locator("iframe.nba-app-frame")
    frame.wait_for()
    assert frame.get_attribute("sandbox") == "allow-scripts"
    app = view.frame_locator("iframe.nba-app-frame")
    app.locator("#state", has_text="connected").wait_for()
    app.locator("#result", has_text="2 values, total 7").wait_for()
    assert json.loads(app.locator("#input").inner_text()) == {"values": [3, 4]}
    # No kernel: the app's own tool call is answered so, cleanly.
    app.locator("#bump").click()
    app.locator("#bumped", has_text="error:").wait_for()
    assert "no kernel" in app.locator("#bumped").inner_text()
    assert lab.foreign_requests() == []

    # The notebook edited by another hand (its digest then unsigned: untrusted). The app named,
    # none of its code run.
    nb = saved_notebook(lab)
    nb.cells[0].source += "\n# edited elsewhere"
    nbformat.write(nb, lab.server.root / "mcp_app_untrusted.ipynb")
    lab.show("mcp_app_untrusted.ipynb", new_page=True)
    view = lab.page.locator(SAVED_SEL)
    view.locator(".nba-tool > summary").first.click()
    note = view.locator(".nba-app-note")
    note.wait_for()
    assert note.inner_text() == f"MCP app {APP_URI} of chart: it runs in a trusted notebook"
    assert view.locator("iframe").count() == 0
    assert lab.foreign_requests() == []
