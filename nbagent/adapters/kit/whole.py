"""What a source gives whole rather than streamed, as events: a message (text, refusal or
thinking) and a tool call with its arguments; and call ids made unique in a run (``#2``, ``#3``…
for an id an earlier call used: scripted and local models repeat them)."""

from __future__ import annotations

from typing import Any, Literal

from nbagent._events import (
    Event,
    MessageEnd,
    MessageStart,
    TextDelta,
    ThinkingDelta,
    ToolCallEnd,
    ToolCallStart,
)

__all__ = ["call_events", "distinct_id", "message_events"]


def message_events(
    message_id: str,
    text: str,
    *,
    thinking: bool = False,
    refusal: bool = False,
    whole: bool = False,
    encrypted: str | None = None,
) -> list[Event]:
    """A whole message: its start, its text in one delta, its end. ``thinking``: on the
    thinking channel (``encrypted``: the provider's encrypted reasoning); else the assistant's
    text (``refusal``: a refusal). ``whole``: marked as one that was never streamed."""
    if thinking:
        return [
            MessageStart(message_id=message_id, channel="thinking", whole=whole),
            ThinkingDelta(message_id=message_id, delta=text),
            MessageEnd(message_id=message_id, channel="thinking", encrypted_value=encrypted),
        ]
    return [
        MessageStart(message_id=message_id, role="assistant", whole=whole),
        TextDelta(message_id=message_id, delta=text, refusal=refusal),
        MessageEnd(message_id=message_id),
    ]


def call_events(
    tool_call_id: str,
    name: str,
    arguments: str | None = None,
    args: Any = None,
    *,
    executor: Literal["server"] | None = None,
    synthetic: bool = False,
    server: str | None = None,
) -> list[Event]:
    """A whole tool call: its start and its end with the argument text (``arguments``) or
    the parsed arguments (``args``); ``executor="server"``: the provider runs it; ``server``:
    the MCP server whose tool it is; ``synthetic``: the id is nbagent's."""
    return [
        ToolCallStart(
            tool_call_id=tool_call_id,
            name=name,
            executor=executor,
            synthetic_id=synthetic,
            server=server,
        ),
        ToolCallEnd(tool_call_id=tool_call_id, arguments=arguments, args=args),
    ]


def distinct_id(source_id: str, used: set[str]) -> str:
    """``source_id``, or ``{source_id}#2``, ``#3``… while an earlier call used it; added to
    ``used``."""
    tool_call_id, n = source_id, 1
    while tool_call_id in used:
        n += 1
        tool_call_id = f"{source_id}#{n}"
    used.add(tool_call_id)
    return tool_call_id
