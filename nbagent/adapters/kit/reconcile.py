"""Full texts that come after their deltas (a ``.done`` event, a message's ``completed``
object, a step's final arguments): they only reconcile, emitting the suffix not streamed yet,
never the whole again (a message's indexed content parts are kit ``Parts`` inside it);
``end_streamed_call`` ends a tool call whose argument text was streamed.
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.kit.calls import args_text
from nbagent.core.events import Event, ToolCallArgsDelta, ToolCallEnd

__all__ = ["end_streamed_call", "missing_suffix"]


def missing_suffix(streamed: str, full: Any) -> str:
    """What a full text adds to the ``streamed`` one: ``""`` when it adds nothing, or when it
    differs (what was shown is kept)."""
    if not isinstance(full, str) or len(full) <= len(streamed) or not full.startswith(streamed):
        return ""
    return full[len(streamed) :]


def end_streamed_call(tool_call_id: str, streamed: list[str], full: Any) -> list[Event]:
    """A tool call's end, its full arguments (text, or parsed: as JSON) reconciled with the
    ``streamed`` text: the missing suffix as a delta, or the full text on the end when it
    differs."""
    full = args_text(full)
    so_far = "".join(streamed)
    if isinstance(full, str) and full != so_far:
        if not full.startswith(so_far):
            return [ToolCallEnd(tool_call_id=tool_call_id, arguments=full)]
        return [
            ToolCallArgsDelta(tool_call_id=tool_call_id, delta=full[len(so_far) :]),
            ToolCallEnd(tool_call_id=tool_call_id),
        ]
    return [ToolCallEnd(tool_call_id=tool_call_id)]
