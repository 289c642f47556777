"""The quiet footer in real Chromium (the built bundle in the bare page): one status line at
any width, for a run and for lanes side by side or stacked; the details behind one click;
elapsed ticking with a decimal under ten seconds, "waiting for the first token" until it
comes. One page, resized in place."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.test_bundle_page import Kernel, LanesKernel

pytestmark = pytest.mark.browser

# The status line's shown items are on one row when they all overlap vertically (centred items
# of different heights have different tops); what of the footer shows; whether text overflows.
FOOTER_JS = """(sel) => [...document.querySelectorAll(sel)].map((f) => {
  const line = f.querySelector('.nba-status');
  const kids = [...line.children].filter((c) => !c.hidden && c.getClientRects().length);
  const boxes = kids.map((c) => c.getBoundingClientRect());
  const oneRow = Math.max(...boxes.map((b) => b.top)) < Math.min(...boxes.map((b) => b.bottom));
  const shown = [...f.children].filter((c) => !c.hidden && c.getClientRects().length);
  return {
    rows: oneRow ? 1 : 2,
    height: Math.round(line.getBoundingClientRect().height),
    shown: shown.map((c) => c.className),
    parts: line.querySelector('.nba-status-parts').textContent,
    overflow: line.scrollWidth - line.clientWidth,
  };
})"""


def failing_tool_run(k: Kernel) -> None:
    """Two model calls, a tool that fails between them, usage per step, then the end."""
    steps = [
        {"id": "s1", "name": "model", "started_at": 1000.0, "first_token_at": 1000.4,
         "ended_at": 1001.0, "usage": {"input_tokens": 412, "output_tokens": 96},
         "finish_reason": "tool_calls", "output_deltas": 96},
        {"id": "s2", "name": "model", "started_at": 1003.0, "first_token_at": 1003.5,
         "ended_at": 1005.0, "usage": {"input_tokens": 655, "output_tokens": 241},
         "finish_reason": "stop", "output_deltas": 144},
    ]  # fmt: skip
    k.start()
    tool = {"type": "tool", "id": "c1", "name": "get_weather", "arguments": "{}", "args": {},
            "state": "error", "result": "backend went away", "is_error": True,
            "started_at": 1001.0, "ended_at": 1003.0, "duration_s": 2.0}  # fmt: skip
    k.ops(
        {"op": "add", "block": {"type": "text", "id": "m1", "text": "Looking it up. " * 25}},
        {"op": "add", "block": tool},
        {"op": "add", "block": {"type": "text", "id": "m2", "text": "It failed. " * 87}},
        {"op": "run", "set": {"first_token_at": 1000.4, "deltas": 240, "steps": steps,
                              "generating_s": 2.1, "generating_since": None,
                              "usage": {"input_tokens": 1067, "output_tokens": 337,
                                        "total_tokens": 1404}}},
    )  # fmt: skip
    k.end(ended_at=1005.0)


def test_the_footer_is_one_line_with_its_details_one_click_away(bare_page_factory: Any) -> None:
    bare = bare_page_factory()
    bare.eval("nba.mount()")
    k = Kernel()
    failing_tool_run(k)
    assert bare.eval("(m) => nba.stream(m)", k.msgs) is None
    for width in (1400, 800, 420):
        bare.page.set_viewport_size({"width": width, "height": 900})
        [footer] = bare.eval(FOOTER_JS, ".nba-footer")
        assert footer["rows"] == 1, (width, footer)
        assert footer["shown"] == ["nba-status"], (width, footer)  # the details folded
        assert footer["overflow"] <= 0, (width, footer)
    assert footer["parts"] == "first token 0.40 s · 160.5 tok/s · 5.0 s · 1,404 tokens"
    toggle = bare.page.locator(".nba-details-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    details = bare.page.locator(".nba-details")
    assert details.is_visible()
    assert details.locator(".nba-step").all_text_contents() == [
        "step 1 · first token 0.40 s · 1.00 s · in 412 · out 96 tokens · tool calls",
        "step 2 · first token 0.50 s · 2.00 s · in 655 · out 241 tokens · stop",
    ]
    assert details.locator(".nba-details-usage").text_content() == (
        "in 1,067 · out 337 · total 1,404 tokens"
    )
    toggle.click()
    assert not details.is_visible()
    assert bare.errors == []

    # Elapsed ticks once a second with a decimal. The page's clock is a fake one, moved on by
    # hand: a loaded machine would delay a real clock's ticks (and past ten seconds the
    # decimal goes).
    bare.page.clock.install(time=1_700_000_000)
    bare.page.clock.pause_at(1_700_000_001)
    bare.eval("nba.mount()")
    k = Kernel()
    start = {"version": 1, "run_id": "r", "status": "running", "started_at": k.now}
    k.ops({"op": "run", "set": {**start, "deltas": 0, "blocks": []}})  # sent at k.now + 0.05
    bare.eval("(msgs) => msgs.forEach((m) => nba.push(m))", k.msgs)  # no frame waited for
    bare.page.clock.run_for(50)  # the first frame; then each reading 50 ms after a tick
    line_js = (
        "[...document.querySelectorAll('.nba-status-label, .nba-status-parts')]"
        ".map((e) => e.textContent)"
    )
    seen = []
    for _ in range(3):
        bare.page.clock.run_for(1000)  # a tick, and the frame it asks for
        seen.append(bare.eval(line_js))
    # Elapsed 0.05 s when the page heard of the run; each tick is rendered in its next frame.
    # No token yet: the line says the run waits for it, with the clock alone.
    assert seen == [["waiting for the first token", f"{n}.0 s"] for n in (1, 2, 3)], seen
    # The first token, 3.1 s after the start on the kernel's clock (the page's has moved as
    # much): the run is running, its time to first token comes in (its rate once it means
    # something: one delta's is not shown, nor a dash for it).
    k.now = 1003.05
    k.ops(
        {"op": "add", "block": {"type": "text", "id": "m", "text": "Hello"}},
        {"op": "run", "set": {"first_token_at": 1003.1, "deltas": 1, "generating_since": 1003.1}},
    )
    bare.eval("(msgs) => msgs.forEach((m) => nba.push(m))", k.msgs[-1:])
    bare.page.clock.run_for(50)
    label, parts = bare.eval(line_js)
    assert (label, parts.split(" · ")[0]) == ("running", "first token 3.10 s")
    assert not re.search("tok/s|—", parts), parts


def test_lanes_status_lines_are_one_line_each(bare_page_factory: Any) -> None:
    bare = bare_page_factory()
    bare.eval("nba.mount({arrangement: 'lanes', snapshot: {seq: 0, lanes: []}})")
    k = LanesKernel()
    meta = {"title": None, "prompt": None, "can_rerun": False}
    run = {"version": 1, "run_id": "r", "status": "running", "started_at": 1000.0, "deltas": 0}
    long_activity = "searching the web for the weather in every city of the list"
    for i, title in enumerate(["gpt-4o", "claude"]):
        k.lane(i, {"op": "run", "set": {**run, "activity": long_activity if i else None}},
               {"op": "add", "block": {"type": "text", "id": "m", "text": "Paris. " * 40}},
               meta={**meta, "title": title})  # fmt: skip
    assert bare.eval("(m) => nba.stream(m)", k.msgs) is None
    for width in (1400, 800, 420):  # side by side, then stacked
        bare.page.set_viewport_size({"width": width, "height": 900})
        footers = bare.eval(FOOTER_JS, ".nba-lane .nba-footer")
        assert len(footers) == 2
        assert [f["rows"] for f in footers] == [1, 1], (width, footers)
        assert footers[0]["height"] == footers[1]["height"], (width, footers)
    assert bare.errors == []
