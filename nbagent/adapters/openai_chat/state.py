"""What the adapter keeps per choice and per tool call: ``Choice`` (its open messages, its
tool calls, its finish reason, its ``<think>`` splitter) and ``Call`` (one tool call's ids,
name and the argument text buffered until its name arrives).
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.think import ThinkSplitter

__all__ = ["Call", "Choice"]


class Call:
    """One tool call of one choice, keyed by (choice, index)."""

    __slots__ = (
        "buffer",
        "ended",
        "index",
        "name",
        "started",
        "synthetic",
        "tool_call_id",
        "wire_id",
    )

    def __init__(self, tool_call_id: str, index: int | None, synthetic: bool) -> None:
        self.tool_call_id = tool_call_id
        self.index = index
        self.synthetic = synthetic
        self.wire_id: str | None = None if synthetic else tool_call_id
        self.name = ""
        self.started = False
        self.ended = False
        self.buffer: list[str] = []


class Choice:
    """One choice's state: its open messages by kind, its tool calls, its finish reason."""

    __slots__ = (
        "by_index",
        "calls",
        "counts",
        "finish",
        "index",
        "meta",
        "open_ids",
        "reasoning_field",
        "signature",
        "splitter",
    )

    def __init__(self, index: int) -> None:
        self.index = index
        self.meta: dict[str, Any] | None = None if index == 0 else {"choice_index": index}
        self.open_ids: dict[str, str] = {}  # "text" | "think" | "refusal" -> open message id
        self.counts: dict[str, int] = {}  # messages opened so far, per kind
        self.calls: list[Call] = []
        self.by_index: dict[int, Call] = {}
        self.finish: str | None = None
        self.reasoning_field = False  # the server sends reasoning apart: no <think> splitting
        self.splitter: ThinkSplitter | None = None
        self.signature: str | None = None  # of the open thinking message, for its MessageEnd
