"""How the reducer folds tool calls: their start, whole arguments and result (argument deltas
are appended like text, in ``reducer.py``)."""

from __future__ import annotations

from typing import Any

import nbagent.core.events as E
from nbagent.core.textbuf import TextBuffer
from nbagent.pipeline.normalize import parse_arguments
from nbagent.transcript.blocks import ToolCall
from nbagent.transcript.fold.state import FoldState, Op, set_op

__all__ = ["PAUSE_STATES", "ToolFold"]

PAUSE_STATES = ("awaiting_approval", "approval_answered")
TOOL_META = ("title", "tool", "kind", "status", "locations", "task", "app")
"""What a tool block keeps of its events' ``meta`` (``ToolCall.meta``): what the panel's head
shows (an ACP call's kind and status, an MCP call's task), its file locations and its MCP app
(``{"uri", "visibility", "result", "error"}``: the HTML is the run's, ``apps``); the rest (a
raw output) is not sent twice."""
"""The statuses of a call paused before it runs (``nbagent.runtime.pause``): folded onto the
call's block (``state: "paused"``, ``pause``; then ``answer``) rather than the run's activity."""


class ToolFold(FoldState):
    """The tool-call handlers of the reducer."""

    def _tool(
        self, tool_call_id: str, name: str, ts: float | None
    ) -> tuple[int, ToolCall, list[Op]]:
        """The tool block: (index, block, the ops that created it: [] or one add)."""
        i = self._tool_index.get(tool_call_id)
        if i is None:
            tool = ToolCall(tool_call_id, name, ts)
            return len(self._blocks), tool, self._add(tool)
        b = self._blocks[i]
        assert isinstance(b, ToolCall)
        return i, b, []

    def _on_tool_start(self, ev: E.ToolCallStart) -> list[Op]:
        i, tool, ops = self._tool(ev.tool_call_id, ev.name, ev.ts)
        changes: dict[str, Any] = {}
        if ev.name and not tool.name:
            tool.name = changes["name"] = ev.name
        if ev.server and not tool.server:
            tool.server = changes["server"] = ev.server
        if ev.call_as and not tool.call_as:
            tool.call_as = changes["call_as"] = ev.call_as
        if ev.no_rerun and not tool.no_rerun:
            tool.no_rerun = changes["no_rerun"] = ev.no_rerun
        self._take_meta(tool, ev.meta, changes)
        return [*ops, set_op(i, changes)] if changes else ops

    def _on_tool_end(self, ev: E.ToolCallEnd) -> list[Op]:
        i, tool, ops = self._tool(ev.tool_call_id, "", ev.ts)
        streamed = tool.arguments
        full = streamed if ev.arguments is None else ev.arguments
        if ev.args is None and ev.parse_error is None:
            args, err = parse_arguments(full)
        else:
            args, err = ev.args, ev.parse_error
        tool.args, tool.parse_error, tool.args_done_at = args, err, ev.ts
        changes: dict[str, Any] = {"args": args, "parse_error": err, "args_done_at": ev.ts}
        if err is not None:  # arguments that are not one JSON value: never silent
            tool.is_error = changes["is_error"] = True
        if tool.state == "args":
            tool.state = changes["state"] = "running"
        if full != streamed:
            tool.buffer = TextBuffer(full)
            changes["arguments"] = full
        return [*ops, set_op(i, changes)]

    def _on_tool_result(self, ev: E.ToolResult) -> list[Op]:
        i, tool, ops = self._tool(ev.tool_call_id, ev.name or "", None)
        changes: dict[str, Any] = {"result": ev.content, "is_error": ev.is_error}
        tool.result, tool.is_error = ev.content, ev.is_error
        if ev.name and not tool.name:
            tool.name = changes["name"] = ev.name
        if ev.display or tool.display:  # a later result without data clears the earlier one
            tool.display = changes["display"] = ev.display or None
        meta = ev.meta or {}
        for k in ("mocked", "denied"):  # answers to a pause: the tool never ran
            if meta.get(k):
                setattr(tool, k, True)
                changes[k] = True
        for k in ToolCall._RAN:  # from nbagent's agent, which ran the tool
            if meta.get(k):
                setattr(tool, k, meta[k])
                changes[k] = meta[k]
        self._take_meta(tool, meta, changes)
        if not ev.preliminary:
            base = tool.args_done_at if tool.args_done_at is not None else tool.started_at
            tool.state = changes["state"] = "error" if ev.is_error else "done"
            tool.ended_at = changes["ended_at"] = ev.ts
            measured = meta.get("duration_s")  # time in the tool itself, when it was ours
            if isinstance(measured, (int, float)):
                tool.duration_s = changes["duration_s"] = float(measured)
            else:
                tool.duration_s = changes["duration_s"] = None if base is None else ev.ts - base
        return [*ops, set_op(i, changes)]

    @staticmethod
    def _take_meta(tool: ToolCall, meta: Any, changes: dict[str, Any]) -> None:
        """The ``TOOL_META`` keys of an event's ``meta`` into the block's (into ``changes``
        when they change it)."""
        if not isinstance(meta, dict):
            return
        kept = {k: meta[k] for k in TOOL_META if meta.get(k) is not None}
        merged = (tool.meta or {}) | kept
        if merged and merged != tool.meta:
            tool.meta = merged
            changes["meta"] = dict(merged)

    def _on_app(self, ev: E.Custom) -> list[Op]:
        """``Custom("mcp_app")``: an app a call shows, ``{"uri", "key", "html", ...}``, into
        the run's ``apps`` under its ``key`` (its server's and uri's; its uri in runs made
        before there was one), once per key: a run with 100 calls to one app sends its HTML
        once."""
        value = ev.value if isinstance(ev.value, dict) else {}
        uri, html = value.get("uri"), value.get("html")
        key = value.get("key", uri)
        if not (isinstance(key, str) and isinstance(html, str)) or key in (self.apps or {}):
            return []
        entry = {k: v for k, v in value.items() if k not in ("uri", "key")}
        self.apps = (self.apps or {}) | {key: entry}
        return [{"op": "run", "set": {"apps": {key: entry}}}]  # added to the run's apps

    def _on_tool_status(self, ev: E.Status) -> list[Op]:
        """A call's progress (``Status`` naming it, not a pause): its ``meta`` from the
        status's ``detail`` (an ACP call's new status or title)."""
        assert ev.tool_call_id is not None
        i = self._tool_index.get(ev.tool_call_id)
        if i is None:
            return []
        tool = self._blocks[i]
        assert isinstance(tool, ToolCall)
        changes: dict[str, Any] = {}
        self._take_meta(tool, ev.detail, changes)
        return [set_op(i, changes)] if changes else []

    def _on_pause_status(self, ev: E.Status) -> list[Op]:
        """``awaiting_approval``: the call waits (``paused``, its ``pause`` detail; a second
        one while waiting updates it, e.g. a refused answer's ``error``). ``approval_answered``:
        how it goes on (``answer``; ``asked_args`` and ``args`` when the arguments were edited);
        it is ``running`` until its result."""
        assert ev.tool_call_id is not None
        i, tool, ops = self._tool(ev.tool_call_id, "", ev.ts)
        detail = ev.detail if isinstance(ev.detail, dict) else {}
        changes: dict[str, Any]
        if ev.state == "awaiting_approval":
            pause: dict[str, Any] = {"actions": [], "origin": None, "hint": None, "schema": None}
            pause |= detail
            tool.state, tool.pause = "paused", pause
            changes = {"state": "paused", "pause": dict(pause)}
            if tool.answer is not None:  # paused again (a framework asking twice)
                tool.answer = changes["answer"] = None
            return [*ops, set_op(i, changes), *self.pause(ev.ts)]
        action = str(detail.get("action") or "run")
        args = detail.get("args")
        edited = action == "run" and isinstance(args, dict) and args != tool.args
        answer: dict[str, Any] = {"action": action, "edited": edited}
        if detail.get("reason"):
            answer["reason"] = str(detail["reason"])
        if detail.get("option"):  # the agent's own option it was answered with (ACP)
            answer["option"] = str(detail["option"])
        tool.pause, tool.answer = None, answer
        changes = {"pause": None, "answer": dict(answer)}
        if edited:
            tool.asked_args, tool.args = tool.args, args
            changes |= {"asked_args": tool.asked_args, "args": args}
        if tool.state == "paused" and action == "cancel":  # stopped: it never runs
            tool.state, tool.ended_at = "cancelled", ev.ts
            changes |= {"state": "cancelled", "ended_at": ev.ts}
        elif tool.state == "paused":
            tool.state = changes["state"] = "running"
        ops.append(set_op(i, changes))
        if not any(isinstance(b, ToolCall) and b.state == "paused" for b in self._blocks):
            ops += self.resume(ev.ts)  # the last call answered: the run's clock goes on
        return ops
