"""The Vercel AI UI message stream from pydantic-ai (``pydantic_ai.ui.vercel_ai``): its chunk
objects (``TextDeltaChunk``…, from ``VercelAIAdapter.run_stream()`` of an agent driven by its
``FunctionModel``), its encoded SSE (``encode_stream``), served over HTTP to ``nbagent.sse``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.frameworks.conftest import need

need("pydantic_ai")

from pydantic_ai.ui.vercel_ai import VercelAIAdapter  # noqa: E402
from pydantic_ai.ui.vercel_ai import response_types as chunks  # noqa: E402
from pydantic_ai.ui.vercel_ai.request_types import (  # noqa: E402
    SubmitMessage,
    TextUIPart,
    UIMessage,
)

import nbagent  # noqa: E402
from nbagent.adapters import detect_format  # noqa: E402
from nbagent.adapters.vercel_ui import VercelUiAdapter  # noqa: E402
from nbagent.core.events import Event, StepStart  # noqa: E402
from nbagent.transcript.transcript import Transcript  # noqa: E402
from tests import aio  # noqa: E402
from tests.frameworks.pydantic_weather import weather_agent  # noqa: E402
from tests.frameworks.untimed import state  # noqa: E402
from tests.sse_servers import SSEServer  # noqa: E402

FIXTURES = Path(__file__).parent.parent / "fixtures" / "vercel-ui"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.jsonl") if p.stem != "v4_data_stream")

CHUNK_CLASSES: dict[str, type[chunks.BaseChunk]] = {
    cls.model_fields["type"].default: cls
    for cls in vars(chunks).values()
    if isinstance(cls, type)
    and issubclass(cls, chunks.BaseChunk)
    and isinstance(cls.model_fields.get("type") and cls.model_fields["type"].default, str)
}
"""pydantic-ai's chunk class of each part type."""


def chunk(part: dict[str, Any]) -> chunks.BaseChunk | None:
    """A part as pydantic-ai's chunk object; None for a type it has no class for."""
    kind = part["type"]
    cls = chunks.DataChunk if kind.startswith("data-") else CHUNK_CLASSES.get(kind)
    return cls.model_validate(part) if cls is not None else None


def transcript(items: Any) -> Transcript:
    return Transcript.from_events(nbagent.iter_events(items))


@pytest.mark.parametrize("name", NAMES)
def test_every_fixture_as_pydantic_ai_chunks_reads_like_its_json(name: str) -> None:
    text = (FIXTURES / f"{name}.jsonl").read_text()
    parts = [json.loads(ln) for ln in text.splitlines() if ln.strip() and ln.strip() != "[DONE]"]
    pairs = [(p, chunk(p)) for p in parts if isinstance(p, dict) and "type" in p]
    known = [(p, c) for p, c in pairs if c is not None]  # pydantic-ai has a class for these
    assert known
    assert detect_format(known[0][1]) == "vercel-ui"
    want = state(transcript([p for p, _ in known]))
    assert state(transcript([c for _, c in known])) == want


# -- pydantic-ai's VercelAIAdapter ------------------------------------------------------------


def vercel_adapter() -> VercelAIAdapter[None, str]:
    agent = weather_agent()
    request = SubmitMessage(
        id="req1",
        messages=[UIMessage(id="u1", role="user", parts=[TextUIPart(text="Weather in Paris?")])],
    )
    return VercelAIAdapter(agent=agent, run_input=request, sdk_version=6)


def check_weather_run(t: Transcript, result: Any, events: list[Event]) -> None:
    assert t.text == result.output == "The weather is sunny."
    assert t.thinking == "I should check the tool."
    assert "check the tool" not in t.text
    assert [(c.name, c.args, c.result) for c in t.tool_calls] == [
        ("weather", {"city": "Paris"}, "sunny in Paris")
    ]
    assert (t.status, t.end_reason) == ("completed", "completed")
    assert len([e for e in events if isinstance(e, StepStart)]) == 2  # one per model call
    assert len(t.steps) == 2


def test_pydantic_ai_chunk_objects_shown() -> None:
    results: list[Any] = []

    async def keep(result: Any) -> None:
        results.append(result)

    async def main() -> tuple[Transcript, list[Event]]:
        stream = vercel_adapter().run_stream(on_complete=keep)
        run = nbagent.show(stream)
        transcript = await run
        return transcript, list(run.events)

    t, events = aio.run(main())
    check_weather_run(t, results[0], events)


def test_pydantic_ai_chunk_objects_are_detected_by_type() -> None:
    assert VercelUiAdapter.detect(chunks.TextDeltaChunk(id="t", delta="x"))
    assert VercelUiAdapter.detect(chunks.StartChunk())
    assert VercelUiAdapter.detect(chunks.ErrorChunk(error_text="boom"))
    assert not VercelUiAdapter.detect(chunks.DoneChunk())  # only the transport's end
    assert VercelUiAdapter().feed(chunks.DoneChunk()) == []


def test_pydantic_ai_encoded_stream_as_strings_and_served() -> None:
    results: list[Any] = []

    async def keep(result: Any) -> None:
        results.append(result)

    async def frames() -> list[str]:
        adapter = vercel_adapter()
        return [f async for f in adapter.encode_stream(adapter.run_stream(on_complete=keep))]

    lines = aio.run(frames())
    assert lines[-1].strip() == "data: [DONE]"
    events = list(nbagent.iter_events(lines))
    check_weather_run(Transcript.from_events(events), results[0], events)
    with SSEServer([f.encode() for f in lines]) as srv:
        served = list(nbagent.iter_events(nbagent.sse(srv.url, json={"id": "req1"})))
    assert served[0].source == "vercel-ui"
    assert state(Transcript.from_events(served)) == state(Transcript.from_events(events))
