"""``Tools``, the part of the ``llama-index`` hook adapter that keeps its tool calls: the model's
calls, the runs of them (an agent workflow's ``call_tool`` step, a tool's own span) and their
results."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nbagent._events import Event, Status, ToolCallEnd, ToolCallStart, ToolResult
from nbagent.adapters.base import field, plain, str_or_none
from nbagent.adapters.llama_index.read import text_of

__all__ = ["Tools"]


class Tools:
    """Tool calls by id: started once, answered once; the model's calls waiting to run by
    tool name (a run that names no id takes the first one of its name)."""

    def __init__(self) -> None:
        self._calls: set[str] = set()  # tool calls started
        self._answered: set[str] = set()
        self.pending: dict[str, list[str]] = {}  # tool name -> the model's calls not yet run
        self._synthetic = 0

    def synthetic_id(self) -> str:
        self._synthetic += 1
        return f"llama-call-{self._synthetic}"

    def start_call(
        self,
        call_id: str,
        name: str,
        args: Any,
        scope: str | None,
        synthetic: bool,
        out: list[Event],
    ) -> None:
        if call_id in self._calls:
            return
        self._calls.add(call_id)
        if isinstance(args, str):
            arguments = args
            try:
                args = json.loads(args)
            except ValueError:
                args = None
        else:
            args = plain(args) if isinstance(args, Mapping) else {}
            arguments = json.dumps(args, ensure_ascii=False, default=str)
        out.append(
            ToolCallStart(tool_call_id=call_id, name=name, synthetic_id=synthetic, parent=scope)
        )
        out.append(ToolCallEnd(tool_call_id=call_id, arguments=arguments, args=args, parent=scope))

    def claim(self, name: str, call_id: str | None = None) -> str | None:
        """The model's call of ``name`` (``call_id`` if given) about to run: no longer
        waiting. Without an id, the first one waiting (by name and order)."""
        waiting = self.pending.get(name, [])
        if call_id is not None:
            if call_id in waiting:
                waiting.remove(call_id)
            return call_id
        return waiting.pop(0) if waiting else None

    def run_call(self, ev: Any, scope: str | None, out: list[Event]) -> str:
        """An agent workflow's ``call_tool`` step begins: the model's call it runs."""
        name = str_or_none(field(ev, "tool_name")) or "tool"
        call_id = self.claim(name, str_or_none(field(ev, "tool_id")))
        synthetic = call_id is None
        call_id = call_id or self.synthetic_id()
        self.start_call(call_id, name, field(ev, "tool_kwargs"), scope, synthetic, out)
        out.append(Status(state="tool_running", text=name, tool_call_id=call_id, parent=scope))
        return call_id

    def result(
        self,
        call_id: str,
        output: Any,
        scope: str | None,
        out: list[Event],
        *,
        is_error: bool = False,
    ) -> None:
        if not call_id or call_id in self._answered:
            return
        self._answered.add(call_id)
        if isinstance(output, str):
            content = output
        else:
            content = text_of(output) if output is not None else ""
            is_error = is_error or field(output, "is_error") is True
        name = str_or_none(field(output, "tool_name"))
        out.append(
            ToolResult(
                tool_call_id=call_id, content=content, name=name, is_error=is_error, parent=scope
            )
        )
