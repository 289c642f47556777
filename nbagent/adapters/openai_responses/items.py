"""Output items: ``Item``, what the adapter keeps of each (a message, a reasoning item, a tool
call), and ``Items``, the part of ``OpenAIResponsesAdapter`` that keeps them: opening an item
on ``output_item.added`` (or on a delta that came first), finding it by item id or output
index, and closing it (a tool call's full arguments reconciled, a hosted tool's result). It
owns its state (the items by wire id and by output index, whether a function was called).
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, int_or_none, plain
from nbagent.adapters.kit.ids import Ids, Kind
from nbagent.adapters.kit.reconcile import Parts, end_streamed_call, end_text_parts
from nbagent.adapters.openai_responses.maps import (
    FUNCTION_ITEMS,
    HOSTED_ITEMS,
    hosted_args,
    hosted_result,
)
from nbagent.core.events import (
    Custom,
    Event,
    MessageEnd,
    MessageStart,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)

__all__ = ["Item", "Items"]


class Item:
    """One output item: a message, a reasoning item or a tool call."""

    __slots__ = ("ended", "id", "item_type", "name", "parts", "streamed")

    def __init__(self, item_id: str, item_type: str) -> None:
        self.id = item_id  # message id / thinking id / tool_call_id
        self.item_type = item_type
        self.name = ""
        self.ended = False
        self.streamed: list[str] = []  # tool call: argument text streamed so far
        self.parts: Parts = {}  # (kind, index) -> text streamed so far


class Items:
    """``OpenAIResponsesAdapter``'s output items."""

    def __init__(self) -> None:
        self._items: dict[str, Item] = {}  # wire item id -> item
        self._by_output: dict[int, str] = {}  # output_index -> wire item id
        self.function_calls = False
        self.ids = Ids("response")  # an item with no id: in the response's scope

    def _new_key(self, item_type: str) -> str:
        """The key (and id) of an item the wire gave no id: ``{response}:text1``…"""
        kind: Kind = (
            "text" if item_type == "message" else "think" if item_type == "reasoning" else "call"
        )
        return self.ids.new(kind)

    def added(self, payload: Any, out: list[Event]) -> None:
        item = field(payload, "item")
        wire_id = field(item, "id")
        item_type = field(item, "type")
        if not isinstance(item_type, str):
            return
        output_index = int_or_none(field(payload, "output_index"))
        if not isinstance(wire_id, str) or not wire_id:
            known = self._by_output.get(output_index) if output_index is not None else None
            wire_id = known or self._new_key(item_type)
        if output_index is not None:
            self._by_output[output_index] = wire_id
        if wire_id in self._items:
            return  # a duplicate, or deltas came first
        if item_type in FUNCTION_ITEMS:
            call_id = field(item, "call_id")
            tool_call_id = call_id if isinstance(call_id, str) and call_id else wire_id
            state = self._items[wire_id] = Item(tool_call_id, item_type)
            self.function_calls = True
            name = field(item, "name")
            state.name = name if isinstance(name, str) else ""
            out.append(
                ToolCallStart(
                    tool_call_id=tool_call_id,
                    name=state.name,
                    index=output_index,
                    synthetic_id=tool_call_id != call_id,
                )
            )
            arguments = field(item, "input" if item_type == "custom_tool_call" else "arguments")
            if isinstance(arguments, str) and arguments:
                state.streamed.append(arguments)
                out.append(ToolCallArgsDelta(tool_call_id=tool_call_id, delta=arguments))
        elif item_type in HOSTED_ITEMS or item_type.endswith("_call"):
            state = self._items[wire_id] = Item(wire_id, item_type)
            name = field(item, "name") if item_type == "mcp_call" else None
            state.name = name if isinstance(name, str) and name else item_type
            out.append(
                ToolCallStart(
                    tool_call_id=wire_id, name=state.name, index=output_index, executor="server"
                )
            )
        elif item_type == "message":
            self._items[wire_id] = Item(wire_id, item_type)
            role = field(item, "role")
            out.append(
                MessageStart(message_id=wire_id, role=role if isinstance(role, str) else None)
            )
        elif item_type == "reasoning":
            self._items[wire_id] = Item(wire_id, item_type)
            out.append(MessageStart(message_id=wire_id, channel="thinking"))
        else:
            out.append(Custom(name=f"output_item.{item_type}", value=plain(item), is_raw=True))

    def end_item(self, state: Item, out: list[Event], item: Any = None) -> None:
        if state.ended:
            return
        if state.item_type == "message":
            state.ended = True
            end_text_parts(state.parts, state.id, out)
        elif state.item_type == "reasoning":
            state.ended = True
            encrypted = field(item, "encrypted_content")
            out.append(
                MessageEnd(
                    message_id=state.id,
                    channel="thinking",
                    encrypted_value=encrypted if isinstance(encrypted, str) else None,
                )
            )
        else:
            state.ended = True
            out.append(ToolCallEnd(tool_call_id=state.id))

    def end_call(self, state: Item, full: Any, out: list[Event]) -> None:
        """Close a tool call, reconciling its full argument text with the streamed one."""
        if not state.ended:
            state.ended = True
            out.extend(end_streamed_call(state.id, state.streamed, full))

    def end_hosted(self, state: Item, item: Any, out: list[Event]) -> None:
        state.ended = True
        if state.streamed:
            out.append(ToolCallEnd(tool_call_id=state.id))
        else:
            out.append(ToolCallEnd(tool_call_id=state.id, args=hosted_args(item)))
        error = field(item, "error")
        status = field(item, "status")
        is_error = bool(error) or status in ("failed", "incomplete")
        content = hosted_result(item)
        if error:
            content = error if isinstance(error, str) else plain(error)
        out.append(
            ToolResult(tool_call_id=state.id, content=content, name=state.name, is_error=is_error)
        )

    def item_of(self, payload: Any, item: Any = None) -> Item | None:
        wire_id = field(payload, "item_id")
        if not isinstance(wire_id, str):
            wire_id = field(item, "id")
        if not isinstance(wire_id, str):
            index = int_or_none(field(payload, "output_index"))
            wire_id = self._by_output.get(index) if index is not None else None
        return self._items.get(wire_id) if isinstance(wire_id, str) else None

    def for_delta(self, payload: Any, item_type: str, out: list[Event]) -> Item:
        """The item a delta belongs to; one is opened when no ``output_item.added`` came."""
        state = self.item_of(payload)
        if state is not None:
            return state
        wire_id = field(payload, "item_id")
        index = int_or_none(field(payload, "output_index"))
        if not isinstance(wire_id, str) or not wire_id:
            wire_id = self._new_key(item_type)
        if index is not None:
            self._by_output.setdefault(index, wire_id)
        state = self._items[wire_id] = Item(wire_id, item_type)
        if item_type == "function_call":
            self.function_calls = True
            out.append(ToolCallStart(tool_call_id=wire_id, index=index, synthetic_id=True))
        return state

    def close_all(self, out: list[Event]) -> None:
        for item in self._items.values():
            if not item.ended:
                self.end_item(item, out)
