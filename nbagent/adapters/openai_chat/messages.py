"""Messages: ``MessagesMixin``, the bottom of ``OpenAIChatAdapter``'s methods: a choice's
message ids (``{base}:{choice}``, ``…:think``, ``…:refusal``, ``#2`` for a later one), the
content the ``<think>`` splitter cut into thinking and text, and closing the thinking message.
The adapter's ``__init__`` owns the state (``_base``; the rest is on the ``Choice``).
"""

from __future__ import annotations

from nbagent._events import Event, MessageEnd, TextDelta, ThinkingDelta
from nbagent.adapters.openai_chat.state import Choice
from nbagent.adapters.think import Part

__all__ = ["MessagesMixin"]


class MessagesMixin:
    """``OpenAIChatAdapter``'s message methods (the adapter holds the state)."""

    _base: str

    def _message_id(self, state: Choice, kind: str) -> str:
        """The open message of this kind, or a new one: ``{base}:{choice}`` for text,
        ``…:think`` / ``…:refusal``; a later message of the same kind gets ``#2``, ``#3``…"""
        message_id = state.open_ids.get(kind)
        if message_id is None:
            n = state.counts[kind] = state.counts.get(kind, 0) + 1
            message_id = f"{self._base}:{state.index}" + ("" if kind == "text" else f":{kind}")
            if n > 1:
                message_id += f"#{n}"
            state.open_ids[kind] = message_id
        return message_id

    def _emit_parts(self, state: Choice, parts: list[Part], out: list[Event]) -> None:
        """Content split by the ``<think>`` splitter: thinking and answer text, in order."""
        for channel, piece in parts:
            if channel == "thinking":
                message_id = self._message_id(state, "think")
                out.append(ThinkingDelta(message_id=message_id, delta=piece, meta=state.meta))
            else:
                self._close_thinking(state, out)
                message_id = self._message_id(state, "text")
                out.append(TextDelta(message_id=message_id, delta=piece, meta=state.meta))

    def _flush_splitter(self, state: Choice, out: list[Event]) -> None:
        if state.splitter is not None:
            self._emit_parts(state, state.splitter.flush(), out)
            state.splitter = None

    def _close_thinking(self, state: Choice, out: list[Event]) -> None:
        message_id = state.open_ids.pop("think", None)
        if message_id is not None:
            signature, state.signature = state.signature, None
            out.append(
                MessageEnd(
                    message_id=message_id, channel="thinking", signature=signature, meta=state.meta
                )
            )
