"""The committed tutorials open styled before anything runs (issue 18), in JupyterLab and (those
that hold every kind of output) Notebook 7: each nbagent output is drawn by nbagent's renderer
from its saved transcript (tests/commit_notebook.py puts the states there), not the plain
`text/html` fallback; lanes side by side, a saved chat without an input box. Then, in
JupyterLab: the error box in the dark theme, and Copy as code on an edited re-run (a live agent
run, clipboard).

No cell runs: each notebook is opened as a user opens a fresh clone's file (the page starts
its kernel; the transcripts show from the file, whether or not the kernel is up).
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from nbagent.evaluation.board import EVALUATION_MIME
from nbagent.transcript.transcript import Transcript
from nbagent.widget.inspector import INSPECTOR_STATIC
from nbagent.widget.output import OutputRun, mimebundle
from tests.browser.lab import LabPage, lab_page, rerun, set_theme
from tests.browser.look import luminance
from tests.browser.test_lab_agent import AGENT, call_step
from tests.servers import OpenAIServer, text_chunks

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
TUTORIALS = sorted((REPO / "notebooks").glob("*.ipynb"))
TRANSCRIPT_MIME = "application/vnd.nbagent.transcript+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"

# Each nbagent output of the open notebook, as the page shows it (one evaluate: consistent).
SHOWN_JS = """() => [...document.querySelectorAll('.nba-renderer')].map((r) => {
  const saved = r.querySelector('.nba-saved:not(.lm-mod-hidden)');
  const ev = saved && saved.querySelector('.nba-ev');  // an evaluation's table
  const root = ev ? null : saved && saved.querySelector(':scope > .nbagent');
  const lanes = root ? [...root.querySelectorAll(':scope > .nba-lanes > .nba-lane')] : [];
  const boxes = lanes.map((l) => l.getBoundingClientRect());
  return {
    saved: !!(root || ev),
    layout: ev ? 'evaluation' : root ? (root.classList.contains('nba-group')
      ? (root.classList.contains('nba-layout-chat') ? 'chat' : 'lanes') : 'single') : null,
    blocks: root ? saved.querySelectorAll('.nba-blocks > *').length : 0,
    rows: ev ? ev.querySelectorAll('.nba-ev-case').length : 0,
    lanes: boxes.map((b) => [Math.round(b.left), Math.round(b.top)]),
    input: !!(saved && saved.querySelector('.nba-chat-input')),
    fallback: !!r.querySelector('.nbagent-static, .nbagent-evaluation'),
    label: root ? (root.querySelector('.nba-status-label')?.textContent ?? '')
      : ev ? (ev.querySelector('.nba-ev-line')?.textContent ?? '') : '',
  };
})"""
# Each output drawn: a run's card, or an evaluation's table with its rows.
DRAWN_JS = """(n) => [...document.querySelectorAll('.nba-renderer .nba-saved')].filter(
  (s) => s.querySelector(':scope > .nbagent') || s.querySelector('.nba-ev .nba-ev-case')
).length >= n"""


def expected_layouts(notebook: Path) -> list[str | None]:
    """The layout of each output that shows nbagent runs (None: it lacks nbagent's payload;
    "evaluation": an evaluation's table)."""
    nb = json.loads(notebook.read_text())
    shows_runs = [
        o["data"]
        for cell in nb["cells"]
        for o in cell.get("outputs", [])
        if TRANSCRIPT_MIME in o.get("data", {}) or WIDGET_VIEW_MIME in o.get("data", {})
        # An MCP server's inspector is no run: its static copy is its catalog.
        if INSPECTOR_STATIC not in "".join(o.get("data", {}).get("text/html", ""))
    ]
    assert shows_runs, f"{notebook.name} shows no run"
    return [
        "evaluation" if EVALUATION_MIME in data else data.get(TRANSCRIPT_MIME, {}).get("layout")
        for data in shows_runs
    ]


# The session's servers hold every module's notebooks: the tutorials get a folder of their own.
FOLDER = "tutorials"


@pytest.fixture(scope="module", params=["jupyterlab", "notebook"])
def page(request: Any, chromium_browser: Any) -> Iterator[LabPage]:
    server = request.getfixturevalue(
        "lab_server" if request.param == "jupyterlab" else "notebook7_server"
    )
    with lab_page(chromium_browser, server) as page:
        (server.root / FOLDER).mkdir(exist_ok=True)
        for notebook in TUTORIALS:
            shutil.copyfile(notebook, server.root / FOLDER / notebook.name)
        page.page.set_viewport_size({"width": 1400, "height": 1000})
        yield page


def shown(page: LabPage, notebook: Path) -> list[dict[str, Any]]:
    """Open ``notebook`` (no cell run) and what its nbagent outputs show once all are drawn."""
    page.show(f"{FOLDER}/{notebook.name}", wait_kernel=False)
    # Imported here: the other Pythons collect this module without Playwright installed.
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    count = len(expected_layouts(notebook))
    with contextlib.suppress(PlaywrightTimeout):  # the assertions say what is missing
        page.page.wait_for_function(DRAWN_JS, arg=count, timeout=60_000)
    return page.js(SHOWN_JS)


# Notebook 7 draws with the same renderer in another shell: the tutorials that hold every kind of
# output (one run, lanes, a chat, an evaluation's table, an inspector's catalog) stand for the
# rest there; JupyterLab opens every one.
IN_NOTEBOOK7 = ("compare", "evaluate", "mcp", "quickstart")
assert {n.stem for n in TUTORIALS} >= set(IN_NOTEBOOK7), "a tutorial of IN_NOTEBOOK7 was renamed"
SHOWN = [
    pytest.param(frontend, notebook, id=f"{frontend}-{notebook.stem}")
    for frontend in ("jupyterlab", "notebook")
    for notebook in TUTORIALS
    if frontend == "jupyterlab" or notebook.stem in IN_NOTEBOOK7
]


@pytest.mark.parametrize(("page", "notebook"), SHOWN, indirect=["page"])
def test_a_committed_tutorial_shows_nbagents_card_before_anything_runs(
    page: LabPage, notebook: Path
) -> None:
    outputs = shown(page, notebook)
    assert [o["layout"] for o in outputs] == expected_layouts(notebook)
    for o in outputs:
        assert o["saved"], o
        assert not o["fallback"], "the plain text/html copy shows instead of the card"
        if o["layout"] == "evaluation":  # its table, every case ended ("12/12")
            assert o["rows"] > 0, o
            assert re.search(r"\b(\d+)/\1\b", o["label"]), o
            continue
        assert o["blocks"] > 0, o
        assert o["label"].startswith("completed"), o
        assert not o["input"], "a saved chat offers an input box nothing can answer"
        if o["layout"] == "lanes":
            (left, top), *others = o["lanes"]
            assert others, o
            for x, y in others:  # side by side: one row, each lane right of the first
                assert x > left
                assert abs(y - top) <= 2


# -- JupyterLab only: the error box's theme, Copy as code ---------------------------------

ERROR_BOX_JS = """() => {
  const box = document.querySelector('.nba-saved .nba-error-box');
  return box && !box.hidden ? {text: box.textContent, bg: getComputedStyle(box).backgroundColor,
                               fg: getComputedStyle(box).color} : null;
}"""


def error_notebook(root: Path) -> str:
    """A notebook with one saved run that ended on an exception (no kernel needed to show it)."""
    state = Transcript.from_events([]).to_dict() | {
        "status": "error",
        "end_reason": "error",
        "started_at": 1.0,
        "ended_at": 2.0,
        "error": {"message": "RuntimeError: backend went away", "error_type": "RuntimeError"},
        "blocks": [{"type": "text", "id": "m", "text": "partial", "refusal": False}],
    }
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    out = nbformat.v4.new_output("display_data", data=mimebundle([OutputRun(state)]))
    nb.cells = [nbformat.v4.new_code_cell("run", outputs=[out])]
    nbformat.write(nb, root / "error_box.ipynb")
    return "error_box.ipynb"


# JupyterLab only: the theme is switched there (Notebook 7 shares the stylesheet).
@pytest.mark.parametrize("page", ["jupyterlab"], indirect=True)
def test_the_error_box_follows_the_dark_theme(page: LabPage) -> None:
    name = error_notebook(page.server.root)
    page.show(name, wait_kernel=False)
    page.page.wait_for_function(ERROR_BOX_JS)
    light = page.js(ERROR_BOX_JS)
    assert light["text"] == "Error: RuntimeError: backend went away"
    try:
        set_theme(page, "JupyterLab Dark")
        page.page.wait_for_function(
            "(before) => (" + ERROR_BOX_JS + ")().bg !== before", arg=light["bg"]
        )
        dark = page.js(ERROR_BOX_JS)
    finally:
        set_theme(page, "JupyterLab Light")
    # A dark box with light text in the dark theme; a light box with dark text in the light one.
    assert luminance(dark["bg"]) < 80, dark
    assert luminance(dark["fg"]) > luminance(dark["bg"]) + 60, dark
    assert luminance(light["bg"]) > 180, light
    assert luminance(light["fg"]) < luminance(light["bg"]) - 60, light


# JupyterLab only: Notebook 7 runs the same view (tests/browser/test_notebook7.py re-runs).
@pytest.mark.parametrize("page", ["jupyterlab"], indirect=True)
def test_copy_as_code_copies_the_edited_rerun(page: LabPage) -> None:
    page.page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=page.server.url
    )
    with OpenAIServer(scripts=[call_step(), text_chunks(["Paris: 15°C."])]) as srv:
        page.open("copy_rerun.ipynb", [AGENT.format(url=srv.base_url)])
        page.wait_status("completed", timeout=60)
    panel = page.widget().locator(".nba-tool")
    panel.locator(".nba-summary").click()
    done = rerun(panel, '{"city": "Oslo", "unit": "F"}')

    def copied_by(button: Any) -> str:
        page.js("() => navigator.clipboard.writeText('')")
        button.click()
        page.page.wait_for_function("() => navigator.clipboard.readText().then((t) => t !== '')")
        return str(page.js("() => navigator.clipboard.readText()"))

    assert copied_by(done.locator(".nba-copy-call")) == 'get_weather(city="Oslo", unit="F")'
    bar = panel.locator(":scope > .nba-panel-body .nba-tool-actions .nba-copy-call")
    assert copied_by(bar) == 'get_weather(city="Paris")'
