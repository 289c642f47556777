"""Choices: ``ChoicesMixin`` (on ``ToolCallsMixin``) turns one choice's delta into thinking,
text, refusal and tool-call events (reasoning fields or ``<think>`` splitting) and closes a
choice's open messages and calls. The adapter's ``__init__`` owns the state (``_choices``,
``_refusal``).
"""

from __future__ import annotations

from typing import Any

from nbagent._events import Event, MessageEnd, TextDelta, ThinkingDelta, ToolCallEnd
from nbagent.adapters.base import field, list_or_empty
from nbagent.adapters.openai_chat.maps import text_of
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
        thinking = text_of(field(delta, "reasoning_content")) or text_of(field(delta, "reasoning"))
        if thinking:
            if not state.reasoning_field:
                state.reasoning_field = True
                self._flush_splitter(state, out)
            message_id = self._message_id(state, "think")
            out.append(ThinkingDelta(message_id=message_id, delta=thinking, meta=meta))
        content = text_of(field(delta, "content"))
        if content:
            if state.reasoning_field:
                self._emit_parts(state, [("text", content)], out)
            else:
                if state.splitter is None:
                    state.splitter = ThinkSplitter()
                self._emit_parts(state, state.splitter.feed(content), out)
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
