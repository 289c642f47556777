"""LlamaIndex's workflow events and messages read as plain values, shared by the stream
adapter (``adapter.py``) and the hook adapter (``hooks/``): which event
an object or its serialized form is, a message's text, thinking and tool calls, a streamed
response's new text, an LLM's token counts and model; for the hook, which span a tool's own
is and what a failure says.
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
from nbagent.adapters.kit import anthropic_usage, gemini_usage, openai_usage
from nbagent.core.events import Usage

__all__ = [
    "error_of",
    "is_tool_call",
    "kind_of",
    "method_of",
    "model_name",
    "named",
    "new_text",
    "read_event",
    "text_of",
    "thinking_of",
    "tool_calls",
    "tool_name",
    "usage_in_raw",
    "usage_of",
]

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
_COUNTS = (
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "reasoning_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
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
    ``usage_metadata``, Ollama's eval counts. Only the counts it finds, and the model."""
    if raw is None or isinstance(raw, (str, bytes, int, float, list)):
        return {}
    found: dict[str, Any] = {}
    usage = field(raw, "usage")
    if usage is not None:  # OpenAI's, either shape; Anthropic's cache reads where it has none
        found = {**_counts(anthropic_usage(usage)), **_counts(openai_usage(usage))}
    gemini = field(raw, "usage_metadata")
    if gemini is not None:
        found = _counts(gemini_usage(gemini))
    evals = int_or_none(field(raw, "eval_count"))
    if evals is not None:  # Ollama's
        prompt = int_or_none(field(raw, "prompt_eval_count"))
        found = _counts(Usage(input_tokens=prompt, output_tokens=evals))
    message = field(raw, "message")  # Anthropic's message_start event
    if isinstance(message, Mapping) and isinstance(message.get("usage"), Mapping):
        found.update(usage_in_raw(message))
    model = str_or_none(field(raw, "model"))
    if found and model:
        found["model"] = model
    return found


def usage_of(response: Any) -> dict[str, Any]:
    """Token counts of a ``ChatResponse`` / ``CompletionResponse``: its ``raw`` (the
    provider's response), or the counts integrations copy into ``additional_kwargs``
    (``prompt_tokens``, ``completion_tokens``, ``total_tokens``)."""
    extra = field(response, "additional_kwargs")
    return {**_counts(openai_usage(extra, details=False)), **usage_in_raw(field(response, "raw"))}


def _counts(usage: Usage) -> dict[str, Any]:
    """The counts a kit reader found (the ones not None), to merge chunk after chunk."""
    return {k: v for k in _COUNTS if (v := getattr(usage, k)) is not None}


def new_text(so_far: str, text: Any, delta: Any) -> tuple[str, str]:
    """A streamed response's new text, and the text so far after it: ``delta`` where it
    agrees with ``text`` (the whole text so far, as the LLM gives it), else ``text``'s new end
    (an integration whose ``delta`` repeats the whole text, or whose ``text`` is the whole
    answer from the first chunk on, still reads right)."""
    delta = delta if isinstance(delta, str) else ""
    agrees = delta and isinstance(text, str) and text.startswith(so_far + delta)
    if isinstance(text, str) and text and text.startswith(so_far) and not agrees:
        return text[len(so_far) :], text
    return delta, so_far + delta


def text_of(message: Any) -> str:
    """The text of a ``ChatMessage`` or a ``ToolOutput``: its text blocks (what its
    ``content`` joins; a serialized one has only the blocks)."""
    if isinstance(message, Mapping):
        content = message.get("content")
        if isinstance(content, str):
            return content
        return _blocks(message, "text", "text")
    try:
        content = getattr(message, "content", None)
    except Exception:  # noqa: BLE001 - a message that cannot join its blocks has no text
        return ""
    return content if isinstance(content, str) else ""


def thinking_of(message: Any) -> str:
    """The thinking blocks of a ``ChatMessage`` (an LLM that did not stream them)."""
    return _blocks(message, "thinking", "content")


def _blocks(message: Any, block_type: str, key: str) -> str:
    """The ``key`` text of a message's blocks of ``block_type``, joined."""
    blocks = list_or_empty(field(message, "blocks"))
    texts = (field(b, key) for b in blocks if field(b, "block_type") == block_type)
    return "".join(t for t in texts if isinstance(t, str))


def named(obj: Any, *names: str) -> bool:
    """``obj``'s class or a base is one of ``names`` (LlamaIndex's classes, read by name)."""
    return any(cls.__name__ in names for cls in type(obj).__mro__)


def method_of(span_id: str) -> str:
    """``"astream_chat"`` of a span id ``"MockLLM.astream_chat-<uuid4>"``."""
    return span_id[: -37 if len(span_id) > 37 else None].rsplit(".", 1)[-1]


def error_of(err: Any) -> tuple[str, str | None]:
    if isinstance(err, BaseException):
        name = type(err).__name__
        return (f"{name}: {err}" if str(err) else name), name
    return ("the call failed" if err is None else str(err)), None


def model_name(model_dict: Any) -> str:
    """The model an LLM's ``to_payload()`` names (``model``, its metadata's ``model_name``),
    else its class (``MockLLM``)."""
    for key in ("model", "model_name"):
        name = str_or_none(field(model_dict, key))
        if name and name != "unknown":
            return name
    return str_or_none(field(model_dict, "class_name")) or "model"


def tool_calls(message: Any) -> list[tuple[str | None, str, Any]]:
    """``(id, name, arguments)`` of the tool calls a model's message asks for: its
    ``ToolCallBlock`` blocks, else ``additional_kwargs["tool_calls"]`` (OpenAI's objects or
    ``ToolSelection``s, as older integrations put them)."""
    calls: list[tuple[str | None, str, Any]] = []
    for block in list_or_empty(field(message, "blocks")):
        if field(block, "block_type") == "tool_call":
            name = str_or_none(field(block, "tool_name")) or "tool"
            calls.append(
                (str_or_none(field(block, "tool_call_id")), name, field(block, "tool_kwargs"))
            )
    if calls:
        return calls
    for item in list_or_empty(field(field(message, "additional_kwargs"), "tool_calls")):
        function = field(item, "function")
        call_id = str_or_none(field(item, "id")) or str_or_none(field(item, "tool_id"))
        called = str_or_none(field(function, "name")) or str_or_none(field(item, "tool_name"))
        args = field(function, "arguments") if function is not None else field(item, "tool_kwargs")
        calls.append((call_id, called or "tool", args))
    return calls


def is_tool_call(span_id: str, instance: Any) -> bool:
    """A tool's own ``call`` / ``acall`` span (``FunctionTool.acall-<uuid>``)."""
    if instance is None or not named(instance, "BaseTool", "AsyncBaseTool"):
        return False
    return method_of(span_id) in ("call", "acall")


def tool_name(tool: Any) -> str:
    metadata = field(tool, "metadata")
    return str_or_none(field(metadata, "name")) or type(tool).__name__
