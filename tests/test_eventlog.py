"""``Run.events``, the compact event log: every event comes back as it was appended (the same
``to_json()``, the same JSONL bytes), and its memory follows the run's text."""

from __future__ import annotations

import gc
import json
import random
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nbagent
from nbagent.core.events import (
    Event,
    MessageEnd,
    RunEnd,
    RunStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    event_from_json,
)
from nbagent.pipeline.normalize import Normalizer
from nbagent.pipeline.stream import Pipeline
from nbagent.runtime.log import EventLog
from nbagent.runtime.log_segments import TextRef
from nbagent.sources.files import sse_file
from nbagent.transcript.transcript import Transcript
from tests.fuzz.budget import examples
from tests.fuzz.wire import _load_line
from tests.sse_servers import FIXTURES
from tests.strategies import event_sequences
from tests.wait import PATIENCE

DEMOS = Path(nbagent.__file__).parent / "demo"


def fold(events: list[Event], *, transcript: bool = True, early: bool = False) -> EventLog:
    """A log of ``events`` as ``Run._ingest`` makes it (``early``: appended before the
    transcript folds each one, which the log must survive)."""
    t = Transcript()
    log = EventLog(t if transcript else None)
    for ev in events:
        if early:
            log.append(ev)
        t.apply(ev)
        if not early:
            log.append(ev)
    return log


def lines(events: list[Event]) -> str:
    return "".join(ev.to_json() + "\n" for ev in events)


def assert_same(log: EventLog, events: list[Event]) -> None:
    expected = [ev.to_json() for ev in events]
    assert len(log) == len(events)
    assert [ev.to_json() for ev in log] == expected
    assert "".join(log.jsonl()) == lines(events)
    assert list(log) == events
    for i in range(len(events)):
        assert log[i].to_json() == expected[i]
        assert log[-1 - i].to_json() == expected[-1 - i]


def normalized(items: list[Any], fmt: str) -> list[Event]:
    pipe = Pipeline(fmt)
    out: list[Event] = []
    for item in items:
        if pipe.ended:
            break
        out += pipe.feed(item)
    return out + pipe.finish()


def recordings() -> list[tuple[str, list[Event]]]:
    """Every fixture of tests/fixtures through its adapter, and the demo recordings."""
    runs = []
    for path in sorted(FIXTURES.glob("*/*.jsonl")) + sorted(FIXTURES.glob("*/*.sse")):
        if path.suffix == ".sse":
            items = list(sse_file(path))
        else:
            items = [_load_line(line) for line in path.read_text().splitlines() if line.strip()]
        runs.append((f"{path.parent.name}/{path.name}", normalized(items, path.parent.name)))
    for path in sorted(DEMOS.glob("*.jsonl")):
        events = [event_from_json(line) for line in path.read_text().splitlines()]
        runs.append((f"demo/{path.name}", events))
    return runs


RECORDINGS = recordings()


@pytest.mark.parametrize(("name", "events"), RECORDINGS, ids=[n for n, _ in RECORDINGS])
def test_every_recorded_event_comes_back(name: str, events: list[Event]) -> None:
    assert {ev.kind for _, evs in RECORDINGS for ev in evs} >= {
        "text_delta",
        "thinking_delta",
        "tool_call_args_delta",
        "tool_call_end",
        "message_end",
    }
    log = fold(events)
    assert_same(log, events)
    assert_same(fold(events, transcript=False), events)
    assert_same(fold(events, early=True), events)


def test_events_read_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    from nbagent.runtime import log as module

    monkeypatch.setattr(module, "_CHUNK", 8)
    monkeypatch.setattr(module, "_MASK", 7)
    events = dict(RECORDINGS)["demo/weather.jsonl"]
    log = fold(events)
    assert len(log._tss) == len(events) // 8 + 1
    assert_same(log, events)
    assert log[5:30] == events[5:30]


def test_the_deltas_of_a_recording_are_coalesced() -> None:
    events = dict(RECORDINGS)["demo/markdown.jsonl"]
    deltas = sum(isinstance(ev, TextDelta) for ev in events)
    log = fold(events)
    assert deltas > 100
    assert len(log._segments) < len(events) - deltas + 5


@st.composite
def stamped(draw: st.DrawFn) -> list[Event]:
    """Event sequences as they reach the log: raw or normalized, seq contiguous or not,
    some ts integers, some metas shared objects and some equal copies."""
    events = draw(event_sequences(max_size=60))
    if draw(st.booleans()):
        norm = Normalizer(clock=lambda: 7.5)
        events = [out for ev in events for out in norm.feed(ev)] + norm.finish()
    elif draw(st.booleans()):
        for seq, ev in enumerate(events, draw(st.integers(0, 3))):
            ev.seq = seq
    metas = [{"choice_index": 1}, {"choice_index": True}, {"x": [1.0]}]
    for ev in events:
        roll = draw(st.integers(0, 9))
        if roll == 0:
            ev.meta = draw(st.sampled_from(metas))  # the same object as others
        elif roll == 1:
            ev.meta = json.loads(json.dumps(draw(st.sampled_from(metas))))  # an equal copy
        elif roll == 2:
            ev.ts = int(ev.ts)
        elif roll == 3:
            ev.seq += 1  # a gap
    return events


@examples(full=300, quick=100)
@given(stamped(), st.sampled_from(["after", "none", "early"]))
def test_any_sequence_comes_back(events: list[Event], mode: str) -> None:
    log = fold(events, transcript=mode != "none", early=mode == "early")
    assert_same(log, events)
    assert log[1:-1] == events[1:-1]
    assert log[::3] == events[::3]
    assert log[len(events) // 2 :] == events[len(events) // 2 :]


def test_streamed_arguments_stay_when_whole_ones_replace_them() -> None:
    events: list[Event] = [
        RunStart(seq=1, ts=1.0),
        ToolCallStart(seq=2, ts=1.5, tool_call_id="c", name="f"),
        ToolCallArgsDelta(seq=3, ts=2.0, tool_call_id="c", delta='{"a": '),
        ToolCallArgsDelta(seq=4, ts=2.5, tool_call_id="c", delta="1"),
        ToolCallEnd(seq=5, ts=3.0, tool_call_id="c", arguments='{"a": 2}'),
        ToolCallArgsDelta(seq=6, ts=3.5, tool_call_id="c", delta=" "),  # after the end
        RunEnd(seq=7, ts=4.0),
    ]
    log = fold(events)
    assert_same(log, events)
    assert log[3].delta == "1"  # type: ignore[attr-defined]
    assert log[4].arguments == '{"a": 2}'  # type: ignore[attr-defined]


def test_end_events_point_into_the_text_they_repeat() -> None:
    # What the normalizer makes of a stream whose ends repeat the whole text.
    norm = Normalizer(clock=lambda: 3.0)
    raw: list[Event] = [
        TextDelta(message_id="m", delta="Hel"),
        MessageEnd(message_id="m", final_text="Hello"),  # the missing "lo" is emitted first
        ToolCallArgsDelta(tool_call_id="c", delta='{"q":'),
        ToolCallArgsDelta(tool_call_id="c", delta=" 1}"),
        ToolCallEnd(tool_call_id="c"),  # the normalizer fills in the streamed arguments
    ]
    events = [out for ev in raw for out in norm.feed(ev)] + norm.finish()
    log = fold(events)
    assert_same(log, events)
    refs = [s for s in log._segments if isinstance(s, TextRef)]
    assert len(refs) == 2
    text = Transcript.from_events(events).text_buffer("text", "m")
    assert text is not None
    assert text.text == "Hello"


def test_deltas_after_a_block_reopened_and_after_the_run_ended() -> None:
    norm = Normalizer(clock=lambda: 3.0)
    raw: list[Event] = [
        TextDelta(message_id="m", delta="one "),
        TextDelta(message_id="m", delta="two "),
        MessageEnd(message_id="m"),
        TextDelta(message_id="m", delta="three"),  # reopens the block
        ThinkingDelta(message_id="t", delta="hmm "),
        ThinkingDelta(message_id="t", delta="yes", summary=True),
        TextDelta(message_id="r", delta="I can't", refusal=True),
        TextDelta(message_id="r", delta=" help.", refusal=True),
    ]
    events = [out for ev in raw for out in norm.feed(ev)] + norm.finish()
    # A source that goes on after its end: the transcript folds none of it.
    late = [
        TextDelta(seq=100, ts=9.0, message_id="m", delta="late"),
        TextDelta(seq=101, ts=9.5, message_id="m", delta="r"),
    ]
    log = fold(events + late)
    assert_same(log, events + late)
    t = Transcript.from_events(events)
    assert t.text == "one two three\n\nI can't help."  # the thinking block stands between


def test_fields_equal_to_the_segments_but_written_otherwise_start_a_segment() -> None:
    def delta(seq: int, **fields: Any) -> TextDelta:
        return TextDelta(**{"seq": seq, "ts": 1.5, "message_id": "m", "delta": "ab"} | fields)

    meta = {"choice_index": 1}
    events: list[Event] = [
        RunStart(seq=1, ts=1.0),
        delta(2, meta=meta),
        delta(3, meta=meta),
        delta(4, meta={"choice_index": True}),  # == meta, written "true"
        delta(5, meta={"choice_index": 1.0}),  # == meta, written "1.0"
        delta(6),
        delta(7, ts=2),  # an int ts is written "2", not "2.0"
        delta(8),
        delta(9, source="other"),  # each after one like 2 and 3: it differs in one field
        delta(10),
        delta(11, refusal=True),
        delta(12),
        delta(13, run_id="r2"),
        delta(14),
        MessageEnd(seq=15, ts=3.0, message_id="m", final_text="ab" * 12 + "xx"),  # as long
        ThinkingDelta(seq=16, ts=5.0, message_id="t", delta="a"),
        ThinkingDelta(seq=17, ts=5.0, message_id="t", delta="b", summary=True),
        ThinkingDelta(seq=18, ts=5.0, message_id="t", delta="c", summary=True, part_index=1),
        ToolCallArgsDelta(seq=19, ts=6.0, tool_call_id="c", delta="{"),
        ToolCallArgsDelta(seq=20, ts=6.0, tool_call_id="d", delta="}"),
        RunEnd(seq=21, ts=4.0),
    ]
    log = fold(events)
    assert_same(log, events)
    assert len(log._segments) == len(events) - 1  # only 2 and 3 share one


def test_a_delta_json_cannot_write_is_kept_as_it_is() -> None:
    odd = TextDelta(seq=3, ts=2.0, message_id="m", delta="b", meta={"x": object()})
    events: list[Event] = [
        RunStart(seq=1, ts=1.0),
        TextDelta(seq=2, ts=2.0, message_id="m", delta="a"),
        odd,
        TextDelta(seq=4, ts=2.0, message_id="m", delta="c"),
    ]
    log = fold(events)
    assert list(log) == events
    assert log[2] is odd
    with pytest.raises(TypeError):
        odd.to_json()
    with pytest.raises(TypeError):
        "".join(log.jsonl())


def test_a_delta_appended_before_the_transcript_folded_it_keeps_its_own_text() -> None:
    # Single characters are shared str objects: the last delta in the buffer "is" the new one.
    events: list[Event] = [RunStart(seq=1, ts=1.0)]
    events += [TextDelta(seq=i, ts=2.0, message_id="m", delta=d) for i, d in enumerate("aaba", 2)]
    assert_same(fold(events, early=True), events)


def test_a_delta_the_transcript_did_not_fold_keeps_its_own_text() -> None:
    t = Transcript()
    log = EventLog(t)
    events: list[Event] = [RunStart(seq=1, ts=1.0)]
    events += [TextDelta(seq=i, ts=2.0, message_id="m", delta=f"<{i}>") for i in range(2, 12)]
    for ev in events[:5]:
        t.apply(ev)
        log.append(ev)
    for ev in events[5:]:  # a caller that folds only some of the events
        log.append(ev)
    assert_same(log, events)
    assert t.text == "<2><3><4><5>"


def test_run_save_writes_what_record_writes(tmp_path: Path) -> None:
    rng = random.Random(5)
    words = [rng.choice(["alpha ", "beta ", "é ", "🙂 ", "\n", '"q" ']) for _ in range(3000)]
    records: list[dict[str, Any]] = [{"kind": "run_start", "ts": 10}]  # an int ts
    records += [{"kind": "text_delta", "message_id": "m", "delta": w} for w in words]
    records += [{"kind": "thinking_delta", "message_id": "t", "delta": w} for w in words[:50]]
    records.append({"kind": "tool_call_args_delta", "tool_call_id": "c", "delta": '{"a":1}'})
    records.append({"kind": "tool_call_end", "tool_call_id": "c", "arguments": '{"a": 1}'})
    path = tmp_path / "recorded.jsonl"
    run = nbagent.record(iter(records), path, format="events")
    run.wait(PATIENCE)
    assert isinstance(run.events, EventLog)
    saved = run.save(tmp_path / "saved.jsonl").read_bytes()
    assert saved == path.read_bytes()
    assert [ev.to_json() for ev in run.events] == path.read_text().splitlines()
    assert len(run.events._segments) < 20


def _kept_per_delta(n: int) -> tuple[float, float]:
    """Bytes a run of ``n`` deltas keeps (transcript and log, after gc) per delta, and the
    text's bytes per delta."""
    rng = random.Random(n)
    words = ["the", "model", "returns", "a", "table", "of", "rows", "and", "checks", "it"]
    text = "".join(f" {rng.choice(words)}" for _ in range(n))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        pipe, transcript = Pipeline("text"), Transcript()
        log = EventLog(transcript)
        start = 0
        while start < len(text):
            end = text.find(" ", start + 1)
            end = len(text) if end < 0 else end
            for ev in pipe.feed(text[start:end]):  # a new str per delta, as from a socket
                transcript.apply(ev)
                log.append(ev)
            start = end
        for ev in pipe.finish():
            transcript.apply(ev)
            log.append(ev)
        assert transcript.deltas == n
        assert transcript.text == text
        del pipe
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(log) == n + 4
    return kept / n, len(text.encode()) / n


def test_memory_follows_the_text_not_the_events() -> None:
    small, _ = _kept_per_delta(20_000)
    large, text = _kept_per_delta(80_000)
    assert large <= 1.2 * small  # no cost that grows with the run's length
    assert large <= 8 * text  # a TextDelta object alone is ~170 bytes
