"""What the LangChain hook adapter keeps per run (``_Run``) and the pure readers of LangChain's
objects it alone needs: a tool's output, a model's name, an error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent._events import Event, MessageEnd, MessageStart, TextDelta, ThinkingDelta
from nbagent.adapters.base import field, list_or_empty, plain, str_or_none
from nbagent.adapters.kit import ToolCalls
from nbagent.adapters.langchain.content import messages_in
from nbagent.adapters.langchain.state import ModelRun, tool_message

__all__ = [
    "NOT_FAILURES",
    "_Run",
    "error_text",
    "model_name",
    "tool_output",
    "whole",
]

NOT_FAILURES = frozenset({"GraphInterrupt", "NodeInterrupt", "GraphBubbleUp", "ParentCommand"})
"""LangGraph's control flow raised through the runs: an interrupt, a jump to the parent."""


class _Run:
    """One LangChain run: where its events go (``scope``, the namespace ``ns`` that scope
    stands for) and where its children's go (``inner``, ``inner_ns``); a model run's
    ``model`` and the ``assembly`` of its streamed tool calls (started once id and name came)."""

    __slots__ = (
        "assembly", "call", "inner", "inner_ns", "kind", "model", "name", "ns", "opened", "scope",
    )  # fmt: skip

    def __init__(self, kind: str, scope: str | None, ns: tuple[str, ...]) -> None:
        self.kind = kind
        self.scope = scope
        self.ns = ns
        self.inner = scope
        self.inner_ns = ns
        self.name = ""
        self.call: str | None = None  # a tool run: the call it answers
        self.opened: str | None = None  # a node run: its task's namespace, a scope it may close
        self.model: ModelRun | None = None
        self.assembly = ToolCalls(wire_ids=True)


def whole(message_id: str, channel: Any, text: str, scope: str | None, out: list[Event]) -> None:
    """A message the hook saw only whole: opened, said at once, closed."""
    out.append(MessageStart(message_id=message_id, channel=channel, whole=True, parent=scope))
    if channel == "thinking":
        out.append(ThinkingDelta(message_id=message_id, delta=text, parent=scope))
    else:
        out.append(TextDelta(message_id=message_id, delta=text, parent=scope))
    out.append(MessageEnd(message_id=message_id, channel=channel, parent=scope))


def tool_output(output: Any, call_id: str) -> tuple[Any, bool]:
    """A tool's result: a ``ToolMessage`` (its content and status), a ``Command`` carrying
    one, or a plain value."""
    messages = [m for m in messages_in(output) if field(m, "tool_call_id") is not None]
    if messages:
        message = next((m for m in messages if field(m, "tool_call_id") == call_id), messages[0])
        return tool_message(message)
    return plain(output), False


def model_name(data: Mapping[str, Any]) -> str:
    """The model's name: LangSmith's ``ls_model_name``, the invocation's ``model``, the run's
    name, the class's; ``"model"`` when none."""
    metadata = data.get("metadata")
    params = data.get("invocation_params")
    for value in (
        field(metadata, "ls_model_name"),
        field(params, "model"),
        field(params, "model_name"),
        field(params, "model_id"),
        data.get("name"),
    ):
        if isinstance(value, str) and value:
            return value
    ids = list_or_empty(field(data.get("serialized"), "id"))
    if ids and isinstance(ids[-1], str):
        return ids[-1]
    return "model"


def error_text(data: Mapping[str, Any]) -> str:
    """A failure's record as ``"<error type>: <message>"``."""
    error_type = str_or_none(data.get("error_type")) or "error"
    return f"{error_type}: {data.get('message') or ''}".rstrip(": ")
