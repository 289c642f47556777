"""``Transcript``: the folded state of one run with its exports (markdown, HTML, text).

The state and the reducer are ``nbagent._fold.TranscriptBase``; the exports (``nbagent._export``)
work on that state, so the reducer never depends on them.
"""

from __future__ import annotations

from nbagent import _export as export
from nbagent._blocks import TokenUsage, ToolCall
from nbagent._fold import STATE_VERSION, TranscriptBase, apply_op

__all__ = ["STATE_VERSION", "TokenUsage", "ToolCall", "Transcript", "apply_op"]


class Transcript(TranscriptBase):
    """Folded state of one run: blocks, tool calls, usage, timing, status; ``from_events``,
    ``to_dict``, and the exports below."""

    def to_markdown(self) -> str:
        """The run as markdown: the answer, thinking and tool calls as quotes and code."""
        return export.to_markdown(self)

    def to_html(self, standalone: bool = False) -> str:
        """The run as static, escaped HTML (``standalone``: a whole page)."""
        return export.to_html(self, standalone=standalone)

    def to_text(self) -> str:
        """The run as plain text."""
        return export.to_text(self)
