"""``nbagent.evaluate()`` in a real kernel: re-running the cell that started an evaluation
cancels it cleanly (its running cases ``cancelled``, its queued ones ``skipped``) and starts
the new one; re-running another cell leaves it alone; ``nbagent.stop_all()`` cancels it;
``await ev`` in a cell returns once it has ended; a case run again (Re-run case) from a later cell
belongs to the evaluation's cell too.

The cases' tasks wait on an event nobody sets (an ``asyncio.Event``, or a
``threading.Event`` for a sync task on the evaluation's threads), so they run until
cancelled; every wait below is on a state of the kernel (``Kernel.wait_value``), never a
guessed time.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.kernel import Kernel
from tests.wait import PATIENCE

pytestmark = pytest.mark.kernel

CASES = 20
CONCURRENCY = 2

KERNEL_SETUP = """
import asyncio, threading
import nbagent

started = []        # the inputs of the cases that started, in any evaluation
release = threading.Event()  # set at the end only: the sync tasks' threads then return


async def slow_task(x):
    started.append(x)
    await asyncio.Event().wait()  # never set: until cancelled
    return x


def slow_sync_task(x):
    started.append(x)
    release.wait()
    return x


def statuses(ev):
    return {s: [c.status for c in ev.cases].count(s) for s in sorted({c.status for c in ev.cases})}
"""


def start_cell(task: str) -> str:
    """A cell starting an evaluation of ``task`` over 20 cases, 2 at a time, kept in ``evs``."""
    return (
        "evs = globals().setdefault('evs', [])\n"
        f"ev = nbagent.evaluate({task}, list(range({CASES})), concurrency={CONCURRENCY}, "
        "title=f'eval {len(evs)}')\n"
        "evs.append(ev)\n"
    )


@pytest.fixture(scope="module", autouse=True)
def released(kernel: Kernel) -> Iterator[None]:
    """The sync tasks' threads return once the module is done (the kernel goes on)."""
    yield
    kernel.execute("release.set()")


@pytest.fixture(autouse=True)
def nothing_left(kernel: Kernel) -> Iterator[None]:
    """Each test starts and ends with no evaluation running (a failed one stops the rest)."""
    kernel.execute("evs = []; started.clear()")
    yield
    kernel.execute("nbagent.stop_all()")
    kernel.wait_value("[e.done for e in evs].count(False)", 0, timeout=PATIENCE)


def two_running(kernel: Kernel, i: int) -> None:
    """Wait until evaluation ``i`` has ``CONCURRENCY`` cases running and the rest queued."""
    kernel.wait_value(
        f"statuses(evs[{i}])",
        {"queued": CASES - CONCURRENCY, "running": CONCURRENCY},
        timeout=PATIENCE,
    )


@pytest.mark.parametrize("task", ["slow_task", "slow_sync_task"])
def test_rerunning_the_cell_cancels_its_evaluation_and_starts_the_next(
    kernel: Kernel, task: str
) -> None:
    kernel.execute(start_cell(task), cell_id="eval-cell")
    two_running(kernel, 0)
    kernel.execute(start_cell(task), cell_id="eval-cell")  # the same cell, run again
    kernel.wait_value("evs[0].done", True, timeout=PATIENCE)
    assert kernel.value("evs[0].status") == "cancelled"
    assert kernel.value("statuses(evs[0])") == {
        "cancelled": CONCURRENCY,
        "skipped": CASES - CONCURRENCY,
    }
    # The running cases' runs ended cancelled; the queued ones never started (no run).
    assert kernel.value("[c.transcript.status for c in evs[0].cases[:2]]") == ["cancelled"] * 2
    assert kernel.value("[c.run is None for c in evs[0].cases[2:]].count(True)") == CASES - 2
    assert kernel.value("sorted({c.error for c in evs[0].cases[2:]})") == [
        "not started: the evaluation was cancelled"
    ]
    # The new evaluation runs its first two cases; the old one started no more than its two.
    two_running(kernel, 1)
    assert kernel.value("evs[1].status") == "running"
    assert kernel.value("sorted(started)") == [0, 0, 1, 1]


def test_rerunning_another_cell_leaves_the_evaluation_running(kernel: Kernel) -> None:
    """The cases that start while a later cell runs belong to the evaluation, not to that
    cell: re-running the later cell must not cancel them."""
    kernel.execute(start_cell("slow_task"), cell_id="eval-cell")
    two_running(kernel, 0)
    # Another cell, run twice. The first time it cancels the two running cases and waits
    # (polling, with a deadline) until the next two have started: they start as it runs.
    other = (
        "evs[0].cases[0].run.cancel()\n"
        "evs[0].cases[1].run.cancel()\n"
        "deadline = asyncio.get_running_loop().time() + PATIENCE\n"
        "while len(started) < 4 and asyncio.get_running_loop().time() < deadline:\n"
        "    await asyncio.sleep(0.005)\n"
    )
    kernel.execute(f"PATIENCE = {PATIENCE}\n" + other, cell_id="other-cell")
    assert kernel.value("sorted(started)") == [0, 1, 2, 3]
    kernel.execute("x = 1", cell_id="other-cell")
    kernel.execute("x = 2", cell_id="other-cell")
    assert kernel.value("evs[0].status") == "running"
    assert kernel.value("[c.status for c in evs[0].cases[:4]]") == [
        "cancelled",
        "cancelled",
        "running",
        "running",
    ]


def test_stop_all_cancels_an_evaluation(kernel: Kernel) -> None:
    kernel.execute(start_cell("slow_task"), cell_id="eval-cell")
    two_running(kernel, 0)
    assert kernel.value("nbagent.stop_all()") >= 1
    kernel.wait_value("evs[0].done", True, timeout=PATIENCE)
    assert kernel.value("evs[0].status") == "cancelled"
    assert kernel.value("statuses(evs[0])") == {
        "cancelled": CONCURRENCY,
        "skipped": CASES - CONCURRENCY,
    }
    kernel.wait_value("len(nbagent.runtime.registry.live())", 0, timeout=PATIENCE)


def test_await_in_a_cell_returns_once_the_evaluation_ends(kernel: Kernel) -> None:
    # Completed: the cases wait on a gate the awaiting cell opens.
    kernel.execute(
        "gate = asyncio.Event()\n"
        "async def gated(x):\n"
        "    await gate.wait()\n"
        "    return x * 2\n"
        "evs.append(nbagent.evaluate(gated, list(range(6)), concurrency=2))\n"
    )
    kernel.wait_value("statuses(evs[0])", {"queued": 4, "running": 2}, timeout=PATIENCE)
    msg_id = kernel.send(
        "gate.set()\nr = await evs[0]\nprint('awaited', r is evs[0], r.status, statuses(r))"
    )
    kernel.reply(msg_id, timeout=PATIENCE)
    out = kernel.outputs(msg_id)
    assert "awaited True completed {'completed': 6}" in out
    assert kernel.value("[c.output for c in evs[0].cases]") == [0, 2, 4, 6, 8, 10]
    # Cancelled: an evaluation stopped from the awaiting cell ends the await too.
    kernel.execute(start_cell("slow_task"))
    two_running(kernel, 1)
    msg_id = kernel.send("nbagent.stop_all()\nr = await evs[1]\nprint('awaited', r.status)")
    kernel.reply(msg_id, timeout=PATIENCE)
    assert "awaited cancelled" in kernel.outputs(msg_id)


def test_a_case_run_again_from_another_cell_belongs_to_the_evaluations_cell(
    kernel: Kernel,
) -> None:
    """Re-run case (``ev.rerun(i)``, the row's button) from a later cell, after the
    evaluation ended: re-running that later cell leaves the case running; ``stop_all`` stops
    it."""
    kernel.execute(start_cell("slow_task"), cell_id="eval-cell")
    two_running(kernel, 0)
    kernel.execute("evs[0].cancel()")
    kernel.wait_value("evs[0].done", True, timeout=PATIENCE)
    kernel.execute("evs[0].rerun(0)", cell_id="other-cell")
    kernel.wait_value("started.count(0)", 2, timeout=PATIENCE)  # its task runs once more
    kernel.execute("x = 1", cell_id="other-cell")
    kernel.execute("x = 2", cell_id="other-cell")
    assert kernel.value("evs[0].cases[0].status") == "running"
    assert kernel.value("evs[0].cases[0].run.status") == "running"
    assert kernel.value("nbagent.stop_all()") >= 1
    kernel.wait_value("evs[0].cases[0].status", "cancelled", timeout=PATIENCE)
