"""Ollama: ``chat(stream=True, think=True, tools=...)`` and ``generate(stream=True)`` read by the
``ollama`` adapter with no ``format=``. The real ``ollama.Client`` talks to a local server that
speaks Ollama's NDJSON (``POST /api/chat``, one JSON object per line, the last ``done: true``
with the counts and durations); the same lines as plain dicts read the same.
"""

from __future__ import annotations

import importlib.metadata
import json
from typing import Any

import pytest

from tests.frameworks.conftest import need

ollama = need("ollama")

import nbagent  # noqa: E402
from nbagent.adapters import BadItemError, OllamaAdapter, detect_format  # noqa: E402
from nbagent.core.events import Event, ToolCallStart, Usage  # noqa: E402
from tests import aio  # noqa: E402
from tests.sse_servers import Drop, SSEServer  # noqa: E402
from tests.wait import PATIENCE  # noqa: E402

MODEL = "qwen3:8b"
MESSAGES = [{"role": "user", "content": "What is the weather in Paris?"}]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The weather of a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


def line(message: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    """One ``/api/chat`` line as Ollama writes it."""
    out: dict[str, Any] = {"model": MODEL, "created_at": "2026-01-05T10:00:00.000000Z"}
    if message is not None:
        out["message"] = {"role": "assistant", "content": "", **message}
    out["done"] = False
    out.update(kw)
    return out


DONE = {
    "done": True,
    "done_reason": "stop",
    "total_duration": 2_150_000_000,
    "load_duration": 50_000_000,
    "prompt_eval_count": 42,
    "prompt_eval_duration": 100_000_000,
    "eval_count": 64,
    "eval_duration": 1_600_000_000,
}

CHAT = [
    line({"thinking": "The user wants "}),
    line({"thinking": "the weather."}),
    line({"content": "Let me "}),
    line({"content": "look."}),
    line({"tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]}),
    line({}, **DONE),
]


def ndjson_server(lines: list[Any]) -> SSEServer:
    return SSEServer(
        [json.dumps(x) + "\n" if isinstance(x, dict) else x for x in lines],
        content_type="application/x-ndjson",
    )


def chat(lines: list[Any]) -> tuple[list[Any], SSEServer]:
    with ndjson_server(lines) as srv:
        client = ollama.Client(host=f"http://127.0.0.1:{srv.port}")
        items = list(
            client.chat(model=MODEL, messages=MESSAGES, tools=TOOLS, stream=True, think=True)
        )
    return items, srv


def test_chat_thinking_text_tool_call_usage_and_rate() -> None:
    items, srv = chat(CHAT)
    assert srv.requests[-1]["path"] == "/api/chat"
    assert type(items[0]).__name__ == "ChatResponse"
    assert detect_format(items[0]) == "ollama"
    events = list(nbagent.iter_events(iter(items)))
    t = nbagent.Transcript.from_events(events)
    # what the SDK's own objects say
    assert t.thinking == "".join(i.message.thinking or "" for i in items)
    assert t.text == "".join(i.message.content or "" for i in items) == "Let me look."
    assert "weather." not in t.text
    sdk_calls = [c.function for i in items for c in i.message.tool_calls or ()]
    assert [(c.name, c.args) for c in t.tool_calls] == [
        (f.name, dict(f.arguments)) for f in sdk_calls
    ]
    (start,) = [e for e in events if isinstance(e, ToolCallStart)]
    assert start.synthetic_id
    final = items[-1]
    assert (t.status, t.end_reason) == ("completed", "tool_calls")
    (usage,) = [e for e in events if isinstance(e, Usage)]
    assert (usage.input_tokens, usage.output_tokens) == (
        final.prompt_eval_count,
        final.eval_count,
    )
    assert usage.meta is not None
    assert usage.meta["eval_count"] == final.eval_count
    assert usage.meta["eval_duration_s"] == final.eval_duration / 1e9
    assert usage.meta["tokens_per_s"] == final.eval_count / (final.eval_duration / 1e9) == 40.0
    assert usage.meta["total_duration_s"] == final.total_duration / 1e9


def test_plain_dicts_read_the_same() -> None:
    items, _ = chat(CHAT)
    from_sdk = nbagent.Transcript.from_events(nbagent.iter_events(iter(items)))
    assert detect_format(CHAT[0]) == "ollama"
    from_dicts = nbagent.Transcript.from_events(nbagent.iter_events(iter(CHAT)))
    for t in (from_dicts,):
        assert (t.thinking, t.text, t.end_reason) == (
            from_sdk.thinking,
            from_sdk.text,
            from_sdk.end_reason,
        )
        assert [(c.id, c.name, c.args) for c in t.tool_calls] == [
            (c.id, c.name, c.args) for c in from_sdk.tool_calls
        ]
    lines = [json.dumps(x) for x in CHAT]  # the NDJSON text itself, with format= given
    from_text = nbagent.Transcript.from_events(nbagent.iter_events(iter(lines), format="ollama"))
    assert (from_text.text, from_text.usage.output_tokens) == (from_sdk.text, 64)


def test_generate_stream() -> None:
    lines = [
        {"model": MODEL, "created_at": "t", "response": "", "thinking": "Sky is ", "done": False},
        {"model": MODEL, "created_at": "t", "response": "", "thinking": "blue.", "done": False},
        {"model": MODEL, "created_at": "t", "response": "Blue", "done": False},
        {"model": MODEL, "created_at": "t", "response": "!", "done": False},
        {"model": MODEL, "created_at": "t", "response": "", **DONE, "done_reason": "length"},
    ]
    with ndjson_server(lines) as srv:
        client = ollama.Client(host=f"http://127.0.0.1:{srv.port}")
        items = list(client.generate(model=MODEL, prompt="Sky?", stream=True, think=True))
    assert srv.requests[-1]["path"] == "/api/generate"
    assert type(items[0]).__name__ == "GenerateResponse"
    t = nbagent.Transcript.from_events(nbagent.iter_events(iter(items)))
    assert t.thinking == "".join(i.thinking or "" for i in items) == "Sky is blue."
    assert t.text == "".join(i.response for i in items) == "Blue!"
    assert t.end_reason == "max_tokens"


def test_think_tags_in_content_without_think() -> None:
    lines = [
        line({"content": "<think>hidden"}),
        line({"content": " reasoning</think>"}),
        line({"content": "Answer."}),
        line({}, **DONE),
    ]
    items, _ = chat(lines)
    t = nbagent.Transcript.from_events(nbagent.iter_events(iter(items)))
    assert (t.thinking, t.text, t.end_reason) == ("hidden reasoning", "Answer.", "completed")


def test_async_client() -> None:
    async def main(host: str) -> list[Event]:
        client = ollama.AsyncClient(host=host)
        response = await client.chat(model=MODEL, messages=MESSAGES, stream=True, think=True)
        return [e async for e in nbagent.aiter_events(response)]

    with ndjson_server(CHAT) as srv:
        events = aio.run(main(f"http://127.0.0.1:{srv.port}"))
    t = nbagent.Transcript.from_events(events)
    assert (t.text, t.status, [c.name for c in t.tool_calls]) == (
        "Let me look.",
        "completed",
        ["get_weather"],
    )


def test_cut_off_stream_is_incomplete() -> None:
    with ndjson_server([line({"content": "partial"}), Drop()]) as srv:
        client = ollama.Client(host=f"http://127.0.0.1:{srv.port}")
        run = nbagent.show(client.chat(model=MODEL, messages=MESSAGES, stream=True))
        t = run.wait(PATIENCE)
    assert (t.text, t.status, t.end_reason) == ("partial", "error", "incomplete")


def test_error_line_in_dicts() -> None:
    lines = [line({"content": "so far"}), {"error": "model runner has unexpectedly stopped"}]
    t = nbagent.Transcript.from_events(nbagent.iter_events(iter(lines)))
    assert (t.text, t.status, t.end_reason) == ("so far", "error", "error")
    assert t.error is not None
    assert "unexpectedly stopped" in str(t.error)


def test_other_ollama_objects_get_an_error_naming_the_library() -> None:
    progress = ollama.ProgressResponse(status="pulling manifest")
    with pytest.raises(BadItemError) as info:
        OllamaAdapter().feed(progress)
    message = str(info.value)
    assert "ProgressResponse" in message
    assert f"ollama {importlib.metadata.version('ollama')}" in message
    assert "stream=True" in message
