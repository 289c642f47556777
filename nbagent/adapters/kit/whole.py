"""What a source gives whole rather than streamed, as events: a tool call with its arguments
(a whole message: ``messages.whole_message``)."""

from __future__ import annotations

from typing import Any, Literal

from nbagent.core.events import (
    Event,
    ToolCallEnd,
    ToolCallStart,
)

__all__ = ["call_events"]


def call_events(
    tool_call_id: str,
    name: str,
    arguments: str | None = None,
    args: Any = None,
    *,
    executor: Literal["client", "server", "agent"] | None = None,
    synthetic: bool = False,
    server: str | None = None,
    parent: str | None = None,
    ts: float = 0.0,
) -> list[Event]:
    """A whole tool call: its start and its end with the argument text (``arguments``) or
    the parsed arguments (``args``); ``executor="server"``: the provider runs it (``"client"``:
    the caller does, said so; ``"agent"``: the agent does); ``server``: the MCP server whose
    tool it is; ``synthetic``: the id is nbagent's; each event's ``parent`` and ``ts`` the ones
    given (a hook that saw the call whole)."""
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
