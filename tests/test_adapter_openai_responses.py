"""The openai-responses adapter: fixtures (dicts, JSON lines, SSE events, SDK objects)
through the adapter → normalizer → transcript; detection; robustness."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbagent.adapters.base import BadItemError, ServerSentEvent
from nbagent.adapters.openai_responses import OpenAIResponsesAdapter
from nbagent.core.events import (
    Custom,
    Event,
    MessageEnd,
    NbagentError,
    RunEnd,
    Status,
    TextDelta,
    ThinkingDelta,
    ToolCallStart,
)
from nbagent.transcript.transcript import Transcript
from tests.adapter_harness import fold
from tests.invariants import block_text

FIXTURES = Path(__file__).parent / "fixtures" / "openai-responses"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.jsonl"))
CHAT = Path(__file__).parent / "fixtures" / "openai-chat"
ASSISTANTS = Path(__file__).parent / "fixtures" / "openai-assistants"


def dicts(name: str) -> list[dict[str, Any]]:
    text = (FIXTURES / f"{name}.jsonl").read_text()
    return [json.loads(ln) for ln in text.splitlines() if ln.strip()]


def expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.expected.json").read_text())
    return data


def as_sse(d: dict[str, Any]) -> ServerSentEvent:
    return ServerSentEvent(event=d["type"], data=json.dumps(d))


def sdk_objects(name: str) -> list[Any]:
    """Validated into the SDK's ``ResponseStreamEvent`` union (``keepalive`` is not in it)."""
    from openai.types.responses import ResponseStreamEvent
    from pydantic import TypeAdapter

    adapter: TypeAdapter[Any] = TypeAdapter(ResponseStreamEvent)
    return [d if d["type"] == "keepalive" else adapter.validate_python(d) for d in dicts(name)]


FORMS: dict[str, Callable[[str], list[Any]]] = {
    "dict": dicts,
    "json": lambda name: [json.dumps(d) for d in dicts(name)],
    "bytes": lambda name: [json.dumps(d).encode() for d in dicts(name)],
    "sse": lambda name: [as_sse(d) for d in dicts(name)],
    "sdk": sdk_objects,
}


def pipeline(items: list[Any]) -> tuple[list[Event], list[Event], Transcript]:
    """Items → adapter → normalizer: (raw adapter events, normalized events, transcript)."""
    raw, out = fold(OpenAIResponsesAdapter(), items, clock=1000.0)
    return raw, out, Transcript.from_events(out)


def summary(t: Transcript) -> dict[str, Any]:
    state = t.to_dict()
    blocks = state["blocks"]
    tools = [
        {
            "id": b["id"],
            "name": b["name"],
            "args": b["args"],
            "result": b["result"],
            "is_error": b["is_error"],
        }
        for b in blocks
        if b["type"] == "tool"
    ]
    error = state["error"]
    return {
        "text": "".join(b["text"] for b in blocks if b["type"] == "text" and not b["refusal"]),
        "thinking": t.thinking,
        "refusal": "".join(b["text"] for b in blocks if b["type"] == "text" and b["refusal"]),
        "tools": tools,
        "usage": state["usage"] if any(v is not None for v in state["usage"].values()) else None,
        "end_reason": state["end_reason"],
        "error": None if error is None else {"message": error["message"], "code": error["code"]},
        "run_id": state["run_id"],
        "model": state["model"],
        "status": state["status"],
    }


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("name", NAMES)
def test_fixture(name: str, form: str) -> None:
    exp = expected(name)
    raw, _, t = pipeline(FORMS[form](name))
    got = summary(t)
    for key in got:
        assert got[key] == exp[key], key
    custom = [ev.name for ev in raw if isinstance(ev, Custom)]
    assert custom == exp.get("custom", [])
    assert sum(isinstance(ev, RunEnd) for ev in raw) == 1


def test_fixture_count() -> None:
    assert len(NAMES) >= 10


def test_done_texts_reconcile_never_append() -> None:
    raw, _, t = pipeline(dicts("plain_text"))
    deltas = [ev.delta for ev in raw if isinstance(ev, TextDelta)]
    assert deltas == ["Hi", " there!", " How can I assist you today?"]
    assert t.text == "Hi there! How can I assist you today?"


def test_done_text_that_differs_is_not_appended() -> None:
    items = dicts("incomplete_max_tokens")
    done = {
        "type": "response.output_text.done",
        "item_id": "msg_6",
        "output_index": 0,
        "content_index": 0,
        "text": "Something else entirely",
    }
    _, _, t = pipeline([*items[:-1], done, items[-1]])
    assert t.text == "Once upon a time"


def test_streamed_reasoning_text_is_not_shown_again_by_its_item_done() -> None:
    """``output_item.done`` carries a reasoning item's full text in ``content`` (a gpt-oss
    server, vLLM): it reconciles with what ``reasoning_text.delta`` streamed, as message
    text does, rather than streaming the whole text a second time."""
    base = {"item_id": "rs_1", "output_index": 0, "content_index": 0}
    items: list[dict[str, Any]] = [
        {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress"}},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"id": "rs_1", "type": "reasoning", "summary": []},
        },
        {"type": "response.reasoning_text.delta", **base, "delta": "ab"},
        {"type": "response.reasoning_text.delta", **base, "delta": "c"},
        {
            "type": "response.output_item.done",
            "output_index": 0,
            "item": {
                "id": "rs_1",
                "type": "reasoning",
                "summary": [],
                "content": [{"type": "reasoning_text", "text": "abcd"}],
            },
        },
        {"type": "response.completed", "response": {"id": "resp_1", "status": "completed"}},
    ]
    raw, _, t = pipeline(items)
    assert [ev.delta for ev in raw if isinstance(ev, ThinkingDelta)] == ["ab", "c", "d"]
    assert t.thinking == "abcd"


def test_reasoning_summary_parts_and_encrypted_content() -> None:
    raw, _, t = pipeline(dicts("reasoning_summary"))
    thinking = [ev for ev in raw if ev.kind == "thinking_delta"]
    assert all(ev.summary for ev in thinking)  # type: ignore[attr-defined]
    assert [ev.part_index for ev in thinking] == [0, 0, 0, 1]  # type: ignore[attr-defined]
    ends = [ev for ev in raw if isinstance(ev, MessageEnd) and ev.channel == "thinking"]
    assert [ev.encrypted_value for ev in ends] == ["gAAAA..."]
    assert [b["type"] for b in t.blocks] == ["thinking", "text"]


def test_function_call_ids_are_call_ids() -> None:
    raw, _, t = pipeline(dicts("parallel_tools"))
    starts = [ev for ev in raw if isinstance(ev, ToolCallStart)]
    assert [(s.tool_call_id, s.index, s.synthetic_id) for s in starts] == [
        ("call_a", 0, False),
        ("call_b", 1, False),
    ]
    # Never answered in this stream: cancelled when it ends, like every call left pending.
    assert [b["state"] for b in t.blocks] == ["cancelled", "cancelled"]


def test_hosted_tool_is_a_server_call_with_status() -> None:
    raw, _, t = pipeline(dicts("hosted_web_search"))
    (start,) = [ev for ev in raw if isinstance(ev, ToolCallStart)]
    assert start.executor == "server"
    assert start.name == "web_search_call"
    statuses = [ev for ev in raw if isinstance(ev, Status) and ev.tool_call_id == "ws_1"]
    assert [s.state for s in statuses] == ["in_progress", "searching", "completed"]
    assert statuses[1].text == "web search: searching…"
    assert t.blocks[0]["state"] == "done"
    assert t.to_dict()["activity"] is None  # cleared by the end of the run


def test_usage_only_at_the_end() -> None:
    raw, _, t = pipeline(dicts("plain_text"))
    kinds = [ev.kind for ev in raw]
    assert kinds.index("usage") > kinds.index("text_delta")
    assert kinds[-3:] == ["usage", "step_end", "run_end"]
    assert t.usage.cached_input_tokens == 5


def test_keepalive_and_done_marker_are_dropped() -> None:
    adapter = OpenAIResponsesAdapter()
    assert adapter.feed({"type": "keepalive", "sequence_number": 4}) == []
    assert adapter.feed("[DONE]") == []
    assert adapter.feed(ServerSentEvent(event="keepalive", data='{"type":"keepalive"}')) == []


def test_events_after_the_terminal_event_are_ignored() -> None:
    items = dicts("plain_text")
    adapter = OpenAIResponsesAdapter()
    for item in items:
        adapter.feed(item)
    assert adapter.feed(items[5]) == []
    assert adapter.end() == []


def test_cut_off_ends_incomplete() -> None:
    raw, _, t = pipeline(dicts("cut_off"))
    assert isinstance(raw[-1], RunEnd)
    assert raw[-1].reason == "incomplete"
    assert t.tool_calls[0].id == "fc_9"  # deltas before output_item.added: the item id


def test_empty_stream_ends_incomplete() -> None:
    assert [ev.kind for ev in OpenAIResponsesAdapter().end()] == ["run_end"]


def test_unknown_type_is_custom_raw() -> None:
    (ev,) = OpenAIResponsesAdapter().feed({"type": "response.future_thing", "x": 1})
    assert isinstance(ev, Custom)
    assert ev.is_raw


def test_bad_items_raise_bad_item_error() -> None:
    adapter = OpenAIResponsesAdapter()
    with pytest.raises(BadItemError):
        adapter.feed("not json")
    with pytest.raises(BadItemError):
        adapter.feed({"no": "type"})


def test_cancelled_status() -> None:
    items = dicts("plain_text")[:3]
    response = dict(items[0]["response"], status="cancelled")
    _, _, t = pipeline([*items, {"type": "response.incomplete", "response": response}])
    assert t.end_reason == "cancelled"


# -- detection --------------------------------------------------------------------------------


def _other_items() -> list[Any]:
    out: list[Any] = []
    for path in sorted(CHAT.glob("*.jsonl")):
        for ln in path.read_text().splitlines():
            if ln.strip():
                out.append(ln)
                out.append(ln if ln == "[DONE]" else json.loads(ln))
    for path in sorted(ASSISTANTS.glob("*.jsonl")):
        for ln in path.read_text().splitlines():
            d = json.loads(ln)
            if "sse_event" in d:
                data = d["data"] if isinstance(d["data"], str) else json.dumps(d["data"])
                out.append(ServerSentEvent(event=d["sse_event"], data=data))
            else:
                out.append(d)
                out.append(ServerSentEvent(data=json.dumps(d)))
    out += ["hello", "", "[DONE]", b"\xff", None, 3, [], {}, {"type": 1}, {"type": "response."}]
    out += [{"type": "message_start"}, {"type": "text-delta", "delta": "x"}]
    out += [{"type": "error", "errorText": "x"}, {"type": "RUN_STARTED"}]
    return out


@pytest.mark.parametrize("form", sorted(FORMS))
def test_detect_every_item(form: str) -> None:
    for name in NAMES:
        for item in FORMS[form](name):
            assert OpenAIResponsesAdapter.detect(item), item


def test_detect_rejects_other_formats() -> None:
    for item in _other_items():
        assert not OpenAIResponsesAdapter.detect(item), item


def test_detect_never_raises() -> None:
    class Weird:
        @property
        def type(self) -> str:
            raise RuntimeError("boom")

    assert not OpenAIResponsesAdapter.detect(Weird())
    assert not OpenAIResponsesAdapter.detect(ServerSentEvent(data="{bad"))


# -- robustness -------------------------------------------------------------------------------

ALL_ITEMS: list[Any] = [item for name in NAMES for item in dicts(name)]
ALL_ITEMS += [as_sse(d) for d in ALL_ITEMS[:20]]

ALL_ITEMS += [
    item
    for name in ("parallel_tools", "hosted_web_search", "reasoning_summary")
    for item in sdk_objects(name)
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
    items: list[Any] = dicts(name)
    cut = data.draw(st.integers(0, len(items)))
    items = items[:cut]
    if items:
        dup = data.draw(st.integers(0, len(items) - 1))
        items.insert(dup, items[dup])
    _, out, t = pipeline(items)
    assert block_text(t) == _text_by_message(out)
    assert t.end_reason is not None


def test_full_text_without_deltas_comes_from_the_done_item() -> None:
    items = dicts("plain_text")
    added = next(d for d in items if d["type"] == "response.output_item.added")
    done = next(d for d in items if d["type"] == "response.output_item.done")
    _, _, t = pipeline([items[0], added, done, done, items[-1]])
    assert t.text == "Hi there! How can I assist you today?"
    assert t.end_reason == "completed"


def test_content_parts_of_one_message_reconcile_by_index_and_a_late_delta_is_dropped() -> None:
    def ev(kind: str, **fields: Any) -> dict[str, Any]:
        return {"type": f"response.{kind}", "item_id": "msg_1", **fields}

    content = [{"type": "output_text", "text": "Hello"}, {"type": "output_text", "text": " you."}]
    content.append({"type": "refusal", "refusal": "No."})
    raw, _, t = pipeline([
        {"type": "response.created", "response": {"id": "resp_1"}},
        ev("output_item.added", output_index=0, item={"id": "msg_1", "type": "message"}),
        ev("output_text.delta", content_index=0, delta="Hel"),
        ev("output_text.delta", content_index=1, delta=" you"),
        ev("output_text.done", content_index=0, text="Hello"),  # index 0's suffix only
        ev("refusal.delta", content_index=2, delta="No"),
        ev("output_item.done", output_index=0, item={"id": "msg_1", "type": "message",
                                                     "content": content}),
        ev("output_text.delta", content_index=0, delta="late"),  # its item is done: dropped
        {"type": "response.completed", "response": {"id": "resp_1", "status": "completed"}},
    ])  # fmt: skip
    deltas = [(e.message_id, e.delta) for e in raw if isinstance(e, TextDelta)]
    assert deltas == [
        ("msg_1", "Hel"), ("msg_1", " you"), ("msg_1", "lo"), ("msg_1:refusal1", "No"),
        ("msg_1", "."), ("msg_1:refusal1", "."),
    ]  # fmt: skip
    ends = [e.message_id for e in raw if isinstance(e, MessageEnd)]
    assert ends == ["msg_1", "msg_1:refusal1"]
    assert (t.text, t.end_reason) == ("Hel youlo.No.", "refusal")


@pytest.mark.parametrize(
    ("name", "reason", "label"),
    [
        ("incomplete_max_messages", "max_steps", "completed (max steps)"),
        ("incomplete_steered", "interrupted", "completed (needs input)"),
    ],
)
def test_incomplete_reasons_are_named_through_the_client_and_sse(
    name: str, reason: str, label: str
) -> None:
    """``incomplete_details.reason`` ``max_messages`` and ``steered`` (the SDK's own words)
    end the run named, not ``unknown``: through the ``openai`` client's Responses stream and
    through ``nbagent.sse``."""
    import httpx
    import openai

    from nbagent import iter_events, sse
    from nbagent.transcript.export.status import status_label
    from tests.sse_servers import SSEServer, frame

    body = b"".join(frame(d, event=d["type"]) for d in dicts(name))

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        client = openai.OpenAI(base_url="http://model.test/v1", api_key="x", http_client=http)  # type: ignore[arg-type]
        t = Transcript.from_events(
            iter_events(client.responses.create(model="m", input="hi", stream=True))
        )
    with SSEServer([frame(d, event=d["type"]) for d in dicts(name)]) as srv:
        via_sse = Transcript.from_events(iter_events(sse(srv.url, json={"model": "m"})))
    for got in (t, via_sse):
        d = got.to_dict()
        assert (d["end_reason"], status_label(d)) == (reason, label)
        assert got.text == "Once upon a time"
