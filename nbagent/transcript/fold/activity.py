"""How the reducer folds activities and interrupts (``nbagent.transcript.run_blocks``).

An ``activity_snapshot`` (not ACP's plan or session, which are the run's ``plan`` and
``session``: ``run.py``) sets its activity block's content, made the first time its message id
comes (a snapshot with ``meta["replace"] is False`` leaves content already there); an
``activity_delta`` applies its JSON Patch (``nbagent.core.jsonpatch``) to it. A patch that does
not apply ends that activity: its ``error`` says why, its content stays the last good one, and
its later events are skipped. A ``RunEnd`` whose ``meta["interrupts"]`` lists what it waits
for adds an interrupt block for each one that no paused tool call shows (inside the sub-agent
its ``subagentRunId`` names)."""

from __future__ import annotations

import json
from typing import Any

import nbagent.core.events as E
from nbagent.core.jsonpatch import PatchError, apply_patch
from nbagent.transcript.blocks import ToolCall
from nbagent.transcript.fold.state import FoldState, Op, set_op
from nbagent.transcript.run_blocks import ActivityBlock, InterruptBlock

__all__ = ["MAX_INTERRUPTS", "ActivityFold", "interrupt_fields"]

MAX_INTERRUPTS = 100
"""Interrupt blocks one run's end adds at most (the rest stay in its event)."""

_CAMEL = {
    "tool_call_id": "toolCallId",
    "response_schema": "responseSchema",
    "expires_at": "expiresAt",
}


def interrupt_fields(item: dict[str, Any]) -> dict[str, Any]:
    """An interrupt's fields by their snake_case names, from the wire's camelCase (or snake)
    keys; each of the wrong type is left out (``message`` of another type as its text)."""
    out: dict[str, Any] = {}
    for key in ("id", "reason", "message", "tool_call_id", "expires_at"):
        value = item.get(_CAMEL.get(key, key), item.get(key))
        if isinstance(value, (int, float)) and not isinstance(value, bool) and key != "id":
            value = str(value)
        if isinstance(value, str) and value:
            out[key] = value
    for key in ("response_schema", "metadata"):
        value = item.get(_CAMEL.get(key, key), item.get(key))
        if isinstance(value, dict):
            out[key] = value
    value = item.get("value")
    if "message" not in out and value is not None:  # 0.x: the interrupt's value
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        out["message"] = text[:2000]
    return out


class ActivityFold(FoldState):
    """The activity and interrupt handlers of the reducer."""

    def _on_activity(self, ev: E.State) -> list[Op]:
        key = ev.message_id or f"activity:{ev.activity_type or ''}"
        i = self._activity_index.get(key)
        ops: list[Op] = []
        if i is None:
            i = len(self._blocks)
            ops = self._add(ActivityBlock(key, ev.activity_type or "activity", ev.ts))
        block = self._blocks[i]
        assert isinstance(block, ActivityBlock)
        if block.error is not None:
            return ops
        if ev.op == "activity_snapshot":
            if (ev.meta or {}).get("replace") is False and block.content:
                return ops
            content = ev.value
        else:
            try:
                content = apply_patch(block.content, ev.patch)
            except (PatchError, RecursionError) as exc:
                block.error = f"stopped following this activity: a bad patch ({exc})"
                return [*ops, set_op(i, {"error": block.error})]
        if ev.activity_type and ev.activity_type != block.activity_type:
            block.activity_type = ev.activity_type
        block.content = content
        return [*ops, set_op(i, {"content": content, "activity_type": block.activity_type})]

    def _interrupts(self, ev: E.RunEnd) -> list[Op]:
        items = (ev.meta or {}).get("interrupts")
        if not isinstance(items, list):
            return []
        ops: list[Op] = []
        for n, item in enumerate(items[:MAX_INTERRUPTS], 1):
            if not isinstance(item, dict):
                continue
            fields = interrupt_fields(item)
            call = fields.get("tool_call_id")
            j = self._tool_index.get(call) if call else None
            tool = None if j is None else self._blocks[j]
            if isinstance(tool, ToolCall) and tool.pause is not None:
                continue  # the paused call shows it (its pause detail)
            block_id = fields.pop("id", None) or f"interrupt:{n}"
            if block_id in self._interrupt_index:
                continue
            block = InterruptBlock(block_id, fields)
            scope = item.get("subagentRunId", item.get("subagent_run_id"))
            if isinstance(scope, str) and scope in self._agent_index:
                block.parent = scope  # a sub-agent's: shown inside it
            ops += self._add(block)
        return ops
