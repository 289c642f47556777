"""anthropic: the real ``anthropic.Anthropic`` (and ``AsyncAnthropic``) against a local server
speaking the Messages SSE stream: ``messages.create(stream=True)``, the ``MessageStream`` of
``messages.stream(...)`` and its ``MessageStreamManager`` itself (a context manager)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import nbagent
from nbagent.core.events import Custom, Event, RunEnd, TextDelta, ThinkingDelta
from tests import aio
from tests.frameworks.conftest import need
from tests.sse_servers import FIXTURES, Pause, SSEServer, frame
from tests.wait import PATIENCE, wait_for

anthropic = need("anthropic")

MODEL = "claude-test-model"


def ev(data: dict[str, Any]) -> bytes:
    return frame(data, event=data["type"])


def block(index: int, content: dict[str, Any]) -> bytes:
    return ev({"type": "content_block_start", "index": index, "content_block": content})


def delta(index: int, data: dict[str, Any]) -> bytes:
    return ev({"type": "content_block_delta", "index": index, "delta": data})


def stop(index: int) -> bytes:
    return ev({"type": "content_block_stop", "index": index})


START = ev(
    {
        "type": "message_start",
        "message": {
            "id": "msg_01XYZ",
            "type": "message",
            "role": "assistant",
            "model": MODEL,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 420, "cache_read_input_tokens": 100, "output_tokens": 1},
        },
    }
)
SCRIPT = [
    START,
    block(0, {"type": "thinking", "thinking": "", "signature": ""}),
    delta(0, {"type": "thinking_delta", "thinking": "Weather needs "}),
    delta(0, {"type": "thinking_delta", "thinking": "a tool."}),
    delta(0, {"type": "signature_delta", "signature": "EqQBsig=="}),
    stop(0),
    ev({"type": "ping"}),
    block(1, {"type": "text", "text": ""}),
    delta(1, {"type": "text_delta", "text": "Let me "}),
    delta(1, {"type": "text_delta", "text": "check."}),
    stop(1),
    block(2, {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {}}),
    delta(2, {"type": "input_json_delta", "partial_json": ""}),
    delta(2, {"type": "input_json_delta", "partial_json": '{"city": "Pa'}),
    delta(2, {"type": "input_json_delta", "partial_json": 'ris"}'}),
    stop(2),
    ev(
        {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use", "stop_sequence": None},
            "usage": {"output_tokens": 87},
        }
    ),
    ev({"type": "message_stop"}),
]
KWARGS: dict[str, Any] = {
    "model": MODEL,
    "max_tokens": 1024,
    "messages": [{"role": "user", "content": "Weather in Paris?"}],
    "thinking": {"type": "enabled", "budget_tokens": 512},
}


def client(srv: SSEServer) -> Any:
    return anthropic.Anthropic(
        base_url=f"http://127.0.0.1:{srv.port}", api_key="test", max_retries=0
    )


def final_message() -> Any:
    """What the SDK itself makes of the stream."""
    with SSEServer(SCRIPT) as srv, client(srv).messages.stream(**KWARGS) as stream:
        return stream.get_final_message()


def check(events: list[Event], message: Any) -> None:
    t = nbagent.Transcript.from_events(events)
    text = "".join(b.text for b in message.content if b.type == "text")
    thinking = "".join(b.thinking for b in message.content if b.type == "thinking")
    assert (t.text, t.thinking) == (text, thinking) == ("Let me check.", "Weather needs a tool.")
    assert "tool." not in t.text
    (use,) = [b for b in message.content if b.type == "tool_use"]
    (call,) = t.tool_calls
    assert (call.id, call.name, call.args) == (use.id, use.name, use.input)
    assert t.usage.input_tokens == message.usage.input_tokens
    assert t.usage.output_tokens == message.usage.output_tokens == 87
    assert t.usage.cached_input_tokens == message.usage.cache_read_input_tokens
    d = t.to_dict()
    assert (d["model"], d["end_reason"]) == (message.model, "tool_calls")
    assert [s["id"] for s in d["steps"]] == [message.id]
    assert not [e for e in events if isinstance(e, Custom)]  # no echo of the derived events


def test_create_stream_true() -> None:
    with SSEServer(SCRIPT) as srv:
        stream = client(srv).messages.create(**KWARGS, stream=True)
        events = list(nbagent.iter_events(stream))
        assert srv.requests[0]["path"] == "/v1/messages"
    check(events, final_message())


def test_the_message_stream_and_its_derived_events() -> None:
    with SSEServer(SCRIPT) as srv, client(srv).messages.stream(**KWARGS) as stream:
        events = list(nbagent.iter_events(stream))
        # nbagent read the stream to its message_stop and closed it: the SDK's own snapshot of
        # the message is what it accumulated (get_final_message() would read on, from a
        # closed response)
        message = stream.current_message_snapshot
    check(events, message)
    assert len([e for e in events if isinstance(e, TextDelta)]) == 2
    assert len([e for e in events if isinstance(e, ThinkingDelta)]) == 2


def test_show_takes_the_stream_manager() -> None:
    with SSEServer(SCRIPT) as srv:
        manager = client(srv).messages.stream(**KWARGS)
        assert not hasattr(manager, "__iter__")  # a context manager, not a stream
        run = nbagent.show(manager)
        t = run.wait(PATIENCE)
        assert run.format == "anthropic"
        events = list(run.events)
    check(events, final_message())
    assert t.to_dict()["status"] == "completed"


def test_async_stream_manager() -> None:
    async def main(srv: SSEServer) -> list[Event]:
        async_client = anthropic.AsyncAnthropic(
            base_url=f"http://127.0.0.1:{srv.port}", api_key="test", max_retries=0
        )
        return [e async for e in nbagent.aiter_events(async_client.messages.stream(**KWARGS))]

    with SSEServer(SCRIPT) as srv:
        events = aio.run(main(srv))
    check(events, final_message())


def test_stop_closes_the_response() -> None:
    # Paused far longer than the test (the server's stop ends the pause): only the client's
    # close can end the response while it is checked.
    with SSEServer([*SCRIPT[:9], Pause(600)]) as srv:
        run = nbagent.show(client(srv).messages.stream(**KWARGS))
        wait_for(lambda: "Let me" in run.transcript.text, what="the first words")
        run.cancel()
        t = run.wait(PATIENCE)
        assert srv.wait_disconnect(PATIENCE)  # the manager's exit closed the HTTP response
    assert t.to_dict()["status"] == "cancelled"
    assert t.text == "Let me "
    assert isinstance(run.events[-1], RunEnd)


def seen(t: nbagent.Transcript) -> list[dict[str, Any]]:
    """What the user reads of each block (no times)."""
    keys = ("type", "id", "name", "title", "text", "result", "state", "status")
    return [{k: b.get(k) for k in keys} for b in t.to_dict()["blocks"]]


def replayed(name: str, read: Any) -> tuple[nbagent.Transcript, Any]:
    """``tests/fixtures/anthropic/<name>``'s events served as SSE (each named by its type, as
    the SDK reads them) and read by ``read(client)``
    (the SDK's stream: ``(stream, its message snapshot or None)``); and through nbagent.sse."""
    lines = (FIXTURES / "anthropic" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    with SSEServer([ev(json.loads(line)) for line in lines if line.strip()]) as srv:
        stream, snapshot = read(client(srv))
        t = nbagent.Transcript.from_events(nbagent.iter_events(stream))
        via_sse = nbagent.Transcript.from_events(
            nbagent.iter_events(nbagent.sse(f"{srv.url}/v1/messages", json=KWARGS))
        )
    assert seen(via_sse) == seen(t)
    assert (via_sse.status, via_sse.end_reason) == (t.status, t.end_reason)
    return t, snapshot() if snapshot else None


def test_a_continuation_names_the_result_of_the_previous_responses_call() -> None:
    """After pause_turn the next response opens with the web search's result; its call came
    in the response before: the panel is named ``web_search``, id the SDK's tool_use_id."""

    def create(c: Any) -> tuple[Any, None]:
        return c.messages.create(**KWARGS, stream=True), None

    def stream(c: Any) -> tuple[Any, Any]:
        manager = c.messages.stream(**KWARGS)
        s = manager.__enter__()
        return s, lambda: s.current_message_snapshot

    for read in (create, stream):
        t, message = replayed("pause_turn_continuation", read)
        (call,) = t.tool_calls
        assert (call.id, call.name) == ("srvtoolu_1", "web_search")
        assert t.text == "nbagent renders agent streams in Jupyter."
        if message is not None:
            assert message.content[0].type == "web_search_tool_result"
            assert message.content[0].tool_use_id == call.id


def test_context_compaction_through_the_beta_stream() -> None:
    """The beta Messages stream's compaction block (and the SDK's derived ``compaction``
    event): a "Context compacted" note with the summary the SDK accumulated."""

    def stream(c: Any) -> tuple[Any, Any]:
        s = c.beta.messages.stream(**KWARGS).__enter__()
        return s, lambda: s.current_message_snapshot

    def create(c: Any) -> tuple[Any, None]:
        return c.beta.messages.create(**KWARGS, stream=True), None

    for read in (stream, create):
        t, message = replayed("compaction", read)
        (note,) = [b for b in t.to_dict()["blocks"] if b["type"] == "note"]
        assert (note["kind"], note["title"]) == ("compaction", "Context compacted")
        if message is not None:
            assert message.content[0].type == "compaction"
            assert note["text"] == message.content[0].content
        assert t.text == "Next, the export tests."


def test_prompt_cache_writes_are_counted_priced_and_said() -> None:
    """50,000 tokens written to the prompt cache (20,000 of them for an hour) and 1,200 read,
    through ``messages.stream`` and ``create(stream=True)``: the run counts them as the SDK's
    own message does, costs what genai-prices' Anthropic extractor makes of that message, and
    its status line says them."""
    from datetime import datetime, timezone

    from nbagent.transcript.export.status import detail_lines, status_parts

    genai_prices = pytest.importorskip("genai_prices")

    def stream(c: Any) -> tuple[Any, Any]:
        s = c.messages.stream(**KWARGS).__enter__()
        return s, lambda: s.current_message_snapshot

    def create(c: Any) -> tuple[Any, None]:
        return c.messages.create(**KWARGS, stream=True), None

    t, message = replayed("cache_writes", stream)
    u = message.usage  # the SDK's own accumulation of the stream
    assert (u.cache_creation_input_tokens, u.cache_creation.ephemeral_1h_input_tokens) == (
        50_000,
        20_000,
    )
    when = datetime.fromtimestamp(t.to_dict()["started_at"], tz=timezone.utc)
    extracted = genai_prices.extract_usage(message.model_dump(), provider_id="anthropic")
    want = float(extracted.calc_price(genai_request_timestamp=when).total_price)
    as_input = genai_prices.Usage(input_tokens=51_203, cache_read_tokens=1200, output_tokens=10)
    plain = genai_prices.calc_price(
        as_input, message.model, provider_id="anthropic", genai_request_timestamp=when
    )
    assert want > float(plain.total_price)  # written tokens cost more than plain input
    for run in (t, replayed("cache_writes", create)[0]):
        got = run.usage
        assert (got.input_tokens, got.cached_input_tokens, got.output_tokens) == (
            u.input_tokens,
            u.cache_read_input_tokens,
            u.output_tokens,
        )
        assert (got.cache_write_tokens, got.cache_write_1h_tokens) == (50_000, 20_000)
        assert got.total_tokens == 3 + 1200 + 50_000 + 10
        assert run.cost_usd == pytest.approx(want)
        d = run.to_dict()
        assert status_parts(d, d["ended_at"])[-2:] == ["51,213 tokens", "$0.233"]
        assert detail_lines(d, d["ended_at"])[0] == (
            "in 3 · cached 1,200 · cache write 50,000 · out 10 · total 51,213 tokens"
        )
