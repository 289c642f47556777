"""A file's finished spans as the records a live span processor would have handed on: each
span's start and end snapshot (``HookRecord``, family ``otel``), in time order.

A span starts no earlier than its parent (a clock's skew between processes must not put a
child before the span it belongs to); at one instant, ends come before starts, but for a
span's own ancestors, which end after it; of two ends at one instant, the deeper first. The
record that ends a trace (its last, in this order) is ``last``; ``root`` is the trace's id.

``unwrap_workflow`` reads the tree once more: a top agent span whose one child is an agent
span (the OpenAI Agents SDK's ``Agent workflow`` around its agent, as OpenInference records
it) is the workflow around the agent, a plain step, so that the agent is the run and its
answer the run's.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from typing import Any

from nbagent.adapters.kit.hook_record import HookRecord
from nbagent.adapters.otel.common import attrs_of
from nbagent.adapters.otel.conventions import role_of

__all__ = ["timeline", "unwrap_workflow"]

Span = dict[str, Any]


def timeline(spans: list[Span]) -> list[tuple[HookRecord, int]]:
    """Each span's ``span_start`` and ``span_end`` record with the span's index in ``spans``,
    in the order they play."""
    index = {str(s.get("span_id")): i for i, s in enumerate(spans)}
    parents = [index.get(str(s.get("parent_id") or "")) for s in spans]
    depth, start = _placed(spans, parents)
    roots = [str(s.get("trace_id") or "") or str(s.get("span_id") or "") for s in spans]
    order: list[tuple[str, int, float]] = []
    ends: list[tuple[float, int, int]] = []  # (end, -depth, index)
    for i in sorted(range(len(spans)), key=lambda i: (start[i], depth[i], i)):
        while ends and _ends_first(ends[0], start[i], i, parents):
            end, _, j = heapq.heappop(ends)
            order.append(("span_end", j, end))
        order.append(("span_start", i, start[i]))
        heapq.heappush(ends, (max(_seconds(spans[i].get("end")), start[i]), -depth[i], i))
    while ends:
        end, _, j = heapq.heappop(ends)
        order.append(("span_end", j, end))
    last = {roots[i]: n for n, (_, i, _) in enumerate(order)}
    return [
        (HookRecord("otel", kind, spans[i], ts, root=roots[i], last=last[roots[i]] == n), i)
        for n, (kind, i, ts) in enumerate(order)
    ]


def unwrap_workflow(spans: list[Span]) -> None:
    """Make a top agent span whose only child is an agent span a plain step (in place)."""
    children: dict[str, list[Span]] = {}
    ids = {str(s.get("span_id")) for s in spans}
    for span in spans:
        parent = str(span.get("parent_id") or "")
        children.setdefault(parent if parent in ids else "", []).append(span)
    for top in children.get("", []):
        below = children.get(str(top.get("span_id")), [])
        if _role(top) == "agent" and len(below) == 1 and _role(below[0]) == "agent":
            attrs = dict(attrs_of(top))
            attrs["gen_ai.operation.name"] = "invoke_workflow"
            top["attributes"] = attrs


def _role(span: Mapping[str, Any]) -> str:
    return role_of(attrs_of(span))


def _placed(spans: list[Span], parents: list[int | None]) -> tuple[list[int], list[float]]:
    """Each span's depth in the file's tree and its start, no earlier than its parent's."""
    depth: list[int | None] = [None] * len(spans)
    start: list[float] = [_seconds(s.get("start")) for s in spans]
    for i in range(len(spans)):
        chain = []
        j: int | None = i
        while j is not None and depth[j] is None and j not in chain:  # a cycle ends the walk
            chain.append(j)
            j = parents[j]
        placed = depth[j] if j is not None else None
        base = -1 if placed is None else placed
        above = start[j] if j is not None and placed is not None else None
        for k in reversed(chain):
            base += 1
            depth[k] = base
            if above is not None:
                start[k] = max(start[k], above)
            above = start[k]
    return [d or 0 for d in depth], start


def _ends_first(
    end: tuple[float, int, int], start: float, i: int, parents: list[int | None]
) -> bool:
    """Whether the pending end goes before span ``i``'s start (at ``start``)."""
    ts, _, j = end
    if ts != start:
        return ts < start
    k = parents[i]
    seen = 0
    while k is not None and seen <= len(parents):  # an ancestor of i ends after it starts
        if k == j:
            return False
        k, seen = parents[k], seen + 1
    return True


def _seconds(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0
