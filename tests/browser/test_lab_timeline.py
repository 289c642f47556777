"""The timeline in JupyterLab with a real kernel: a replay of the weather demo (two parallel
tool calls), the timeline turned on from the status line while it plays; bars appear and a
running one grows; the parallel calls' bars overlap on screen; at the end the rows' numbers
are the footer's and the tool panels'."""

from __future__ import annotations

import re

import pytest

from tests.browser.lab import LabPage, lab_fixture, lab_server_fixture  # noqa: F401

pytestmark = pytest.mark.browser

REPLAY = "import nbagent\nfrom nbagent import demo\nrun = nbagent.replay(demo.recording('weather'))"

# The width of the last row's bar (px), when that row is running; -1 otherwise.
RUNNING_WIDTH = """() => {
    const rows = document.querySelectorAll('.nbagent .nba-tl-row');
    const last = rows[rows.length - 1];
    if (!last || !last.classList.contains('nba-tl-running')) return -1;
    return last.querySelector('.nba-tl-bar').getBoundingClientRect().width;
}"""


def test_the_timeline_follows_a_replay_and_ends_with_the_footers_numbers(lab: LabPage) -> None:
    lab.open("timeline.ipynb", [REPLAY])
    toggle = lab.widget().locator(".nba-status > .nba-timeline-toggle")
    toggle.wait_for(state="visible")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"  # at the click, not at a frame
    timeline = lab.widget().locator(".nba-timeline")
    timeline.wait_for(state="visible")

    # While it plays: a running bar, then the same bar wider with no click in between.
    lab.wait_js(f"() => ({RUNNING_WIDTH})() > 0")
    width = lab.js(RUNNING_WIDTH)
    lab.wait_js(f"(w) => ({RUNNING_WIDTH})() > w + 2", arg=width)
    assert lab.js("() => document.querySelector('.nbagent .nba-status-label').textContent") != (
        "completed"
    )

    lab.wait_status("completed")
    rows = timeline.locator(".nba-tl-row")
    assert rows.count() == 4
    kinds = [(rows.nth(i).get_attribute("class") or "").split()[1] for i in range(4)]
    assert kinds == ["nba-tl-model", "nba-tl-tool", "nba-tl-tool", "nba-tl-model"]
    boxes = [rows.nth(i).locator(".nba-tl-bar").bounding_box() for i in range(4)]
    assert all(boxes), boxes
    first, paris, oslo, last = (b or {} for b in boxes)
    assert paris["x"] < oslo["x"] + oslo["width"]
    assert oslo["x"] < paris["x"] + paris["width"]  # the parallel calls overlap
    assert paris["y"] < oslo["y"]  # on rows of their own
    assert last["x"] > first["x"] + first["width"]

    # The numbers: tokens add up to the footer's total, tool durations are the panels'.
    nums = [rows.nth(i).locator(".nba-tl-nums").inner_text() for i in range(4)]
    counts = [int(n.replace(",", "")) for t in nums for n in re.findall(r"(?:in|out) ([\d,]+)", t)]
    parts = lab.widget().locator(".nba-status-parts").inner_text()
    assert f"{sum(counts):,} tokens" in parts, (nums, parts)
    metas = lab.widget().locator(".nba-tool .nba-meta")
    for i in (1, 2):
        assert nums[i].split(" · ")[0] == metas.nth(i - 1).inner_text().split(" · ")[0]
    assert lab.js("() => document.querySelectorAll('.nbagent [style]').length") == 0
