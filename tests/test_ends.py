"""Ends that look like ends (issue 18), kernel-free: tool calls left pending are cancelled at
any end of the run, ``str(transcript)`` is the answer, and a Run shown by its own cell shows
no repr under its widget."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import nbagent
from nbagent.core.events import (
    MessageStart,
    RunEnd,
    RunStart,
    StepStart,
    TextDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)
from nbagent.pipeline.normalize import Normalizer
from nbagent.transcript.export.common import _TOOL_STATES, _tool_summary
from nbagent.transcript.transcript import Transcript
from tests.invariants import check_ops, wire
from tests.wait import PATIENCE


def mid_tool(*ending: Any) -> list[Any]:
    """A run with one call done, one running (whole arguments), one still receiving its
    arguments, and a sub-agent step still open; then ``ending``."""
    return [
        RunStart(ts=1.0),
        MessageStart(message_id="m", ts=1.0),
        TextDelta(message_id="m", delta="Checking.", ts=1.1),
        ToolCallStart(tool_call_id="a", name="calc", ts=1.2),
        ToolCallEnd(tool_call_id="a", arguments="{}", ts=1.3),
        ToolResult(tool_call_id="a", content="2", ts=1.4),
        ToolCallStart(tool_call_id="b", name="sleep", ts=1.5),
        ToolCallEnd(tool_call_id="b", arguments='{"s": 9}', ts=1.6),
        ToolCallStart(tool_call_id="c", name="search", ts=1.7),
        StepStart(step_id="g", name="researcher", step_type="subagent", ts=1.8),
        *ending,
    ]


def tools(t: Transcript) -> list[tuple[str, str, float | None]]:
    return [(b["id"], b["state"], b["ended_at"]) for b in t.blocks if b["type"] == "tool"]


@pytest.mark.parametrize(
    ("reason", "status"),
    [("completed", "completed"), ("error", "error"), ("cancelled", "cancelled")],
)
def test_pending_calls_are_cancelled_at_any_end(reason: str, status: str) -> None:
    t = Transcript.from_events(mid_tool(RunEnd(reason=reason, ts=2.0)))  # type: ignore[arg-type]
    assert t.status == status
    assert tools(t) == [("a", "done", 1.4), ("b", "cancelled", 2.0), ("c", "cancelled", 2.0)]
    agent = next(b for b in t.blocks if b["type"] == "agent")
    assert agent["ended_at"] == 2.0


def test_the_end_ops_rebuild_the_state_and_it_is_saved() -> None:
    events = mid_tool(RunEnd(reason="cancelled", ts=2.0))
    check_ops(events)  # the ops a view gets say the same as the state
    t = Transcript.from_events(events)
    again = Transcript.from_dict(wire(t.to_dict()))
    assert tools(again) == tools(t)
    # The exports name the state (not "unknown", what they say of a state they do not know).
    assert "cancelled" in _TOOL_STATES
    tool_blocks = [b for b in t.to_dict()["blocks"] if b["type"] == "tool"]
    assert [_tool_summary(b) for b in tool_blocks][1:] == ["cancelled", "cancelled"]


def test_a_stop_through_the_normalizer_cancels_a_running_call() -> None:
    """What a Stop does (``Pipeline.cancel``): the normalizer closes the stream, then the end."""
    n = Normalizer(clock=lambda: 5.0)
    events = [ev for raw in mid_tool() for ev in n.feed(raw)] + n.cancel("stopped by user")
    t = Transcript.from_events(events)
    assert t.status == "cancelled"
    assert {state for _, state, _ in tools(t)[1:]} == {"cancelled"}


def test_a_stopped_run_leaves_no_pending_call() -> None:
    """A run stopped while its generator waits inside a tool call: the call is cancelled."""
    started = threading.Event()
    release = threading.Event()

    def source() -> Any:
        yield {"kind": "run_start"}
        yield {"kind": "tool_call_start", "tool_call_id": "t1", "name": "slow"}
        yield {"kind": "tool_call_end", "tool_call_id": "t1", "arguments": "{}"}
        started.set()
        release.wait(PATIENCE)
        yield {"kind": "tool_result", "tool_call_id": "t1", "content": "late"}

    run = nbagent.show(source(), format="events")
    assert started.wait(PATIENCE)
    run.cancel()
    release.set()
    t = run.wait(PATIENCE)
    assert t.status == "cancelled"
    assert [(b.state, b.result) for b in t.tool_calls] == [("cancelled", None)]


def test_str_is_the_answer_repr_the_short_line() -> None:
    t = Transcript.from_events(
        [
            RunStart(ts=1.0, run_id="r1"),
            MessageStart(message_id="m", ts=1.0),
            TextDelta(message_id="m", delta="Paris is sunny.", ts=1.1),
            RunEnd(ts=1.2),
        ]
    )
    assert str(t) == "Paris is sunny."
    assert repr(t) == "<Transcript 'r1' completed blocks=1>"
    assert f"{t}" == "Paris is sunny."


def test_run_repr_is_true_when_printed() -> None:
    run = nbagent.show(iter(["a", "b"]))
    run.wait(PATIENCE)
    assert repr(run) == f"<nbagent.Run #{run.number} completed, 2 chars>"
    assert str(run.transcript) == "ab"


class Shown:
    """What ``IPython.display.display`` was called with."""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def __call__(self, *objs: Any, **kwargs: Any) -> None:
        self.calls.append((objs, kwargs))


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> Shown:
    import IPython.display

    record = Shown()
    monkeypatch.setattr(IPython.display, "display", record)
    return record


def test_a_run_its_cell_displayed_shows_nothing_more(
    shown: Shown, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = nbagent.show(iter(["a", "b"]))
    run.wait(PATIENCE)
    run._shown_at = (True, 7)  # displayed by cell 7
    monkeypatch.setattr("nbagent.runtime.kernel.cell_mark", lambda: (True, 7))
    run._ipython_display_()
    assert shown.calls == []
    # A later cell (8): the one line of repr, made now.
    monkeypatch.setattr("nbagent.runtime.kernel.cell_mark", lambda: (True, 8))
    run._ipython_display_()
    assert shown.calls == [(({"text/plain": repr(run)},), {"raw": True})]
    assert "completed" in repr(run)


def test_a_run_never_displayed_shows_its_repr(shown: Shown) -> None:
    run = nbagent.show(iter(["x"]))
    run.wait(PATIENCE)
    run._ipython_display_()
    assert shown.calls == [(({"text/plain": repr(run)},), {"raw": True})]


def test_lanes_and_chat_too(shown: Shown, monkeypatch: pytest.MonkeyPatch) -> None:
    lanes = nbagent.show({"a": iter(["1"]), "b": iter(["2"])})
    for run in lanes:
        run.wait(PATIENCE)
    lanes._ipython_display_()
    assert shown.calls == [(({"text/plain": repr(lanes)},), {"raw": True})]
    lanes.shown_at = (True, 3)
    monkeypatch.setattr("nbagent.runtime.kernel.cell_mark", lambda: (True, 3))
    lanes._ipython_display_()
    assert len(shown.calls) == 1
