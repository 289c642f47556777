"""The adapters' kit, ``kit/messages.py``: open messages and their ids (``Messages``), a
message that arrives whole; and the run of one model step (``ModelStep``, ``kit/lifecycle.py``)."""

from __future__ import annotations

from nbagent.adapters.kit import (
    ANSWER_SEEN_WHOLE,
    Ids,
    Messages,
    ModelStep,
    invented,
    whole_message,
)
from nbagent.core.events import (
    ErrorEvent,
    Event,
    MessageEnd,
    MessageStart,
    RunEnd,
    RunStart,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
)


def test_invented_ids_count_each_channel() -> None:
    messages, out = Messages(invented(Ids())), list[Event]()
    messages.delta("text", "a", out)
    messages.delta("text", "b", out)
    messages.close("text", out)
    messages.delta("thinking", "c", out)
    messages.delta("text", "d", out)
    assert out == [
        TextDelta(message_id="run:text1", delta="a"),
        TextDelta(message_id="run:text1", delta="b"),
        MessageEnd(message_id="run:text1", channel="text"),
        ThinkingDelta(message_id="run:think1", delta="c"),
        TextDelta(message_id="run:text2", delta="d"),
    ]
    assert messages.get("thinking") == "run:think1"
    assert messages.get("text") == "run:text2"


def test_invented_ids_keep_a_wire_key() -> None:
    messages, out = Messages(invented(Ids(), "s1")), list[Event]()
    messages.delta("text", "a", out, "w1")
    messages.close("text", out, "w1")
    messages.delta("text", "b", out, "w1")
    messages.delta("thinking", "c", out)
    assert [ev.message_id for ev in out if isinstance(ev, (TextDelta, ThinkingDelta))] == [
        "w1",
        "w1#2",
        "s1:think1",
    ]


def test_close_all_closes_in_opening_order_and_says_whether_one_was_open() -> None:
    messages, out = Messages(invented(Ids("m"))), list[Event]()
    assert messages.close_all(out) is False
    messages.delta("text", "a", out)
    messages.delta("thinking", "b", out)
    out.clear()
    assert messages.close_all(out) is True
    assert out == [
        MessageEnd(message_id="m:text1", channel="text"),
        MessageEnd(message_id="m:think1", channel="thinking"),
    ]
    assert messages.close("text", out) is None
    assert len(out) == 2


def test_wire_keys_announced_and_silent() -> None:
    messages = Messages(starts={"text": {"role": "assistant"}, "thinking": {}})
    out: list[Event] = []
    assert messages.id("text", out, "t1") == "t1"
    messages.delta("text", "x", out, "t1")
    messages.delta("thinking", "y", out, "r1", announce=False)
    messages.close("thinking", out, "r1", signature="sig")
    assert out == [
        MessageStart(message_id="t1", channel="text", role="assistant"),
        TextDelta(message_id="t1", delta="x"),
        ThinkingDelta(message_id="r1", delta="y"),
        MessageEnd(message_id="r1", channel="thinking", signature="sig"),
    ]
    assert messages.open == {("text", "t1"): "t1"}


def test_the_id_scheme_gets_channel_key_and_number() -> None:
    seen: list[tuple[str, str, int]] = []

    def ids(channel: str, key: str, n: int) -> str:
        seen.append((channel, key, n))
        return f"{key}-{channel}-{n}"

    messages, out = Messages(ids), list[Event]()
    messages.delta("thinking", "a", out, "s1")
    messages.close_all(out)
    messages.delta("thinking", "b", out, "s2")
    assert seen == [("thinking", "s1", 1), ("thinking", "s2", 2)]
    assert out[-1] == ThinkingDelta(message_id="s2-thinking-2", delta="b")


def test_whole_message() -> None:
    out: list[Event] = []
    whole_message(out, "text", "m1", "hi", {"role": "agent"}, parent="p")
    whole_message(out, "thinking", "m2", None, end={"redacted": True})
    assert out == [
        MessageStart(message_id="m1", channel="text", role="agent", parent="p"),
        TextDelta(message_id="m1", delta="hi", parent="p"),
        MessageEnd(message_id="m1", channel="text", parent="p"),
        MessageStart(message_id="m2", channel="thinking"),
        MessageEnd(message_id="m2", channel="thinking", redacted=True),
    ]


def test_a_whole_answer_a_hook_saw() -> None:
    """A hook's message: marked whole, at the time the call ended, a refusal's text so marked."""
    out: list[Event] = []
    whole_message(out, "text", "r", "No.", ANSWER_SEEN_WHOLE, ts=2.0, refusal=True)
    assert out == [
        MessageStart(message_id="r", channel="text", role="assistant", whole=True, ts=2.0),
        TextDelta(message_id="r", delta="No.", refusal=True, ts=2.0),
        MessageEnd(message_id="r", channel="text", ts=2.0),
    ]


def test_model_step_starts_once_and_ends_its_step_once() -> None:
    run, out = ModelStep("s"), list[Event]()
    run.start(out, provider="p")
    run.start(out, provider="q")
    run.end_step(out, "completed", "stop")
    run.end_step(out, "completed")
    assert out == [
        RunStart(provider="p"),
        StepStart(step_id="s", name="model", step_type="model"),
        StepEnd(step_id="s", name="model", finish_reason="completed", raw_finish_reason="stop"),
    ]
    assert run.started
    assert not run.done


def test_model_step_cut_off() -> None:
    assert ModelStep("s").cut_off(lambda out: None, "chunk", "cut") == [
        RunEnd(reason="incomplete", message="the stream ended before any chunk arrived")
    ]
    run, closed = ModelStep("s"), list[Event]()
    run.start(closed)
    closing = MessageEnd(message_id="m")
    assert run.cut_off(lambda out: out.append(closing), "chunk", "cut") == [
        closing,
        StepEnd(step_id="s", name="model", finish_reason="incomplete"),
        RunEnd(reason="incomplete", message="cut"),
    ]
    assert run.done
    assert run.cut_off(lambda out: None, "chunk", "again") == []


def test_model_step_fail() -> None:
    error = ErrorEvent(message="boom")
    assert ModelStep("s").fail([], lambda out: None, error) == [
        error,
        RunEnd(reason="error", message="boom"),
    ]
    run = ModelStep("s")
    run.start([])
    assert run.fail([], lambda out: None, error, raw="overloaded") == [
        StepEnd(step_id="s", name="model", finish_reason="error"),
        error,
        RunEnd(reason="error", raw_reason="overloaded", message="boom"),
    ]
    assert run.done
