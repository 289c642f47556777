"""Content blocks: ``Blocks``, the part of ``AnthropicAdapter`` that turns
``content_block_start`` / ``_delta`` / ``_stop`` into messages (text, thinking), tool calls,
server tool results and context compactions: its text, thinking and tool-use blocks are the
kit's ``Parts``, keyed by the block's index.

A ``compaction`` block (context management's summary of the context it closed) is a note of
kind ``compaction`` (``nbagent/transcript/notes.py``), ``{msg}:compaction{index}``: "Compacting
context…" from its start, its text the summary (each ``compaction_delta`` brings the whole
summary so far, as the SDK reads it), "Context compacted" at its stop, "Context compaction
failed" when it stopped with no summary (the server's failed compaction); the opaque
``encrypted_content`` stays unread.
"""

from __future__ import annotations

import json
from typing import Any

from nbagent.adapters.anthropic.maps import TOOL_USE
from nbagent.adapters.base import field, plain
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.messages import whole_message
from nbagent.adapters.kit.parts import Part, PartKind, Parts
from nbagent.core.events import Custom, Event, ToolResult

__all__ = ["Blocks"]

_DELTAS: dict[str, PartKind] = {
    "text_delta": "text",
    "thinking_delta": "thinking",
    "input_json_delta": "call",
}
"""A delta's type → the kind of its block's part."""

_FIELDS: dict[PartKind, str] = {"text": "text", "thinking": "thinking", "call": "partial_json"}
"""A delta's text field, by the kind of its part."""

RESULT = "_tool_result"
"""How a server tool's result block type ends: ``web_search_tool_result``, ``web_fetch_…``,
``code_execution_…``, ``mcp_tool_result``; what comes before it names the tool."""


class Blocks:
    """A message's content blocks by index; ``ids`` names them, in the message's scope (its
    id: ``{message}:text1``, ``…:think1``, ``…:call1`` for a tool use with no id)."""

    def __init__(self) -> None:
        self.ids = Ids()  # a message with no id: in the run's scope
        self.parts = Parts(self.ids, starts={"text": {"role": "assistant"}, "thinking": {}})
        self.seen: set[int] = set()  # the indices of the blocks started
        self.compactions: dict[int, str | None] = {}  # open compaction blocks: their summary

    def close_all(self, out: list[Event]) -> None:
        for index in list(self.compactions):
            self.close(index, out)
        self.parts.close_all(out)

    def close(self, index: Any, out: list[Event]) -> None:
        if isinstance(index, int):
            if index in self.compactions:
                summary = self.compactions.pop(index)
                status = "failed" if summary is None else "completed"
                out.append(self._compaction(index, status, summary))
            self.parts.close(index, out)

    def _compaction(self, index: int, status: str, summary: str | None) -> Custom:
        """The note of the compaction block at ``index``."""
        title = {"completed": "Context compacted", "failed": "Context compaction failed"}
        return Custom(
            name="note",
            value={
                "id": f"{self.ids.scope}:compaction{index}",
                "kind": "compaction",
                "level": "warning" if status == "failed" else "info",
                "title": title.get(status, "Compacting context…"),
                "status": status,
                "text": summary or "",
            },
        )

    def start(self, payload: Any, out: list[Event]) -> None:
        index = field(payload, "index")
        if not isinstance(index, int) or index in self.seen:
            return  # a repeated start: the block is already known
        self.seen.add(index)
        content = field(payload, "content_block")
        kind = field(content, "type")
        if kind == "text" or kind == "thinking":
            part = self.parts.start(kind, index, out)
            self.parts.delta(part, field(content, kind), out)
            signature = field(content, "signature")
            if kind == "thinking" and isinstance(signature, str) and signature:
                part.end["signature"] = signature
        elif kind == "redacted_thinking":
            data = field(content, "data")
            redacted = {
                "redacted": True,
                "encrypted_value": data if isinstance(data, str) else None,
            }
            whole_message(out, "thinking", self.ids.new("think"), None, end=redacted)
        elif kind in TOOL_USE:
            wire_id = field(content, "id")
            name = field(content, "name")
            part = self.parts.start(
                "call",
                index,
                out,
                wire_id=wire_id if isinstance(wire_id, str) else None,
                name=name if isinstance(name, str) else "",
                index=index,
                executor="client" if kind == "tool_use" else "server",
            )
            tool_input = field(content, "input")
            if tool_input:  # `{}` is only a placeholder for the streamed input
                args = plain(tool_input)
                part.end.update(args=args, arguments=json.dumps(args, ensure_ascii=False))
        elif kind == "compaction":
            summary = field(content, "content")
            summary = self.compactions[index] = summary if isinstance(summary, str) else None
            out.append(self._compaction(index, "in_progress", summary))
        elif isinstance(kind, str) and kind.endswith(RESULT):
            tool_use_id = field(content, "tool_use_id")
            result = plain(field(content, "content"))
            error_type = field(result, "type") if isinstance(result, dict) else None
            out.append(
                ToolResult(
                    tool_call_id=(
                        tool_use_id if isinstance(tool_use_id, str) else self.ids.new("call")
                    ),
                    # the call's name, from the block's type: after a pause_turn the call came
                    # in the previous response, and this result is all the stream says of it
                    name=kind.removesuffix(RESULT),
                    content=result,
                    is_error=isinstance(error_type, str) and error_type.endswith("_error"),
                    meta={"block_type": kind},
                )
            )
        else:
            out.append(_raw(kind or "content_block", content, index))

    def _part(self, index: int, kind: PartKind, out: list[Event]) -> Part | None:
        """The open block at ``index`` when it is a ``kind`` one; a block whose start never
        came (a truncated or reordered stream) opened now; None for a block of another kind
        or one that ended."""
        part = self.parts.get(index)
        if part is None and index not in self.seen:
            self.seen.add(index)
            if kind == "call":
                return self.parts.start("call", index, out, index=index)
            return self.parts.start(kind, index, out, announce=False)
        return part if part is not None and part.kind == kind else None

    def delta(self, payload: Any, out: list[Event]) -> None:
        index = field(payload, "index")
        if not isinstance(index, int):
            return
        delta = field(payload, "delta")
        kind = field(delta, "type")
        if not isinstance(kind, str):  # a hostile type (a list is not even hashable): no delta
            return
        if kind in _DELTAS:
            part_kind = _DELTAS[kind]
            text = field(delta, _FIELDS[part_kind])
            if not (isinstance(text, str) and text):  # the first input is "": never seed "{}"
                return
            part = self._part(index, part_kind, out)
            if part is not None:
                if part_kind == "call":
                    part.end.clear()  # the input streams: no whole arguments at its end
                self.parts.delta(part, text, out)
        elif kind == "signature_delta":
            signature = field(delta, "signature")
            part = self.parts.get(index)
            if isinstance(signature, str) and signature and part and part.kind == "thinking":
                part.end["signature"] = (part.end.get("signature") or "") + signature
        elif kind == "compaction_delta" and index in self.compactions:
            summary = field(delta, "content")
            if isinstance(summary, str) and summary:
                self.compactions[index] = summary
                out.append(self._compaction(index, "in_progress", summary))
        elif kind == "citations_delta":
            part = self.parts.get(index)
            out.append(
                Custom(
                    name="citation",
                    value=plain(field(delta, "citation")),
                    meta={
                        "message_id": part.id if part is not None else self.ids.new("text"),
                        "index": index,
                    },
                )
            )
        else:
            out.append(_raw(kind or "content_block_delta", delta, index))


def _raw(kind: Any, value: Any, index: int) -> Custom:
    """A block or delta of a type this adapter does not know, kept as it came."""
    return Custom(name=str(kind), value=plain(value), is_raw=True, meta={"index": index})
