"""The stream shapes of the providers' newest output, each through its provider's own SDK against
a local server, shown by ``nbagent.show`` in a real kernel: the widget's final state is, but for
its clock, the run the same SDK's stream folds to in this process (the adapters' own tests say
what that run holds). Usage where a gateway puts it (Groq's ``x_groq``, OpenRouter's error
chunk), a lone ``</think>`` (lmdeploy), a text stream's first blank piece, spoken answers and
pictures (Chat Completions, Responses, Gemini, the Interactions API), Anthropic's server-tool
result after ``pause_turn``, its compaction and cache writes, Gemini's and the Interactions
API's continuation, Responses' newest incomplete reasons."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import nbagent
from tests.kernel import Kernel, final_state
from tests.sse_servers import SSEServer, fixture_frames, frame
from tests.test_openai_compat_corpus import frames as body_frames
from tests.test_openai_compat_corpus import load

pytestmark = pytest.mark.kernel

FIXTURES = Path(__file__).parent / "fixtures"

# Each SDK's call, as a user writes it in a cell: ``stream`` from the server at ``url``.
CHAT = (
    "import openai\n"
    "client = openai.OpenAI(base_url={url!r} + '/v1', api_key='t', max_retries=0)\n"
    "stream = client.chat.completions.create(model='m', stream=True,\n"
    "    messages=[{{'role': 'user', 'content': 'hi'}}])\n"
)
RESPONSES = (
    "import openai\n"
    "client = openai.OpenAI(base_url={url!r} + '/v1', api_key='t', max_retries=0)\n"
    "stream = client.responses.create(model='m', input='hi', stream=True)\n"
)
ANTHROPIC = (
    "import anthropic\n"
    "client = anthropic.Anthropic(base_url={url!r}, api_key='t', max_retries=0)\n"
    "stream = client.messages.create(model='claude-sonnet-4-5', max_tokens=64, stream=True,\n"
    "    messages=[{{'role': 'user', 'content': 'hi'}}])\n"
)
GEMINI = (
    "from google import genai\n"
    "from google.genai import types\n"
    "client = genai.Client(api_key='t', http_options=types.HttpOptions(base_url={url!r}))\n"
    "stream = client.models.generate_content_stream(model='gemini-3-flash-preview',\n"
    "    contents='hi', config=types.GenerateContentConfig(automatic_continuation=False))\n"
)
INTERACTIONS = (
    "from google import genai\n"
    "from google.genai import types\n"
    "client = genai.Client(api_key='t', http_options=types.HttpOptions(base_url={url!r}))\n"
    "stream = client.interactions.create(model='gemini-3-flash-preview', input='hi',\n"
    "    stream=True, automatic_continuation=False)\n"
)
TEXT = "stream = iter(['\\n\\n', 'Two blank lines ', 'came first.'])\n"


def named(fmt: str, name: str, key: str = "type") -> list[bytes]:
    """A fixture's events as the API sends them: each named by its ``key`` (its type)."""
    out = []
    for line in (FIXTURES / fmt / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line) if line.startswith("{") else line
        out.append(frame(item, event=item.get(key) if isinstance(item, dict) else "done"))
    return out


def served(fmt: str, name: str) -> list[bytes]:
    frames = fixture_frames(fmt, name)
    assert frames is not None, f"{fmt}/{name} does not travel as SSE"
    return frames


CASES: dict[str, tuple[Callable[[], list[bytes]], str]] = {
    "groq usage in x_groq": (
        lambda: body_frames(load("usage_shapes/groq_x_groq_usage").body),
        CHAT,
    ),
    "openrouter usage on an error chunk": (
        lambda: body_frames(load("usage_shapes/openrouter_error_chunk_usage").body),
        CHAT,
    ),
    "lmdeploy </think> after reasoning_content": (
        lambda: body_frames(load("think_close_only/lmdeploy_close_after_reasoning_content").body),
        CHAT,
    ),
    "chat spoken answer (transcript)": (lambda: served("openai-chat", "audio_transcript"), CHAT),
    "chat spoken answer (pcm16)": (lambda: served("openai-chat", "audio_pcm16"), CHAT),
    "chat gateway images": (lambda: served("openai-chat", "images_openrouter"), CHAT),
    "responses image generation": (
        lambda: named("openai-responses", "image_generation"),
        RESPONSES,
    ),
    "responses spoken answer": (lambda: named("openai-responses", "audio"), RESPONSES),
    "responses max_messages": (
        lambda: named("openai-responses", "incomplete_max_messages"),
        RESPONSES,
    ),
    "responses steered": (lambda: named("openai-responses", "incomplete_steered"), RESPONSES),
    "anthropic server tool result after pause_turn": (
        lambda: named("anthropic", "pause_turn_continuation"),
        ANTHROPIC,
    ),
    "anthropic compaction": (lambda: named("anthropic", "compaction"), ANTHROPIC),
    "anthropic cache writes": (lambda: named("anthropic", "cache_writes"), ANTHROPIC),
    "gemini continuation": (lambda: served("google-genai", "continuation"), GEMINI),
    "gemini inline_data image": (lambda: served("google-genai", "image"), GEMINI),
    "gemini thinking images": (lambda: served("google-genai", "image_thoughts"), GEMINI),
    "gemini speech": (lambda: served("google-genai", "speech"), GEMINI),
    "interactions text and thinking": (
        lambda: named("google-interactions", "text_thinking", "event_type"),
        INTERACTIONS,
    ),
    "interactions image and audio": (
        lambda: named("google-interactions", "image_audio", "event_type"),
        INTERACTIONS,
    ),
    "interactions continuation": (
        lambda: named("google-interactions", "continuation", "event_type"),
        INTERACTIONS,
    ),
    "a text stream's first blank piece": (list, TEXT),
}


def timeless(value: Any) -> Any:
    """``value`` without what the clock says: times (``*_at``), durations and rates."""
    if isinstance(value, dict):
        return {
            k: timeless(v)
            for k, v in value.items()
            if not k.endswith(("_at", "_s", "_since")) and k not in ("ts", "deltas")
        }
    if isinstance(value, list):
        return [timeless(v) for v in value]
    return value


def origin(srv: SSEServer) -> str:
    return f"http://127.0.0.1:{srv.port}"


def here(frames: list[bytes], code: str) -> dict[str, Any]:
    """The state ``nbagent.show`` of the SDK's stream ends with in this process."""
    with SSEServer(frames) as srv:
        scope: dict[str, Any] = {}
        exec(code.format(url=origin(srv)), scope)  # the cell's code, run here too
        state: dict[str, Any] = nbagent.show(scope["stream"]).wait(60).to_dict()
    return state


@pytest.mark.filterwarnings("ignore:Interaction stopped before completion")
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_shape_in_a_kernel_as_read_here(kernel: Kernel, case: str) -> None:
    make_frames, code = CASES[case]
    want = here(make_frames(), code)
    with SSEServer(make_frames()) as srv:
        since = len(kernel.messages())
        kernel.execute(
            "import nbagent\n" + code.format(url=origin(srv)) + "run = nbagent.show(stream)\n"
            "t = run.wait(60)\n"
        )
    got = final_state(kernel, since)
    if code is TEXT:  # a text stream names no run: each run gets an id of its own
        assert got.pop("run_id") != want.pop("run_id")
    assert timeless(got) == timeless(want)
    assert got["status"] != "running"
    assert got["blocks"]
