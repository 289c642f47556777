"""The seed formats ``chunk-sse`` and ``dexto``: raw SSE fixtures through sse_file →
adapter → Normalizer → Transcript, detection, item forms, and end to end through the
real transport (server → ``sse()`` → adapter → Normalizer → Transcript)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, Iterable
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbagent.adapters.base import ServerSentEvent
from nbagent.adapters.chunk_sse import ChunkSseAdapter
from nbagent.adapters.dexto import DextoAdapter
from nbagent.core.events import Custom, Event, RunEnd, Status
from nbagent.sources.files import sse_file
from nbagent.sources.http import sse
from nbagent.transcript.transcript import Transcript
from tests import aio
from tests.adapter_harness import fold, tool_rows
from tests.sse_servers import Drop, SSEServer, frame

FIXTURES = Path(__file__).parent / "fixtures"
ADAPTERS: dict[str, type[ChunkSseAdapter] | type[DextoAdapter]] = {
    "chunk-sse": ChunkSseAdapter,
    "dexto": DextoAdapter,
}
CASES = sorted(
    (fmt, p.stem) for fmt in ADAPTERS for p in (FIXTURES / fmt).glob("*.sse")
)  # (format, fixture name)


def pipeline(fmt: str, items: Iterable[Any]) -> tuple[Transcript, list[Event]]:
    """Items → adapter → normalizer → transcript; a source error ends the run ``error``."""
    _, events = fold(ADAPTERS[fmt](), items, source_errors=True)
    return Transcript.from_events(events), events


async def apipeline(fmt: str, items: AsyncIterable[Any]) -> tuple[Transcript, list[Event]]:
    collected: list[Any] = []
    error: Exception | None = None
    try:
        async for item in items:
            collected.append(item)  # noqa: PERF401 - keep what came before an error
    except Exception as exc:  # noqa: BLE001 - replayed below at the same position
        error = exc

    def replay() -> Iterable[Any]:
        yield from collected
        if error is not None:
            raise error

    return pipeline(fmt, replay())


def summary(t: Transcript, events: list[Event]) -> dict[str, Any]:
    state = t.to_dict()
    tools = tool_rows(state)
    return {
        "text": t.text,
        "thinking": t.thinking,
        "tools": tools,
        "usage": {k: v for k, v in state["usage"].items() if v is not None},
        "status": state["status"],
        "end_reason": state["end_reason"],
        "error": (state["error"] or {}).get("message"),
        "steps": len(state["steps"]),
        "warnings": [w["message"] for w in state["warnings"]],
        "custom": [e.name for e in events if isinstance(e, Custom)],
        "status_events": [e.state for e in events if isinstance(e, Status)],
        "blocks": [b["type"] for b in state["blocks"]],
    }


@pytest.mark.parametrize(("fmt", "name"), CASES)
def test_fixture(fmt: str, name: str) -> None:
    path = FIXTURES / fmt / f"{name}.sse"
    want = json.loads(path.with_suffix(".expected.json").read_text())
    got = summary(*pipeline(fmt, sse_file(path)))
    assert {k: got[k] for k in want} == want


@pytest.mark.parametrize(("fmt", "name"), CASES)
def test_fixture_detected(fmt: str, name: str) -> None:
    first = next(iter(sse_file(FIXTURES / fmt / f"{name}.sse")))
    assert ADAPTERS[fmt].detect(first)
    other = next(cls for key, cls in ADAPTERS.items() if key != fmt)
    assert not other.detect(first)


@pytest.mark.parametrize(("fmt", "name"), CASES)
def test_item_forms_agree(fmt: str, name: str) -> None:
    """ServerSentEvents, dicts and JSON strings give the same transcript."""
    sses = list(sse_file(FIXTURES / fmt / f"{name}.sse"))
    base = summary(*pipeline(fmt, sses))
    if fmt == "dexto":
        dicts: list[Any] = [{"event": s.event, "data": json.loads(s.data)} for s in sses]
        strs: list[Any] = [json.dumps(d) for d in dicts]
        data_str: list[Any] = [{"event": s.event, "data": s.data} for s in sses]
        forms = [dicts, strs, data_str]
    else:
        forms = [
            [s.data if s.data == "[DONE]" else json.loads(s.data) for s in sses],
            [s.data for s in sses],
            [f"data: {s.data}" for s in sses],
            [s.data.encode() for s in sses],
        ]
    for form in forms:
        assert summary(*pipeline(fmt, form)) == base


# -- detection ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "item",
    [
        {"chunk": "a"},
        '{"chunk": ""}',
        'data: {"chunk": "x"}',
        {"error": "boom"},
        ServerSentEvent('{"chunk": "a"}'),
    ],
)
def test_chunk_sse_detects(item: Any) -> None:
    assert ChunkSseAdapter.detect(item)


@pytest.mark.parametrize(
    "item",
    [
        {"chunk": "a", "x": 1},
        {"chunk": 1},
        {"choices": []},
        {"type": "text-delta", "id": "1", "delta": "x"},
        ServerSentEvent('{"chunk": "a"}', event="llm:chunk"),
        "[DONE]",
        "hello",
        None,
        1,
        b"\xff",
    ],
)
def test_chunk_sse_rejects(item: Any) -> None:
    assert not ChunkSseAdapter.detect(item)


@pytest.mark.parametrize(
    "item",
    [
        ServerSentEvent("{}", event="llm:thinking"),
        ServerSentEvent("", event="llm:thinking"),
        {"event": "llm:chunk", "data": {"content": "x"}},
        '{"event": "llm:chunk", "data": {"content": "x"}}',
    ],
)
def test_dexto_detects(item: Any) -> None:
    assert DextoAdapter.detect(item)


@pytest.mark.parametrize(
    "item",
    [
        ServerSentEvent("{}"),
        ServerSentEvent("not json", event="message"),
        ServerSentEvent("{}", event="error"),
        {"event": "on_chat_model_stream", "data": {}},
        {"chunk": "a"},
        {"type": "llm:chunk"},
        "llm:chunk",
        None,
    ],
)
def test_dexto_rejects(item: Any) -> None:
    assert not DextoAdapter.detect(item)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text() | st.binary(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=10,
    )
    | st.builds(ServerSentEvent, st.text(), st.text())
)
def test_detect_and_feed_never_crash(item: Any) -> None:
    for cls in ADAPTERS.values():
        assert cls.detect(item) in (True, False)
        adapter = cls()
        assert isinstance(adapter.feed(item), list)  # bad items become warnings, never raise
        assert isinstance(adapter.end(), list)


# -- mapping details ------------------------------------------------------------------


def test_chunk_sse_nothing_after_done() -> None:
    a = ChunkSseAdapter()
    assert isinstance(a.feed("[DONE]")[-1], RunEnd)
    assert a.feed({"chunk": "late"}) == []
    assert a.end() == []


def test_chunk_sse_bad_json_is_a_warning() -> None:
    t, _ = pipeline("chunk-sse", [{"chunk": "a"}, "data: {oops", "[DONE]"])
    state = t.to_dict()
    assert t.text == "a"
    assert state["status"] == "completed"
    assert len(state["warnings"]) == 1


def test_dexto_response_reconciles_missing_tail() -> None:
    t, _ = pipeline(
        "dexto",
        [
            {"event": "llm:chunk", "data": {"content": "Hello"}},
            {"event": "llm:response", "data": {"content": "Hello, world"}},
        ],
    )
    assert t.text == "Hello, world"
    assert t.to_dict()["status"] == "completed"


def test_dexto_response_differs_keeps_streamed() -> None:
    t, _ = pipeline(
        "dexto",
        [
            {"event": "llm:chunk", "data": {"content": "Streamed"}},
            {"event": "llm:response", "data": {"content": "Other"}},
        ],
    )
    assert t.text == "Streamed"


def test_dexto_tool_result_by_call_id_out_of_order() -> None:
    a = DextoAdapter()
    a.feed({"event": "llm:tool-call", "data": {"toolName": "t", "callId": "c1", "args": {}}})
    a.feed({"event": "llm:tool-call", "data": {"toolName": "t", "callId": "c2", "args": {}}})
    (r2,) = a.feed({"event": "llm:tool-result", "data": {"toolName": "t", "callId": "c2"}})
    (r1,) = a.feed({"event": "llm:tool-result", "data": {"toolName": "t"}})
    assert r2.tool_call_id == "c2"  # type: ignore[attr-defined]
    assert r1.tool_call_id == "c1"  # type: ignore[attr-defined]


# -- end to end: server → sse() → adapter → normalizer → transcript -------------------


@pytest.mark.parametrize(("fmt", "name"), CASES)
def test_end_to_end_sync(fmt: str, name: str) -> None:
    path = FIXTURES / fmt / f"{name}.sse"
    raw = path.read_bytes()
    script = [raw[i : i + 37] for i in range(0, len(raw), 37)]  # splits anywhere
    want = summary(*pipeline(fmt, sse_file(path)))
    with SSEServer(script, delay=0.002) as srv:
        src = sse(srv.url, json={"message": "hi"}, format=fmt)
        assert src.nbagent_format == fmt
        assert summary(*pipeline(fmt, src)) == want


@pytest.mark.parametrize("fmt", ["chunk-sse", "dexto"])
def test_end_to_end_async(fmt: str) -> None:
    path = FIXTURES / fmt / ("complete.sse" if fmt == "chunk-sse" else "tool_roundtrip.sse")
    want = summary(*pipeline(fmt, sse_file(path)))
    with SSEServer([path.read_bytes()]) as srv:
        got = aio.run(apipeline(fmt, sse(srv.url, format=fmt)))
    assert summary(*got) == want
    assert want["status"] == "completed"


DROPPED = {
    "chunk-sse": [frame({"chunk": "Partial "}), frame({"chunk": "text"}), Drop()],
    "dexto": [
        frame({"content": "Partial "}, event="llm:chunk"),
        frame({"content": "text"}, event="llm:chunk"),
        Drop(),
    ],
}


@pytest.mark.parametrize("fmt", ["chunk-sse", "dexto"])
def test_end_to_end_dropped_connection_is_incomplete(fmt: str) -> None:
    with SSEServer(DROPPED[fmt]) as srv:
        t, events = pipeline(fmt, sse(srv.url, format=fmt))
        at, _ = aio.run(apipeline(fmt, sse(srv.url, format=fmt)))
    for tr in (t, at):
        state = tr.to_dict()
        assert tr.text == "Partial text"
        # The stream stopped with no terminal event: status "error", "stream ended
        # unexpectedly" (end_reason "incomplete"), with the transport's error as the message.
        assert state["status"] == "error"
        assert state["end_reason"] == "incomplete"
        assert state["error"]["message"]
    assert sum(isinstance(e, RunEnd) for e in events) == 1


@pytest.mark.parametrize("fmt", ["chunk-sse", "dexto"])
def test_end_to_end_clean_eof_without_terminal_is_incomplete(fmt: str) -> None:
    with SSEServer(DROPPED[fmt][:-1]) as srv:
        t, _ = pipeline(fmt, sse(srv.url, format=fmt))
    assert t.text == "Partial text"
    assert t.to_dict()["end_reason"] == "incomplete"


def test_end_to_end_http_error_before_any_event() -> None:
    with SSEServer(status=500, error_body={"error": "overloaded"}) as srv:
        t, _ = pipeline("dexto", sse(srv.url, format="dexto"))
    state = t.to_dict()
    assert state["status"] == "error"
    assert "500" in state["error"]["message"]
    assert "overloaded" in state["error"]["message"]
    assert t.text == ""


def test_end_to_end_connect_error() -> None:
    with SSEServer() as srv:
        url = srv.url
    t, _ = pipeline("chunk-sse", sse(url, timeout=2.0))
    assert t.to_dict()["status"] == "error"
    assert httpx.ConnectError.__name__ in t.to_dict()["error"]["message"]
