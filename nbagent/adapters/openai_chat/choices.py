"""Choices: ``ChoicesMixin`` (on ``ToolCallsMixin``) turns one choice's delta into thinking,
text, refusal and tool-call events (reasoning fields, LiteLLM's ``thinking_blocks``, Mistral's
thinking content parts, or ``<think>`` splitting) and closes a choice's open messages and
calls. The adapter's ``__init__`` owns the state (``_choices``, ``_refusal``).
"""

from __future__ import annotations

from typing import Any

from nbagent._events import (
    Event,
    MessageEnd,
    MessageStart,
    TextDelta,
    ThinkingDelta,
    ToolCallEnd,
)
from nbagent.adapters.base import field, list_or_empty
from nbagent.adapters.openai_chat.maps import text_of, thinking_parts
from nbagent.adapters.openai_chat.state import Choice
from nbagent.adapters.openai_chat.tools import ToolCallsMixin
from nbagent.adapters.think import ThinkSplitter

__all__ = ["ChoicesMixin"]


class ChoicesMixin(ToolCallsMixin):
    """``OpenAIChatAdapter``'s per-choice methods (the adapter holds the state)."""

    _choices: dict[int, Choice]
    _refusal: bool

    def _choice(self, index: int) -> Choice:
        state = self._choices.get(index)
        if state is None:
            state = self._choices[index] = Choice(index)
        return state

    def _delta(self, state: Choice, delta: Any, out: list[Event]) -> None:
        meta = state.meta
        blocks = list_or_empty(field(delta, "thinking_blocks"))  # LiteLLM (Anthropic's blocks)
        thinking = text_of(field(delta, "reasoning_content")) or text_of(field(delta, "reasoning"))
        if not thinking and blocks:  # LiteLLM repeats them in reasoning_content: not twice
            thinking = "".join(t for b in blocks if isinstance(t := field(b, "thinking"), str))
        if thinking:
            self._thinking(state, thinking, out)
        for block in blocks:
            self._thinking_block(state, block, out)
        content = field(delta, "content")
        if thinking_parts(content):  # Mistral's Magistral: [{"type": "thinking", ...}, ...]
            for part in content:
                if field(part, "type") == "thinking":
                    self._thinking(state, text_of(field(part, "thinking")), out)
                    self._thinking_block(state, part, out)
                else:
                    self._text(state, text_of([part]), out)
        else:
            self._text(state, text_of(content), out)
        refusal = text_of(field(delta, "refusal"))
        if refusal:
            self._close_thinking(state, out)
            self._refusal = True
            message_id = self._message_id(state, "refusal")
            out.append(TextDelta(message_id=message_id, delta=refusal, refusal=True, meta=meta))
        for tool_call in list_or_empty(field(delta, "tool_calls")):
            self._tool_call(
                state, field(tool_call, "index"), field(tool_call, "id"),
                field(tool_call, "function"), out,
            )  # fmt: skip
        function_call = field(delta, "function_call")  # legacy: one call, index 0
        if function_call:
            self._tool_call(state, 0, None, function_call, out)

    def _thinking(self, state: Choice, thinking: str, out: list[Event]) -> None:
        """Thinking sent apart from the content: from then on no ``<think>`` splitting."""
        if not state.reasoning_field:
            state.reasoning_field = True
            self._flush_splitter(state, out)
        if thinking:
            message_id = self._message_id(state, "think")
            out.append(ThinkingDelta(message_id=message_id, delta=thinking, meta=state.meta))

    def _thinking_block(self, state: Choice, block: Any, out: list[Event]) -> None:
        """A thinking block's signature (kept for the thinking message's end) or a redacted
        block (a thinking message of its own, with no text)."""
        signature = field(block, "signature")
        if isinstance(signature, str) and signature:
            state.signature = signature
        if field(block, "type") == "redacted_thinking":
            self._close_thinking(state, out)
            message_id = self._message_id(state, "think")
            state.open_ids.pop("think", None)
            data = field(block, "data")
            out.append(MessageStart(message_id=message_id, channel="thinking", meta=state.meta))
            out.append(
                MessageEnd(
                    message_id=message_id,
                    channel="thinking",
                    redacted=True,
                    encrypted_value=data if isinstance(data, str) else None,
                    meta=state.meta,
                )
            )

    def _text(self, state: Choice, content: str, out: list[Event]) -> None:
        if not content:
            return
        if state.reasoning_field:
            self._emit_parts(state, [("text", content)], out)
        else:
            if state.splitter is None:
                state.splitter = ThinkSplitter()
            self._emit_parts(state, state.splitter.feed(content), out)

    def _close_choice(self, state: Choice, out: list[Event]) -> None:
        self._flush_splitter(state, out)
        self._close_thinking(state, out)
        for kind in ("text", "refusal"):
            message_id = state.open_ids.pop(kind, None)
            if message_id is not None:
                out.append(MessageEnd(message_id=message_id, meta=state.meta))
        for call in state.calls:
            if call.ended:
                continue
            if not call.started:  # the name never came
                self._start_call(state, call, out)
            call.ended = True
            out.append(ToolCallEnd(tool_call_id=call.tool_call_id, meta=state.meta))
