"""A ``note`` block: a line of the run that is neither answer nor tool: an agent's question
that ended its run (A2A's ``input-required`` / ``auth-required``), a notice the agent gave
(ACP's ``notice``: info, warning, error), or its context compacted (ACP's
``compaction_update``, with the summary it kept).

Adapters say a note with ``Custom(name="note", value={...})`` (``NOTE``): ``kind``
(``NOTE_KINDS``), ``id`` (the same id again updates the note in place: a compaction's status
and summary), ``level`` (``NOTE_LEVELS``), ``title``, ``text`` (replaces the text), ``append``
(text added to it), ``status`` (a compaction's ``in_progress``, ``completed``, ...). The block
is ``{"type": "note", "id", "kind", "level", "title", "text"}``, with ``status`` and ``parent``
when set."""

from __future__ import annotations

from typing import Any, ClassVar

from nbagent.core.textbuf import TextBuffer

__all__ = ["NOTE", "NOTE_KINDS", "NOTE_LEVELS", "NoteBlock", "note_value"]

NOTE = "note"
"""The ``Custom`` name of a note."""
NOTE_KINDS = frozenset(("question", "notice", "compaction"))
NOTE_LEVELS = frozenset(("info", "warning", "error"))
TITLE_CHARS = 500
"""Characters of a title kept (a title is one line; the text carries the rest)."""


class NoteBlock:
    """A ``note`` block (the module docstring)."""

    __slots__ = ("buffer", "id", "kind", "level", "parent", "status", "title")
    type: ClassVar[str] = "note"

    def __init__(self, block_id: str, kind: str, level: str = "info", title: str = "") -> None:
        self.id, self.kind, self.level, self.title = block_id, kind, level, title
        self.buffer = TextBuffer()
        self.status: str | None = None
        self.parent: str | None = None

    @property
    def text(self) -> str:
        return self.buffer.text

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "type": "note",
            "id": self.id,
            "kind": self.kind,
            "level": self.level,
            "title": self.title,
            "text": self.text,
        }
        if self.status is not None:
            d["status"] = self.status
        if self.parent is not None:
            d["parent"] = self.parent
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NoteBlock:
        """A saved note (a kind or level it cannot have: ``notice``, ``info``)."""
        kind = d.get("kind") if d.get("kind") in NOTE_KINDS else "notice"
        level = d.get("level") if d.get("level") in NOTE_LEVELS else "info"
        block = cls(str(d["id"]), str(kind), str(level))
        block.title = str(d.get("title") or "")
        block.buffer = TextBuffer(str(d.get("text") or ""))
        block.status = d.get("status") if isinstance(d.get("status"), str) else None
        block.parent = d.get("parent") if isinstance(d.get("parent"), str) else None
        return block


def note_value(value: Any) -> dict[str, Any] | None:
    """A note's ``Custom`` value, its fields checked: None when it is no note (no dict, an
    unknown ``kind``); a field of the wrong type is left out; an unknown level is ``info``."""
    if not isinstance(value, dict) or value.get("kind") not in NOTE_KINDS:
        return None
    out: dict[str, Any] = {"kind": value["kind"]}
    for key in ("id", "title", "text", "append", "status"):
        if isinstance(value.get(key), str):
            out[key] = value[key]
    if "text" in value and value["text"] is None:
        out["text"] = ""  # null clears
    if "title" in out:
        out["title"] = " ".join(out["title"].split())[:TITLE_CHARS]
    if "level" in value:
        out["level"] = value["level"] if value["level"] in NOTE_LEVELS else "info"
    return out
