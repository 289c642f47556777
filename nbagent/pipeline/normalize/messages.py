"""How the normalizer repairs messages: a start before the first delta (empty deltas open
nothing), one end, and an end's ``final_text`` reconciled with what streamed (a missing suffix
is emitted as a delta)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nbagent.core.events import Event, MessageEnd, MessageStart, TextDelta, ThinkingDelta
from nbagent.pipeline.normalize.parts import _Msg, _Tool

__all__ = ["Messages"]


class Messages:
    """The message handlers of ``Normalizer`` (which holds the state they use)."""

    _order: int
    _open: dict[int, _Msg | _Tool]
    _text: dict[str, _Msg]
    _think: dict[str, _Msg]

    if TYPE_CHECKING:

        def _emit(self, ev: Event, out: list[Event]) -> None: ...

    def _open_msg(self, m: _Msg, ts: float, out: list[Event], start: Event | None) -> None:
        self._order += 1
        m.order = self._order
        m.open = True
        self._open[m.order] = m
        if start is None:
            start = MessageStart(
                message_id=m.id,
                channel="thinking" if m.channel == "thinking" else "text",
                ts=ts,
                parent=m.parent,
            )
        self._emit(start, out)

    def _delta_msg(
        self, table: dict[str, _Msg], ev: TextDelta | ThinkingDelta, channel: str, out: list[Event]
    ) -> _Msg:
        """The message ``ev`` adds to, open: a delta with no start before it, or after its
        message ended, opens it."""
        m = table.get(ev.message_id)
        if m is None:
            m = table[ev.message_id] = _Msg(ev.message_id, channel, ev.parent)
        if not m.open:
            self._open_msg(m, ev.ts, out, None)
        return m

    def _on_text(self, ev: TextDelta, out: list[Event]) -> None:
        if not ev.delta:
            return
        m = self._delta_msg(self._text, ev, "text", out)
        if m.refusal is None:  # the first delta says
            m.refusal = ev.refusal
        m.text.append(ev.delta)
        self._emit(ev, out)

    def _on_thinking(self, ev: ThinkingDelta, out: list[Event]) -> None:
        if not ev.delta:
            return
        m = self._delta_msg(self._think, ev, "thinking", out)
        m.text.append(ev.delta)
        self._emit(ev, out)

    def _on_message_start(self, ev: MessageStart, out: list[Event]) -> None:
        if ev.channel not in ("text", "thinking"):
            ev.channel = "text"
        table = self._think if ev.channel == "thinking" else self._text
        m = table.get(ev.message_id)
        if m is None:
            m = table[ev.message_id] = _Msg(ev.message_id, ev.channel, ev.parent)
        elif m.open:
            return  # duplicate start
        self._open_msg(m, ev.ts, out, ev)

    def _on_message_end(self, ev: MessageEnd, out: list[Event]) -> None:
        if ev.channel not in ("text", "thinking"):
            ev.channel = "text"
        table = self._think if ev.channel == "thinking" else self._text
        m = table.get(ev.message_id)
        if m is None:
            m = table[ev.message_id] = _Msg(ev.message_id, ev.channel, ev.parent)
            self._open_msg(m, ev.ts, out, None)
        elif not m.open:
            if m.channel == "thinking" and ev.encrypted_value:  # its encrypted value, late
                ev.parent = ev.parent or m.parent
                self._emit(ev, out)
            return  # duplicate end
        if ev.parent is None:
            ev.parent = m.parent
        self._close_msg(m, ev, out)

    def _close_msg(self, m: _Msg, ev: MessageEnd, out: list[Event]) -> None:
        final = ev.final_text
        if final:
            streamed = m.text.text
            if len(final) > len(streamed) and final.startswith(streamed):
                suffix = final[len(streamed) :]
                m.text.append(suffix)
                delta: Event
                if m.channel == "thinking":
                    delta = ThinkingDelta(message_id=m.id, delta=suffix, ts=ev.ts, parent=m.parent)
                else:
                    refusal = bool(m.refusal)
                    delta = TextDelta(
                        message_id=m.id, delta=suffix, refusal=refusal, ts=ev.ts, parent=m.parent
                    )
                self._emit(delta, out)
        m.open = False
        self._open.pop(m.order, None)
        self._emit(ev, out)
