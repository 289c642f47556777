"""A notebook someone else executed, opened untrusted: nbagent draws its saved transcripts
with its own view, trusted or not, also when `jupyter execute` left the runs' states in the
saved widget state (``metadata.widgets``) rather than in the outputs, and without widget state.
Math as MathML, tables, images, tool panels that open, hostile text in every field and hostile
display bundles inert; nothing saved runs, no live widget starts.
JupyterLab and Notebook 7, the same prebuilt extension.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from benchmarks.saved_size import execute
from tests.browser.lab import NOTEBOOKS, LabPage
from tests.commit_notebook import strip

pytestmark = pytest.mark.browser

TRANSCRIPT_MIME = "application/vnd.nbagent.transcript+json"
HOSTILE: list[str] = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "hostile.json").read_text(encoding="utf-8")
)
HOSTILE_BUNDLES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "hostile_bundles.json").read_text(encoding="utf-8")
)
# A 1x1 PNG (base64): a tool result shown as an image.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9Q"
    "DwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
MATH = "Euler: $e^{i\\pi}+1=0$.\n\n$$\\int_0^1 x\\,dx = \\tfrac{1}{2}$$"
CELLS = [
    "import nbagent\nfrom nbagent import demo\n"
    "weather = nbagent.replay(demo.recording('weather'), speed=8)\n_ = await weather",
    f"maths = nbagent.show(iter([{MATH!r}]), title='Math')\n_ = await maths",
    f"hostile = nbagent.show(iter([{chr(10).join(HOSTILE)!r}]), title='Hostile')\n"
    "_ = await hostile",
    "chat = nbagent.Chat(lambda prompt, turns: iter(['Echo: ' + prompt]), title='Echo')\n"
    "chat.send('first')\nawait chat\nchat.send('second')\nawait chat",
    # Hostile text in every other field (title, thinking, tool names, arguments, results, the
    # error), then tool results shown as data: an image and every hostile display bundle.
    f"import sys\nsys.path.insert(0, {str(NOTEBOOKS)!r})\nimport nbtest_sources as S\n"
    "fields = nbagent.show(S.hostile_events(50, 0))\n_ = await fields",
    f"""\
import json
from nbagent import TextDelta, ToolCallEnd, ToolCallStart, ToolResult
BUNDLES = json.loads({json.dumps(HOSTILE_BUNDLES)!r})
PNG = {{"data": {{"image/png": {PNG!r}, "text/plain": "a dot"}}, "metadata": {{}}}}

def shown_as_data():
    for call, display in (("image", [PNG]), ("bundles", BUNDLES)):
        yield ToolCallStart(tool_call_id=call, name=call)
        yield ToolCallEnd(tool_call_id=call, arguments="{{}}")
        yield ToolResult(tool_call_id=call, content=call, display=display)
    yield TextDelta(message_id="a", delta="Shown.")

data = nbagent.show(shown_as_data(), title="Data")
_ = await data""",
]
RUNS = len(CELLS)  # one output each (a chat's turns are in its one output)
SAVED = ".nba-saved:not(.lm-mod-hidden) > .nbagent"  # the top roots (a chat nests its turns')

# What each drawn saved transcript shows, in the page's order.
SHOWN_JS = """(sel) => [...document.querySelectorAll(sel)].map((root) => ({
    title: root.querySelector('.nba-title')?.textContent ?? '',
    text: root.querySelector('.nba-text')?.textContent ?? '',
    maths: root.querySelectorAll('.nba-text math').length,
    tables: root.querySelectorAll('.nba-text table').length,
    tools: root.querySelectorAll('details.nba-tool').length,
    turns: root.querySelectorAll('.nba-turn').length,
    violations: window.__nbaViolations(root).length,
}))"""


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The notebook as `jupyter execute` leaves it: the runs' states in the widget state."""
    path = tmp_path_factory.mktemp("untrusted") / "colleague.ipynb"
    nb = execute(path, CELLS)
    assert "widgets" in nb.metadata
    payloads = [
        o["data"][TRANSCRIPT_MIME]
        for c in nb.cells
        for o in c.outputs
        if TRANSCRIPT_MIME in o.get("data", {})
    ]
    assert len(payloads) == RUNS
    assert all(run["state"] is None for p in payloads for run in p["runs"]), "not in the model"
    return path


def open_untrusted(page: LabPage, notebook: Path) -> list[dict[str, Any]]:
    """Open a copy of ``notebook`` (never trusted by this server) and what it shows."""
    name = f"untrusted-{page.server.app}.ipynb"
    (page.server.root / name).write_bytes(notebook.read_bytes())
    page.show(name, wait_kernel=False)
    page.wait_js(f"(sel) => document.querySelectorAll(sel).length === {RUNS}", SAVED)
    # KaTeX arrives in a chunk of its own, imported on the first formula: typeset after.
    page.wait_js(
        "(sel) => document.querySelectorAll(sel)[1].querySelectorAll('.nba-text math').length"
        " === 2",
        SAVED,
    )
    trusted = page.js(
        "() => jupyterapp.shell.currentWidget.content.widgets.map((c) => c.model.trusted)"
    )
    assert trusted == [False] * len(CELLS)
    return list(page.js(SHOWN_JS, SAVED))


def check(page: LabPage, shown: list[dict[str, Any]]) -> None:
    weather, maths, hostile, chat, fields, data = shown
    assert "Have a good trip!" in weather["text"]
    assert weather["tables"] == 1
    assert weather["tools"] == 2
    assert maths["maths"] == 2, maths  # MathML, not the sanitized copy's "eiπ+1=0"
    assert hostile["title"] == "Hostile"
    assert chat["turns"] == 2
    assert fields["tools"] == 2
    assert data["tools"] == 2
    assert [s["violations"] for s in shown] == [0] * RUNS
    # Drawn by nbagent (styled), not the escaped copy; no live widget; nothing saved ran.
    assert page.js("() => document.querySelectorAll('.nbagent-static').length") == 0
    assert (
        page.js("() => document.querySelectorAll('.nba-live:not(.lm-mod-hidden) .nbagent').length")
        == 0
    )
    assert page.js("() => window.__pwned === undefined")
    # A tool panel opens; every panel of the runs shown as data too: the image shows, the
    # hostile bundles stay inert.
    tool = page.page.locator(SAVED).first.locator("details.nba-tool").first
    tool.locator("summary.nba-summary").click()
    assert tool.evaluate("(d) => d.open")
    data_root = page.page.locator(SAVED).nth(RUNS - 1)
    for summary in data_root.locator("details.nba-tool > summary.nba-summary").all():
        summary.click()
    page.wait_js(
        "(sel) => [...document.querySelectorAll(sel)].at(-1)"
        ".querySelector('img.nba-data-image')?.naturalWidth === 1",
        SAVED,
    )
    assert (
        page.js(
            "(sel) => window.__nbaViolations([...document.querySelectorAll(sel)].at(-1)).length",
            SAVED,
        )
        == 0
    )
    # (Notebook 7 itself throws one on load, a settings schema it lacks: not ours.)
    ours = [m for m in page.console if m.startswith("pageerror") and "nbagent" in m]
    assert ours == []
    assert not page.foreign_requests(), page.foreign_requests()


@pytest.fixture(scope="module")
def stripped(executed: Path) -> Path:
    """The same notebook with the runs' states in its outputs and no widget state, as a
    notebook saved from JupyterLab (or by ``tests/commit_notebook.py``) is."""
    path = executed.with_name("stripped.ipynb")
    nbformat.write(strip(nbformat.read(executed, as_version=4)), path)
    return path


def test_jupyterlab_draws_an_untrusted_executed_notebook(lab: LabPage, executed: Path) -> None:
    check(lab, open_untrusted(lab, executed))


def test_notebook7_draws_an_untrusted_executed_notebook(notebook7: LabPage, executed: Path) -> None:
    check(notebook7, open_untrusted(notebook7, executed))


def test_jupyterlab_draws_an_untrusted_notebook_without_widget_state(
    lab: LabPage, stripped: Path
) -> None:
    check(lab, open_untrusted(lab, stripped))


def test_notebook7_draws_an_untrusted_notebook_without_widget_state(
    notebook7: LabPage, stripped: Path
) -> None:
    check(notebook7, open_untrusted(notebook7, stripped))
