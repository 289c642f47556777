"""The static copy's timeline has the widget's legend: the fixture's ``legend`` (the words
``js/test/timeline.test.js`` checks ``timelineLegend`` gives) under the bars, each colour's
swatch beside its words, faded bars where the widget fades them."""

from __future__ import annotations

from typing import Any

import pytest

from nbagent.transcript.export.timeline import timeline_html
from tests.test_timeline import CASES, _svg_of

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_static_timeline_has_the_widgets_legend(case: dict[str, Any]) -> None:
    """Under the bars, the legend's words as the widget's (the fixture's ``legend``, which
    js/test/timeline.test.js checks too): each colour's swatch, drawn in that colour's group,
    beside its words; "faded" when a bar is (still running, stopped), and such bars faded."""
    page = timeline_html(case["state"])
    if not case["rows"]:
        assert page == ""
        return
    svg = _svg_of(page)
    words = [el.text for el in svg.findall(f"{SVG}text")][-len(case["legend"]) :]
    assert words == case["legend"]
    groups = svg.findall(f"{SVG}g")
    swatches = {
        g.get("fill"): r.get("x")
        for g in groups
        for r in g.findall(f"{SVG}rect")
        if r.get("width") == "10" and r.get("height") == "10"
    }
    colours = {"model call": "#4e79a7", "tool call": "#f28e2b", "sub-agent": "#59a14f"}
    colours["failed"] = "#e15759"
    keys = [w for w in case["legend"] if w in colours]
    assert list(swatches) == [colours[w] for w in keys]
    faded = [g for g in groups if g.get("fill-opacity") == "0.6"]
    assert bool(faded) == ("faded: still running or stopped" in case["legend"])
    states = [r["state"] for r in case["rows"]]
    assert len([r for g in faded for r in g]) == sum(s in ("running", "cancelled") for s in states)
    assert len([r for g in groups if g.get("fill") == "#e15759" for r in g]) == (
        states.count("error") + ("failed" in keys)
    )
