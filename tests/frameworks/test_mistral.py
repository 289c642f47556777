"""Mistral: ``client.chat.stream(...)`` yields ``CompletionEvent`` objects (the chunk at
``.data``), read by the openai-chat adapter with no ``format=``. The real ``mistralai`` client
talks to a local server that speaks Mistral's SSE (``POST /v1/chat/completions``, one
``data: {json}`` per chunk, ``data: [DONE]``): Magistral's thinking content parts, tool calls
whole or in fragments (arguments as a string or an object), usage on the last chunk.
"""

from __future__ import annotations

from typing import Any

from tests.frameworks.conftest import need

mistral_client = need("mistralai.client")

import nbagent  # noqa: E402
from nbagent.adapters import detect_format  # noqa: E402
from nbagent.core.events import Event, MessageEnd, ToolCallStart, Usage  # noqa: E402
from tests import aio  # noqa: E402
from tests.servers import OpenAIServer  # noqa: E402

MODEL = "magistral-medium-latest"
MESSAGES = [{"role": "user", "content": "What is 2 + 2?"}]


def mistral_chunk(
    delta: dict[str, Any], finish: str | None = None, usage: dict[str, int] | None = None
) -> dict[str, Any]:
    """One chunk as Mistral's API sends it."""
    out: dict[str, Any] = {
        "id": "cmpl-7f3a",
        "object": "chat.completion.chunk",
        "created": 1760000000,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage is not None:
        out["usage"] = usage
    return out


def think(text: str) -> dict[str, Any]:
    return {"type": "thinking", "thinking": [{"type": "text", "text": text}]}


USAGE = {"prompt_tokens": 12, "completion_tokens": 31, "total_tokens": 43}

THINK_THEN_TOOL = [
    mistral_chunk({"role": "assistant", "content": ""}),
    mistral_chunk({"content": [think("The user asks ")]}),
    mistral_chunk({"content": [think("for a sum.")]}),
    mistral_chunk({"content": "I will "}),
    mistral_chunk({"content": [{"type": "text", "text": "compute it."}]}),
    mistral_chunk(
        {
            "tool_calls": [
                {
                    "id": "D681PevKs",
                    "function": {"name": "add", "arguments": '{"a": 2, "b": 2}'},
                    "index": 0,
                }
            ]
        }
    ),
    mistral_chunk({"content": ""}, "tool_calls", USAGE),
]


def stream(script: list[Any]) -> tuple[list[Any], OpenAIServer]:
    with OpenAIServer(script=script) as srv:
        client = mistral_client.Mistral(api_key="test", server_url=f"http://127.0.0.1:{srv.port}")
        return list(client.chat.stream(model=MODEL, messages=MESSAGES)), srv


def sdk_view(items: list[Any]) -> tuple[str, str, list[tuple[str, str, Any]]]:
    """(thinking, text, tool calls) as the SDK's own objects hold them."""
    thinking, text, calls = [], [], []
    for event in items:
        delta = event.data.choices[0].delta
        content = delta.content
        if isinstance(content, str):
            text.append(content)
        elif isinstance(content, list):
            for part in content:
                if part.type == "thinking":
                    thinking.extend(t.text for t in part.thinking)
                else:
                    text.append(part.text)
        if isinstance(delta.tool_calls, list):
            calls.extend((c.id, c.function.name, c.function.arguments) for c in delta.tool_calls)
    return "".join(thinking), "".join(text), calls


def test_thinking_parts_text_tool_call_and_usage() -> None:
    items, srv = stream(THINK_THEN_TOOL)
    assert srv.paths == ["/v1/chat/completions"]
    assert type(items[0]).__name__ == "CompletionEvent"
    assert detect_format(items[0]) == "openai-chat"
    thinking, text, calls = sdk_view(items)
    events = list(nbagent.iter_events(iter(items)))
    t = nbagent.Transcript.from_events(events)
    assert t.thinking == thinking == "The user asks for a sum."
    assert t.text == text == "I will compute it."
    assert "sum" not in t.text
    assert [(c.id, c.name, c.args) for c in t.tool_calls] == [
        (calls[0][0], calls[0][1], {"a": 2, "b": 2})
    ]
    assert t.end_reason == "tool_calls"
    last_usage = items[-1].data.usage
    (usage,) = [e for e in events if isinstance(e, Usage)]
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (
        last_usage.prompt_tokens,
        last_usage.completion_tokens,
        last_usage.total_tokens,
    )
    thinking_ends = [e for e in events if isinstance(e, MessageEnd) and e.channel == "thinking"]
    assert len(thinking_ends) == 1


def test_explicit_format_reads_completion_events() -> None:
    items, _ = stream(THINK_THEN_TOOL)
    t = nbagent.Transcript.from_events(nbagent.iter_events(iter(items), format="openai-chat"))
    assert (t.thinking, t.text) == ("The user asks for a sum.", "I will compute it.")


def test_fragment_arguments_object_arguments_and_missing_ids() -> None:
    script = [
        mistral_chunk({"role": "assistant", "content": ""}),
        mistral_chunk(
            {"tool_calls": [{"id": "A1", "function": {"name": "f", "arguments": '{"x"'}}]}
        ),
        mistral_chunk(
            {"tool_calls": [{"id": "A1", "function": {"name": "f", "arguments": ": 1}"}}]}
        ),
        # arguments as an object and no id (the SDK fills in id="null")
        mistral_chunk(
            {"tool_calls": [{"index": 1, "function": {"name": "g", "arguments": {"y": [1, 2]}}}]}
        ),
        mistral_chunk({"content": ""}, "tool_calls", USAGE),
    ]
    items, _ = stream(script)
    _, _, calls = sdk_view(items)
    assert calls[-1][0] == "null"  # what the SDK reports for a call without an id
    events = list(nbagent.iter_events(iter(items)))
    t = nbagent.Transcript.from_events(events)
    assert [(c.name, c.args) for c in t.tool_calls] == [("f", {"x": 1}), ("g", {"y": [1, 2]})]
    starts = [e for e in events if isinstance(e, ToolCallStart)]
    assert [(e.tool_call_id, e.synthetic_id) for e in starts] == [
        ("A1", False),
        ("cmpl-7f3a:call1", True),
    ]


def test_async_stream() -> None:
    async def main(url: str) -> list[Event]:
        client = mistral_client.Mistral(api_key="test", server_url=url)
        response = await client.chat.stream_async(model=MODEL, messages=MESSAGES)
        return [e async for e in nbagent.aiter_events(response)]

    with OpenAIServer(script=THINK_THEN_TOOL) as srv:
        events = aio.run(main(f"http://127.0.0.1:{srv.port}"))
    t = nbagent.Transcript.from_events(events)
    assert (t.thinking, t.text, t.status) == (
        "The user asks for a sum.",
        "I will compute it.",
        "completed",
    )
