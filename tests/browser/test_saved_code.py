"""The widget's code saved once per notebook (nbagent/widget/code_model.py, ``CodeModel``): a
notebook of ten demo runs executed with `jupyter execute`, opened in JupyterLab on a fresh kernel
that knows none of its models, and with nbagent's JupyterLab extension disabled, shows every
run as a live widget restored from the saved widget state: the loader of each widget imports the
code from the saved code model, once for the page, with nothing fetched from the network."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks.saved_size import JUPYTER, demo_cells, execute
from tests.browser.lab import ROOT_SEL, LabPage, LabServer, lab_page

pytestmark = pytest.mark.browser

RUNS = 10


@pytest.fixture(scope="module")
def bare_lab(chromium_browser: Any) -> Iterator[LabPage]:
    """A JupyterLab with nbagent's extension disabled, holding the executed notebook: a server
    of its own, not the session's (conftest.py), as the extension is off for all its pages."""
    with LabServer(disabled=("nbagent",)) as server:
        path = server.root / "ten.ipynb"
        execute(path, demo_cells(RUNS))
        # As its author would: JupyterLab renders widget views of trusted outputs only.
        subprocess.run([JUPYTER, "trust", str(path)], check=True, capture_output=True)
        with lab_page(chromium_browser, server) as page:
            yield page


# How many widgets show their run's answer; with n, whether all n do. Each poll scrolls the
# first output still without one into view, as a reader would: a windowed notebook may leave
# cells out of view unrendered.
RESTORED_JS = """([sel, n]) => {
    const done = (out) => [...out.querySelectorAll(sel)].some((r) =>
        /Have a good trip!/.test(r.textContent));
    const outputs = [...document.querySelectorAll('.jp-OutputArea-output')];
    outputs.find((out) => !done(out))?.scrollIntoView({block: 'center'});
    const count = outputs.filter(done).length;
    return n ? count === n : count;
}"""

WIDGETS_JS = """(sel) => [...document.querySelectorAll(sel)].map((root) => ({
    status: root.querySelector('.nba-status')?.textContent ?? '',
    text: root.querySelector('.nba-text')?.textContent ?? '',
    tools: root.querySelectorAll('.nba-tool').length,
}))"""


def test_ten_executed_runs_show_as_live_widgets_without_the_extension(bare_lab: LabPage) -> None:
    lab = bare_lab
    lab.show_restored("ten.ipynb", ROOT_SEL)
    try:
        lab.page.wait_for_function(RESTORED_JS, arg=[ROOT_SEL, RUNS], polling=250, timeout=180_000)
    except Exception as exc:
        found = lab.js(f"([sel]) => ({RESTORED_JS})([sel, 0])", [ROOT_SEL])
        raise AssertionError(
            f"{found} of {RUNS} restored widgets after 180 s\n{lab.diagnose()}"
        ) from exc
    widgets = lab.js(WIDGETS_JS, ROOT_SEL)
    assert len(widgets) == RUNS
    for w in widgets:
        assert w["status"].startswith("completed"), w["status"]
        assert w["tools"] == 2
    # The extension is off: no nbagent renderer, no saved (static) view; the widget manager's
    # own views show the runs, and the code was imported once for all ten.
    assert lab.js("() => document.querySelectorAll('.nba-renderer').length") == 0
    assert lab.js("() => document.querySelectorAll('.nbagent-static').length") == 0
    assert lab.js("() => globalThis.__nbagentLoaded?.size") == 1
    assert lab.js("() => document.querySelectorAll('style[data-nbagent]').length") == 1
    assert "Error displaying widget" not in lab.js("() => document.body.innerText")
    assert not lab.foreign_requests(), lab.foreign_requests()
