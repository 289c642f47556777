"""AG-UI 1.0's activities and interrupts in real Chromium: the bare page (the built bundle and
its tools chunk, a fake model) is sent the ops the transcript makes of the SDK's own streams
(``tests/frameworks/ag_ui_v1_streams.py``): an activity's panel ends with its last content and
a bad patch's note, an interrupt's with its question, expiry, fields and the resuming code; an
agent's hostile text in them stays inert (``bare/check.js``)."""

from __future__ import annotations

from typing import Any

import pytest

from nbagent.adapters.ag_ui import AgUiAdapter
from nbagent.transcript.transcript import Transcript
from tests.adapter_harness import fold
from tests.browser.test_bundle_page import Kernel, assert_clean
from tests.wait import PATIENCE

pytestmark = pytest.mark.browser

need_sdk = pytest.importorskip("ag_ui")

from tests.frameworks.ag_ui_v1_streams import STREAMS  # noqa: E402

PWN = '<img src=x onerror="window.__pwned=1">'


def stream_ops() -> list[dict[str, Any]]:
    """The ops the transcript makes of one run, event by event: the activities, then the
    interrupts (the two streams joined), a hostile word added to the interrupt's question and
    to the activity's content."""
    items = [*STREAMS["activity"]()[:-1], *STREAMS["interrupt_v1"]()[1:]]
    _, events = fold(AgUiAdapter(), items)
    t = Transcript()
    ops: list[dict[str, Any]] = []
    for ev in events:
        ops += t.apply(ev)
    for op in ops:
        block = op.get("block") or {}
        if block.get("type") == "interrupt":
            block["message"] += f" {PWN}"
        if isinstance(op.get("set"), dict) and isinstance(op["set"].get("content"), dict):
            op["set"]["content"] = {**op["set"]["content"], "note": PWN}
    return ops


def test_bare_page_draws_activities_and_interrupts_inert(bare_page_factory: Any) -> None:
    bare = bare_page_factory(manual=True)
    bare.eval("nba.mount()")
    k = Kernel()
    k.start()
    for op in stream_ops():
        k.ops(op)
    assert_clean(bare, bare.eval("(m) => nba.stream(m)", k.msgs))
    bare.page.wait_for_function(
        "() => document.querySelectorAll('[aria-label=\"Waiting for input\"]').length === 1",
        timeout=PATIENCE * 1000,
    )
    got = bare.eval(
        """() => {
          const acts = [...document.querySelectorAll('[aria-label="Activity"]')];
          const wait = document.querySelector('[aria-label="Waiting for input"]');
          return {
            heads: acts.map((a) => a.querySelector('.nba-plan-head').textContent),
            found: JSON.parse(acts[0].querySelector('pre').textContent).found,
            error: acts[1].querySelector('.nba-pause-error').textContent,
            waiting: wait.querySelector('.nba-pause-head').textContent,
            text: wait.textContent,
            code: wait.querySelector('pre').textContent,
            foreign: document.querySelectorAll('#app :is(img, [onerror])').length,
          };
        }"""
    )
    assert got["heads"] == ["Activity: SEARCH", "Activity: PLAN · stopped"]
    assert got["found"] == 3
    assert "a bad patch" in got["error"]
    assert got["waiting"] == "Waiting for input: input_required"
    assert f"Where to, and for how many nights? {PWN}" in got["text"]
    assert "Expires: 2026-12-01T12:00:00Z" in got["text"]
    assert "Answer: city*, nights, class, refundable" in got["text"]
    assert got["code"].endswith('resume_entries(run.transcript, {"i-details": answer})')
    assert got["foreign"] == 0
    assert_clean(bare, None)
