"""Text and reasoning messages of AG-UI, ``Messages``, a part of ``AgUiAdapter``:
``TEXT_MESSAGE_*``, ``REASONING_*`` (encrypted values attached to the message they belong to) and
the legacy ``THINKING_*`` events, with the ids made up for chunks and legacy thinking
(``ids``, the run's ``Ids``, which the ``ToolCalls`` part shares)."""

from __future__ import annotations

from typing import Any

from nbagent.adapters.ag_ui.tables import _get
from nbagent.adapters.base import plain, str_or_none
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.messages import Channel, message_delta
from nbagent.core.events import Custom, Event, MessageEnd, MessageStart, TextDelta, ThinkingDelta

__all__ = ["Messages"]


class Messages:
    """The message handlers (``on_<type>``) and their open messages."""

    def __init__(self) -> None:
        self._text_chunk: str | None = None
        self._reasoning_chunk: str | None = None
        self.ids = Ids()  # the run's: its scope the run's id once RUN_STARTED said it
        self._legacy_thinking: str | None = None
        self._legacy_title: str | None = None
        self._reasoning_id: str | None = None
        self._open_thinking: set[str] = set()
        self._encrypted: dict[str, str] = {}

    # -- text ------------------------------------------------------------------------------

    def on_text_message_start(self, ev: Any, out: list[Event]) -> None:
        _text_start(str_or_none(_get(ev, "messageId")) or self.ids.new("text"), ev, out)

    def on_text_message_content(self, ev: Any, out: list[Event]) -> None:
        _content("text", ev, out)

    def on_text_message_end(self, ev: Any, out: list[Event]) -> None:
        message_id = str_or_none(_get(ev, "messageId"))
        if message_id:
            out.append(MessageEnd(message_id=message_id, channel="text"))

    def on_text_message_chunk(self, ev: Any, out: list[Event]) -> None:
        message_id = str_or_none(_get(ev, "messageId"))
        if message_id is not None and message_id != self._text_chunk:
            if self._text_chunk is not None:
                out.append(MessageEnd(message_id=self._text_chunk, channel="text"))
            self._text_chunk = message_id
            _text_start(message_id, ev, out)
        delta = _get(ev, "delta")
        if isinstance(delta, str) and delta:
            if self._text_chunk is None:
                self._text_chunk = self.ids.new("text")
            out.append(TextDelta(message_id=self._text_chunk, delta=delta))

    # -- reasoning -------------------------------------------------------------------------

    def _reasoning_meta(self) -> dict[str, Any] | None:
        return {"reasoning_id": self._reasoning_id} if self._reasoning_id else None

    def on_reasoning_start(self, ev: Any, out: list[Event]) -> None:
        self._reasoning_id = str_or_none(_get(ev, "messageId"))

    def on_reasoning_end(self, ev: Any, out: list[Event]) -> None:
        self._reasoning_id = None

    def _thinking_open(self, message_id: str, out: list[Event], title: str | None = None) -> None:
        self._open_thinking.add(message_id)
        out.append(
            MessageStart(
                message_id=message_id,
                channel="thinking",
                role="reasoning",
                title=title,
                meta=self._reasoning_meta(),
            )
        )

    def _thinking_close(self, message_id: str, out: list[Event]) -> None:
        self._open_thinking.discard(message_id)
        out.append(
            MessageEnd(
                message_id=message_id,
                channel="thinking",
                encrypted_value=self._encrypted.pop(message_id, None),
            )
        )

    def on_reasoning_message_start(self, ev: Any, out: list[Event]) -> None:
        self._thinking_open(str_or_none(_get(ev, "messageId")) or self.ids.new("think"), out)

    def on_reasoning_message_content(self, ev: Any, out: list[Event]) -> None:
        _content("thinking", ev, out)

    def on_reasoning_message_end(self, ev: Any, out: list[Event]) -> None:
        message_id = str_or_none(_get(ev, "messageId"))
        if message_id:
            self._thinking_close(message_id, out)

    def on_reasoning_message_chunk(self, ev: Any, out: list[Event]) -> None:
        message_id = str_or_none(_get(ev, "messageId"))
        delta = _get(ev, "delta")
        opened = False
        if message_id is not None and message_id != self._reasoning_chunk:
            if self._reasoning_chunk is not None:
                self._thinking_close(self._reasoning_chunk, out)
            self._reasoning_chunk = message_id
            self._thinking_open(message_id, out)
            opened = True
        if isinstance(delta, str) and delta:
            if self._reasoning_chunk is None:
                self._reasoning_chunk = self.ids.new("think")
            out.append(ThinkingDelta(message_id=self._reasoning_chunk, delta=delta))
        elif self._reasoning_chunk is not None and (delta == "" or not opened):
            # an empty delta closes the message (so does a chunk with neither id nor delta)
            self._thinking_close(self._reasoning_chunk, out)
            self._reasoning_chunk = None

    def on_reasoning_encrypted_value(self, ev: Any, out: list[Event]) -> None:
        entity = str_or_none(_get(ev, "entityId"))
        value = str_or_none(_get(ev, "encryptedValue"))
        if entity is None or value is None:
            out.append(Custom(name="reasoning_encrypted_value", value=plain(ev)))
            return
        if entity in self._open_thinking:
            self._encrypted[entity] = value
            return
        # A message already closed (marked encrypted), a tool call's reasoning, or reasoning
        # that came only encrypted (an "encrypted reasoning" block of its own): never decoded.
        tool_call = str_or_none(_get(ev, "subtype")) == "tool-call"
        message_id = self.ids.new("think", entity) if tool_call else entity
        out.append(MessageEnd(message_id=message_id, channel="thinking", encrypted_value=value))

    # legacy THINKING_* (0.x): no message ids

    def on_thinking_start(self, ev: Any, out: list[Event]) -> None:
        self._legacy_title = str_or_none(_get(ev, "title"))

    def on_thinking_text_message_start(self, ev: Any, out: list[Event]) -> None:
        if self._legacy_thinking is not None:
            self._thinking_close(self._legacy_thinking, out)
        self._legacy_thinking = self.ids.new("think")
        self._thinking_open(self._legacy_thinking, out, self._legacy_title)

    def on_thinking_text_message_content(self, ev: Any, out: list[Event]) -> None:
        delta = _get(ev, "delta")
        if isinstance(delta, str) and delta:
            if self._legacy_thinking is None:
                self._legacy_thinking = self.ids.new("think")
            out.append(ThinkingDelta(message_id=self._legacy_thinking, delta=delta))

    def on_thinking_text_message_end(self, ev: Any, out: list[Event]) -> None:
        if self._legacy_thinking is not None:
            self._thinking_close(self._legacy_thinking, out)
            self._legacy_thinking = None

    def on_thinking_end(self, ev: Any, out: list[Event]) -> None:
        self.on_thinking_text_message_end(ev, out)
        self._legacy_title = None

    def close_chunks(self, out: list[Event]) -> None:
        """The run ends: close the chunked text and reasoning only an id switch would have."""
        if self._text_chunk is not None:
            out.append(MessageEnd(message_id=self._text_chunk, channel="text"))
            self._text_chunk = None
        for message_id in sorted(self._open_thinking):
            self._thinking_close(message_id, out)


def _text_start(message_id: str, ev: Any, out: list[Event]) -> None:
    role, name = str_or_none(_get(ev, "role")), str_or_none(_get(ev, "name"))
    out.append(MessageStart(message_id=message_id, role=role or "assistant", name=name))


def _content(channel: Channel, ev: Any, out: list[Event]) -> None:
    """A ``*_CONTENT`` event's delta in the message it names (an empty delta is forbidden)."""
    delta = _get(ev, "delta")
    message_id = str_or_none(_get(ev, "messageId"))
    if isinstance(delta, str) and delta and message_id:
        out.append(message_delta(channel, message_id, delta))
