"""An evaluation in JupyterLab + Chromium: its table fills in live, a row opens its case's run
while it streams, filters, ratings and a comment reach the kernel, a reload mid-evaluation
catches up, and the saved notebook shows the finished table (rows opening their saved
transcripts) with no kernel behind it.

The cases are sync generators gated on a ``threading.Event`` the test sets from a cell: each
case streams five words, then waits, so the table is seen mid-run for as long as the test
needs, with no timing in it.
"""

from __future__ import annotations

from typing import Any

import pytest

from nbagent.evaluation.board import EVALUATION_MIME
from tests.browser.lab import LabPage

pytestmark = pytest.mark.browser

SETUP = """\
import threading, nbagent
gate = threading.Event()

def task(x):
    def words():
        for k in range(5):
            yield f"{x}-w{k} "
        gate.wait(300)  # until the test lets the cases end
        yield "end"
    return words()

def exact(case, transcript, output):
    return case["input"] != "c3"

data = [{"input": f"c{k}", "expected": "end"} for k in range(12)]
print("setup done")
"""
START = 'ev = nbagent.evaluate(task, data, scorers=[exact], concurrency=4, title="Gated")'

ROOT = ".nba-ev"
ROWS_JS = """() => [...document.querySelectorAll('.nba-ev-case')].map((r) => ({
  i: Number(r.dataset.i), text: r.innerText }))"""
OUTPUT_FINISHED_JS = f"""(i) => jupyterapp.shell.currentWidget.content.widgets[i].model.outputs
  .toJSON().some((o) => {{
    const status = o.data?.["{EVALUATION_MIME}"]?.snapshot?.header?.status;
    return status !== undefined && status !== "running";
  }})"""
HEAD_JS = "() => document.querySelector('.nba-ev-line')?.innerText ?? ''"


def rows(lab: LabPage) -> list[dict[str, object]]:
    return list(lab.js(ROWS_JS))


def row(lab: LabPage, i: int) -> Any:
    return lab.page.locator(f".nba-ev-case[data-i='{i}']")


def start(lab: LabPage, name: str) -> None:
    lab.open(name, [SETUP, START, "print('idle')"], run=False)
    lab.run_cell(0)
    lab.wait_cell_output(0, "setup done")
    lab.run_cell(1)
    lab.wait_js(
        "() => [...document.querySelectorAll('.nba-ev-case')]"
        ".filter((r) => /c\\d+-w4/.test(r.innerText)).length === 4"
    )


def kernel_says(lab: LabPage, source: str, needle: str) -> str:
    lab.run_source(2, source)
    return lab.wait_cell_output(2, needle)


def test_the_table_streams_rows_open_live_filters_and_ratings(lab: LabPage) -> None:
    start(lab, "evaluate_live.ipynb")
    shown = rows(lab)
    assert [r["i"] for r in shown] == list(range(12))  # twelve rows: all in view
    assert "4 running" in lab.js(HEAD_JS)
    # A row opened mid-stream: the case's own run view, live under the row.
    row(lab, 0).click(position={"x": 30, "y": 8})  # on its number: not a button
    live = ".nba-ev-detail .nbagent"
    lab.page.wait_for_selector(live)
    lab.wait_js("(sel) => (document.querySelector(sel)?.innerText ?? '').includes('c0-w4')", live)
    assert lab.page.locator(f"{live} .nba-status-label").inner_text().startswith("running")
    # The cases end: the opened view streams its last word and ends; the header says so.
    kernel_says(lab, "gate.set(); print('released')", "released")
    lab.wait_js(
        "(sel) => document.querySelector(sel)?.querySelector('.nba-status-label')"
        "?.textContent.startsWith('completed')",
        live,
    )
    assert "end" in lab.page.locator(live).inner_text()
    lab.wait_js("() => /12\\/12/.test(document.querySelector('.nba-ev-line')?.innerText)")
    assert "c3" in row(lab, 3).inner_text()
    # Filters: the one failing case.
    lab.page.locator(".nba-ev-filter[data-filter='Failures']").click()
    lab.wait_js("() => document.querySelectorAll('.nba-ev-case').length === 1")
    assert [r["i"] for r in rows(lab)] == [3]
    lab.page.locator(".nba-ev-filter[data-filter='All']").click()
    lab.wait_js("() => document.querySelectorAll('.nba-ev-case').length === 12")
    # A thumbs down and a comment on case 5 reach the kernel (and its data frame).
    row(lab, 5).locator(".nba-ev-down-vote").click()
    row(lab, 5).locator(".nba-ev-edit").click()
    box = row(lab, 5).locator(".nba-ev-box")
    box.fill("too terse")
    box.press("Enter")
    said = kernel_says(
        lab,
        "import time\nwhile ev.cases[5].comment != 'too terse': time.sleep(0.05)\n"
        "print('rated', ev.cases[5].rating, ev.to_pandas().loc[5, 'comment'])",
        "rated",
    )
    assert "rated False too terse" in said


def test_a_reload_mid_evaluation_catches_up_and_the_saved_table_shows_without_a_kernel(
    lab: LabPage,
) -> None:
    start(lab, "evaluate_reload.ipynb")
    lab.save()
    lab.reload()
    # The saved output holds the start (rows queued); the live table asks for the rest.
    lab.wait_js(
        "() => [...document.querySelectorAll('.nba-ev-case')]"
        ".filter((r) => /c\\d+-w4/.test(r.innerText)).length === 4"
    )
    kernel_says(lab, "gate.set(); print('released')", "released")
    lab.wait_js("() => /12\\/12/.test(document.querySelector('.nba-ev-line')?.innerText)")
    # The finished table is written into the output (a round trip to the kernel after the
    # header says 12/12); saved, then read with no live widget.
    lab.wait_js(OUTPUT_FINISHED_JS, 1)
    lab.save()
    lab.show(str(lab.name), wait_kernel=False)
    saved = ".nba-saved .nba-ev"
    lab.page.wait_for_selector(saved)
    lab.wait_js("(sel) => document.querySelectorAll(sel + ' .nba-ev-case').length === 12", saved)
    assert "12/12" in lab.page.locator(f"{saved} .nba-ev-line").inner_text()
    lab.page.locator(f"{saved} .nba-ev-case[data-i='2']").click(position={"x": 30, "y": 8})
    lab.wait_js(
        "(sel) => (document.querySelector(sel)?.innerText ?? '').includes('c2-w4 end')",
        f"{saved} .nba-ev-detail .nbagent",
    )
    # Nothing offered that needs a kernel.
    assert lab.page.locator(f"{saved} .nba-ev-rerun").count() == 0
    assert lab.foreign_requests() == []
