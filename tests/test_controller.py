"""Throttling and coalescing with an injected clock: no kernel, no threads."""

from __future__ import annotations

import copy
import itertools
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nbagent.runtime.controller import Coalescer, Controller
from nbagent.runtime.flushes import Scheduler
from nbagent.widget.wire import decode_lanes, decode_ops


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class ManualScheduler(Scheduler):
    """Records deadlines; the test fires them by advancing the clock."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.pending: list[tuple[float, Controller]] = []

    def schedule(self, deadline: float, controller: Controller) -> None:
        self.pending.append((deadline, controller))

    def advance(self, seconds: float) -> None:
        self.clock.now += seconds
        due = [p for p in self.pending if p[0] <= self.clock.now]
        self.pending = [p for p in self.pending if p[0] > self.clock.now]
        for _, controller in due:
            controller.flush_due()


def make(
    throttle_ms: float = 50, min_batch_chars: int = 0
) -> tuple[Controller, list[dict[str, Any]], ManualScheduler]:
    clock = Clock()
    sent: list[dict[str, Any]] = []
    scheduler = ManualScheduler(clock)
    controller = Controller(
        sent.append,
        throttle_ms=throttle_ms,
        min_batch_chars=min_batch_chars,
        clock=clock,
        wall=lambda: 1000.0 + clock.now,
        scheduler=scheduler,
    )
    return controller, sent, scheduler


def append(text: str, i: int = 0, key: str = "text") -> dict[str, Any]:
    return {"op": "append", "i": i, "key": key, "text": text}


def test_first_push_is_sent_at_once() -> None:
    controller, sent, _ = make()
    controller.push([append("Hel")])
    assert [m["seq"] for m in sent] == [1]
    assert decode_ops(sent[0]) == [append("Hel")]
    assert sent[0]["ops"] == [["t", 0, "Hel"]]
    assert sent[0]["now"] == 1000.0


def test_many_deltas_within_one_interval_make_one_message() -> None:
    controller, sent, scheduler = make()
    controller.push([append("a")])
    for ch in "bcdefghij" * 100:
        scheduler.clock.now += 0.00001
        controller.push([append(ch)])
    assert len(sent) == 1
    assert len(scheduler.pending) == 1
    scheduler.advance(0.05)
    assert len(sent) == 2
    assert decode_ops(sent[1]) == [append("bcdefghij" * 100)]
    assert sent[1]["seq"] == 2


def test_at_most_one_message_per_interval_at_any_rate() -> None:
    clock = Clock()
    scheduler = ManualScheduler(clock)
    sent: list[dict[str, Any]] = []
    times: list[float] = []  # when each message went out, on the fake clock

    def send(message: dict[str, Any]) -> None:
        times.append(clock.now)
        sent.append(message)

    controller = Controller(
        send, throttle_ms=50, min_batch_chars=0, clock=clock, wall=clock, scheduler=scheduler
    )
    for _ in range(2000):  # 2,000 deltas over 5 s of fake time
        scheduler.advance(0.0025)
        controller.push([append("x")])
    scheduler.advance(0.1)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.05 - 1e-9  # never two messages within one interval
    assert len(sent) >= 90  # but one every interval, not held back
    assert "".join(op["text"] for m in sent for op in decode_ops(m)) == "x" * 2000


def test_lanes_share_one_message_per_interval() -> None:
    """Two lanes streaming at once (0.2 s of fake time): each message after their opening
    carries both lanes' text, at most one per interval, and nothing is lost."""
    clock = Clock()
    scheduler = ManualScheduler(clock)
    sent: list[dict[str, Any]] = []
    times: list[float] = []

    def send(message: dict[str, Any]) -> None:
        times.append(clock.now)
        sent.append(message)

    controller = Controller(
        send,
        throttle_ms=50,
        min_batch_chars=0,
        clock=clock,
        wall=clock,
        scheduler=scheduler,
        lanes=True,
    )
    controller.open_lane(0, {"title": "A"})
    controller.open_lane(1, {"title": "B"})
    for i in range(400):
        scheduler.advance(0.0005)
        controller.push([append(f"a{i} ")], lane=0)
        controller.push([append(f"b{i} ")], lane=1)
    scheduler.advance(0.1)
    streamed, streamed_at = sent[2:], times[2:]  # after the two openings
    assert 4 <= len(streamed) <= 5
    assert all(sorted(lane for lane, _ in decode_lanes(m)) == [0, 1] for m in streamed)
    assert min(b - a for a, b in itertools.pairwise(streamed_at)) >= 0.05 - 1e-9
    for lane, prefix in ((0, "a"), (1, "b")):
        text = "".join(
            op["text"] for m in sent for i, ops in decode_lanes(m) if i == lane for op in ops
        )
        assert text == "".join(f"{prefix}{i} " for i in range(400))


def test_urgent_push_flushes_inside_the_interval() -> None:
    controller, sent, scheduler = make()
    controller.push([append("a")])
    scheduler.clock.now += 0.001
    controller.push([append("b")])
    controller.push([{"op": "run", "set": {"status": "completed"}}], urgent=True)
    assert len(sent) == 2
    assert decode_ops(sent[1]) == [append("b"), {"op": "run", "set": {"status": "completed"}}]


def test_close_flushes_and_ignores_later_pushes() -> None:
    controller, sent, scheduler = make()
    controller.push([append("a")])
    scheduler.clock.now += 0.001
    controller.push([append("b")])
    controller.close()
    controller.push([append("c")])
    scheduler.advance(1)
    assert [op["text"] for m in sent for op in decode_ops(m)] == ["a", "b"]


def test_snapshot_flushes_pending_first_and_carries_the_seq() -> None:
    controller, sent, scheduler = make()
    controller.push([append("a")])
    scheduler.clock.now += 0.001
    controller.push([append("b")])
    controller.send_snapshot({"blocks": []})
    assert [m.get("type", "ops") for m in sent] == ["ops", "ops", "snapshot"]
    assert sent[2]["seq"] == 2
    assert sent[2]["state"] == {"blocks": []}


def test_trailing_flush_rescheduled_when_fired_early() -> None:
    controller, sent, scheduler = make()
    controller.push([append("a")])
    scheduler.clock.now += 0.01
    controller.push([append("b")])
    controller.flush_due()  # a spurious early wake-up
    assert len(sent) == 1
    scheduler.advance(0.05)
    assert len(sent) == 2


def test_a_little_text_waits_up_to_twice_the_interval() -> None:
    controller, sent, scheduler = make(throttle_ms=50, min_batch_chars=256)
    controller.push([append("first")])
    for _ in range(20):  # 20 chars per 50 ms: too little to be worth a message
        scheduler.advance(0.0025)
        controller.push([append("x"), {"op": "run", "set": {"deltas": 1}}])
    assert len(sent) == 1
    scheduler.advance(0.05)
    assert len(sent) == 2
    assert decode_ops(sent[1])[0]["text"] == "x" * 20
    assert sent[1]["d"] == 1


def test_a_structural_op_or_enough_text_goes_at_the_interval() -> None:
    controller, sent, scheduler = make(throttle_ms=50, min_batch_chars=256)
    controller.push([append("first")])
    scheduler.advance(0.01)
    controller.push([{"op": "set", "i": 0, "set": {"state": "done"}}])
    scheduler.advance(0.04)
    assert len(sent) == 2
    scheduler.advance(0.01)
    controller.push([append("y" * 300)])
    scheduler.advance(0.04)
    assert len(sent) == 3


def test_a_small_batch_that_grows_is_sent_at_the_interval_without_another_push() -> None:
    controller, sent, scheduler = make(throttle_ms=50, min_batch_chars=256)
    controller.push([append("first")])
    scheduler.advance(0.01)
    controller.push([append("x")])  # small: due at 2 x the interval
    scheduler.advance(0.01)
    controller.push([append("y" * 300)])  # now big: due at the interval, pushes or not
    scheduler.advance(0.03)
    assert len(sent) == 2
    assert decode_ops(sent[1])[0]["text"] == "x" + "y" * 300


def test_pushes_between_deadlines_send_nothing_and_lose_nothing() -> None:
    controller, sent, scheduler = make(throttle_ms=50, min_batch_chars=0)
    controller.push([append("a")])
    for n in range(1, 1001):
        scheduler.advance(0.0001)
        controller.push([append("b"), {"op": "run", "set": {"deltas": n}}])
    assert len(sent) == 3  # at 0 s, 0.05 s and 0.1 s
    controller.close()
    text = "".join(op["text"] for m in sent for op in decode_ops(m) if op["op"] == "append")
    assert text == "a" + "b" * 1000
    assert sent[-1]["d"] == 1000


def test_the_kernel_clock_is_sent_about_once_a_second() -> None:
    controller, sent, scheduler = make(throttle_ms=50)
    for _ in range(60):
        scheduler.advance(0.05)
        controller.push([append("z")])
    with_now = [m for m in sent if "now" in m]
    assert 3 <= len(with_now) <= 4
    assert with_now[0] is sent[0]


def test_negative_throttle_rejected() -> None:
    with pytest.raises(ValueError, match="throttle_ms"):
        Controller(lambda m: None, throttle_ms=-1)


# -- coalescing keeps the meaning of the ops ------------------------------------


def apply(state: dict[str, Any], op: dict[str, Any]) -> None:
    """A tiny model of the ops (the real one is nbagent.transcript.transcript.apply_op)."""
    if op["op"] == "add":
        state["blocks"].append(copy.deepcopy(op["block"]))
    elif op["op"] == "append":
        block = state["blocks"][op["i"]]
        block[op["key"]] = block.get(op["key"], "") + op["text"]
        if "deltas" in op:
            state["deltas"] = op["deltas"]
    elif op["op"] == "set":
        state["blocks"][op["i"]].update(op["set"])
    else:
        state.update(op["set"])


ops_strategy = st.lists(
    st.one_of(
        st.just("add"),
        st.tuples(st.just("append"), st.integers(0, 3), st.sampled_from(["text", "arguments"])),
        st.tuples(st.just("set"), st.integers(0, 3), st.sampled_from(["state", "arguments"])),
        st.tuples(st.just("run"), st.sampled_from(["status", "deltas"])),
    ),
    max_size=60,
)


def materialize(spec: list[Any], rng: random.Random) -> list[dict[str, Any]]:
    ops: list[dict[str, Any]] = []
    blocks = 0
    for item in spec:
        if item == "add":
            ops.append({"op": "add", "block": {"n": blocks}})
            blocks += 1
        elif blocks and item[0] == "append":
            op = append(rng.choice("abcé😀"), item[1] % blocks, item[2])
            if rng.random() < 0.5:  # a token's append carries the run's delta count
                op["deltas"] = rng.randrange(1000)
            ops.append(op)
        elif blocks and item[0] == "set":
            ops.append({"op": "set", "i": item[1] % blocks, "set": {item[2]: str(rng.random())}})
        elif item[0] == "run":
            ops.append({"op": "run", "set": {item[1]: rng.random()}})
    return ops


@given(ops_strategy, st.integers(0, 2**32))
def test_coalesced_ops_have_the_same_effect(spec: list[Any], seed: int) -> None:
    rng = random.Random(seed)
    ops = materialize(spec, rng)
    direct: dict[str, Any] = {"blocks": []}
    for op in ops:
        apply(direct, op)
    merged: dict[str, Any] = {"blocks": []}
    coalescer = Coalescer()
    cut = rng.randrange(len(ops) + 1)
    for batch in (ops[:cut], ops[cut:]):
        coalescer.add(copy.deepcopy(batch))
        for op in coalescer.take():
            apply(merged, op)
    assert merged == direct


def test_add_block_is_copied_when_queued() -> None:
    coalescer = Coalescer()
    block = {"type": "text", "text": ""}
    coalescer.add([{"op": "add", "block": block}])
    block["text"] = "mutated later"
    assert coalescer.take()[0]["block"]["text"] == ""
