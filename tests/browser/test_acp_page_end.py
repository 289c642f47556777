"""An ACP run whose kernel went away mid-turn, in real Chromium: the bare page (the built bundle
and its acp chunk, a fake model) shows the agent's call "pending" and its plan's step in
progress; the kernel restarts (the lab extension's event on the view's root, as it dispatches
it): the page ends the run itself, the call and the step end cancelled (☒) as after Stop, and
the status line says why on its one row."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_bundle_page import Kernel, assert_clean
from tests.wait import PATIENCE

pytestmark = pytest.mark.browser

PLAN = {
    "entries": [
        {"content": "Read data.py", "priority": "high", "status": "completed"},
        {"content": "Fix the rounding", "priority": "medium", "status": "in_progress"},
        {"content": "Run the tests", "priority": "low", "status": "pending"},
    ]
}
CALL = {
    "type": "tool",
    "id": "edit_1",
    "name": "Edit data.py",
    "args": {},
    "arguments": "{}",
    "state": "running",
    "started_at": 1000.1,
    "meta": {"kind": "edit", "status": "pending"},
}

SEEN = """() => ({
  badge: document.querySelector('.nba-acp-badge')?.textContent ?? null,
  marks: [...document.querySelectorAll('.nba-plan-entry')].map(
    (li) => [li.className.replace('nba-plan-entry nba-plan-', ''),
             li.querySelector('.nba-plan-mark').textContent]),
  label: document.querySelector('.nba-status-label')?.textContent ?? null,
  rows: (() => {  // the status line's items shown, by the row they sit on
    const line = document.querySelector('.nba-status');
    const tops = [...line.children].filter((e) => e.getClientRects().length > 0)
      .map((e) => Math.round(e.getBoundingClientRect().top));
    return new Set(tops).size;
  })(),
})"""


def seen(bare: Any, badge: str) -> dict[str, Any]:
    bare.page.wait_for_function(
        "(b) => document.querySelector('.nba-acp-badge')?.textContent === b",
        arg=badge,
        timeout=PATIENCE * 1000,
    )
    return dict(bare.eval(SEEN))


def test_a_kernel_restart_mid_turn_ends_the_call_and_the_step(bare_page_factory: Any) -> None:
    bare = bare_page_factory(manual=True)
    bare.eval("nba.mount()")
    k = Kernel()
    k.start()
    k.ops({"op": "run", "set": {"plan": PLAN}}, {"op": "add", "block": CALL})
    assert_clean(bare, bare.eval("(m) => nba.stream(m)", k.msgs))
    before = seen(bare, "edit · pending")
    assert before["marks"] == [["completed", "☑"], ["in_progress", "◐"], ["pending", "☐"]]
    bare.eval(
        """async () => {
          document.querySelector('.nbagent').dispatchEvent(
            new CustomEvent('nbagent-kernel-end', {detail: {reason: 'kernel_restarted'}}));
          await nba.frame();  // the page's frames are run by hand (?manual)
        }"""
    )
    after = seen(bare, "edit · cancelled")
    assert after["marks"] == [["completed", "☑"], ["cancelled", "☒"], ["pending", "☐"]]
    assert after["label"] == "cancelled (kernel restarted)"
    assert after["rows"] == 1
    assert_clean(bare, None)
