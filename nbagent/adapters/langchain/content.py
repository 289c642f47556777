"""Reading LangChain message objects (or their dict forms) without importing LangChain: what
kind a message is, whether it is a streamed chunk, its text and thinking parts in order
(``content`` as a str or a list of blocks, ``additional_kwargs["reasoning_content"]``) and its
refusal (``{"type": "refusal"}`` blocks, langchain-core 1.7.5's standard form, else
``additional_kwargs["refusal"]``, where ``ChatOpenAI`` puts OpenAI's)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import field, list_or_empty, type_is
from nbagent.adapters.kit.messages import Channel

__all__ = [
    "KINDS",
    "is_chunk",
    "is_message",
    "message_kind",
    "message_parts",
    "message_refusal",
    "messages_in",
]

KINDS: dict[str, str] = {
    "ai": "ai",
    "AIMessageChunk": "ai",
    "tool": "tool",
    "ToolMessageChunk": "tool",
    "human": "human",
    "HumanMessageChunk": "human",
    "system": "system",
    "SystemMessageChunk": "system",
    "chat": "human",
    "ChatMessageChunk": "human",
    "function": "tool",
    "FunctionMessageChunk": "tool",
    "remove": "remove",
}
"""A message's ``type`` field → its kind (a chunk's type names its class)."""


def message_kind(value: Any) -> str | None:
    """``"ai"``, ``"tool"``, ``"human"``, ``"system"``, ``"remove"`` for a LangChain message
    (object, or its dict form with ``type`` and ``content``); None for anything else."""
    if isinstance(value, Mapping):
        kind = value.get("type")
        if not isinstance(kind, str) or "content" not in value:
            return None
        return KINDS.get(kind)
    if not type_is(value, "langchain_core", "BaseMessage"):
        return None
    kind = field(value, "type")
    return KINDS.get(kind) if isinstance(kind, str) else None


def is_message(value: Any) -> bool:
    return message_kind(value) is not None


def is_chunk(message: Any) -> bool:
    """A streamed piece of a message (``AIMessageChunk``), not a whole message."""
    if isinstance(message, Mapping):
        kind = message.get("type")
        return isinstance(kind, str) and kind.endswith("Chunk")
    return type_is(message, "langchain_core", "BaseMessageChunk")


def _reasoning_block(block: Any) -> Any:
    value = field(block, "reasoning")
    if isinstance(value, str):
        return value
    summary = field(block, "summary")  # OpenAI Responses' form
    if isinstance(summary, list):
        return "".join(t for s in summary if isinstance(t := field(s, "text"), str))
    return None


def message_parts(message: Any) -> list[tuple[Channel, str]]:
    """``[(channel, text), ...]`` of a message in order: ``"thinking"`` from
    ``additional_kwargs.reasoning_content`` first, then the content (a str; ``text``,
    ``thinking`` and ``reasoning`` blocks). Tool-use blocks repeat ``tool_call_chunks``:
    skipped."""
    parts: list[tuple[Channel, str]] = []
    channel: Channel
    extra = field(message, "additional_kwargs")
    reasoning = field(extra, "reasoning_content") if extra is not None else None
    if isinstance(reasoning, str) and reasoning:
        parts.append(("thinking", reasoning))
    content = field(message, "content")
    if isinstance(content, str):
        if content:
            parts.append(("text", content))
        return parts
    for block in list_or_empty(content):
        if isinstance(block, str):
            value, channel = block, "text"
        else:
            kind = field(block, "type")
            if kind == "text":
                value, channel = field(block, "text"), "text"
            elif kind == "thinking":
                value, channel = field(block, "thinking"), "thinking"
            elif kind == "reasoning":
                value, channel = _reasoning_block(block), "thinking"
            else:
                continue
        if isinstance(value, str) and value:
            parts.append((channel, value))
    return parts


def message_refusal(message: Any) -> str:
    """The words of a message's (or chunk's) refusal: its ``refusal`` content blocks' text, else
    ``additional_kwargs["refusal"]``; ``""`` for none (a block with no words says nothing)."""
    content = field(message, "content")
    blocks = [b for b in list_or_empty(content) if field(b, "type") == "refusal"]
    if blocks:
        return "".join(t for b in blocks if isinstance(t := field(b, "refusal"), str))
    refusal = field(field(message, "additional_kwargs"), "refusal")
    return refusal if isinstance(refusal, str) else ""


def messages_in(value: Any, depth: int = 0) -> list[Any]:
    """The messages of a node's update or a state, in order (lists, dicts, a ``Command``)."""
    if is_message(value):
        return [value]
    if depth > 3 or value is None or isinstance(value, (str, bytes, int, float)):
        return []
    if isinstance(value, Mapping):
        return [m for v in value.values() for m in messages_in(v, depth + 1)]
    if isinstance(value, (list, tuple)):
        return [m for v in value for m in messages_in(v, depth + 1)]
    if type_is(value, "langgraph", "Command"):
        return messages_in(field(value, "update"), depth + 1)
    return []
