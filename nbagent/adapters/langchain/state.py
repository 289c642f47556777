"""What the LangChain adapter keeps per chat model run (``_Model``: its tool calls, a
``CallGroup`` of ``adapters/kit``, and its open messages), ``whole_call`` (a call that was not
streamed) and ``usage_of``, the reader of ``usage_metadata``."""

from __future__ import annotations

from typing import Any

from nbagent._events import Usage
from nbagent.adapters.kit import Call, CallGroup, langchain_usage

__all__ = ["_Model", "usage_of", "whole_call"]


class _Model(CallGroup):
    """One chat model run: its tool calls (keyed by the run's id) and its open messages."""

    __slots__ = ("text_open", "think_open", "usage_seen")

    def __init__(self, key: str = "") -> None:
        super().__init__(key)
        self.text_open = False
        self.think_open = False
        self.usage_seen = False


def whole_call(tool_call_id: str, owner: str, name: str, synthetic: bool = False) -> Call:
    """A call that came whole (a message's ``tool_calls``, a tool run with no call before it)."""
    call = Call(tool_call_id, None, synthetic, owner)
    call.name = name
    return call


def usage_of(usage: Any, step_id: str | None = None, model: str | None = None) -> Usage:
    """A message's ``usage_metadata`` as one model call's usage (chunks' usage adds up)."""
    return langchain_usage(
        usage, cumulative=False, scope="step", step_id=step_id or None, model=model
    )
