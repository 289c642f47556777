"""What the LangChain adapter keeps per tool call (``_Call``: its id, run, index, name, whether
it started, ended and streamed its arguments, the arguments buffered before its name came) and
per chat model run (``_Model``), and ``_usage``, the pure reader of ``usage_metadata``."""

from __future__ import annotations

from typing import Any

from nbagent._events import Usage
from nbagent.adapters.base import field, int_or_none

__all__ = ["_Call", "_Model", "usage_of"]


class _Call:
    __slots__ = ("buffer", "ended", "id", "index", "name", "run", "started", "streamed", "synth")

    def __init__(self, tool_call_id: str, run: str, index: int | None, synth: bool) -> None:
        self.id = tool_call_id
        self.run = run
        self.index = index
        self.synth = synth
        self.name = ""
        self.started = False
        self.ended = False
        self.streamed = False
        self.buffer: list[str] = []


class _Model:
    """One chat model run."""

    __slots__ = ("by_index", "calls", "text_open", "think_open", "usage_seen")

    def __init__(self) -> None:
        self.text_open = False
        self.think_open = False
        self.usage_seen = False
        self.calls: list[_Call] = []
        self.by_index: dict[int, _Call] = {}


def usage_of(usage: Any, step_id: str | None = None, model: str | None = None) -> Usage:
    """A message's ``usage_metadata`` as one model call's usage (chunks' usage adds up)."""
    return Usage(
        input_tokens=int_or_none(field(usage, "input_tokens")),
        output_tokens=int_or_none(field(usage, "output_tokens")),
        total_tokens=int_or_none(field(usage, "total_tokens")),
        reasoning_tokens=int_or_none(field(field(usage, "output_token_details"), "reasoning")),
        cached_input_tokens=int_or_none(field(field(usage, "input_token_details"), "cache_read")),
        cumulative=False,
        scope="step",
        step_id=step_id or None,
        model=model,
    )
