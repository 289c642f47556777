"""The openai-assistants adapter: fixtures as SSE events (name only in ``event:``), NEAR AI
``{"event","data"}`` wrappers and SDK ``AssistantStreamEvent`` objects, through the
adapter → normalizer → transcript; detection; robustness."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbagent.adapters.base import BadItemError, ServerSentEvent
from nbagent.adapters.openai_assistants import OpenAIAssistantsAdapter
from nbagent.core.events import (
    Custom,
    ErrorEvent,
    Event,
    MessageEnd,
    MessageStart,
    NbagentError,
    RunEnd,
    RunStart,
    StepEnd,
    StepStart,
    TextDelta,
    ToolCallStart,
    ToolResult,
    Usage,
)
from nbagent.transcript.transcript import Transcript
from tests.adapter_harness import fold
from tests.invariants import block_text

FIXTURES = Path(__file__).parent / "fixtures" / "openai-assistants"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.jsonl"))
CHAT = Path(__file__).parent / "fixtures" / "openai-chat"
RESPONSES = Path(__file__).parent / "fixtures" / "openai-responses"


def lines(name: str) -> list[dict[str, Any]]:
    text = (FIXTURES / f"{name}.jsonl").read_text()
    return [json.loads(ln) for ln in text.splitlines() if ln.strip()]


def expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.expected.json").read_text())
    return data


def to_sse(line: dict[str, Any]) -> ServerSentEvent:
    """A fixture line as it comes off the wire: a named SSE event, or NEAR's data-only frame."""
    if "sse_event" in line:
        data = line["data"]
        return ServerSentEvent(
            event=line["sse_event"], data=data if isinstance(data, str) else json.dumps(data)
        )
    return ServerSentEvent(data=json.dumps(line))


def to_wrapper(line: dict[str, Any]) -> dict[str, Any]:
    """The ``{"event", "data"}`` form (NEAR's, and the SDK events' dump)."""
    if "sse_event" in line:
        return {"event": line["sse_event"], "data": line["data"]}
    return line


def sdk_objects(name: str) -> list[Any]:
    """SSE lines validated into the SDK's ``AssistantStreamEvent`` union; ``done`` stays an SSE
    event and NEAR lines (the Run under ``data.delta``) stay dicts."""
    from openai.types.beta import AssistantStreamEvent
    from pydantic import TypeAdapter

    adapter: TypeAdapter[Any] = TypeAdapter(AssistantStreamEvent)
    out: list[Any] = []
    for line in lines(name):
        if "sse_event" not in line:
            out.append(line)
        elif line["sse_event"] == "done":
            out.append(to_sse(line))
        else:
            out.append(adapter.validate_python(to_wrapper(line)))
    return out


FORMS: dict[str, Callable[[str], list[Any]]] = {
    "sse": lambda name: [to_sse(line) for line in lines(name)],
    "wrapper": lambda name: [to_wrapper(line) for line in lines(name)],
    "json": lambda name: [json.dumps(to_wrapper(line)) for line in lines(name)],
    "sdk": sdk_objects,
}


def pipeline(items: list[Any]) -> tuple[list[Event], list[Event], Transcript]:
    """Items → adapter → normalizer: (raw adapter events, normalized events, transcript)."""
    raw, out = fold(OpenAIAssistantsAdapter(), items, clock=1000.0)
    return raw, out, Transcript.from_events(out)


def summary(t: Transcript, raw: list[Event]) -> dict[str, Any]:
    state = t.to_dict()
    blocks = state["blocks"]
    tools = []
    for b in blocks:
        if b["type"] == "tool":
            tool = {k: b[k] for k in ("id", "name", "args", "result", "is_error")}
            if b["parse_error"] is not None:  # code interpreter input: code, not JSON
                tool["arguments"] = b["arguments"]
                del tool["args"]
            tools.append(tool)
    error = state["error"]
    return {
        "text": "".join(b["text"] for b in blocks if b["type"] == "text" and not b["refusal"]),
        "thinking": t.thinking,
        "refusal": "".join(b["text"] for b in blocks if b["type"] == "text" and b["refusal"]),
        "tools": tools,
        "usage": state["usage"] if any(v is not None for v in state["usage"].values()) else None,
        "end_reason": state["end_reason"],
        "error": None if error is None else {"message": error["message"], "code": error["code"]},
        # NEAR sends no thread.run.created: the normalizer synthesizes the run_start
        "run_id": state["run_id"] if raw and isinstance(raw[0], RunStart) else None,
        "model": state["model"] or "gpt-4o",
        "status": state["status"],
        "step_usage": {s["id"]: s["usage"] for s in state["steps"] if s.get("usage") is not None},
    }


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("name", NAMES)
def test_fixture(name: str, form: str) -> None:
    exp = expected(name)
    raw, _, t = pipeline(FORMS[form](name))
    got = summary(t, raw)
    for key in got:
        assert got[key] == exp[key], key
    assert sum(isinstance(ev, RunEnd) for ev in raw) == 1


def test_fixture_count() -> None:
    assert len(NAMES) >= 10


def test_message_completed_reconciles_never_appends() -> None:
    raw, _, t = pipeline(FORMS["sse"]("message_deltas"))
    assert [ev.delta for ev in raw if isinstance(ev, TextDelta)] == ["Hello", ", world", "!"]
    assert t.text == "Hello, world!"


def test_a_refusing_message_ends_once_then_its_refusal() -> None:
    raw, _, t = pipeline([to_sse(ln) for ln in lines("refusal")])
    ends = [e.message_id for e in raw if isinstance(e, MessageEnd)]
    assert ends == ["msg_7", "msg_7:refusal1"]  # the message was started: it ends too
    assert [b["refusal"] for b in t.to_dict()["blocks"] if b["type"] == "text"] == [True]


def test_requires_action_is_interrupted() -> None:
    raw, _, t = pipeline(FORMS["sse"]("requires_action"))
    end = raw[-1]
    assert isinstance(end, RunEnd)
    assert (end.reason, end.raw_reason) == ("interrupted", "requires_action")
    starts = [ev for ev in raw if isinstance(ev, ToolCallStart)]
    assert [(s.tool_call_id, s.index) for s in starts] == [
        ("call_XXNp8YGaFrjrSjgqxtC8JJ1B", 0),
        ("call_b", 1),
    ]
    # Never answered in this stream: cancelled when it ends, like every call left pending.
    assert [b["state"] for b in t.blocks] == ["cancelled", "cancelled"]


def test_requires_action_without_deltas_starts_the_calls() -> None:
    items = FORMS["sse"]("requires_action")
    _, _, t = pipeline([*items[:3], items[-2]])
    assert [c.name for c in t.tool_calls] == ["get_current_weather", "get_time"]
    assert t.tool_calls[1].args == {"tz": "CET"}


def test_steps_and_usage_scopes() -> None:
    raw, _, t = pipeline(FORMS["sse"]("code_interpreter"))
    assert [ev.step_id for ev in raw if isinstance(ev, StepStart)] == ["step_3", "step_4"]
    assert [ev.finish_reason for ev in raw if isinstance(ev, StepEnd)] == [
        "completed",
        "completed",
    ]
    assert [ev.scope for ev in raw if isinstance(ev, Usage)] == ["step", "step", "run"]
    (start,) = [ev for ev in raw if isinstance(ev, ToolCallStart)]
    assert start.executor == "server"
    (result,) = [ev for ev in raw if isinstance(ev, ToolResult)]
    assert result.content == "42\n"
    assert t.usage.total_tokens == 93  # the run's usage stands for the run


def test_failed_keeps_last_error() -> None:
    raw, _, _ = pipeline(FORMS["sse"]("failed"))
    (error,) = [ev for ev in raw if isinstance(ev, ErrorEvent)]
    assert (error.code, error.recoverable) == ("server_error", False)


def test_near_stops_at_the_terminal_event() -> None:
    raw, _, t = pipeline(FORMS["wrapper"]("near_wrapper"))
    assert "after the end" not in t.text
    assert raw[-1].kind == "run_end"


def test_near_spellings() -> None:
    for name, reason in (("thread.run.canceled", "cancelled"), ("thread.run.error", "error")):
        _, _, t = pipeline([{"event": name, "data": {"id": None, "delta": {"status": "x"}}}])
        assert t.end_reason == reason


def test_done_without_a_run_status_leaves_the_end_to_the_normalizer() -> None:
    items = [*FORMS["sse"]("cut_off"), ServerSentEvent(event="done", data="[DONE]")]
    raw, _, t = pipeline(items)
    assert not any(isinstance(ev, RunEnd) for ev in raw[:-1])
    assert t.end_reason == "incomplete"
    adapter = OpenAIAssistantsAdapter()
    assert adapter.feed(ServerSentEvent(event="done", data="[DONE]")) == []


def test_empty_stream_ends_incomplete() -> None:
    assert [ev.kind for ev in OpenAIAssistantsAdapter().end()] == ["run_end"]


def test_bad_items_raise_bad_item_error() -> None:
    adapter = OpenAIAssistantsAdapter()
    with pytest.raises(BadItemError):
        adapter.feed("not json")
    with pytest.raises(BadItemError):
        adapter.feed({"id": "msg_1", "object": "thread.message.delta"})  # no event name


def test_image_content_is_custom() -> None:
    part = {"index": 0, "type": "image_file", "image_file": {"file_id": "file_1"}}
    data = {"id": "m", "object": "thread.message.delta", "delta": {"content": [part]}}
    (ev,) = OpenAIAssistantsAdapter().feed({"event": "thread.message.delta", "data": data})
    assert isinstance(ev, Custom)
    assert ev.name == "image_file"


# -- detection --------------------------------------------------------------------------------


def _other_items() -> list[Any]:
    out: list[Any] = []
    for folder in (CHAT, RESPONSES):
        for path in sorted(folder.glob("*.jsonl")):
            for ln in path.read_text().splitlines():
                if ln.strip():
                    out.append(ln)
                    if ln != "[DONE]":
                        d = json.loads(ln)
                        out.append(d)
                        if folder == RESPONSES:
                            out.append(ServerSentEvent(event=d["type"], data=ln))
    out += ["hello", "", "[DONE]", b"\xff", None, 3, [], {}, {"event": 1}]
    out += [{"event": "thread.nothing", "data": {}}, {"event": "done", "data": "[DONE]"}]
    out += [
        ServerSentEvent(event="done", data="[DONE]"),
        ServerSentEvent(event="message_start", data="{}"),
    ]
    out += [ServerSentEvent(event="error", data='{"message":"x"}')]
    return out


@pytest.mark.parametrize("form", sorted(FORMS))
def test_detect_every_item(form: str) -> None:
    for name in NAMES:
        for item in FORMS[form](name):
            if isinstance(item, ServerSentEvent) and item.event == "done":
                continue  # "done" / "error" alone name no format
            if isinstance(item, ServerSentEvent) and item.event == "error":
                continue
            if isinstance(item, dict) and item.get("event") in ("done", "error"):
                continue
            if isinstance(item, str) and json.loads(item).get("event") in ("done", "error"):
                continue
            if getattr(item, "event", None) == "error":
                continue
            assert OpenAIAssistantsAdapter.detect(item), item


def test_detect_rejects_other_formats() -> None:
    for item in _other_items():
        assert not OpenAIAssistantsAdapter.detect(item), item


def test_detect_never_raises() -> None:
    class Weird:
        @property
        def event(self) -> str:
            raise RuntimeError("boom")

    assert not OpenAIAssistantsAdapter.detect(Weird())
    assert not OpenAIAssistantsAdapter.detect(ServerSentEvent(data="{bad"))


# -- robustness -------------------------------------------------------------------------------

ALL_ITEMS: list[Any] = [to_sse(line) for name in NAMES for line in lines(name)]
ALL_ITEMS += [to_wrapper(line) for line in lines("requires_action") + lines("code_interpreter")]

ALL_ITEMS += [
    item for name in ("requires_action", "code_interpreter", "failed") for item in sdk_objects(name)
]


def _text_by_message(events: list[Event]) -> str:
    parts: dict[str, str] = {}
    for ev in events:
        if isinstance(ev, TextDelta):
            parts[ev.message_id] = parts.get(ev.message_id, "") + ev.delta
    return "".join(parts.values())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ALL_ITEMS), max_size=40))
def test_any_sequence_never_breaks(items: list[Any]) -> None:
    try:
        _, out, t = pipeline(items)
    except NbagentError:
        return
    assert block_text(t) == _text_by_message(out)
    assert sum(isinstance(ev, RunEnd) for ev in out) == 1


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(NAMES), st.data())
def test_truncated_or_duplicated_fixture(name: str, data: st.DataObject) -> None:
    items: list[Any] = FORMS["sse"](name)
    cut = data.draw(st.integers(0, len(items)))
    items = items[:cut]
    if items:
        dup = data.draw(st.integers(0, len(items) - 1))
        items.insert(dup, items[dup])
    _, out, t = pipeline(items)
    assert block_text(t) == _text_by_message(out)
    assert t.end_reason is not None


def test_full_text_without_deltas_comes_from_the_completed_message() -> None:
    items = [
        line for line in lines("message_deltas") if line["sse_event"] != "thread.message.delta"
    ]
    _, _, t = pipeline([to_sse(line) for line in items])
    assert t.text == "Hello, world!"
    assert t.end_reason == "completed"


def test_a_step_and_messages_without_ids_get_ids_from_the_kit_each_start_paired_with_its_end() -> (
    None
):
    """Where the wire gives no id, ``Ids`` makes one (``step1``, ``run:text1``): the events
    after a start carry none either and go to the open one; a second message is its own."""

    def sse(name: str, data: dict[str, Any]) -> ServerSentEvent:
        return ServerSentEvent(event=name, data=json.dumps(data))

    def message(name: str, text: str) -> ServerSentEvent:
        content = [{"index": 0, "type": "text", "text": {"value": text, "annotations": []}}]
        if name == "thread.message.delta":
            return sse(name, {"object": "thread.message.delta", "delta": {"content": content}})
        full = content if name == "thread.message.completed" else []
        return sse(name, {"object": "thread.message", "role": "assistant", "content": full})

    step = {"object": "thread.run.step", "type": "message_creation"}
    items = [
        sse("thread.run.created", {"id": "run_1", "object": "thread.run", "status": "queued"}),
        sse("thread.run.step.created", {**step, "status": "in_progress"}),
        *[message(f"thread.message.{s}", "Hello") for s in ("created", "delta", "completed")],
        *[message(f"thread.message.{s}", "Bye") for s in ("created", "delta", "completed")],
        sse("thread.run.step.completed", {**step, "status": "completed"}),
        sse("thread.run.completed", {"id": "run_1", "object": "thread.run", "status": "completed"}),
    ]
    raw, _, t = pipeline(items)
    starts = [e.message_id for e in raw if isinstance(e, MessageStart)]
    assert starts == ["run:text1", "run:text2"]
    assert [e.message_id for e in raw if isinstance(e, MessageEnd)] == starts
    assert [e.step_id for e in raw if isinstance(e, StepStart)] == ["step1"]
    assert [(e.step_id, e.name) for e in raw if isinstance(e, StepEnd)] == [
        ("step1", "message_creation")
    ]
    assert [b["text"] for b in t.to_dict()["blocks"] if b["type"] == "text"] == ["Hello", "Bye"]
