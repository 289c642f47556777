"""A Run against a recording comm: message order, batching, snapshot, sync and stop. No kernel."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

import nbagent
from nbagent.transcript.transcript import apply_op
from nbagent.widget.output import WIDGET_VIEW_MIME, OutputRun, mimebundle
from nbagent.widget.wire import decode_ops
from tests.recording import (
    RecordingComm,
    customs,
    endless,
    gated,
    ops_messages,
    ours,
    outputs,
    snapshots,
    start,
)
from tests.wait import PATIENCE, wait_for


def test_order_open_then_ops_then_final_snapshot(comms: list[RecordingComm]) -> None:
    run = start(iter([f"t{i} " for i in range(500)]))
    run.wait(PATIENCE)
    c = ours(comms)
    kinds = [t for t, _ in c.log]
    assert kinds[0] == "comm_open"
    opened = c.log[0][1]["state"]["snapshot"]
    assert opened["seq"] == 0
    assert opened["state"]["status"] == "running"
    messages = ops_messages(c)
    assert [m["seq"] for m in messages] == list(range(1, len(messages) + 1))
    assert len(messages) <= 4  # 500 deltas at full speed: first token, then batches
    final = snapshots(c)[-1]
    assert final["seq"] == messages[-1]["seq"]
    # The snapshot comes after the last ops message; no output data unless a view asks.
    last_custom = max(i for i, (t, d) in enumerate(c.log) if d.get("method") == "custom")
    last_update = max(i for i, (t, d) in enumerate(c.log) if d.get("method") == "update")
    assert last_update > last_custom
    assert outputs(c) == []
    state = opened["state"]
    for m in messages:
        for op in decode_ops(m):
            apply_op(state, op)
    assert state == final["state"] == run.transcript.to_dict()


def test_first_token_goes_out_at_once(comms: list[RecordingComm]) -> None:
    seen_on_resume: list[bool] = []

    def source() -> Iterator[nbagent.Event]:
        yield nbagent.RunStart(model="m")  # its own message, so "first" is not the first push
        yield nbagent.TextDelta(message_id="a", delta="first")
        # Resumed only after "first" was folded and pushed: it must already be on the wire,
        # not waiting for the trailing flush.
        sent = [op for m in customs(ours(comms)) if "ops" in m for op in decode_ops(m)]
        seen_on_resume.append(any("first" in str(op) for op in sent))
        yield nbagent.TextDelta(message_id="a", delta=" second")

    run = start(source())
    assert run.wait(PATIENCE).text == "first second"
    assert seen_on_resume == [True]


def test_sync_replies_with_the_state_at_the_current_seq(comms: list[RecordingComm]) -> None:
    release = threading.Event()

    run = start(gated(release, "before ", "after"))
    wait_for(lambda: run.transcript.text == "before ", what="the first part folded")
    assert run.widget is not None
    run.widget._dispatch(run.widget, {"type": "sync"}, [])
    replies = [m for m in customs(ours(comms)) if m.get("type") == "snapshot"]
    assert len(replies) == 1
    assert replies[0]["state"]["blocks"][0]["text"] == "before "
    assert replies[0]["seq"] == max(m["seq"] for m in customs(ours(comms)) if "ops" in m)
    release.set()
    assert run.wait(PATIENCE).text == "before after"


def test_output_request_is_answered_once_the_run_ended(comms: list[RecordingComm]) -> None:
    """A view whose run ended, in a frontend that saves it, asks for the output data."""
    release = threading.Event()

    run = start(gated(release, "hello"), title="T")
    assert run.widget is not None
    wait_for(lambda: run.transcript.text == "hello", what="the run streaming")
    run.widget._dispatch(run.widget, {"type": "output"}, [])
    assert outputs(ours(comms)) == []  # still running: the end sends it anyway
    release.set()
    run.wait(PATIENCE)
    assert outputs(ours(comms)) == []  # the end does not send it: no view asked
    run.widget._dispatch(run.widget, {"type": "output"}, [])
    (reply,) = [m for m in customs(ours(comms)) if m.get("type") == "output"]
    assert reply["seq"] == ops_messages(ours(comms))[-1]["seq"]
    # The browser has the state: the answer carries the static copies only.
    assert [list(part) for _run, _version, part in reply["parts"]] == [
        ["title", "prompt", "html", "text"]
    ]
    (first,) = outputs(ours(comms))
    expected = mimebundle([OutputRun(run.transcript, "T")], model_id=run.widget.model_id)
    assert first == {k: v for k, v in expected.items() if k != WIDGET_VIEW_MIME}
    payload = first["application/vnd.nbagent.transcript+json"]
    assert payload["version"] == 1
    assert payload["layout"] == "single"
    assert payload["model_id"] == run.widget.model_id
    assert [(r["title"], r["prompt"]) for r in payload["runs"]] == [("T", None)]
    assert payload["runs"][0]["state"] == run.transcript.to_dict()
    assert "hello" in first["text/html"]
    assert first["text/plain"].startswith("T\nhello")


def test_stop_message_cancels_and_closes_the_source(comms: list[RecordingComm]) -> None:
    closed = threading.Event()

    run = start(endless(closed))
    # Streaming: a source stopped before it ever started has no cleanup to run.
    wait_for(lambda: run.transcript.text, what="the first dots")
    assert run.widget is not None
    run.widget._dispatch(run.widget, {"type": "stop"}, [])
    assert run.status == "cancelled"  # at once, before the producer notices
    assert closed.wait(PATIENCE)
    run.wait(PATIENCE)
    assert snapshots(ours(comms))[-1]["state"]["status"] == "cancelled"
    assert snapshots(ours(comms))[-1]["state"]["end_reason"] == "cancelled"


def test_async_source_outside_a_loop_runs_on_a_thread(comms: list[RecordingComm]) -> None:
    async def agen() -> Any:
        for word in ("async ", "words"):
            yield word

    run = start(agen())
    assert run.wait(PATIENCE).text == "async words"
    assert snapshots(ours(comms))[-1]["state"]["status"] == "completed"


def test_show_outside_a_notebook_prints(capsys: pytest.CaptureFixture[str]) -> None:
    run = nbagent.show(iter(["Hello ", "terminal"]))
    assert run.widget is None
    run.wait(PATIENCE)
    out = capsys.readouterr().out
    assert "Hello terminal" in out
    assert "[completed]" in out


def test_rerun_message_runs_the_tool_and_sends_the_result_after_the_end(
    comms: list[RecordingComm],
) -> None:
    from nbagent.agent.agent import Agent
    from nbagent.agent.run import AgentRun

    def add(a: int, b: int = 1) -> int:
        """Add."""
        print("adding")
        return a + b

    events = [
        nbagent.ToolCallStart(tool_call_id="c1", name="add"),
        nbagent.ToolCallEnd(tool_call_id="c1", arguments='{"a": 2}', args={"a": 2}),
        nbagent.ToolResult(tool_call_id="c1", content=3),
    ]
    run = AgentRun(Agent("m", tools=[add]).session("hi"), iter(events), display=True)
    run.start()
    assert run.widget is not None
    assert run.widget.can_rerun is True
    run.wait(PATIENCE)
    sent_before = len(customs(ours(comms)))
    # Arguments come as a JSON object; a string (code) is ignored, never evaluated.
    run.widget._dispatch(run.widget, {"type": "rerun", "id": "c1", "args": "__import__('os')"}, [])
    run.widget._dispatch(run.widget, {"type": "rerun", "id": "c1", "args": {"a": 40, "b": 2}}, [])
    # The transcript changes a moment before its message is sent: wait for the message.
    wait_for(
        lambda: len(customs(ours(comms))) >= sent_before + 2,
        what="the re-run's two messages (running, done)",
    )
    with run.lock:  # the re-run thread saves the widget's state under this lock, then lets go
        pass
    (rerun,) = run.transcript.tool_calls[0].reruns
    assert (rerun["args"], rerun["result"], rerun["output"]) == ({"a": 40, "b": 2}, 42, "adding\n")
    late = customs(ours(comms))[sent_before:]
    assert len(late) == 2  # running, then done: sent although the run had ended
    final = snapshots(ours(comms))[-1]["state"]
    assert final["blocks"][0]["reruns"][0]["result"] == 42  # saved widget state has it
    run.widget._dispatch(run.widget, {"type": "output"}, [])  # and so does the saved output
    (reply,) = [m for m in customs(ours(comms)) if m.get("type") == "output"]
    assert reply["seq"] == late[-1]["seq"]
    (data,) = outputs(ours(comms))
    assert data["application/vnd.nbagent.transcript+json"]["runs"][0]["state"] == final
    expected = mimebundle([OutputRun(final)], model_id=run.widget.model_id)
    assert data == {k: v for k, v in expected.items() if k != WIDGET_VIEW_MIME}
