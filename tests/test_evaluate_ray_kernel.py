"""``nbagent.evaluate(..., executor=<address>)`` in a real kernel that joins the session's
local Ray by its address (one cluster: the kernel starts none): a row opened from the table
(the page's ``open`` message) shows its case's run live until it ends; re-running the cell
cancels every case's task and the table says cancelled; Stop at any instant while many short
cases finish leaves the kernel alive (Ray 2.60's driver aborted on a cancel racing a task's
end) with every case completed, cancelled or skipped.

The cases' tools wait on files this process writes (the workers are other processes), or on
an event nobody sets; every wait is on a state (``Kernel.wait_value``), never a guessed time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.kernel import Kernel, widget_traffic
from tests.test_evaluate_ray import TIMEOUT_S, WAIT_S
from tests.wait import wait_for

pytestmark = [pytest.mark.kernel, pytest.mark.timeout(TIMEOUT_S)]

KERNEL_OF_ITS_OWN = "it joins the session's Ray as a driver, which %reset does not undo"

KERNEL_SETUP = """
import threading, nbagent, ray
from nbagent import demo

cancelled = []  # the tasks ray.cancel was called with (it still cancels them)
_cancel = ray.cancel
def _spy(ref, **kw):
    cancelled.append(ref)
    return _cancel(ref, **kw)
ray.cancel = _spy


def agent_with(*tools):
    llm = demo.connect(in_process=True, speed=0)
    return nbagent.Agent(
        llm.model, tools=[*demo.TOOLS, *tools], instructions=demo.INSTRUCTIONS, client=llm.client
    )


def statuses(ev):
    return {s: [c.status for c in ev.cases].count(s) for s in sorted({c.status for c in ev.cases})}
"""


@pytest.fixture(scope="module")
def address(local_ray: Any) -> str:
    """The session's Ray's address, for the kernel's ``ray.init(address)``."""
    return str(local_ray.get_runtime_context().gcs_address)


@pytest.fixture(autouse=True)
def nothing_left(address: str, kernel: Kernel) -> Iterator[None]:
    """Each test starts with no evaluation and ends with none running."""
    kernel.execute(f"evs = []; cancelled.clear(); ADDRESS = {address!r}")
    yield
    kernel.execute("nbagent.stop_all()")
    kernel.wait_value("[e.done for e in evs].count(False)", 0, timeout=WAIT_S)


def test_an_opened_row_shows_its_ray_case_live_until_it_ends(
    kernel: Kernel, tmp_path: Path
) -> None:
    gate = tmp_path / "gate"
    kernel.execute(
        "import pathlib, time\n"
        f"GATE = pathlib.Path({str(gate)!r})\n"
        "def gated_tool() -> str:\n"
        '    """Waits for its gate (a file), then says so."""\n'
        f"    deadline = time.monotonic() + {WAIT_S}\n"
        "    while not GATE.exists() and time.monotonic() < deadline:\n"
        "        time.sleep(0.01)  # a poll with a deadline (another process opens it)\n"
        "    return 'the gate opened: ' + GATE.read_text()\n"
        "ev = nbagent.evaluate(agent_with(gated_tool), ['call gated_tool'], executor=ADDRESS)\n"
        "evs.append(ev)\n"
    )
    kernel.wait_value("len(ev.cases[0].transcript.tool_calls)", 1, timeout=WAIT_S)
    board = kernel.value("ev.board.widget.model_id")
    since = len(kernel.messages())
    kernel.send_custom(board, {"type": "open", "i": 0})  # as the page does for a row's click
    kernel.wait_value("'0' in ev.board.widget.opened", True, timeout=WAIT_S)
    opened = kernel.value("ev.board.widget.opened['0'].model_id")
    assert kernel.value("ev.cases[0].status") == "running"  # opened while it ran on Ray
    gate.write_text("pass 7")  # the case goes on: its tool result and the answer come back
    kernel.wait_value("ev.done", True, timeout=WAIT_S)
    assert kernel.value("ev.cases[0].status") == "completed"

    def run_widget() -> Any:
        """The opened row's run widget's traffic once its final snapshot came."""
        for w in widget_traffic(kernel.messages(), since)["widgets"]:
            if w["comm_id"] == opened and w["final"] is not None:
                return w
        return None

    traffic = wait_for(run_widget, WAIT_S, "the opened case's final snapshot")
    opening = json.dumps(traffic["open"]["content"]["data"]["state"])
    assert "the gate opened" not in opening  # the result came after the row was opened ...
    live = json.dumps(traffic["custom"])
    assert "the gate opened: pass 7" in live  # ... as the run's ops, while it ran
    assert traffic["final"]["state"]["status"] == "completed"


def test_rerunning_the_cell_cancels_every_ray_case(kernel: Kernel) -> None:
    cell = (
        "def hang_tool() -> str:\n"
        '    """Waits until its task is cancelled."""\n'
        "    threading.Event().wait(600)\n"
        "    return 'never'\n"
        "evs.append(nbagent.evaluate(agent_with(hang_tool), ['call hang_tool'] * 4, "
        "concurrency=2, executor=ADDRESS))\n"
    )
    kernel.execute(cell, cell_id="ray-cell")
    in_tool = "sum(bool(c.transcript.tool_calls) for c in evs[{}].cases)"
    kernel.wait_value(in_tool.format(0), 2, timeout=WAIT_S)
    kernel.execute(cell, cell_id="ray-cell")  # the same cell, run again
    kernel.wait_value("evs[0].done", True, timeout=WAIT_S)
    assert kernel.value("statuses(evs[0])") == {"cancelled": 2, "skipped": 2}
    assert kernel.value("evs[0].board.widget.snapshot['header']['status']") == "cancelled"
    assert kernel.value("[r['status'] for r in evs[0].board.widget.snapshot['rows']]") == [
        "cancelled",
        "cancelled",
        "skipped",
        "skipped",
    ]
    assert kernel.value("len(cancelled)") >= 2  # each running case's task (the new ones' too)
    kernel.wait_value(in_tool.format(1), 2, timeout=WAIT_S)  # the new evaluation runs on Ray


def test_stop_at_any_instant_while_cases_finish_leaves_the_kernel_alive(kernel: Kernel) -> None:
    """Rounds of 40 one-line cases, 8 in flight, each round stopped as its k-th case completes
    (k = 1, 10, 20, 30): each case's task is cancelled as its last item arrives, and the Stop
    lands while others end. Ray 2.60 aborts its driver when a cancel meets a task's own end
    (``ray_cases``); a build that cancelled finishing tasks died here within a few hundred
    cases. The kernel answers after every round, every case completed, cancelled or skipped."""
    kernel.execute(
        "def quick(x):\n"
        "    return x\n"
        "ends = []\n"
        "for k in (1, 10, 20, 30):\n"
        "    ev = nbagent.evaluate(quick, list(range(40)), concurrency=8, executor=ADDRESS)\n"
        "    evs.append(ev)\n"
        "    done = []\n"
        "    def stop_at_k(case, ev=ev, done=done, k=k):\n"
        "        if case.status == 'completed':\n"
        "            done.append(case)\n"
        "            if len(done) == k:\n"
        "                ev.cancel()\n"
        "    ev.on_change(stop_at_k)\n"
        f"    ev.wait({WAIT_S})\n"
        "    ends.append(sorted({c.status for c in ev.cases}))\n",
        timeout=4 * WAIT_S,
    )
    ends = kernel.value("ends")
    assert len(ends) == 4
    assert all(set(end) <= {"completed", "cancelled", "skipped"} for end in ends), ends
    assert kernel.value("[e.status for e in evs]") == ["cancelled"] * 4
    assert kernel.value("len(cancelled)") >= 40  # a cancel per started case, at least
    assert kernel.value("1 + 1") == 2  # the kernel (Ray's driver) is still there
