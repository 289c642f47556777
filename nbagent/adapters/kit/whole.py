"""A message seen whole (a hook that sees finished model calls, not tokens): its start marked
``whole``, its one delta, its end."""

from __future__ import annotations

from nbagent._events import Event, MessageEnd, MessageStart, TextDelta, ThinkingDelta
from nbagent._events.kinds import Channel

__all__ = ["whole_message"]


def whole_message(
    message_id: str,
    text: str,
    channel: Channel = "text",
    *,
    role: str | None = None,
    parent: str | None = None,
    ts: float = 0.0,
) -> list[Event]:
    """The three events of a message seen whole: ``MessageStart(whole=True)`` (with
    ``role``), its text or thinking delta, ``MessageEnd``; all in scope ``parent`` at ``ts``."""
    delta = ThinkingDelta if channel == "thinking" else TextDelta
    return [
        MessageStart(
            message_id=message_id, channel=channel, role=role, whole=True, parent=parent, ts=ts
        ),
        delta(message_id=message_id, delta=text, parent=parent, ts=ts),
        MessageEnd(message_id=message_id, channel=channel, parent=parent, ts=ts),
    ]
