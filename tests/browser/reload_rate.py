"""How often a page reloaded mid-run recovers, in a real JupyterLab and Chromium.

One cycle: a cell starts an endless run (a word every 50 ms), the page waits for ``w10``,
saves, reloads, and then the reloaded view must (1) show the whole run so far (``w0`` …
``w10``: only a ``sync`` answer brings them, the saved ``snapshot`` trait holds the run's
start), (2) keep growing live, and (3) end ``cancelled`` when its Stop is clicked. Every
cycle runs a new run on the same kernel, so the subshells of all the pages reloaded before
are there too, as they are for a user who reloads again and again.

``test_lab_reload.py`` runs ``cycles`` (it requires every cycle to recover); run this module to
measure a rate, e.g. with the kernel's re-routing turned off (``--way none``)::

    PYTHONPATH=$PWD python -m tests.browser.reload_rate --way none --reloads 14
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from typing import Any

from tests.browser.lab import ROOT_SEL, LabPage
from tests.wait import PAGE_PATIENCE

KERNEL_WAYS = {
    # The shipped behaviour: nbagent's widgets take the browser's messages on a live subshell,
    # the one the browser chose (nbagent/widget/subshells.py, route_to_live_subshell).
    "kernel": "import nbagent.widget.subshells as w; w.ROUTE_TO_LIVE_SUBSHELL = True",
    # ipykernel's routing untouched: what JupyterLab 4.6 + ipykernel 7.4 do without nbagent's.
    "none": "import nbagent.widget.subshells as w; w.ROUTE_TO_LIVE_SUBSHELL = False",
}
KERNEL_WAYS["setting-disabled"] = KERNEL_WAYS["setting-percomm"] = KERNEL_WAYS["none"]

SETTINGS = {
    # JupyterLab's own setting, no nbagent change: no comm on any subshell (a user's workaround).
    "setting-disabled": "disabled",
    # One subshell per comm (the control comm's is deleted when it closes, like today's).
    "setting-percomm": "perComm",
}
WAYS = sorted(KERNEL_WAYS)

SETUP = """\
import threading
import nbagent, nbtest_sources
{way}
print("setup done")
"""

START = "run = nbagent.show(nbtest_sources.words_until(threading.Event(), 0.05))"

WORDS_JS = (
    "(sel) => (document.querySelector(sel)?.querySelector('.nba-text')?.textContent ?? '')"
    ".trim().split(/\\s+/).filter(Boolean)"
)


@dataclass
class Cycle:
    """What one reload showed: each step's time (s after the reload), None if it never came."""

    caught_up: float | None = None
    live: float | None = None
    cancelled: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def recovered(self) -> bool:
        return None not in (self.caught_up, self.live, self.cancelled)


def _wait(lab: LabPage, expr: str, arg: Any, timeout: float) -> bool:
    try:
        lab.page.wait_for_function(expr, arg=arg, timeout=timeout * 1000)
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError
        return False
    return True


def open_notebook(lab: LabPage, way: str, name: str = "reload_rate.ipynb") -> None:
    """A fresh kernel with ``way``'s kernel side set (``KERNEL_WAYS``), the run's cell not yet
    run (a way's JupyterLab setting is the server's: ``main``)."""
    lab.open(name, [SETUP.format(way=KERNEL_WAYS[way]), START], run=False)
    lab.run_cell(0)
    lab.wait_cell_output(0, "setup done")


def cycle(lab: LabPage, timeout: float = PAGE_PATIENCE) -> Cycle:
    """Start a run, reload mid-run, check the three steps (see the module's doc)."""
    out = Cycle()
    lab.run_cell(1)
    lab.wait_js(
        "(sel) => /\\bw10\\b/.test(document.querySelector(sel)?.textContent ?? '')", ROOT_SEL
    )
    lab.save()
    lab.reload()
    t0 = time.monotonic()
    lab.page.wait_for_selector(ROOT_SEL)
    # The saved output holds the run's start: w10 shows only once the kernel answered sync.
    if not _wait(lab, f"(sel) => ({WORDS_JS})(sel).includes('w10')", ROOT_SEL, timeout):
        out.notes.append(f"not caught up: {lab.js(WORDS_JS, ROOT_SEL)[-3:]}")
        return out
    out.caught_up = time.monotonic() - t0
    words = lab.js(WORDS_JS, ROOT_SEL)
    if words[: len(words)] != [f"w{i}" for i in range(len(words))]:
        out.notes.append(f"not the whole run: {words[:12]}")
        return out
    grown = f"(a) => ({WORDS_JS})(a[0]).length >= a[1] + 10"
    if not _wait(lab, grown, [ROOT_SEL, len(words)], timeout):
        out.notes.append("no live deltas after catching up")
        return out
    out.live = time.monotonic() - t0
    lab.widget().get_by_role("button", name="Stop").click()
    cancelled = (
        "(sel) => document.querySelector(sel)?.querySelector('.nba-status-label')"
        "?.textContent.startsWith('cancelled')"
    )
    if not _wait(lab, cancelled, ROOT_SEL, timeout):
        out.notes.append("Stop did not end the run")
        return out
    out.cancelled = time.monotonic() - t0
    return out


KERNEL_STATE = """\
import sys, threading, traceback
print("run:", run.transcript.status, "done:", run.done)
for t in threading.enumerate():
    frames = traceback.extract_stack(sys._current_frames().get(t.ident))[-3:][::-1]
    where = [f"{f.name} {f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in frames]
    print(t.name, "|", " < ".join(where))
print("state done")
"""
"""What the kernel holds when a Stop went unanswered: the run's status and where each thread
is (a comm handler stuck in a subshell shows there)."""


def stop_runs(lab: LabPage) -> str:
    """End what a failed cycle left running (a stranded page's Stop never reached the kernel);
    returns the kernel's state before (``KERNEL_STATE``), for the failure's message."""
    lab.run_source(0, KERNEL_STATE)
    state = lab.wait_cell_output(0, "state done")
    lab.run_source(0, "nbagent.stop_all()\nprint('stopped')")
    lab.wait_cell_output(0, "stopped")
    return state


def cycles(lab: LabPage, n: int, way: str = "kernel") -> list[Cycle]:
    """``n`` reload cycles on one kernel (``way``: see ``KERNEL_WAYS``)."""
    open_notebook(lab, way)
    results = []
    for _ in range(n):
        result = cycle(lab)
        results.append(result)
        if not result.recovered:
            result.notes.append(f"kernel:\n{stop_runs(lab)}")
    return results


def main() -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.browser.lab import LabServer, new_lab_page

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--way", choices=WAYS, default="kernel")
    parser.add_argument("--reloads", type=int, default=14)
    args = parser.parse_args()
    server = LabServer()
    if args.way in SETTINGS:
        server.user_settings(
            "@jupyterlab/apputils-extension:kernels-settings",
            {"commsOverSubshells": SETTINGS[args.way]},
        )
    with server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context, lab = new_lab_page(browser, server)
        t = time.monotonic()
        results = cycles(lab, args.reloads, args.way)
        for i, r in enumerate(results):
            print(f"reload {i + 1:2}: {'ok ' if r.recovered else 'LOST'} {r}")
        unknown = server.log_path.read_text(errors="replace").count("Unknown subshell_id")
        ok = sum(r.recovered for r in results)
        print(
            f"way={args.way}: {ok}/{len(results)} recovered in {time.monotonic() - t:.0f} s; "
            f"'Unknown subshell_id' {unknown} times in the server log"
        )
        context.close()
        browser.close()


if __name__ == "__main__":
    main()
