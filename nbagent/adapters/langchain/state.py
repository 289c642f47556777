"""What the LangChain readers share (the ``astream_events`` adapter, the LangGraph stream adapter
and the callback hook's): ``ModelRun``, one chat model run's tool calls and its text and thinking
as they stream; ``call_chunks``, a message's ``tool_call_chunks`` through ``adapters/kit``'s
``ToolCalls``; ``finish_reason``; ``Scopes``, LangGraph's subgraphs: a namespace
``("node:<task id>", …)`` is a sub-agent whose ``StepStart(step_type="subagent")``
(``subagent_start``) has the namespace joined by ``|`` as its id and the node as its name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import field, int_or_none, list_or_empty, plain, str_or_none
from nbagent.adapters.kit import CallGroup, Ids, ToolCalls, langchain_usage
from nbagent.adapters.kit.messages import Channel, message_delta
from nbagent.adapters.langchain.content import message_parts, message_refusal
from nbagent.core.events import Event, MessageEnd, StepEnd, StepStart, TextDelta

__all__ = [
    "Data",
    "ModelRun",
    "Scopes",
    "call_chunks",
    "checkpoint_ns",
    "finish_reason",
    "scope_name",
    "subagent_start",
    "tool_message",
]

Data = Mapping[str, Any]
"""A stream event's or a callback record's dict (and its ``data``), as the handlers take it."""


class ModelRun(CallGroup):
    """One chat model run: its tool calls (a ``CallGroup`` keyed by its message id ``key``) and
    its messages, the text ``{key}``, the thinking ``think_id`` (``{key}:think1``) and the
    refusal ``{key}:refusal1``, open while they stream (``refused``: a refusal came);
    ``parent``: the scope of its events (the hook's and a graph's model calls; the
    ``astream_events`` adapter sets parents later)."""

    __slots__ = (
        "parent",
        "refusal_open",
        "refused",
        "spoke",
        "text_open",
        "think_id",
        "think_open",
        "usage_seen",
    )

    def __init__(
        self, key: str = "", parent: str | None = None, *, wire_named: bool = False
    ) -> None:
        super().__init__(key, wire_named=wire_named)
        self.think_id = Ids(key or "run").new("think")
        self.parent = parent
        self.text_open = False
        self.think_open = False
        self.refusal_open = self.refused = False
        self.usage_seen = False
        self.spoke = False
        """Some text, thinking or refusal of the run came (streamed, or said whole)."""

    @property
    def refusal_id(self) -> str:
        return Ids(self.key or "run").new("refusal")

    def says(self, message: Any, out: list[Event]) -> None:
        """A message's (or chunk's) text and thinking parts, in order, and its refusal."""
        for channel, value in message_parts(message):
            self.delta(value, out, channel)
        if refusal := message_refusal(message):
            self.spoke = self.refused = self.refusal_open = True
            self.end_thinking(out)
            out.append(
                TextDelta(
                    message_id=self.refusal_id, delta=refusal, refusal=True, parent=self.parent
                )
            )

    def delta(self, value: Any, out: list[Event], channel: Channel = "text") -> None:
        """A piece of text (the thinking before it ends) or of thinking."""
        if not (isinstance(value, str) and value):
            return
        self.spoke = True
        if channel == "thinking":
            self.think_open = True
        else:
            self.end_thinking(out)
            self.text_open = True
        message_id = self.think_id if channel == "thinking" else self.key
        out.append(message_delta(channel, message_id, value, self.parent))

    def end_thinking(self, out: list[Event]) -> None:
        if self.think_open:
            self.think_open = False
            out.append(MessageEnd(message_id=self.think_id, channel="thinking", parent=self.parent))

    def usage(
        self, message: Any, out: list[Event], model: str | None = None, *, other: Any = None,
        cumulative: bool = False,
    ) -> None:  # fmt: skip
        """The message's ``usage_metadata`` (else ``other``: an LLM's OpenAI-style
        ``token_usage``), if any, as this run's usage: a stream's chunks add up; the hook's one
        usage per call is ``cumulative``."""
        if usage := field(message, "usage_metadata") or other:
            self.usage_seen = True
            fields = {"step_id": self.key or None, "model": model or None, "parent": self.parent}
            out.append(langchain_usage(usage, cumulative=cumulative, scope="step", **fields))

    def close(self, out: list[Event], final_text: str | None = None) -> bool:
        """End the open messages; whether the text was open (else no text streamed)."""
        self.end_thinking(out)
        if self.refusal_open:
            self.refusal_open = False
            out.append(MessageEnd(message_id=self.refusal_id, parent=self.parent))
        if not self.text_open:
            return False
        self.text_open = False
        out.append(MessageEnd(message_id=self.key, final_text=final_text, parent=self.parent))
        return True


def call_chunks(assembly: ToolCalls, model: CallGroup, message: Any) -> list[Event]:
    """A streamed message's ``tool_call_chunks``, assembled into ``model``'s calls."""
    out: list[Event] = []
    for tc in list_or_empty(field(message, "tool_call_chunks")):
        _, events = assembly.fragment(
            model,
            index=int_or_none(field(tc, "index")),
            wire_id=str_or_none(field(tc, "id")),
            name=str_or_none(field(tc, "name")),
            args=field(tc, "args"),
        )
        out.extend(events)
    return out


def tool_message(message: Any) -> tuple[Any, bool]:
    """A ``ToolMessage``'s result: its content and whether it failed (``status="error"``)."""
    return plain(field(message, "content")), field(message, "status") == "error"


def finish_reason(message: Any) -> str | None:
    """A message's ``response_metadata.finish_reason`` (or Anthropic's ``stop_reason``)."""
    metadata = field(message, "response_metadata")
    return str_or_none(field(metadata, "finish_reason") or field(metadata, "stop_reason"))


def checkpoint_ns(metadata: Any) -> tuple[str, ...]:
    """The LangGraph task a run belongs to, as its namespace: ``("math:1f0c", "agent:9a2b")``
    (less its last segment: the namespace of the graph it runs in)."""
    value = field(metadata, "langgraph_checkpoint_ns") if isinstance(metadata, Mapping) else None
    return tuple(value.split("|")) if isinstance(value, str) and value else ()


def scope_name(segment: str) -> str:
    """``"math:1f0c…"`` → ``"math"``."""
    return segment.split(":")[0]


def subagent_start(ns: tuple[str, ...], parent: str | None) -> StepStart:
    """The start of a subgraph's scope: id the namespace joined by ``|``, name its node."""
    return StepStart(
        step_id="|".join(ns), name=scope_name(ns[-1]), step_type="subagent", parent=parent
    )


class Scopes:
    """The open subgraph scopes (id -> namespace) and ``owner``: the scope each scope, step or
    call is in."""

    def __init__(self) -> None:
        self.open: dict[str, tuple[str, ...]] = {}
        self.owner: dict[str, str | None] = {}

    def enter(self, ns: tuple[str, ...], out: list[Event]) -> str | None:
        """The scope id of a namespace, opening it and the enclosing ones that are new."""
        parent: str | None = None
        for depth in range(1, len(ns) + 1):
            scope_id = "|".join(ns[:depth])
            if scope_id not in self.open:
                self.open[scope_id] = ns[:depth]
                self.owner[scope_id] = parent
                out.append(subagent_start(ns[:depth], parent))
            parent = scope_id
        return parent

    def end(self, out: list[Event], name: str | None = None, *, under: str | None = None) -> None:
        """End the scopes, inner ones first: all, or ``under`` and those in it; ``name``: their
        steps' name (else each one's node)."""
        for scope_id in sorted(self.open, key=len, reverse=True):
            if under is None or scope_id == under or scope_id.startswith(under + "|"):
                node = scope_name(self.open.pop(scope_id)[-1]) if name is None else name
                out.append(StepEnd(step_id=scope_id, name=node, parent=self.owner.get(scope_id)))
