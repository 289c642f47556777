"""nbagent.show() in a real kernel: message count, bytes, pacing, cross-cell await."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nbagent.transcript.export.status import status_label, status_parts
from nbagent.transcript.transcript import apply_op
from nbagent.widget.wire import decode_ops
from tests.kernel import ANNOUNCED_WAIT, Kernel, max_per_second, widget_traffic
from tests.wait import wait_for

pytestmark = pytest.mark.kernel


KERNEL_SETUP = "import nbagent, time, asyncio"


def final_text(snapshot: dict[str, Any]) -> str:
    return "".join(b["text"] for b in snapshot["state"]["blocks"] if b["type"] == "text")


def run_cell_and_traffic(kernel: Kernel, code: str) -> dict[str, Any]:
    since = len(kernel.messages())
    kernel.execute(code)
    widgets = widget_traffic(kernel.messages(), since)["widgets"]
    assert len(widgets) == 1, f"expected one nbagent widget, got {len(widgets)}"
    return widgets[0]


def test_full_speed_2000_deltas(kernel: Kernel) -> None:
    w = run_cell_and_traffic(
        kernel,
        "parts = [f'tok{i} ' for i in range(2000)]\n"
        "run = nbagent.show(iter(parts))\n"
        "t = run.wait(30)\n",
    )
    text = "".join(f"tok{i} " for i in range(2000))
    assert kernel.value("run.transcript.text") == text
    assert kernel.value("run.status") == "completed"
    # Coalesced: at most one message per interval (50 ms) and a few urgent ones, however
    # long the 2000 deltas took on this machine (their count follows the time they took).
    assert max_per_second(w["times"]) <= 25, max_per_second(w["times"])
    assert w["bytes"] <= 3 * len(text.encode()), f"{w['bytes']} bytes for {len(text)} chars"
    assert w["final"] is not None
    assert final_text(w["final"]) == text
    # The live ops alone rebuild the final state (the snapshot is not the only carrier).
    state = w["open"]["content"]["data"]["state"]["snapshot"]["state"]
    for msg in w["custom"]:
        for op in decode_ops(msg):
            apply_op(state, op)
    assert state == w["final"]["state"]


def test_paced_400_per_second(kernel: Kernel) -> None:
    w = run_cell_and_traffic(
        kernel,
        # 400 a second on the clock: a sleep after each word would run late on a loaded
        # machine, the stream would last longer and send more (time-paced) messages.
        "def paced():\n"
        "    start = time.monotonic()\n"
        "    for i in range(2000):\n"
        "        yield f'w{i} '\n"
        "        time.sleep(max(0.0, start + (i + 1) * 0.0025 - time.monotonic()))\n"
        "run = nbagent.show(paced())\n"
        "t = run.wait(60)\n",
    )
    text = "".join(f"w{i} " for i in range(2000))
    assert final_text(w["final"]) == text
    assert max_per_second(w["times"]) <= 25, max_per_second(w["times"])
    assert w["bytes"] <= 3 * len(text.encode())
    assert len(w["custom"]) >= 20  # it really streamed, in many messages


def test_started_in_one_cell_awaited_in_the_next(kernel: Kernel) -> None:
    since = len(kernel.messages())
    # Half the answer, then the source waits for the next cell: still running between them.
    kernel.execute(
        "go = asyncio.Event()\n"
        "async def agen():\n"
        "    for i in range(2000):\n"
        "        if i == 1000:\n"
        "            await go.wait()\n"
        "        yield f'a{i} '\n"
        "        if i % 20 == 0:\n"
        "            await asyncio.sleep(0.01)\n"
        "run = nbagent.show(agen())\n"
    )
    assert kernel.value("run.status") == "running"
    kernel.execute("go.set()\nt = await run\n")
    assert kernel.value("t.status") == "completed"
    widgets = widget_traffic(kernel.messages(), since)["widgets"]
    assert len(widgets) == 1
    text = "".join(f"a{i} " for i in range(2000))
    assert final_text(widgets[0]["final"]) == text
    assert widgets[0]["bytes"] <= 3 * len(text.encode())
    assert max_per_second(widgets[0]["times"]) <= 25


def test_wait_drives_an_async_run_without_deadlock(kernel: Kernel) -> None:
    kernel.execute(
        "async def agen2():\n"
        "    for i in range(50):\n"
        "        yield f'b{i} '\n"
        "        await asyncio.sleep(0.001)\n"
        "run = nbagent.show(agen2())\n"
        "t = run.wait(30)\n"
    )
    assert kernel.value("t.status") == "completed"
    assert kernel.value("len(t.text)") == len("".join(f"b{i} " for i in range(50)))


def test_cell_returns_at_once_and_other_cells_run(kernel: Kernel) -> None:
    # The source holds its second part until the test releases it: a show() that waited
    # for the run would never return (the cell times out).
    kernel.execute(
        "import threading\n"
        "gate = threading.Event()\n"
        "def held():\n"
        "    yield 's0 '\n"
        "    gate.wait()\n"
        "    yield 's1'\n"
        "run = nbagent.show(held())\n"
        "at_return = run.status\n",
        timeout=20,
    )
    assert kernel.value("at_return") == "running"
    kernel.execute("x = 1 + 1")
    assert kernel.value("run.status") == "running"
    kernel.execute("gate.set()\nrun.wait(30)")
    assert kernel.value("run.status") == "completed"
    assert kernel.value("run.transcript.text") == "s0 s1"


def test_stop_cancels_the_producer(kernel: Kernel) -> None:
    kernel.execute(
        "produced = []\n"
        "def endless():\n"
        "    i = 0\n"
        "    try:\n"
        "        while True:\n"
        "            produced.append(i); yield f'e{i} '; i += 1; time.sleep(0.01)\n"
        "    finally:\n"
        "        produced.append('closed')\n"
        "run = nbagent.show(endless())\n"
        "deadline = time.monotonic() + 30\n"
        "while not run.transcript.text:  # streaming: only a started generator has a finally\n"
        "    assert time.monotonic() < deadline, 'never streamed'\n"
        "    time.sleep(0.01)\n"
        "run.cancel()\n"
        "run.wait(30)\n"
    )
    assert kernel.value("run.status") == "cancelled"
    assert kernel.value("run.transcript.end_reason") == "cancelled"
    kernel.wait_value("produced[-1]", "closed")
    assert kernel.value("len(run.transcript.text) > 0")


def test_the_clock_runs_before_the_first_item(kernel: Kernel) -> None:
    """A source that waits before its first item (a local model reading its prompt; here an
    event the test sets): the page hears of the run as it starts, its start and the kernel's
    clock in an ops message, and its status line says it waits for the first token, with a
    clock, while the source still waits; then the first token ends the wait."""
    since = len(kernel.messages())
    kernel.execute(
        "import threading\n"
        "gate = threading.Event()\n"
        "def slow():\n"
        "    gate.wait(60)\n"
        "    yield 'first '\n"
        "slow_run = nbagent.show(slow())\n"
    )

    def ops_messages() -> list[dict[str, Any]]:
        widgets = widget_traffic(kernel.messages(), since)["widgets"]
        return [m for w in widgets for m in w["custom"] if "ops" in m]

    first = wait_for(ops_messages, what="an ops message before the source's first item")[0]
    assert kernel.value("slow_run.transcript.first_token_at") is None  # the source still waits
    (widget,) = widget_traffic(kernel.messages(), since)["widgets"]
    state = widget["open"]["content"]["data"]["state"]["snapshot"]["state"]
    started = kernel.value("slow_run.transcript.started_at")
    assert state["started_at"] == started  # the widget's first state has the clock already
    for op in decode_ops(first):
        apply_op(state, op)
    assert state["started_at"] == started
    assert isinstance(first["now"], float)  # the kernel's clock, which the page's runs on
    # What the page's status line says 7.5 s into the wait, on the kernel's clock.
    line = [status_label(state), *status_parts(state, started + 7.5)]
    assert line == ["waiting for the first token", "7.5 s"]
    kernel.execute("gate.set(); slow_run.wait(30)")
    assert kernel.value("slow_run.transcript.started_at") == started
    assert kernel.value("slow_run.transcript.ttft_s > 0")
    assert kernel.value("slow_run.transcript.text") == "first "


def test_source_exception_ends_with_error_and_keeps_text(kernel: Kernel) -> None:
    kernel.execute(
        "def broken():\n"
        "    yield 'partial '\n"
        "    yield 'answer'\n"
        "    raise ConnectionResetError('peer went away')\n"
        "run = nbagent.show(broken())\n"
        "run.wait(30)\n"
    )
    assert kernel.value("run.status") == "error"
    assert kernel.value("run.transcript.text") == "partial answer"
    assert "peer went away" in kernel.value("run.transcript.error['message']")
    kernel.execute("ok = nbagent.show(iter(['still', ' alive'])).wait(30)")
    assert kernel.value("ok.text") == "still alive"


def test_rerunning_a_cell_stops_its_old_run(kernel: Kernel) -> None:
    code = (
        "def forever():\n"
        "    while True:\n"
        "        yield '.'\n"
        "        time.sleep(0.01)\n"
        "runs = globals().setdefault('runs', [])\n"
        "runs.append(nbagent.show(forever()))\n"
    )
    kernel.execute(code, cell_id="cell-A")
    kernel.execute(code, cell_id="cell-A")
    statuses = kernel.value("[r.status for r in runs]")
    assert statuses[-2] == "cancelled"
    assert statuses[-1] == "running"
    assert kernel.value("nbagent.stop_all()") >= 1
    kernel.wait_value("sorted({r.status for r in runs})", ["cancelled"])


def test_repr_is_one_short_line(kernel: Kernel) -> None:
    kernel.execute("r = nbagent.show(iter(['hi'])); r.wait(30)")
    text = kernel.value("repr(r)")
    assert "\n" not in text
    assert len(text) < 120
    assert "completed" in text


def test_kernel_interrupt_inside_wait_cancels_the_run(
    new_kernel: Callable[[str], Kernel],
) -> None:
    kernel = new_kernel(KERNEL_SETUP)  # interrupted: the shared kernel stays out of it
    kernel.execute(
        "def ticking():\n"
        "    while True:\n"
        "        yield 't '\n"
        "        time.sleep(0.01)\n"
        "run = nbagent.show(ticking())\n" + ANNOUNCED_WAIT
    )
    msg_id = kernel.kc.execute("run.wait()")
    # A SIGINT while the kernel is idle is ignored: interrupt once the wait has begun.
    kernel.wait_output(msg_id, "waiting")
    kernel.km.interrupt_kernel()
    reply = kernel.kc.get_shell_msg(timeout=30)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert kernel.value("run.status") == "cancelled"
    kernel.wait_value("run._driver.thread.is_alive()", False)
    assert kernel.value("nbagent.show(iter(['next run'])).wait(30).text") == "next run"
