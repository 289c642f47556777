"""Paths as the view shows them: a tool call's diffs, locations and the paths among its
arguments (``rawInput``'s top-level strings) relative to the session's ``cwd`` when they are
inside it (agents send absolute paths; the adapter, pure, has no cwd; a saved notebook must
not hold its author's directories)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

__all__ = ["relative_update"]


def _relative(path: Any, cwd: PurePath) -> Any:
    if not isinstance(path, str):
        return path
    try:
        return str(PurePath(path).relative_to(cwd)) if PurePath(path).is_absolute() else path
    except ValueError:  # outside cwd: shown as the agent sent it
        return path


def relative_update(update: Any, cwd: PurePath) -> Any:
    """``update`` (the SDK's) with its diffs', locations' and arguments' paths relative to
    ``cwd`` where they are inside it; an update of another kind as it is."""
    if getattr(update, "session_update", None) not in ("tool_call", "tool_call_update"):
        return update
    changes: dict[str, Any] = {}
    raw = getattr(update, "raw_input", None)
    if isinstance(raw, dict):  # its arguments: a path it names ({"path": "/work/a.py"})
        relative = {k: _relative(v, cwd) for k, v in raw.items()}
        if relative != raw:
            changes["raw_input"] = relative
    if update.locations:
        changes["locations"] = [
            loc.model_copy(update={"path": _relative(loc.path, cwd)}) for loc in update.locations
        ]
    if update.content:
        changes["content"] = [
            piece.model_copy(update={"path": _relative(piece.path, cwd)})
            if getattr(piece, "type", None) == "diff"
            else piece
            for piece in update.content
        ]
    return update.model_copy(update=changes) if changes else update
