"""``nbagent.show`` of a real server's stream, and ``nbagent.watch`` of a real call."""

from __future__ import annotations

from typing import Any

import httpx
import openai

import nbagent
from tests.real_model.server import CALL_BUDGET_S, MODEL, ModelServer
from tests.real_model.wire import Tee, sse_text
from tests.wait import PATIENCE

PROMPT = [{"role": "user", "content": "Name three colours and say why you like them."}]


def test_a_streamed_answer_shows_exactly_the_text_the_wire_carried(model: ModelServer) -> None:
    tee = Tee()
    http_client: Any = httpx.Client(transport=tee)  # Any: openai types it as its own httpx's
    client = openai.OpenAI(base_url=model.base_url, api_key="none", http_client=http_client)
    messages: Any = PROMPT
    stream = client.chat.completions.create(
        model=MODEL, messages=messages, stream=True, max_tokens=64
    )
    run = nbagent.show(stream)
    t = run.wait(CALL_BUDGET_S)  # the model streams as the run reads
    wire = sse_text(bytes(tee.raw))  # the bytes of that very stream, read after it ended
    assert t.status == "completed", t.error
    assert wire, "the server streamed no text"
    assert t.text == wire
    assert [s["finish_reason"] for s in t.steps] in (["stop"], ["max_tokens"])


def test_a_watched_call_shows_the_completion_the_server_answered(model: ModelServer) -> None:
    client = openai.OpenAI(base_url=model.base_url, api_key="none")
    messages: Any = PROMPT
    with nbagent.watch(title="a real model") as run:
        completion = client.chat.completions.create(model=MODEL, messages=messages, max_tokens=32)
    t = run.wait(PATIENCE)
    answer = completion.choices[0].message.content
    assert t.status == "completed", t.error
    assert answer
    assert t.text == answer
    assert completion.usage is not None
    assert t.usage is not None
    assert t.usage.output_tokens == completion.usage.completion_tokens
    assert t.usage.input_tokens == completion.usage.prompt_tokens
