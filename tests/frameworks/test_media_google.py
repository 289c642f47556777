"""Pictures and sounds from Gemini, through google-genai's own client against a local server
and through ``nbagent.sse``:

- ``generate_content_stream``'s ``inline_data`` parts (``tests/fixtures/google-genai``):
  an image (``image.jsonl``, as gemini-3-pro-image-preview streamed it in vercel/ai's
  recording), thinking images a later image replaces (``image_thoughts.jsonl``), speech in raw
  ``audio/L16`` pieces (``speech.jsonl``); the SDK gives the data as bytes, the REST API as
  base64;
- the Interactions API's ``image`` and ``audio`` deltas (``google-interactions/image_audio``)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import nbagent
from nbagent.core.data.media import pcm_wav
from nbagent.core.events import Event, Media
from tests.frameworks.conftest import need
from tests.frameworks.test_google_genai import GeminiServer, frames, stream
from tests.frameworks.test_google_interactions import client, wire
from tests.sse_servers import SSEServer

genai = need("google.genai")

FIXTURES = Path(__file__).parents[1] / "fixtures"
MODEL = "gemini-2.5-flash"


def responses(name: str) -> list[dict[str, Any]]:
    text = (FIXTURES / "google-genai" / f"{name}.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def inline(items: list[dict[str, Any]]) -> list[tuple[dict[str, Any], bool]]:
    """Each ``inlineData`` of the responses, with its part's ``thought``."""
    return [
        (part["inlineData"], part.get("thought") is True)
        for item in items
        for part in item["candidates"][0]["content"]["parts"]
        if "inlineData" in part
    ]


def both(name: str) -> list[list[Event]]:
    """The fixture's events through the SDK's stream and through ``nbagent.sse``."""
    with GeminiServer(frames(responses(name))) as srv:
        chunks = stream(srv)
        url = srv.base_url + f"/v1beta/models/{MODEL}:streamGenerateContent?alt=sse"
        via_sse = list(nbagent.iter_events(nbagent.sse(url)))
    first = next(p for c in chunks for p in c.candidates[0].content.parts if p.inline_data)
    assert isinstance(first.inline_data.data, bytes)  # the SDK decodes it
    return [list(nbagent.iter_events(iter(chunks))), via_sse]


def test_an_image_part() -> None:
    ((blob, _),) = inline(responses("image"))
    for events in both("image"):
        t = nbagent.Transcript.from_events(events)
        (image,) = t.to_dict()["blocks"]
        assert (t.status, t.text) == ("completed", "")
        assert (image["type"], image["mime"], image["data"]) == (
            "media",
            "image/jpeg",
            blob["data"],
        )
        assert (image["width"], image["height"]) == (8, 6)


def test_thinking_images_are_drafts_the_image_replaces() -> None:
    blobs = inline(responses("image_thoughts"))
    for events in both("image_thoughts"):
        said = [(e.partial, e.data) for e in events if isinstance(e, Media)]
        assert said == [(thought, blob["data"]) for blob, thought in blobs]
        assert len({e.media_id for e in events if isinstance(e, Media)}) == 1
        t = nbagent.Transcript.from_events(events)
        kinds = [b["type"] for b in t.to_dict()["blocks"]]
        assert kinds == ["thinking", "media", "text"]
        assert t.to_dict()["blocks"][1]["data"] == blobs[-1][0]["data"]
        assert (t.thinking, t.text) == ("Sketching the composition.", "A golden square.")


def test_speech_pieces_are_one_sound() -> None:
    pcm = b"".join(base64.b64decode(blob["data"]) for blob, _ in inline(responses("speech")))
    for events in both("speech"):
        (sound,) = [e for e in events if isinstance(e, Media)]
        assert sound.mime == "audio/L16;codec=pcm;rate=24000"
        (block,) = nbagent.Transcript.from_events(events).to_dict()["blocks"]
        assert block["mime"] == "audio/wav"
        assert base64.b64decode(block["data"]) == pcm_wav(pcm, 24_000)


def test_interactions_image_and_audio_deltas() -> None:
    lines = (FIXTURES / "google-interactions" / "image_audio.jsonl").read_text().splitlines()
    deltas = [json.loads(ln)["delta"] for ln in lines if '"step.delta"' in ln]
    image = next(d for d in deltas if d["type"] == "image")
    pcm = b"".join(base64.b64decode(d["data"]) for d in deltas if d["type"] == "audio")
    with SSEServer(wire("image_audio")) as srv:
        held = client(srv)
        items = list(held.interactions.create(model="m", input="hi", stream=True))
        url = f"http://127.0.0.1:{srv.port}/v1beta/interactions"
        via_sse = list(nbagent.iter_events(nbagent.sse(url, json={"stream": True})))
    assert any(type(getattr(i, "delta", None)).__name__ == "ImageDelta" for i in items)
    for events in (list(nbagent.iter_events(iter(items))), via_sse):
        t = nbagent.Transcript.from_events(events)
        got = [(b["type"], b.get("mime")) for b in t.to_dict()["blocks"]]
        assert got == [
            ("text", None),
            ("media", "image/png"),
            ("text", None),
            ("media", "audio/wav"),
        ]
        _, shown, _, said = t.to_dict()["blocks"]
        assert shown["data"] == image["data"]
        assert base64.b64decode(said["data"]) == pcm_wav(pcm, 24_000)
        assert t.text == "A green square: and its name, said."
