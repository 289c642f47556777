"""The anthropic adapter: fixtures (dicts, JSON lines, ServerSentEvents, SDK objects) through
the adapter, the normalizer and the transcript; detection; hostile orderings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic.types
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nbagent.adapters.anthropic import AnthropicAdapter, map_stop_reason
from nbagent.adapters.base import BadItemError, ServerSentEvent
from nbagent.core.events import (
    Custom,
    ErrorEvent,
    Event,
    MessageEnd,
    NbagentError,
    RunEnd,
    RunStart,
    TextDelta,
    ToolCallArgsDelta,
    ToolCallStart,
)
from nbagent.transcript.transcript import Transcript
from tests.adapter_harness import fold
from tests.invariants import block_text

FIXTURES = Path(__file__).parent / "fixtures" / "anthropic"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.jsonl"))
OTHER_FIXTURES = Path(__file__).parent / "fixtures"


def lines(name: str) -> list[str]:
    return [ln for ln in (FIXTURES / f"{name}.jsonl").read_text().splitlines() if ln.strip()]


def dicts(name: str) -> list[dict[str, Any]]:
    return [json.loads(ln) for ln in lines(name)]


def sse(name: str) -> list[ServerSentEvent]:
    return [ServerSentEvent(data=ln, event=json.loads(ln)["type"]) for ln in lines(name)]


def expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.expected.json").read_text())
    return data


ALL_ITEMS: list[dict[str, Any]] = [d for name in NAMES for d in dicts(name)]


def run(items: list[Any]) -> tuple[list[Event], list[Event]]:
    """Items → (adapter events, normalized events)."""
    return fold(AnthropicAdapter(), items)


def summary(events: list[Event]) -> dict[str, Any]:
    t = Transcript.from_events(events)
    d = t.to_dict()
    blocks = d["blocks"]
    end = next(e for e in events if isinstance(e, RunEnd))
    return {
        "run_id": d["run_id"],
        "model": d["model"],
        "text": t.text,
        "thinking": t.thinking,
        "refusal": "".join(b["text"] for b in blocks if b["type"] == "text" and b["refusal"]),
        "redacted": sum(1 for b in blocks if b["type"] == "thinking" and b["redacted"]),
        "tools": [
            {k: b[k] for k in ("id", "name", "args", "state", "result", "is_error")}
            for b in blocks
            if b["type"] == "tool"
        ],
        "usage": d["usage"],
        "status": d["status"],
        "end_reason": d["end_reason"],
        "raw_reason": end.raw_reason,
        "error": None
        if d["error"] is None
        else {k: d["error"][k] for k in ("message", "error_type")},
        "steps": [[s["id"], s["finish_reason"]] for s in d["steps"]],
    }


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind", ["dicts", "json", "sse"])
def test_fixture(name: str, kind: str) -> None:
    load: dict[str, Any] = {"dicts": dicts, "json": lines, "sse": sse}
    items: list[Any] = load[kind](name)
    raw, out = run(items)
    assert summary(out) == expected(name)
    assert isinstance(raw[-1], RunEnd)
    assert sum(isinstance(e, RunEnd) for e in raw) == 1
    assert all(e.delta for e in raw if isinstance(e, (TextDelta, ToolCallArgsDelta)))
    assert [e.seq for e in out] == list(range(1, len(out) + 1))


BETA = {"compaction"}
"""Fixtures of beta features: their events are the SDK's beta types."""


def sdk_objects(name: str) -> list[Any]:
    from pydantic import TypeAdapter

    union = anthropic.types.RawMessageStreamEvent
    if name in BETA:
        union = anthropic.types.beta.BetaRawMessageStreamEvent  # type: ignore[assignment]
    adapter: TypeAdapter[Any] = TypeAdapter(union)
    out: list[Any] = []
    for d in dicts(name):
        if d["type"] in ("ping", "error"):  # not RawMessageStreamEvent members: the SDK's dicts
            out.append(d)
        else:
            out.append(adapter.validate_python(d))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_fixture_sdk_objects(name: str) -> None:
    items = sdk_objects(name)
    assert any(not isinstance(i, dict) for i in items)
    assert all(AnthropicAdapter.detect(i) for i in items)
    _, out = run(items)
    assert summary(out) == expected(name)


def test_signature_and_redacted_kept_not_rendered() -> None:
    raw, _ = run(dicts("thinking_signature"))
    ends = [e for e in raw if isinstance(e, MessageEnd) and e.channel == "thinking"]
    assert [e.signature for e in ends] == ["c3ludGhldGlj"]
    raw, _ = run(dicts("redacted_thinking"))
    ends = [e for e in raw if isinstance(e, MessageEnd) and e.channel == "thinking"]
    assert [(e.redacted, e.encrypted_value) for e in ends] == [
        (True, "EmwKAhgBEgy3va3pzix/LafPsn4a"),
        (False, None),
    ]
    assert ends[1].signature == "c2ln"


def test_input_not_seeded_and_ids() -> None:
    raw, _ = run(dicts("two_tools_interleaved"))
    starts = [e for e in raw if isinstance(e, ToolCallStart)]
    assert [(s.tool_call_id, s.index, s.executor) for s in starts] == [
        ("toolu_a", 1, "client"),
        ("toolu_b", 2, "client"),
    ]
    args = "".join(
        e.delta for e in raw if isinstance(e, ToolCallArgsDelta) and e.tool_call_id == "toolu_a"
    )
    assert args == '{"city": "Paris"}'
    run_start = raw[0]
    assert isinstance(run_start, RunStart)
    assert (run_start.run_id, run_start.provider) == ("msg_tools", "anthropic")
    text = [e for e in raw if isinstance(e, TextDelta)]
    assert {e.message_id for e in text} == {"msg_tools:text1"}


def test_a_citation_names_its_block_or_an_id_of_the_scheme() -> None:
    start = {"type": "message_start", "message": {"id": "msg_c", "model": "m", "usage": {}}}
    cite = {"type": "citations_delta", "citation": {"cited_text": "x"}}
    raw, _ = run(
        [
            start,
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text"}},
            {"type": "content_block_delta", "index": 0, "delta": cite},
            {"type": "content_block_delta", "index": 4, "delta": cite},  # a block never started
        ]
    )
    citations = [e for e in raw if isinstance(e, Custom) and e.name == "citation"]
    assert [c.meta for c in citations] == [
        {"message_id": "msg_c:text1", "index": 0},
        {"message_id": "msg_c:text2", "index": 4},
    ]


def test_server_tool_executor() -> None:
    raw, _ = run(dicts("pause_turn"))
    start = next(e for e in raw if isinstance(e, ToolCallStart))
    assert start.executor == "server"


def test_error_is_fatal() -> None:
    raw, _ = run(dicts("overloaded_after_text"))
    errors = [e for e in raw if isinstance(e, ErrorEvent)]
    assert len(errors) == 1
    assert errors[0].recoverable is False
    assert errors[0].error_type == "overloaded_error"
    assert isinstance(raw[-1], RunEnd)
    assert raw[-1].reason == "error"


def test_events_after_message_stop_are_dropped() -> None:
    adapter = AnthropicAdapter()
    for item in dicts("max_tokens"):
        adapter.feed(item)
    assert (
        adapter.feed(
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": "x"},
            }
        )
        == []
    )
    assert adapter.end() == []


def test_empty_stream_is_incomplete() -> None:
    raw, out = run([])
    assert [type(e) for e in raw] == [RunEnd]
    assert summary(out)["end_reason"] == "incomplete"


def test_unknown_types_are_kept_as_custom() -> None:
    raw, _ = run([*dicts("text_usage")[:2], {"type": "brand_new_event", "x": 1}])
    assert any(e.kind == "custom" and getattr(e, "name", "") == "brand_new_event" for e in raw)


@pytest.mark.parametrize("bad", [None, 3, [1], "not json", '"a string"', b"{", "[1, 2]"])
def test_bad_items_raise_bad_item_error(bad: Any) -> None:
    with pytest.raises(BadItemError):
        AnthropicAdapter().feed(bad)


def test_stop_reason_map() -> None:
    assert map_stop_reason("end_turn") == "completed"
    assert map_stop_reason("stop_sequence") == "completed"
    assert map_stop_reason("max_tokens") == "max_tokens"
    assert map_stop_reason("model_context_window_exceeded") == "max_tokens"
    assert map_stop_reason("tool_use") == "tool_calls"
    assert map_stop_reason("refusal") == "refusal"
    assert map_stop_reason("pause_turn") == "interrupted"
    assert map_stop_reason("something_new") == "unknown"
    assert map_stop_reason(None) == "unknown"


# -- detection -----------------------------------------------------------------------------


def other_format_items() -> list[Any]:
    items: list[Any] = []
    for path in sorted((OTHER_FIXTURES / "openai-chat").glob("*.jsonl")):
        for ln in path.read_text().splitlines():
            if ln.strip():
                items.append(ln)
                items.append(json.loads(ln) if ln.strip() != "[DONE]" else ln)
    for path in sorted((OTHER_FIXTURES / "ag-ui").glob("*.jsonl")):
        for ln in path.read_text().splitlines():
            if ln.strip():
                items.extend([ln, json.loads(ln), ServerSentEvent(data=ln)])
    items += ["Hello", "", "data: x", "[DONE]", b"\xff", None, 1, [], {}, {"type": "text"}]
    items += [
        {"type": "message"},
        {"type": "error", "errorText": "x"},
        {"type": "TEXT_MESSAGE_START"},
    ]
    items += [ServerSentEvent(data="not json"), ServerSentEvent(data="{}", event="message_start")]
    return items


def test_detect_true_on_every_item_kind() -> None:
    for d in ALL_ITEMS:
        line = json.dumps(d)
        for item in (
            d,
            line,
            line.encode(),
            ServerSentEvent(data=line, event=d["type"]),
            ServerSentEvent(data=line),
        ):
            assert AnthropicAdapter.detect(item), item


def test_detect_false_on_other_formats() -> None:
    for item in other_format_items():
        assert not AnthropicAdapter.detect(item), item


# -- hostile orderings ----------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(ALL_ITEMS), max_size=40), st.sampled_from(["dict", "json", "sse"]))
def test_any_sequence_never_breaks(items: list[dict[str, Any]], kind: str) -> None:
    feed: list[Any] = list(items)
    if kind == "json":
        feed = [json.dumps(i) for i in items]
    elif kind == "sse":
        feed = [ServerSentEvent(data=json.dumps(i), event=i["type"]) for i in items]
    try:
        _, out = run(feed)
    except NbagentError:
        return
    check_text(out)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(NAMES), st.data())
def test_fixture_mutations_never_break(name: str, data: st.DataObject) -> None:
    items = dicts(name)
    items = data.draw(st.permutations(items)) if data.draw(st.booleans()) else items
    cut = data.draw(st.integers(0, len(items)))
    dup = data.draw(st.lists(st.integers(0, max(len(items) - 1, 0)), max_size=5))
    feed = items[:cut] + [items[i] for i in dup if i < len(items)]
    _, out = run(feed)
    check_text(out)


def check_text(out: list[Event]) -> None:
    assert isinstance(out[-1], RunEnd)
    assert sum(isinstance(e, RunEnd) for e in out) == 1
    by_message: dict[str, str] = {}
    for e in out:
        if isinstance(e, TextDelta):
            by_message[e.message_id] = by_message.get(e.message_id, "") + e.delta
    assert block_text(Transcript.from_events(out)) == "".join(by_message.values())


@pytest.mark.parametrize("kind", [["text_delta"], {"t": 1}, 7, None])
def test_a_delta_of_a_type_no_delta_has_is_skipped(kind: Any) -> None:
    """A hostile ``delta.type`` (a list is not even hashable) skips that delta, nothing raised."""
    items = [
        {"type": "message_start", "message": {"id": "msg_h", "content": []}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": kind, "text": "x"}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ok"}},
        {"type": "content_block_stop", "index": 0},
        {"type": "message_stop"},
    ]
    events, _ = run(items)
    assert "".join(e.delta for e in events if isinstance(e, TextDelta)) == "ok"


def _result_block_types() -> list[str]:
    """Every server tool result block the SDK knows (``web_search_tool_result``, ...)."""
    types = Path(anthropic.types.__file__).parent
    files = [*types.glob("*_tool_result_block.py"), *types.glob("beta/*_tool_result_block.py")]
    return sorted({f.stem.removeprefix("beta_").removesuffix("_block") for f in files})


@pytest.mark.parametrize("block_type", _result_block_types())
def test_a_result_whose_call_came_in_the_previous_response_is_named(block_type: str) -> None:
    """After ``pause_turn`` the continuation opens with the result of a call made in the
    response before: the block's type names it, its ``tool_use_id`` is its id (never a blank
    title, in the transcript or its exports)."""
    result = {"type": block_type, "tool_use_id": "srvtoolu_9", "content": []}
    items = [
        {"type": "message_start", "message": {"id": "msg_r", "content": []}},
        {"type": "content_block_start", "index": 0, "content_block": result},
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {}},
        {"type": "message_stop"},
    ]
    t = Transcript.from_events(run(items)[1])
    (call,) = t.tool_calls
    name = block_type.removesuffix("_tool_result")
    assert (call.id, call.name) == ("srvtoolu_9", name)
    assert f"<code>{name}</code>" in t.to_markdown()
    assert f">{name}<" in t.to_html()


def notes(out: list[Event]) -> list[dict[str, Any]]:
    blocks = Transcript.from_events(out).to_dict()["blocks"]
    return [{k: b.get(k) for k in ("id", "title", "status", "level", "text")} for b in blocks
            if b["type"] == "note"]  # fmt: skip


def test_context_compaction_is_a_note_with_its_summary() -> None:
    events, out = run(dicts("compaction"))
    (note,) = notes(out)
    assert (note["title"], note["status"]) == ("Context compacted", "completed")
    assert note["text"].startswith("The user is building a notebook widget")
    assert not [e for e in events if isinstance(e, Custom) and e.is_raw]  # no raw events only
    assert "EqQBCkYIBRgCKkD0pq" not in json.dumps(Transcript.from_events(out).to_dict())


def test_compaction_in_progress_failed_and_paused_after() -> None:
    start = {"type": "message_start", "message": {"id": "msg_c", "content": []}}
    block = {"type": "content_block_start", "index": 0, "content_block": {"type": "compaction"}}
    adapter = AnthropicAdapter()
    live = [e for item in (start, block) for e in adapter.feed(item) if isinstance(e, Custom)]
    assert [e.value["title"] for e in live] == ["Compacting context…"]
    # a compaction the server could not make: no summary
    stop = {"type": "message_delta", "delta": {"stop_reason": "compaction"}, "usage": {}}
    items = [
        start,
        block,
        {"type": "content_block_stop", "index": 0},
        stop,
        {"type": "message_stop"},
    ]
    _, out = run(items)
    (note,) = notes(out)
    assert (note["title"], note["level"], note["text"]) == (
        "Context compaction failed",
        "warning",
        "",
    )
    # paused after compacting (pause_after_compaction): the user sends it back to go on
    t = Transcript.from_events(out)
    assert (t.status, t.end_reason) == ("completed", "interrupted")
