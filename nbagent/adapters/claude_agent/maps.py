"""Readers of the Claude Agent SDK's messages, alike for its dataclasses (``AssistantMessage``,
``ToolUseBlock``, ...) and for the CLI's ``stream-json`` lines they are parsed from: the kind
of a message or a content block, an assistant message's fields, a tool use's call (Claude
Code's session files read it too), a tool result's content, and a result message's
``RunEnd.reason``. Nothing here keeps state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from nbagent.adapters.anthropic import map_stop_reason
from nbagent.adapters.base import field, list_or_empty, plain, str_or_none, type_is
from nbagent.adapters.kit.whole import call_events
from nbagent.core.events import EndReason, Event

__all__ = [
    "MESSAGE_KINDS",
    "PACKAGE",
    "Assistant",
    "assistant_of",
    "block_kind",
    "end_reason",
    "message_kind",
    "result_content",
    "tool_use_call",
]

PACKAGE = "claude_agent_sdk"

MESSAGE_KINDS: dict[str, str] = {
    "AssistantMessage": "assistant",
    "UserMessage": "user",
    "SystemMessage": "system",  # TaskStartedMessage, HookEventMessage, ... are subclasses
    "ResultMessage": "result",
    "StreamEvent": "stream_event",
    "RateLimitEvent": "rate_limit_event",
    "ConversationResetMessage": "conversation_reset",
}
"""The SDK's message classes → the ``type`` of the CLI line they are parsed from."""

_BLOCK_KINDS: dict[str, str] = {
    "TextBlock": "text",
    "ThinkingBlock": "thinking",
    "ToolUseBlock": "tool_use",
    "ToolResultBlock": "tool_result",
    "ServerToolUseBlock": "server_tool_use",
    "ServerToolResultBlock": "server_tool_result",
}

_DICT_KINDS = frozenset(MESSAGE_KINDS.values())


def message_kind(item: Any) -> str | None:
    """``"assistant"``, ``"user"``, ``"system"``, ``"result"``, ``"stream_event"``, ... of an
    SDK message or a CLI line; None for anything else."""
    if isinstance(item, Mapping):
        kind = item.get("type")
        return kind if isinstance(kind, str) and kind in _DICT_KINDS else None
    for cls in type(item).__mro__:
        if cls.__module__.startswith(PACKAGE) and cls.__name__ in MESSAGE_KINDS:
            return MESSAGE_KINDS[cls.__name__]
    return None


def block_kind(block: Any) -> str | None:
    """A content block's ``type``: the dict's, or the one of the SDK's block class."""
    if isinstance(block, Mapping):
        kind = block.get("type")
        return kind if isinstance(kind, str) else None
    if type_is(block, PACKAGE):
        return _BLOCK_KINDS.get(type(block).__name__)
    return None


@dataclass(frozen=True, slots=True)
class Assistant:
    """What the adapter reads of an assistant message (one API message may come as several,
    a content block each, sharing its id)."""

    content: tuple[Any, ...]
    model: str | None
    message_id: str | None
    usage: Any
    stop_reason: str | None
    parent: str | None
    error: str | None


def assistant_of(item: Any) -> Assistant:
    """An ``AssistantMessage``'s fields, or a CLI ``assistant`` line's (under ``message``)."""
    message = item.get("message") if isinstance(item, Mapping) else item
    message_id = field(message, "id") if isinstance(item, Mapping) else field(item, "message_id")
    return Assistant(
        content=tuple(list_or_empty(field(message, "content"))),
        model=str_or_none(field(message, "model")),
        message_id=str_or_none(message_id),
        usage=field(message, "usage"),
        stop_reason=str_or_none(field(message, "stop_reason")),
        parent=str_or_none(field(item, "parent_tool_use_id")),
        error=str_or_none(field(item, "error")),
    )


def result_content(content: Any) -> Any:
    """A tool result's content: a string, or its text blocks joined, or the blocks as JSON."""
    blocks = list_or_empty(content)
    if blocks and all(field(b, "type") == "text" for b in blocks):
        return "".join(str(field(b, "text") or "") for b in blocks)
    return plain(content)


def tool_use_call(
    block: Any,
    call_id: str,
    *,
    synthetic: bool,
    executor: Literal["client", "server", "agent"],
    parent: str | None,
) -> list[Event]:
    """A ``tool_use`` (``server_tool_use``) block as the whole call it is: its name, and its
    ``input`` as the argument text and parsed."""
    args = plain(field(block, "input"))
    return call_events(
        call_id,
        str_or_none(field(block, "name")) or "",
        json.dumps(args, ensure_ascii=False),
        args,
        executor=executor,
        synthetic=synthetic,
        parent=parent,
    )


def end_reason(
    subtype: str | None, is_error: bool, stop: str | None, terminal: str | None
) -> EndReason:
    """A ``ResultMessage`` → ``RunEnd.reason``."""
    if terminal is not None and terminal.startswith("aborted"):
        return "cancelled"
    if subtype == "error_max_turns" or terminal == "max_turns":
        return "max_steps"
    if is_error or (subtype is not None and subtype.startswith("error")):
        return "error"
    if stop is None or stop == "tool_use":  # the run ended; its last call was no stop
        return "completed"
    return map_stop_reason(stop)
