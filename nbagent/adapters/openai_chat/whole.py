"""A Chat Completions message seen whole, as ``watch()``'s hooks see a call's response (the
``openai`` client's, LiteLLM's): the parts both compose, and the tool results a later request
sends back (``ToolAnswers``).
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, list_or_empty, plain, str_or_none
from nbagent.adapters.kit import Ids, args_text
from nbagent.adapters.openai_chat.maps import text_of
from nbagent.core.events import (
    Event,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)

__all__ = ["ToolAnswers", "whole_tool_calls"]


class ToolAnswers:
    """The calls the model asked for (id → name) until a later request sends their result,
    shown once (a loop sends the whole history each time); a result for a call not seen is
    dropped, or with ``keep_early`` kept (that many at most) for a call reported later."""

    def __init__(self, keep_early: int = 0) -> None:
        self.asked: dict[str, str] = {}
        self._early: dict[str, Any] = {}
        self._keep_early = keep_early

    def ask(self, call_id: str, name: str, out: list[Event]) -> None:
        """A call the model asked for: its result now if it came early, else awaited."""
        if call_id in self._early:
            content = self._early.pop(call_id)
            out.append(ToolResult(tool_call_id=call_id, name=name or None, content=content))
        else:
            self.asked[call_id] = name

    def answer(self, call_id: Any, content: Any, out: list[Event]) -> None:
        """A result sent back for ``call_id`` (its content as text when it is parts of text)."""
        if not isinstance(call_id, str):
            return
        if not isinstance(content, str):
            content = text_of(content) or plain(content)
        name = self.asked.pop(call_id, None)
        if name is not None:
            out.append(ToolResult(tool_call_id=call_id, content=content, name=name or None))
        elif len(self._early) < self._keep_early:
            self._early.setdefault(call_id, content)

    def messages(self, messages: Any, out: list[Event]) -> None:
        """The results among a request's messages (``role="tool"``, by ``tool_call_id``)."""
        for message in list_or_empty(messages):
            if field(message, "role") == "tool":
                self.answer(
                    str_or_none(field(message, "tool_call_id")), field(message, "content"), out
                )


def whole_tool_calls(
    message: Any,
    out: list[Event],
    answers: ToolAnswers,
    ids: Ids,
    scope: str,
    ts: float = 0.0,
    *,
    custom: bool = True,
) -> None:
    """The message's tool calls, each a start and an end with its whole argument text, noted
    in ``answers``; ``ids`` names one with none (``{scope}:call{n}``). A call is a ``function`` or,
    with ``custom``, a ``custom`` one (the OpenAI client's; LiteLLM's hook reads functions).
    The legacy ``function_call`` is read only for a message with no ``tool_calls``: servers that
    send both repeat the call in it."""
    calls = list_or_empty(field(message, "tool_calls"))
    legacy = field(message, "function_call")
    if not calls and legacy:
        calls = [{"function": legacy}]
    for i, call in enumerate(calls):
        wire_id = str_or_none(field(call, "id"))
        function = field(call, "function")
        spec = function if function is not None or not custom else field(call, "custom")
        name = str_or_none(field(spec, "name")) or ""
        arguments = args_text(field(spec, "arguments" if function is not None else "input"))
        call_id = wire_id or ids.new("call", scope)
        out.append(
            ToolCallStart(
                tool_call_id=call_id, name=name, index=i, synthetic_id=wire_id is None, ts=ts
            )
        )
        out.append(ToolCallEnd(tool_call_id=call_id, arguments=arguments, ts=ts))
        answers.ask(call_id, name, out)
