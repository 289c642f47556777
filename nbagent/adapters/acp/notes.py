"""ACP's notices and context compactions as ``note`` blocks of the run
(``nbagent/transcript/notes.py``), read from the wire dicts: the pinned SDK
(``agent-client-protocol`` 0.12.1) does not model them yet (ACP's unstable schema:
``compaction_update`` and ``compaction_summary_chunk`` since schema 1.21, ``notice`` in its
current unstable schema).

- ``notice`` ``{severity, title, description?}`` → a note of kind ``notice``: its level the
  severity (``info``, ``warning``, ``error``; another value, a vendor's ``_x`` or a future one:
  ``info``), its title (``"Notice"`` when missing), its text the description. Each notice is a
  line of its own.
- ``compaction_update`` ``{compactionId, status, summary?, error?}`` → the note
  ``acp:compaction:{compactionId}``, created at its first update and updated in place: its
  title says the status (``in_progress``: "Compacting context…", ``completed``: "Context
  compacted", ``failed`` (level ``warning``), ``cancelled``; another status by its name), its
  text the summary's content blocks (``content.block_text``), or the error of a failed one.
  ``summary`` and ``error`` patch: absent leaves the text, ``null`` or ``[]`` clears it.
- ``compaction_summary_chunk`` ``{compactionId, content}`` → the content's text appended to
  that compaction's note (a note of its own, in progress, when no update announced it).

A compaction or chunk without a ``compactionId`` string is skipped (returned as None: the
adapter keeps it as a raw ``Custom``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.adapters.acp.content import block_text
from nbagent.adapters.base import list_or_empty, str_or_none
from nbagent.core.events import Custom

__all__ = ["Compactions", "notice"]

_LEVELS = ("info", "warning", "error")
_TITLES = {
    "in_progress": "Compacting context…",
    "completed": "Context compacted",
    "failed": "Context compaction failed",
    "cancelled": "Context compaction cancelled",
}


def _note(**value: Any) -> Custom:
    return Custom(name="note", value=value)


def notice(update: Mapping[str, Any]) -> Custom:
    """A ``notice`` update's note."""
    severity = update.get("severity")
    level = severity if severity in _LEVELS else "info"
    title = str_or_none(update.get("title")) or "Notice"
    text = update.get("description")
    return _note(
        kind="notice", level=level, title=title, text=text if isinstance(text, str) else ""
    )


class Compactions:
    """The compactions of a turn, by id: the summary and error each said so far (their
    notes' text: the error of a failed one, else its summary)."""

    def __init__(self) -> None:
        self._said: dict[str, dict[str, str]] = {}

    def update(self, update: Mapping[str, Any]) -> Custom | None:
        """A ``compaction_update``'s note (None: no id)."""
        compaction_id = str_or_none(update.get("compactionId"))
        if compaction_id is None:
            return None
        said = self._said.setdefault(compaction_id, {"summary": "", "error": ""})
        if "summary" in update:  # patch: null or [] clears
            blocks = map(block_text, list_or_empty(update.get("summary")))
            said["summary"] = "\n\n".join(t for t in blocks if t)
        if "error" in update:
            said["error"] = update["error"] if isinstance(update["error"], str) else ""
        status = str_or_none(update.get("status")) or "in_progress"
        failed = status == "failed"
        return _note(
            id=f"acp:compaction:{compaction_id}",
            kind="compaction",
            level="warning" if failed else "info",
            title=_TITLES.get(status, f"Context compaction: {status}"),
            status=status,
            text=said["error"] if failed and said["error"] else said["summary"],
        )

    def chunk(self, update: Mapping[str, Any]) -> Custom | None:
        """A ``compaction_summary_chunk``'s note: its text appended (None: no id)."""
        compaction_id = str_or_none(update.get("compactionId"))
        if compaction_id is None:
            return None
        text = block_text(update.get("content"))
        value: dict[str, Any] = {
            "id": f"acp:compaction:{compaction_id}",
            "kind": "compaction",
            "append": text,
        }
        if compaction_id not in self._said:  # no update announced it: a note in progress
            value |= {"level": "info", "title": _TITLES["in_progress"], "status": "in_progress"}
        said = self._said.setdefault(compaction_id, {"summary": "", "error": ""})
        said["summary"] += text
        return _note(**value)
