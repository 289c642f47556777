"""How the reducer folds a note (``Custom("note")``, ``nbagent/transcript/notes.py``): a new
``note`` block, or the note of the same id updated in place (its title, level, status, text
replaced or appended to). A note's text is no answer and no token: it is not counted."""

from __future__ import annotations

from typing import Any

import nbagent.core.events as E
from nbagent.transcript.fold.state import FoldState, Op, set_op
from nbagent.transcript.notes import NoteBlock, note_value

__all__ = ["NoteFold"]


class NoteFold(FoldState):
    """The note handler of the reducer."""

    def _on_note(self, ev: E.Custom) -> list[Op]:
        value = note_value(ev.value)
        if value is None:
            return []
        note_id = value.get("id") or f"note:{len(self._note_index) + 1}"
        i = self._note_index.get(note_id)
        if i is None:
            new = NoteBlock(note_id, value["kind"], value.get("level", "info"))
            new.title = value.get("title", "")
            new.status = value.get("status")
            new.buffer.append(value.get("text", "") + value.get("append", ""))
            return self._add(new)
        block = self._blocks[i]
        assert isinstance(block, NoteBlock)
        changes: dict[str, Any] = {}
        for key in ("level", "title", "status"):
            if key in value and value[key] != getattr(block, key):
                setattr(block, key, value[key])
                changes[key] = value[key]
        if "text" in value and value["text"] != block.text:
            block.buffer = type(block.buffer)(value["text"])
            changes["text"] = value["text"]
        ops: list[Op] = [set_op(i, changes)] if changes else []
        if value.get("append"):
            block.buffer.append(value["append"])
            ops.append({"op": "append", "i": i, "key": "text", "text": value["append"]})
        return ops
