"""Blocks of what a run reports besides messages and tool calls: an ``activity`` (AG-UI 1.0's
``ACTIVITY_SNAPSHOT`` / ``ACTIVITY_DELTA``: structured progress a UI draws as its own widget,
its content the latest snapshot with the deltas since applied) and an ``interrupt`` (a run
that ended waiting for input it does not tie to a tool call: AG-UI's ``RUN_FINISHED`` outcome
``interrupt``; its reason, message, the schema of the answer and when it expires)."""

from __future__ import annotations

from typing import Any, ClassVar

from nbagent.core.textbuf import TextBuffer

__all__ = ["INTERRUPT_KEYS", "ActivityBlock", "InterruptBlock", "restored_block"]


class ActivityBlock:
    """An activity (``activity`` block, by its message id): ``activity_type`` (the producer's
    word), ``content`` (an object), ``error`` (why it stopped following its deltas: a patch
    that did not apply; None while it follows them)."""

    __slots__ = (
        "activity_type",
        "buffer",
        "content",
        "ended_at",
        "error",
        "id",
        "parent",
        "started_at",
    )
    type: ClassVar[str] = "activity"

    def __init__(self, block_id: str, activity_type: str, started_at: float | None) -> None:
        self.id, self.activity_type = block_id, activity_type
        self.buffer = TextBuffer()  # every block has one (the reducer's hot path)
        self.content: Any = {}
        self.error: str | None = None
        self.started_at = started_at
        self.ended_at: float | None = None  # as every block (not in the state)
        self.parent: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "type": "activity",
            "id": self.id,
            "activity_type": self.activity_type,
            "content": self.content,
        }
        if self.error is not None:
            d["error"] = self.error
        if self.parent is not None:
            d["parent"] = self.parent
        return d


INTERRUPT_KEYS = ("reason", "message", "tool_call_id", "response_schema", "expires_at", "metadata")
"""What an ``interrupt`` block keeps of its interrupt, each only when given."""


class InterruptBlock:
    """What a run ended waiting for (``interrupt`` block, by the interrupt's id): its
    ``fields`` (``INTERRUPT_KEYS``); answered on the next run of the agent (AG-UI: a
    ``RunAgentInput.resume`` entry, ``nbagent.adapters.ag_ui.resume_entries``)."""

    __slots__ = ("buffer", "ended_at", "fields", "id", "parent")
    type: ClassVar[str] = "interrupt"

    def __init__(self, block_id: str, fields: dict[str, Any]) -> None:
        self.id = block_id
        self.fields = {k: fields[k] for k in INTERRUPT_KEYS if fields.get(k) is not None}
        self.buffer = TextBuffer()
        self.ended_at: float | None = None  # as every block (not in the state)
        self.parent: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": "interrupt", "id": self.id, **self.fields}
        if self.parent is not None:
            d["parent"] = self.parent
        return d


def restored_block(d: dict[str, Any]) -> ActivityBlock | InterruptBlock:
    """An ``activity`` or ``interrupt`` block from its ``to_dict()`` (``Transcript.from_dict``)."""
    if d["type"] == "interrupt":
        block: ActivityBlock | InterruptBlock = InterruptBlock(d["id"], d)
    else:
        block = ActivityBlock(d["id"], str(d.get("activity_type") or ""), d.get("started_at"))
        block.content, block.error = d.get("content"), d.get("error")
    block.parent = d.get("parent")
    return block
