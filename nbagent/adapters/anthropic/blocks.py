"""Content blocks: ``Blocks``, the part of ``AnthropicAdapter`` that turns
``content_block_start`` / ``_delta`` / ``_stop`` into messages (text, thinking), tool calls
and server tool results, and ``Block``, what it keeps of each block.
"""

from __future__ import annotations

import json
from typing import Any

from nbagent.adapters.anthropic.maps import TOOL_USE
from nbagent.adapters.base import field, plain
from nbagent.adapters.kit.ids import Ids, kind_of
from nbagent.adapters.kit.messages import Channel, message_delta, whole_message
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

__all__ = ["Block", "Blocks"]


class Block:
    """What the adapter keeps of one content block (by its index)."""

    __slots__ = ("id", "input", "kind", "open", "signature", "streamed")

    def __init__(self, kind: str, block_id: str) -> None:
        self.kind = kind  # "text" | "thinking" | "tool" | "done" (nothing to close)
        self.id = block_id
        self.open = kind != "done"
        self.signature: str | None = None
        self.input: Any = None  # a non-empty content_block_start.input
        self.streamed = False  # a non-empty input_json_delta arrived


class Blocks:
    """A message's content blocks by index; ``ids`` names them, in the message's scope (its
    id: ``{message}:text1``, ``…:think1``, ``…:call1`` for a tool use with no id)."""

    def __init__(self) -> None:
        self.ids = Ids("msg")
        self.by_index: dict[int, Block] = {}

    def close_all(self, out: list[Event]) -> None:
        for index in sorted(self.by_index):
            self.close(self.by_index[index], out)

    def start(self, payload: Any, out: list[Event]) -> None:
        index = field(payload, "index")
        if not isinstance(index, int) or index in self.by_index:
            return  # a repeated start: the block is already known
        content = field(payload, "content_block")
        kind = field(content, "type")
        block_id = f"{self.ids.scope}:{index}"  # a block no event names by its id
        if kind == "text" or kind == "thinking":
            block_id = self.ids.new(kind_of(kind))
            block = self.by_index[index] = Block(kind, block_id)
            role = "assistant" if kind == "text" else None
            out.append(MessageStart(message_id=block_id, channel=kind, role=role))
            text = field(content, kind)
            if isinstance(text, str) and text:
                out.append(message_delta(kind, block_id, text))
            signature = field(content, "signature")
            if kind == "thinking" and isinstance(signature, str) and signature:
                block.signature = signature
        elif kind == "redacted_thinking":
            block_id = self.ids.new("think")
            self.by_index[index] = Block("done", block_id)
            data = field(content, "data")
            redacted = {
                "redacted": True,
                "encrypted_value": data if isinstance(data, str) else None,
            }
            whole_message(out, "thinking", block_id, None, end=redacted)
        elif kind in TOOL_USE:
            wire_id = field(content, "id")
            synthetic = not (isinstance(wire_id, str) and wire_id)
            tool_id = self.ids.new("call") if synthetic else self.ids.wire(wire_id)
            block = self.by_index[index] = Block("tool", tool_id)
            tool_input = field(content, "input")
            if tool_input:  # `{}` is only a placeholder for the streamed input
                block.input = plain(tool_input)
            name = field(content, "name")
            out.append(
                ToolCallStart(
                    tool_call_id=tool_id,
                    name=name if isinstance(name, str) else "",
                    index=index,
                    executor="client" if kind == "tool_use" else "server",
                    synthetic_id=synthetic,
                )
            )
        elif isinstance(kind, str) and kind.endswith("_tool_result"):
            self.by_index[index] = Block("done", block_id)
            tool_use_id = field(content, "tool_use_id")
            result = plain(field(content, "content"))
            error_type = field(result, "type") if isinstance(result, dict) else None
            out.append(
                ToolResult(
                    tool_call_id=(
                        tool_use_id if isinstance(tool_use_id, str) else self.ids.new("call")
                    ),
                    content=result,
                    is_error=isinstance(error_type, str) and error_type.endswith("_error"),
                    meta={"block_type": kind},
                )
            )
        else:
            self.by_index[index] = Block("done", block_id)
            out.append(_raw(kind or "content_block", content, index))

    def _implicit_block(self, index: int, kind: str, out: list[Event]) -> Block:
        """A block whose start never came (a truncated or reordered stream)."""
        block_id = self.ids.new(
            "call" if kind == "tool" else "think" if kind == "thinking" else "text"
        )
        block = self.by_index[index] = Block(kind, block_id)
        if kind == "tool":
            out.append(ToolCallStart(tool_call_id=block_id, index=index, synthetic_id=True))
        return block

    def delta(self, payload: Any, out: list[Event]) -> None:
        index = field(payload, "index")
        if not isinstance(index, int):
            return
        delta = field(payload, "delta")
        kind = field(delta, "type")
        block = self.by_index.get(index)
        if kind == "text_delta" or kind == "thinking_delta":
            channel: Channel = "text" if kind == "text_delta" else "thinking"
            text = field(delta, channel)
            if isinstance(text, str) and text:
                if block is None:
                    block = self._implicit_block(index, channel, out)
                if block.kind == channel:
                    out.append(message_delta(channel, block.id, text))
        elif kind == "input_json_delta":
            partial = field(delta, "partial_json")
            if isinstance(partial, str) and partial:  # the first one is "": never seed "{}"
                if block is None:
                    block = self._implicit_block(index, "tool", out)
                if block.kind == "tool" and block.open:
                    block.streamed = True
                    out.append(ToolCallArgsDelta(tool_call_id=block.id, delta=partial))
        elif kind == "signature_delta":
            signature = field(delta, "signature")
            if isinstance(signature, str) and signature and block is not None:
                block.signature = (block.signature or "") + signature
        elif kind == "citations_delta":
            message_id = block.id if block is not None else f"{self.ids.scope}:{index}"
            out.append(
                Custom(
                    name="citation",
                    value=plain(field(delta, "citation")),
                    meta={"message_id": message_id, "index": index},
                )
            )
        else:
            out.append(_raw(kind or "content_block_delta", delta, index))

    def close(self, block: Block, out: list[Event]) -> None:
        if not block.open:
            return
        block.open = False
        if block.kind == "tool":
            args = None if block.streamed else block.input
            arguments = None if args is None else json.dumps(args, ensure_ascii=False)
            out.append(ToolCallEnd(tool_call_id=block.id, arguments=arguments, args=args))
        elif block.kind == "thinking":
            end = MessageEnd(message_id=block.id, channel="thinking", signature=block.signature)
            out.append(end)
        else:
            out.append(MessageEnd(message_id=block.id, channel="text"))


def _raw(kind: Any, value: Any, index: int) -> Custom:
    """A block or delta of a type this adapter does not know, kept as it came."""
    return Custom(name=str(kind), value=plain(value), is_raw=True, meta={"index": index})
