"""A representative subset of the fault matrix (``tests/test_faults.py``) in a real kernel:
the same faults and expectations, the widget's traffic as IOPub carried it, what the kernel
process holds before and after (threads, sockets, fds, tasks of the kernel's loop), a
kernel interrupt during a blocking ``run.wait()``, and the next run in the same kernel."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kernel import ANNOUNCED_WAIT, Kernel, widget_traffic
from tests.recording import replayed
from tests.servers import OpenAIServer, text_chunks
from tests.test_agent import calls_step
from tests.test_faults import FAULTS, Fault, answer
from tests.wait import PATIENCE, wait_for

pytestmark = pytest.mark.kernel

KERNEL_SETUP = """
import asyncio, threading, time, httpx, openai, nbagent
from nbagent.agent.agent import Agent
from nbagent.tools import Tool
from tests.leaks import _flush_thread, footprint, left_behind_here
from tests.test_faults import endless, endless_async, failing_words, hangs, _release
KERNEL = ("ipykernel", "zmq", "tornado", "jupyter_client")  # their tasks serve the cell
# The loop's default executor (getaddrinfo runs there) starts a thread once, for good.
await asyncio.get_running_loop().run_in_executor(None, int)

def paced():
    # Until the flush thread has sent: on a busy machine the run's own thread may send
    # every batch (a push past its deadline flushes at once).
    pipes = get_ipython().kernel.iopub_thread._event_pipes
    deadline = time.monotonic() + 30
    i = 0
    while i < 20 or _flush_thread() not in pipes:
        assert time.monotonic() < deadline, "the flush thread never sent"
        time.sleep(0.01)
        yield f"{i} "
        i += 1

# A paced run: the flush thread sends, and gets the zmq socket ipykernel gives every
# thread that publishes, once, for good (as does a run's first thread).
t = await nbagent.show(paced())
"""


def page_state(widget: dict[str, Any]) -> dict[str, Any]:
    """What the page of ``widget`` (``widget_traffic``'s) holds: its opening snapshot, then
    every message it took."""
    opening = widget["open"]["content"]["data"]["state"]["snapshot"]["state"]
    return replayed(opening, widget["custom"])


def widget_shows(kernel: Kernel, since: int) -> dict[str, Any]:
    """The final state of the one run widget opened since ``since``: the opening snapshot
    plus every ops message rebuild it, as the page does (a snapshot message, which an
    interrupted fold sends, replacing the state)."""
    (widget,) = widget_traffic(kernel.messages(), since)["widgets"]
    assert widget["final"] is not None, "the run never wrote its final snapshot"
    state = page_state(widget)
    final: dict[str, Any] = widget["final"]["state"]
    assert state == final
    return final


def shown_so_far(kernel: Kernel, since: int) -> str:
    """The answer the run widget opened since ``since`` shows so far (none opened: "")."""
    widgets = widget_traffic(kernel.messages(), since)["widgets"]
    if not widgets:
        return ""
    (widget,) = widgets
    return answer(page_state(widget))


def nothing_left_behind(kernel: Kernel, allow: str = "()") -> None:
    # ipykernel gives each thread that publishes a zmq socket of its own and closes those of
    # ended threads every 10 s: its own collection, run now rather than waited for.
    kernel.execute(
        "await get_ipython().kernel.iopub_thread._event_pipe_gc()\n"
        f"left = await left_behind_here(before, allow={allow}, host=KERNEL)"
    )
    assert kernel.value("left") == []


def next_run_works(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute("run = nbagent.show(iter(['next ', 'run']))\nt = await run")
    state = widget_shows(kernel, since)
    assert (answer(state), state["status"]) == ("next run", "completed")


def fault(name: str) -> Fault:
    (found,) = [f for f in FAULTS if f.name == name]
    return found


SHOW = "run = nbagent.show(nbagent.sse({url!r}, json={{}}))\nt = await run"
CASES = [  # (a fault of the matrix, the cell that reads its source)
    ("exception mid-stream (generator)", "run = nbagent.show(failing_words())\nt = run.wait(30)"),
    ("connection reset mid-stream (SSE)", SHOW),
    ("HTTP 500 before the stream", SHOW),
    ("malformed JSON in one chunk (openai-chat)", SHOW),
]


@pytest.mark.parametrize(("name", "cell"), CASES, ids=[c[0].replace(" ", "-") for c in CASES])
def test_fault_in_a_kernel(kernel: Kernel, name: str, cell: str) -> None:
    f = fault(name)
    with f.serve() as server:
        url = getattr(server, "url", None)
        since = len(kernel.messages())
        kernel.execute("before = footprint()\n" + cell.format(url=url))
    state = widget_shows(kernel, since)
    assert (answer(state), state["status"], state["end_reason"]) == (
        f.text,
        f.status,
        f.end_reason,
    )
    assert (kernel.value("run.status"), kernel.value("run.transcript.end_reason")) == (
        f.status,
        f.end_reason,
    )
    if f.why is not None:
        assert f.why in state["error"]["message"]
    assert len(state["warnings"]) == f.warnings
    nothing_left_behind(kernel)
    next_run_works(kernel)


AGENT = """
before = footprint()
http = httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0))
client = openai.AsyncOpenAI(base_url={url!r}, api_key="t", max_retries=0, http_client=http)
_release.clear()
agent = Agent("m", tools=[Tool.from_function(hangs, timeout_s=0.3)], client=client)
run = agent.run("go")
t = await run
abandoned = [t for t in set(threading.enumerate()) - before.threads if t.name == "nbagent-tool"]
"""


def test_a_tool_that_hangs_past_its_timeout_in_a_kernel(kernel: Kernel) -> None:
    step1 = calls_step(("call_1", "hangs", '{"x": 3}'))
    with OpenAIServer(scripts=[step1, text_chunks(["It hung."])]) as srv:
        since = len(kernel.messages())
        kernel.execute(AGENT.format(url=srv.base_url))
    state = widget_shows(kernel, since)
    (tool,) = [b for b in state["blocks"] if b["type"] == "tool"]
    assert (tool["state"], tool["abandoned"]) == ("error", True)
    assert "TimeoutError" in tool["result"]
    assert (answer(state), state["status"]) == ("It hung.", "completed")
    assert kernel.value("len(abandoned)") == 1  # the one thing allowed to stay, reported
    nothing_left_behind(kernel, allow="abandoned")
    kernel.execute("_release.set()\nabandoned[0].join(5)")
    assert kernel.value("abandoned[0].is_alive()") is False
    next_run_works(kernel)


def test_text_json_cannot_carry_reaches_the_browser_scrubbed(kernel: Kernel) -> None:
    """A lone surrogate in a Python string: jupyter_client cannot pack it; before, the flush
    raised in the run's thread and ``run.wait()`` hung."""
    since = len(kernel.messages())
    kernel.execute(
        "run = nbagent.show(iter(['ok ', 'half \\ud800 a character']))\nt = run.wait(30)"
    )
    state = widget_shows(kernel, since)
    assert (answer(state), state["status"]) == ("ok half \ufffd a character", "completed")
    next_run_works(kernel)


INTERRUPTED = {
    "generator on a thread": "endless(closed)",
    "async generator on the kernel's loop": "endless_async(closed)",
}


@pytest.mark.parametrize("source", sorted(INTERRUPTED), ids=lambda s: s.replace(" ", "-"))
def test_kernel_interrupt_while_run_wait_blocks(kernel: Kernel, source: str) -> None:
    # In the module's kernel, after its other tests, as a user's kernel would be: the
    # kernel goes on after the interrupt (next_run_works, below). In a kernel of its own
    # (new_kernel), right after KERNEL_SETUP, one lane run in three found a zmq socket's
    # eventfd left behind (cause not found; not seen in 14 runs of these two alone).
    since = len(kernel.messages())
    cell = (
        "before = footprint()\nclosed = threading.Event()\n"
        f"run = nbagent.show({INTERRUPTED[source]})\n{ANNOUNCED_WAIT}run.wait()"
    )
    msg_id = kernel.send(cell)
    # Interrupt once the cell is in run.wait() with two words shown (the kernel loop's
    # source streams only while run.wait() drives that loop).
    kernel.wait_output(msg_id, "waiting")
    wait_for(lambda: "w1 " in shown_so_far(kernel, since), what="two words on the wire")
    kernel.km.interrupt_kernel()
    reply = kernel.reply(msg_id, PATIENCE, check=False)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert kernel.value("closed.wait(30)") is True, "the source was never closed"
    state = widget_shows(kernel, since)
    assert (state["status"], state["end_reason"]) == ("cancelled", "cancelled")
    assert answer(state).startswith("w0 w1 ")
    assert kernel.value("run.transcript.text") == answer(state)
    nothing_left_behind(kernel)
    next_run_works(kernel)
