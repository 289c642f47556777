"""LlamaIndex's workflow events and messages read as plain values, shared by the stream
adapter (``adapter.py``) and the hook adapter (``adapters/hooks/llama_index``): which event
an object or its serialized form is, a message's text and thinking, an LLM's token counts.
Types are recognised by name and module: nothing here imports LlamaIndex."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import (
    BadItemError,
    field,
    int_or_none,
    list_or_empty,
    str_or_none,
    unwrap,
)

__all__ = ["kind_of", "read_event", "text_of", "thinking_of", "usage_in_raw"]

_PACKAGES = ("workflows", "llama_index")
_KINDS = frozenset(
    {
        "AgentInput",
        "AgentSetup",
        "AgentStream",
        "AgentOutput",
        "AgentStreamStructuredOutput",
        "ToolCall",
        "ToolCallResult",
        "InputRequiredEvent",
        "WorkflowFailedEvent",
        "WorkflowTimedOutEvent",
        "WorkflowCancelledEvent",
        "StopEvent",
    }
)


def kind_of(item: Any) -> str | None:
    """The LlamaIndex event class ``item`` is (or subclasses), ``"Event"`` for any other
    workflow event, None for anything else."""
    for cls in type(item).__mro__:
        if cls.__module__.split(".")[0] not in _PACKAGES:
            continue
        if cls.__name__ in _KINDS:
            return cls.__name__
        if cls.__name__ == "Event":
            return "Event"
    return None


def _serialized(payload: Any) -> tuple[str, Mapping[str, Any]] | None:
    """``(kind, fields)`` of an event as the workflows ``JsonSerializer`` writes it (what a
    workflow server stores and sends): ``{"__is_pydantic": true, "value": {...},
    "qualified_name": "llama_index.core.agent.workflow.workflow_events.AgentStream"}``."""
    if not isinstance(payload, Mapping) or payload.get("__is_pydantic") is not True:
        return None
    name, value = payload.get("qualified_name"), payload.get("value")
    if not isinstance(name, str) or not isinstance(value, Mapping):
        return None
    if name.split(".")[0] not in _PACKAGES:
        return None
    cls = name.rsplit(".", 1)[-1]
    return (cls if cls in _KINDS else "Event"), value


def read_event(item: Any) -> tuple[str, Any] | None:
    """``(kind, payload)`` of an event object or of its serialized form (a dict, its JSON
    text, an SSE event carrying it); None for anything else."""
    kind = kind_of(item)
    if kind is not None:
        return kind, item
    try:
        _, payload = unwrap(item)
    except BadItemError:
        return None
    return _serialized(payload)


def usage_in_raw(raw: Any) -> dict[str, Any]:
    """Token counts an LLM integration left in a response's ``raw`` (the provider's chunk or
    response, usually dumped to a dict): OpenAI's and Anthropic's ``usage``, Gemini's
    ``usage_metadata``, Ollama's eval counts. Only the counts it finds."""
    if raw is None or isinstance(raw, (str, bytes, int, float, list)):
        return {}
    found: dict[str, Any] = {}
    usage = field(raw, "usage")
    if usage is not None:
        found["input_tokens"] = int_or_none(field(usage, "prompt_tokens")) or int_or_none(
            field(usage, "input_tokens")
        )
        found["output_tokens"] = int_or_none(field(usage, "completion_tokens")) or int_or_none(
            field(usage, "output_tokens")
        )
        found["total_tokens"] = int_or_none(field(usage, "total_tokens"))
        details = field(usage, "prompt_tokens_details") or field(usage, "input_tokens_details")
        found["cached_input_tokens"] = int_or_none(field(details, "cached_tokens")) or (
            int_or_none(field(usage, "cache_read_input_tokens"))
        )
        out_details = field(usage, "completion_tokens_details") or field(
            usage, "output_tokens_details"
        )
        found["reasoning_tokens"] = int_or_none(field(out_details, "reasoning_tokens"))
    gemini = field(raw, "usage_metadata")
    if gemini is not None:
        found["input_tokens"] = int_or_none(field(gemini, "prompt_token_count"))
        found["output_tokens"] = int_or_none(field(gemini, "candidates_token_count"))
        found["total_tokens"] = int_or_none(field(gemini, "total_token_count"))
        found["reasoning_tokens"] = int_or_none(field(gemini, "thoughts_token_count"))
        found["cached_input_tokens"] = int_or_none(field(gemini, "cached_content_token_count"))
    if int_or_none(field(raw, "eval_count")) is not None:
        found["input_tokens"] = int_or_none(field(raw, "prompt_eval_count"))
        found["output_tokens"] = int_or_none(field(raw, "eval_count"))
    message = field(raw, "message")  # Anthropic's message_start event
    if isinstance(message, Mapping) and isinstance(message.get("usage"), Mapping):
        found.update({k: v for k, v in usage_in_raw(message).items() if v is not None})
    counts = {k: v for k, v in found.items() if v is not None}
    model = str_or_none(field(raw, "model"))
    if counts and model:
        counts["model"] = model
    return counts


def text_of(message: Any) -> str:
    """The text of a ``ChatMessage`` or a ``ToolOutput``: its text blocks (what its
    ``content`` joins; a serialized one has only the blocks)."""
    if isinstance(message, Mapping):
        content = message.get("content")
        if isinstance(content, str):
            return content
        blocks = list_or_empty(message.get("blocks"))
        texts = [field(b, "text") for b in blocks if field(b, "block_type") == "text"]
        return "".join(t for t in texts if isinstance(t, str))
    try:
        content = getattr(message, "content", None)
    except Exception:  # noqa: BLE001 - a message that cannot join its blocks has no text
        return ""
    return content if isinstance(content, str) else ""


def thinking_of(message: Any) -> str:
    """The thinking blocks of a ``ChatMessage`` (an LLM that did not stream them)."""
    parts = []
    for block in list_or_empty(field(message, "blocks")):
        if field(block, "block_type") == "thinking":
            text = field(block, "content")
            if isinstance(text, str):
                parts.append(text)
    return "".join(parts)
