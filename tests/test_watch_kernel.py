"""``nbagent.watch()`` in a real kernel: a block's widget, and the Stop button of an
``async with`` block cancelling the code it watches (the libraries' own hooks are tested in
``tests/frameworks/test_watch_*.py``)."""

from __future__ import annotations

import pytest

from tests.kernel import Kernel, final_state, widget_traffic
from tests.wait import wait_for

pytestmark = pytest.mark.kernel


KERNEL_SETUP = "import asyncio, nbagent"


def test_a_block_shows_a_widget_that_ends_with_the_block(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute("with nbagent.watch(title='nothing yet') as run:\n    pass")
    state = final_state(kernel, since)
    assert state["status"] == "completed"
    assert state["title"] == "nothing yet"
    assert kernel.value("[type(run).__name__, run.status]") == ["WatchRun", "completed"]


def test_a_raising_block_ends_error_and_the_cell_shows_the_exception(kernel: Kernel) -> None:
    since = len(kernel.messages())
    msg_id = kernel.send("with nbagent.watch() as run:\n    raise LookupError('no city')")
    reply = kernel.reply(msg_id, check=False)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "LookupError"  # unchanged, as the user's code raised it
    state = final_state(kernel, since)
    assert state["status"] == "error"
    assert state["error"]["message"] == "LookupError: no city"


def test_stop_cancels_the_code_an_async_block_awaits(kernel: Kernel) -> None:
    since = len(kernel.messages())
    msg_id = kernel.send(
        "reached = False\n"
        "async with nbagent.watch(title='slow') as run:\n"
        "    await asyncio.sleep(60)\n"
        "    reached = True\n"
        "print('after the block', run.status)"
    )
    widgets = wait_for(lambda: widget_traffic(kernel.messages(), since)["widgets"], what="a widget")
    kernel.send_custom(widgets[0]["comm_id"], {"type": "stop"})  # the Stop button
    kernel.reply(msg_id, timeout=50)  # the cell ends without an error (a watchdog: < 60 s)
    # Cancelled, not waited out: the code after the sleep never ran.
    assert "after the block cancelled" in kernel.outputs(msg_id)
    assert kernel.value("reached") is False
    state = final_state(kernel, since)
    assert state["status"] == "cancelled"
    # the kernel goes on: the next awaits are not cancelled
    kernel.execute("await asyncio.sleep(0.01)")
