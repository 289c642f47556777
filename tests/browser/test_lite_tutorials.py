"""The try-it site's tutorials, as a reader runs them in the browser (``make lite``): nbagent
without threads in JupyterLite's Pyodide kernel, the scripted model answering in the kernel,
nothing fetched from another host. The quickstart runs to its end and a run of it is stopped
mid-way; tools-debugging re-runs its tools, answers paused calls and forks; the evaluation of
the evaluate tutorial completes (its pandas cells cannot run there: the site has no pandas).

Each page's time to its first streamed token is printed (``benchmarks/lite.py`` records the
site's figures); no duration is asserted.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, unavailable
from tests.browser.lite_site import (
    ERROR_SEL,
    LITE_ARGS,
    LITE_PATIENCE,
    LITE_SITE,
    LitePage,
    open_lite,
    serve_lite,
)

pytestmark = pytest.mark.browser

STOPPED = "When should I use asyncio.gather and when asyncio.TaskGroup? Show code."


@pytest.fixture(scope="module")
def lite_origin() -> Iterator[str]:
    if not (LITE_SITE / "jupyter-lite.json").is_file():
        unavailable(f"{LITE_SITE} not built: make lite")
    with serve_lite(LITE_SITE, {}) as origin:
        yield origin


@pytest.fixture(scope="module")
def lite_browser(chromium_browser: Any) -> Iterator[Any]:
    browser = chromium_browser.browser_type.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + LITE_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def lite(lite_browser: Any, lite_origin: str) -> Iterator[LitePage]:
    with open_lite(lite_browser, lite_origin) as page:
        yield page
        assert page.foreign == [], f"requests to other hosts: {page.foreign}"


def code_cells(name: str) -> list[str]:
    nb = json.loads((LITE_SITE / "files" / name).read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def run_cells(lite: LitePage, upto: int | None = None, since: int = 0) -> None:
    """Run the notebook's code cells ``since`` to ``upto`` (None: the last) and wait until the
    kernel has run each; fail on the first error, saying what the page shows."""
    lite.page.evaluate(
        """([since, upto]) => {
            const nb = window.jupyterapp.shell.currentWidget.content;
            const code = nb.widgets.filter((c) => c.model.type === 'code');
            const last = upto === null ? code.length : upto;
            nb.activeCellIndex = nb.widgets.indexOf(code[since]);
            nb.deselectAll();
            nb.extendContiguousSelectionTo(nb.widgets.indexOf(code[last - 1]));
            return window.jupyterapp.commands.execute('notebook:run-cell');
        }""",
        [since, upto],
    )
    lite.wait_js(
        """([upto, error]) => {
            if (document.querySelector(error)) return true;
            const nb = window.jupyterapp.shell.currentWidget;
            const code = nb.content.widgets.filter((c) => c.model.type === 'code');
            const ran = code.slice(0, upto === null ? code.length : upto);
            return ran.every((c) => c.model.executionCount !== null && !c.node.querySelector(
                '.jp-InputArea-prompt').textContent.includes('*'))
              && nb.sessionContext.session.kernel.status === 'idle';
        }""",
        [upto, ERROR_SEL],
        what=f"{lite.name}'s cells run",
    )
    if lite.page.locator(ERROR_SEL).count():
        pytest.fail(f"a cell of {lite.name} failed\n{lite.diagnose()}", pytrace=False)


def outputs(lite: LitePage) -> str:
    """The printed outputs of the notebook's cells."""
    return str(
        lite.page.evaluate(
            "Array.from(document.querySelectorAll('.jp-OutputArea-output pre'))"
            ".map((e) => e.textContent).join('\\n')"
        )
    )


def add_cell(lite: LitePage, source: str) -> None:
    """Append a code cell holding ``source`` and run it."""
    lite.page.evaluate(
        """(source) => {
            const nb = window.jupyterapp.shell.currentWidget.content;
            nb.model.sharedModel.insertCell(nb.widgets.length, {cell_type: 'code', source});
            nb.activeCellIndex = nb.widgets.length - 1;
            nb.deselectAll();
            return window.jupyterapp.commands.execute('notebook:run-cell');
        }""",
        source,
    )


@pytest.mark.timeout(4 * LITE_PATIENCE)
def test_the_quickstart_runs_and_a_run_of_it_stops_mid_way(lite: LitePage) -> None:
    ready = lite.open("quickstart.ipynb")
    run_cells(lite, 1)  # nbagent imported, the agent made
    start = time.monotonic()
    run_cells(lite, 2, since=1)  # its first run: the cell returns at once
    lite.wait_js(
        "() => /first token/.test(document.querySelector('.nba-status-parts').textContent)",
        what="the first run's first token",
    )
    first_token = time.monotonic() - start
    run_cells(lite, since=2)
    shown = outputs(lite)
    assert "answers in this kernel" in shown, shown
    assert "completed, first token after" in shown, shown
    assert "ok:     revenue_by_region" in shown, shown  # the failing tool, then the fix
    assert "characters of markdown" in shown, shown
    assert "-> revenue_by_region" in shown, shown  # the replay stepped to a tool call
    widgets = lite.page.locator(".nbagent").count()
    add_cell(lite, f"stopped = agent.run({STOPPED!r}, title='stopped')")
    lite.wait_text("asyncio", widgets, timeout=LITE_PATIENCE)
    lite.click_stop(widgets)
    took = lite.wait_status("cancelled", widgets, timeout=60)
    print(
        f"\nlite quickstart: ready {ready:.1f} s, the first streamed token shown "
        f"{first_token:.1f} s after the run's cell was run, Stop to cancelled {took:.1f} s"
    )


@pytest.mark.timeout(4 * LITE_PATIENCE)
def test_tools_debugging_reruns_its_tools_and_answers_its_paused_calls(lite: LitePage) -> None:
    lite.open("tools-debugging.ipynb")
    run_cells(lite)
    shown = outputs(lite)
    assert "still failing: LookupError" in shown, shown  # run.rerun_tool, in the cell
    assert "[({'city': 'Oslo'}, False), ({'city': 'Gotham'}, True)]" in shown, shown
    assert "denied: True" in shown, shown
    assert "mocked: True" in shown, shown
    assert "1 fork beside the original" in shown, shown


@pytest.mark.timeout(4 * LITE_PATIENCE)
def test_the_evaluation_of_the_evaluate_tutorial_completes(lite: LitePage) -> None:
    lite.open("evaluate.ipynb")
    upto = next(i for i, c in enumerate(code_cells("evaluate.ipynb")) if "await ev\n" in c) + 1
    run_cells(lite, upto)
    shown = outputs(lite)
    assert "completed | 12 cases (12 completed)" in shown, shown
