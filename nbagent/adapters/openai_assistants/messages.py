"""Messages: ``Messages``, the part of ``OpenAIAssistantsAdapter`` that turns
``thread.message.*`` into text and refusal messages: deltas appended, the full content of
``created`` / ``completed`` only reconciled (the missing suffix), annotations as ``Custom``.
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, int_or_none, plain
from nbagent.adapters.kit.reconcile import Parts, end_text_parts, text_part
from nbagent.core.events import Custom, Event, MessageStart

__all__ = ["Messages"]


class Messages:
    """The run's messages: the parts streamed of each, those ended, whether one refused."""

    def __init__(self) -> None:
        self._messages: dict[str, Parts] = {}  # id -> streamed parts
        self._ended_messages: set[str] = set()
        self.refusal = False

    def message(self, name: str, message: Any, out: list[Event]) -> None:
        message_id = field(message, "id")
        if not isinstance(message_id, str) or not message_id:
            message_id = "message"
        if message_id in self._ended_messages:
            return
        parts = self._messages.setdefault(message_id, {})
        if name == "thread.message.created":
            role = field(message, "role")
            out.append(
                MessageStart(message_id=message_id, role=role if isinstance(role, str) else None)
            )
            self._content(message_id, parts, field(message, "content"), out, full=True)
        elif name == "thread.message.delta":
            self._content(message_id, parts, field(field(message, "delta"), "content"), out)
        elif name in ("thread.message.completed", "thread.message.incomplete"):
            self._content(message_id, parts, field(message, "content"), out, full=True)
            self._end_message(message_id, parts, out)

    def _content(
        self, message_id: str, parts: Parts, content: Any, out: list[Event], full: bool = False
    ) -> None:
        if not isinstance(content, list):
            return
        for position, part in enumerate(content):
            index = int_or_none(field(part, "index"))
            index = position if index is None else index
            kind = field(part, "type")
            if kind == "text":
                text = field(field(part, "text"), "value")
                text_part(parts, message_id, "text", index, text, out, full=full)
                if not full:
                    annotations = field(field(part, "text"), "annotations")
                    if isinstance(annotations, list):
                        out.extend(Custom(name="annotation", value=plain(a)) for a in annotations)
            elif kind == "refusal":
                text = field(part, "refusal")
                self.refusal |= text_part(parts, message_id, "refusal", index, text, out, full=full)
            elif isinstance(kind, str) and not full:
                out.append(Custom(name=kind, value=plain(part)))

    def finish(self, out: list[Event]) -> None:
        """End every open message (the run is ending)."""
        for message_id, parts in self._messages.items():
            self._end_message(message_id, parts, out)

    def _end_message(self, message_id: str, parts: Parts, out: list[Event]) -> None:
        if message_id not in self._ended_messages:
            self._ended_messages.add(message_id)
            end_text_parts(parts, message_id, out)
