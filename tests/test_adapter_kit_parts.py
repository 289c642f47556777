"""The adapters' kit, ``kit/parts.py``: content parts keyed by scope and the wire's own key,
opened, streamed and closed the one way (``Parts``), their ids made by the run's ``Ids``."""

from __future__ import annotations

from nbagent.adapters.kit import Ids
from nbagent.adapters.kit.parts import Parts
from nbagent.core.events import (
    Event,
    MessageEnd,
    MessageStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
)


def test_parts_by_key_open_stream_and_close_with_invented_ids() -> None:
    parts, out = Parts(Ids("m1"), starts={"text": {"role": "assistant"}}), list[Event]()
    text = parts.start("text", 0, out)
    parts.delta(text, "Hel", out)
    parts.delta(text, "", out)  # no text: nothing
    think = parts.put("thinking", 1, "hm", out)
    think.end["signature"] = "sig"
    parts.put("text", 0, "lo", out)
    parts.close(0, out)
    parts.close(0, out)  # closed already: nothing
    parts.close_all(out)
    assert (text.text, text.streamed, text.open) == ("Hello", True, False)
    assert out == [
        MessageStart(message_id="m1:text1", channel="text", role="assistant"),
        TextDelta(message_id="m1:text1", delta="Hel"),
        ThinkingDelta(message_id="m1:think1", delta="hm"),
        TextDelta(message_id="m1:text1", delta="lo"),
        MessageEnd(message_id="m1:text1", channel="text"),
        MessageEnd(message_id="m1:think1", channel="thinking", signature="sig"),
    ]


def test_a_call_part_keeps_a_wire_id_and_ends_with_what_it_gathered() -> None:
    ids = Ids()
    ids.wire("toolu_1")  # the id seen once already: the second call is toolu_1#2
    parts, out = Parts(ids, meta={"choice_index": 1}), list[Event]()
    call = parts.start("call", 3, out, wire_id="toolu_1", name="add", index=3)
    parts.delta(call, '{"a":', out)
    parts.put("call", 3, "1}", out)
    bare = parts.start("call", 4, out)
    bare.end.update(args={}, arguments="{}")
    parts.close_all(out)
    meta = {"choice_index": 1}
    assert out == [
        ToolCallStart(tool_call_id="toolu_1#2", name="add", index=3, meta=meta),
        ToolCallArgsDelta(tool_call_id="toolu_1#2", delta='{"a":', meta=meta),
        ToolCallArgsDelta(tool_call_id="toolu_1#2", delta="1}", meta=meta),
        ToolCallStart(tool_call_id="run:call1", synthetic_id=True, meta=meta),
        ToolCallEnd(tool_call_id="toolu_1#2", meta=meta),
        ToolCallEnd(tool_call_id="run:call1", args={}, arguments="{}", meta=meta),
    ]


def test_a_part_opened_where_one_is_open_closes_it_first_and_scopes_keep_apart() -> None:
    parts, out = Parts(Ids()), list[Event]()
    parts.put("text", 0, "a", out, scope="step-1")
    parts.put("thinking", 0, "b", out, scope="step-1")  # another kind at the key: a new part
    parts.put("text", 0, "c", out, scope="step-2")
    refusal = parts.put("refusal", "r", "no", out, scope="step-2")
    assert parts.get(0, "step-2") is not None
    assert parts.get(0) is None
    assert parts.close_all(out, scope="step-2")
    assert not parts.close_all(out, scope="step-2")
    assert refusal.id == "step-2:refusal1"
    assert out == [
        TextDelta(message_id="step-1:text1", delta="a"),
        MessageEnd(message_id="step-1:text1", channel="text"),
        ThinkingDelta(message_id="step-1:think1", delta="b"),
        TextDelta(message_id="step-2:text1", delta="c"),
        TextDelta(message_id="step-2:refusal1", delta="no", refusal=True),
        MessageEnd(message_id="step-2:text1", channel="text"),
        MessageEnd(message_id="step-2:refusal1", channel="text"),
    ]
    assert list(parts.open) == [("step-1", 0)]


def test_a_part_given_itself_closes_and_parent_goes_on_every_event() -> None:
    parts, out = Parts(Ids("s"), parent="span-1"), list[Event]()
    part = parts.start("thinking", "k", out, role="assistant")
    parts.delta(part, "x", out)
    assert parts.close(part, out, final_text="x") is part
    assert parts.close(part, out) is None
    assert out == [
        MessageStart(message_id="s:think1", channel="thinking", role="assistant", parent="span-1"),
        ThinkingDelta(message_id="s:think1", delta="x", parent="span-1"),
        MessageEnd(message_id="s:think1", channel="thinking", final_text="x", parent="span-1"),
    ]


def test_announce_says_whether_a_message_starts_aloud() -> None:
    parts, out = Parts(Ids("r"), starts={"text": {"role": "assistant"}}), list[Event]()
    parts.start("thinking", "t", out, announce=True)  # no fields: a bare start
    parts.start("text", "a", out, announce=False)  # a start the wire never sent
    parts.start("refusal", "b", out)  # not in starts: silent
    assert out == [MessageStart(message_id="r:think1", channel="thinking")]


def test_settle_ends_a_call_with_what_its_whole_arguments_add() -> None:
    parts, out = Parts(Ids("s")), list[Event]()
    a = parts.put("call", 0, '{"x":', out)
    b = parts.start("call", 1, out, name="look")
    parts.delta(b, '{"q":"a', out)
    c = parts.start("call", 2, out)
    parts.settle(a, '{"y": 1}', out)  # differs from what streamed: whole on the end
    parts.settle(b, '{"q":"ab"}', out)  # continues the stream: the rest as a delta
    parts.settle(b, "{}", out)  # ended already: nothing
    parts.settle(c, {"k": 1}, out)  # parsed: as JSON text
    assert (b.name, a.name) == ("look", "")
    assert out[5:] == [
        ToolCallEnd(tool_call_id="s:call1", arguments='{"y": 1}'),
        ToolCallArgsDelta(tool_call_id="s:call2", delta='b"}'),
        ToolCallEnd(tool_call_id="s:call2"),
        ToolCallArgsDelta(tool_call_id="s:call3", delta='{"k": 1}'),
        ToolCallEnd(tool_call_id="s:call3"),
    ]
    assert parts.open == {}


def test_content_parts_inside_a_message_share_its_id_and_close_with_it() -> None:
    parts, out = Parts(Ids("resp_1")), list[Event]()
    think = parts.start("thinking", "rs_1", out, wire_id="rs_1", announce=True)
    first = parts.start("thinking", ("summary", 0), out, scope="rs_1", inside=think)
    parts.delta(first, "a", out, summary=True, part_index=0)
    second = parts.start("thinking", ("summary", 1), out, scope="rs_1", inside=think)
    parts.delta(second, "b", out, lead="\n\n", summary=True, part_index=1)
    assert (first.id, second.id, first.text, second.text) == ("rs_1", "rs_1", "a", "b")
    assert parts.close(("summary", 0), out, scope="rs_1") is first  # a content part: no event
    parts.close_all(out)
    assert (parts.open, second.open) == ({}, False)
    assert out == [
        MessageStart(message_id="rs_1", channel="thinking"),
        ThinkingDelta(message_id="rs_1", delta="a", summary=True, part_index=0),
        ThinkingDelta(message_id="rs_1", delta="\n\nb", summary=True, part_index=1),
        MessageEnd(message_id="rs_1", channel="thinking"),
    ]
