"""replay(step=True) in a real kernel, driven by the widget's custom messages (as its buttons
send them): steps, the position trait on IOPub, Stop while paused."""

from __future__ import annotations

from typing import Any

import pytest

from nbagent import demo
from tests.kernel import Kernel, widget_traffic
from tests.wait import wait_for

pytestmark = pytest.mark.kernel

RECORDING = repr(str(demo.recording("failing_tool")))


def start(kernel: Kernel, name: str) -> dict[str, Any]:
    since = len(kernel.messages())
    kernel.execute(f"import nbagent\n{name} = nbagent.replay({RECORDING}, step=True)")
    (widget,) = widget_traffic(kernel.messages(), since)["widgets"]
    return dict(widget)


def positions(kernel: Kernel, comm_id: str) -> list[int]:
    """The ``replay`` trait's positions the browser was sent, in order."""
    (w,) = [w for w in widget_traffic(kernel.messages())["widgets"] if w["comm_id"] == comm_id]
    states = [w["open"]["content"]["data"]["state"]] + [
        u["content"]["data"].get("state", {}) for u in w["updates"]
    ]
    return [s["replay"]["position"] for s in states if s.get("replay")]


def test_step_messages_play_the_recording(kernel: Kernel) -> None:
    w = start(kernel, "run")
    comm = w["comm_id"]
    total = kernel.value("run.player.total")
    kernel.wait_value("run.player.paused", True)
    assert kernel.value("len(run.events)") == 0

    kernel.send_custom(comm, {"type": "step", "to": "event"})
    kernel.wait_value("run.player.position", 1)
    kernel.send_custom(comm, {"type": "step", "to": "tool"})
    kernel.wait_value("[c.name for c in run.transcript.tool_calls]", ["revenue_by_region"])
    kernel.wait_value("run.player.paused", True)
    at_tool = kernel.value("run.player.position")
    assert kernel.value("run.events[-1].kind") == "tool_call_end"
    kernel.send_custom(comm, {"type": "step", "to": "tool"})
    kernel.wait_value("run.transcript.tool_calls[0].is_error", True)
    kernel.wait_value("run.player.paused", True)
    at_result = kernel.value("run.player.position")
    assert kernel.value("run.events[-1].kind") == "tool_result"
    kernel.send_custom(comm, {"type": "step", "to": "end"})
    kernel.wait_value("run.widget.replay['position']", total)
    assert kernel.value("run.status") == "completed"

    # IOPub may trail a little.
    seen = wait_for(
        lambda: (p := positions(kernel, comm))[-1] == total and p, what="the last position"
    )
    assert seen[0] == 0
    assert [p for p in seen if p > 0] == [1, at_tool, at_result, total]
    assert len(seen) <= 7  # per step, never per event
    (final,) = [x for x in widget_traffic(kernel.messages())["widgets"] if x["comm_id"] == comm]
    assert final["final"]["state"]["status"] == "completed"
    assert "20,510.00" in "".join(
        b.get("text", "") for b in final["final"]["state"]["blocks"] if b["type"] == "text"
    )


def test_stop_while_paused(kernel: Kernel) -> None:
    w = start(kernel, "paused")
    kernel.wait_value("paused.player.paused", True)
    kernel.send_custom(w["comm_id"], {"type": "step", "to": "tool"})
    kernel.wait_value("paused.player.position > 0 and paused.player.paused", True)
    kernel.send_custom(w["comm_id"], {"type": "stop"})
    kernel.wait_value("paused.status", "cancelled")
    kernel.wait_value("paused._driver.thread.is_alive()", False)
    assert kernel.value("paused.player.closed") is True
