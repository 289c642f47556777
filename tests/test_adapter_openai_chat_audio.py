"""A Chat Completions answer spoken (``modalities=["text", "audio"]``): the answer arrives only
as ``delta.audio.transcript`` (``ChoiceDeltaAudio``), read as the text, through the ``openai``
SDK's stream and ``nbagent.sse``; the audio's id, base64 pieces and expiry stay on
``Custom("openai.audio")`` events, in order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openai

import nbagent
from nbagent.adapters.openai_chat.audio import AUDIO
from nbagent.core.events import Custom, Event
from tests.servers import OpenAIServer

FIXTURE = Path(__file__).parent / "fixtures" / "openai-chat" / "audio_transcript.jsonl"
CREATE: dict[str, Any] = {
    "model": "gpt-4o-audio-preview",
    "modalities": ["text", "audio"],
    "audio": {"voice": "alloy", "format": "wav"},
    "messages": [{"role": "user", "content": "Say hello from Oslo"}],
    "stream": True,
    "stream_options": {"include_usage": True},
}


def chunks() -> list[dict[str, Any]]:
    lines = [ln for ln in FIXTURE.read_text().splitlines() if ln.strip() and ln != "[DONE]"]
    return [json.loads(ln) for ln in lines]


def audio_pieces() -> list[dict[str, Any]]:
    """The fixture's ``delta.audio`` pieces without their transcript: what the events keep."""
    pieces = [c["choices"][0]["delta"].get("audio") for c in chunks() if c["choices"]]
    rest = [{k: v for k, v in p.items() if k != "transcript"} for p in pieces if p]
    return [p for p in rest if p]


def check(events: list[Event]) -> None:
    t = nbagent.Transcript.from_events(events)
    d = t.to_dict()
    assert (t.text, d["status"], d["end_reason"]) == ("Hello from Oslo!", "completed", "completed")
    assert d["usage"]["output_tokens"] == 41
    kept = [e.value for e in events if isinstance(e, Custom) and e.name == AUDIO]
    assert kept == audio_pieces()
    assert "".join(p.get("data", "") for p in kept).startswith("UklGR")  # the WAV, in order


def test_the_sdk_stream() -> None:
    with OpenAIServer(script=chunks(), delay=0.0) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=0, timeout=10)
        items = list(client.chat.completions.create(**CREATE))
        assert srv.requests[0]["modalities"] == ["text", "audio"]
    assert type(items[0].choices[0].delta.audio).__name__ == "ChoiceDeltaAudio"
    assert all(not c.choices or not c.choices[0].delta.content for c in items)
    check(list(nbagent.iter_events(iter(items))))


def test_nbagent_sse() -> None:
    with OpenAIServer(script=chunks(), delay=0.0) as srv:
        source = nbagent.sse(srv.base_url + "/chat/completions", method="POST", json=CREATE)
        check(list(nbagent.iter_events(source)))


def test_a_transcript_after_thinking_closes_it() -> None:
    """A gateway that streams reasoning first, then the spoken answer."""
    think = {"choices": [{"index": 0, "delta": {"reasoning_content": "Greet."}}], "id": "c"}
    said = {"choices": [{"index": 0, "delta": {"audio": {"transcript": "Hi"}}}], "id": "c"}
    end = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "id": "c"}
    t = nbagent.Transcript.from_events(nbagent.iter_events([think, said, end]))
    assert (t.thinking, t.text) == ("Greet.", "Hi")
    assert [b["type"] for b in t.blocks] == ["thinking", "text"]
