"""``Run.add_events``: what a producer learns of a run while the source goes on or after it
ended (an MCP app read for a call through a framework's connection:
nbagent/frameworks/pydantic_ai/apps.py), folded into the run: while it is live as the source's
own events; after its end only an app and a call's ``meta``, sent to the page as late ops and
kept in its saved state."""

from __future__ import annotations

from collections.abc import Iterator

import nbagent
from nbagent.core.events import Custom, ToolCallStart
from nbagent.transcript.transcript import apply_op
from nbagent.widget.wire import decode_ops
from tests.recording import RecordingComm, ops_messages, ours, snapshots, start
from tests.wait import PATIENCE

APP = {"uri": "ui://chart/app.html", "key": '["apps", "ui://chart/app.html"]'}


def call_events() -> list[nbagent.Event]:
    return [
        nbagent.ToolCallStart(tool_call_id="c1", name="chart"),
        nbagent.ToolCallEnd(tool_call_id="c1", args={"values": [1]}),
        nbagent.ToolResult(tool_call_id="c1", content="1 values", meta={"app": dict(APP)}),
        nbagent.RunEnd(reason="completed"),
    ]


def test_after_the_end_an_app_and_a_calls_meta_still_change_the_run(
    comms: list[RecordingComm],
) -> None:
    run = start(iter(call_events()))
    run.wait(PATIENCE)
    logged = len(run.events)
    app = Custom(name="mcp_app", value={**APP, "html": "<p>chart</p>"})
    error = ToolCallStart(tool_call_id="c1", name="chart", meta={"app": {**APP, "error": "x"}})
    late_text = nbagent.TextDelta(message_id="m", delta="too late")
    run.add_events([app, error, late_text])
    t = run.transcript
    assert t.apps == {APP["key"]: {"html": "<p>chart</p>"}}
    assert t.tool_calls[0].meta == {"app": {**APP, "error": "x"}}
    assert t.text == ""  # the rest stays after the end
    assert len(run.events) == logged  # the run's log ends with its end
    c = ours(comms)
    state = c.log[0][1]["state"]["snapshot"]["state"]
    for m in ops_messages(c):
        for op in decode_ops(m):
            apply_op(state, op)
    assert state["apps"] == t.to_dict()["apps"]  # the page has it
    assert state["blocks"] == t.to_dict()["blocks"]
    saved = run.widget.snapshot["state"]
    assert saved["apps"] == t.to_dict()["apps"]  # and the saved notebook
    assert snapshots(c)  # the run ended as usual


def test_while_the_run_is_live_they_are_its_events(comms: list[RecordingComm]) -> None:
    def source() -> Iterator[nbagent.Event]:
        for ev in call_events():
            if isinstance(ev, nbagent.RunEnd):
                found = Custom(name="mcp_app", value={**APP, "html": "<p>c</p>"})
                meta = {"app": {**APP, "error": "x"}}  # a call's meta learned later
                run.add_events([found, ToolCallStart(tool_call_id="c1", name="chart", meta=meta)])
            yield ev

    run = nbagent.Run(source(), display=True)
    run.start()
    run.wait(PATIENCE)
    *_, added, again, end = run.events
    assert isinstance(added, Custom)
    assert isinstance(again, ToolCallStart)
    assert isinstance(end, nbagent.RunEnd)
    assert added.seq == end.seq - 2
    assert added.run_id == end.run_id
    assert added.ts > 0
    assert run.transcript.apps == {APP["key"]: {"html": "<p>c</p>"}}
    assert run.transcript.tool_calls[0].meta == {"app": {**APP, "error": "x"}}
