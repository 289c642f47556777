"""Messages: ``Messages``, the part of ``OpenAIAssistantsAdapter`` that turns
``thread.message.*`` into text and refusal messages: deltas appended, the full content of
``created`` / ``completed`` only reconciled (the missing suffix), annotations as ``Custom``.
"""

from __future__ import annotations

from typing import Any

from nbagent._events import Custom, Event, MessageEnd, MessageStart, TextDelta
from nbagent.adapters.base import field, int_or_none, plain

__all__ = ["Messages"]


class Messages:
    """The run's messages: the parts streamed of each, those ended, whether one refused."""

    def __init__(self) -> None:
        self._messages: dict[str, dict[tuple[str, int], str]] = {}  # id -> streamed parts
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
        self,
        message_id: str,
        parts: dict[tuple[str, int], str],
        content: Any,
        out: list[Event],
        full: bool = False,
    ) -> None:
        if not isinstance(content, list):
            return
        for position, part in enumerate(content):
            index = int_or_none(field(part, "index"))
            index = position if index is None else index
            kind = field(part, "type")
            if kind == "text":
                text = field(field(part, "text"), "value")
                self._text(message_id, parts, "text", index, text, out, full)
                if not full:
                    annotations = field(field(part, "text"), "annotations")
                    if isinstance(annotations, list):
                        out.extend(Custom(name="annotation", value=plain(a)) for a in annotations)
            elif kind == "refusal":
                text = field(part, "refusal")
                self._text(message_id, parts, "refusal", index, text, out, full)
            elif isinstance(kind, str) and not full:
                out.append(Custom(name=kind, value=plain(part)))

    def _text(
        self,
        message_id: str,
        parts: dict[tuple[str, int], str],
        kind: str,
        index: int,
        text: Any,
        out: list[Event],
        full: bool,
    ) -> None:
        if not isinstance(text, str) or not text:
            return
        streamed = parts.get((kind, index), "")
        if full:  # a full text: only the missing suffix (never append blindly)
            if len(text) <= len(streamed) or not text.startswith(streamed):
                return
            text = text[len(streamed) :]
        parts[(kind, index)] = streamed + text
        if kind == "refusal":
            self.refusal = True
            out.append(TextDelta(message_id=f"{message_id}:refusal", delta=text, refusal=True))
        else:
            out.append(TextDelta(message_id=message_id, delta=text))

    def finish(self, out: list[Event]) -> None:
        """End every open message (the run is ending)."""
        for message_id, parts in self._messages.items():
            self._end_message(message_id, parts, out)

    def _end_message(
        self, message_id: str, parts: dict[tuple[str, int], str], out: list[Event]
    ) -> None:
        if message_id in self._ended_messages:
            return
        self._ended_messages.add(message_id)
        if any(kind == "text" for kind, _ in parts) or not parts:
            out.append(MessageEnd(message_id=message_id))
        if any(kind == "refusal" for kind, _ in parts):
            out.append(MessageEnd(message_id=f"{message_id}:refusal"))
