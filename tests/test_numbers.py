"""The run's numbers (``nbagent/transcript/fold/numbers.py``), kernel-free, with an injected clock:
time
to first token from the run's start, tokens/s over the model's generation time only (the
server's output tokens, else one per content delta), left out where it means nothing; a run
that waits for its first token says so, its clock running from its creation."""

from __future__ import annotations

import time
from collections.abc import Iterator

import nbagent
import nbagent.core.events as E
from nbagent import Transcript
from nbagent.pipeline.stream import Pipeline
from nbagent.transcript.export.common import status_line
from tests.servers import chunk, text_chunks, usage_chunk


class FakeClock:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def fold(pipeline: Pipeline, items: list[object], clock: FakeClock, gap: float) -> Transcript:
    t = Transcript()
    for item in items:
        for ev in pipeline.feed(item):
            t.apply(ev)
        clock.t += gap
    for ev in pipeline.finish():
        t.apply(ev)
    return t


def test_a_wait_before_the_first_item_counts_in_time_to_first_token() -> None:
    clock = FakeClock()
    pipeline = Pipeline("text", clock=clock, started_at=clock())  # the run is shown now
    clock.t += 0.1  # the source takes 0.1 s before its first item
    t = fold(pipeline, ["Hello", " world"], clock, 0.01)
    assert t.ttft_s is not None
    assert t.ttft_s >= 0.1
    assert status_line(t).startswith("completed · first token 0.10 s")


def test_a_recorded_start_is_kept() -> None:
    clock = FakeClock(5000.0)
    recorded = [
        E.RunStart(ts=10.0),
        E.TextDelta(message_id="m", delta="hi", ts=10.5),
        E.RunEnd(ts=11.0),
    ]
    t = fold(Pipeline("events", clock=clock, started_at=clock()), recorded, clock, 1.0)
    assert (t.started_at, t.ttft_s) == (10.0, 0.5)


def test_a_run_shown_then_waiting_counts_the_wait() -> None:
    """Through a real Run (no notebook: the terminal printer): the generator sleeps first."""

    def slow() -> Iterator[str]:
        time.sleep(0.1)
        yield from ["a "] * 5

    run = nbagent.show(slow())
    run.wait()
    assert run.transcript.ttft_s is not None
    assert run.transcript.ttft_s >= 0.1


def two_steps_with_a_tool() -> list[E.Event]:
    """Two model calls of 1 s of generation each (after 0.5 s to their first token) with a
    5 s tool between them."""
    evs: list[E.Event] = [E.RunStart(ts=0.0), E.StepStart(step_id="s1", ts=0.0)]
    # 20 deltas of 6 to 8 characters, and the call's "{}" whole: 40 tokens reported.
    evs += [
        E.TextDelta(message_id="m1", delta="x" * (8 - 2 * (i == 0)), ts=0.5 + i / 20)
        for i in range(20)
    ]
    evs += [
        E.ToolCallStart(tool_call_id="c1", name="search", ts=1.5),
        E.ToolCallEnd(tool_call_id="c1", arguments="{}", ts=1.5),
        E.Usage(step_id="s1", input_tokens=100, output_tokens=40, ts=1.5),
        E.StepEnd(step_id="s1", finish_reason="tool_calls", ts=1.5),
        E.ToolResult(tool_call_id="c1", content="ok", ts=6.5),
        E.StepStart(step_id="s2", ts=6.5),
    ]
    evs += [E.TextDelta(message_id="m2", delta="y" * 12, ts=7.0 + i / 20) for i in range(20)]
    evs += [
        E.Usage(step_id="s2", input_tokens=300, output_tokens=60, ts=8.0),
        E.StepEnd(step_id="s2", finish_reason="stop", ts=8.0),
        E.RunEnd(ts=8.0),
    ]
    return evs


def test_tokens_per_second_excludes_tool_time_and_first_token_waits() -> None:
    t = Transcript.from_events(two_steps_with_a_tool())
    assert t.generation_s == 2.0
    assert t.output_tokens == 100
    assert not t.output_tokens_estimated
    assert t.tokens_per_s == 50.0  # not 100 / 7.5 s from the first token to the end
    steps = t.to_dict()["steps"]
    assert [(s["first_token_at"], s["output_deltas"]) for s in steps] == [(0.5, 20), (7.0, 20)]
    assert "50.0 tok/s" in status_line(t)
    # The text export: the status line, then one line per model call, the same numbers.
    assert t.to_text().splitlines()[-3:] == [
        "completed · first token 0.50 s · 50.0 tok/s · 8.0 s · 500 tokens",
        # the cost: no model names the price (issue 19), and the line says so
        "step 1 · first token 0.50 s · 1.50 s · in 100 · out 40 tokens · no price · tool calls",
        "step 2 · first token 0.50 s · 1.50 s · in 300 · out 60 tokens · no price · stop",
    ]


def test_the_rate_does_not_move_while_a_tool_runs() -> None:
    evs = two_steps_with_a_tool()
    t = Transcript.from_events(evs[: evs.index(next(e for e in evs if type(e) is E.ToolResult))])
    state = t.to_dict()
    during = {status_line(state, now) for now in (2.0, 4.0, 6.4)}
    rates = {line.split(" · ")[2] for line in during}
    assert rates == {"40.0 tok/s"}


def test_a_step_counts_its_deltas_until_its_usage_lands() -> None:
    """The first step's reported tokens stand for its 20 deltas; the second step's 20 deltas
    count one token each (estimated) until its own usage says 60."""
    evs = two_steps_with_a_tool()
    usage2 = next(e for e in evs if type(e) is E.Usage and e.step_id == "s2")
    before = Transcript.from_events(evs[: evs.index(usage2)])
    after = Transcript.from_events(evs[: evs.index(usage2) + 1])
    assert (before.output_tokens, before.output_tokens_estimated) == (40 + 20, True)
    assert (after.output_tokens, after.output_tokens_estimated) == (100, False)
    assert "≈ 30.0 tok/s" in status_line(before.to_dict(), 8.0)  # 60 tokens over 2 s


def test_the_rate_counts_the_wires_chunks_not_characters() -> None:
    """A server with no usage (llama.cpp's) sends a token per chunk, however long: 40 chunks
    of 9 characters over 2.5 s read 16 tok/s, estimated; a usage chunk's count replaces it."""
    for usage in (False, True):
        clock = FakeClock()
        items = text_chunks(["Bonjour, "] * 40, usage=False)
        items += [usage_chunk(completion=50)] if usage else []
        t = fold(Pipeline("openai-chat", clock=clock, started_at=clock()), items, clock, 1 / 16)
        assert t.deltas == 40
        assert t.output_tokens == (50 if usage else 40)
        assert t.output_tokens_estimated is not usage
        assert t.generation_s == 2.5  # from the first chunk to the end: 40 gaps of 1/16 s
        assert status_line(t).split(" · ")[2] == ("20.0" if usage else "≈ 16.0") + " tok/s"


def test_a_run_waits_for_its_first_token_from_its_creation() -> None:
    """``begin``: the run's clock runs before its source's first item, the status line says
    it waits; the RunStart then sets the run's fields (the pipeline dates it back to the
    same start), and the first token ends the wait."""
    clock = FakeClock()
    t = Transcript()
    assert t.begin(clock()) == [{"op": "run", "set": {"started_at": 1000.0}}]
    assert t.begin(clock() + 1) == []  # once
    assert status_line(t.to_dict(), 1007.25) == "waiting for the first token · 7.2 s"
    pipeline = Pipeline("openai-chat", clock=clock, started_at=1000.0)
    clock.t += 7.5
    evs = pipeline.feed(chunk("", role="assistant", model="smollm2"))
    for ev in evs:
        t.apply(ev)
    assert (t.started_at, t.model, t.run_id) == (1000.0, "smollm2", "chatcmpl-test")
    assert status_line(t.to_dict(), 1008.0) == "waiting for the first token · 8.0 s · smollm2"
    for ev in pipeline.feed(chunk("Hi")):
        t.apply(ev)
    # One delta: no rate yet, and no dash standing for it.
    assert status_line(t.to_dict(), 1008.0) == "running · first token 7.50 s · 8.0 s · smollm2"


def test_a_begun_run_takes_its_sources_own_start() -> None:
    """A source with times of its own (a recorded run's) keeps its start over the creation's."""
    t = Transcript()
    t.begin(5000.0)
    for ev in Pipeline("events", started_at=5000.0).feed(E.RunStart(ts=10.0, run_id="r1")):
        t.apply(ev)
    assert (t.started_at, t.run_id) == (10.0, "r1")
    resumed = Transcript.from_dict(Transcript().to_dict() | {"started_at": 5000.0})
    resumed.apply(E.RunStart(ts=5000.0, run_id="r2", model="m"))
    assert (resumed.run_id, resumed.model) == ("r2", "m")  # begun, saved, then started


def test_no_rate_where_it_means_nothing() -> None:
    one_delta = [
        E.RunStart(ts=0.0),
        E.TextDelta(message_id="m", delta="Hello.", ts=0.4),
        E.RunEnd(ts=0.5),
    ]
    t = Transcript.from_events(one_delta)
    assert t.tokens_per_s is None
    assert status_line(t) == "completed · first token 0.40 s · 0.5 s"  # left out, not "—"
    stopped = [E.RunStart(ts=0.0), E.RunEnd(reason="cancelled", ts=2.5)]
    t = Transcript.from_events(stopped)
    assert t.tokens_per_s is None
    assert t.ttft_s is None
    assert status_line(t) == "cancelled · 2.5 s"


def test_sources_without_steps_get_one_implicit_stretch() -> None:
    evs: list[E.Event] = [E.RunStart(ts=0.0)]
    evs += [E.TextDelta(message_id="m", delta="abcd", ts=1.0 + i / 10) for i in range(30)]
    evs.append(E.RunEnd(ts=4.0))
    t = Transcript.from_events(evs)
    assert t.ttft_s == 1.0
    assert t.generation_s == 3.0
    assert t.tokens_per_s == 10.0
    assert t.output_tokens_estimated


def test_resumed_from_a_snapshot_the_numbers_go_on() -> None:
    evs = two_steps_with_a_tool()
    half = len(evs) // 2 + 5  # inside the second step
    resumed = Transcript.from_dict(Transcript.from_events(evs[:half]).to_dict())
    for ev in evs[half:]:
        resumed.apply(ev)
    full = Transcript.from_events(evs)
    assert (resumed.generation_s, resumed.tokens_per_s) == (full.generation_s, full.tokens_per_s)
