"""The messages of an AG-UI thread so far, for the next ``RunAgentInput`` nbagent posts when
it drives the agent (``nbagent.frameworks.ag_ui``): the input's messages, then what the
run's events add, as AG-UI messages (``id``, ``role``, ``content``; an assistant's
``toolCalls``; a tool's ``toolCallId``). ``MESSAGES_SNAPSHOT`` replaces them all. Pure and
linear: text and arguments are kept as pieces and joined once, in ``messages()``; at most
``MAX_MESSAGES`` are kept (the oldest dropped)."""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import list_or_empty, plain, str_or_none
from nbagent.adapters.kit.ids import Ids

__all__ = ["MAX_MESSAGES", "Conversation"]

MAX_MESSAGES = 10_000


class Conversation:
    """Feed each AG-UI event (a dict, as the wire has it); ``messages()`` is the thread."""

    def __init__(self, messages: Any) -> None:
        self._order: list[str] = []
        self._messages: dict[str, dict[str, Any]] = {}
        self._text: dict[str, list[str]] = {}  # a message id -> its content's pieces
        self._args: dict[str, list[str]] = {}  # a tool call id -> its arguments' pieces
        self._calls: dict[str, dict[str, Any]] = {}  # a tool call id -> its entry
        self._last_text: str | None = None
        self._last_call: str | None = None
        self._ids = Ids("thread")  # a message the wire gives no id (the kit's, as every id)
        self._snapshot(messages)

    def _snapshot(self, messages: Any) -> None:
        self._order, self._messages, self._text, self._args, self._calls = [], {}, {}, {}, {}
        for m in list_or_empty(messages):
            m = plain(m)
            if isinstance(m, dict):
                self._add(str_or_none(m.get("id")), m)
                for call in list_or_empty(m.get("toolCalls")):
                    if isinstance(call, dict) and str_or_none(call.get("id")):
                        self._calls[str(call["id"])] = call

    def _add(self, message_id: str | None, message: dict[str, Any]) -> dict[str, Any]:
        if message_id is None:
            message_id = self._ids.new("text")
        if message_id not in self._messages:
            self._order.append(message_id)
            if len(self._order) > MAX_MESSAGES:
                self._messages.pop(self._order.pop(0), None)
        self._messages[message_id] = message
        return message

    def feed(self, ev: Any) -> None:
        """One event of the run (anything else is left out)."""
        if not isinstance(ev, dict):
            return
        kind = ev.get("type")
        if kind == "MESSAGES_SNAPSHOT":
            self._snapshot(ev.get("messages"))
        elif kind in ("TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_CHUNK"):
            self._on_text(ev)
        elif kind in ("TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_CHUNK"):
            self._on_call(ev)
        elif kind == "TOOL_CALL_RESULT":
            call_id = str_or_none(ev.get("toolCallId")) or ""
            message_id = str_or_none(ev.get("messageId")) or self._ids.new("text", call_id)
            content = ev.get("content")
            message = {"id": message_id, "role": "tool", "toolCallId": call_id}
            self._add(message_id, message | {"content": content})

    def _on_text(self, ev: dict[str, Any]) -> None:
        message_id = str_or_none(ev.get("messageId")) or self._last_text
        if message_id is None:
            return
        if message_id not in self._text and ev.get("type") == "TEXT_MESSAGE_CONTENT":
            return  # a message that never started
        self._last_text = message_id
        if message_id not in self._text:
            role = str_or_none(ev.get("role")) or "assistant"
            self._add(message_id, {"id": message_id, "role": role, "content": ""})
            self._text[message_id] = []
        delta = ev.get("delta")
        if isinstance(delta, str):
            self._text[message_id].append(delta)

    def _on_call(self, ev: dict[str, Any]) -> None:
        call_id = str_or_none(ev.get("toolCallId")) or self._last_call
        if call_id is None:
            return
        self._last_call = call_id
        if call_id not in self._calls:
            parent = str_or_none(ev.get("parentMessageId")) or call_id
            message = self._messages.get(parent)
            if message is None or message.get("role") != "assistant":
                message = self._add(parent, {"id": parent, "role": "assistant"})
            name = str_or_none(ev.get("toolCallName")) or ""
            call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}
            message.setdefault("toolCalls", []).append(call)
            self._calls[call_id] = call
            self._args[call_id] = []
        delta = ev.get("delta")
        if isinstance(delta, str) and call_id in self._args:
            self._args[call_id].append(delta)

    def call_name(self, call_id: str) -> str | None:
        """The name of tool call ``call_id`` of the thread (None: no such call)."""
        call = self._calls.get(call_id)
        function = call.get("function") if call else None
        return str_or_none(function.get("name")) if isinstance(function, dict) else None

    def messages(self) -> list[dict[str, Any]]:
        """The thread's messages so far (copies: the caller may change them)."""
        for message_id, pieces in self._text.items():
            if message_id in self._messages and pieces:
                self._messages[message_id]["content"] = "".join(pieces)
                self._text[message_id] = [self._messages[message_id]["content"]]
        for call_id, pieces in self._args.items():
            if pieces:
                self._calls[call_id]["function"]["arguments"] = "".join(pieces)
                self._args[call_id] = [self._calls[call_id]["function"]["arguments"]]
        return [plain(self._messages[i]) for i in self._order if i in self._messages]
