"""A Run (or Lanes) as a cell's last expression, in a real kernel: the cell's outputs hold
the widget's one display and no ``execute_result`` (the repr IPython would add under it, made
as the cell ends, said "running" under a widget that soon said "completed")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.kernel import Kernel
from tests.wait import wait_for

pytestmark = pytest.mark.kernel

TRANSCRIPT_MIME = "application/vnd.nbagent.transcript+json"


KERNEL_SETUP = "import nbagent"


def cell_outputs(kernel: Kernel, code: str) -> list[dict[str, Any]]:
    """The iopub outputs (display_data, execute_result, stream) of one cell."""
    msg_id = kernel.send(code)
    kernel.reply(msg_id)
    kinds = ("display_data", "execute_result", "stream", "error")
    return [
        m
        for m in kernel.messages()
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] in kinds
    ]


@pytest.mark.parametrize(
    "code",
    [
        'nbagent.show(["a", "b"])',
        'nbagent.show({"left": ["x"], "right": ["y"]})',
        'nbagent.Chat(lambda prompt: iter(["hi"]))',
    ],
)
def test_the_last_expression_shows_one_widget_and_no_repr(kernel: Kernel, code: str) -> None:
    outputs = cell_outputs(kernel, code)
    kinds = [m["msg_type"] for m in outputs]
    assert kinds == ["display_data"], outputs
    assert TRANSCRIPT_MIME in outputs[0]["content"]["data"]


def test_a_later_cell_shows_the_repr_of_now(kernel: Kernel) -> None:
    kernel.execute('r = nbagent.show(["c"]); r.wait(30)')
    outputs = cell_outputs(kernel, "r")
    assert [m["msg_type"] for m in outputs] == ["display_data"], outputs
    text = outputs[0]["content"]["data"]
    assert set(text) == {"text/plain"}
    assert "completed, 1 chars" in text["text/plain"]
    assert kernel.value("str(r.transcript)") == "c"


def test_a_restart_sends_the_kernels_last_word(new_kernel: Callable[[str], Kernel]) -> None:
    """Asked to restart, the kernel tells the page showing each run still streaming, before
    it goes (``runtime/registry.py``, ``end_pages``): the page ends the run at once."""
    k = new_kernel(
        "import nbagent, time\n"
        "def slow():\n"
        "    for i in range(10_000):  # streams far longer than the test\n"
        "        yield 'x'\n"
        "        time.sleep(0.1)\n"
        "run = nbagent.show(slow())"
    )
    since = len(k.messages())
    k.km.restart_kernel(now=False)

    def last_words() -> list[Any]:
        return [
            m["content"]["data"]["content"]
            for m in k.messages()[since:]
            if m["msg_type"] == "comm_msg"
            and m["content"]["data"].get("content", {}).get("type") == "kernel_end"
        ]

    # IOPub is read on a thread of its own: the word may be read after the restart returns.
    words = wait_for(last_words, what="the kernel's last word")
    assert words == [{"type": "kernel_end", "reason": "kernel_restarted"}]
