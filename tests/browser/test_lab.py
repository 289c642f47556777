"""End to end: nbagent's widget in a real JupyterLab, driven by Playwright (Debian Chromium).

One JupyterLab for the session and one page for the module (``tests/browser/lab.py``); each
test writes its own notebook and opens it on a clean workspace with a fresh kernel.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.browser.lab import ROOT_SEL, LabPage, lab_fixture, lab_server_fixture  # noqa: F401
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
    from nbagent._export.formats import format_tokens
    from nbagent._transcript import Transcript

    u = Transcript.from_events(load(demo.recording("weather"))).usage
    assert u.total_tokens is not None
    return f"{format_tokens(u.total_tokens)} tokens"


def summary(lab: LabPage, nth: int = 0) -> dict[str, Any]:
    out = lab.js(SUMMARY_JS, [ROOT_SEL, nth])
    assert out is not None, f"no widget #{nth} on the page"
    return dict(out)


def words_in(text: str) -> list[str]:
    return text.split()


# -- 1. the demo run -----------------------------------------------------------------


def test_demo_run_streams_then_shows_the_full_transcript(lab: LabPage) -> None:
    lab.open("demo.ipynb", [DEMO_IMPORTS + "run = " + WEATHER.format(speed=4)], run=False)
    lab.js("__nbaSample(15)")
    lab.run_all()
    lab.wait_status("completed")
    samples = lab.js("(__nbaSampleStop(), __nbaSamples)")

    # While streaming: the status says running, the Stop button shows, the answer grows.
    running = [s for s in samples if s["status"] == "running"]
    assert running, f"never saw the running state: {samples[:3]}"
    assert all(s["stop"] for s in running)
    grown = sorted({s["text"] for s in running if s["text"] > 0})
    assert len(grown) >= 3, (
        "the answer did not grow in several steps while running; text lengths seen while "
        f"running: {grown}, final samples: {samples[-3:]}"
    )
    lengths = [s["text"] for s in samples]
    assert lengths == sorted(lengths), "the answer text shrank at some point"
    # The thinking panel is open while the model thinks, and collapses once the answer starts.
    assert any(s["thinkingOpen"] for s in samples if s["text"] == 0), "thinking never shown open"
    assert not any(s["thinkingOpen"] for s in samples if s["text"] > 0)

    w = summary(lab)
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
    # open: tests/browser/test_lab_replay.py).
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
    assert not lab.foreign_requests()


# -- 2. Stop ---------------------------------------------------------------------------

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
    """DEVELOP.md: one store per model (made in ``initialize``); it asks for ``sync`` once when
    the snapshot it loads is still running. A second store (e.g. one per view) asks again."""
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


# -- 4. Hostile inputs -----------------------------------------------------------------

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


# -- 5. Theme --------------------------------------------------------------------------


def test_the_look_is_the_reference_light_and_dark(lab: LabPage) -> None:
    """JupyterLab draws the weather run with ``look.LAYOUT``, the reference every other host's
    look is compared with (tests/browser/look.py), in its Light and Dark themes, and back."""
    lab.open("look.ipynb", [DEMO_IMPORTS + LOOK_RUN])
    lab.wait_status("completed")
    lab_looks_light_and_dark(lab, "jupyterlab")
