"""What the LangChain hook adapter keeps per run (``_Run``, ``_Model``, ``_Chunked``) and the
pure readers of LangChain's objects: a tool's output, usage, a model's name, a run's LangGraph
namespace."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent._events import Event, MessageEnd, MessageStart, TextDelta, ThinkingDelta, Usage
from nbagent.adapters.base import field, list_or_empty, plain
from nbagent.adapters.kit import langchain_usage
from nbagent.adapters.langchain.content import messages_in

__all__ = [
    "NOT_FAILURES",
    "_Chunked",
    "_Model",
    "_Run",
    "checkpoint_ns",
    "model_name",
    "tool_output",
    "usage_event",
    "whole",
]

NOT_FAILURES = frozenset({"GraphInterrupt", "NodeInterrupt", "GraphBubbleUp", "ParentCommand"})
"""LangGraph's control flow raised through the runs: an interrupt, a jump to the parent."""


class _Run:
    """One LangChain run: where its events go (``scope``, the namespace ``ns`` that scope
    stands for) and where its children's go (``inner``, ``inner_ns``)."""

    __slots__ = ("call", "inner", "inner_ns", "kind", "model", "name", "ns", "opened", "scope")

    def __init__(self, kind: str, scope: str | None, ns: tuple[str, ...]) -> None:
        self.kind = kind
        self.scope = scope
        self.ns = ns
        self.inner = scope
        self.inner_ns = ns
        self.name = ""
        self.call: str | None = None  # a tool run: the call it answers
        self.opened: str | None = None  # a node run: its task's namespace, a scope it may close
        self.model: _Model | None = None


class _Model:
    """What a model run streamed so far."""

    __slots__ = ("calls", "text", "thinking")

    def __init__(self) -> None:
        self.text = False  # its text message is open (tokens came)
        self.thinking = False
        self.calls: dict[int, _Chunked] = {}  # tool_call_chunks by index


class _Chunked:
    """A tool call assembled from ``tool_call_chunks``."""

    __slots__ = ("args", "id", "name", "started")

    def __init__(self) -> None:
        self.id: str | None = None
        self.name: str | None = None
        self.args: list[str] = []
        self.started = False


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
        content = field(message, "content")
        return plain(content), field(message, "status") == "error"
    return plain(output), False


def usage_event(usage: Any, step_id: str, scope: str | None, model: str | None) -> Usage:
    """``usage_metadata`` (or OpenAI-style ``token_usage``) of one model call."""
    return langchain_usage(
        usage, cumulative=True, scope="step", step_id=step_id or None, model=model or None,
        parent=scope,
    )  # fmt: skip


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


def checkpoint_ns(metadata: Any) -> tuple[str, ...]:
    """The LangGraph task a run belongs to, as its namespace: ``("math:1f0c", "agent:9a2b")``."""
    value = field(metadata, "langgraph_checkpoint_ns") if isinstance(metadata, Mapping) else None
    return tuple(value.split("|")) if isinstance(value, str) and value else ()
