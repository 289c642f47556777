"""How the reducer folds text and thinking messages: their deltas (past the first token of a
stretch, an answer's deltas take ``reducer.apply``'s hot path), their start and end, and a
text message that turns out to have been thinking."""

from __future__ import annotations

from typing import Any

import nbagent.core.events as E
from nbagent.transcript.blocks import MessageBlock
from nbagent.transcript.fold.state import FoldState, Op, set_op

__all__ = ["MessageFold"]


class MessageFold(FoldState):
    """The message handlers of the reducer."""

    def _on_text(self, ev: E.TextDelta) -> list[Op]:
        delta = ev.delta
        if not delta:
            return []
        i = self._text_index.get(ev.message_id)
        if i is not None:
            return self._append(i, "text", delta, ev.ts)
        block = MessageBlock("text", ev.message_id, ev.delta, refusal=ev.refusal, started_at=ev.ts)
        return self._add_message(block, self._count(ev.ts))

    def _on_thinking(self, ev: E.ThinkingDelta) -> list[Op]:
        if not ev.delta:
            return []
        i = self._think_index.get(ev.message_id)
        if i is not None:
            return self._append(i, "text", ev.delta, ev.ts)
        start = self._think_started.pop(ev.message_id, ev.ts)
        block = MessageBlock("thinking", ev.message_id, ev.delta, started_at=start)
        return self._add_message(block, self._count(ev.ts))

    def _add_message(self, block: MessageBlock, *more: Op) -> list[Op]:
        """A message's block, at its first text (or its end, when redacted with none); one
        that was announced whole says so, and is no longer pending."""
        block.whole = block.id in self._whole_ids
        ops = self._add(block, *more)
        if block.whole:
            ops.append({"op": "run", "set": {"whole_pending": self._whole_pending()}})
        return ops

    def _whole_pending(self) -> list[str]:
        """The messages announced whole whose text has not come yet: a saved run resumed
        goes on knowing them (their text is a paragraph of its own)."""
        return sorted(self._whole_ids - self._text_index.keys() - self._think_index.keys())

    def _on_message_start(self, ev: E.MessageStart) -> list[Op]:
        if ev.channel == "thinking" and ev.message_id not in self._think_index:
            self._think_started.setdefault(ev.message_id, ev.ts)
        if not ev.whole:
            return []
        self._whole_ids.add(ev.message_id)
        changes: dict[str, Any] = {"whole_pending": self._whole_pending()}
        if not self.whole:
            self.whole = changes["whole"] = True
        return [{"op": "run", "set": changes}]

    def _on_message_end(self, ev: E.MessageEnd) -> list[Op]:
        if ev.channel != "thinking":
            return self._retype_as_thinking(ev) if ev.was_thinking else []
        i = self._think_index.get(ev.message_id)
        start = self._think_started.pop(ev.message_id, ev.ts)
        encrypted = bool(ev.encrypted_value)  # shown as "encrypted reasoning", never decoded
        if i is None:
            if not (ev.redacted or encrypted):
                return []
            block = MessageBlock("thinking", ev.message_id, "", started_at=start)
            block.redacted, block.encrypted, block.ended_at = ev.redacted, encrypted, ev.ts
            return self._add_message(block)
        b = self._blocks[i]
        assert isinstance(b, MessageBlock)
        if b.ended_at is not None and encrypted:  # its encrypted value came after its end
            if b.encrypted:
                return []
            b.encrypted = True
            return [set_op(i, {"encrypted": True})]
        b.ended_at, b.redacted = ev.ts, b.redacted or ev.redacted
        changes: dict[str, Any] = {"ended_at": ev.ts, "redacted": b.redacted}
        if encrypted and not b.encrypted:
            b.encrypted = changes["encrypted"] = True
        return [set_op(i, changes)]

    def _retype_as_thinking(self, ev: E.MessageEnd) -> list[Op]:
        """A text block that was thinking (``MessageEnd.was_thinking``: a closing think tag for
        a block the prompt opened) becomes a thinking block, from its first token to ``ev``."""
        i = self._text_index.pop(ev.message_id, None)
        if i is None:
            return []
        b = self._blocks[i]
        assert isinstance(b, MessageBlock)
        b.type, b.ended_at, b.was_text = "thinking", ev.ts, True
        self._think_index[ev.message_id] = i
        d = b.to_dict()
        return [
            set_op(i, {k: d[k] for k in ("type", "text", "redacted", "started_at", "ended_at")})
        ]
