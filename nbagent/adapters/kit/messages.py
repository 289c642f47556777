"""The text and thinking messages an adapter streams, opened and closed the one way.

``Messages`` holds which message of each channel is open (per key: "" for a format that has
one of each at a time, the wire's id for one that names them), numbers them per channel and
makes their ids with the adapter's own scheme; the kit's ``Parts`` (``parts.py``), keyed by
channel and key, emit its events. A format whose ids are the run's ``Ids`` holds a ``Parts``
itself.

``message_delta`` is the delta event of a channel; ``whole_message`` a message that arrives
whole: start, its text, end.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

from nbagent.adapters.kit.ids import Ids, kind_of
from nbagent.adapters.kit.parts import Part, PartKind, Parts
from nbagent.core.events import (
    Event,
    MessageEnd,
    MessageStart,
    TextDelta,
    ThinkingDelta,
)
from nbagent.core.events.envelope import Channel

__all__ = [
    "ANSWER_SEEN_WHOLE",
    "SEEN_WHOLE",
    "Channel",
    "IdScheme",
    "Messages",
    "invented",
    "message_delta",
    "whole_message",
    "wire_key",
]

IdScheme: TypeAlias = Callable[[Channel, str, int], str]
"""A message's id from its channel, its key and its number in its channel (1 for the first)."""


def wire_key(channel: Channel, key: str, n: int) -> str:
    """The id scheme of a format that names its messages: the key is the id."""
    return key


def invented(ids: Ids, scope: str | None = None) -> IdScheme:
    """The id scheme of a format whose messages may come without an id, made by the run's
    ``ids``: a key (the wire's id) verbatim (``#2`` when seen again), else ``{scope}:text1``,
    ``{scope}:think1``… (the ``ids``' own scope when ``scope`` is None)."""

    def scheme(channel: Channel, key: str, n: int) -> str:
        return ids.wire(key) if key else ids.new(kind_of(channel), scope)

    return scheme


def message_delta(
    channel: Channel,
    message_id: str,
    text: str,
    parent: str | None = None,
    ts: float = 0.0,
    meta: dict[str, Any] | None = None,
) -> TextDelta | ThinkingDelta:
    """The ``TextDelta`` or ``ThinkingDelta`` of ``text`` in a message of ``channel``."""
    if channel == "thinking":
        return ThinkingDelta(message_id=message_id, delta=text, parent=parent, ts=ts, meta=meta)
    return TextDelta(message_id=message_id, delta=text, parent=parent, ts=ts, meta=meta)


def whole_message(
    out: list[Event],
    channel: Channel,
    message_id: str,
    text: str | None,
    start: Mapping[str, Any] | None = None,
    end: Mapping[str, Any] | None = None,
    parent: str | None = None,
    ts: float = 0.0,
    refusal: bool = False,
) -> None:
    """A message that arrives whole: its ``MessageStart`` (with the ``start`` fields, e.g.
    ``SEEN_WHOLE``), the delta of its ``text`` when it has some (a ``refusal``'s text marked
    so), its ``MessageEnd`` (with the ``end`` fields: a signature, redacted or encrypted
    reasoning); each event's ``parent`` and ``ts`` the ones given (a hook that saw the call end)."""
    out.append(
        MessageStart(message_id=message_id, channel=channel, parent=parent, ts=ts, **start or {})
    )
    if text:
        delta = message_delta(channel, message_id, text, parent, ts)
        if refusal and isinstance(delta, TextDelta):
            delta.refusal = True
        out.append(delta)
    out.append(
        MessageEnd(message_id=message_id, channel=channel, parent=parent, ts=ts, **end or {})
    )


SEEN_WHOLE: Mapping[str, Any] = {"whole": True}
"""The start of a message a hook saw whole (a model call that did not stream)."""

ANSWER_SEEN_WHOLE: Mapping[str, Any] = {"role": "assistant", "whole": True}
"""The start of an assistant's answer a hook saw whole."""


class Messages:
    """The open messages, ``(channel, key) → id`` in the order they opened: kit ``Parts``
    keyed by channel and key, named by an id scheme.

    ``ids`` makes a new message's id; ``starts`` gives, per channel, the ``MessageStart``
    fields of a format that announces its messages (a channel not in it opens silently);
    ``meta`` is every event's (e.g. a choice's index).
    """

    def __init__(
        self,
        ids: IdScheme = wire_key,
        starts: Mapping[Channel, Mapping[str, Any]] | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        kinds: dict[PartKind, Mapping[str, Any]] = dict((starts or {}).items())
        self.parts = Parts(starts=kinds, meta=meta)
        self.counts: dict[Channel, int] = {}
        self._ids = ids

    @property
    def open(self) -> dict[tuple[Channel, str], str]:
        """The open messages' ids by channel and key."""
        return {key: part.id for (_, key), part in self.parts.open.items()}  # type: ignore[misc]

    def get(self, channel: Channel, key: str = "") -> str | None:
        """The id of the open message of ``channel`` (and ``key``), None when none is."""
        part = self.parts.get((channel, key))
        return None if part is None else part.id

    def id(
        self, channel: Channel, out: list[Event], key: str = "", *, announce: bool = True
    ) -> str:
        """The open message's id, opening one when none is (announced with a
        ``MessageStart`` when ``channel`` is in ``starts`` and ``announce`` holds)."""
        return self._part(channel, out, key, announce).id

    def _part(self, channel: Channel, out: list[Event], key: str, announce: bool) -> Part:
        part = self.parts.get((channel, key))
        if part is None:
            n = self.counts[channel] = self.counts.get(channel, 0) + 1
            given = self._ids(channel, key, n)
            part = self.parts.start(
                channel, (channel, key), out, part_id=given, announce=None if announce else False
            )
        return part

    def delta(
        self,
        channel: Channel,
        text: str,
        out: list[Event],
        key: str = "",
        *,
        announce: bool = True,
    ) -> str:
        """A ``TextDelta`` or ``ThinkingDelta`` of ``text`` in the open message (opened when
        none is); its id."""
        part = self._part(channel, out, key, announce)
        self.parts.delta(part, text, out)
        return part.id

    def close(self, channel: Channel, out: list[Event], key: str = "", **end: Any) -> str | None:
        """The ``MessageEnd`` (with the ``end`` fields) of the open message, if one is; its
        id."""
        part = self.parts.close((channel, key), out, **end)
        return None if part is None else part.id

    def close_all(self, out: list[Event]) -> bool:
        """Close every open message, in the order they opened; whether one was open."""
        return self.parts.close_all(out)
