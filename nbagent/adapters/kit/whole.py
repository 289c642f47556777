"""What a source gives whole rather than streamed, as events: a tool call with its arguments
(a whole message: ``messages.whole_message``); and call ids made unique in a run (``#2``,
``#3``… for an id an earlier call used: scripted and local models repeat them)."""

from __future__ import annotations

from typing import Any, Literal

from nbagent.core.events import (
    Event,
    ToolCallEnd,
    ToolCallStart,
)

__all__ = ["call_events", "distinct_id"]


def call_events(
    tool_call_id: str,
    name: str,
    arguments: str | None = None,
    args: Any = None,
    *,
    executor: Literal["client", "server"] | None = None,
    synthetic: bool = False,
    server: str | None = None,
    parent: str | None = None,
    ts: float = 0.0,
) -> list[Event]:
    """A whole tool call: its start and its end with the argument text (``arguments``) or
    the parsed arguments (``args``); ``executor="server"``: the provider runs it (``"client"``:
    the caller does, said so); ``server``: the MCP server whose tool it is; ``synthetic``: the
    id is nbagent's; each event's ``parent`` and ``ts`` the ones given (a hook that saw the
    call whole)."""
    return [
        ToolCallStart(
            tool_call_id=tool_call_id,
            name=name,
            executor=executor,
            synthetic_id=synthetic,
            server=server,
            parent=parent,
            ts=ts,
        ),
        ToolCallEnd(
            tool_call_id=tool_call_id, arguments=arguments, args=args, parent=parent, ts=ts
        ),
    ]


def distinct_id(source_id: str, used: set[str], sep: str = "#") -> str:
    """``source_id``, or ``{source_id}#2``, ``#3``… (``sep`` before the number) while an
    earlier call used it; added to ``used``."""
    tool_call_id, n = source_id, 1
    while tool_call_id in used:
        n += 1
        tool_call_id = f"{source_id}{sep}{n}"
    used.add(tool_call_id)
    return tool_call_id
