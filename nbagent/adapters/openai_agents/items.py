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

from nbagent._events import (
    Event,
    MessageEnd,
    MessageStart,
    Status,
    TextDelta,
    ThinkingDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)
from nbagent.adapters.base import field, list_or_empty, plain, str_or_none
from nbagent.adapters.openai_agents.maps import (
    agent_name,
    call_arguments,
    mcp_server,
    message_texts,
    reasoning_text,
)

__all__ = ["RunItems"]


class RunItems:
    """``OpenAIAgentsAdapter``'s run items and tool calls; ``parent``: every event's scope."""

    def __init__(self, parent: str | None) -> None:
        self.parent = parent
        self.step_items: set[str] = set()  # wire item ids the latest model call's raw events showed
        self.step_calls: set[str] = set()  # call ids the latest model call's raw events showed
        self.calls: dict[str, str] = {}  # the source's call id -> tool_call_id (the latest one)
        self._used: set[str] = set()  # every tool_call_id emitted
        self._names: dict[str, str] = {}  # tool_call_id -> tool name
        self.results: set[str] = set()  # tool_call_ids that have a result
        self.result_meta: dict[str, dict[str, bool]] = {}  # a denied or mocked call's result's meta
        self._count = 0  # items shown from run items alone (their ids)

    # -- shared by the adapter ---------------------------------------------------------------

    def emit(self, ev: Event, out: list[Event]) -> None:
        ev.parent = self.parent
        out.append(ev)

    def new_call(self, source_id: str, name: str) -> str:
        """The ``tool_call_id`` of a new call: its own id, made unique when an earlier model
        call used it (scripted and local models repeat ids)."""
        tool_call_id = source_id
        n = 1
        while tool_call_id in self._used:
            n += 1
            tool_call_id = f"{source_id}#{n}"
        self._used.add(tool_call_id)
        self.calls[source_id] = tool_call_id
        self.step_calls.add(source_id)
        if name:
            self._names[tool_call_id] = name
        return tool_call_id

    def name_server(self, tool_call_id: str, server: str, out: list[Event]) -> None:
        """A call already shown is of this MCP server's tool: its start again, naming it (the
        normalizer passes such a start once)."""
        name = self._names.get(tool_call_id, "")
        self.emit(ToolCallStart(tool_call_id=tool_call_id, name=name, server=server), out)

    def _next_id(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}_{self._count}"

    # -- run items ---------------------------------------------------------------------------

    def run_item(self, name: Any, item: Any, out: list[Event]) -> None:
        raw = field(item, "raw_item")
        if name in ("tool_called", "handoff_requested", "tool_search_called"):
            self._tool_called(item, raw, out)
        elif name in ("tool_output", "handoff_occured", "tool_search_output_created"):
            self._tool_output(name, item, raw, out)
        elif name == "message_output_created":
            self._message(raw, out)
        elif name == "reasoning_item_created":
            self._reasoning(raw, out)
        elif name == "mcp_list_tools":
            self._mcp_list_tools(raw, out)
        elif name == "mcp_approval_requested":
            tool = f"{field(raw, 'server_label') or 'mcp'}.{field(raw, 'name') or '?'}"
            text = f"approval requested: {tool}"
            self.emit(Status(state="approval_requested", text=text, detail=plain(raw)), out)
        elif name == "mcp_approval_response":
            verdict = "approved" if field(raw, "approve") else "rejected"
            self.emit(Status(state="approval_response", text=verdict, detail=plain(raw)), out)

    def _tool_called(self, item: Any, raw: Any, out: list[Event]) -> None:
        call_id = str_or_none(field(raw, "call_id"))
        item_id = str_or_none(field(raw, "id"))
        server = mcp_server(item)
        if (call_id and call_id in self.step_calls) or (item_id and item_id in self.step_items):
            # the raw events showed it; of an MCP server's tool, the item names the server
            if server and call_id in self.calls:
                self.name_server(self.calls[call_id], server, out)
            return
        source_id = call_id or item_id
        synthetic = source_id is None
        if source_id is None:
            source_id = self._next_id("call")
        kind = str_or_none(field(raw, "type")) or ""
        name = str_or_none(field(raw, "name")) or kind.removesuffix("_call") or "tool"
        tool_call_id = self.new_call(source_id, name)
        hosted = field(raw, "execution") == "server"
        self.emit(
            ToolCallStart(
                tool_call_id=tool_call_id,
                name=name,
                executor="server" if hosted else None,
                synthetic_id=synthetic,
                server=server,
            ),
            out,
        )
        arguments, args = call_arguments(raw)
        self.emit(ToolCallEnd(tool_call_id=tool_call_id, arguments=arguments, args=args), out)

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
        self.emit(
            ToolResult(
                tool_call_id=tool_call_id,
                content=content,
                name=self._names.get(tool_call_id),
                meta=self.result_meta.get(tool_call_id),
            ),
            out,
        )
        if name == "handoff_occured":
            target = agent_name(field(item, "target_agent"))
            if target:
                self.emit(Status(state="handoff", text=f"handoff to {target}"), out)

    def _message(self, raw: Any, out: list[Event]) -> None:
        item_id = str_or_none(field(raw, "id"))
        if item_id and item_id in self.step_items:
            return
        text, refusal = message_texts(raw)
        message_id = self._next_id("message")
        if text or not refusal:
            self.emit(MessageStart(message_id=message_id, role="assistant"), out)
            self.emit(TextDelta(message_id=message_id, delta=text), out)
            self.emit(MessageEnd(message_id=message_id), out)
        if refusal:
            refusal_id = f"{message_id}:refusal"
            self.emit(MessageStart(message_id=refusal_id, role="assistant"), out)
            self.emit(TextDelta(message_id=refusal_id, delta=refusal, refusal=True), out)
            self.emit(MessageEnd(message_id=refusal_id), out)

    def _reasoning(self, raw: Any, out: list[Event]) -> None:
        item_id = str_or_none(field(raw, "id"))
        if item_id and item_id in self.step_items:
            return
        message_id = self._next_id("reasoning")
        encrypted = str_or_none(field(raw, "encrypted_content"))
        self.emit(MessageStart(message_id=message_id, channel="thinking"), out)
        self.emit(ThinkingDelta(message_id=message_id, delta=reasoning_text(raw)), out)
        self.emit(
            MessageEnd(message_id=message_id, channel="thinking", encrypted_value=encrypted), out
        )

    def _mcp_list_tools(self, raw: Any, out: list[Event]) -> None:
        item_id = str_or_none(field(raw, "id"))
        if item_id and item_id in self.step_items:
            return
        tool_call_id = self.new_call(item_id or self._next_id("mcp_list_tools"), "mcp_list_tools")
        self.emit(
            ToolCallStart(tool_call_id=tool_call_id, name="mcp_list_tools", executor="server"), out
        )
        args = {"server_label": plain(field(raw, "server_label"))}
        self.emit(ToolCallEnd(tool_call_id=tool_call_id, args=args), out)
        error = field(raw, "error")
        tools = [field(tool, "name") for tool in list_or_empty(field(raw, "tools"))]
        content = plain(error) if error else tools
        self.results.add(tool_call_id)
        self.emit(
            ToolResult(
                tool_call_id=tool_call_id,
                content=content,
                name="mcp_list_tools",
                is_error=bool(error),
            ),
            out,
        )
