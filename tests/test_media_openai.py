"""Pictures and sounds from OpenAI's APIs and the gateways that speak them, through the
``openai`` SDK's own stream against a local server and through ``nbagent.sse``:

- Responses' image generation (``tests/fixtures/openai-responses/image_generation.jsonl``,
  recorded by vercel/ai): its partial image, then its result, one ``media`` block after the
  call's panel, the revised prompt its words;
- Responses' spoken answer (``audio.jsonl``, from the SDK's ``ResponseAudio*Event`` types):
  the transcript is the text, the ``pcm16`` pieces one WAV;
- Chat Completions' spoken answer streamed as ``pcm16`` (``openai-chat/audio_pcm16.jsonl``);
- OpenRouter's ``delta.images`` (``openai-chat/images_openrouter.jsonl``): the image where it
  came in the answer, the text around it as it came."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import openai

import nbagent
from nbagent.core.data.media import pcm_wav
from nbagent.core.events import Event, Media
from tests.servers import OpenAIServer
from tests.sse_servers import SSEServer, frame

FIXTURES = Path(__file__).parent / "fixtures"


def lines(path: str) -> list[Any]:
    text = (FIXTURES / path).read_text().splitlines()
    return [json.loads(ln) for ln in text if ln.strip() and ln != "[DONE]"]


def blocks(events: list[Event]) -> list[dict[str, Any]]:
    return nbagent.Transcript.from_events(events).to_dict()["blocks"]  # type: ignore[no-any-return]


def responses_wire(name: str) -> list[bytes]:
    """A Responses fixture as the API sends it: each event named by its type."""
    return [frame(d, event=d["type"]) for d in lines(f"openai-responses/{name}.jsonl")]


def responses_sdk(name: str) -> list[Any]:
    with SSEServer(responses_wire(name)) as srv:
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{srv.port}/v1", api_key="test")
        items = list(client.responses.create(model="gpt-5", input="draw", stream=True))
        assert srv.requests[0]["path"] == "/v1/responses"
    return items


def responses_sse(name: str) -> list[Event]:
    with SSEServer(responses_wire(name)) as srv:
        url = f"http://127.0.0.1:{srv.port}/v1/responses"
        return list(nbagent.iter_events(nbagent.sse(url, json={"stream": True})))


def test_image_generation_through_the_sdk_and_nbagent_sse() -> None:
    wire = lines("openai-responses/image_generation.jsonl")
    partial = next(d for d in wire if d["type"].endswith("partial_image"))
    done = next(
        d for d in wire if d["type"] == "response.output_item.done" and "result" in d["item"]
    )
    items = responses_sdk("image_generation")
    assert type(items[7]).__name__ == "ResponseImageGenCallPartialImageEvent"
    for events in (list(nbagent.iter_events(iter(items))), responses_sse("image_generation")):
        said = [e for e in events if isinstance(e, Media)]
        assert [(m.partial, m.data, m.mime) for m in said] == [
            (True, partial["partial_image_b64"], "image/webp"),
            (False, done["item"]["result"], "image/webp"),
        ]
        tool, image = blocks(events)
        assert (tool["type"], tool["name"], tool["state"]) == (
            "tool",
            "image_generation_call",
            "done",
        )
        assert tool["result"]["size"] == "1536x1024"  # what it says of the image, no bytes
        assert image | {"data": ""} == {
            "type": "media", "id": f"{done['item']['id']}:media1", "mime": "image/webp",
            "data": "", "bytes": len(base64.b64decode(done["item"]["result"])), "line": "",
            "width": 6, "height": 4, "alt": done["item"]["revised_prompt"], "partial": False,
        }  # fmt: skip
        assert image["data"] == done["item"]["result"]


def test_a_spoken_response_through_the_sdk_and_nbagent_sse() -> None:
    wire = lines("openai-responses/audio.jsonl")
    pcm = b"".join(
        base64.b64decode(d["delta"]) for d in wire if d["type"] == "response.audio.delta"
    )
    items = responses_sdk("audio")
    assert type(items[3]).__name__ == "ResponseAudioDeltaEvent"
    for events in (list(nbagent.iter_events(iter(items))), responses_sse("audio")):
        t = nbagent.Transcript.from_events(events)
        assert (t.text, t.status) == ("Hello from Oslo!", "completed")
        (text, sound) = t.to_dict()["blocks"]
        assert (text["type"], sound["type"], sound["mime"]) == ("text", "media", "audio/wav")
        assert base64.b64decode(sound["data"]) == pcm_wav(pcm)  # 24 kHz 16-bit mono


CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}


def chat_events(name: str) -> list[list[Event]]:
    """The fixture's events through the SDK's stream and through ``nbagent.sse``."""
    script = lines(f"openai-chat/{name}.jsonl")
    with OpenAIServer(script=script, delay=0.0) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=0, timeout=10)
        sdk = list(nbagent.iter_events(iter(list(client.chat.completions.create(**CHAT)))))
        sse = list(nbagent.iter_events(nbagent.sse(srv.base_url + "/chat/completions", json=CHAT)))
    return [sdk, sse]


def test_a_chat_answer_spoken_as_pcm16() -> None:
    pieces = [
        c["choices"][0]["delta"]["audio"]["data"]
        for c in lines("openai-chat/audio_pcm16.jsonl")
        if c["choices"] and "data" in c["choices"][0]["delta"].get("audio", {})
    ]
    pcm = b"".join(base64.b64decode(p) for p in pieces)
    for events in chat_events("audio_pcm16"):
        t = nbagent.Transcript.from_events(events)
        assert t.text == "Hei der!"
        (_, sound) = t.to_dict()["blocks"]
        assert (sound["id"], sound["mime"]) == ("audio_pcm1", "audio/wav")
        assert base64.b64decode(sound["data"]) == pcm_wav(pcm)


def test_a_gateways_image_in_the_answer_where_it_came() -> None:
    (chunk,) = [c for c in lines("openai-chat/images_openrouter.jsonl") if c["choices"] and
                c["choices"][0]["delta"].get("images")]  # fmt: skip
    url = chunk["choices"][0]["delta"]["images"][0]["image_url"]["url"]
    for events in chat_events("images_openrouter"):
        t = nbagent.Transcript.from_events(events)
        assert t.text == "Here is a purple square: enjoy."  # the text as it came
        got = [(b["type"], b.get("text"), b.get("mime")) for b in t.to_dict()["blocks"]]
        assert got == [
            ("text", "Here is a purple square:", None),
            ("media", None, "image/png"),
            ("text", " enjoy.", None),
        ]
        assert f"data:image/png;base64,{t.to_dict()['blocks'][1]['data']}" == url


def test_an_image_url_that_is_no_data_url_is_never_fetched() -> None:
    image = {"type": "image_url", "image_url": {"url": "https://example.test/cat.png"}}
    chunk = {"id": "c", "choices": [{"index": 0, "delta": {"images": [image]}}]}
    end = {"id": "c", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    (image,) = nbagent.Transcript.from_events(nbagent.iter_events([chunk, end])).to_dict()["blocks"]
    assert (image["data"], image["line"]) == ("", "image at https://example.test/cat.png")
