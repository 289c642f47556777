"""google-genai's Interactions API: the real ``genai.Client``'s ``interactions.create(...,
stream=True)`` (sync and async) against a local server replaying the wire of
``tests/fixtures/google-interactions`` (SSE, ``event:`` named, ``[DONE]`` last); its event
objects, and the same wire through ``nbagent.sse``, read with no ``format=``, as the fixture's
dicts are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import nbagent
from nbagent.adapters import detect_format
from nbagent.core.events import Event
from tests import aio
from tests.adapter_harness import fixture_lines
from tests.frameworks.conftest import need
from tests.sse_servers import SSEServer, frame
from tests.test_adapter_google_interactions import summary
from tests.wait import PATIENCE

genai = need("google.genai")
types = need("google.genai.types")

FIXTURES = Path(__file__).parents[1] / "fixtures" / "google-interactions"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.jsonl"))
MODEL = "gemini-3-flash-preview"


def wire(name: str) -> list[bytes]:
    """The fixture as the API sends it: each event named by its type."""
    out = []
    for line in fixture_lines(FIXTURES / f"{name}.jsonl"):
        event = "done" if line == "[DONE]" else json.loads(line)["event_type"]
        out.append(frame(line, event=event))
    return out


def client(srv: SSEServer) -> Any:
    options = types.HttpOptions(base_url=f"http://127.0.0.1:{srv.port}")
    return genai.Client(api_key="test", http_options=options)


def expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.expected.json").read_text())
    return data


def check(name: str, events: list[Event]) -> None:
    got = summary(nbagent.Transcript.from_events(events), events)
    want = expected(name)
    if name == "error_mid_stream":  # the SDK raises on the error event: the pipeline ends it
        assert "quota exceeded" in got["error"]["message"]
        got["error"] = want["error"]
    assert got == want


@pytest.mark.filterwarnings("ignore:Interaction stopped before completion")  # paused
@pytest.mark.parametrize("name", NAMES)
def test_the_sdk_stream(name: str) -> None:
    with SSEServer(wire(name)) as srv:
        held = client(srv)  # held: a collected client closes its connections
        # the pause as the caller sees it (the SDK would go on: a request for the next hop)
        more = {"automatic_continuation": False} if name == "paused" else {}
        items = list(held.interactions.create(model=MODEL, input="hi", stream=True, **more))
        request = srv.requests[0]
    assert request["path"].endswith("/interactions")
    assert (request["body"]["stream"], len(srv.requests)) == (True, 1)
    assert type(items[0]).__name__ == "InteractionCreatedEvent"
    assert detect_format(items[0]) == "google-interactions"
    check(name, list(nbagent.iter_events(iter(items))))


@pytest.mark.parametrize("name", ["text_thinking", "search_then_function", "continuation"])
def test_the_async_sdk_stream(name: str) -> None:
    async def main(srv: SSEServer) -> list[Event]:
        held = client(srv)
        stream = await held.aio.interactions.create(model=MODEL, input="hi", stream=True)
        return [e async for e in nbagent.aiter_events(stream)]

    with SSEServer(wire(name)) as srv:
        check(name, aio.run(main(srv)))


@pytest.mark.parametrize("name", NAMES)
def test_nbagent_sse(name: str) -> None:
    with SSEServer(wire(name)) as srv:
        url = f"http://127.0.0.1:{srv.port}/v1beta/interactions"
        source = nbagent.sse(url, json={"model": MODEL, "input": "hi", "stream": True})
        events = list(nbagent.iter_events(source))
    assert summary(nbagent.Transcript.from_events(events), events) == expected(name)


def test_show_reads_the_sdk_stream() -> None:
    with SSEServer(wire("text_thinking")) as srv:
        held = client(srv)
        run = nbagent.show(held.interactions.create(model=MODEL, input="hi", stream=True))
        t = run.wait(PATIENCE)
    assert run.format == "google-interactions"
    assert (t.text, t.to_dict()["status"]) == (expected("text_thinking")["text"], "completed")
