"""Pictures and sounds a model made, in real Chromium.

In the bare page (the built bundle and media chunk, a fake model): a partial image replaced by
the image, a sound, and what must never be an element (SVG, bytes that are not what their type
says) stay a line: only nbagent's own checked ``img`` and ``audio`` (``bare/check.js``).

In JupyterLab: OpenAI's image generation streamed by the
``openai`` SDK from a local server (the recorded stream of
``tests/fixtures/openai-responses/image_generation.jsonl``, its partial image then its result)
and a Chat Completions answer spoken as ``pcm16`` (``openai-chat/audio_pcm16.jsonl``), each in
a cell: the image drawn at its size in the answer, the sound a player that has read its
length; both nbagent's own elements (``__nbaViolations``: an ``img`` or ``audio`` only from
checked base64 of its type); then the notebook saved and reopened without its kernel, showing
the same from the saved transcript."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nbagent.widget.output import TRANSCRIPT_MIME
from tests.browser.lab import ROOT_SEL, LabPage
from tests.browser.test_bundle_page import Kernel, assert_clean
from tests.browser.test_reopen import (
    SAVED_SEL,
    reopen_without_kernel,
    saved_notebook,
    wait_output_final,
)
from tests.media_samples import GIF, PNG, SVG, b64, wav
from tests.servers import OpenAIServer
from tests.sse_servers import SSEServer, frame

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).parents[1] / "fixtures"


def lines(path: str) -> list[Any]:
    text = (FIXTURES / path).read_text().splitlines()
    return [json.loads(ln) for ln in text if ln.strip() and ln != "[DONE]"]


def media(block_id: str, **fields: Any) -> dict[str, Any]:
    return {"type": "media", "id": block_id, "mime": "image/png", "data": "", "line": "", **fields}


def test_bare_page_draws_media_and_nothing_else(bare_page_factory: Any) -> None:
    bare = bare_page_factory(manual=True)
    bare.eval("nba.mount()")
    k = Kernel()
    k.start()
    k.ops({"op": "add", "block": media("ig", data=b64(PNG), width=4, height=3, partial=True)})
    k.ops({"op": "set", "i": 0, "set": {"mime": "image/gif", "data": b64(GIF), "partial": False}})
    k.ops(
        {"op": "add", "block": media("a", mime="audio/wav", data=b64(wav()))},
        {"op": "add", "block": media("s", mime="image/svg+xml", data=b64(SVG))},
        {"op": "add", "block": media("p", data=b64(SVG))},
    )
    k.end()
    assert_clean(bare, bare.eval("(m) => nba.stream(m)", k.msgs))
    bare.page.wait_for_function(
        "() => document.querySelector('img.nba-media-image')?.complete === true"
    )
    got = bare.eval(
        """() => ({
          img: [...document.images].map((i) => [i.naturalWidth, i.src.slice(0, 15)]),
          audio: document.querySelectorAll('audio.nba-media-audio').length,
          lines: [...document.querySelectorAll('.nba-media-line')].map((e) => e.textContent),
        })"""
    )
    assert got == {
        "img": [[4, "data:image/gif;"]],
        "audio": 1,
        "lines": ["image/svg+xml, not shown", "image/png, not shown"],
    }
    leaked = "document.querySelectorAll('#app :is(svg:not(.nba-icon), script, style)')"
    assert bare.eval(f"{leaked}.length") == 0


IMAGE_CELL = """\
import nbagent, openai
client = openai.OpenAI(base_url={url!r}, api_key="test", max_retries=0)
run = nbagent.show(client.responses.create(model="gpt-5", input="draw", stream=True))
"""
SPEECH_CELL = """\
import nbagent, openai
client = openai.OpenAI(base_url={url!r}, api_key="test", max_retries=0)
stream = client.chat.completions.create(
    model="gpt-4o-mini-audio-preview", modalities=["text", "audio"], stream=True,
    audio={{"voice": "alloy", "format": "pcm16"}}, messages=[{{"role": "user", "content": "hi"}}],
)
run = nbagent.show(stream)
"""

SHOWN_JS = """(root) => {
  const widgets = [...document.querySelectorAll(root)];
  const img = widgets[0]?.querySelector('img.nba-media-image');
  const audio = widgets[1]?.querySelector('audio.nba-media-audio');
  return {
    image: img && {complete: img.complete, w: img.naturalWidth, h: img.naturalHeight,
                   src: img.getAttribute('src').slice(0, 23), alt: img.alt.slice(0, 24)},
    audio: audio && {controls: audio.controls, ready: audio.readyState,
                     ms: Math.round(audio.duration * 1000)},
    text: widgets[1]?.querySelector('.nba-text')?.textContent.trim(),
    violations: widgets.map((w) => __nbaViolations(w)),
  };
}"""
DRAWN_JS = """(root) => {
  const widgets = [...document.querySelectorAll(root)];
  const img = widgets[0]?.querySelector('img.nba-media-image');
  const audio = widgets[1]?.querySelector('audio.nba-media-audio');
  return !!img && img.complete && img.naturalWidth > 0 && !!audio && audio.readyState >= 1;
}"""


def check_shown(lab: LabPage, root: str) -> None:
    lab.wait_js(DRAWN_JS, root, what="the image decoded and the player's metadata read")
    shown = lab.js(SHOWN_JS, root)
    assert shown["image"] == {
        "complete": True, "w": 6, "h": 4, "src": "data:image/webp;base64,",
        "alt": "Create a high-resolution",
    }  # fmt: skip
    assert shown["audio"] == {"controls": True, "ready": shown["audio"]["ready"], "ms": 100}
    assert shown["text"] == "Hei der!"
    assert shown["violations"] == [[], []]


def test_an_image_and_a_spoken_answer_live_and_reopened(lab: LabPage) -> None:
    responses = lines("openai-responses/image_generation.jsonl")
    with (
        SSEServer([frame(e, event=e["type"]) for e in responses]) as images,
        OpenAIServer(script=lines("openai-chat/audio_pcm16.jsonl"), delay=0.0) as speech,
    ):
        lab.open(
            "media.ipynb",
            [
                IMAGE_CELL.format(url=f"http://127.0.0.1:{images.port}/v1"),
                SPEECH_CELL.format(url=speech.base_url),
            ],
        )
        lab.wait_status("completed", 0)
        lab.wait_status("completed", 1)
    check_shown(lab, ROOT_SEL)

    wait_output_final(lab, 0)
    wait_output_final(lab, 1)
    lab.save()
    nb = saved_notebook(lab)
    kinds = []
    for cell in nb.cells:
        data = cell.outputs[0]["data"]
        blocks = data[TRANSCRIPT_MIME]["runs"][0]["state"]["blocks"]
        media = [b for b in blocks if b["type"] == "media"]
        kinds.append([(b["mime"], bool(b["data"])) for b in media])
        src = f'src="data:{media[0]["mime"]};base64,{media[0]["data"]}"'
        assert src in data["text/html"]
    assert kinds == [[("image/webp", True)], [("audio/wav", True)]]

    reopen_without_kernel(lab)
    lab.page.wait_for_function(
        "(sel) => document.querySelectorAll(sel).length === 2", arg=SAVED_SEL
    )
    check_shown(lab, SAVED_SEL)
