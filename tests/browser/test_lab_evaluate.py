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


# The evaluate tutorial's evaluation, twice (the second against the first), at the speed the
# scripted model answers with no pauses: a laptop's table, with tokens, costs and deltas.
LAPTOP = [
    """\
import nbagent
from nbagent import demo

llm = demo.connect(speed=0)
agent = nbagent.Agent(llm.model, tools=[demo.get_weather], client=llm.client)
CITIES = ["Paris", "Oslo", "Lisbon", "New York", "Paris", "Oslo"]
data = [
    {"input": f"What's the weather in {c}?", "expected": [c], "metadata": {"city": c}}
    for c in CITIES
]

def right_cities(case, transcript):
    return [call.args.get("city") for call in transcript.tool_calls] == case["expected"]

def facts_stated(case, transcript):
    return float(case["metadata"]["city"] in transcript.text) * 2 / 3

def run(title, **kw):
    return nbagent.evaluate(
        agent, data, scorers=[right_cities, facts_stated], concurrency=3, title=title, **kw
    )

v1 = run("v1")
await v1
""",
    'v2 = run("v2", baseline=v1)\nawait v2\nprint("v2", v2.status)',
]
WINDOW = {"width": 1000, "height": 900}
# The last evaluation's table: its scroll box's visible part, each head cell's, the file
# browser's width and the output cells' text.
TABLE_JS = """() => {
  const root = [...document.querySelectorAll('.nba-ev')].at(-1);
  const box = root.querySelector('.nba-ev-scroll');
  const r = box.getBoundingClientRect();
  const panel = document.querySelector('.jp-NotebookPanel').getBoundingClientRect();
  const browser = document.querySelector('.jp-FileBrowser');
  const rect = (e) => {
    const b = e.getBoundingClientRect();
    return {left: b.left, right: b.right};
  };
  return {
    box: {left: r.left + box.clientLeft, right: r.left + box.clientLeft + box.clientWidth},
    panel: {left: panel.left, right: panel.right},
    scrollLeft: box.scrollLeft,
    browser: browser && browser.offsetParent ? browser.getBoundingClientRect().width : 0,
    heads: [...root.querySelectorAll('.nba-ev-thead [data-sort]')]
      .map((h) => ({key: h.dataset.sort, ...rect(h)})),
    outputs: [...root.querySelectorAll('.nba-ev-case .nba-ev-c-output')]
      .map((c) => ({text: c.textContent, ...rect(c)})),
  };
}"""
CASE_JS = """() => {
  const root = [...document.querySelectorAll('.nba-ev')].at(-1);
  const box = root.querySelector('.nba-ev-scroll');
  const detail = root.querySelector('.nba-ev-detail');
  return {
    inScroller: box.contains(detail),
    width: detail.getBoundingClientRect().width,
    rootWidth: root.clientWidth,
    top: detail.getBoundingClientRect().top,
    tableBottom: box.getBoundingClientRect().bottom,
    head: detail.querySelector('.nba-ev-case-head').textContent,
    title: detail.querySelector('.nbagent .nba-title')?.textContent ?? '',
    fields: [...detail.querySelectorAll('.nba-ev-field')].map((f) => f.textContent),
  };
}"""


def test_at_1000_px_beside_the_file_browser_every_score_shows_and_a_case_opens_full_width(
    lab: LabPage,
) -> None:
    lab.page.set_viewport_size(WINDOW)
    try:
        lab.open("evaluate_laptop.ipynb", LAPTOP, run=False)
        lab.js("() => jupyterapp.shell.activateById('filebrowser')")
        lab.run_all()
        lab.wait_cell_output(1, "v2 ")
        lab.wait_js(
            "() => /6\\/6/.test([...document.querySelectorAll('.nba-ev-line')].at(-1)?.innerText)"
        )
        seen = lab.js(TABLE_JS)
        assert seen["browser"] > 150, seen  # the file browser is open beside the notebook
        visible = (
            max(seen["box"]["left"], seen["panel"]["left"]),
            min(seen["box"]["right"], seen["panel"]["right"]),
        )
        assert seen["scrollLeft"] == 0
        keys = [h["key"] for h in seen["heads"]]
        assert keys[:4] == ["#", "status", "score:right_cities", "score:facts_stated"], keys
        # Every score, the times, tokens and cost, and the rating: whole, without scrolling.
        for head in seen["heads"]:
            if head["key"].startswith("score:") or head["key"] in ("latency_s", "rating"):
                assert visible[0] - 0.5 <= head["left"], (head, visible)
                assert head["right"] <= visible[1] + 0.5, (head, visible)
        # The previews: their text without markdown, more than a few words of it in view.
        for cell in seen["outputs"]:
            assert not cell["text"].startswith("#"), cell
            assert "**" not in cell["text"], cell
            assert cell["right"] - cell["left"] >= 80, cell
        # An opened case: below the table at the widget's full width, numbered as its row.
        row = lab.page.locator(".nba-ev >> nth=-1").locator(".nba-ev-case[data-i='1']")
        assert row.locator(".nba-ev-c-n").inner_text() == "2"
        row.click(position={"x": 12, "y": 8})
        lab.wait_js(
            "() => ([...document.querySelectorAll('.nba-ev')].at(-1)"
            ".querySelector('.nba-ev-detail .nbagent .nba-title')?.textContent ?? '')"
            ".includes('#2')",
            what="the opened case's run view, titled with its row's number",
        )
        case = lab.js(CASE_JS)
        assert not case["inScroller"], case
        assert case["top"] >= case["tableBottom"] - 0.5, case
        assert case["width"] >= case["rootWidth"] - 24, case  # the view's padding aside
        assert case["head"].startswith("#2 "), case
        assert "v2 #2" in case["title"], case
        assert any(f.startswith("Metadata") and "Oslo" in f for f in case["fields"]), case
        assert any(f.startswith("right_cities") for f in case["fields"]), case
        assert any(f.startswith("facts_stated") for f in case["fields"]), case
        # An nbagent.Agent's case forks (Fork here enabled, no reason line); its fork shows
        # beside the case's run.
        detail = lab.page.locator(".nba-ev >> nth=-1").locator(".nba-ev-detail")
        run = detail.locator(".nbagent").first
        run.locator(".nba-details-toggle").click()
        buttons = run.locator(".nba-steps .nba-step-fork")
        buttons.first.wait_for()
        assert [buttons.nth(i).is_disabled() for i in range(buttons.count())] == [False, False]
        assert run.locator(".nba-fork-note").is_hidden()
        buttons.first.click()
        run.locator(".nba-fork-editor:visible .nba-fork-run").click()  # the step lines' editor
        fork = detail.locator(".nba-forks > .nba-fork-lane").nth(1)
        fork.locator(".nba-title").wait_for()
        assert fork.locator(".nba-title").inner_text() == "fork after step 1"
    finally:
        lab.page.set_viewport_size({"width": 1280, "height": 1000})
