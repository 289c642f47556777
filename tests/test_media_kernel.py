"""Pictures and sounds a model made, in a real kernel: OpenAI's image generation streamed by the
``openai`` SDK from a local server (the recorded stream of
``tests/fixtures/openai-responses/image_generation.jsonl``), shown by ``nbagent.show``: the
media chunk goes to the code model with the first media block, once; the widget's final state
and the cell's static copy hold the image; a part over the saved bound is said in a line in
both, the bytes the page got live bounded by what came."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nbagent.widget.chunks import chunk
from tests.kernel import Kernel, widget_traffic
from tests.sse_servers import SSEServer, frame

pytestmark = pytest.mark.kernel

KERNEL_SETUP = "import nbagent, openai"
FIXTURE = Path(__file__).parent / "fixtures" / "openai-responses" / "image_generation.jsonl"


def wire() -> list[dict[str, Any]]:
    return [json.loads(line) for line in FIXTURE.read_text().splitlines() if line.strip()]


def chunk_sends(kernel: Kernel, since: int, name: str) -> int:
    """How many comm messages after ``since`` set the code model's trait ``name``."""
    return sum(
        1
        for m in kernel.messages()[since:]
        if m["msg_type"] in ("comm_msg", "comm_open")
        and chunk(name)
        and m["content"].get("data", {}).get("state", {}).get(name) == chunk(name)
    )


def html_outputs(kernel: Kernel, since: int) -> list[str]:
    return [
        m["content"]["data"]["text/html"]
        for m in kernel.messages()[since:]
        if m["msg_type"] in ("display_data", "update_display_data")
        and "text/html" in m["content"].get("data", {})
    ]


def test_an_image_generation_shows_in_a_kernel(new_kernel: Callable[[str], Kernel]) -> None:
    """A kernel of its own: the session's may have sent the media chunk in an earlier module."""
    kernel = new_kernel(KERNEL_SETUP)
    events = wire()
    done = [e["item"] for e in events if e["type"] == "response.output_item.done"]
    result = next(item["result"] for item in done if "result" in item)
    with SSEServer([frame(e, event=e["type"]) for e in events]) as srv:
        since = len(kernel.messages())
        kernel.execute(
            f"client = openai.OpenAI(base_url='http://127.0.0.1:{srv.port}/v1', api_key='t')\n"
            "run = nbagent.show(client.responses.create(model='gpt-5', input='draw', "
            "stream=True))\n"
            "t = run.wait(30)\n"
        )
    (w,) = widget_traffic(kernel.messages(), since)["widgets"]
    blocks = w["final"]["state"]["blocks"]
    assert [b["type"] for b in blocks] == ["tool", "media"]
    assert (blocks[1]["mime"], blocks[1]["data"]) == ("image/webp", result)
    assert kernel.value("[b['type'] for b in run.transcript.blocks]") == ["tool", "media"]
    assert chunk_sends(kernel, since, "media") == 1
    assert any(f'src="data:image/webp;base64,{result}"' in h for h in html_outputs(kernel, since))


def test_a_part_over_the_saved_bound_is_a_line_in_the_saved_output(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute(
        "import base64, struct, zlib\n"
        "from nbagent.core.data.limits import MEDIA_SAVED_BYTES\n"
        "ihdr = struct.pack('>IIBBBBB', 2048, 2048, 8, 2, 0, 0, 0)\n"
        "head = b'\\x89PNG\\r\\n\\x1a\\n' + struct.pack('>I', 13) + b'IHDR' + ihdr\n"
        "head += struct.pack('>I', zlib.crc32(b'IHDR' + ihdr))\n"
        "big = base64.b64encode(head + bytes(MEDIA_SAVED_BYTES + 300_000)).decode()\n"
        "events = [nbagent.RunStart(model='m'), nbagent.TextDelta(message_id='t', delta='Big:'),\n"
        "          nbagent.Media(media_id='i', mime='image/png', data=big), nbagent.RunEnd()]\n"
        "run = nbagent.show(events)\n"
        "t = run.wait(30)\n"
    )
    (w,) = widget_traffic(kernel.messages(), since)["widgets"]
    image = w["final"]["state"]["blocks"][1]
    assert (image["data"], image["line"]) == ("", "image/png, 2.3 MB, not saved")
    html = html_outputs(kernel, since)[-1]
    assert "image/png, 2.3 MB, not saved" in html
    assert "<img" not in html
    # Live, the page got the image once: the bytes are what came, not one copy per message.
    assert w["bytes"] < 2 * (2_300_000 * 4 // 3)
