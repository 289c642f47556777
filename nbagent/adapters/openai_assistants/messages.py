"""Messages: ``Messages``, the part of ``OpenAIAssistantsAdapter`` that turns
``thread.message.*`` into text and refusal messages: deltas appended, the full content of
``created`` / ``completed`` only reconciled (the missing suffix), annotations as ``Custom``.
A message is a kit part keyed by its id, each of its content parts (by index) a part inside
it; its refusal is a message of its own (``{id}:refusal1``).
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, int_or_none, plain
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.parts import Part, Parts
from nbagent.adapters.kit.reconcile import missing_suffix
from nbagent.core.events import Custom, Event, MessageStart

__all__ = ["Messages"]


class Messages:
    """The run's messages: their parts, the ids of those seen, whether one refused."""

    def __init__(self) -> None:
        self._parts = Parts(Ids())
        self._seen: set[str] = set()  # every message opened (also those ended)
        self.refusal = False
        self._unnamed: str | None = None  # the open message the wire gave no id

    def message(self, name: str, message: Any, out: list[Event]) -> None:
        message_id = field(message, "id")
        if not isinstance(message_id, str) or not message_id:
            # its later events carry none either: the open one the wire named not, until it ends
            message_id = self._unnamed = self._unnamed or self._parts.ids.new("text")
        part = self._parts.get(message_id)
        if part is None:
            if message_id in self._seen:
                return  # ended
            self._seen.add(message_id)
            part = self._parts.start("text", message_id, out, part_id=message_id, announce=False)
        if name == "thread.message.created":
            role = field(message, "role")
            out.append(
                MessageStart(message_id=message_id, role=role if isinstance(role, str) else None)
            )
            self._content(part, field(message, "content"), out, full=True)
        elif name == "thread.message.delta":
            self._content(part, field(field(message, "delta"), "content"), out)
        elif name in ("thread.message.completed", "thread.message.incomplete"):
            self._content(part, field(message, "content"), out, full=True)
            self._end_message(part, out)
            if message_id == self._unnamed:
                self._unnamed = None

    def _content(self, message: Part, content: Any, out: list[Event], full: bool = False) -> None:
        if not isinstance(content, list):
            return
        for position, part in enumerate(content):
            index = int_or_none(field(part, "index"))
            index = position if index is None else index
            kind = field(part, "type")
            if kind == "text":
                text = field(field(part, "text"), "value")
                self._put(message, "text", index, text, out, full)
                if not full:
                    annotations = field(field(part, "text"), "annotations")
                    if isinstance(annotations, list):
                        out.extend(Custom(name="annotation", value=plain(a)) for a in annotations)
            elif kind == "refusal":
                self._put(message, "refusal", index, field(part, "refusal"), out, full)
            elif isinstance(kind, str) and not full:
                out.append(Custom(name=kind, value=plain(part)))

    def _put(
        self, message: Part, kind: str, index: int, text: Any, out: list[Event], full: bool
    ) -> None:
        """Text of the content part ``(kind, index)``; with ``full`` its full text: only the
        suffix not streamed yet."""
        scope = message.id
        inside = message
        if kind == "refusal":
            inside = self._parts.get("refusal", scope) or self._parts.start(
                "refusal", "refusal", out, scope=scope
            )
        part = self._parts.get((kind, index), scope)
        if full:
            text = missing_suffix(part.text if part is not None else "", text)
        if not isinstance(text, str) or not text:
            return
        if part is None:
            part = self._parts.start(inside.kind, (kind, index), out, scope=scope, inside=inside)
        self._parts.delta(part, text, out)
        self.refusal |= kind == "refusal"

    def finish(self, out: list[Event]) -> None:
        """End every open message (the run is ending)."""
        for part in [p for (scope, _), p in self._parts.open.items() if not scope]:
            self._end_message(part, out)

    def _end_message(self, message: Part, out: list[Event]) -> None:
        """A message's end, then its refusal's."""
        self._parts.close(message, out)
        self._parts.close_all(out, message.id)
