"""Writes the agent makes through the client (``fs/write_text_file``) shown as edits: a write to
a file that none of the turn's tool calls names gets a panel of its own with the write's diff,
so that no change to the user's files goes unseen. A write to a file a call names (its
locations, its diffs) is that call's, whose panel shows the agent's own account of it."""

from __future__ import annotations

import os
import weakref
from pathlib import Path
from typing import Any

__all__ = ["OLD_TEXT_BYTES", "Writes"]

OLD_TEXT_BYTES = 1 << 20
"""A file larger than this before a write is not read for its diff (the panel says its size)."""


def _key(path: str) -> str:
    return os.path.realpath(path)


class Writes:
    """The paths each turn's tool calls name (turns of several sessions may run at once), and
    the panels made for writes outside them."""

    def __init__(self) -> None:
        self._named: weakref.WeakKeyDictionary[object, set[str]] = weakref.WeakKeyDictionary()
        """Each turn's named paths: forgotten with the turn."""
        self._made = 0

    def _for(self, turn: object) -> set[str]:
        return self._named.setdefault(turn, set())

    def saw(self, turn: object, update: Any) -> None:
        """A session update of ``turn``: the paths a tool call names (before the view's
        paths are made relative)."""
        if getattr(update, "session_update", None) not in ("tool_call", "tool_call_update"):
            return
        named = self._for(turn)
        for loc in update.locations or []:
            named.add(_key(str(loc.path)))
        for piece in update.content or []:
            if getattr(piece, "type", None) == "diff":
                named.add(_key(str(piece.path)))

    def before(self, real: Path) -> str | None:
        """The file's text before the write (None: a new file; a file too large or not text:
        a note of its size instead, in brackets)."""
        try:
            size = real.stat().st_size
        except FileNotFoundError:
            return None
        if size > OLD_TEXT_BYTES:
            return f"[{size:,} bytes before this write: too large to compare]\n"
        try:
            return real.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return f"[{size:,} bytes before this write, not text]\n"

    def shown(self, turn: object, path: str, old: str | None, new: str) -> Any | None:
        """The ``tool_call`` update that shows a write to ``path`` no call of ``turn`` names
        (completed, with its diff); None when a call names it."""
        from acp.helpers import start_tool_call, tool_diff_content
        from acp.schema import ToolCallLocation

        named = self._for(turn)
        if _key(path) in named:
            return None
        named.add(_key(path))
        self._made += 1
        return start_tool_call(
            f"nbagent-write-{self._made}",
            f"Write {Path(path).name}",
            kind="edit",
            status="completed",
            locations=[ToolCallLocation(path=path)],
            content=[tool_diff_content(path, new, old)],
        )
