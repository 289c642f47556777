"""A Chat Completions answer spoken (``modalities=["text", "audio"]``): the answer arrives only
as ``delta.audio.transcript`` (``ChoiceDeltaAudio``), read as the text, through the ``openai``
SDK's stream and ``nbagent.sse``; the audio's base64 pieces are one ``Media`` at the end (a
streamed WAV's sizes mended), its id and expiry stay on ``Custom("openai.audio")`` events, in
order."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import openai

import nbagent
from nbagent.adapters.openai_chat.audio import AUDIO
from nbagent.core.data.media import mend_wav
from nbagent.core.events import Custom, Event, Media
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
    """The fixture's ``delta.audio`` pieces: the pieces' audio data, and the rest of the pieces
    without their transcript (what the ``Custom`` events keep)."""
    pieces = [c["choices"][0]["delta"].get("audio") for c in chunks() if c["choices"]]
    return [p for p in pieces if p]


def sound() -> bytes:
    return b"".join(base64.b64decode(p["data"]) for p in audio_pieces() if "data" in p)


def check(events: list[Event]) -> None:
    t = nbagent.Transcript.from_events(events)
    d = t.to_dict()
    assert (t.text, d["status"], d["end_reason"]) == ("Hello from Oslo!", "completed", "completed")
    assert d["usage"]["output_tokens"] == 41
    kept = [e.value for e in events if isinstance(e, Custom) and e.name == AUDIO]
    rest = [{k: v for k, v in p.items() if k in ("id", "expires_at")} for p in audio_pieces()]
    assert kept == [p for p in rest if p]
    (said,) = [e for e in events if isinstance(e, Media)]  # the pieces, in order, once
    assert (said.media_id, said.data) == (
        "audio_6771c0a8e4f08190",
        base64.b64encode(sound()).decode(),
    )
    (block,) = [b for b in d["blocks"] if b["type"] == "media"]
    assert [b["type"] for b in d["blocks"]] == ["text", "media"]  # the player under the words
    assert block["mime"] == "audio/wav"
    assert base64.b64decode(block["data"]) == mend_wav(sound())  # its data size mended


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
