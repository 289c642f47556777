"""The openai-chat adapter: fixtures through the adapter alone, the pipeline, the
transcript, as dicts / JSON lines / SDK objects, and the real openai client over HTTP."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbagent.adapters import ADAPTERS, OpenAIChatAdapter, detect_format
from nbagent.adapters.base import BadItemError
from nbagent.core.events import (
    Custom,
    ErrorEvent,
    Event,
    MessageEnd,
    RunEnd,
    RunStart,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    Usage,
)
from nbagent.pipeline.stream import aiter_events, iter_events
from nbagent.transcript.transcript import Transcript
from tests import aio
from tests.servers import Drop, OpenAIServer, chunk

FIXTURES = Path(__file__).parent / "fixtures" / "openai-chat"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.jsonl"))


def lines(name: str) -> list[str]:
    return [ln for ln in (FIXTURES / f"{name}.jsonl").read_text().splitlines() if ln.strip()]


def dicts(name: str) -> list[Any]:
    return [ln if ln == "[DONE]" else json.loads(ln) for ln in lines(name)]


def sdk_objects(name: str) -> list[Any]:
    """As the SDK yields them: validated models (or built without validation, as the
    SDK's stream does, for Azure's ``object: ""`` chunk); error frames stay dicts."""
    from openai._models import construct_type
    from openai.types.chat import ChatCompletionChunk

    out: list[Any] = []
    for d in dicts(name):
        if isinstance(d, str) or "error" in d:
            out.append(d)
            continue
        try:
            out.append(ChatCompletionChunk.model_validate(d))
        except ValueError:
            out.append(construct_type(type_=ChatCompletionChunk, value=d))
    return out


def expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.expected.json").read_text())
    return data


def run_adapter(items: list[Any]) -> list[Event]:
    adapter = OpenAIChatAdapter()
    out: list[Event] = []
    for item in items:
        out.extend(adapter.feed(item))
    out.extend(adapter.end())
    return out


def fold(events: list[Event]) -> dict[str, Any]:
    """A small reducer over raw adapter events (independent of the transcript)."""
    texts: dict[str, str] = {}
    thinking: list[str] = []
    refusal: list[str] = []
    tools: dict[str, dict[str, Any]] = {}
    usage = None
    end: RunEnd | None = None
    error = None
    custom: list[str] = []
    run_id = model = None
    for ev in events:
        if isinstance(ev, RunStart):
            run_id, model = ev.run_id, ev.model
        elif isinstance(ev, TextDelta):
            if ev.refusal:
                refusal.append(ev.delta)
            else:
                choice = str((ev.meta or {}).get("choice_index", 0))
                texts[choice] = texts.get(choice, "") + ev.delta
        elif isinstance(ev, ThinkingDelta):
            thinking.append(ev.delta)
        elif isinstance(ev, ToolCallStart):
            tools[ev.tool_call_id] = {
                "id": ev.tool_call_id,
                "name": ev.name,
                "arguments": "",
                "synthetic_id": ev.synthetic_id,
            }
        elif isinstance(ev, ToolCallArgsDelta):
            tools[ev.tool_call_id]["arguments"] += ev.delta
        elif isinstance(ev, Usage):
            usage = {
                k: getattr(ev, k)
                for k in (
                    "input_tokens",
                    "output_tokens",
                    "total_tokens",
                    "reasoning_tokens",
                    "cached_input_tokens",
                )
            }
        elif isinstance(ev, ErrorEvent):
            error = {"message": ev.message, "code": ev.code, "error_type": ev.error_type}
        elif isinstance(ev, Custom):
            custom.append(ev.name)
        elif isinstance(ev, RunEnd):
            end = ev
    for tool in tools.values():
        tool["args"] = _loads_or_none(tool["arguments"])
    assert end is not None
    return {
        "text": "".join(texts.values()),
        "texts": texts,
        "thinking": "".join(thinking),
        "refusal": "".join(refusal),
        "tools": list(tools.values()),
        "usage": usage,
        "end_reason": end.reason,
        "raw_reason": end.raw_reason,
        "error": error,
        "custom": custom,
        "run_id": run_id,
        "model": model,
    }


def _loads_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def check_raw_invariants(events: list[Event]) -> None:
    assert isinstance(events[-1], RunEnd)
    assert sum(isinstance(e, RunEnd) for e in events) == 1
    open_msgs: set[str] = set()
    closed: set[str] = set()
    tools_open: set[str] = set()
    steps_open = 0
    for ev in events:
        assert ev.seq == 0
        assert ev.ts == 0.0
        if not isinstance(ev, RunStart):
            assert ev.run_id == ""
        if isinstance(ev, (TextDelta, ThinkingDelta, ToolCallArgsDelta)):
            assert ev.delta, "adapters drop empty deltas"
        if isinstance(ev, (TextDelta, ThinkingDelta)):
            assert ev.message_id not in closed
            open_msgs.add(ev.message_id)
        elif isinstance(ev, MessageEnd):
            open_msgs.remove(ev.message_id)
            closed.add(ev.message_id)
        elif isinstance(ev, ToolCallStart):
            assert ev.tool_call_id not in tools_open
            tools_open.add(ev.tool_call_id)
        elif isinstance(ev, ToolCallArgsDelta):
            assert ev.tool_call_id in tools_open
        elif isinstance(ev, ToolCallEnd):
            tools_open.remove(ev.tool_call_id)
        elif isinstance(ev, StepStart):
            steps_open += 1
        elif isinstance(ev, StepEnd):
            steps_open -= 1
    assert not open_msgs, "every message is closed before run_end"
    assert not tools_open, "every tool call is closed before run_end"
    assert steps_open == 0


def check_normalized(events: list[Event]) -> None:
    assert isinstance(events[0], RunStart)
    assert isinstance(events[-1], RunEnd)
    assert sum(isinstance(e, RunEnd) for e in events) == 1
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert len({e.run_id for e in events}) == 1
    assert all(e.source == "openai-chat" for e in events)


def check_transcript(
    t: Transcript, exp: dict[str, Any], *, error_message: str | None = None
) -> None:
    assert t.text == exp["text"] + exp["refusal"]  # a refusal is a text block too
    assert t.thinking == exp["thinking"]
    refusals = "".join(b["text"] for b in t.blocks if b["type"] == "text" and b["refusal"])
    assert refusals == exp["refusal"]
    assert [(c.id, c.name, c.args) for c in t.tool_calls] == [
        (c["id"], c["name"], c["args"]) for c in exp["tools"]
    ]
    assert [c.arguments for c in t.tool_calls] == [c["arguments"] for c in exp["tools"]]
    if exp["usage"] is None:
        assert t.to_dict()["usage"] == dict.fromkeys(
            (
                "input_tokens",
                "output_tokens",
                "total_tokens",
                "reasoning_tokens",
                "cached_input_tokens",
            )
        )
    else:
        assert t.to_dict()["usage"] == exp["usage"]
    assert t.end_reason == exp["end_reason"]
    expected_status = {
        "completed": "completed",
        "tool_calls": "completed",
        "max_tokens": "completed",
        "content_filter": "completed",
        "refusal": "completed",
        "error": "error",
        "incomplete": "error",
    }[exp["end_reason"]]
    assert t.status == expected_status
    if exp["error"] is not None:
        assert t.error is not None
        assert (error_message or exp["error"]["message"]) in t.error["message"]
    if exp["model"]:
        assert t.model == exp["model"]


# -- the adapter alone ---------------------------------------------------------------------


def test_registered() -> None:
    assert ADAPTERS["openai-chat"] is OpenAIChatAdapter
    assert OpenAIChatAdapter.name == "openai-chat"


@pytest.mark.parametrize("name", NAMES)
def test_fixture_through_adapter(name: str) -> None:
    events = run_adapter(lines(name))
    check_raw_invariants(events)
    got = fold(events)
    exp = expected(name)
    for key in exp:
        if key == "texts":
            assert got["texts"] == exp["texts"]
        else:
            assert got[key] == exp[key], key


@pytest.mark.parametrize("name", NAMES)
def test_json_dicts_and_sdk_objects_give_the_same_events(name: str) -> None:
    from_lines = [e.to_dict() for e in run_adapter(lines(name))]
    assert [e.to_dict() for e in run_adapter(dicts(name))] == from_lines
    assert [e.to_dict() for e in run_adapter(sdk_objects(name))] == from_lines
    sse = ["data: " + ln for ln in lines(name)]
    assert [e.to_dict() for e in run_adapter(sse)] == from_lines


@pytest.mark.parametrize("name", NAMES)
def test_detection(name: str) -> None:
    first_dict, first_sdk = dicts(name)[0], sdk_objects(name)[0]
    assert detect_format(first_dict) == "openai-chat"
    assert detect_format(first_sdk) == "openai-chat"


def test_adapter_is_pure_and_repeatable() -> None:
    for name in NAMES:
        a = [e.to_dict() for e in run_adapter(dicts(name))]
        b = [e.to_dict() for e in run_adapter(dicts(name))]
        assert a == b


# -- through the pipeline and the transcript ------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("form", ["lines", "dicts", "sdk"])
def test_fixture_through_iter_events(name: str, form: str) -> None:
    items = {"lines": lines, "dicts": dicts, "sdk": sdk_objects}[form](name)
    fmt = "openai-chat" if form == "lines" else "auto"  # a str is detected as text
    events = list(iter_events(items, format=fmt))
    check_normalized(events)
    t = Transcript.from_events(events)
    check_transcript(t, expected(name))
    ends = [e for e in events if isinstance(e, ToolCallEnd)]
    exp_tools = expected(name)["tools"]
    assert [(e.tool_call_id, e.args) for e in ends] == [(c["id"], c["args"]) for c in exp_tools]


def test_n2_choices_are_separate_blocks() -> None:
    t = Transcript.from_events(iter_events(dicts("n2_choices")))
    texts = [b["text"] for b in t.blocks if b["type"] == "text"]
    assert texts == ["Red apple", "Blue sky"]
    assert [b["id"] for b in t.blocks] == ["chatcmpl-n2:text1", "chatcmpl-n2:text2"]


def test_thinking_block_closes_when_the_answer_starts() -> None:
    events = list(iter_events(dicts("reasoning_content"), clock=iter(range(1, 1000)).__next__))
    t = Transcript.from_events(events)
    think = next(b for b in t.blocks if b["type"] == "thinking")
    first_text = next(e for e in events if isinstance(e, TextDelta))
    assert think["ended_at"] is not None
    assert think["ended_at"] <= first_text.ts


def test_steps_and_refusal_block() -> None:
    t = Transcript.from_events(iter_events(dicts("refusal")))
    ((step),) = t.steps
    assert {k: step[k] for k in ("id", "name", "usage", "finish_reason")} == {
        "id": "chatcmpl-7",
        "name": "model",
        "usage": None,
        "finish_reason": "completed",
    }
    assert step["started_at"] <= step["ended_at"]
    assert t.blocks[0]["refusal"] is True


# -- specific cases -------------------------------------------------------------------------


def feed_all(adapter: OpenAIChatAdapter, items: list[Any]) -> list[list[Event]]:
    return [adapter.feed(i) for i in items]


def kinds(events: list[Event]) -> list[str]:
    return [e.kind for e in events]


def tool_chunk(*calls: dict[str, Any], index: int = 0, finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "c",
        "model": "m",
        "object": "chat.completion.chunk",
        "choices": [
            {"index": index, "delta": {"tool_calls": list(calls)}, "finish_reason": finish}
        ],
    }


def test_tool_call_without_name_is_buffered_until_the_name_arrives() -> None:
    a = OpenAIChatAdapter()
    first = a.feed(tool_chunk({"index": 0, "function": {"arguments": '{"a"'}}))
    assert kinds(first) == ["run_start", "step_start"]
    second = a.feed(tool_chunk({"index": 0, "id": "call_z", "function": {"arguments": ":1"}}))
    assert second == [], "still no name: keep buffering (the real id is remembered)"
    third = a.feed(tool_chunk({"index": 0, "function": {"name": "f", "arguments": "}"}}))
    assert kinds(third) == ["tool_call_start"] + ["tool_call_args_delta"] * 3
    start = third[0]
    assert isinstance(start, ToolCallStart)
    assert (start.tool_call_id, start.name, start.synthetic_id) == ("call_z", "f", False)
    assert "".join(e.delta for e in third[1:] if isinstance(e, ToolCallArgsDelta)) == '{"a":1}'


def test_tool_call_whose_name_never_comes_is_started_at_the_finish() -> None:
    a = OpenAIChatAdapter()
    a.feed(tool_chunk({"index": 3, "function": {"arguments": "{}"}}))
    out = a.feed(tool_chunk(finish="tool_calls"))
    assert kinds(out)[:3] == ["tool_call_start", "tool_call_args_delta", "tool_call_end"]
    start = out[0]
    assert isinstance(start, ToolCallStart)
    assert (start.tool_call_id, start.name, start.synthetic_id) == ("c:call1", "", True)


def test_tool_call_without_index_falls_back_to_id_then_latest() -> None:
    a = OpenAIChatAdapter()
    out = a.feed(tool_chunk({"id": "x1", "function": {"name": "f", "arguments": "{"}}))
    out += a.feed(tool_chunk({"function": {"arguments": "}"}}))  # no index, no id: latest
    out += a.feed(tool_chunk({"id": "x2", "function": {"name": "g", "arguments": "[]"}}))
    out += a.feed(tool_chunk({"id": "x1", "function": {"arguments": " "}}))  # known id
    args: dict[str, str] = {}
    for e in out:
        if isinstance(e, ToolCallArgsDelta):
            args[e.tool_call_id] = args.get(e.tool_call_id, "") + e.delta
    assert args == {"x1": "{} ", "x2": "[]"}


def test_same_index_with_a_new_id_is_a_new_call() -> None:
    a = OpenAIChatAdapter()
    out = a.feed(tool_chunk({"index": 0, "id": "a", "function": {"name": "f", "arguments": "{}"}}))
    out += a.feed(tool_chunk({"index": 0, "id": "b", "function": {"name": "g", "arguments": "{}"}}))
    starts = [e for e in out if isinstance(e, ToolCallStart)]
    assert [(s.tool_call_id, s.name) for s in starts] == [("a", "f"), ("b", "g")]


def test_tool_calls_win_over_the_legacy_field_a_server_repeats_them_in() -> None:
    """llama-cpp-python's server sends each tool-call fragment twice in one delta: in
    ``tool_calls`` and again in the deprecated ``function_call``. Read once, the arguments are
    the wire's; read both, ``{ "city": "Oslo" }`` became ``{{ " "citycity":": ...``."""
    pieces = ['{ "', "city", '": "', "Oslo", '" }']

    def both(piece: str, first: bool) -> dict[str, Any]:
        fn: dict[str, Any] = {"arguments": piece} | ({"name": "get_weather"} if first else {})
        call: dict[str, Any] = {"index": 0, "type": "function", "function": fn}
        if first:
            call["id"] = "call__0_get_weather_cmpl-1"
        delta = {"content": None, "function_call": dict(fn), "tool_calls": [call]}
        return {"id": "cmpl-1", "model": "m", "choices": [{"index": 0, "delta": delta}]}

    items = [both(p, i == 0) for i, p in enumerate(pieces)]
    items.append(
        {
            "id": "cmpl-1",
            "model": "m",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}],
        }
    )
    got = fold(run_adapter([*items, "[DONE]"]))
    assert [(t["name"], t["arguments"], t["args"]) for t in got["tools"]] == [
        ("get_weather", '{ "city": "Oslo" }', {"city": "Oslo"})
    ]
    t = Transcript.from_events(iter_events(items))
    assert [(c.name, c.args, c.is_error) for c in t.tool_calls] == [
        ("get_weather", {"city": "Oslo"}, False)
    ]


def test_a_whole_message_reads_function_call_only_without_tool_calls() -> None:
    from nbagent.adapters.kit import Ids
    from nbagent.adapters.openai_chat.whole import ToolAnswers, whole_tool_calls

    def calls(message: dict[str, Any]) -> list[tuple[str, str | None]]:
        out: list[Event] = []
        whole_tool_calls(message, out, ToolAnswers(), Ids(), "s")
        return [(e.tool_call_id, e.arguments) for e in out if isinstance(e, ToolCallEnd)]

    fn = {"name": "f", "arguments": '{"x": 1}'}
    repeated = {
        "function_call": fn,
        "tool_calls": [{"id": "c1", "type": "function", "function": fn}],
    }
    assert calls(repeated) == [("c1", '{"x": 1}')]
    assert calls({"function_call": fn}) == [("s:call1", '{"x": 1}')]


def test_legacy_function_call() -> None:
    def fc(fn: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": "c",
            "model": "m",
            "choices": [{"index": 0, "delta": {"function_call": fn}, "finish_reason": finish}],
        }

    events = run_adapter(
        [fc({"name": "f", "arguments": '{"x"'}), fc({"arguments": ":1}"}), fc({}, "function_call")]
    )
    got = fold(events)
    assert got["tools"] == [
        {
            "id": "c:call1",
            "name": "f",
            "arguments": '{"x":1}',
            "synthetic_id": True,
            "args": {"x": 1},
        }
    ]
    assert got["end_reason"] == "tool_calls"


def test_reasoning_fields_first_non_empty_wins() -> None:
    events = run_adapter(
        [chunk(None, reasoning_content="A", reasoning="B"), chunk(None, reasoning="C"), "[DONE]"]
    )
    assert [e.delta for e in events if isinstance(e, ThinkingDelta)] == ["A", "C"]


def test_thinking_resumed_after_text_gets_a_new_message() -> None:
    events = run_adapter(
        [
            chunk(None, reasoning="r1"),
            chunk("t"),
            chunk(None, reasoning="r2"),
            chunk(finish_reason="stop"),
        ]
    )
    ids = [e.message_id for e in events if isinstance(e, ThinkingDelta)]
    assert ids == ["chatcmpl-test:think1", "chatcmpl-test:think2"]
    check_raw_invariants(events)


def test_content_parts_list() -> None:
    events = run_adapter([chunk([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}])])
    assert fold(events)["text"] == "ab"


def test_object_error_frame() -> None:
    events = run_adapter(
        [chunk("x"), {"object": "error", "message": "bad things", "type": "X", "code": 7}]
    )
    err = next(e for e in events if isinstance(e, ErrorEvent))
    assert (err.message, err.code, err.error_type, err.recoverable) == ("bad things", 7, "X", False)
    assert isinstance(events[-1], RunEnd)
    assert events[-1].reason == "error"


def test_error_as_the_first_item_has_no_step() -> None:
    a = OpenAIChatAdapter()
    out = a.feed({"error": {"message": "quota", "code": "insufficient_quota"}})
    assert kinds(out) == ["error", "run_end"]
    assert a.feed(chunk("late")) == []
    assert a.end() == []
    events = list(iter_events([{"error": {"message": "quota"}}]))
    assert kinds(events) == ["run_start", "error", "run_end"]


def test_empty_stream_and_done_only() -> None:
    a = OpenAIChatAdapter()
    out = a.end()
    assert kinds(out) == ["run_end"]
    assert isinstance(out[0], RunEnd)
    assert out[0].reason == "incomplete"
    b = OpenAIChatAdapter()
    assert kinds(b.feed("[DONE]")) == ["run_end"]
    assert b.end() == []


def test_done_without_finish_reason_is_a_complete_answer_and_ends_feeding() -> None:
    """Several gateways send ``[DONE]`` and never a finish_reason: the answer is complete
    (end reason "unknown"); a stream closed with neither is cut short."""
    a = OpenAIChatAdapter()
    a.feed(chunk("hi"))
    out = a.feed("data: [DONE]")
    assert isinstance(out[-1], RunEnd)
    assert (out[-1].reason, out[-1].message) == ("unknown", None)
    assert a.feed(chunk("more")) == []
    t = Transcript.from_events(iter_events([chunk("hi"), "[DONE]"]))
    assert (t.text, t.status, t.end_reason) == ("hi", "completed", "unknown")
    cut = Transcript.from_events(iter_events([chunk("hi")]))
    assert (cut.text, cut.status, cut.end_reason) == ("hi", "error", "incomplete")


def test_finish_reason_map() -> None:
    for raw, reason in [
        ("stop", "completed"),
        ("length", "max_tokens"),
        ("tool_calls", "tool_calls"),
        ("function_call", "tool_calls"),
        ("content_filter", "content_filter"),
        ("insufficient_system_resource", "error"),
        ("eos_token", "unknown"),
    ]:
        end = run_adapter([chunk("x"), chunk(finish_reason=raw)])[-1]
        assert isinstance(end, RunEnd)
        assert (end.reason, end.raw_reason) == (reason, raw)


def test_insufficient_system_resource_ends_as_error() -> None:
    t = Transcript.from_events(
        iter_events([chunk("x"), chunk(finish_reason="insufficient_system_resource")])
    )
    assert (t.status, t.end_reason) == ("error", "error")


def test_blank_comment_and_prefixed_lines() -> None:
    a = OpenAIChatAdapter()
    assert a.feed("") == []
    assert a.feed(": keep-alive") == []
    assert a.feed(b"data: " + json.dumps(chunk("hi")).encode())[-1].kind == "text_delta"


def test_bad_items_raise_and_the_pipeline_skips_unreadable_chunks() -> None:
    with pytest.raises(BadItemError, match="not a JSON chunk"):
        OpenAIChatAdapter().feed("{nope")
    with pytest.raises(BadItemError, match="int"):
        OpenAIChatAdapter().feed(42)
    # A chunk of wire text that is not JSON: skipped with a warning, the run goes on.
    events = list(iter_events([chunk("kept"), "{nope", chunk(" too")], format="openai-chat"))
    t = Transcript.from_events(events)
    assert (t.text, t.status, t.end_reason) == ("kept too", "error", "incomplete")
    assert [w["error_type"] for w in t.warnings] == ["bad_item"]
    assert "not a JSON chunk" in t.warnings[0]["message"]
    # An object of the wrong type is the caller's mistake: it ends the run.
    t = Transcript.from_events(iter_events([chunk("kept"), 42], format="openai-chat"))
    assert (t.text, t.status, t.end_reason) == ("kept", "error", "error")
    assert t.error is not None
    assert "int" in t.error["message"]


def test_choice_meta_only_for_other_choices() -> None:
    events = run_adapter(dicts("n2_choices"))
    for e in events:
        if isinstance(e, TextDelta):
            expect = None if e.message_id.endswith(":text1") else {"choice_index": 1}
            assert e.meta == expect


def test_usage_on_a_chunk_with_choices() -> None:
    c = chunk(finish_reason="stop")
    c["usage"] = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    events = run_adapter([chunk("x"), c])
    assert kinds(events)[-3:] == ["step_end", "usage", "run_end"]


@settings(max_examples=60, deadline=None)
@given(
    args=st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=12), max_size=4),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=12),
    ascii_only=st.booleans(),
)
def test_arguments_split_anywhere_parse_once(
    args: dict[str, str], cuts: list[int], ascii_only: bool
) -> None:
    text = json.dumps(args, ensure_ascii=ascii_only)
    points = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
    pieces = [text[a:b] for a, b in itertools.pairwise(points)]
    items: list[Any] = [
        tool_chunk({"index": 0, "id": "call_1", "function": {"name": "f", "arguments": ""}})
    ]
    items += [tool_chunk({"index": 0, "function": {"arguments": p}}) for p in pieces]
    items.append(tool_chunk(finish="tool_calls"))
    events = list(iter_events(items))
    end = next(e for e in events if isinstance(e, ToolCallEnd))
    assert end.arguments == text
    assert end.args == args
    assert end.parse_error is None


# -- the real openai client over HTTP ---------------------------------------------------------


def server_for(name: str) -> OpenAIServer:
    script = [d for d in dicts(name) if d != "[DONE]"]
    return OpenAIServer(script=script, done="[DONE]" in lines(name), delay=0.0)


CREATE = {
    "model": "test-model",
    "messages": [{"role": "user", "content": "hi"}],
    "stream": True,
    "stream_options": {"include_usage": True},
}


@pytest.mark.parametrize("name", NAMES)
def test_real_client_sync(name: str) -> None:
    with server_for(name) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=0, timeout=10)
        stream = client.chat.completions.create(**CREATE)
        assert isinstance(stream, openai.Stream)
        events = list(iter_events(stream))
        assert stream.response.is_closed
        assert srv.requests[0]["stream_options"] == {"include_usage": True}
    check_normalized(events)
    exp = expected(name)
    if name == "error_after_text":
        # the SDK raises APIError on an error frame; the pipeline ends the run with it
        exp = dict(exp, error={"message": "The decoder prompt is too long"})
    check_transcript(Transcript.from_events(events), exp)


@pytest.mark.parametrize("name", NAMES)
def test_real_client_async(name: str) -> None:

    async def main() -> list[Event]:
        with server_for(name) as srv:
            client = openai.AsyncOpenAI(
                base_url=srv.base_url, api_key="test", max_retries=0, timeout=10
            )
            stream = await client.chat.completions.create(**CREATE)
            assert isinstance(stream, openai.AsyncStream)
            events = [ev async for ev in aiter_events(stream)]
            assert stream.response.is_closed
            await client.close()
            return events

    events = aio.run(main())
    check_normalized(events)
    check_transcript(Transcript.from_events(events), expected(name))


def test_real_client_connection_dropped_mid_stream() -> None:
    with OpenAIServer(script=[chunk("", role="assistant"), chunk("half"), Drop()]) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=0, timeout=10)
        events = list(iter_events(client.chat.completions.create(**CREATE)))
    t = Transcript.from_events(events)
    assert (t.text, t.status, t.end_reason) == ("half", "error", "incomplete")
    assert t.error is not None
    assert "APIConnectionError" in t.error["message"]


def test_real_client_stream_ending_without_done_is_incomplete() -> None:
    with OpenAIServer(script=[chunk("", role="assistant"), chunk("half")], done=False) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=0, timeout=10)
        t = Transcript.from_events(iter_events(client.chat.completions.create(**CREATE)))
    assert (t.text, t.status, t.end_reason) == ("half", "error", "incomplete")


def test_stopping_early_closes_the_connection() -> None:
    script = [chunk("", role="assistant")] + [chunk(f"w{i} ") for i in range(200)]
    with OpenAIServer(script=script, delay=0.01) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=0, timeout=10)
        stream = client.chat.completions.create(**CREATE)
        gen = iter_events(stream)
        for ev in gen:
            if isinstance(ev, TextDelta):
                break
        gen.close()  # type: ignore[attr-defined]
        assert stream.response.is_closed
        assert srv.wait_disconnect(5), "the server noticed the client went away"
        assert srv.sent < 200


# -- the test server itself -------------------------------------------------------------------


def test_server_gate_scripts_errors_and_non_streaming() -> None:
    from tests.servers import Gate, text_chunks

    first = [chunk("", role="assistant"), chunk("one"), Gate(), chunk(finish_reason="stop")]
    second = text_chunks(["two"], usage=False)
    with OpenAIServer(scripts=[first, second]) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=0, timeout=10)
        stream = client.chat.completions.create(**CREATE)
        it = iter_events(stream)
        seen = []
        for ev in it:
            seen.append(ev)
            if isinstance(ev, TextDelta):
                break
        assert not srv.finished.is_set(), "held at the gate"
        srv.release()
        seen.extend(it)
        assert Transcript.from_events(seen).end_reason == "completed"
        t2 = Transcript.from_events(iter_events(client.chat.completions.create(**CREATE)))
        assert t2.text == "two"
        full = client.chat.completions.create(model="m", messages=[])  # not streaming
        assert full.choices[0].message.content == "two"
        assert len(srv.requests) == 3
        assert srv.paths[0] == "/v1/chat/completions"
    with OpenAIServer(status=429) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=0, timeout=10)
        with pytest.raises(openai.RateLimitError):
            client.chat.completions.create(**CREATE)


# -- fuzz: any chunk sequence gives a well-formed event sequence -------------------------------

_tool_frag = st.fixed_dictionaries(
    {},
    optional={
        "index": st.one_of(st.none(), st.integers(0, 2)),
        "id": st.sampled_from([None, "", "call_a", "call_b", "call_0_0"]),
        "function": st.fixed_dictionaries(
            {},
            optional={
                "name": st.sampled_from([None, "", "f", "g"]),
                "arguments": st.sampled_from([None, "", "{", '"a"', ":1", "}", "\\u00"]),
            },
        ),
    },
)
_delta = st.fixed_dictionaries(
    {},
    optional={
        "role": st.just("assistant"),
        "content": st.sampled_from([None, "", "x", "yz"]),
        "reasoning_content": st.sampled_from([None, "", "r"]),
        "reasoning": st.sampled_from([None, "", "r", "s"]),
        "refusal": st.sampled_from([None, "", "no"]),
        "tool_calls": st.lists(_tool_frag, max_size=3),
    },
)
_choice = st.fixed_dictionaries(
    {
        "index": st.integers(0, 2),
        "delta": _delta,
        "finish_reason": st.sampled_from([None, None, None, "stop", "length", "tool_calls", "x"]),
    }
)
_chunk = st.one_of(
    st.builds(
        lambda choices, cid: {"id": cid, "model": "m", "choices": choices},
        st.lists(_choice, max_size=3),
        st.sampled_from(["", "c1"]),
    ),
    st.just({"id": "c1", "choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 2}}),
    st.just({"id": "", "choices": [], "prompt_filter_results": [{"prompt_index": 0}]}),
    st.just({"error": {"message": "boom", "code": 500}}),
    st.just("[DONE]"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_chunk, max_size=12))
def test_fuzz_chunk_sequences(items: list[Any]) -> None:
    events = run_adapter(items)
    check_raw_invariants(events)
    normalized = list(iter_events(items, format="openai-chat"))
    check_normalized(normalized)
    t = Transcript.from_events(normalized)
    assert t.status != "running"


def test_fields_of_the_wrong_shape_raise_bad_item_errors_or_are_ignored() -> None:
    # Found by fuzzing: these raised TypeError, which is no error an adapter may raise.
    with pytest.raises(BadItemError, match="choices must be a list"):
        OpenAIChatAdapter().feed(chunk("x") | {"choices": -1})
    odd = chunk(tool_calls=7)
    assert [e.kind for e in OpenAIChatAdapter().feed(odd)] == ["run_start", "step_start"]
    call = {"index": 0, "id": "c1", "function": {"name": "f", "arguments": {"x": float("nan")}}}
    events = OpenAIChatAdapter().feed(chunk(tool_calls=[call]))
    (args,) = [e for e in events if isinstance(e, ToolCallArgsDelta)]
    assert args.delta == '{"x": null}'


def content_chunks(*pieces: str, finish: str = "stop") -> list[Any]:
    items: list[Any] = [
        {"id": "c", "model": "m", "choices": [{"index": 0, "delta": {"content": p}}]}
        for p in pieces
    ]
    items.append(
        {"id": "c", "model": "m", "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}
    )
    return [*items, "[DONE]"]


def test_a_closing_think_tag_the_prompt_opened_makes_what_came_before_thinking() -> None:
    """DeepSeek-R1's and QwQ's templates open ``<think>`` in the prompt: only ``</think>``
    streams. What went out as answer text until then becomes a thinking block, in place."""
    t = Transcript.from_events(
        iter_events(content_chunks("Okay, the user", " says hi.\n</th", "ink>\n\n", "Hello!"))
    )
    assert (t.thinking, t.text, t.status) == ("Okay, the user says hi.\n", "Hello!", "completed")
    kinds = [(b["type"], b["text"]) for b in t.to_dict()["blocks"]]
    assert kinds == [("thinking", "Okay, the user says hi.\n"), ("text", "Hello!")]
    # the ops a page applies give the same blocks as the folded state
    from nbagent.transcript.fold.state import apply_op

    state: dict[str, Any] = Transcript().to_dict()
    live = Transcript()
    for ev in iter_events(content_chunks("Okay", "</think>", "Hi")):
        for op in live.apply(ev):
            apply_op(state, op)
    assert [(b["type"], b["text"]) for b in state["blocks"]] == [
        ("thinking", "Okay"),
        ("text", "Hi"),
    ]


def test_a_lone_closing_think_tag_at_the_start_is_dropped() -> None:
    t = Transcript.from_events(iter_events(content_chunks("</think>", "\n\nHello")))
    assert (t.thinking, t.text) == ("", "Hello")
    assert [b["type"] for b in t.to_dict()["blocks"]] == ["text"]


@pytest.mark.parametrize(
    "delta",
    [
        {"reasoning_content": {"text": "Plan."}},
        {"reasoning": {"text": "Plan."}},
        {"reasoning": [{"type": "text", "text": "Pl"}, {"text": "an."}]},
        {"reasoning_content": ["Pl", "an."]},
        # OpenRouter: the string and its details, the same reasoning twice
        {
            "reasoning": "Plan.",
            "reasoning_details": [{"type": "reasoning.text", "text": "Plan.", "index": 0}],
        },
        {"reasoning_details": [{"type": "reasoning.summary", "summary": "Plan."}]},
    ],
)
def test_reasoning_as_an_object_or_a_list_is_thinking(delta: dict[str, Any]) -> None:
    items = [
        {"id": "c", "model": "m", "choices": [{"index": 0, "delta": delta}]},
        *content_chunks("Hi"),
    ]
    t = Transcript.from_events(iter_events(items))
    assert (t.thinking, t.text, t.status) == ("Plan.", "Hi", "completed")


def test_encrypted_reasoning_details_show_no_text() -> None:
    delta = {"reasoning_details": [{"type": "reasoning.encrypted", "data": "gAAAA..."}]}
    items = [
        {"id": "c", "model": "m", "choices": [{"index": 0, "delta": delta}]},
        *content_chunks("Hi"),
    ]
    t = Transcript.from_events(iter_events(items))
    assert (t.thinking, t.text) == ("", "Hi")


def args_stream(arguments: str) -> list[Any]:
    call = {"index": 0, "id": "call_1", "function": {"name": "get_weather", "arguments": arguments}}
    return [tool_chunk(call), tool_chunk(finish="tool_calls"), "[DONE]"]


@pytest.mark.parametrize(
    ("arguments", "found"),
    [
        ('{"city": "Oslo"}{"city": "Oslo"}', "2 JSON objects back to back"),
        ('{"city": "Oslo"} {"city": "Paris"}\n{"city": "Rome"}', "3 JSON objects back to back"),
        ('{"city": "Oslo"}[1]', "2 JSON values back to back"),
    ],
)
def test_arguments_that_are_several_json_values_are_an_error_that_says_so(
    arguments: str, found: str
) -> None:
    t = Transcript.from_events(iter_events(args_stream(arguments)))
    (call,) = t.tool_calls
    assert (call.args, call.is_error, call.arguments) == (None, True, arguments)
    assert call.parse_error == found
    assert found in t.to_markdown()
    assert found in t.to_html()


def test_arguments_encoded_twice_are_decoded_once_more_and_said_so() -> None:
    arguments = json.dumps(json.dumps({"city": "Oslo"}))
    t = Transcript.from_events(iter_events(args_stream(arguments)))
    (call,) = t.tool_calls
    assert (call.args, call.is_error, call.parse_error) == ({"city": "Oslo"}, False, None)
    assert call.arguments == arguments  # the raw text is kept
    note = "The arguments came as a JSON string: decoded once more"
    assert note in t.to_markdown()
    assert note in t.to_html()
    # a JSON string that is no object stays what it is
    (plain,) = Transcript.from_events(iter_events(args_stream('"Oslo"'))).tool_calls
    assert (plain.args, plain.is_error) == ("Oslo", False)
    assert note not in Transcript.from_events(iter_events(args_stream('"Oslo"'))).to_markdown()
