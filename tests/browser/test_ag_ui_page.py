"""AG-UI 1.0's activities and interrupts in real Chromium: the bare page (the built bundle and
its tools chunk, a fake model) is sent the ops the transcript makes of the SDK's own streams
(``tests/frameworks/ag_ui_v1_streams.py``): an activity's panel ends with its last content and
a bad patch's note, an interrupt's with its question, expiry, fields and the resuming code; an
agent's hostile text in them stays inert (``bare/check.js``). And in JupyterLab, an AG-UI agent
nbagent drives (a real AG-UI server, ``tests/ag_ui_servers/booking.py``): its interrupt's form
filled, a missing field refused in the browser, the answer accepted, and the agent's reply to
it in the same cell."""

from __future__ import annotations

from typing import Any

import pytest

from nbagent.adapters.ag_ui import AgUiAdapter
from nbagent.transcript.transcript import Transcript
from tests.adapter_harness import fold
from tests.browser.lab import LabPage
from tests.browser.test_bundle_page import Kernel, assert_clean
from tests.wait import PATIENCE

pytestmark = pytest.mark.browser

need_sdk = pytest.importorskip("ag_ui")

from tests.ag_ui_servers.booking import BookingAgent  # noqa: E402
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


def test_lab_answers_a_driven_agents_interrupt_with_its_form(lab: LabPage) -> None:
    with BookingAgent() as agent:
        body = agent.first_input()
        cell = f"import nbagent\nnbagent.show(nbagent.sse({agent.url!r}, json={body!r}))"
        lab.open("ag_ui_interrupt.ipynb", [cell])
        panel = lab.page.locator(".nba-tool").first
        head = panel.locator(".nba-pause-head")
        head.wait_for()
        assert head.inner_text().startswith("Where to, and for how many nights? (Accept")
        assert "waiting for you (ag-ui)" in head.inner_text()
        assert panel.locator(".nba-pause-hint").is_hidden()  # no code to paste
        city = panel.get_by_label("city", exact=True)
        city.wait_for()
        panel.get_by_label("nights", exact=True).fill("2")
        panel.get_by_role("button", name="Accept").click()
        assert panel.locator(".nba-pause-error").inner_text() == "city: required"
        assert len(agent.inputs) == 1  # refused in the browser: nothing sent
        city.fill("Lisbon")
        panel.get_by_role("button", name="Accept").click()
        lab.wait_status("completed", 0)
        assert "Booked Lisbon for 2 nights." in lab.widget(0).inner_text()
    resume = agent.inputs[1].resume
    assert resume is not None
    assert [(e.interrupt_id, e.status, e.payload) for e in resume] == [
        ("i-details", "resolved", {"city": "Lisbon", "nights": 2})
    ]
    panel.locator(".nba-summary").click()
    assert panel.locator(".nba-result").first.inner_text().strip() == (
        '{"city": "Lisbon", "nights": 2}'
    )
    assert "Approved" in panel.locator(".nba-pause-answer").inner_text()
