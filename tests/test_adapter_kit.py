"""The adapters' assembly kit: tool calls from fragments, usage readers."""

from __future__ import annotations

from typing import Any

from nbagent.adapters.kit import (
    CallGroup,
    Ids,
    ToolCalls,
    anthropic_usage,
    gemini_usage,
    langchain_usage,
    openai_usage,
)
from nbagent.core.events import ToolCallArgsDelta, ToolCallEnd, ToolCallStart


def kinds(events: list[Any]) -> list[str]:
    return [e.kind for e in events]


def test_ids_keep_a_wire_id_number_one_seen_again_and_invent_the_others() -> None:
    ids = Ids("chatcmpl-1")
    assert ids.wire("call_a") == "call_a"
    assert ids.wire("call_a") == "call_a#2"
    assert ids.wire("call_a") == "call_a#3"
    assert ids.new("call") == "chatcmpl-1:call1"
    assert ids.new("call") == "chatcmpl-1:call2"
    assert ids.new("text") == "chatcmpl-1:text1"
    assert ids.new("call", "step-2") == "step-2:call1"
    assert ids.wire("m:text2") == "m:text2"
    assert ids.new("text", "m") == "m:text1"
    assert ids.new("text", "m") == "m:text3"  # the wire gave m:text2 already
    assert ids.of(None, "think", "m") == "m:think1"
    assert ids.of("x", "think", "m") == "x"
    assert "x" in ids
    assert Ids().new("refusal") == "run:refusal1"


def test_ids_name_the_scopes_the_wire_does_not() -> None:
    ids = Ids("resp_1")
    assert ids.scope_id() == "step1"  # a step of the run: the run is no part of its id
    assert ids.scope_id() == "step2"
    assert ids.scope_id("turn") == "turn1"
    assert ids.scope_id("step", "call_r") == "call_r:step1"  # inside a wire scope
    assert ids.scope_id("agent", "span9") == "span9:agent1"
    assert ids.wire("step4") == "step4"
    assert ids.scope_id() == "step3"
    assert ids.scope_id() == "step5"  # the wire gave step4 already
    assert ids.new("text", "step1") == "step1:text1"  # what a step holds starts with its id


def test_arguments_wait_for_the_name_then_follow_the_start() -> None:
    tools, group = ToolCalls(), CallGroup()
    call, out = tools.fragment(group, index=0, wire_id=None, name=None, args='{"a"')
    assert out == []
    assert call.buffer == ['{"a"']
    same, out = tools.fragment(group, index=0, wire_id=None, name="f", args=":1}")
    assert same is call
    assert call.id == "run:call1"
    assert call.synthetic
    assert out == [
        ToolCallStart(tool_call_id="run:call1", name="f", index=0, synthetic_id=True),
        ToolCallArgsDelta(tool_call_id="run:call1", delta='{"a"'),
        ToolCallArgsDelta(tool_call_id="run:call1", delta=":1}"),
    ]
    assert tools.end(call) == [ToolCallEnd(tool_call_id="run:call1")]
    assert tools.end(call) == []


def test_a_wire_id_before_the_start_replaces_the_invented_one() -> None:
    tools, group = ToolCalls(), CallGroup()
    call, _ = tools.fragment(group, index=1, wire_id=None, name=None, args="{")
    tools.fragment(group, index=1, wire_id="real", name="f", args=None)
    assert (call.id, call.synthetic) == ("real", False)
    assert set(tools.by_id) == {"real"}


def test_matching_by_id_then_index_then_latest() -> None:
    tools, group = ToolCalls(), CallGroup()
    a, _ = tools.fragment(group, index=0, wire_id="a", name="f", args=None)
    b, _ = tools.fragment(group, index=1, wire_id="b", name="g", args=None)
    assert tools.find(group, None, "a") is a  # by id, whatever the index
    assert tools.find(group, 1, None) is b  # by index
    assert tools.find(group, None, None) is b  # the latest
    assert tools.find(group, 0, "c") is not a  # another id at a known index: a new call
    other = CallGroup("other")
    assert tools.find(other, None, "a") is not a  # never across groups


def test_ids_in_the_groups_scope_and_a_name_starting_a_new_call() -> None:
    opened: list[Any] = []
    tools = ToolCalls(on_new=opened.append)
    group = CallGroup("run-1")
    first, _ = tools.fragment(group, index=None, wire_id=None, name="f", args="{}")
    second, _ = tools.fragment(group, index=None, wire_id=None, name="g", args="{}")
    third, _ = tools.fragment(group, index=None, wire_id=None, name=None, args=" ")
    assert [c.id for c in opened] == ["run-1:call1", "run-1:call2"]
    assert third is second
    assert first.owner == "run-1"
    assert tools.ids.new("call", "run-1") == "run-1:call3"


def test_a_repeated_wire_id_is_numbered() -> None:
    tools, group = ToolCalls(), CallGroup()
    first, _ = tools.fragment(group, index=0, wire_id="c", name="f", args="{}")
    tools.end(first)
    again, out = tools.fragment(group, index=1, wire_id="c", name="f", args=None)
    assert (again.id, again.wire_id, again.synthetic) == ("c#2", "c", False)
    assert out == [ToolCallStart(tool_call_id="c#2", name="f", index=1)]


def test_a_wire_named_group_starts_a_call_once_its_id_and_name_came() -> None:
    tools, group = ToolCalls(), CallGroup(wire_named=True)
    call, out = tools.fragment(group, index=0, wire_id=None, name="f", args='{"a"')
    assert out == []  # a name but no id yet: no invented id is ever shown
    _, out = tools.fragment(group, index=0, wire_id="real", name=None, args=":1")
    assert out == [
        ToolCallStart(tool_call_id="real", name="f", index=0),
        ToolCallArgsDelta(tool_call_id="real", delta='{"a"'),
        ToolCallArgsDelta(tool_call_id="real", delta=":1"),
    ]
    _, out = tools.fragment(group, index=0, wire_id=None, name=None, args="}")
    assert out == [ToolCallArgsDelta(tool_call_id="real", delta="}")]
    assert call.id == "real"


def test_usage_readers() -> None:
    chat = {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12,
            "prompt_tokens_details": {"cached_tokens": 2},
            "completion_tokens_details": {"reasoning_tokens": 3}}  # fmt: skip
    u = openai_usage(chat, scope="run")
    assert (u.input_tokens, u.output_tokens, u.total_tokens) == (5, 7, 12)
    assert (u.cached_input_tokens, u.reasoning_tokens, u.scope) == (2, 3, "run")
    responses = {
        "input_tokens": 4,
        "output_tokens": 1,
        "input_tokens_details": {"cached_tokens": 0},
    }
    u = openai_usage(responses)
    assert (u.input_tokens, u.output_tokens, u.cached_input_tokens) == (4, 1, 0)
    assert openai_usage(chat, details=False).cached_input_tokens is None
    u = anthropic_usage({"input_tokens": 3, "output_tokens": 2, "cache_read_input_tokens": 9})
    assert (u.input_tokens, u.cached_input_tokens, u.provider, u.cumulative) == (
        3, 9, "anthropic", True)  # fmt: skip
    u = gemini_usage({"promptTokenCount": 3, "candidatesTokenCount": 2, "thoughtsTokenCount": 4})
    assert (u.input_tokens, u.output_tokens, u.reasoning_tokens) == (3, 6, 4)
    u = langchain_usage({"input_tokens": 1, "output_tokens": 2,
                         "output_token_details": {"reasoning": 1},
                         "input_token_details": {"cache_read": 0}})  # fmt: skip
    assert (u.reasoning_tokens, u.cached_input_tokens) == (1, 0)
    assert langchain_usage({"prompt_tokens": 8}).input_tokens == 8
