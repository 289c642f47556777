"""``Tree``, the part of the LangChain hook adapter that keeps its runs as a tree: where each
run's events go (the top level, a tool call's scope, a LangGraph subgraph's sub-agent scope) and
the chains, which only give the tree (and the root's failure)."""

from __future__ import annotations

from nbagent._events import ErrorEvent, Event, StepEnd, StepStart
from nbagent.adapters.base import str_or_none
from nbagent.adapters.hooks.langchain.state import NOT_FAILURES, _Run, error_text
from nbagent.adapters.langchain.state import Data, checkpoint_ns, scope_name

__all__ = ["Tree"]


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
            name = scope_name(ns[-1])
            out.append(StepStart(step_id=scope_id, name=name, step_type="subagent", parent=parent))
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
