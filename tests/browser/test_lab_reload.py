"""End to end: a JupyterLab page reloaded after a run, and in the middle of one.

A page reloaded mid-run gets the run's start from the saved output and the rest only by
asking the kernel (``sync``); its Stop is a message to the kernel too. JupyterLab 4.6 sends
both on a kernel subshell, and ipykernel 7.4 sends them on to the subshell it pinned the
widget's comm to, often one a page closed (``nbagent/widget/subshells.py``,
``route_to_live_subshell``): these tests require every reload to recover,
``tests/browser/reload_rate.py`` measures how often one does. Stop is pressed while the
stream moves it (a line wraps): the button keeps the press (js/src/panels/status.js).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser import reload_rate
from tests.browser.lab import ROOT_SEL, LabPage
from tests.browser.test_lab import DEMO_IMPORTS, WEATHER, demo_usage, summary

pytestmark = pytest.mark.browser


# Every table of the answer in its box with its copy buttons: the highlight chunk's work, which
# a page (re)loaded draws a moment after the status shows (js/src/base/highlight_slot.js).
TABLES_BOXED = """(sel) => {
  const root = document.querySelector(sel);
  const tables = root ? [...root.querySelectorAll('.nba-text table')] : [];
  return tables.length > 0 && tables.every((t) => t.closest('.nba-table-scroll'));
}"""


def drawn_summary(lab: LabPage) -> dict[str, Any]:
    """The widget's summary once its status is "completed" and its tables are boxed."""
    lab.wait_status("completed")
    lab.wait_js(TABLES_BOXED, ROOT_SEL, what="the answer's tables in their copy boxes")
    return summary(lab)


def test_reload_after_a_completed_run_shows_the_transcript(lab: LabPage) -> None:
    lab.open("reload_done.ipynb", [DEMO_IMPORTS + "run = " + WEATHER.format(speed=0)])
    before = drawn_summary(lab)
    lab.save()
    lab.reload()
    after = drawn_summary(lab)
    assert "Have a good trip!" in after["text"]
    assert after["textContent"] == before["textContent"]
    assert after["table"] == before["table"]
    assert [t["name"] for t in after["tools"]] == ["get_weather", "get_weather"]
    assert demo_usage() in after["parts"]


LIVE = """\
import threading
import nbagent, nbtest_sources

gate = threading.Event()
run = nbagent.show(nbtest_sources.words_until(gate, 0.05))
"""

FINISH = """\
gate.set()
run.wait(10)
print("kernel:", run.status, len(run.transcript.text.split()), run.transcript.text.split()[-1])
"""


def test_reload_during_a_run_catches_up_and_keeps_streaming(lab: LabPage) -> None:
    mark = lab.server.log_mark()
    lab.open("reload_live.ipynb", [LIVE, FINISH], run=False)
    lab.run_cell(0)
    lab.page.wait_for_function(
        "(sel) => /\\bw10\\b/.test(document.querySelector(sel)?.textContent ?? '')", arg=ROOT_SEL
    )
    lab.save()
    lab.reload()
    lab.page.wait_for_function("() => typeof window.__nbaSample === 'function'")
    lab.js("__nbaSample(20)")
    # The saved output holds the run's start: w10 shows only once the kernel answered the new
    # page's sync, on whatever subshell JupyterLab sent it (nbagent/widget/widget.py).
    caught_up = "(sel) => /\\bw10\\b/.test(document.querySelector(sel)?.textContent ?? '')"
    try:
        lab.page.wait_for_function(caught_up, arg=ROOT_SEL)
    except Exception as exc:
        raise AssertionError(f"no caught-up widget after the reload\n{lab.diagnose()}") from exc
    first = summary(lab)
    assert first["label"] == "running", first["label"]
    assert first["textContent"].split()[:11] == [f"w{i}" for i in range(11)]
    shown = len(first["textContent"].split())
    lab.page.wait_for_function(
        "([sel, n]) => document.querySelector(sel).querySelector('.nba-text')"
        ".textContent.trim().split(/\\s+/).length >= n + 10",
        arg=[ROOT_SEL, shown],
    )
    assert "Unknown subshell_id" not in lab.server.log(since=mark), lab.diagnose()
    sent = lab.js("window.__nbaSent")
    assert any(m["type"] == "sync" for m in sent), "the reloaded page never asked for sync"

    lab.run_cell(1)
    out = lab.wait_cell_output(1, "kernel:")
    m = re.search(r"kernel: (\w+) (\d+) (\S+)", out)
    assert m, out
    assert m.group(1) == "completed"
    lab.wait_status("completed")
    samples = lab.js("(__nbaSampleStop(), __nbaSamples)")
    lengths = [s["text"] for s in samples]
    assert lengths == sorted(lengths), "the answer text shrank at some point after the reload"
    words = summary(lab)["textContent"].split()
    n = int(m.group(2))
    assert words == [f"w{i}" for i in range(n - 1)] + ["done."], words[-5:]


def test_stop_after_a_reload_cancels_the_run(lab: LabPage) -> None:
    reload_rate.open_notebook(lab, "kernel", "reload_stop.ipynb")
    result = reload_rate.cycle(lab)
    assert result.recovered, f"{result}\n{lab.diagnose()}"
    # The kernel's side: the run ended by Stop, and the view shows all it sent.
    lab.run_source(0, "print('kernel:', run.status, len(run.transcript.text.split()))")
    out = lab.wait_cell_output(0, "kernel:")
    m = re.search(r"kernel: (\w+) (\d+)", out)
    assert m, out
    assert m.group(1) == "cancelled"
    lab.wait_js(
        "([sel, n]) => document.querySelector(sel).querySelector('.nba-text')"
        ".textContent.trim().split(/\\s+/).length === n",
        [ROOT_SEL, int(m.group(2))],
    )
    assert not summary(lab)["stopVisible"]


def test_a_stop_the_stream_pushes_away_mid_press_still_stops(lab: LabPage) -> None:
    """A line of text that wraps while the reader presses Stop pushes the button down: the
    release lands off it and the browser clicks nothing, unless the button captured the
    pointer (js/src/panels/status.js). A cycle of ``test_every_reload_mid_run_recovers``
    failed so on CI: Playwright checks where its press lands, not its release; no ``stop``
    was sent."""
    reload_rate.open_notebook(lab, "kernel", "stop_pushed.ipynb")
    lab.run_cell(1)
    lab.wait_js(
        "(sel) => /\\bw10\\b/.test(document.querySelector(sel)?.textContent ?? '')", ROOT_SEL
    )
    stop_js = "(sel) => document.querySelector(sel).querySelector('.nba-stop')"
    lab.js(
        "document.addEventListener('pointerdown', (e) => { window.__nbaPressed = e.target }, true)"
    )
    for _aim in range(20):
        box = lab.widget().get_by_role("button", name="Stop").bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        lab.page.mouse.move(x, y)
        lab.page.mouse.down()
        if lab.js(f"(sel) => window.__nbaPressed === ({stop_js})(sel)", ROOT_SEL):
            break
        lab.page.mouse.up()  # the stream moved it between its measure and the press: aim again
    else:
        pytest.fail(f"20 presses missed the Stop button\n{lab.diagnose()}", pytrace=False)
    # Pressed: the stream now pushes the button wholly below the pointer.
    moved = f"([sel, y]) => ({stop_js})(sel).getBoundingClientRect().top > y"
    lab.wait_js(moved, [ROOT_SEL, y], what="the pressed Stop button never moved off the pointer")
    lab.page.mouse.up()
    lab.wait_js(
        "(sel) => document.querySelector(sel).querySelector('.nba-status-label')"
        ".textContent.startsWith('cancelled')",
        ROOT_SEL,
        what="released off the pressed Stop button (the stream moved it): the run did not stop",
    )
    assert any(m["type"] == "stop" for m in lab.js("window.__nbaSent")), lab.diagnose()


RELOADS = 8


def test_every_reload_mid_run_recovers(lab: LabPage) -> None:
    """8 reloads, each in the middle of its own run on one kernel (the subshells of every
    page before stay in it): each shows the whole run, streams on, and stops."""
    mark = lab.server.log_mark()
    results = reload_rate.cycles(lab, RELOADS)
    lost = [(i, r) for i, r in enumerate(results) if not r.recovered]
    assert not lost, f"{len(lost)}/{RELOADS} reloads did not recover: {lost}\n{lab.diagnose()}"
    assert "Unknown subshell_id" not in lab.server.log(since=mark), lab.diagnose()
