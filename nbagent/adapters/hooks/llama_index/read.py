"""Readers of LlamaIndex's objects for the ``llama-index`` hook adapter: pure, by field and
class name (nothing here imports LlamaIndex)."""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, list_or_empty, str_or_none

__all__ = [
    "error_of",
    "is_tool_call",
    "method_of",
    "model_name",
    "named",
    "tool_calls",
    "tool_name",
]


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
