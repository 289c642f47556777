"""A model call's output as a hosted tool's export holds it → the GenAI conventions' output
messages (``[{"role": "assistant", "parts": [...], "finish_reason"}]``), what the otel
adapter reads from ``gen_ai.output.messages``.

The shapes read: GenAI's own messages; a string; a Chat Completions response or one of its
messages (``content``, ``reasoning_content``, ``tool_calls``); a Responses API response
(``output`` items: ``message``, ``reasoning``, ``function_call``); a Gemini response or Google
ADK's (``candidates[].content`` or ``content``: ``parts`` with ``text``, ``thought``,
``function_call``); an Anthropic message (``text``, ``thinking``, ``tool_use`` blocks);
LangChain's ``generations`` and its serialized messages (``kwargs``). Anything else: None
(the call's output is not known).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import field, list_or_empty, str_or_none

__all__ = ["input_messages", "output_messages"]

Message = dict[str, Any]


def output_messages(output: Any) -> list[Message] | None:
    """The GenAI output messages of ``output``; None when its shape is not one known."""
    if isinstance(output, str):
        return [_message([_text(output)])] if output else []
    items = list_or_empty(output)
    if items:
        if all(isinstance(m, Mapping) and "parts" in m for m in items):
            return [dict(m) for m in items]
        found = [m for item in items if (m := _one(item)) is not None]
        return [m for m in found if m["role"] == "assistant"] if found else None
    if not isinstance(output, Mapping):
        return None
    message = _one(output)
    return None if message is None else [message]


def input_messages(messages: Any) -> list[Message] | None:
    """A model call's input as GenAI input messages: GenAI's own, or Chat Completions
    messages (text content, and ``tool`` messages as ``tool_call_response`` parts); None for
    anything else."""
    items = list_or_empty(messages)
    if items and isinstance(items[0], list):  # LangChain's: a batch of conversations
        items = items[0]
    if not items or not all(isinstance(m, Mapping) for m in items):
        return None
    if all("parts" in m for m in items):
        return [dict(m) for m in items]
    out: list[Message] = []
    for message in items:
        message = message.get("kwargs", message)
        role = str(message.get("role") or message.get("type") or "")
        content = message.get("content")
        if role == "tool":
            response = {"type": "tool_call_response", "id": message.get("tool_call_id")}
            out.append({"role": "tool", "parts": [{**response, "response": content}]})
        elif isinstance(content, str):
            role = "user" if role == "human" else role
            out.append({"role": role, "parts": [_text(content)]})
    return out


def _one(obj: Any) -> Message | None:
    """One output object, of any shape known, as a GenAI message."""
    if not isinstance(obj, Mapping):
        return None
    if isinstance(obj.get("choices"), list):  # Chat Completions
        choice = next(iter(obj["choices"]), None)
        message = _chat(field(choice, "message") or field(choice, "delta") or {})
        message["finish_reason"] = str_or_none(field(choice, "finish_reason"))
        return message
    if obj.get("object") == "response" or (isinstance(obj.get("output"), list) and "status" in obj):
        return _responses(obj)
    if isinstance(obj.get("candidates"), list):  # Gemini
        candidate = next(iter(obj["candidates"]), None)
        message = _gemini(field(candidate, "content"))
        reason = field(candidate, "finish_reason") or field(candidate, "finishReason")
        message["finish_reason"] = _lower(reason)
        return message
    if isinstance(obj.get("content"), Mapping) and "parts" in obj["content"]:  # Google ADK
        message = _gemini(obj["content"])
        message["finish_reason"] = _lower(obj.get("finish_reason"))
        return message
    if isinstance(obj.get("generations"), list):  # LangChain's LLMResult
        first = next(iter(obj["generations"]), None)
        first = next(iter(first), None) if isinstance(first, list) else first
        if isinstance(lc_message := field(first, "message"), Mapping):
            return _one(lc_message)
        text = str_or_none(field(first, "text"))
        return _message([_text(text)] if text else [])
    if isinstance(obj.get("kwargs"), Mapping):  # a serialized LangChain message
        return _one({**obj["kwargs"], "role": _lc_role(obj)})
    if obj.get("type") == "message" and isinstance(obj.get("content"), list):  # Anthropic
        message = _message(_anthropic(obj["content"]))
        message["finish_reason"] = str_or_none(obj.get("stop_reason"))
        return message
    if "content" in obj or "tool_calls" in obj or obj.get("role") in ("assistant", "ai"):
        return _chat(obj)
    return None


def _message(parts: list[dict[str, Any]], role: str = "assistant") -> Message:
    return {"role": role, "parts": parts, "finish_reason": None}


def _text(text: str, kind: str = "text") -> dict[str, Any]:
    return {"type": kind, "content": text}


def _call(call_id: Any, name: Any, arguments: Any) -> dict[str, Any]:
    return {
        "type": "tool_call",
        "id": str_or_none(call_id),
        "name": str_or_none(name) or "tool",
        "arguments": arguments,
    }


def _chat(message: Any) -> Message:
    """A Chat Completions message (OpenAI's, LangChain's ``AIMessage`` fields)."""
    parts: list[dict[str, Any]] = []
    for key in ("reasoning_content", "reasoning"):
        if thinking := str_or_none(field(message, key)):
            parts.append(_text(thinking, "thinking"))
            break
    content = field(message, "content")
    if isinstance(content, str):
        if content:
            parts.append(_text(content))
    else:
        parts += _anthropic(list_or_empty(content))
    for call in list_or_empty(field(message, "tool_calls")):
        function = field(call, "function")
        if function is not None:
            parts.append(
                _call(field(call, "id"), field(function, "name"), field(function, "arguments"))
            )
        else:  # LangChain's: name, args, id
            parts.append(_call(field(call, "id"), field(call, "name"), field(call, "args")))
    role = field(message, "role") or field(message, "type")
    return _message(
        parts, "assistant" if role in (None, "assistant", "ai", "AIMessage") else str(role)
    )


def _anthropic(blocks: Any) -> list[dict[str, Any]]:
    """Content blocks: Anthropic's (``text``, ``thinking``, ``tool_use``), OpenAI's content
    parts (``text``, ``output_text``)."""
    parts: list[dict[str, Any]] = []
    for block in list_or_empty(blocks):
        kind = field(block, "type")
        if isinstance(block, str):
            parts.append(_text(block))
        elif kind in ("text", "output_text") and (text := str_or_none(field(block, "text"))):
            parts.append(_text(text))
        elif kind == "thinking" and (text := str_or_none(field(block, "thinking"))):
            parts.append(_text(text, "thinking"))
        elif kind in ("tool_use", "tool_call"):
            args = field(block, "input") if kind == "tool_use" else field(block, "args")
            parts.append(_call(field(block, "id"), field(block, "name"), args))
    return parts


def _responses(response: Mapping[str, Any]) -> Message:
    """A Responses API response's output items."""
    parts: list[dict[str, Any]] = []
    for item in list_or_empty(response.get("output")):
        kind = field(item, "type")
        if kind == "message":
            parts += _anthropic(field(item, "content"))
        elif kind == "reasoning":
            for summary in list_or_empty(field(item, "summary")):
                if text := str_or_none(field(summary, "text")):
                    parts.append(_text(text, "thinking"))
        elif kind == "function_call":
            parts.append(
                _call(field(item, "call_id"), field(item, "name"), field(item, "arguments"))
            )
    message = _message(parts)
    message["finish_reason"] = (
        "tool_calls"
        if any(p["type"] == "tool_call" for p in parts)
        else ("stop" if response.get("status") == "completed" else None)
    )
    return message


def _gemini(content: Any) -> Message:
    """A Gemini ``Content``: ``parts`` of ``text`` (``thought``: thinking) and
    ``function_call`` (snake_case or camelCase)."""
    parts: list[dict[str, Any]] = []
    for part in list_or_empty(field(content, "parts")):
        call = field(part, "function_call") or field(part, "functionCall")
        if call is not None:
            parts.append(_call(field(call, "id"), field(call, "name"), field(call, "args")))
        elif text := str_or_none(field(part, "text")):
            parts.append(_text(text, "thinking" if field(part, "thought") else "text"))
    role = field(content, "role")
    return _message(parts, "assistant" if role in (None, "model", "assistant") else str(role))


def _lc_role(message: Mapping[str, Any]) -> str:
    """A serialized LangChain message's role, from its class name (``AIMessage``)."""
    names = list_or_empty(message.get("id"))
    last = names[-1] if names and isinstance(names[-1], str) else ""
    return "assistant" if last.startswith("AIMessage") else last or "assistant"


def _lower(reason: Any) -> str | None:
    """Gemini's finish reason (``STOP``) in the words the others use (``stop``)."""
    text = str_or_none(reason)
    return text.lower() if text else None
