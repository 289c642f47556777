"""The widget alone in Chromium: runs recorded in this process (no kernel, no JupyterLab: the
messages a kernel would send, tests/browser/replays.py) played into the bare page at their
own pace on the page's clock. What these check is the widget's: a run streaming then shown
whole, how the timeline follows it, how lanes sit side by side then stack, how sub-agents nest
while they stream. How the messages get there (a kernel, JupyterLab, a reload, a saved
notebook) is tests/browser/test_lab*.py's.
"""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from nbagent import demo
from nbagent.apps.lanes import Lanes
from nbagent.apps.replay import ReplayRun
from nbagent.sources.recording import Player
from nbagent.sources.recording_file import read_recording
from tests.browser.lab import ROOT_SEL, SAMPLE_JS
from tests.browser.replays import Playback, Recorder, Recording, record
from tests.browser.test_lab import demo_usage, summary
from tests.browser.test_lab_nested import FINAL_SHAPE, TOOL_USAGE, check_final, shape, tree
from tests.recording import start
from tests.wait import wait_for

sys.path.insert(0, str(Path(__file__).parent / "notebooks"))
import nbtest_sources as sources

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def weather() -> Recording:
    """The weather demo (two parallel tool calls between two model calls), replayed at its
    recorded pace (~6 s), as ``nbagent.replay(demo.recording('weather'))`` sends it."""
    return record(lambda: replaying("weather"))


def replaying(name: str) -> ReplayRun:
    """``nbagent.replay(demo.recording(name))`` with a widget, outside a notebook."""
    events, _ = read_recording(demo.recording(name))
    run = ReplayRun(Player(events), display=True)
    run.start()
    return run


# -- the demo run -----------------------------------------------------------------------------


def test_the_demo_run_streams_then_shows_the_full_transcript(
    bare_page_factory: Any, weather: Recording
) -> None:
    bare = bare_page_factory()
    play = Playback(bare, weather)
    samples = []  # after each message: the page as it was drawn
    while not play.done:
        play.push()
        samples.append(bare.eval(SAMPLE_JS, ROOT_SEL))
    play.wait("(sel) => !!document.querySelector(sel + ' .nba-status-label')", ROOT_SEL)

    # While streaming: the status says running, the Stop button shows, the answer grows.
    running = [s for s in samples if s and s["status"] == "running"]
    assert running, f"never saw the running state: {samples[:3]}"
    assert all(s["stop"] for s in running)
    grown = sorted({s["text"] for s in running if s["text"] > 0})
    assert len(grown) >= 3, (
        "the answer did not grow in several steps while running; text lengths seen while "
        f"running: {grown}, final samples: {samples[-3:]}"
    )
    lengths = [s["text"] if s else 0 for s in samples]
    assert lengths == sorted(lengths), "the answer text shrank at some point"
    # The thinking panel is open while the model thinks, and collapses once the answer starts.
    assert any(s["thinkingOpen"] for s in samples if s and s["text"] == 0), (
        "thinking never shown open"
    )
    assert not any(s["thinkingOpen"] for s in samples if s and s["text"] > 0)

    w = summary(bare)
    assert w["title"] == "Paris vs Oslo"
    # Answer: heading, table with the cities, a python code block with a copy button.
    assert "Paris vs Oslo today" in w["text"]
    assert "Have a good trip!" in w["text"]
    assert w["table"] is not None, "the markdown table did not render as a <table>"
    assert w["table"][0][:2] == ["th:City", "th:Temperature"]
    assert [row[0] for row in w["table"][1:]] == ["td:Paris", "td:Oslo"]
    assert len(w["code"]) == 1
    code = w["code"][0]
    assert "from nbagent.demo import get_weather" in code["text"]
    assert "language-python" in code["cls"]
    assert code["copy"], "no copy button next to the code block"
    # Thinking: present, collapsed after the answer started.
    assert w["thinking"] is not None
    assert "two independent lookups" in w["thinking"]["text"]
    assert w["thinking"]["open"] is False
    # Two get_weather panels, done and collapsed with their durations (a failed one stays
    # open: tests/browser/test_lab.py's step replay).
    assert [t["name"] for t in w["tools"]] == ["get_weather", "get_weather"]
    for tool, city in zip(w["tools"], ["Paris", "Oslo"], strict=True):
        assert city in tool["summary"]
        assert tool["open"] is False
        assert re.fullmatch(r"\d+(\.\d+)? s", tool["meta"] or ""), tool["meta"]
        assert tool["error"] is None
    # Status line: completed, usage, no Stop.
    assert w["label"] == "completed"
    assert demo_usage() in w["parts"], w["parts"]
    assert not w["stopVisible"]
    assert not bare.foreign_requests()
    assert bare.errors == []


# -- the timeline ----------------------------------------------------------------------------

# The width of the last row's bar (px), when that row is running; -1 otherwise.
RUNNING_WIDTH = """() => {
    const rows = document.querySelectorAll('.nbagent .nba-tl-row');
    const last = rows[rows.length - 1];
    if (!last || !last.classList.contains('nba-tl-running')) return -1;
    return last.querySelector('.nba-tl-bar').getBoundingClientRect().width;
}"""
VISIBLE = "(sel) => !!document.querySelector(sel)?.checkVisibility()"


def test_the_timeline_follows_a_replay_and_ends_with_the_footers_numbers(
    bare_page_factory: Any, weather: Recording
) -> None:
    bare = bare_page_factory()
    play = Playback(bare, weather)
    toggle_sel = ".nbagent .nba-status > .nba-timeline-toggle"
    play.until(VISIBLE, toggle_sel)  # offered once the run has a timed step
    toggle = bare.page.locator(toggle_sel)
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"  # at the click, not at a frame
    play.wait(VISIBLE, ".nbagent .nba-timeline", "the timeline (its chunk) to show")

    # While it plays: a running bar, then the same bar wider with no click in between.
    play.until(f"() => ({RUNNING_WIDTH})() > 0")
    width = bare.eval(RUNNING_WIDTH)
    play.until(f"(w) => ({RUNNING_WIDTH})() > w + 2", width)
    assert bare.eval("document.querySelector('.nbagent .nba-status-label').textContent") != (
        "completed"
    )

    play.rest()
    play.wait(
        "() => document.querySelector('.nbagent .nba-status-label').textContent === 'completed'"
    )
    timeline = bare.page.locator(".nbagent .nba-timeline")
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
    parts = bare.page.locator(".nbagent .nba-status-parts").inner_text()
    assert f"{sum(counts):,} tokens" in parts, (nums, parts)
    metas = bare.page.locator(".nbagent .nba-tool .nba-meta")
    for i in (1, 2):
        assert nums[i].split(" · ")[0] == metas.nth(i - 1).inner_text().split(" · ")[0]
    assert bare.eval("document.querySelectorAll('.nbagent [style]').length") == 0
    assert bare.errors == []


# -- lanes ------------------------------------------------------------------------------------


def test_lanes_render_side_by_side_then_stacked_when_narrow(bare_page_factory: Any) -> None:
    def two_lanes() -> Lanes:
        lanes = Lanes(display=True, title="Two lanes")
        lanes.add(sources.words(60, 0.01), name="left")
        lanes.add(sources.words(90, 0.01), name="right")
        return lanes

    bare = bare_page_factory()
    bare.page.set_viewport_size({"width": 1280, "height": 1000})
    play = Playback(bare, record(two_lanes))
    play.rest()
    play.wait(
        """() => {
            const labels = document.querySelectorAll('.nba-lane .nba-status-label');
            return labels.length === 2 &&
                [...labels].every((l) => l.textContent.startsWith('completed'));
        }""",
        what="both lanes completed",
    )
    lanes = bare.page.locator(".nba-lanes > .nba-lane")
    assert lanes.count() == 2
    assert lanes.nth(0).locator(".nba-title").inner_text() == "left"
    assert lanes.nth(1).locator(".nba-title").inner_text() == "right"
    assert "w59" in lanes.nth(0).inner_text()
    assert "w89" in lanes.nth(1).inner_text()
    left, right = lanes.nth(0).bounding_box(), lanes.nth(1).bounding_box()
    assert left is not None
    assert right is not None
    assert abs(left["y"] - right["y"]) < 1  # one row
    assert right["x"] >= left["x"] + left["width"]  # two columns
    bare.page.set_viewport_size({"width": 560, "height": 1000})
    play.wait(
        """() => {
            const [a, b] = document.querySelectorAll('.nba-lanes > .nba-lane');
            return b.getBoundingClientRect().top >= a.getBoundingClientRect().bottom;
        }""",
        what="the lanes stacked at 560 px",
    )
    assert bare.foreign_requests() == []
    assert bare.errors == []


# -- sub-agents --------------------------------------------------------------------------------

NESTED_ROOT = "#app .nbagent"


def nested_text(state: dict[str, Any], needle: str) -> bool:
    return any(needle in b.get("text", "") for b in state["blocks"] if b.get("parent"))


def test_sub_agents_stream_inside_their_panels(bare_page_factory: Any) -> None:
    """``nbtest_sources.nested_events`` (tests/browser/test_lab_nested.py's run): each
    sub-agent waits mid-text until its gate opens, which it does once the page was sent the
    text before it, so the page is looked at while each streams."""
    in_tool, in_agent = threading.Event(), threading.Event()

    def open_gates(rec: Recorder) -> None:
        wait_for(lambda: nested_text(rec.shown(), "Helper streaming"), what="the helper's words")
        in_tool.set()
        wait_for(lambda: nested_text(rec.shown(), "Researcher reading"), what="the researcher's")
        in_agent.set()

    nested = record(lambda: start(sources.nested_events(in_tool, in_agent, 0.01)), open_gates)
    bare = bare_page_factory()
    play = Playback(bare, nested)

    # 1. The tool call's sub-agent streams inside the tool's panel, which is open.
    play.until(
        "(sel) => [...document.querySelectorAll(sel + ' .nba-tool .nba-children .nba-text')]"
        ".some((t) => t.textContent.includes('Helper streaming'))",
        NESTED_ROOT,
    )
    t = tree(bare, NESTED_ROOT)
    assert t["status"].startswith("running"), t["status"]
    assert shape(t["blocks"]) == [
        ("text", "Let me ask a helper."),
        ("tool", "ask_helper", [("thinking", "Thinking", []), ("text", "Helper streaming")]),
    ], t["blocks"]
    tool = t["blocks"][1]
    assert [tool["open"], tool["spinning"]] == [True, True], tool
    assert tool["children"][1]["visible"] is True, "the nested text is not visible"
    assert "nested words" not in str(t), "the gate did not hold the sub-agent"

    # 2. The tool call returned (collapsed, with its usage); the researcher streams inside
    #    its own panel, open and named.
    play.until(
        "(sel) => [...document.querySelectorAll(sel + ' .nba-agent .nba-children .nba-text')]"
        ".some((t) => t.textContent.includes('Researcher reading'))",
        NESTED_ROOT,
    )
    t = tree(bare, NESTED_ROOT)
    assert t["status"].startswith("running"), t["status"]
    assert shape(t["blocks"]) == [
        *FINAL_SHAPE[:2],
        ("agent", "researcher", [("text", "Researcher reading")]),
    ], t["blocks"]
    tool, agent = t["blocks"][1:]
    assert [tool["open"], tool["spinning"]] == [False, False], tool
    assert TOOL_USAGE in tool["meta"], tool["meta"]
    assert [agent["open"], agent["spinning"]] == [True, True], agent
    assert agent["children"][0]["visible"] is True, "the researcher's text is not visible"

    # 3. The researcher's scope ended: its panel collapses; the answer is at the top level.
    play.rest()
    play.wait(
        "(sel) => document.querySelector(sel + ' .nba-status-label').textContent === 'completed'",
        NESTED_ROOT,
    )
    check_final(bare, NESTED_ROOT)
    assert bare.errors == []
