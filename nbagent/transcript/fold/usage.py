"""How the reducer folds usage and cost: each usage into its step's bucket (or the run's),
priced, summed into the run's and into every scope it counts in (a sub-agent, a tool call that
started one); and the context window's fill a usage may carry (``context``).

Steps carry ``output_deltas`` (the content deltas their usage covers), ``cost_usd`` and
``cost_source`` (``"reported"``, ``"override"``, ``"price table"``). The run's usage is the sum
over its steps unless a ``scope="run"`` usage stands for the run; its ``cost_usd`` is the
reported cost, else the steps' sum (None if a step with usage has no price). A step is priced
at its start, so a replay gives the same costs."""

from __future__ import annotations

from typing import Any

import nbagent.core.events as E
from nbagent.transcript.blocks import AgentBlock, ToolCall
from nbagent.transcript.fold.state import FoldState, Op, set_op
from nbagent.transcript.prices import step_cost
from nbagent.transcript.usage import EMPTY_USAGE, display_usage, merge_usage, sum_usage

__all__ = ["UsageFold"]


class UsageFold(FoldState):
    """The usage and cost handlers of the reducer."""

    def _on_usage(self, ev: E.Usage) -> list[Op]:
        changes: dict[str, Any] = {}
        meta = ev.meta or {}
        used, size = meta.get("context_used"), meta.get("context_size")
        if isinstance(used, int) or isinstance(size, int):  # a context window's fill
            context = {"used": used, "size": size}
            if context != self.context:
                self.context = changes["context"] = context
        if ev.model and not self.model:
            self.model = changes["model"] = ev.model
        scopes: list[Op] = []
        if ev.scope == "run" and ev.parent is None:
            self._run_usage = merge_usage(self._run_usage or EMPTY_USAGE, ev)
            if ev.cost_usd is not None:
                self._cost_run = ev.cost_usd
            self._provider = self._provider or ev.provider
            priced = step_cost(self.model, self._provider, self._run_usage, self.started_at)
            self._cost_run_usage = None if priced is None else priced[0]
        else:
            i = self._step_index.get(ev.step_id) if ev.step_id else None
            if i is None:
                i = self._latest_step(ev.parent)
            bucket = (ev.parent or "") if i is None else self._steps[i]["id"]
            raw = merge_usage(self._raw_usage.get(bucket, EMPTY_USAGE), ev)
            self._raw_usage[bucket] = raw
            self._price_bucket(bucket, i, ev)
            if i is not None:
                self._steps[i]["usage"] = display_usage(raw)
                if self._steps[i]["ended_at"] is None:
                    self._measure_step(i)
                changes["steps"] = self.steps
            scopes = self._scope_usage(bucket)
        raw_run = self._run_usage or sum_usage(self._raw_usage)
        self._usage = changes["usage"] = display_usage(raw_run)
        cost = self.cost_usd
        if self._cost_sent or cost is not None:
            self._cost_sent = True
            changes["cost_usd"] = cost
        return [{"op": "run", "set": changes}, *scopes]

    def _price_bucket(self, bucket: str, i: int | None, ev: E.Usage) -> None:
        """The cost of a usage bucket (a step's, else its scope's): what the source reported
        for it (step-scope costs add up), else its tokens priced (``nbagent.transcript.prices``) by
        the
        model and provider its usage names, else the run's; on step ``i`` as ``model``,
        ``cost_usd`` (None: no price) and ``cost_source``."""
        if ev.cost_usd is not None:
            self._cost_reported[bucket] = self._cost_reported.get(bucket, 0.0) + ev.cost_usd
        self._provider = self._provider or ev.provider
        model, provider = self._cost_model.get(bucket, (None, None))
        model, provider = ev.model or model, ev.provider or provider
        self._cost_model[bucket] = (model, provider)
        step = None if i is None else self._steps[i]
        nested = bucket != "" if step is None else bool(step.get("parent"))
        if not nested and bucket not in self._agent_index:
            # a sub-agent's calls may use another model: never the run's guessed
            model, provider = model or self.model, provider or self._provider
        source: str | None = "reported"
        cost: float | None = self._cost_reported.get(bucket)
        if cost is None:
            at = (step or {}).get("started_at") or ev.ts or self.started_at
            priced = step_cost(model, provider, self._raw_usage[bucket], at)
            cost, source = priced if priced is not None else (None, None)
        self._cost_bucket[bucket] = cost
        if step is not None:
            if model:
                step["model"] = model
            step["cost_usd"] = cost
            if source is None:
                step.pop("cost_source", None)
            else:
                step["cost_source"] = source

    def _restore_costs(self, d: dict[str, Any]) -> None:
        """``from_dict``: the costs of a saved state, as its steps and run say (no repricing:
        the same state comes out)."""
        for s in self._steps:
            if "cost_usd" in s:
                self._cost_bucket[s["id"]] = s["cost_usd"]
                self._cost_model[s["id"]] = (s.get("model"), None)
                if s.get("cost_source") == "reported" and s["cost_usd"] is not None:
                    self._cost_reported[s["id"]] = s["cost_usd"]
        self._cost_sent = "cost_usd" in d
        cost = d.get("cost_usd")
        cost = float(cost) if isinstance(cost, (int, float)) and cost is not True else None
        if cost != self.cost_usd:
            if cost is None:  # unknown for a reason no step shows (a scope's own usage)
                self._cost_bucket["\0unpriced"] = None
            elif self._cost_bucket:
                self._cost_run = cost
            else:
                self._cost_run_usage = cost

    def _latest_step(self, parent: str | None) -> int | None:
        """The step a usage without a ``step_id`` belongs to: the latest one of its scope, or
        the sub-agent step that is the scope itself."""
        for i in range(len(self._steps) - 1, -1, -1):
            if self._steps[i].get("parent") == parent:
                return i
        return None if parent is None else self._step_index.get(parent)

    def _scope_parent(self, key: str) -> str | None:
        """The scope a step, tool call or sub-agent is in (None: the top level)."""
        i = self._step_index.get(key)
        if i is not None:
            parent: str | None = self._steps[i].get("parent")
            return parent
        j = self._tool_index.get(key)
        return None if j is None else self._blocks[j].parent

    def _scopes_of(self, bucket: str) -> list[str]:
        """The blocks (sub-agents, tool calls that started one) a usage bucket counts in."""
        chain: list[str] = []
        scope = bucket in self._agent_index or bucket in self._tool_index
        key = bucket if scope else (self._scope_parent(bucket) if bucket else None)
        while key is not None and key not in chain:
            chain.append(key)
            key = self._scope_parent(key)
        return chain

    def _scope_usage(self, bucket: str) -> list[Op]:
        """The usage of every block the bucket counts in, summed over its nested buckets; and
        their cost once one of them has a cost (None while one has no price)."""
        ops: list[Op] = []
        for scope in self._scopes_of(bucket):
            inside = {k: v for k, v in self._raw_usage.items() if k and scope in self._scopes_of(k)}
            usage = display_usage(sum_usage(inside))
            i = self._agent_index.get(scope, self._tool_index.get(scope))
            if i is None:
                continue
            block = self._blocks[i]
            if isinstance(block, (AgentBlock, ToolCall)):
                block.usage = usage
                changes: dict[str, Any] = {"usage": usage}
                costs = [self._cost_bucket.get(k) for k in inside]
                if block.cost is not None or any(c is not None for c in costs):
                    total = None if None in costs else sum(c for c in costs if c is not None)
                    block.cost = {"cost_usd": total}
                    changes |= block.cost
                ops.append(set_op(i, changes))
        return ops

    def _measure_step(self, i: int) -> None:
        """The content deltas step ``i`` produced so far (with parallel sub-agents, theirs
        too)."""
        step = self._steps[i]
        start = self._step_deltas0.get(step["id"])
        if start is not None:
            step["output_deltas"] = self.deltas - start
