"""A run's clock on its status line: it stops while the run is paused (a call waiting for an
answer, a step replay between steps), and a replay's runs on its recording's time at any
speed, so the numbers shown live (elapsed, tokens/s) are those it ends with.

No kernel: the widget's comm is the recording comm of test_run_comm.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbagent.core.events as E
from nbagent import Transcript
from nbagent.apps.lanes import Lanes
from nbagent.apps.replay import ReplayRun
from nbagent.demo import recording
from nbagent.sources.recording import Player
from nbagent.sources.recording_file import read_recording
from nbagent.transcript.export.common import status_line
from nbagent.transcript.export.status import status_label, status_parts
from nbagent.transcript.fold import numbers
from nbagent.transcript.transcript import apply_op
from nbagent.widget import wire
from nbagent.widget.lane_state import LANE_START
from tests.invariants import check_ops
from tests.invariants import wire as wire_json
from tests.recording import RecordingComm, customs, ours, page_messages
from tests.wait import PATIENCE, wait_for

_ASK = {"actions": ["run", "mock", "deny"], "origin": "breakpoint", "hint": None}


def at(ts: float, ev: E.Event) -> E.Event:
    ev.ts = ts
    return ev


def approval_run() -> list[E.Event]:
    """A call asked for 2 s in, answered 30 s later; the run ends 2 s after that."""
    return [
        at(1000.0, E.RunStart(model="m")),
        *[at(1000.5 + i / 20, E.TextDelta(message_id="a", delta="word ")) for i in range(30)],
        at(1002.0, E.ToolCallStart(tool_call_id="c1", name="delete_file")),
        at(1002.0, E.ToolCallEnd(tool_call_id="c1", arguments="{}")),
        at(1002.0, E.Status(state="awaiting_approval", tool_call_id="c1", detail=_ASK)),
        at(1032.0, E.Status(state="approval_answered", tool_call_id="c1", detail={})),
        at(1033.0, E.ToolResult(tool_call_id="c1", content="done")),
        at(1034.0, E.RunEnd(reason="completed")),
    ]


def test_a_call_waiting_for_an_answer_stops_the_runs_clock() -> None:
    events = approval_run()
    paused = check_ops(events[:-3])  # the ops the page gets give the same state
    state = paused.to_dict()
    assert state["paused_since"] == 1002.0
    # 30 s later, still waiting: the label says so and the clock shows the 2 s it ran.
    assert status_label(state) == "paused before delete_file"
    assert status_parts(state, 1031.9)[-1] == "2.0 s"
    assert status_parts(state, 1031.9) == status_parts(state, 1010.0)
    done = Transcript()
    page: dict[str, Any] = wire_json(done.to_dict())
    for ev in events:
        for op in done.apply(ev):
            apply_op(page, wire_json(op))
    # Answered: the wait is not the run's time, live or at the end; the page's state says so.
    assert done.to_dict()["paused_s"] == 30.0
    assert {k: page[k] for k in ("paused_s", "paused_since", "ended_at")} == {
        "paused_s": 30.0,
        "paused_since": None,
        "ended_at": 1034.0,
    }
    assert status_line(done) == "completed · first token 0.50 s · ≈ 20.0 tok/s · 4.0 s · m"
    assert done.elapsed_s == 4.0
    assert Transcript.from_dict(done.to_dict()).to_dict() == done.to_dict()


def test_a_run_that_never_paused_keeps_its_state_as_it_was() -> None:
    t = check_ops([*approval_run()[:-5], at(1003.0, E.RunEnd(reason="completed"))])
    assert "paused_s" not in t.to_dict()
    assert t.elapsed_s == 3.0


class FakeTime:
    """A monotonic clock that moves only when the player sleeps."""

    def __init__(self) -> None:
        self.now = 50.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_replays_live_rate_is_its_final_rate_at_any_speed() -> None:
    """The demo's markdown run (42.6 tok/s) played at 4x: read at the replay's clock after
    every event, as the page reads it, the rate stays the recording's (read at the kernel's
    wall clock it would be about 4x: ~170 tok/s)."""
    events, _ = read_recording(recording("markdown"))
    fake = FakeTime()
    player = Player(events, speed=4, clock=fake.clock, sleep=fake.sleep)
    t = Transcript()
    rates = []
    for ev in player:
        t.apply(ev)
        fake.now += 0.004  # the page reads a moment later
        rate = numbers.tokens_per_s(t.to_dict(), player.clock())
        if rate is not None and t.status == "running":
            rates.append(rate.value)
    final = t.tokens_per_s
    assert final is not None
    assert round(final, 1) == 42.6
    assert len(rates) > 300
    # Its first tokens come faster than the rest (the recording's own, not the clock's).
    assert all(abs(r / final - 1) < 0.4 for r in rates), (min(rates), max(rates))
    # Past the first second of output it is within 5% of the final figure.
    assert all(abs(r / final - 1) < 0.05 for r in rates[60:]), (min(rates[60:]), final)


def test_the_replay_clock_runs_at_its_speed_and_stops_where_it_waits() -> None:
    fake = FakeTime()
    evs = [at(10.0, E.RunStart()), at(12.0, E.TextDelta(message_id="a", delta="x"))]
    evs.append(at(20.0, E.RunEnd(reason="completed")))
    player = Player(evs, speed=2, clock=fake.clock, sleep=fake.sleep)
    played = iter(player)
    start = next(played).ts
    fake.now += 0.5
    assert player.clock() == start + 1.0  # half a second at 2x
    fake.now += 5
    assert player.clock() == start + 2.0  # not past the next event, still to come
    assert next(played).ts == start + 2.0
    stepper = Player(evs, step=True, clock=fake.clock, sleep=fake.sleep)
    stepper.request("event")
    first = next(iter(stepper)).ts
    fake.now += 100
    assert stepper.clock() == first


def test_a_step_replay_between_steps_says_paused_with_its_clock_stopped(
    comms: list[RecordingComm], tmp_path: Path
) -> None:
    events, _ = read_recording(recording("weather"))
    player = Player(events, step=True)
    run = ReplayRun(player, display=True)
    run.start()
    run.step("event")
    run.step("tool")
    wait_for(lambda: player.paused, what="the replay to wait for its next step")
    state = run.transcript.to_dict()
    assert status_label(state) == "paused"
    shown = status_parts(state, state["paused_since"])
    assert shown == status_parts(state, state["paused_since"] + 600)  # ten minutes on
    # The page heard it: the pause is in an ops message, with the replay's clock.
    messages: list[dict[str, Any]] = [m for m in customs(ours(comms)) if "ops" in m]
    page: dict[str, Any] = {"blocks": []}
    for op in (op for m in messages for op in wire.decode_ops(m)):
        apply_op(page, op)
    assert page["paused_since"] == state["paused_since"]
    # Every message carries the replay's clock, which stopped where it paused.
    assert abs(messages[-1]["now"] - state["paused_since"]) < 1e-3  # sent to the ms
    assert all("now" in m for m in messages)
    run.step("end")
    t = run.wait(PATIENCE)
    recorded = events[-1].ts - events[0].ts
    assert t.elapsed_s is not None
    assert abs(t.elapsed_s - recorded) < 1e-6  # the waits between steps are not its time
    # Paused and gone on: the state says so (the page's, from the ops, is the same).
    assert (t.to_dict()["paused_s"], t.to_dict()["paused_since"]) == (0.0, None)
    assert status_label(t.to_dict()) == "completed"


def test_a_fast_replays_page_clock_is_the_recordings(comms: list[RecordingComm]) -> None:
    """At 20x the markdown run (10 s recorded) plays in half a second: the messages' clock
    comes to its recorded end, not to half a second after its start."""
    events, _ = read_recording(recording("markdown"))
    run = ReplayRun(Player(events, speed=20), display=True)
    run.start()
    t = run.wait(PATIENCE)
    messages = [m for m in customs(ours(comms)) if "ops" in m]
    clocks = [m["now"] for m in messages]
    assert clocks == sorted(clocks)
    assert len(clocks) == len(messages)
    assert t.ended_at is not None
    assert t.started_at is not None
    assert t.ended_at - t.started_at > 9.5
    assert clocks[-1] > t.ended_at - 0.5, clocks[-1] - t.started_at


def test_a_replay_in_a_lane_reads_at_its_own_clock(comms: list[RecordingComm]) -> None:
    """``show({...})`` of a replay at 4x beside a live stream, a lane each: the page reads the
    replay's lane at the replay's clock (each message's ``clocks``, after its ``now``), so its
    live rate past the first second of output is within 10% of the one it ends with (at the
    kernel's clock it would be far off); the live lane keeps the kernel's clock."""
    final = replay_beside_live()
    assert round(final, 1) == 42.6
    page: dict[str, Any] = {**LANE_START, "blocks": []}  # the replay's lane as the page folds it
    offset = 0.0  # the page's clock of that lane minus the kernel's, as the page sets it
    rates, owners = [], set()
    for at, m in page_messages(lanes_comm(comms)):
        if "lanes" not in m:
            continue
        if "now" in m:
            offset = m["now"] - at
        own = dict(m.get("clocks", []))
        owners |= set(own)
        if 0 in own:
            offset = own[0] - at
        for lane, ops in wire.decode_lanes(m):
            for op in ops if lane == 0 else []:
                apply_op(page, op)
        now, first = at + offset, page.get("first_token_at")
        if page.get("status") == "running" and first is not None and now - first >= 1.0:
            rate = numbers.tokens_per_s(page, now)
            rates.append(None if rate is None else rate.value)
    assert len(rates) >= 10, rates
    assert all(r is not None and abs(r / final - 1) < 0.10 for r in rates), (rates, final)
    assert owners == {0}  # the live lane has no clock of its own


def replay_beside_live() -> float:
    """The demo's markdown run replayed at 4x in a lane beside a live text stream, both ended:
    the replay's final tok/s."""
    events, _ = read_recording(recording("markdown"))
    lanes = Lanes(display=True)
    lanes.add(Player(events, speed=4), name="replay")
    lanes.add(iter(["hi"]), name="live", format="text")
    lanes.wait(PATIENCE)
    final = lanes["replay"].transcript.tokens_per_s
    assert final is not None
    return final


def lanes_comm(comms: list[RecordingComm]) -> RecordingComm:
    """The lanes widget's comm."""
    (c,) = [c for c in comms if "arrangement" in c.log[0][1].get("state", {})]
    return c
