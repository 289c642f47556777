"""Tool calls of LangChain, ``Tools``, a part ``LangChainAdapter`` and ``LangGraphAdapter``
compose: the streamed calls assembled by ``adapters/kit``'s ``ToolCalls``, the whole ones, and
``on_tool_*`` runs paired with the calls they answer (FIFO by name, or by ``tool_call_id``); a
tool run that matches no call becomes a call of its own."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import field, list_or_empty, plain, str_or_none
from nbagent.adapters.kit import Call, ToolCalls
from nbagent.adapters.langchain.state import Data, tool_message
from nbagent.core.events import (
    Event,
    Status,
    ToolResult,
)

__all__ = ["Tools"]


class Tools:
    """The run's tool calls: ``assembly`` assembles the streamed ones (by id, else index, else
    the run's latest, a name starting a new one; invented ids ``{model run}:call{n}``),
    ``calls`` is its calls by id."""

    def __init__(self) -> None:
        self.pending: list[Call] = []  # calls without a result, FIFO
        self.assembly = ToolCalls(on_new=self.pending.append)
        self.calls: dict[str, Call] = self.assembly.by_id
        self.tool_runs: dict[str, str] = {}  # tool run id -> tool call id
        self.answered: set[str] = set()

    def whole(
        self, tool_call_id: str, owner: str, name: str, args: Any, out: list[Event],
        synthetic: bool = False,
    ) -> Call:  # fmt: skip
        """A call that came whole (a message's ``tool_calls``, a tool run with no call before
        it): started and ended with its arguments, awaiting its result."""
        call = Call(tool_call_id, None, synthetic, owner)
        call.name = name
        self.pending.append(self.assembly.add(call))
        out.extend(self.assembly.end(call, args=args))
        return call

    def message_calls(self, owner: str, message: Any, out: list[Event]) -> None:
        """A whole message's ``tool_calls`` with an id not seen already."""
        for tc in list_or_empty(field(message, "tool_calls")):
            tool_call_id = str_or_none(field(tc, "id"))
            if tool_call_id is not None and tool_call_id not in self.calls:
                name = str_or_none(field(tc, "name")) or ""
                self.whole(tool_call_id, owner, name, plain(field(tc, "args")), out)

    def end_call(self, call: Call, out: list[Event], args: Any = None) -> None:
        out.extend(self.assembly.end(call, args=args))

    # -- tools -------------------------------------------------------------------------------

    def claim(self, name: str) -> Call | None:
        """The oldest call named ``name`` that no tool run has claimed yet (FIFO by name)."""
        claimed = set(self.tool_runs.values())
        for call in self.pending:
            if call.name == name and call.id not in claimed and call.id not in self.answered:
                return call
        return None

    def tool_start(self, p: Data, data: Data, run_id: str, name: str, out: list[Event]) -> None:
        call = self.claim(name)
        running = Status(state="tool_running", text=name or "tool", detail=name)
        out.append(running)
        if call is not None:
            running.tool_call_id = call.id
            self.tool_runs[run_id] = call.id
            return
        tool_call_id = run_id or self.assembly.ids.new("call")
        if tool_call_id in self.calls:
            return
        self.tool_runs[run_id] = tool_call_id
        self.whole(tool_call_id, run_id, name, plain(data.get("input")), out, synthetic=True)

    def result_call(self, run_id: str, name: str, raw_id: Any) -> str:
        wire_id = str_or_none(raw_id)
        if wire_id is not None and wire_id in self.calls and wire_id not in self.answered:
            return wire_id
        claimed = self.tool_runs.get(run_id)
        if claimed is not None:
            return claimed
        call = self.claim(name)
        if call is not None:
            return call.id
        return wire_id or run_id or name or "tool"

    def answer(self, tool_call_id: str, out: list[Event]) -> None:
        self.answered.add(tool_call_id)
        call = self.calls.get(tool_call_id)
        if call is not None:
            if call in self.pending:
                self.pending.remove(call)
            self.end_call(call, out)

    def result(
        self, tool_call_id: str, name: str | None, content: Any, is_error: bool, out: list[Event]
    ) -> None:
        """A call's result (its call ends first)."""
        self.answer(tool_call_id, out)
        out.append(
            ToolResult(tool_call_id=tool_call_id, content=content, name=name, is_error=is_error)
        )

    def tool_end(self, p: Data, data: Data, run_id: str, name: str, out: list[Event]) -> None:
        output = data.get("output")
        is_message = output is not None and not isinstance(output, (str, int, float, bool, list))
        if isinstance(output, Mapping) and "content" not in output:
            is_message = False  # a dict the tool returned
        wire_id = field(output, "tool_call_id") if is_message else None
        content, is_error = tool_message(output) if is_message else (plain(output), False)
        self.result(self.result_call(run_id, name, wire_id), name or None, content, is_error, out)

    def tool_error(self, p: Data, data: Data, run_id: str, name: str, out: list[Event]) -> None:
        tool_call_id = self.result_call(run_id, name, data.get("tool_call_id"))
        error = data.get("error")
        text = error if isinstance(error, str) else (f"{type(error).__name__}: {error}")
        if isinstance(error, Mapping):
            text = str_or_none(error.get("message")) or json.dumps(plain(error))
        self.result(tool_call_id, name or None, text, True, out)
