"""The lifecycle normalizer: §11.3 guarantees over arbitrary sequences, and each rule."""

from __future__ import annotations

import copy
import itertools
import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from nbagent.core.events import (
    Custom,
    ErrorEvent,
    Event,
    MessageEnd,
    MessageStart,
    RunEnd,
    RunStart,
    Status,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
    Usage,
)
from nbagent.pipeline.normalize import Normalizer, parse_arguments
from nbagent.transcript.transcript import Transcript
from tests.fuzz.budget import examples
from tests.invariants import block_text, check_invariants, grouped_text
from tests.strategies import event_sequences

ENDINGS = st.sampled_from(["finish", "cancel", "fail", "none"])


def counter(start: float = 1000.0):
    it = itertools.count()
    return lambda: start + next(it)


def run(events: list[Event], ending: str = "finish", **kw) -> list[Event]:
    n = Normalizer(clock=counter(), **kw)
    out: list[Event] = []
    for ev in events:
        out += n.feed(ev)
    if ending == "finish":
        out += n.finish()
    elif ending == "cancel":
        out += n.cancel()
    elif ending == "fail":
        out += n.fail(RuntimeError("boom"))
    return out


def kinds(events: list[Event]) -> list[str]:
    return [e.kind for e in events]


@given(event_sequences(), ENDINGS)
@example(  # a text message ended redacted before its first delta takes no place then
    [
        TextDelta(message_id="m1", delta=""),
        MessageEnd(message_id="m2", channel="text", redacted=True),
        TextDelta(message_id="m1", delta="0"),
        TextDelta(message_id="m2", delta="😀"),
    ],
    "finish",
)
@examples(full=400, quick=120)
def test_any_sequence_is_repaired(events, ending):
    out = run(events, ending)
    if not out:
        assert not events
        assert ending == "none"
        return
    check_invariants(out, ended=ending != "none")
    t = Transcript.from_events(out)
    for channel, delta in (("text", TextDelta), ("thinking", ThinkingDelta)):
        # A message's block stands where its first delta came, or, for thinking, where it
        # ended redacted (thinking that ended before any delta, then took one, keeps that
        # place; a text message has no redacted block).
        emitted = [
            (e.message_id, e.delta if isinstance(e, delta) else "")
            for e in out
            if isinstance(e, delta)
            or (isinstance(e, MessageEnd) and e.channel == channel == "thinking" and e.redacted)
        ]
        assert block_text(t, channel) == grouped_text(emitted)


@given(event_sequences(final_text=False), ENDINGS)
@examples(full=300, quick=100)
def test_no_input_text_is_lost_before_run_end(events, ending):
    expected: list[tuple[str, str]] = []
    for ev in events:
        if isinstance(ev, RunEnd) or (isinstance(ev, ErrorEvent) and not ev.recoverable):
            break
        if isinstance(ev, TextDelta) and ev.delta:
            expected.append((ev.message_id, ev.delta))
    out = run(copy.deepcopy(events), ending)
    assert block_text(Transcript.from_events(out)) == grouped_text(expected)


@given(event_sequences())
@settings(deadline=None)
def test_after_run_end_everything_is_dropped(events):
    n = Normalizer()
    for ev in events:
        n.feed(ev)
    n.finish()
    assert n.ended
    assert n.feed(TextDelta(message_id="m", delta="late")) == []
    assert n.finish() == []
    assert n.cancel() == []
    assert n.fail(ValueError()) == []


# -- stamping ---------------------------------------------------------------------------


def test_stamps_seq_ts_run_id_source_and_keeps_recorded_ts():
    n = Normalizer(run_id="r-42", source="openai-chat", clock=lambda: 5.0)
    out = n.feed(TextDelta(message_id="m", delta="a", ts=1.5)) + n.feed(Status(state="x"))
    assert kinds(out) == ["run_start", "message_start", "text_delta", "status"]
    assert [e.seq for e in out] == [1, 2, 3, 4]
    assert [e.ts for e in out] == [1.5, 1.5, 1.5, 5.0]
    assert {e.run_id for e in out} == {"r-42"}
    assert n.run_id == "r-42"
    assert {e.source for e in out} == {"openai-chat"}


def test_run_id_from_first_run_start_else_generated():
    n = Normalizer()
    out = n.feed(RunStart(run_id="chatcmpl-1", model="m"))
    assert out[0].run_id == "chatcmpl-1"
    assert out[0].model == "m"
    n2 = Normalizer()
    out2 = n2.feed(TextDelta(message_id="m", delta="x"))
    assert out2[0].kind == "run_start"
    assert out2[0].run_id.startswith("run_")
    assert n.feed(RunStart(run_id="other")) == []  # a second run_start is dropped


def test_constructor_run_id_wins():
    out = Normalizer(run_id="mine").feed(RunStart(run_id="theirs"))
    assert out[0].run_id == "mine"


# -- messages ---------------------------------------------------------------------------


def test_empty_deltas_are_dropped_and_open_nothing():
    n = Normalizer()
    out = n.feed(TextDelta(message_id="m", delta=""))
    assert kinds(out) == ["run_start"]
    assert n.feed(ThinkingDelta(message_id="t", delta="")) == []
    assert n.feed(ToolCallArgsDelta(tool_call_id="c", delta="")) == []
    assert kinds(n.finish()) == ["run_end"]


def test_message_start_synthesized_with_channel():
    out = run([ThinkingDelta(message_id="t", delta="hm"), TextDelta(message_id="m", delta="A")])
    starts = [e for e in out if isinstance(e, MessageStart)]
    assert [(s.message_id, s.channel) for s in starts] == [("t", "thinking"), ("m", "text")]
    ends = [e for e in out if isinstance(e, MessageEnd)]
    assert [(e.message_id, e.channel) for e in ends] == [("t", "thinking"), ("m", "text")]


def test_adapter_message_start_passes_through_once():
    out = run(
        [
            MessageStart(message_id="m", role="assistant"),
            MessageStart(message_id="m"),
            TextDelta(message_id="m", delta="x"),
        ]
    )
    starts = [e for e in out if isinstance(e, MessageStart)]
    assert len(starts) == 1
    assert starts[0].role == "assistant"


def test_duplicate_message_end_dropped_and_reopen_after_end():
    out = run(
        [
            TextDelta(message_id="m", delta="a"),
            MessageEnd(message_id="m"),
            MessageEnd(message_id="m"),
            TextDelta(message_id="m", delta="b"),
        ]
    )
    assert kinds(out) == [
        "run_start",
        "message_start",
        "text_delta",
        "message_end",
        "message_start",
        "text_delta",
        "message_end",
        "run_end",
    ]
    assert Transcript.from_events(out).text == "ab"


def test_reconcile_emits_missing_suffix():
    out = run(
        [TextDelta(message_id="m", delta="Hel"), MessageEnd(message_id="m", final_text="Hello")]
    )
    deltas = [e.delta for e in out if isinstance(e, TextDelta)]
    assert deltas == ["Hel", "lo"]
    assert kinds(out)[-3:] == ["text_delta", "message_end", "run_end"]


def test_reconcile_thinking_and_refusal_suffix():
    out = run(
        [
            TextDelta(message_id="m", delta="I can", refusal=True),
            MessageEnd(message_id="m", final_text="I can't help"),
            MessageEnd(message_id="t", channel="thinking", final_text="all of it"),
        ]
    )
    suffix = [e for e in out if isinstance(e, TextDelta)][-1]
    assert suffix.delta == "'t help"
    assert suffix.refusal
    thinking = [e for e in out if isinstance(e, ThinkingDelta)]
    assert [e.delta for e in thinking] == ["all of it"]
    t = Transcript.from_events(out)
    assert t.text == "I can't help"
    assert t.thinking == "all of it"


def test_reconcile_differing_text_keeps_final_text_and_does_not_append():
    out = run(
        [TextDelta(message_id="m", delta="Hello"), MessageEnd(message_id="m", final_text="Bye")]
    )
    assert [e.delta for e in out if isinstance(e, TextDelta)] == ["Hello"]
    end = next(e for e in out if isinstance(e, MessageEnd))
    assert end.final_text == "Bye"
    assert Transcript.from_events(out).text == "Hello"


def test_reconcile_equal_text_emits_nothing():
    out = run([TextDelta(message_id="m", delta="Hi"), MessageEnd(message_id="m", final_text="Hi")])
    assert [e.delta for e in out if isinstance(e, TextDelta)] == ["Hi"]


# -- tool calls -------------------------------------------------------------------------


def test_tool_start_synthesized_and_args_parsed_once():
    out = run(
        [
            ToolCallArgsDelta(tool_call_id="c", delta='{"city": "Pa'),
            ToolCallArgsDelta(tool_call_id="c", delta='ris"}'),
        ]
    )
    assert kinds(out) == [
        "run_start",
        "tool_call_start",
        "tool_call_args_delta",
        "tool_call_args_delta",
        "tool_call_end",
        "run_end",
    ]
    end = out[4]
    assert isinstance(end, ToolCallEnd)
    assert end.arguments == '{"city": "Paris"}'
    assert end.args == {"city": "Paris"}
    assert end.parse_error is None


def test_args_split_mid_escape():
    chunks = ['{"name": "caf', "\\u00", 'e9"}']
    out = run([ToolCallArgsDelta(tool_call_id="c", delta=c) for c in chunks])
    end = next(e for e in out if isinstance(e, ToolCallEnd))
    assert end.args == {"name": "café"}


def test_args_parse_error_keeps_text():
    out = run(
        [
            ToolCallStart(tool_call_id="c", name="f"),
            ToolCallArgsDelta(tool_call_id="c", delta='{"a": '),
            ToolCallEnd(tool_call_id="c"),
        ]
    )
    end = next(e for e in out if isinstance(e, ToolCallEnd))
    assert end.arguments == '{"a": '
    assert end.args is None
    assert end.parse_error
    tc = Transcript.from_events(out).tool_calls[0]
    assert tc.parse_error
    assert tc.args is None
    assert tc.arguments == '{"a": '


def test_empty_arguments_mean_empty_object():
    out = run([ToolCallStart(tool_call_id="c", name="now"), ToolCallEnd(tool_call_id="c")])
    end = next(e for e in out if isinstance(e, ToolCallEnd))
    assert end.arguments == ""
    assert end.args == {}
    assert end.parse_error is None


def test_adapter_full_arguments_win():
    out = run(
        [
            ToolCallArgsDelta(tool_call_id="c", delta='{"a": 1'),
            ToolCallEnd(tool_call_id="c", arguments='{"a": 12}'),
        ]
    )
    end = next(e for e in out if isinstance(e, ToolCallEnd))
    assert end.args == {"a": 12}
    tc = Transcript.from_events(out).tool_calls[0]
    assert tc.arguments == '{"a": 12}'
    assert tc.args == {"a": 12}


def test_adapter_parsed_args_only():
    out = run(
        [ToolCallStart(tool_call_id="c", name="f"), ToolCallEnd(tool_call_id="c", args={"k": [1]})]
    )
    end = next(e for e in out if isinstance(e, ToolCallEnd))
    assert end.args == {"k": [1]}
    assert end.arguments == '{"k": [1]}'


def test_nan_is_not_json():
    assert parse_arguments("NaN")[0] is None
    assert parse_arguments('{"a": Infinity}')[1]
    assert parse_arguments("  ") == ({}, None)


def test_args_after_end_and_duplicate_tool_events_dropped():
    out = run(
        [
            ToolCallStart(tool_call_id="c", name="f"),
            ToolCallStart(tool_call_id="c", name="f"),
            ToolCallEnd(tool_call_id="c", arguments="{}"),
            ToolCallEnd(tool_call_id="c", arguments="{}"),
            ToolCallArgsDelta(tool_call_id="c", delta="x"),
        ]
    )
    assert kinds(out) == ["run_start", "tool_call_start", "tool_call_end", "run_end"]


def test_a_later_start_passes_once_to_name_the_calls_mcp_server():
    """A framework that tells a call's MCP server only when it runs the call starts it again
    with the server: that start passes (once), and the transcript's call names the server."""
    events = [
        ToolCallStart(tool_call_id="c", name="add"),
        ToolCallEnd(tool_call_id="c", arguments="{}"),
        ToolCallStart(tool_call_id="c", name="add", server="toolbox"),
        ToolCallStart(tool_call_id="c", name="add", server="other"),
        ToolResult(tool_call_id="c", content=3),
        ToolCallStart(tool_call_id="d", name="echo", server="toolbox"),
        ToolCallStart(tool_call_id="d", name="echo", server="toolbox"),
        ToolResult(tool_call_id="e", content=1),
        ToolCallStart(tool_call_id="e", name="late", server="toolbox"),
    ]
    out = run(events)
    starts = [(e.tool_call_id, e.server) for e in out if isinstance(e, ToolCallStart)]
    assert starts == [("c", None), ("c", "toolbox"), ("d", "toolbox"), ("e", "toolbox")]
    check_invariants(out, ended=True)
    t = Transcript.from_events(out)
    assert [(c.id, c.server) for c in t.tool_calls] == [
        ("c", "toolbox"),
        ("d", "toolbox"),
        ("e", "toolbox"),
    ]


def test_result_closes_open_tool_call():
    out = run(
        [ToolCallArgsDelta(tool_call_id="c", delta="{}"), ToolResult(tool_call_id="c", content=1)]
    )
    assert kinds(out)[1:] == [
        "tool_call_start",
        "tool_call_args_delta",
        "tool_call_end",
        "tool_result",
        "run_end",
    ]


# -- run end ------------------------------------------------------------------------------


def test_fatal_error_closes_blocks_then_run_end_error():
    n = Normalizer()
    n.feed(TextDelta(message_id="m", delta="a"))
    n.feed(ToolCallArgsDelta(tool_call_id="c", delta="{"))
    out = n.feed(ErrorEvent(message="overloaded", error_type="overloaded_error"))
    assert kinds(out) == ["message_end", "tool_call_end", "error", "run_end"]
    assert out[-1].reason == "error"
    assert out[-1].message == "overloaded"
    assert n.ended
    assert n.feed(TextDelta(message_id="m", delta="late")) == []


def test_recoverable_error_passes_through():
    n = Normalizer()
    out = n.feed(ErrorEvent(message="skipped a chunk", recoverable=True))
    assert kinds(out) == ["run_start", "error"]
    assert not n.ended


def test_run_end_closes_open_blocks_in_order():
    n = Normalizer()
    n.feed(ToolCallStart(tool_call_id="c", name="f"))
    n.feed(ThinkingDelta(message_id="t", delta="x"))
    out = n.feed(RunEnd(reason="max_tokens", raw_reason="length"))
    assert kinds(out) == ["tool_call_end", "message_end", "run_end"]
    assert out[-1].reason == "max_tokens"


def test_unknown_reason_becomes_unknown():
    out = Normalizer().feed(RunEnd(reason="weird"))  # type: ignore[arg-type]
    assert out[-1].reason == "unknown"
    assert out[-1].raw_reason == "weird"


def test_finish_on_empty_source():
    out = Normalizer().finish()
    assert kinds(out) == ["run_start", "run_end"]
    assert out[-1].reason == "completed"


def test_fail():
    n = Normalizer()
    n.feed(TextDelta(message_id="m", delta="partial"))
    out = n.fail(ConnectionError("reset by peer"))
    assert kinds(out) == ["message_end", "error", "run_end"]
    err = out[1]
    assert isinstance(err, ErrorEvent)
    assert err.message == "ConnectionError: reset by peer"
    assert err.error_type == "ConnectionError"
    assert not err.recoverable
    assert out[-1].reason == "error"
    t = Transcript.from_events([RunStart(), TextDelta(message_id="m", delta="partial"), *out])
    assert t.status == "error"
    assert t.text == "partial"


def test_cancel():
    n = Normalizer()
    n.feed(TextDelta(message_id="m", delta="a"))
    out = n.cancel()
    assert kinds(out) == ["message_end", "run_end"]
    assert out[-1].reason == "cancelled"
    assert out[-1].message == "stopped by user"
    assert n.cancel("again") == []


def test_custom_and_state_pass_through():
    out = run([Custom(name="x", value=1), Usage(output_tokens=3)])
    assert kinds(out) == ["run_start", "custom", "usage", "run_end"]


def test_a_connection_broken_mid_stream_ends_incomplete() -> None:
    from nbagent.pipeline.normalize import stream_cut

    class RemoteProtocolError(Exception):  # the name httpx gives it
        pass

    class APIConnectionError(Exception):  # how openai wraps it
        pass

    try:
        try:
            raise RemoteProtocolError("peer closed connection")
        except RemoteProtocolError as inner:
            raise APIConnectionError("Connection error.") from inner
    except APIConnectionError as exc:
        wrapped = exc
    assert stream_cut(wrapped)
    assert stream_cut(ConnectionResetError("reset by peer"))
    assert not stream_cut(ConnectionRefusedError("refused"))  # nothing was streamed
    assert not stream_cut(ValueError("bad chunk"))
    n = Normalizer()
    n.feed(TextDelta(message_id="m", delta="partial"))
    end = n.fail(wrapped)[-1]
    assert isinstance(end, RunEnd)
    assert end.reason == "incomplete"
    assert "Connection error" in (end.message or "")
    assert Normalizer().fail(ValueError("x"))[-1].reason == "error"  # type: ignore[attr-defined]


def test_events_leave_the_normalizer_as_plain_data() -> None:
    class Opaque:
        def __repr__(self) -> str:
            return "<opaque>"

    out = run(
        [
            Custom(name="x", value={"obj": Opaque(), "n": float("inf"), "t": (1, 2)}),
            ToolResult(tool_call_id="c", content=[float("nan")]),
            TextDelta(message_id="m", delta="a", meta={"k": Opaque()}),
        ]
    )
    custom = next(e for e in out if isinstance(e, Custom))
    assert custom.value == {"obj": "<opaque>", "n": None, "t": [1, 2]}
    assert next(e for e in out if isinstance(e, ToolResult)).content == [None]
    assert next(e for e in out if isinstance(e, TextDelta)).meta == {"k": "<opaque>"}
    for ev in out:
        json.dumps(ev.to_dict(), allow_nan=False)
