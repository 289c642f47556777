"""End to end: nbagent's widget in a real JupyterLab, driven by Playwright (Debian Chromium).

One JupyterLab for the session and one page for the module (``tests/browser/lab.py``); each
test writes its own notebook and opens it on a clean workspace with a fresh kernel. A step
replay's buttons go to the kernel; its position and the transcript come back step by step.
(How the widget draws the demo run as it streams: tests/browser/test_recorded_runs.py.)
"""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import nbagent
from nbagent import demo
from nbagent.core.events import ToolCallEnd, ToolResult
from tests.browser.lab import PAGE_PATIENCE, ROOT_SEL, LabPage
from tests.browser.look import LOOK_RUN, lab_looks_light_and_dark

sys.path.insert(0, str(Path(__file__).parent / "notebooks"))
import nbtest_sources as sources

pytestmark = pytest.mark.browser

DEMO_IMPORTS = "import nbagent\nfrom nbagent import demo\n"
WEATHER = "nbagent.replay(demo.recording('weather'), speed={speed})"

# The final DOM of a widget, summarized (one evaluate, so the snapshot is consistent).
SUMMARY_JS = r"""
([sel, nth]) => {
  const r = document.querySelectorAll(sel)[nth];
  if (!r) return null;
  const q = (s) => r.querySelector(s);
  const text = q('.nba-text');
  const table = text && text.querySelector('table');
  const think = q('details.nba-thinking');
  const status = q('[role=status]');
  const stop = [...r.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Stop');
  return {
    title: q('.nba-title') ? q('.nba-title').textContent : null,
    text: text ? text.innerText : null,
    textContent: [...r.querySelectorAll('.nba-text')].map((t) => t.textContent).join(''),
    table: table ? [...table.querySelectorAll('tr')].map((tr) => [...tr.children].map(
      (c) => c.tagName.toLowerCase() + ':' + c.textContent.trim())) : null,
    code: [...r.querySelectorAll('.nba-text pre > code')].map((c) => ({
      text: c.textContent, cls: c.className,
      copy: !!(c.closest('.nba-code') && c.closest('.nba-code').querySelector('button.nba-copy')),
    })),
    thinking: think ? {open: think.open, text: think.textContent} : null,
    tools: [...r.querySelectorAll('details.nba-tool')].map((d) => ({
      name: (d.querySelector('.nba-tool-name') || {}).textContent,
      summary: d.querySelector('summary').textContent,
      body: d.querySelector('.nba-panel-body').textContent,
      open: d.open,
      meta: (d.querySelector('summary .nba-meta') || {}).textContent,
      error: d.querySelector('.nba-is-error') ? d.querySelector('.nba-is-error').textContent : null,
    })),
    status: status ? status.textContent : null,
    label: q('.nba-status-label') ? q('.nba-status-label').textContent : null,
    parts: q('.nba-status-parts') ? q('.nba-status-parts').textContent : null,
    stopVisible: !!stop && !stop.hidden && stop.offsetParent !== null,
    errorBox: q('[role=alert]') && !q('[role=alert]').hidden ? q('[role=alert]').textContent : null,
  };
}
"""


def demo_usage() -> str:
    """The usage the status line should show for the demo run, from the transcript itself."""
    from nbagent import demo, load
    from nbagent.transcript.export.formats import format_tokens
    from nbagent.transcript.transcript import Transcript

    u = Transcript.from_events(load(demo.recording("weather"))).usage
    assert u.total_tokens is not None
    return f"{format_tokens(u.total_tokens)} tokens"


def recorded_elapsed(name: str) -> str:
    """The demo run's elapsed time as the status line writes it."""
    from nbagent import load
    from nbagent.transcript.export.formats import format_elapsed
    from nbagent.transcript.transcript import Transcript

    took = Transcript.from_events(load(demo.recording(name))).elapsed_s
    assert took is not None
    return format_elapsed(took)


def summary(lab: LabPage, nth: int = 0) -> dict[str, Any]:
    """The nth widget's summary, once it is drawn (its status label there): a reloaded page's
    saved view gives way to the live widget, which draws a moment after it is attached."""
    drawn = f"(a) => {{ const s = ({SUMMARY_JS})(a); return s && s.label !== null ? s : null; }}"
    try:
        out = lab.page.wait_for_function(drawn, arg=[ROOT_SEL, nth], timeout=PAGE_PATIENCE * 1000)
    except Exception as exc:  # noqa: BLE001 - Playwright's TimeoutError and friends
        pytest.fail(f"no widget #{nth} drawn on the page: {exc}\n{lab.diagnose()}", pytrace=False)
    return dict(out.json_value())


# -- 1. Stop ---------------------------------------------------------------------------

ENDLESS = """\
import time
import nbagent

closed = []

def endless():
    i = 0
    try:
        while True:
            yield f"tick{i} "
            i += 1
            time.sleep(0.05)
    finally:
        closed.append(True)

run = nbagent.show(endless())
print("show returned:", run.status)
"""

AFTER_STOP = """\
deadline = time.monotonic() + 60
while not closed and time.monotonic() < deadline:  # the generator closes at its next yield
    time.sleep(0.01)
print("closed:", closed, run.status, run.transcript.text.count("tick"))
"""


def test_stop_button_cancels_the_run_and_closes_the_generator(lab: LabPage) -> None:
    lab.open("stop.ipynb", [ENDLESS, AFTER_STOP], run=False)
    lab.run_cell(0)
    out = lab.wait_cell_output(0, "show returned:")
    assert "show returned: running" in out, out  # an endless source: show() did not wait
    lab.page.wait_for_function(
        "(sel) => /tick10\\b/.test(document.querySelector(sel)?.textContent ?? '')", arg=ROOT_SEL
    )
    # The cell has returned: the kernel is idle while the widget keeps streaming.
    lab.page.wait_for_function(
        "() => jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'"
    )
    assert summary(lab)["label"] == "running"

    lab.widget().get_by_role("button", name="Stop").click()
    lab.wait_status("cancelled")
    ticks = len(re.findall(r"tick\d+", summary(lab)["textContent"]))

    # The next cell's output comes after the generator closed, on the same IOPub channel
    # as the widget's messages: whatever the run sent after Stop is on the page by then.
    lab.run_cell(1)
    out = lab.wait_cell_output(1, "closed:")
    m = re.search(r"closed: \[(.*?)\] (\w+) (\d+)", out)
    assert m, out
    assert m.group(1) == "True", f"the generator was not closed: {out!r}"
    assert m.group(2) == "cancelled"
    assert int(m.group(3)) == ticks, f"kernel has {m.group(3)} ticks, the widget shows {ticks}"
    w = summary(lab)
    assert len(re.findall(r"tick\d+", w["textContent"])) == ticks, "text still arrived after Stop"
    assert w["label"] == "cancelled"
    assert not w["stopVisible"]


def test_a_displayed_widget_asks_for_sync_once(lab: LabPage) -> None:
    """docs/develop/contracts.md: one store per model (made in ``initialize``); it asks for ``sync``
    once when the snapshot it loads is still running. A second store (e.g. one per view) asks
    again."""
    lab.open(
        "sync.ipynb",
        ["import nbagent, nbtest_sources\nrun = nbagent.show(nbtest_sources.words(20, 0.02))"],
    )
    lab.wait_status("completed")
    syncs = [m for m in lab.js("window.__nbaSent") if m["type"] == "sync"]
    assert len(syncs) == 1, (
        f"{len(syncs)} sync requests for one widget displayed once (at ms "
        f"{[round(m['t']) for m in syncs]}): the kernel answered each with a full snapshot"
    )


# -- 2. Hostile inputs -----------------------------------------------------------------

HOSTILE_CELL = """\
import nbagent, nbtest_sources as S
runs = [nbagent.show(S.sliced(text, 3, 0.01), throttle_ms=20) for text in S.LAB_SUBSET]
runs.append(nbagent.show(S.hostile_events(3, 0.01), throttle_ms=20))
"""


def test_hostile_inputs_never_reach_the_dom(lab: LabPage) -> None:
    n = len(sources.LAB_SUBSET) + 1
    lab.open("hostile.ipynb", [HOSTILE_CELL], run=False)
    lab.js("__nbaWatch()")
    lab.run_all()
    lab.page.wait_for_function(
        """([sel, n]) => {
            const roots = document.querySelectorAll(sel);
            if (roots.length < n) return false;
            return [...roots].every((r) => {
                const l = r.querySelector('.nba-status-label');
                return l && /^(completed|error|cancelled)/.test(l.textContent);
            });
        }""",
        arg=[ROOT_SEL, n],
        timeout=60_000,
    )
    watch = lab.js(
        "(() => { const w = window.__nbaWatchState; w.stop(); "
        "return {checks: w.checks, violations: w.violations, pwned: w.pwned}; })()"
    )
    final = lab.js(
        "(sel) => [...document.querySelectorAll(sel)].map((r) => window.__nbaViolations(r))",
        ROOT_SEL,
    )
    pwned = lab.js("window.__pwned")

    assert watch["checks"] >= 30, f"too few DOM states observed: {watch['checks']}"
    assert watch["violations"] == [], "\n".join(watch["violations"])
    assert final == [[]] * n, final
    assert not watch["pwned"]
    assert pwned is None
    foreign = lab.foreign_requests()
    assert foreign == [], f"the page requested other hosts: {foreign}"
    assert not any("beacon.test" in u for u in lab.requests)

    widgets = [summary(lab, i) for i in range(n)]
    assert [w["label"] for w in widgets[:-1]] == ["completed"] * (n - 1)
    first = widgets[0]["textContent"]
    assert "Hello" in first
    assert "world" in first
    assert "after" in widgets[1]["textContent"]
    # Every href left inside the widgets is safe (also checked above, per mutation).
    hrefs = lab.js(
        "(sel) => [...document.querySelectorAll(sel + ' a[href]')]"
        ".map((a) => a.getAttribute('href'))",
        ROOT_SEL,
    )
    assert all(re.match(r"(?i)^(https?:|mailto:|#)", h) for h in hrefs), hrefs

    # The non-markdown places show hostile strings as plain text.
    ev = widgets[-1]
    assert ev["label"].startswith("error:"), ev["label"]
    assert "HostileError" in ev["label"] + (ev["errorBox"] or "")
    assert ev["title"] == sources.HOSTILE[8]
    assert [t["name"] for t in ev["tools"]] == [sources.HOSTILE[0], sources.HOSTILE[6]]
    assert ev["tools"][0]["error"] == sources.HOSTILE[7]
    assert ev["thinking"] is not None
    assert sources.HOSTILE[7] in ev["thinking"]["text"]


# -- 3. Theme --------------------------------------------------------------------------


def test_the_look_is_the_reference_light_and_dark(lab: LabPage) -> None:
    """JupyterLab draws the weather run with ``look.LAYOUT``, the reference every other host's
    look is compared with (tests/browser/look.py), in its Light and Dark themes, and back."""
    lab.open("look.ipynb", [DEMO_IMPORTS + LOOK_RUN])
    lab.wait_status("completed")
    lab_looks_light_and_dark(lab, "jupyterlab")


# -- 4. A step replay -------------------------------------------------------------------

EVENTS = list(nbagent.load(demo.recording("failing_tool")))
TOTAL = len(EVENTS)
# Where "Next tool call" stops: after each tool call's arguments, and after each result.
TOOL_STOPS = [i for i, ev in enumerate(EVENTS, 1) if isinstance(ev, (ToolCallEnd, ToolResult))]

STEP_CELL = (
    "import nbagent\nfrom nbagent import demo\n"
    "run = nbagent.replay(demo.recording('failing_tool'), step=True)"
)

STEP_STATE_JS = r"""
(sel) => {
  const r = document.querySelector(sel);
  if (!r) return null;
  const bar = r.querySelector('.nba-replay');
  const failed = [...r.querySelectorAll('details.nba-tool')].find(
    (d) => d.querySelector('.nba-is-error'));
  return {
    label: bar && !bar.hidden ? r.querySelector('.nba-replay-label').textContent : null,
    buttons: [...r.querySelectorAll('.nba-replay-buttons:not([hidden]) button')]
      .map((b) => b.textContent),
    text: [...r.querySelectorAll('.nba-text')].map((t) => t.textContent).join(''),
    tools: [...r.querySelectorAll('details.nba-tool .nba-tool-name')].map((n) => n.textContent),
    failed: failed ? {open: failed.open, error: failed.querySelector('.nba-is-error').textContent}
      : null,
    status: r.querySelector('.nba-status-label').textContent,
    parts: r.querySelector('.nba-status-parts').textContent,
    spinning: !r.querySelector('.nba-spinner').hidden,
  };
}
"""


def step_state(lab: LabPage) -> dict[str, Any]:
    out = lab.js(STEP_STATE_JS, ROOT_SEL)
    assert out is not None, "no widget on the page"
    return dict(out)


def click_and_wait(lab: LabPage, button: str, label: str) -> dict[str, Any]:
    lab.widget().get_by_role("button", name=button).click()
    wait_label(lab, label)
    return step_state(lab)


def wait_label(lab: LabPage, label: str) -> None:
    lab.wait_js(
        "([sel, label]) => document.querySelector(sel + ' .nba-replay-label')"
        "?.textContent === label",
        [ROOT_SEL, label],
        what=f"the replay's position to read {label!r}",
    )


def test_step_buttons_play_the_recording_and_show_where_it_is(lab: LabPage) -> None:
    lab.open("step.ipynb", [STEP_CELL])
    wait_label(lab, f"Replay paused · event 0 of {TOTAL}")
    first = step_state(lab)
    assert first["buttons"] == ["Next event", "Next tool call", "To end"]
    assert first["tools"] == []
    # Begun, nothing played yet: paused, its clock stopped at the start, no spinner.
    assert (first["status"], first["parts"], first["spinning"]) == ("paused", "0.0 s", False)

    click_and_wait(lab, "Next event", f"Replay paused · event 1 of {TOTAL}")
    click_and_wait(lab, "Next tool call", f"Replay paused · event {TOOL_STOPS[0]} of {TOTAL}")
    # The first call's panel shows once the tools chunk the kernel sends with it has loaded.
    lab.wait_js(
        "(sel) => document.querySelector(sel + ' details.nba-tool .nba-tool-name') !== null",
        ROOT_SEL,
        what="the first tool call's panel",
    )
    call = step_state(lab)
    assert call["tools"] == ["revenue_by_region"]
    assert call["failed"] is None  # asked, not answered yet
    # Between steps the run is paused and its clock does not move (the recording's time).
    assert (call["status"], call["spinning"]) == ("paused", False)
    lab.page.wait_for_timeout(2500)
    assert (step_state(lab)["status"], step_state(lab)["parts"]) == ("paused", call["parts"])
    failed = click_and_wait(
        lab, "Next tool call", f"Replay paused · event {TOOL_STOPS[1]} of {TOTAL}"
    )
    # The failed call's panel opens with its error.
    assert failed["failed"] == {
        "open": True,
        "error": "FileNotFoundError: [Errno 2] No such file: 'sales_q3.csv'",
    }
    for stop in TOOL_STOPS[2:]:
        click_and_wait(lab, "Next tool call", f"Replay paused · event {stop} of {TOTAL}")

    # The answer grows one event at a time.
    lengths = [len(step_state(lab)["text"])]
    for position in range(TOOL_STOPS[-1] + 1, TOOL_STOPS[-1] + 31):
        shown = click_and_wait(lab, "Next event", f"Replay paused · event {position} of {TOTAL}")
        lengths.append(len(shown["text"]))
    # (Rendered text, not source: a table's pipes vanish once its rows parse as a table.)
    grew = sum(b > a for a, b in itertools.pairwise(lengths))
    assert grew >= 10, f"the answer did not grow step by step: {lengths}"
    assert lengths[-1] > lengths[0] + 50, lengths

    click_and_wait(lab, "To end", f"Replay · event {TOTAL} of {TOTAL}")
    lab.wait_status("completed")
    done = step_state(lab)
    assert done["buttons"] == []  # nothing left to step through
    # Its time is the recording's: the waits between steps are not in it.
    assert recorded_elapsed("failing_tool") in done["parts"].split(" · ")
    assert "| **Total** | **20,510.00** | |" not in done["text"]  # rendered as a table
    assert "20,510.00" in done["text"]
    assert not lab.foreign_requests()
