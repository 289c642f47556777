"""A real kernel on the Python that runs the tests: an async and a sync source shown, awaited
and stopped. ``make test-pythons`` runs these (``-m smoke``) on every other supported Python,
where the rest of the kernel tests do not run."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from tests.kernel import Kernel, widget_traffic
from tests.wait import wait_for

pytestmark = [pytest.mark.kernel, pytest.mark.smoke]

KERNEL_SETUP = """
import asyncio, contextvars, threading, time
import nbagent

where = contextvars.ContextVar("where", default="an empty context")

async def words(n):
    yield where.get() + ": "
    for i in range(n):
        yield f"a{i} "
        await asyncio.sleep(0)

def lines(n):
    for i in range(n):
        yield f"s{i} "

async def endless_async(closed):
    try:
        i = 0
        while True:
            yield f"x{i} "
            i += 1
            await asyncio.sleep(0.01)  # a slow model, not a hand-off
    finally:
        closed.set()

def endless_sync(closed):
    try:
        i = 0
        while True:
            yield f"y{i} "
            i += 1
            time.sleep(0.01)  # a slow model, not a hand-off
    finally:
        closed.set()
"""


def final_state(kernel: Kernel, since: int) -> dict[str, Any]:
    """The end-of-run snapshot of the one widget opened after ``since``, once it has come
    (a sync run's thread may publish it just after the awaiting cell went idle)."""

    def ended() -> dict[str, Any] | None:
        (widget,) = widget_traffic(kernel.messages(), since)["widgets"]
        final = widget["final"]
        if final is not None and final["state"]["status"] != "running":
            state: dict[str, Any] = final["state"]
            return state
        return None

    return wait_for(ended, what="the run's final snapshot")


def answer(state: dict[str, Any]) -> str:
    return "".join(b["text"] for b in state["blocks"] if b["type"] == "text")


def test_the_kernel_runs_the_tests_python(kernel: Kernel) -> None:
    assert kernel.value("list(__import__('sys').version_info[:2])") == list(sys.version_info[:2])


def test_an_async_source_runs_on_the_kernels_loop_in_an_empty_context(kernel: Kernel) -> None:
    since = len(kernel.messages())
    # The cell's own context has `where` set: the run's task must not see it.
    kernel.execute("where.set('the cell'); run = nbagent.show(words(300))")
    kernel.execute("t = await run")
    expected = "an empty context: " + "".join(f"a{i} " for i in range(300))
    assert kernel.value("run.status") == "completed"
    assert kernel.value("run.transcript.text") == expected
    assert kernel.value("t is run.transcript") is True
    state = final_state(kernel, since)
    assert (state["status"], answer(state)) == ("completed", expected)


def test_a_sync_source_runs_on_a_thread(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute("run = nbagent.show(lines(300))")
    kernel.execute("t = await run")
    expected = "".join(f"s{i} " for i in range(300))
    assert kernel.value("run.status") == "completed"
    assert kernel.value("run.transcript.text") == expected
    state = final_state(kernel, since)
    assert (state["status"], answer(state)) == ("completed", expected)


@pytest.mark.parametrize(("source", "prefix"), [("endless_async", "x"), ("endless_sync", "y")])
def test_cancel_stops_a_long_run_and_closes_its_source(
    kernel: Kernel, source: str, prefix: str
) -> None:
    since = len(kernel.messages())
    kernel.execute(f"closed = threading.Event(); run = nbagent.show({source}(closed))")
    kernel.wait_value("len(run.transcript.text.split()) >= 3", True)
    assert kernel.value("(run.status, closed.is_set())") == ["running", False]
    kernel.execute("run.cancel()\nt = await run")
    assert kernel.value("run.status") == "cancelled"
    kernel.wait_value("closed.is_set()", True)  # the generator's finally ran
    text = kernel.value("run.transcript.text")
    assert text.startswith(f"{prefix}0 {prefix}1 {prefix}2 ")
    state = final_state(kernel, since)
    assert state["status"] == "cancelled"
    assert answer(state) == text
