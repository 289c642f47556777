"""What the LangChain hook adapter keeps per run (``_Run``), its runs as a ``Tree`` (where each
run's events go: the top level, a tool call's scope, a LangGraph subgraph's sub-agent scope;
the chains, which only give the tree and the root's failure), and the pure readers of
LangChain's objects it alone needs: a tool's output, a model's name, an error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import field, list_or_empty, plain, str_or_none
from nbagent.adapters.kit import ToolCalls
from nbagent.adapters.langchain.content import messages_in
from nbagent.adapters.langchain.state import (
    Data,
    ModelRun,
    checkpoint_ns,
    subagent_start,
    tool_message,
)
from nbagent.core.events import ErrorEvent, Event, StepEnd

__all__ = [
    "NOT_FAILURES",
    "Tree",
    "_Run",
    "error_text",
    "model_name",
    "tool_output",
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
        self.assembly = ToolCalls()


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


class Tree:
    """The runs and the sub-agent scopes."""

    def __init__(self) -> None:
        self.runs: dict[str, _Run] = {}
        self.scopes: dict[str, str] = {}  # open sub-agent scope id -> its root

    def start(self, kind: str, data: Data, run_id: str, root: str, out: list[Event]) -> _Run:
        parent = self.runs.get(str(data.get("parent_run_id") or ""))
        full = checkpoint_ns(data.get("metadata"))
        graph_ns = full[:-1]
        if parent is None:  # a root: the namespace it runs in is its top level
            run = _Run(kind, None, graph_ns)
        else:
            run = _Run(kind, parent.inner, parent.inner_ns)
            base = parent.inner_ns
            if len(graph_ns) > len(base) and graph_ns[: len(base)] == base:
                for depth in range(len(base) + 1, len(graph_ns) + 1):
                    run.scope = self._open_scope(graph_ns[:depth], run.scope, root, out)
                run.ns = graph_ns
        run.inner, run.inner_ns = run.scope, run.ns
        if kind == "chain" and full and len(full) > len(run.ns):
            run.opened = "|".join(full)
        self.runs[run_id] = run
        return run

    def _open_scope(
        self, ns: tuple[str, ...], parent: str | None, root: str, out: list[Event]
    ) -> str:
        scope_id = "|".join(ns)
        if scope_id not in self.scopes:
            self.scopes[scope_id] = root
            out.append(subagent_start(ns, parent))
        return scope_id

    def close_scope(self, scope_id: str, out: list[Event]) -> None:
        for inner in [s for s in self.scopes if s.startswith(scope_id + "|")]:
            self.close_scope(inner, out)
        if self.scopes.pop(scope_id, None) is not None:
            out.append(StepEnd(step_id=scope_id))

    def close_scopes(self, root: str, out: list[Event]) -> None:
        for scope_id in [s for s, r in self.scopes.items() if r == root]:
            self.close_scope(scope_id, out)

    def chain_start(self, data: Data, run_id: str, root: str, out: list[Event]) -> None:
        self.start("chain", data, run_id, root, out)

    def chain_end(self, data: Data, run_id: str, root: str, out: list[Event]) -> None:
        run = self.runs.pop(run_id, None)
        if run is not None and run.opened is not None:
            self.close_scope(run.opened, out)
        error_type = str_or_none(data.get("error_type"))
        if run is not None and run_id == root and error_type and error_type not in NOT_FAILURES:
            error = ErrorEvent(message=error_text(data), error_type=error_type, recoverable=True)
            out.append(error)
