"""``GraphScopes``: the subgraph scopes of a LangGraph stream (``state.Scopes``) and how they
end, for ``LangGraphAdapter``: when the parent graph's update for the subgraph's node comes
(``leave``), or at a v3 stream's ``lifecycle`` event for it (``lifecycle``: ``started`` opens
the scope, ``completed``, ``failed``, ``interrupted``… end it and the scopes in it, ``failed``
with its error). A scope ends after the model calls still open in it."""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, str_or_none
from nbagent.adapters.langchain.graph_items import namespace
from nbagent.adapters.langchain.graph_messages import GraphMessages
from nbagent.adapters.langchain.state import Scopes, scope_name
from nbagent.adapters.langchain.v3 import LIFECYCLE_END
from nbagent.core.events import ErrorEvent, Event, StepEnd

__all__ = ["GraphScopes"]


class GraphScopes(Scopes):
    """A graph stream's ``Scopes``, with their ends (see the module docstring)."""

    def leave(
        self, ns: tuple[str, ...], node: str, messages: GraphMessages, out: list[Event]
    ) -> None:
        """The parent graph's (at ``ns``) update for ``node`` came: its subgraphs ended."""
        for scope_id, scope_ns in sorted(self.open.items(), key=lambda kv: -len(kv[1])):
            inside = len(scope_ns) > len(ns) and scope_ns[: len(ns)] == ns
            if inside and scope_name(scope_ns[len(ns)]) == node:
                self._end(scope_id, node, messages, out)

    def lifecycle(self, data: Any, messages: GraphMessages, out: list[Event]) -> None:
        """A v3 ``lifecycle`` event of the subgraph at ``data["namespace"]``."""
        ns = namespace(field(data, "namespace"))
        status = str_or_none(field(data, "event"))
        if not ns or status is None:
            return
        if status == "started":
            self.enter(ns, out)
            return
        scope_id = "|".join(ns)
        finish = LIFECYCLE_END.get(status, status)
        for inner in sorted(self.open, key=len, reverse=True):
            if inner == scope_id or inner.startswith(scope_id + "|"):
                self._end(inner, scope_name(self.open[inner][-1]), messages, out, finish)
        if error := str_or_none(field(data, "error")):
            out.append(ErrorEvent(message=error, recoverable=True))

    def _end(
        self, scope_id: str, name: str, messages: GraphMessages, out: list[Event],
        finish: str | None = None,
    ) -> None:  # fmt: skip
        for stream in list(messages.streams.values()):
            if stream.parent is not None and stream.parent.startswith(scope_id):
                messages.close(stream, out)
        del self.open[scope_id]
        out.append(StepEnd(step_id=scope_id, name=name, finish_reason=finish))
