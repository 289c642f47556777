"""LangGraph subgraph scopes, shared by both LangChain adapters: a namespace
``("node:<task id>", …)`` is a sub-agent whose ``StepStart(step_type="subagent")`` has the
namespace joined by ``|`` as its id and the node as its name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent._events import Event, StepStart
from nbagent.adapters.base import field

__all__ = ["enter_scopes", "event_namespace", "scope_name"]


def scope_name(segment: str) -> str:
    """``"math:1f0c…"`` → ``"math"``."""
    return segment.split(":")[0]


def enter_scopes(
    ns: tuple[str, ...], scopes: dict[str, tuple[str, ...]], owner: dict[str, str | None],
    out: list[Event],
) -> str | None:  # fmt: skip
    """The scope id of a namespace, opening it and the enclosing ones that are new
    (``owner`` records each scope's enclosing one)."""
    parent: str | None = None
    for depth in range(1, len(ns) + 1):
        scope_id = "|".join(ns[:depth])
        if scope_id not in scopes:
            scopes[scope_id] = ns[:depth]
            owner[scope_id] = parent
            name = scope_name(ns[depth - 1])
            out.append(StepStart(step_id=scope_id, name=name, step_type="subagent"))
        parent = scope_id
    return parent


def event_namespace(metadata: Any) -> tuple[str, ...]:
    """The namespace of the graph an ``astream_events`` event runs in: its task's
    ``langgraph_checkpoint_ns`` less the task's own segment."""
    if not isinstance(metadata, Mapping):
        return ()
    checkpoint_ns = field(metadata, "langgraph_checkpoint_ns")
    if not isinstance(checkpoint_ns, str) or not checkpoint_ns:
        return ()
    return tuple(checkpoint_ns.split("|")[:-1])
