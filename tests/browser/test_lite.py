"""The try-it site (``make lite``) in Chromium, as a reader runs its tutorials: nbagent without
threads in JupyterLite's Pyodide kernel, the scripted model answering in the kernel, and every
request to another host aborted and counted (none may be made: the kernel's worker's and the
service worker's included). The quickstart runs to its end and a run of it is stopped mid-way;
tools-debugging re-runs its tools, answers paused calls and forks; the evaluate tutorial's
evaluation completes (its pandas cells cannot run there: the site has no pandas).

The time to the page ready (the notebook open, its kernel idle) and to the first streamed token
are printed (``benchmarks/lite.py`` records the site's figures); no duration is asserted.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from docs_hooks.lite import TRY_IT, try_it
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, unavailable
from tests.browser.lite_site import (
    LITE_ARGS,
    LITE_PATIENCE,
    LITE_SITE,
    LitePage,
    open_lite,
    serve_lite,
)

pytestmark = pytest.mark.browser

STOPPED = (
    "When should I use asyncio.gather and when asyncio.TaskGroup? Show code and compare them in "
    "a table."
)
"""The quickstart's third prompt, whose answer (2,599 characters at the scripted model's pace,
seconds of text) is the run to stop."""


@pytest.fixture(scope="module")
def lite_origin() -> Iterator[str]:
    """The built site, served on 127.0.0.1."""
    if not (LITE_SITE / "jupyter-lite.json").is_file():
        unavailable(f"{LITE_SITE} not built: make lite")
    with serve_lite(LITE_SITE, {}) as origin:
        yield origin


@pytest.fixture(scope="module")
def lite_browser(chromium_browser: Any) -> Iterator[Any]:
    """Chromium resolving no host but 127.0.0.1 (a second one: the session's has no such rule)."""
    browser = chromium_browser.browser_type.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + LITE_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def lite(lite_browser: Any, lite_origin: str) -> Iterator[LitePage]:
    """A fresh context on the site; at the end, no request has left 127.0.0.1."""
    with open_lite(lite_browser, lite_origin) as page:
        yield page
        assert page.foreign == [], f"requests to other hosts: {page.foreign}"


def test_the_try_it_links_name_a_page_and_a_tutorial_of_the_site() -> None:
    """Each tutorial page's "Try it" link (docs_hooks/lite.py) names a page of the site and a
    notebook it holds (the quickstart's, opened as the link does, runs below)."""
    link = re.compile(r'href="\.\./lite/([^"?]+)\?path=([^"]+)"')
    for stem in TRY_IT:
        found = link.search(try_it(stem) or "")
        assert found is not None, f"{stem}: no Try it link"
        page, name = found.groups()
        assert (LITE_SITE / page).is_file(), f"{stem}: {page} is not in the site"
        assert (LITE_SITE / "files" / name).is_file(), f"{stem}: the site has no {name}"
    assert try_it("mcp") is None, "a tutorial that needs a subprocess offers Try it"
    quickstart = 'href="../lite/notebooks/index.html?path=quickstart.ipynb"'
    assert quickstart in (try_it("quickstart") or "")


def code_cells(name: str) -> list[str]:
    nb = json.loads((LITE_SITE / "files" / name).read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


@pytest.mark.timeout(4 * LITE_PATIENCE)
def test_the_quickstart_runs_and_a_run_of_it_stops_mid_way(lite: LitePage) -> None:
    """In the Notebook app, where its Try it link opens it."""
    ready = lite.open("quickstart.ipynb", app="notebooks")
    lite.run_cells(1)  # nbagent imported, the agent made
    start = time.monotonic()
    lite.run_cells(2, since=1)  # its first run: the cell returns at once
    lite.wait_js(
        "() => /first token/.test(document.querySelector('.nba-status-parts').textContent)",
        what="the first run's first token",
    )
    first_token = time.monotonic() - start
    lite.run_cells(since=2)
    shown = lite.printed()
    assert "answers in this kernel" in shown, shown
    assert "completed, first token after" in shown, shown
    assert "ok:     revenue_by_region" in shown, shown  # the failing tool, then the fix
    assert "characters of markdown" in shown, shown
    assert "-> revenue_by_region" in shown, shown  # the replay stepped to a tool call
    widgets = lite.page.locator(".nbagent").count()
    lite.add_cell(f"stopped = agent.run({STOPPED!r}, title='stopped')")
    lite.wait_js(
        "(n) => (document.querySelectorAll('.nbagent')[n]?.textContent ?? '').includes('concurr')",
        widgets, what="the answer to stop streaming",
    )  # fmt: skip
    lite.click_stop(widgets)
    took = lite.wait_status("cancelled", timeout=60)
    lite.add_cell("print('stopped:', stopped.status, len(stopped.transcript.text))")
    lite.wait_js(
        "() => document.body.innerText.includes('stopped: cancelled')", what="the stopped run"
    )
    kept = int(re.search(r"stopped: cancelled (\d+)", lite.printed()).group(1))  # type: ignore[union-attr]
    assert 0 < kept < 2599, kept  # what arrived is kept; the rest never came
    # The kernel's worker fetches the wheels: its requests pass the route that counts.
    assert any(url.endswith(".whl") for url in lite.routed), "no wheel request seen"
    print(
        f"\nlite quickstart: ready {ready:.1f} s, the first streamed token shown "
        f"{first_token:.1f} s after the run's cell was run, Stop to cancelled {took:.1f} s"
    )


@pytest.mark.timeout(4 * LITE_PATIENCE)
def test_tools_debugging_reruns_its_tools_and_answers_its_paused_calls(lite: LitePage) -> None:
    lite.open("tools-debugging.ipynb")
    lite.run_cells()
    shown = lite.printed()
    assert "still failing: LookupError" in shown, shown  # run.rerun_tool, in the cell
    assert "[({'city': 'Oslo'}, False), ({'city': 'Gotham'}, True)]" in shown, shown
    assert "denied: True" in shown, shown
    assert "mocked: True" in shown, shown
    assert "1 fork beside the original" in shown, shown


@pytest.mark.timeout(4 * LITE_PATIENCE)
def test_the_evaluation_of_the_evaluate_tutorial_completes(lite: LitePage) -> None:
    lite.open("evaluate.ipynb")
    upto = next(i for i, c in enumerate(code_cells("evaluate.ipynb")) if "await ev\n" in c) + 1
    lite.run_cells(upto)
    assert "completed | 12 cases (12 completed)" in lite.printed()
