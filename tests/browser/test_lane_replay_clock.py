"""A replay shown as a lane beside a live run, in real Chromium: the bare page (the built bundle
and its lanes chunk, a fake model) takes the messages a real ``Lanes`` sent (a ``Player`` of the
demo's markdown run at 4x, and a text stream), one a frame, and its status line's tok/s for the
replay past the first second of output stays within 10% of the rate the run ends with (42.6):
the lane's clock is its recording's, not the kernel's (which would read it about 4x)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from nbagent.transcript.transcript import apply_op
from nbagent.widget import wire
from nbagent.widget.lane_state import LANE_START
from tests.recording import RecordingComm, page_messages
from tests.test_run_clock import lanes_comm, replay_beside_live

pytestmark = pytest.mark.browser

RATE = re.compile(r"([0-9]+(?:\.[0-9]+)?) tok/s")

# Push one message, run its frame, read the replay lane's status line.
PUSH = """async (m) => {
  nba.push(m);
  await nba.frame();
  const lane = document.querySelector('.nba-lane .nba-status-parts');
  return lane ? lane.textContent : null;
}"""


def test_a_replay_lanes_live_rate_is_its_own(
    comms: list[RecordingComm], bare_page_factory: Any
) -> None:
    final = replay_beside_live()
    messages = [(at, m) for at, m in page_messages(lanes_comm(comms)) if "lanes" in m]
    bare = bare_page_factory(manual=True)
    bare.eval("nba.mount({arrangement: 'lanes', snapshot: {seq: 0, lanes: []}})")
    page: dict[str, Any] = {**LANE_START, "blocks": []}  # the replay's lane, as the page has it
    shown = []
    offset = 0.0  # the page's clock of the replay's lane minus the kernel's, as the page sets it
    for at, m in messages:
        for lane, ops in wire.decode_lanes(m):
            for op in ops if lane == 0 else []:
                apply_op(page, op)
        parts = bare.eval(PUSH, m)
        offset = m["now"] - at if "now" in m else offset
        offset = dict(m.get("clocks", [])).get(0, at + offset) - at
        first = page.get("first_token_at")
        # Past the first second of the replay's output (on the page's clock), while it runs.
        if page.get("status") == "running" and first is not None and at + offset - first >= 1:
            rate = RATE.search(parts or "")
            shown.append(float(rate.group(1)) if rate else parts)
    assert len(shown) >= 10, shown
    assert all(isinstance(r, float) and abs(r / final - 1) < 0.10 for r in shown), (shown, final)
    assert bare.errors == []
