"""nbagent.apps.replay / nbagent.record: timing (an injected clock), steps, Stop, bad recordings.

No kernel: the widget's comm is the recording comm of test_run_comm.py.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

import nbagent
from nbagent.apps.replay import ReplayRun
from nbagent.core.events import (
    Event,
    RunEnd,
    RunStart,
    TextDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)
from nbagent.sources.files import JSONLError
from nbagent.sources.recording import MAX_GAP_S, Player
from nbagent.sources.recording_file import RecordingError, read_recording
from tests.recording import RecordingComm, customs, ours
from tests.wait import PATIENCE, wait_for


def at(ts: float, ev: Event) -> Event:
    ev.ts = ts
    return ev


def recording() -> list[Event]:
    """A small run: text, a tool call with its result, more text; timestamps 1000.0 + s."""
    return [
        at(1000.0, RunStart(model="m", title="recorded")),
        at(1000.5, TextDelta(message_id="a", delta="Let me ")),
        at(1000.7, TextDelta(message_id="a", delta="look.")),
        at(1001.0, ToolCallStart(tool_call_id="c1", name="lookup")),
        at(1001.2, ToolCallEnd(tool_call_id="c1", arguments='{"q": 1}')),
        at(1601.2, ToolResult(tool_call_id="c1", content="found")),  # a ten-minute tool
        at(1601.4, TextDelta(message_id="b", delta="Found ")),
        at(1601.6, TextDelta(message_id="b", delta="it.")),
        at(1601.8, RunEnd(reason="completed")),
    ]


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    """The recording, normalized and saved as show() + run.save() would."""
    run = nbagent.replay(recording(), speed=0)
    run.wait(PATIENCE)
    return run.save(tmp_path / "run.jsonl")


class FakeTime:
    """A clock that only moves when the player sleeps: what it asked for is in ``sleeps``."""

    def __init__(self) -> None:
        self.now = 50.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


# -- timing ------------------------------------------------------------------------------


def test_the_original_gaps_scaled_by_speed_and_capped() -> None:
    fake = FakeTime()
    player = Player(recording(), speed=2.0, clock=fake.clock, sleep=fake.sleep)
    events = list(player)
    # Gaps 0.5 0.2 0.3 0.2 | 600 | 0.2 0.2 0.2, halved; the ten minutes wait MAX_GAP_S.
    assert fake.sleeps == [0.25, 0.1, 0.15, 0.1, MAX_GAP_S, 0.1, 0.1, 0.1]
    assert len(events) == 9
    # The events keep their recorded spacing (the real gap included), moved to now.
    gaps = [round(b.ts - a.ts, 6) for a, b in itertools.pairwise(events)]
    assert gaps == [0.5, 0.2, 0.3, 0.2, 600.0, 0.2, 0.2, 0.2]
    assert abs(events[0].ts - time.time()) < 60


def test_waits_follow_the_schedule_not_the_sum_of_sleeps() -> None:
    """A consumer that is slow (or a sleep that overshoots) is caught up, not added to."""
    fake = FakeTime()

    def late_sleep(seconds: float) -> None:
        fake.sleep(seconds)
        fake.now += 0.05  # every wait overshoots

    player = Player(recording()[:4], speed=1.0, clock=fake.clock, sleep=late_sleep)
    list(player)
    assert fake.sleeps == [0.5, 0.15, 0.25]


def test_speed_zero_never_waits_and_the_cap_is_a_parameter() -> None:
    fake = FakeTime()
    assert len(list(Player(recording(), speed=0, clock=fake.clock, sleep=fake.sleep))) == 9
    assert fake.sleeps == []
    list(Player(recording(), speed=1, max_gap_s=0.25, clock=fake.clock, sleep=fake.sleep))
    assert max(fake.sleeps) == 0.25


@pytest.mark.parametrize("speed", [-1, float("nan"), float("inf")])
def test_a_bad_speed_is_refused(speed: float) -> None:
    with pytest.raises(ValueError, match="speed"):
        nbagent.replay(recording(), speed=speed)


def test_replay_goes_through_the_pipeline_and_keeps_the_recorded_durations(
    saved: Path,
) -> None:
    original = nbagent.Transcript.from_events(nbagent.load(saved))
    run = nbagent.replay(saved, speed=0)
    t = run.wait(PATIENCE)
    assert t.to_markdown() == original.to_markdown()
    assert [b["type"] for b in t.blocks] == ["text", "tool", "text"]
    assert t.tool_calls[0].duration_s == pytest.approx(600.0)
    assert t.elapsed_s == pytest.approx(601.8)
    assert t.started_at == pytest.approx(time.time(), abs=60)  # played now, not back then


def test_the_callers_events_are_not_changed() -> None:
    events = recording()
    before = [e.to_dict() for e in events]
    first = nbagent.replay(events, speed=0)
    first.wait(PATIENCE)
    assert [e.to_dict() for e in events] == before
    again = nbagent.replay(first, speed=0).wait(PATIENCE)  # a Run replays its events
    assert again.to_markdown() == first.transcript.to_markdown()


# -- steps -------------------------------------------------------------------------------


def step_run(source: object) -> ReplayRun:
    return nbagent.replay(source, step=True)


def test_step_by_event_by_tool_and_to_the_end(saved: Path) -> None:
    run = step_run(saved)
    total = run.player.total
    assert run.player.position == 0
    assert run.transcript.blocks == []
    assert run.step() == 1  # run_start
    assert run.step() == 2
    assert run.step() == 3
    assert run.transcript.text == "Let me "
    # To the next tool call: its arguments complete (the panel shows what was asked).
    position = run.step(to="tool")
    (call,) = run.transcript.tool_calls
    assert call.args == {"q": 1}
    assert call.result is None
    assert isinstance(run.events[-1], ToolCallEnd)
    assert position == len(run.events)
    # Then its result.
    run.step(to="tool")
    assert run.transcript.tool_calls[0].result == "found"
    assert run.status == "running"
    assert run.step(to="end") == total
    assert run.done
    assert run.status == "completed"
    assert run.transcript.text == "Let me look.\n\nFound it."  # the tool call between
    assert run.step() == total  # nothing left: returns at once


def test_a_tool_step_with_no_tool_left_plays_to_the_end(saved: Path) -> None:
    run = step_run(saved)
    run.step(to="tool")
    run.step(to="tool")
    assert run.step(to="tool") == run.player.total
    assert run.done
    assert run.status == "completed"


def test_a_free_replay_cannot_step() -> None:
    run = nbagent.replay(recording(), speed=0)
    with pytest.raises(RuntimeError, match="step=True"):
        run.step()
    run.wait(PATIENCE)
    run_s = step_run(recording())
    with pytest.raises(ValueError, match="event, tool, end"):
        run_s.step(to="middle")
    run_s.cancel()


def playing_thread(run: ReplayRun) -> threading.Thread:
    assert run._driver.thread is not None
    return run._driver.thread


def test_a_paused_replay_blocks_on_a_condition_and_stop_ends_it(saved: Path) -> None:
    run = step_run(saved)
    run.step()
    thread = playing_thread(run)
    # Paused: the playing thread is parked in Condition.wait with no timeout (a wait with
    # one, in a loop, would be polling).
    wait_for(lambda: run.player.paused, what="the player to pause")

    def waiting() -> FrameType | None:
        frame = sys._current_frames().get(thread.ident or 0)
        return frame if frame is not None and frame.f_code.co_name == "wait" else None

    frame = wait_for(waiting, what="the playing thread to wait")
    stack = [f.name for f in traceback.extract_stack(frame)]
    assert "_blocking" in stack, stack
    assert run.player.paused
    assert frame.f_locals["timeout"] is None
    run.cancel()
    thread.join(PATIENCE)
    assert not thread.is_alive()
    assert run.status == "cancelled"
    assert run.transcript.end_reason == "cancelled"
    assert run.player.closed


def test_stop_during_a_timed_wait_ends_at_once(tmp_path: Path) -> None:
    slow = [at(0.0, RunStart()), at(0.1, TextDelta(message_id="a", delta="x"))]
    slow.append(at(3600.0, TextDelta(message_id="a", delta="never")))
    run = nbagent.replay(slow, speed=1.0, max_gap_s=7200)
    wait_for(lambda: run.transcript.text == "x", what="the first delta")
    run.cancel()
    thread = playing_thread(run)
    thread.join(PATIENCE)  # the wait for the next delta had an hour to go
    assert not thread.is_alive()
    assert run.transcript.text == "x"


# -- the widget: trait and step messages --------------------------------------------------


def test_the_step_buttons_messages_and_the_position_trait(
    comms: list[RecordingComm],
    saved: Path,
) -> None:
    player = Player(read_recording(saved)[0], step=True)
    run = ReplayRun(player, display=True)
    run.start()
    assert run.widget is not None
    total = player.total

    def trait_states() -> list[dict[str, object]]:
        return [
            d["state"]["replay"] for _, d in ours(comms).log if d.get("state", {}).get("replay")
        ]

    # Set before the widget is displayed: a view never renders without it.
    first = trait_states()[0]
    assert first == {"position": 0, "total": total, "step": True, "speed": 1.0, "paused": False}
    wait_for(lambda: player.paused, what="the player to pause")
    run.widget._dispatch(run.widget, {"type": "step", "to": "event"}, [])
    run.widget._dispatch(run.widget, {"type": "step", "to": "nowhere"}, [])  # ignored
    run.widget._dispatch(run.widget, {"type": "step", "to": "tool"}, [])
    # The player pauses before it sends its position: wait for the trait, not the player.
    wait_for(lambda: trait_states()[-1]["position"] == 6, what="both steps shown")
    positions = [s["position"] for s in trait_states()]
    assert positions[-2:] == [1, 6], positions
    # The ops of a step went out before its position: the browser never shows a position
    # ahead of the transcript.
    log = ours(comms).log
    last_trait = max(i for i, (t, d) in enumerate(log) if "replay" in d.get("state", {}))
    last_ops = max(i for i, (t, d) in enumerate(log) if d.get("method") == "custom")
    assert last_ops < last_trait
    run.widget._dispatch(run.widget, {"type": "step", "to": "end"}, [])
    run.wait(PATIENCE)
    assert trait_states()[-1] == {
        "position": total,
        "total": total,
        "step": True,
        "speed": 1.0,
        "paused": False,
    }
    # One trait message per step, not per event: 5 for 13 events.
    assert len(trait_states()) <= 5
    assert customs(ours(comms))  # the ops themselves went the usual way


# -- bad recordings ----------------------------------------------------------------------


def test_a_truncated_recording_plays_what_arrived_then_errors(saved: Path, tmp_path: Path) -> None:
    text = saved.read_text()
    cut = tmp_path / "cut.jsonl"
    cut.write_text(text[: text.index('"found"') + 3])  # the tool result's line, cut mid-way
    run = nbagent.replay(cut, speed=0)
    t = run.wait(PATIENCE)
    assert t.status == "error"
    assert t.text == "Let me look."
    assert t.tool_calls[0].args == {"q": 1}
    assert t.error is not None
    assert f"{cut}, line 7" in t.error["message"]
    assert "cut short" in t.error["message"]


def test_a_recording_without_its_run_end_ends_incomplete(saved: Path, tmp_path: Path) -> None:
    lines = saved.read_text().splitlines(keepends=True)
    short = tmp_path / "short.jsonl"
    short.write_text("".join(lines[:4]))
    run = nbagent.replay(short, speed=0)
    t = run.wait(PATIENCE)
    assert t.status == "error"
    assert t.end_reason == "incomplete"
    assert t.text == "Let me look."
    assert not run.player.complete


def test_a_bad_line_in_the_middle_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"kind":"run_start","ts":1}\n\n{"kind":"text_delta","message_id":"a","delta":"hi","ts":2}\n'
        '{"kind":"nonsense","ts":3}\n{"kind":"run_end","ts":4}\n'
    )
    events, failure = read_recording(bad)
    assert len(events) == 2
    assert isinstance(failure, JSONLError)
    assert str(failure).startswith(f"{bad}, line 4: unknown event kind 'nonsense'")


def test_a_bad_ts_is_a_bad_line(tmp_path: Path) -> None:
    bad = tmp_path / "ts.jsonl"
    bad.write_text('{"kind":"run_start","ts":1}\n{"kind":"run_end","ts":"soon"}\n')
    _, failure = read_recording(bad)
    assert failure is not None
    assert "line 2: bad run_end event: ts must be float, got 'soon'" in str(failure)


def test_nothing_to_play_raises_at_once(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(RecordingError, match="holds no events"):
        nbagent.replay(empty)
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("not json\n")
    with pytest.raises(JSONLError, match="line 1"):
        nbagent.replay(garbage)
    with pytest.raises(FileNotFoundError):
        nbagent.replay(tmp_path / "missing.jsonl")
    with pytest.raises(RecordingError, match="item 2"):
        nbagent.replay([RunStart(), {"kind": "bogus"}])
    with pytest.raises(RecordingError, match="cannot replay a int"):
        nbagent.replay(42)


# -- record ------------------------------------------------------------------------------


def test_record_writes_what_save_writes(tmp_path: Path) -> None:
    path = tmp_path / "recorded.jsonl"
    run = nbagent.record(iter(recording()), path, title="t")
    run.wait(PATIENCE)
    assert path.read_bytes() == run.save(tmp_path / "saved.jsonl").read_bytes()
    assert path.read_text().count("\n") == len(run.events) == 13
    again = nbagent.replay(path, speed=0).wait(PATIENCE)
    assert again.to_markdown() == run.transcript.to_markdown()


def test_record_keeps_each_event_on_disk_as_it_arrives(tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl"
    gate = threading.Event()

    def source() -> Iterator[str]:
        yield "first "
        gate.wait(PATIENCE)
        yield "second"

    run = nbagent.record(source(), path)
    # While the run is still going, the file already holds what arrived (a crash keeps it).
    wait_for(lambda: "first" in path.read_text(), what="the first delta on disk")
    assert not run.done
    assert [e.kind for e in nbagent.load(path)][:3] == ["run_start", "message_start", "text_delta"]
    gate.set()
    run.wait(PATIENCE)
    assert nbagent.Transcript.from_events(nbagent.load(path)).text == "first second"


def test_record_stopped_and_failing_sources_are_recorded_too(tmp_path: Path) -> None:
    def boom() -> Iterator[str]:
        yield "partial "
        raise RuntimeError("the server went away")

    path = tmp_path / "boom.jsonl"
    nbagent.record(boom(), path).wait(PATIENCE)
    t = nbagent.replay(path, speed=0).wait(PATIENCE)
    assert t.status == "error"
    assert t.text == "partial "
    assert "the server went away" in (t.error or {}).get("message", "")
