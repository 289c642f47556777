"""``Choice``: one choice of a Chat Completions stream, the part ``OpenAIChatAdapter`` keeps per
choice index. It turns the choice's deltas into thinking, text, refusal and tool-call events
(reasoning fields, LiteLLM's ``thinking_blocks``, Mistral's thinking content parts, or
``<think>`` splitting), names its messages (``{base}:{choice}``, ``…:think``, ``…:refusal``,
``#2`` for a later one of a kind) and closes its open messages and calls. Its tool calls are
assembled by the run's ``ToolCalls`` (``adapters/kit``), in a group of their own.
"""

from __future__ import annotations

from typing import Any

from nbagent._events import (
    Event,
    MessageEnd,
    MessageStart,
    TextDelta,
    ThinkingDelta,
)
from nbagent.adapters.base import field, list_or_empty
from nbagent.adapters.kit import CallGroup, ToolCalls
from nbagent.adapters.openai_chat.maps import reasoning_of, text_of, thinking_parts
from nbagent.adapters.think import Part, ThinkSplitter

__all__ = ["Choice"]


class Choice:
    """One choice's state: its open messages by kind, its tool calls, its finish reason."""

    __slots__ = (
        "base",
        "calls",
        "counts",
        "finish",
        "index",
        "meta",
        "open_ids",
        "reasoning_field",
        "refusal",
        "signature",
        "splitter",
        "tools",
    )

    def __init__(self, index: int, base: str, tools: ToolCalls) -> None:
        self.index = index
        self.base = base
        self.tools = tools
        self.meta: dict[str, Any] | None = None if index == 0 else {"choice_index": index}
        self.open_ids: dict[str, str] = {}  # "text" | "think" | "refusal" -> open message id
        self.counts: dict[str, int] = {}  # messages opened so far, per kind
        self.calls = CallGroup(prefix=f"call_{index}_")
        self.finish: str | None = None
        self.refusal = False  # a refusal was sent
        self.reasoning_field = False  # the server sends reasoning apart: no <think> splitting
        self.splitter: ThinkSplitter | None = None
        self.signature: str | None = None  # of the open thinking message, for its MessageEnd

    # -- a delta ---------------------------------------------------------------------------

    def delta(self, delta: Any, out: list[Event]) -> None:
        blocks = list_or_empty(field(delta, "thinking_blocks"))  # LiteLLM (Anthropic's blocks)
        thinking = reasoning_of(delta)
        if not thinking and blocks:  # LiteLLM repeats them in reasoning_content: not twice
            thinking = "".join(t for b in blocks if isinstance(t := field(b, "thinking"), str))
        if thinking:
            self._thinking(thinking, out)
        for block in blocks:
            self._thinking_block(block, out)
        content = field(delta, "content")
        if thinking_parts(content):  # Mistral's Magistral: [{"type": "thinking", ...}, ...]
            for part in content:
                if field(part, "type") == "thinking":
                    self._thinking(text_of(field(part, "thinking")), out)
                    self._thinking_block(part, out)
                else:
                    self._text(text_of([part]), out)
        else:
            self._text(text_of(content), out)
        refusal = text_of(field(delta, "refusal"))
        if refusal:
            self._close_thinking(out)
            self.refusal = True
            message_id = self._message_id("refusal")
            out.append(
                TextDelta(message_id=message_id, delta=refusal, refusal=True, meta=self.meta)
            )
        for tool_call in list_or_empty(field(delta, "tool_calls")):
            self._tool_call(field(tool_call, "index"), field(tool_call, "id"),
                            field(tool_call, "function"), out)  # fmt: skip
        function_call = field(delta, "function_call")  # legacy: one call, index 0
        if function_call:
            self._tool_call(0, None, function_call, out)

    def _tool_call(self, index: Any, wire_id: Any, function: Any, out: list[Event]) -> None:
        # mistralai's ToolCall defaults a missing id to the string "null"
        wire_id = wire_id if isinstance(wire_id, str) and wire_id not in ("", "null") else None
        name = field(function, "name")
        _, events = self.tools.fragment(
            self.calls,
            index=index if isinstance(index, int) else None,
            wire_id=wire_id,
            name=name if isinstance(name, str) else None,
            args=field(function, "arguments"),
            meta=self.meta,
        )
        if events and events[0].kind == "tool_call_start":
            self._close_thinking(out)
        out.extend(events)

    # -- thinking and text -----------------------------------------------------------------

    def _thinking(self, thinking: str, out: list[Event]) -> None:
        """Thinking sent apart from the content: from then on no ``<think>`` splitting."""
        if not self.reasoning_field:
            self.reasoning_field = True
            self._flush_splitter(out)
        if thinking:
            message_id = self._message_id("think")
            out.append(ThinkingDelta(message_id=message_id, delta=thinking, meta=self.meta))

    def _thinking_block(self, block: Any, out: list[Event]) -> None:
        """A thinking block's signature (kept for the thinking message's end) or a redacted
        block (a thinking message of its own, with no text)."""
        signature = field(block, "signature")
        if isinstance(signature, str) and signature:
            self.signature = signature
        if field(block, "type") == "redacted_thinking":
            self._close_thinking(out)
            message_id = self._message_id("think")
            self.open_ids.pop("think", None)
            data = field(block, "data")
            out.append(MessageStart(message_id=message_id, channel="thinking", meta=self.meta))
            out.append(
                MessageEnd(
                    message_id=message_id,
                    channel="thinking",
                    redacted=True,
                    encrypted_value=data if isinstance(data, str) else None,
                    meta=self.meta,
                )
            )

    def _text(self, content: str, out: list[Event]) -> None:
        if not content:
            return
        if self.reasoning_field:
            self._emit_parts([("text", content)], out)
        else:
            if self.splitter is None:
                self.splitter = ThinkSplitter()
            self._emit_parts(self.splitter.feed(content), out)

    def _message_id(self, kind: str) -> str:
        """The open message of this kind, or a new one: ``{base}:{choice}`` for text,
        ``…:think`` / ``…:refusal``; a later message of the same kind gets ``#2``, ``#3``…"""
        message_id = self.open_ids.get(kind)
        if message_id is None:
            n = self.counts[kind] = self.counts.get(kind, 0) + 1
            message_id = f"{self.base}:{self.index}" + ("" if kind == "text" else f":{kind}")
            if n > 1:
                message_id += f"#{n}"
            self.open_ids[kind] = message_id
        return message_id

    def _emit_parts(self, parts: list[Part], out: list[Event]) -> None:
        """Content split by the ``<think>`` splitter: thinking and answer text, in order."""
        for channel, piece in parts:
            if channel == "thinking":
                message_id = self._message_id("think")
                out.append(ThinkingDelta(message_id=message_id, delta=piece, meta=self.meta))
            else:
                self._close_thinking(out)
                message_id = self._message_id("text")
                out.append(TextDelta(message_id=message_id, delta=piece, meta=self.meta))

    def _flush_splitter(self, out: list[Event]) -> None:
        if self.splitter is not None:
            self._emit_parts(self.splitter.flush(), out)
            self.splitter = None

    def _close_thinking(self, out: list[Event]) -> None:
        message_id = self.open_ids.pop("think", None)
        if message_id is not None:
            signature, self.signature = self.signature, None
            out.append(
                MessageEnd(
                    message_id=message_id, channel="thinking", signature=signature, meta=self.meta
                )
            )

    # -- the end ---------------------------------------------------------------------------

    def close(self, out: list[Event]) -> None:
        """Close the open messages and calls (idempotent; also closes late deltas)."""
        self._flush_splitter(out)
        self._close_thinking(out)
        for kind in ("text", "refusal"):
            message_id = self.open_ids.pop(kind, None)
            if message_id is not None:
                out.append(MessageEnd(message_id=message_id, meta=self.meta))
        for call in self.calls.calls:
            if not call.ended and not call.started:  # the name never came
                self._close_thinking(out)
            out.extend(self.tools.end(call, self.meta))
