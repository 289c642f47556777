"""format="auto": the first item of every recorded stream is recognised as its own format;
keep-alives before it are skipped; an openai stream is known by its type."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nbagent.adapters import ADAPTERS, UnknownFormatError, detect_format
from nbagent.adapters.base import ServerSentEvent

FIXTURES = Path(__file__).parent / "fixtures"
# Fixture folders whose lines are the wire payloads themselves (one JSON item a line).
PLAIN = sorted(d.name for d in FIXTURES.iterdir() if d.is_dir() and d.name in ADAPTERS)


def first_items(fmt: str) -> list[tuple[str, str]]:
    items = []
    for path in sorted((FIXTURES / fmt).glob("*.jsonl")):
        lines = [ln for ln in path.read_text().splitlines() if ln.strip()]
        if lines:
            items.append((path.stem, lines[0]))
    return items


CASES = [(fmt, name, line) for fmt in PLAIN for name, line in first_items(fmt)]


@pytest.mark.parametrize(("fmt", "name", "line"), CASES, ids=[f"{c[0]}/{c[1]}" for c in CASES])
def test_first_item_is_detected_as_its_format(fmt: str, name: str, line: str) -> None:
    payload = json.loads(line)
    if isinstance(payload, dict) and set(payload) == {"sse_event", "data"}:
        # A line of an SSE stream whose event name says what the data is (Assistants):
        # the item nbagent.sse() yields for it is detected.
        data = payload["data"] if isinstance(payload["data"], str) else json.dumps(payload["data"])
        assert detect_format(ServerSentEvent(data=data, event=payload["sse_event"])) == fmt
        return
    assert detect_format(payload) == fmt
    if not isinstance(payload, str):  # raw text lines (Vercel's v4 data stream) are not SSE
        assert detect_format(ServerSentEvent(data=line)) == fmt


def test_every_registered_format_has_a_detector() -> None:
    assert set(ADAPTERS) >= {"events", "text", "openai-chat", "anthropic", "ag-ui"}


def test_an_unknown_item_names_the_known_formats() -> None:
    with pytest.raises(UnknownFormatError) as info:
        detect_format({"no": "format"})
    for name in ADAPTERS:
        assert name in str(info.value)


CHUNK = '{"id": "c", "model": "m", "choices": [{"index": 0, "delta": {"content": "Hi"}}]}'
KEEPALIVES = [
    ServerSentEvent(data=": OPENROUTER PROCESSING"),  # a comment a proxy relayed as data
    ServerSentEvent(data="{}", event="ping"),
    ServerSentEvent(data=""),
    ServerSentEvent(data='{"type": "ping"}'),
    ServerSentEvent(data='{"id": "c", "choices": []}'),  # no choices, no usage
    "data: : keep-alive",
]


@pytest.mark.parametrize("keepalive", KEEPALIVES, ids=repr)
def test_keepalives_before_the_first_data_frame_are_skipped(keepalive: object) -> None:
    from nbagent import Transcript, iter_events

    items = [keepalive, keepalive, ServerSentEvent(data=CHUNK), ServerSentEvent(data="[DONE]")]
    t = Transcript.from_events(iter_events(items))
    assert (t.text, t.status) == ("Hi", "completed")


def test_a_chunk_that_carries_data_is_no_keepalive() -> None:
    from nbagent.adapters.base import is_keepalive

    azure_filter = {"id": "", "choices": [], "prompt_filter_results": [{"prompt_index": 0}]}
    usage_only = {"id": "c", "choices": [], "usage": {"prompt_tokens": 3}}
    for item in (azure_filter, usage_only, ServerSentEvent(data=CHUNK), CHUNK):
        assert not is_keepalive(item)


def _openai_client(body: bytes, asynchronous: bool = False) -> object:
    import httpx
    import openai

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    transport = httpx.MockTransport(answer)
    if asynchronous:
        return openai.AsyncOpenAI(
            api_key="x",
            base_url="http://127.0.0.1:9/v1",
            http_client=httpx.AsyncClient(transport=transport),
        )
    return openai.OpenAI(
        api_key="x", base_url="http://127.0.0.1:9/v1", http_client=httpx.Client(transport=transport)
    )


PING_FIRST = b"event: ping\ndata: {}\n\n: keep-alive\n\ndata: " + CHUNK.encode() + b"\n\n"


@pytest.mark.parametrize(
    ("body", "status", "end_reason"),
    [
        (PING_FIRST + b"data: [DONE]\n\n", "completed", "unknown"),  # [DONE], no finish_reason
        (PING_FIRST, "error", "incomplete"),  # closed with neither
    ],
)
def test_an_openai_stream_is_chat_by_its_type_and_its_done_ends_the_answer(
    body: bytes, status: str, end_reason: str
) -> None:
    """The client reads a ping frame as an empty chunk and consumes ``[DONE]``: nbagent knows
    the format from the stream's type and sees the ``[DONE]`` its client swallowed."""
    import asyncio

    from nbagent import Transcript, aiter_events, iter_events

    client: Any = _openai_client(body)
    stream = client.chat.completions.create(model="m", messages=[], stream=True)
    t = Transcript.from_events(iter_events(stream))
    assert (t.text, t.status, t.end_reason) == ("Hi", status, end_reason)

    async def read_async() -> Transcript:
        aclient: Any = _openai_client(body, asynchronous=True)
        astream = await aclient.chat.completions.create(model="m", messages=[], stream=True)
        return Transcript.from_events([ev async for ev in aiter_events(astream)])

    t = asyncio.run(read_async())
    assert (t.text, t.status, t.end_reason) == ("Hi", status, end_reason)
