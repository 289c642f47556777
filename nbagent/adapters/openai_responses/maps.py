"""The Responses stream's tables and pure readers: ``incomplete_details.reason`` →
``RunEnd.reason``, the output item types (function calls, hosted tools), the event types
``feed`` dispatches on (argument deltas and dones, hosted tool progress, ignored, terminal),
and what is read without state: a hosted tool's arguments and result, an error, ``Usage``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import field, plain, type_is
from nbagent.adapters.kit import openai_usage
from nbagent.core.events import EndReason, ErrorEvent, Usage

__all__ = [
    "ARGS_DELTAS",
    "ARGS_DONES",
    "AUDIO",
    "FUNCTION_ITEMS",
    "HOSTED_ITEMS",
    "HOSTED_PREFIXES",
    "IGNORED",
    "IMAGE_FIELDS",
    "INCOMPLETE_REASONS",
    "PARTS",
    "PROGRESS",
    "TERMINAL",
    "error_code",
    "error_dict",
    "error_event",
    "hosted_args",
    "hosted_result",
    "raw_response_data",
    "str_or_empty",
    "usage_event",
]

INCOMPLETE_REASONS: dict[str, EndReason] = {
    "max_output_tokens": "max_tokens",
    "content_filter": "content_filter",
    "max_messages": "max_steps",  # the response's limit of output messages reached
    # a WebSocket ``response.steer``: stopped at a safe boundary for the user's input, which a
    # successor response takes up; the user's turn, as a pause_turn's
    "steered": "interrupted",
}
"""``incomplete_details.reason`` → ``RunEnd.reason`` (anything else → ``"unknown"``)."""

FUNCTION_ITEMS = frozenset({"function_call", "custom_tool_call"})
"""Output item types that are function calls: the client runs them (``tool_calls`` end)."""

HOSTED_ITEMS = frozenset(
    {
        "web_search_call",
        "file_search_call",
        "code_interpreter_call",
        "mcp_call",
        "mcp_list_tools",
        "image_generation_call",
        "computer_call",
        "local_shell_call",
        "shell_call",
    }
)
"""Output item types of hosted tools: server tool calls (any other ``*_call`` is one too)."""

ARGS_DELTAS = frozenset(
    {
        "response.function_call_arguments.delta",
        "response.custom_tool_call_input.delta",
        "response.mcp_call_arguments.delta",
        "response.code_interpreter_call_code.delta",
    }
)
"""Event types that stream a tool call's arguments (or input, or code)."""

ARGS_DONES = {
    "response.function_call_arguments.done": "arguments",
    "response.custom_tool_call_input.done": "input",
    "response.mcp_call_arguments.done": "arguments",
    "response.code_interpreter_call_code.done": "code",
}
"""Event types that end a tool call's arguments → the field holding the full text."""

PARTS: dict[str, tuple[str, str, str, bool]] = {
    "response.output_text.delta": ("message", "text", "delta", False),
    "response.refusal.delta": ("message", "refusal", "delta", False),
    "response.output_text.done": ("message", "text", "text", True),
    "response.refusal.done": ("message", "refusal", "refusal", True),
    "response.reasoning_summary_text.delta": ("reasoning", "summary", "delta", False),
    "response.reasoning_text.delta": ("reasoning", "reasoning", "delta", False),
    "response.reasoning_summary_text.done": ("reasoning", "summary", "text", True),
    "response.reasoning_text.done": ("reasoning", "reasoning", "text", True),
}
"""Event types that stream a part of a message or a reasoning item, or give its full text →
the item type, the part's kind, the field holding the text, whether it is the full text."""

PROGRESS = frozenset(
    {"in_progress", "searching", "interpreting", "generating", "completed", "failed"}
)
"""The phases of a hosted tool's progress events shown as ``Status``."""

HOSTED_PREFIXES = (
    "response.web_search_call.",
    "response.file_search_call.",
    "response.code_interpreter_call.",
    "response.image_generation_call.",
    "response.mcp_call.",
    "response.mcp_list_tools.",
)
"""Prefixes of hosted tools' progress event types."""

IGNORED = frozenset(
    {
        "keepalive",
        "response.content_part.added",
        "response.content_part.done",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_part.done",
    }
)
"""Event types that carry nothing to show."""

AUDIO = frozenset(
    {
        "response.audio.delta",
        "response.audio.done",
        "response.audio.transcript.delta",
        "response.audio.transcript.done",
    }
)
"""Event types of a spoken answer: its audio's base64 pieces and end, its transcript's."""

IMAGE_FIELDS = ("revised_prompt", "size", "quality", "output_format", "background", "action")
"""What an image generation call's result says of its image (the image is a ``Media``)."""

TERMINAL = frozenset(
    {"response.completed", "response.incomplete", "response.failed", "response.cancelled"}
)
"""Event types that end the response (and the run)."""


def hosted_args(item: Any) -> Any:
    """What a hosted tool was asked: the web search action, the file search queries…"""
    args: dict[str, Any] = {}
    for key in ("action", "queries", "code", "arguments", "server_label", "name", "container_id"):
        value = field(item, key)
        if value is not None and value != "":
            args[key] = plain(value)
    return args


def hosted_result(item: Any) -> Any:
    """A hosted tool's output, from its ``output_item.done`` item: an image generation's is
    what it says of its image (the image itself is a ``Media`` of its own)."""
    if field(item, "type") == "image_generation_call":
        said = {key: plain(v) for key in IMAGE_FIELDS if (v := field(item, key)) is not None}
        return said or field(item, "status")
    for key in ("output", "outputs", "results", "tools"):
        value = field(item, key)
        if value is not None:
            return plain(value)
    status = field(item, "status")
    return status if isinstance(status, str) else None


def error_dict(error: Any) -> dict[str, Any]:
    """``{"message", "code", "type", ...}`` of an ``error`` event or ``response.error``."""
    data = plain(error)
    out: dict[str, Any] = dict(data) if isinstance(data, Mapping) else {}
    out.pop("sequence_number", None)
    if out.get("type") == "error":
        out.pop("type")
    nested = out.get("error")
    if isinstance(nested, Mapping):
        out = {**out, **nested}
        out.pop("error", None)
    message = out.get("message")
    if not isinstance(message, str) or not message:
        out["message"] = "the server sent an error"
    return out


def error_code(value: Any) -> str | int | None:
    """An error's code as the wire gave it, a code of another kind as text."""
    if value is None or isinstance(value, (str, int)):
        return value
    return str(value)


def error_event(error: Mapping[str, Any], message: str | None = None) -> ErrorEvent:
    """The fatal error of an error object (``error_dict``'s; a Chat error frame's, with the
    ``message`` shown when the frame has none)."""
    error_type = error.get("type")
    return ErrorEvent(
        message=message or error["message"],
        code=error_code(error.get("code")),
        error_type=error_type if isinstance(error_type, str) else None,
        recoverable=False,
        details=dict(error),
    )


def usage_event(usage: Any, scope: str = "run", **fields: Any) -> Usage:
    """The response's usage (of the run; a hook's: of its ``step_id``)."""
    return openai_usage(usage, cumulative=True, scope=scope, **fields)


def raw_response_data(payload: Any) -> Any:
    """The Responses event inside an OpenAI Agents SDK ``RawResponsesStreamEvent`` (its
    ``.data``; also its dict form ``{"type": "raw_response_event", "data": ...}``), else the
    payload itself: ``Runner.run_streamed(...).stream_events()`` filtered to the raw events
    reads as a Responses stream."""
    if type_is(payload, "agents", "RawResponsesStreamEvent") or (
        isinstance(payload, Mapping) and payload.get("type") == "raw_response_event"
    ):
        return field(payload, "data")
    return payload


def str_or_empty(value: Any) -> str:
    return value if isinstance(value, str) else ""
