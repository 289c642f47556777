"""Why a model call ended, read the one way: a provider's word → ``RunEnd.reason`` or a step's
``finish_reason``.

Each provider says it in its own words (OpenAI's ``finish_reason``, Anthropic's and Bedrock's
``stop_reason``, Gemini's ``FinishReason``, Ollama's ``done_reason``…). An adapter keeps its
provider's table, built from the word groups here that its provider shares (``ANTHROPIC_STOPS``,
``OPENAI_FINISHES``) and its own words, and reads it with:

- ``end_reason(table, raw, absent=, other=, called=)``: a run's (or a step's) ``EndReason``:
  ``absent`` when no word came (None), ``other`` for a word the table lacks; ``called`` turns a
  ``completed`` into ``tool_calls`` (a provider that says it stopped after calling tools).
- ``step_reason(table, raw)``: a step's ``finish_reason`` where an unknown word is kept as it
  came (and no word stays None).

Other families adopt it as they are: openai-chat's ``map_finish_reason`` is
``end_reason(OPENAI_FINISHES | {"insufficient_system_resource": "error"}, raw,
absent="incomplete")``; LangGraph's run end ``end_reason(_FINISH, raw, absent="completed",
other="completed")``; the OTel hook adapter's and pydantic-ai's ``FINISH.get(raw or "", raw)``
is ``step_reason(FINISH, raw)``; Vercel's ``finishReason`` ``end_reason(FINISH_REASONS, raw,
absent="completed")``.
"""

from __future__ import annotations

from collections.abc import Mapping

from nbagent.core.events import EndReason

__all__ = ["ANTHROPIC_STOPS", "OPENAI_FINISHES", "end_reason", "step_reason"]

ANTHROPIC_STOPS: Mapping[str, EndReason] = {
    "end_turn": "completed",
    "stop_sequence": "completed",
    "max_tokens": "max_tokens",
    "model_context_window_exceeded": "max_tokens",
    "tool_use": "tool_calls",
}
"""The ``stop_reason`` words of Anthropic's Messages API that Bedrock's Converse shares."""

OPENAI_FINISHES: Mapping[str, EndReason] = {
    "stop": "completed",
    "length": "max_tokens",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
}
"""The ``finish_reason`` words of OpenAI's Chat Completions, which compatible servers share."""


def end_reason(
    table: Mapping[str, EndReason],
    raw: str | None,
    *,
    absent: EndReason = "unknown",
    other: EndReason = "unknown",
    called: bool = False,
) -> EndReason:
    """``raw`` read in ``table``: ``absent`` for None, ``other`` for a word not in it; a
    ``completed`` is ``tool_calls`` when ``called`` (the model called tools)."""
    reason = absent if raw is None else table.get(raw, other)
    return "tool_calls" if called and reason == "completed" else reason


def step_reason(table: Mapping[str, str], raw: str | None) -> str | None:
    """A step's ``finish_reason``: ``raw`` read in ``table``, kept as it came when not in it."""
    return table.get(raw or "", raw)
