"""The static copy's timeline in real Chromium, as a saved notebook, GitHub or nbconvert shows
it: under its bars, the widget's legend (each colour's swatch beside its words, "faded" where a
bar is), inside the drawing, in sight, no word over another; with the page's ``<style>``
dropped (as GitHub drops it) the same, in the same colours as the bars."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nbagent.transcript.export import to_html
from tests.browser.conftest import serving

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "timeline.json"
CASES = {c["name"]: c for c in json.loads(FIXTURE.read_text("utf-8"))}
SHOWN = ["a failed tool call", "cancelled mid sub-agent"]

LEGEND = """() => [...document.querySelectorAll('svg.nba-timeline-svg')].map((svg) => {
  const box = svg.getBoundingClientRect();
  const texts = [...svg.querySelectorAll(':scope > text')];
  const bars = [...svg.querySelectorAll('g > rect')];
  const key = (t) => {
    const r = t.getBoundingClientRect();
    return {words: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  };
  const swatch = (r) => {
    const b = r.getBoundingClientRect();
    return {fill: getComputedStyle(r).fill, left: b.left, top: b.top, w: b.width, h: b.height};
  };
  return {
    box: {left: box.left, right: box.right, top: box.top, bottom: box.bottom},
    keys: texts.slice(-%d).map(key),
    swatches: bars.filter((r) => r.getAttribute('width') === '10').map(swatch),
    barFills: [...new Set(bars.filter((r) => r.getAttribute('width') !== '10')
      .map((r) => getComputedStyle(r).fill))],
    faded: bars.filter((r) => getComputedStyle(r.parentNode).fillOpacity === '0.6').length,
  };
})"""


@pytest.fixture
def export_page(chromium_browser: Any, tmp_path: Path) -> Iterator[Any]:
    """A page of the static copies of SHOWN (as ``to_html`` makes them), its ``<details>``
    open; no request but the page's own."""
    body = "\n".join(to_html(CASES[name]["state"]) for name in SHOWN)
    (tmp_path / "runs.html").write_text(f"<!DOCTYPE html><body>{body}</body>", encoding="utf-8")
    with serving(tmp_path, "export-timeline") as origin:
        context = chromium_browser.new_context(viewport={"width": 1000, "height": 900})
        page = context.new_page()
        url = origin + "/runs.html"
        context.route(
            "**/*",
            lambda route: route.continue_() if route.request.url == url else route.abort(),
        )
        page.goto(url)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        try:
            yield page
        finally:
            context.close()


def legends(page: Any) -> list[dict[str, Any]]:
    words = max(len(CASES[name]["legend"]) for name in SHOWN)
    return list(page.evaluate(LEGEND % words))


def check(page: Any) -> None:
    for name, seen in zip(SHOWN, legends(page), strict=True):
        legend = CASES[name]["legend"]
        keys = seen["keys"][-len(legend) :]
        assert [k["words"] for k in keys] == legend, name
        box = seen["box"]
        for k in keys:  # inside the drawing, in one row, left to right, none over the next
            assert box["left"] <= k["left"] < k["right"] <= box["right"], (name, k)
            assert box["top"] <= k["top"] < k["bottom"] <= box["bottom"], (name, k)
        assert all(a["right"] < b["left"] for a, b in itertools.pairwise(keys)), name
        assert len({round(k["top"]) for k in keys}) == 1, name
        # A swatch per colour named, drawn, each left of its words, in a colour a bar has.
        swatches = seen["swatches"]
        assert len(swatches) == len([w for w in legend if not w.startswith("faded")]), name
        for s, k in zip(swatches, keys, strict=False):
            assert s["w"] > 0, (name, s)
            assert s["h"] > 0, (name, s)
            assert s["left"] + s["w"] <= k["left"], (name, s, k)
            assert s["fill"] in seen["barFills"], (name, s)
        assert "rgb(225, 87, 89)" in seen["barFills"] or "failed" not in legend, name
        assert (seen["faded"] > 0) == any(w.startswith("faded") for w in legend), name


def test_the_legend_reads_under_the_bars(export_page: Any) -> None:
    check(export_page)


def test_the_legend_reads_where_the_style_is_dropped(export_page: Any) -> None:
    export_page.evaluate("document.querySelectorAll('style').forEach(s => s.remove())")
    check(export_page)
