"""Chat Completions wire items for the scripted model: ``chat.completion.chunk`` dicts, the
non-streamed ``chat.completion`` assembled from them, and ``Reply``, which writes one streamed
answer (thinking, text, tool calls) with a model's pauses between its tokens.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable
from typing import Any

__all__ = ["Reply", "ReplyItem", "chunk", "completion_from_chunks", "usage_chunk"]

ReplyItem = dict[str, Any] | float
"""A chunk to send, or a pause in seconds before the next one."""

_TOKEN = re.compile(r"\s*\S+|\s+")
_CREATED = 1700000000


def chunk(
    content: Any = None,
    *,
    id: str,  # noqa: A002 - the chunk field's name
    model: str,
    index: int = 0,
    finish_reason: str | None = None,
    role: str | None = None,
    **delta: Any,
) -> dict[str, Any]:
    """One ``chat.completion.chunk`` dict; extra keywords go into the delta."""
    d: dict[str, Any] = dict(delta)
    if role is not None:
        d["role"] = role
    if content is not None:
        d["content"] = content
    return {
        "id": id,
        "object": "chat.completion.chunk",
        "created": _CREATED,
        "model": model,
        "choices": [{"index": index, "delta": d, "logprobs": None, "finish_reason": finish_reason}],
    }


def usage_chunk(
    prompt: int,
    completion: int,
    *,
    id: str,  # noqa: A002 - the chunk field's name
    model: str,
    reasoning: int | None = None,
) -> dict[str, Any]:
    """The ``include_usage`` chunk: ``choices: []`` and a usage."""
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    if reasoning is not None:
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return {
        "id": id,
        "object": "chat.completion.chunk",
        "created": _CREATED,
        "model": model,
        "choices": [],
        "usage": usage,
    }


def completion_from_chunks(chunks: Iterable[Any]) -> dict[str, Any]:
    """A non-streamed ``chat.completion`` with the chunks' text, tool calls and usage
    (items that are not dicts, e.g. pauses, are skipped)."""
    text: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    finish = "stop"
    usage = None
    model = "scripted"
    cid = "chatcmpl-scripted"
    for item in chunks:
        if not isinstance(item, dict):
            continue
        model = item.get("model") or model
        cid = item.get("id") or cid
        usage = item.get("usage") or usage
        for ch in item.get("choices") or []:
            delta = ch.get("delta") or {}
            if delta.get("content"):
                text.append(delta["content"])
            for tc in delta.get("tool_calls") or []:
                call = calls.setdefault(
                    tc.get("index", 0),
                    {"id": "", "type": "function", "function": {"name": "", "arguments": ""}},
                )
                call["id"] = tc.get("id") or call["id"]
                fn = tc.get("function") or {}
                call["function"]["name"] = fn.get("name") or call["function"]["name"]
                call["function"]["arguments"] += fn.get("arguments") or ""
            finish = ch.get("finish_reason") or finish
    message: dict[str, Any] = {"role": "assistant", "content": "".join(text) or None}
    if calls:
        message["tool_calls"] = [calls[k] for k in sorted(calls)]
    return {
        "id": cid,
        "object": "chat.completion",
        "created": _CREATED,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": usage,
    }


class Reply:
    """One streamed answer to the request ``body``, written a token at a time.

    With ``speed`` > 0 the items carry a model's pauses (0.45-0.9 s before the first token,
    then 10-35 ms a token, divided by ``speed``; the same request gets the same pauses);
    ``speed=0`` sends everything at once. ``finish()`` returns the items.
    """

    def __init__(self, body: dict[str, Any], id: str, *, speed: float = 1.0) -> None:  # noqa: A002
        self.body = body
        self.id = id
        self.model = str(body.get("model") or "scripted")
        self.rng = random.Random(f"{id}:{len(json.dumps(body))}")
        self.speed = speed
        self.items: list[ReplyItem] = [self._chunk(role="assistant", content="")]
        self.tokens = 0
        self.reasoning = 0
        self._pause(self.rng.uniform(0.45, 0.9))  # time to first token

    def _chunk(self, **delta: Any) -> dict[str, Any]:
        return chunk(id=self.id, model=self.model, **delta)

    def _pause(self, seconds: float) -> None:
        if self.speed > 0:
            self.items.append(seconds / self.speed)

    def think(self, text: str) -> None:
        """Reasoning text, as ``reasoning_content`` deltas (DeepSeek, vLLM, llama.cpp)."""
        for token in _TOKEN.findall(text):
            self.items.append(self._chunk(reasoning_content=token))
            self.reasoning += 1
            self._pause(self.rng.uniform(0.008, 0.025))

    def say(self, text: str) -> None:
        """Answer text, a token (a word with the space before it) per chunk."""
        for token in _TOKEN.findall(text):
            self.items.append(self._chunk(content=token))
            self.tokens += 1
            self._pause(self.rng.uniform(0.010, 0.035))

    def call(self, index: int, call_id: str, name: str, args: dict[str, Any]) -> None:
        """A tool call, its arguments streamed a few characters at a time."""
        text = json.dumps(args)
        head = {"index": index, "id": call_id, "type": "function"}
        self.items.append(self._chunk(tool_calls=[head | {"function": {"name": name}}]))
        for i in range(0, len(text), 6):
            piece = {"index": index, "function": {"arguments": text[i : i + 6]}}
            self.items.append(self._chunk(tool_calls=[piece]))
            self.tokens += 1
            self._pause(self.rng.uniform(0.010, 0.030))

    def finish(self, reason: str) -> list[ReplyItem]:
        """End with ``finish_reason`` (and the usage, when the request asked for it)."""
        self.items.append(self._chunk(finish_reason=reason))
        options = self.body.get("stream_options")
        if isinstance(options, dict) and options.get("include_usage"):
            # About four characters a token, as for English text.
            prompt = len(json.dumps([self.body.get("messages"), self.body.get("tools")])) // 4
            completion = self.tokens + self.reasoning
            self.items.append(
                usage_chunk(
                    prompt, completion, id=self.id, model=self.model, reasoning=self.reasoning
                )
            )
        return self.items
