"""An ACP agent's plans with an id in real Chromium: the bare page (the built bundle and its
acp chunk, a fake model) draws the plan with no id, then each plan with an id in order: a
checklist, markdown through the bundle's sanitizing renderer (the chunk gets it from the
bundle, ``js/src/widget/shared.js``), a plan file's uri (a link only for http(s):); hostile
text in them stays inert (``bare/check.js``); a removed plan leaves the view."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_bundle_page import Kernel, assert_clean
from tests.wait import PATIENCE

pytestmark = pytest.mark.browser

PWN = 'onerror="window.__pwned=1"'
ITEMS = {
    "id": "steps",
    "type": "items",
    "entries": [{"content": f"<img src=x {PWN}>", "priority": "high", "status": "completed"}],
}
NOTES = {
    "id": "notes",
    "type": "markdown",
    "content": f"# Notes\n\nKeep **rounding**. <img src=x {PWN}><script>window.__pwned=2</script>"
    "\n\n[go](javascript:window.__pwned=3) ![beacon](https://beacon.test/p.png)",
}
DOC = {"id": "doc", "type": "file", "uri": "javascript:window.__pwned=4"}
LINK = {"id": "link", "type": "file", "uri": "https://example.test/PLAN.md"}
UNNAMED = {"entries": [{"content": "Look around", "priority": "low", "status": "pending"}]}


def plan_op(*plans: dict[str, Any]) -> dict[str, Any]:
    return {"op": "run", "set": {"plan": {**UNNAMED, "plans": list(plans)}}}


def drawn(bare: Any, n: int) -> dict[str, Any]:
    """The plan boxes once there are ``n`` of them (the acp chunk loads on its own time)."""
    bare.page.wait_for_function(
        "(n) => document.querySelectorAll('.nba-plan').length === n",
        arg=n,
        timeout=PATIENCE * 1000,
    )
    return bare.eval(
        """() => {
          const boxes = [...document.querySelectorAll('.nba-plan')];
          return {
            heads: boxes.map((b) => b.querySelector('.nba-plan-head').textContent),
            strong: [...document.querySelectorAll('.nba-plan strong')].map((e) => e.textContent),
            links: [...document.querySelectorAll('.nba-plan a')].map((a) => a.getAttribute('href')),
            files: [...document.querySelectorAll('.nba-plan-file')].map((e) => e.textContent),
            foreign: document.querySelectorAll(
              '#app .nba-plan :is(img, svg, script, style, [onerror], [onclick])').length,
          };
        }"""
    )


def test_bare_page_draws_every_plan_inert_and_drops_a_removed_one(bare_page_factory: Any) -> None:
    bare = bare_page_factory(manual=True)
    bare.eval("nba.mount()")
    k = Kernel()
    k.start()
    k.ops(plan_op(ITEMS, NOTES, DOC, LINK))
    assert_clean(bare, bare.eval("(m) => nba.stream(m)", k.msgs))
    got = drawn(bare, 5)
    assert got["heads"] == ["Plan · 0 of 1 done", "Plan · 1 of 1 done", "Plan", "Plan", "Plan"]
    assert got["strong"] == ["rounding"]
    # The markdown's image is a link, as in an answer (no request); javascript: is no link.
    assert got["links"] == ["https://beacon.test/p.png", "https://example.test/PLAN.md"]
    assert got["files"] == [f"Plan file: {DOC['uri']}", f"Plan file: {LINK['uri']}"]
    assert got["foreign"] == 0
    assert_clean(bare, None)
    k.msgs.clear()
    k.ops(plan_op(ITEMS, DOC))  # notes and link removed
    assert_clean(bare, bare.eval("(m) => nba.stream(m)", k.msgs))
    got = drawn(bare, 3)
    assert got["strong"] == []
    assert got["files"] == [f"Plan file: {DOC['uri']}"]
