"""Run items: ``RunItems``, the part of ``OpenAIAgentsAdapter`` that maps a
``RunItemStreamEvent`` (what the runner made of a model call: a tool called, its output, a
handoff, a message, a reasoning item, MCP items) to events. What the raw Responses events of the
same model call already showed (the same item id, the same call id) is not shown again: a run
item adds only what the raw events cannot carry, a tool's output and a handoff. It owns the run's
tool calls (their ids unique in the run, names, results), which the adapter's model calls and the
approvals share.
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, list_or_empty, plain, str_or_none
from nbagent.adapters.kit import Ids, call_events, whole_message
from nbagent.adapters.openai_agents.maps import (
    agent_name,
    call_arguments,
    mcp_server,
    message_texts,
    reasoning_text,
)
from nbagent.core.events import Event, Status, ToolCallStart, ToolResult

__all__ = ["RunItems"]

_ANSWER = {"role": "assistant"}
"""The start of the run's answer, an item the SDK gives whole."""


class RunItems:
    """``OpenAIAgentsAdapter``'s run items and tool calls; ``parent``: every event's scope."""

    def __init__(self, parent: str | None) -> None:
        self.parent = parent
        self.step_items: set[str] = set()  # wire item ids the latest model call's raw events showed
        self.step_calls: set[str] = set()  # call ids the latest model call's raw events showed
        self.calls: dict[str, str] = {}  # the source's call id -> tool_call_id (the latest one)
        self.ids = Ids()  # every tool_call_id emitted, every message id invented
        self._names: dict[str, str] = {}  # tool_call_id -> tool name
        self.results: set[str] = set()  # tool_call_ids that have a result
        self.result_meta: dict[str, dict[str, bool]] = {}  # a denied or mocked call's result's meta

    # -- shared by the adapter ---------------------------------------------------------------

    def emit(self, out: list[Event], *events: Event) -> None:
        """``events`` into ``out``, in this run's scope."""
        for ev in events:
            ev.parent = self.parent
            out.append(ev)

    def new_call(self, source_id: str | None, name: str) -> str:
        """The ``tool_call_id`` of a new call: its own id, ``#2``… when an earlier model call
        used it (scripted and local models repeat ids), invented when it has none."""
        if source_id is None:
            return self._named(self.ids.new("call", self.parent), name)
        tool_call_id = self.ids.wire(source_id)
        self.calls[source_id] = tool_call_id
        self.step_calls.add(source_id)
        return self._named(tool_call_id, name)

    def _named(self, tool_call_id: str, name: str) -> str:
        if name:
            self._names[tool_call_id] = name
        return tool_call_id

    def name_server(self, tool_call_id: str, server: str, out: list[Event]) -> None:
        """A call already shown is of this MCP server's tool: its start again, naming it (the
        normalizer passes such a start once)."""
        name = self._names.get(tool_call_id, "")
        self.emit(out, ToolCallStart(tool_call_id=tool_call_id, name=name, server=server))

    # -- run items ---------------------------------------------------------------------------

    def run_item(self, payload: Any, out: list[Event]) -> None:
        """A ``RunItemStreamEvent``: its ``name`` says what its ``item`` is."""
        name, item = field(payload, "name"), field(payload, "item")
        raw = field(item, "raw_item")
        item_id = str_or_none(field(raw, "id"))
        shown = item_id is not None and item_id in self.step_items  # by the raw events
        if name in ("tool_called", "handoff_requested", "tool_search_called"):
            self._tool_called(item, raw, item_id, shown, out)
        elif name in ("tool_output", "handoff_occured", "tool_search_output_created"):
            self._tool_output(name, item, raw, out)
        elif name == "mcp_approval_requested":
            tool = f"{field(raw, 'server_label') or 'mcp'}.{field(raw, 'name') or '?'}"
            text = f"approval requested: {tool}"
            self.emit(out, Status(state="approval_requested", text=text, detail=plain(raw)))
        elif name == "mcp_approval_response":
            verdict = "approved" if field(raw, "approve") else "rejected"
            self.emit(out, Status(state="approval_response", text=verdict, detail=plain(raw)))
        elif shown:
            return  # the raw events of its model call showed it
        elif name == "message_output_created":
            text, refusal = message_texts(raw)
            if text or not refusal:
                message_id = self.ids.new("text", self.parent)
                whole_message(out, "text", message_id, text, _ANSWER, parent=self.parent)
            if refusal:
                refused = self.ids.new("refusal", self.parent)
                whole_message(
                    out, "text", refused, refusal, _ANSWER, None, self.parent, refusal=True
                )
        elif name == "reasoning_item_created":
            end = {"encrypted_value": str_or_none(field(raw, "encrypted_content"))}
            reasoning_id, thinking = self.ids.new("think", self.parent), reasoning_text(raw)
            whole_message(out, "thinking", reasoning_id, thinking, None, end, self.parent)
        elif name == "mcp_list_tools":
            self._mcp_list_tools(raw, item_id, out)

    def _tool_called(
        self, item: Any, raw: Any, item_id: str | None, shown: bool, out: list[Event]
    ) -> None:
        call_id = str_or_none(field(raw, "call_id"))
        server = mcp_server(item)
        if shown or (call_id and call_id in self.step_calls):
            # the raw events showed it; of an MCP server's tool, the item names the server
            if server and call_id in self.calls:
                self.name_server(self.calls[call_id], server, out)
            return
        source_id = call_id or item_id
        kind = str_or_none(field(raw, "type")) or ""
        name = str_or_none(field(raw, "name")) or kind.removesuffix("_call") or "tool"
        tool_call_id = self.new_call(source_id, name)
        hosted = field(raw, "execution") == "server"
        arguments, args = call_arguments(raw)
        events = call_events(
            tool_call_id,
            name,
            arguments,
            args,
            executor="server" if hosted else None,
            synthetic=call_id is None and item_id is None,
            server=server,
        )
        self.emit(out, *events)

    def _tool_output(self, name: str, item: Any, raw: Any, out: list[Event]) -> None:
        call_id = str_or_none(field(raw, "call_id")) or str_or_none(field(raw, "id"))
        if call_id is None:
            return  # nothing to attach it to
        tool_call_id = self.calls.get(call_id, call_id)
        if tool_call_id in self.results:
            return
        self.results.add(tool_call_id)
        if name == "tool_search_output_created":
            content: Any = plain(field(raw, "tools"))
        else:
            content = field(item, "output")
            if content is None:
                content = field(raw, "output")
        tool = self._names.get(tool_call_id)
        meta = self.result_meta.get(tool_call_id)
        self.emit(out, ToolResult(tool_call_id=tool_call_id, content=content, name=tool, meta=meta))
        target = agent_name(field(item, "target_agent")) if name == "handoff_occured" else None
        if target:
            self.emit(out, Status(state="handoff", text=f"handoff to {target}"))

    def _mcp_list_tools(self, raw: Any, item_id: str | None, out: list[Event]) -> None:
        tool_call_id = self.new_call(item_id, "mcp_list_tools")
        args = {"server_label": plain(field(raw, "server_label"))}
        self.emit(out, *call_events(tool_call_id, "mcp_list_tools", None, args, executor="server"))
        error = field(raw, "error")
        tools = [field(tool, "name") for tool in list_or_empty(field(raw, "tools"))]
        self.results.add(tool_call_id)
        result = ToolResult(
            tool_call_id=tool_call_id,
            content=plain(error) if error else tools,
            name="mcp_list_tools",
            is_error=bool(error),
        )
        self.emit(out, result)
