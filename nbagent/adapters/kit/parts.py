"""The content parts an adapter streams, kept the one way: ``Parts``.

A part is one message (text, thinking, refusal) or one tool call's argument stream, keyed by
its scope and the wire's own key for it (a block index, a content index, an item id). The
adapter holds one ``Parts`` (composed) and says, as its wire does, that a part opens, gets a
delta or closes; ``Parts`` names the part through the run's ``Ids`` (the wire's id verbatim,
else ``{scope}:{kind}{n}``) and emits the events: a ``MessageStart`` or ``ToolCallStart`` at
the open, a ``TextDelta`` / ``ThinkingDelta`` / ``TextDelta(refusal=True)`` /
``ToolCallArgsDelta`` per delta, a ``MessageEnd`` or ``ToolCallEnd`` at the close (with the
fields the part gathered on the way: a signature, redacted content, whole arguments).

A part opened at a key where one is open closes that one first: a wire whose indices restart
(a new response) or a block replaced (a start that never came) needs nothing more. A part
opened ``inside`` another is a content part of that message (a wire that streams one message in
several indexed parts, Responses' ``content_index``): it takes the message's id, opens and
closes with no event, and closes with it; its own text reconciles a full text of its index.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any, Literal, TypeAlias

from nbagent.adapters.kit.ids import Ids, Kind
from nbagent.adapters.kit.reconcile import end_streamed_call
from nbagent.core.events import (
    Event,
    MessageEnd,
    MessageStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
)
from nbagent.core.events.envelope import Channel

__all__ = ["Part", "PartKind", "Parts"]

PartKind: TypeAlias = Literal["text", "thinking", "refusal", "call"]
"""What a part is: a message of a channel (a refusal is a text message marked so) or a call."""

_ID_KIND: Mapping[PartKind, Kind] = {
    "text": "text",
    "thinking": "think",
    "refusal": "refusal",
    "call": "call",
}


class Part:
    """One part: its ``kind``, ``id`` and ``key`` (a call's ``name`` too); whether it is
    ``open``; the text its deltas carried (``text``); ``end``, the fields its closing event
    takes (a signature, redacted content, a call's whole arguments), gathered as the wire says
    them."""

    __slots__ = (
        "_pieces",
        "end",
        "id",
        "inner",
        "inside",
        "key",
        "kind",
        "name",
        "open",
        "scope",
        "synthetic",
    )

    def __init__(
        self, kind: PartKind, part_id: str, key: Hashable, synthetic: bool, scope: str = ""
    ) -> None:
        self.kind: PartKind = kind
        self.id = part_id
        self.key = key
        self.scope = scope
        self.synthetic = synthetic
        self.inside: Part | None = None  # the message this part is a content part of
        self.inner: list[Part] = []  # this message's content parts
        self.name = ""
        self.open = True
        self.end: dict[str, Any] = {}
        self._pieces: list[str] = []

    @property
    def streamed(self) -> bool:
        """Whether a delta with text was sent."""
        return bool(self._pieces)

    @property
    def text(self) -> str:
        """The text the deltas carried so far."""
        if len(self._pieces) > 1:
            self._pieces[:] = ["".join(self._pieces)]
        return self._pieces[0] if self._pieces else ""


class Parts:
    """The open parts of a run, ``(scope, key) → Part`` in the order they opened.

    ``ids`` names them (the run's, shared with its other ids); ``starts`` gives, per kind of
    message, the ``MessageStart`` fields of a format that announces its messages (a kind not in
    it opens silently); ``meta`` and ``parent`` are every event's.
    """

    def __init__(
        self,
        ids: Ids | None = None,
        *,
        starts: Mapping[PartKind, Mapping[str, Any]] | None = None,
        meta: dict[str, Any] | None = None,
        parent: str | None = None,
    ) -> None:
        self.ids = ids if ids is not None else Ids()
        self.open: dict[tuple[str, Hashable], Part] = {}
        self._starts = starts or {}
        self.meta = meta
        self.parent = parent

    def get(self, key: Hashable, scope: str = "") -> Part | None:
        """The open part at ``key`` (in ``scope``), None when none is."""
        return self.open.get((scope, key))

    def start(
        self,
        kind: PartKind,
        key: Hashable,
        out: list[Event],
        *,
        scope: str = "",
        wire_id: str | None = None,
        part_id: str | None = None,
        announce: bool | None = None,
        inside: Part | None = None,
        **start: Any,
    ) -> Part:
        """A new part at ``key``, the one open there closed first. Its id is ``wire_id``
        (``#2`` when seen again) or ``{scope}:{kind}{n}`` (the ``Ids``' scope when ``scope`` is
        empty), or ``part_id`` as given (a format's own scheme). A call starts with a
        ``ToolCallStart`` (with the ``start`` fields: its name, index, executor…); a message
        with a ``MessageStart`` (with the ``start`` fields, else its kind's in ``starts``) when
        ``announce`` holds, and by default when ``start`` fields are given or its kind is in
        ``starts``. A part ``inside`` a message is one of its content parts: the message's id,
        no event."""
        self.close(key, out, scope=scope)
        if inside is not None:
            part = self.open[(scope, key)] = Part(kind, inside.id, key, inside.synthetic, scope)
            part.inside = inside
            inside.inner.append(part)
            return part
        part_id = part_id or self.ids.of(wire_id, _ID_KIND[kind], scope or None)
        part = self.open[(scope, key)] = Part(kind, part_id, key, not wire_id, scope)
        if kind == "call":
            part.name = start.get("name") or ""
            out.append(
                ToolCallStart(
                    tool_call_id=part_id,
                    synthetic_id=part.synthetic,
                    meta=self.meta,
                    parent=self.parent,
                    **{"name": "", **start},
                )
            )
        elif announce or (announce is None and (start or kind in self._starts)):
            fields = start or self._starts.get(kind, {})
            out.append(
                MessageStart(
                    message_id=part_id,
                    channel=_channel(kind),
                    meta=self.meta,
                    parent=self.parent,
                    **fields,
                )
            )
        return part

    def delta(
        self, part: Part, text: Any, out: list[Event], *, lead: str = "", **fields: Any
    ) -> bool:
        """The delta of ``text`` in ``part`` (nothing for no text); whether one was sent.
        ``lead`` goes before the text on the wire but is not the part's (a separator between
        two content parts of a message); ``fields`` are the delta event's."""
        if not isinstance(text, str) or not text:
            return False
        part._pieces.append(text)
        text = lead + text
        common: dict[str, Any] = {"meta": self.meta, "parent": self.parent, **fields}
        if part.kind == "call":
            out.append(ToolCallArgsDelta(tool_call_id=part.id, delta=text, **common))
        elif part.kind == "thinking":
            out.append(ThinkingDelta(message_id=part.id, delta=text, **common))
        else:
            refusal = part.kind == "refusal"
            out.append(TextDelta(message_id=part.id, delta=text, refusal=refusal, **common))
        return True

    def put(
        self, kind: PartKind, key: Hashable, text: Any, out: list[Event], *, scope: str = ""
    ) -> Part:
        """The part of ``kind`` at ``key``, opened when none is (or when the one there is of
        another kind: closed first), and the delta of ``text`` in it."""
        part = self.open.get((scope, key))
        if part is None or part.kind != kind:
            part = self.start(kind, key, out, scope=scope)
        self.delta(part, text, out)
        return part

    def close(
        self, key: Hashable | Part, out: list[Event], *, scope: str = "", **end: Any
    ) -> Part | None:
        """The end of the open part (``key``'s, or the part given), with the fields it gathered
        and ``end``'s: a ``MessageEnd`` or ``ToolCallEnd``, its content parts closed with it.
        Nothing when none is open, nor for a content part."""
        part = self._pop(key, scope)
        if part is None:
            return None
        for inner in part.inner:
            self._pop(inner, inner.scope)
        if part.inside is not None:
            return part
        fields = {**part.end, **end, "meta": self.meta, "parent": self.parent}
        if part.kind == "call":
            out.append(ToolCallEnd(tool_call_id=part.id, **fields))
        else:
            out.append(MessageEnd(message_id=part.id, channel=_channel(part.kind), **fields))
        return part

    def settle(self, part: Part, full: Any, out: list[Event]) -> None:
        """The end of a call whose whole arguments came after its deltas (text, or parsed:
        JSON): what was not streamed yet as a delta, or the whole on its end when it differs
        from what was (``reconcile.end_streamed_call``). Nothing for a part closed already."""
        if self._pop(part, "") is not None:
            out.extend(end_streamed_call(part.id, [part.text], full))

    def _pop(self, key: Hashable | Part, scope: str) -> Part | None:
        """The open part (``key``'s, or the part given) taken off, marked closed."""
        if isinstance(key, Part):
            where = (key.scope, key.key)
            part = self.open.pop(where) if self.open.get(where) is key else None
        else:
            part = self.open.pop((scope, key), None)
        if part is not None:
            part.open = False
        return part

    def close_all(self, out: list[Event], scope: str | None = None) -> bool:
        """Close every open part (of ``scope`` when given), in the order they opened; whether
        one was open."""
        keys = [k for k in self.open if scope is None or k[0] == scope]
        for where, key in keys:
            self.close(key, out, scope=where)
        return bool(keys)


def _channel(kind: PartKind) -> Channel:
    """The channel of a message part: a refusal is text."""
    return "thinking" if kind == "thinking" else "text"
