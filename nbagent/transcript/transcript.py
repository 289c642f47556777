"""``Transcript``: the folded state of one run with its exports (markdown, HTML, text).

The state and the reducer are ``nbagent.transcript.fold.TranscriptBase``; the exports
(``nbagent.transcript.export``)
work on that state, so the reducer never depends on them.
"""

from __future__ import annotations

from nbagent.transcript import export as export
from nbagent.transcript.blocks import ToolCall
from nbagent.transcript.fold import STATE_VERSION, TranscriptBase, apply_op
from nbagent.transcript.usage import TokenUsage

__all__ = ["STATE_VERSION", "TokenUsage", "ToolCall", "Transcript", "apply_op"]


class Transcript(TranscriptBase):
    """The folded state of one run, as plain data: ``run.transcript`` while it streams, and
    what ``await run`` / ``run.wait()`` return.

    - ``text`` / ``thinking``: the answer and the model's reasoning, each one string;
    - ``status``: exactly one of ``"running"``, ``"completed"``, ``"error"``, ``"cancelled"``;
      ``end_reason`` is finer: ``"completed"``, ``"tool_calls"``, ``"max_tokens"``,
      ``"cancelled"``, ``"error"``, ``"incomplete"`` (closed with no terminal event), ...;
    - ``tool_calls``: every :class:`ToolCall` in order; ``usage``: a :class:`TokenUsage`;
      ``cost_usd``; ``steps``: one dict per step (model call);
    - the status line's numbers: ``ttft_s``, ``elapsed_s``, ``generation_s``,
      ``output_tokens``, ``tokens_per_s``;
    - ``Transcript.from_events(events)`` folds events; ``to_dict()`` / ``from_dict()`` round
      trip it as JSON; ``to_markdown()``, ``to_html()`` and ``to_text()`` export it.

    A transcript never holds Python callables or widgets.
    """

    def to_markdown(self) -> str:
        """The run as markdown: the answer, thinking and tool calls as quotes and code."""
        return export.to_markdown(self)

    def to_html(self, standalone: bool = False) -> str:
        """The run as static, escaped HTML (``standalone``: a whole page)."""
        return export.to_html(self, standalone=standalone)

    def to_text(self) -> str:
        """The run as plain text."""
        return export.to_text(self)
