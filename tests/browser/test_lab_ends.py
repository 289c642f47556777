"""Ends that look like ends (issue 18), in JupyterLab (and a restart in Notebook 7) with this
checkout's lab extension.

- A kernel restarted (from the page, and from outside through the REST API) or shut down
  mid-run ends every live view of it on the first news of it the page gets, saying so: no
  spinner anywhere in the cell, no Stop, the elapsed time frozen, the pending tool call
  cancelled, no page error; the cell run again once the kernel is back works as before.
  (How soon, in milliseconds, is printed, not asserted: a loaded machine is slower.)
- Stop while a tool call is pending leaves no spinner in the cell.
- A Run (and Lanes) as a cell's last expression shows its widget once and no stale repr.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.lab import LabPage
from tests.browser.test_lab_nested import page_errors
from tests.wait import PATIENCE

pytestmark = pytest.mark.browser

LIVE = ".nba-live .nbagent"

# A run that streams text, then calls a tool whose result comes only after `wait` s: the
# generator sleeps in the tool as a real agent loop would.
SLOW_RUN = """\
import nbagent, time

def slow(wait):
    yield {"kind": "run_start"}
    yield {"kind": "message_start", "message_id": "m"}
    for i in range(10):
        yield {"kind": "text_delta", "message_id": "m", "delta": f"word{i} "}
        time.sleep(0.02)
    yield {"kind": "tool_call_start", "tool_call_id": "t1", "name": "slow_tool"}
    yield {"kind": "tool_call_end", "tool_call_id": "t1", "arguments": "{}"}
    time.sleep(wait)
    yield {"kind": "tool_result", "tool_call_id": "t1", "content": "late"}

run = nbagent.show(slow(600), format="events", title="slow")  # only an end the test makes
"""

# What the cell shows, read in one go: its widgets' status, spinners a user can see, Stop.
CELL_STATE = """([i, sel]) => {
    const cell = jupyterapp.shell.currentWidget.content.widgets[i].node;
    const roots = [...cell.querySelectorAll(sel)].filter((r) => !r.matches('.nba-group'));
    const seen = (el) => el.checkVisibility() && !el.closest('[hidden]');
    return {
        labels: roots.map((r) => r.querySelector('.nba-status-label')?.textContent ?? null),
        parts: roots.map((r) => r.querySelector('.nba-status-parts')?.textContent ?? null),
        spinners: [...cell.querySelectorAll('.nba-spinner')].filter(seen).length,
        stops: [...cell.querySelectorAll('.nba-stop')].filter((b) => seen(b) && !b.disabled).length,
        cancelledTools:
            cell.querySelectorAll('.nba-tool.nba-cancelled svg.nba-icon-cancelled').length,
        warnings: [...cell.querySelectorAll('.nba-warning')].map((w) => w.textContent),
        outputs: [...cell.querySelectorAll('.jp-OutputArea-output')].map((o) => o.innerText),
    };
}"""


def cell_state(lab: LabPage, index: int) -> dict[str, Any]:
    state: dict[str, Any] = lab.js(CELL_STATE, [index, LIVE])
    return state


def wait_tool_running(lab: LabPage, index: int) -> None:
    lab.wait_js(
        """([i, sel]) => {
            const cell = jupyterapp.shell.currentWidget.content.widgets[i].node;
            const spin = cell.querySelector(sel + ' .nba-tool .nba-state .nba-spinner');
            return !!spin && spin.checkVisibility();
        }""",
        [index, LIVE],
    )


def end_of(lab: LabPage, index: int, action: str, label: str) -> dict[str, Any]:
    """Run ``action`` (JS) in the page and wait for the cell's widget to say ``label``:
    whether it did (within ``PATIENCE``, a watchdog) and, in the order the page saw them, the
    kernel's statuses, the kernel's last word (its ``kernel_end`` message) and that end."""
    seen: dict[str, Any] = lab.js(
        """async ([i, sel, action, label, budget]) => {
            const cell = jupyterapp.shell.currentWidget.content.widgets[i].node;
            const el = cell.querySelector(sel + ' .nba-status-label');
            const session = jupyterapp.shell.currentWidget.sessionContext;
            const kernel = session.session.kernel;
            const events = [];
            const onStatus = (_, status) => events.push('status:' + status);
            const onMessage = (_, {msg, direction}) => {
                if (direction === 'recv' && msg.content?.data?.content?.type === 'kernel_end')
                    events.push('kernel_end');
            };
            kernel.statusChanged.connect(onStatus);
            kernel.anyMessage.connect(onMessage);
            const ended = await new Promise((resolve) => {
                const check = () => {
                    if (!el.textContent.startsWith(label)) return false;
                    events.push('ended');
                    resolve(true);
                    return true;
                };
                const mo = new MutationObserver(() => check() && mo.disconnect());
                mo.observe(el, {childList: true, characterData: true, subtree: true});
                setTimeout(() => { mo.disconnect(); resolve(false); }, budget);
                (new Function('session', action))(session);
            });
            kernel.statusChanged.disconnect(onStatus);
            kernel.anyMessage.disconnect(onMessage);
            return {ended, events};
        }""",
        [index, LIVE, action, label, PATIENCE * 1000],
    )
    return seen


def past_a_tick(lab: LabPage) -> None:
    """Return once a clock still going in the page would have moved: a view's elapsed time
    ticks every second (``setInterval``) and is rendered in the next frame. The page's
    timers fire in the order they are due, so one due later than that tick, then a frame,
    come after the tick's render, however slowly the page runs."""
    lab.js("() => new Promise((r) => setTimeout(() => requestAnimationFrame(() => r(true)), 1100))")


def kernel_id(lab: LabPage) -> str:
    return str(lab.js("() => jupyterapp.shell.currentWidget.sessionContext.session.kernel.id"))


def check_ended(lab: LabPage, reason: str, warning: str, *, strict: bool = True) -> None:
    """The cell's view ended, saying why; no page error (``strict=False``: none but Notebook
    7's own, a settings load in notebook_core that fails in its page with no nbagent frame)."""
    s = cell_state(lab, 0)
    assert s["labels"] == [f"cancelled ({reason})"], s
    assert s["spinners"] == 0, s
    assert s["stops"] == 0, s
    assert s["cancelledTools"] == 1, s
    assert s["warnings"] == [warning], s
    errors = page_errors(lab)
    if not strict:
        errors = [e for e in errors if "reading 'schema'" not in e or "nbagent" in e]
    assert errors == []


@pytest.mark.parametrize("how", ["page", "rest"])
def test_a_kernel_restart_ends_the_run(lab: LabPage, how: str) -> None:
    """``page``: the restart JupyterLab's menu asks for, the kernel's last word switched off:
    the page's own sources end the run (the lab extension, the widget manager), on the
    kernel's status saying it restarts. ``rest``: another client restarts the kernel; the
    kernel's last word ends the run (the page alone hears only the new kernel starting,
    ~0.9 s later): it comes before any status of the restart."""
    lab.console.clear()
    cell = SLOW_RUN
    if how == "page":
        cell += "import nbagent.runtime.kernel as K\nK._shutdown_callbacks.clear()\n"
    lab.open(f"restart-{how}.ipynb", [cell, "print(run.status)"], run=False)
    lab.run_cell(0)
    wait_tool_running(lab, 0)
    old_session = lab.kernel_session()
    if how == "page":  # what the Kernel menu's Restart does, without its dialog
        action = "session.session.kernel.restart();"
    else:  # another client restarts the kernel: the page hears it from the server
        action = (
            f"fetch('/api/kernels/{kernel_id(lab)}/restart', {{method: 'POST', "
            "headers: {'Content-Type': 'application/json'}});"
        )
    seen = end_of(lab, 0, action, "cancelled")
    print(f"\nkernel restart ({how}): {seen}")
    assert seen["ended"], f"the view did not end: {seen}\n{lab.diagnose()}"
    events = seen["events"]
    if how == "page":
        assert events[0] == "status:restarting", events
        assert "kernel_end" not in events, events
    else:
        assert events[0] == "kernel_end", events
    check_ended(lab, "kernel restarted", "The kernel restarted; this run ended.")
    frozen = cell_state(lab, 0)["parts"]
    lab.wait_kernel_back(old_session)
    past_a_tick(lab)
    after = cell_state(lab, 0)
    assert after["parts"] == frozen, (frozen, after)
    # The kernel is back: the cell runs again, with a new widget that works as before.
    lab.run_source(0, SLOW_RUN.replace("slow(600)", "slow(0)"))
    lab.wait_js(
        "(sel) => [...document.querySelectorAll(sel + ' .nba-status-label')]"
        ".some((l) => l.textContent === 'completed')",
        LIVE,
    )
    s = cell_state(lab, 0)
    assert s["labels"] == ["completed"], s
    assert page_errors(lab) == []


def test_a_kernel_shutdown_ends_the_run(lab: LabPage) -> None:
    lab.console.clear()
    lab.open("shutdown.ipynb", [SLOW_RUN], run=False)
    lab.run_cell(0)
    wait_tool_running(lab, 0)
    seen = end_of(lab, 0, "session.shutdown();", "cancelled")
    print(f"\nkernel shutdown: {seen}")
    assert seen["ended"], f"the view did not end: {seen}\n{lab.diagnose()}"
    check_ended(lab, "kernel shutdown", "The kernel shut down; this run ended.")


def test_stop_mid_tool_leaves_no_spinner(lab: LabPage) -> None:
    lab.console.clear()
    lab.open("stop_mid_tool.ipynb", [SLOW_RUN], run=False)
    lab.run_cell(0)
    wait_tool_running(lab, 0)
    lab.page.locator(f"{LIVE} .nba-stop").click()
    lab.wait_status("cancelled")
    s = cell_state(lab, 0)
    assert s["labels"] == ["cancelled"], s
    assert s["spinners"] == 0, s
    assert s["cancelledTools"] == 1, s
    assert page_errors(lab) == []


def test_a_run_as_the_last_expression_shows_once(lab: LabPage) -> None:
    lab.console.clear()
    cells = [
        'import nbagent\nnbagent.show(["a", "b"])',
        'nbagent.show({"left": ["x"], "right": ["y"]})',
        'r = nbagent.show(["c"])',
        "r",
    ]
    lab.open("last.ipynb", cells, run=False)
    for i in range(len(cells)):
        lab.run_cell(i)
    lab.wait_cell_output(3, "nbagent.Run")
    lab.wait_js(
        "(sel) => [...document.querySelectorAll(sel + ' .nba-status-label')]"
        ".filter((l) => l.textContent === 'completed').length === 4",
        LIVE,
    )
    for i in (0, 1):
        s = cell_state(lab, i)
        assert len(s["outputs"]) == 1, s
        assert "nbagent.Run" not in s["outputs"][0], s
        assert "nbagent.Lanes" not in s["outputs"][0], s
    assert cell_state(lab, 0)["labels"] == ["completed"]
    assert cell_state(lab, 1)["labels"] == ["completed", "completed"]
    # A later cell naming the run: the one line of its repr, true as it is printed.
    later = cell_state(lab, 3)["outputs"]
    assert len(later) == 1, later
    assert re.fullmatch(r"<nbagent.Run #\d+ completed, 1 chars>", later[0]), later
    assert page_errors(lab) == []


def test_a_kernel_restart_ends_the_run_in_notebook7(notebook7: LabPage) -> None:
    nb7 = notebook7
    """Notebook 7's Restart, the kernel's last word switched off: its page ends the run."""
    nb7.console.clear()
    cell = SLOW_RUN + "import nbagent.runtime.kernel as K\nK._shutdown_callbacks.clear()\n"
    nb7.open("restart-nb7.ipynb", [cell], run=False)
    nb7.run_cell(0)
    wait_tool_running(nb7, 0)
    seen = end_of(nb7, 0, "session.session.kernel.restart();", "cancelled")
    print(f"\nNotebook 7: kernel restart: {seen}")
    assert seen["ended"], f"the view did not end: {seen}\n{nb7.diagnose()}"
    assert seen["events"][0] == "status:restarting", seen
    assert "kernel_end" not in seen["events"], seen
    check_ended(nb7, "kernel restarted", "The kernel restarted; this run ended.", strict=False)
