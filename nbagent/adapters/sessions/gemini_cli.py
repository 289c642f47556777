"""``GeminiCliAdapter``: Gemini CLI's chat session files (``~/.gemini/tmp/<project>/chats/
session-*.jsonl``, a sub-agent's ``chats/<session id>/<sub-agent session id>.jsonl``; earlier
versions: one ``session-*.json`` document) → events.

A JSON Lines file opens with its metadata (``sessionId``, ``projectHash``, ``startTime``,
``kind``: ``main`` or ``subagent``); then each message is written as it comes and written again,
whole, each time it changes (the same ``id``: a ``gemini`` message gets its ``toolCalls`` once
they ran): each time, only what is new in it becomes events. ``{"$set": {...}}`` updates the
metadata (a ``messages`` list in it is a checkpoint of the messages, read the same way);
``{"$rewindTo": id}`` (the user took back the messages from ``id`` on) is a note. A document
(the older shape) is the metadata with its ``messages`` list.

A ``user`` message is the user's prompt (``displayContent``, what the user typed, when it has
one; the CLI's own ``<session_context>`` is skipped), its ``functionResponse`` parts the results
sent back. A ``gemini`` message is a model step (its ``id`` the step's): its ``thoughts``
(``subject`` and ``description``, each at its time) as thinking, its ``content`` as text, its
``tokens`` as the step's usage (the output counts the thoughts too), its ``toolCalls`` (the CLI
runs them; their ``id`` kept) with their ``args``, and their ``result`` at the time the call
records (``status`` ``error`` or ``cancelled``, or an ``error`` response: failed). The step
starts when its request was sent (the prompt, the results before it) and ends at the message.
``info`` and ``warning`` messages are notes, ``error`` ones warnings. An ``invoke_agent``
call's ``agentId`` names the sub-agent it ran (``nbagent.sources.sessions`` nests it there).

The run ends ``completed`` when the session's last message is a ``gemini`` one whose calls
all have results, ``incomplete`` otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, ClassVar

from nbagent.adapters.base import field, int_or_none, list_or_empty, plain, str_or_none
from nbagent.adapters.kit import call_events, whole_message
from nbagent.adapters.sessions.base import Scope, SessionAdapter
from nbagent.adapters.sessions.record import SessionRecord, iso_seconds
from nbagent.core.events import Custom, EndReason, ErrorEvent, Event, ToolResult, Usage

__all__ = ["GeminiCliAdapter", "detect_gemini_cli"]

_CONTEXT = ("<session_context>", "<hook_context>")
"""What the CLI itself puts in a user message (it skips them too when it resumes a chat)."""
_FAILED = frozenset(("error", "cancelled"))


def detect_gemini_cli(first: Sequence[Any]) -> bool:
    """True when the first record is a Gemini CLI chat's metadata (``sessionId`` and
    ``projectHash``: the first line of a JSON Lines chat, or the whole older document)."""
    for data in first[:1]:
        return isinstance(data, Mapping) and all(
            isinstance(data.get(k), str) for k in ("sessionId", "projectHash")
        )
    return False


@dataclass(slots=True)
class _Seen:
    """What of a message became events already."""

    opened: bool = False
    thoughts: int = 0
    text: str = ""
    calls: set[str] = dataclass_field(default_factory=set)
    tokens: Any = None


class GeminiCliAdapter(SessionAdapter):
    """Gemini CLI chat records → events (the module docstring)."""

    name: ClassVar[str] = "gemini-cli"
    provider: ClassVar[str | None] = "google"

    def __init__(self) -> None:
        super().__init__()
        self._seen: dict[str, _Seen] = {}
        self._answered: set[str] = set()  # calls with a result
        self._last = "none"  # the top level's latest message: user, done, calling

    def time_of(self, data: Any) -> float | None:
        if not isinstance(data, Mapping):
            return None
        when = iso_seconds(data.get("timestamp")) or iso_seconds(data.get("startTime"))
        return when or iso_seconds(field(data.get("$set"), "lastUpdated"))

    def read(self, record: SessionRecord, scope: Scope, ts: float, out: list[Event]) -> None:
        data = record.data
        if not isinstance(data, Mapping):
            self.unknown(record, scope, out, name=type(data).__name__)
        elif isinstance(data.get("$rewindTo"), str):
            said = f"the messages from {data['$rewindTo']} on were taken back"
            self.note(out, scope, "notice", "Rewound", said)
        elif isinstance(data.get("$set"), Mapping):
            for message in list_or_empty(data["$set"].get("messages")):
                self._message(record, message, scope, out)
        elif isinstance(data.get("sessionId"), str) and "projectHash" in data:
            if scope.key is None and self.session is None:
                self.session = data["sessionId"]
            for message in list_or_empty(data.get("messages")):  # the older document
                self._message(record, message, scope, out)
        elif isinstance(data.get("id"), str) and isinstance(data.get("type"), str):
            self._message(record, data, scope, out)
        else:
            self.unknown(record, scope, out, name=str(data.get("type") or "record"))

    def end_reason(self) -> tuple[EndReason, str | None]:
        if self._last == "done":
            return "completed", None
        return "incomplete", "the chat ends before the agent's answer"

    # -- messages -------------------------------------------------------------------------------

    def _message(self, record: SessionRecord, message: Any, scope: Scope, out: list[Event]) -> None:
        message_id = str_or_none(field(message, "id"))
        kind = field(message, "type")
        if message_id is None or not isinstance(message, Mapping):
            return
        ts = iso_seconds(message.get("timestamp")) or self._ts
        seen = self._seen.get(message_id)
        first = seen is None
        if seen is None:
            seen = self._seen[message_id] = _Seen()
        if kind == "gemini":
            self._gemini(message, message_id, seen, scope, ts, out)
        elif kind == "user":
            if first:
                self._user(message, message_id, scope, ts, out)
        elif first and kind == "error":
            text = _text(message.get("content")) or "error"
            out.append(ErrorEvent(message=text, error_type="gemini-cli", recoverable=True, ts=ts))
        elif first and kind in ("info", "warning"):
            level = "warning" if kind == "warning" else "info"
            self.note(out, scope, "notice", str(kind).title(), _text(message.get("content")), level)
        elif first and kind not in ("error", "info", "warning"):
            self.unknown(record, scope, out, name=str(kind))

    def _user(
        self, message: Mapping[str, Any], key: str, scope: Scope, ts: float, out: list[Event]
    ) -> None:
        self.sent(scope, ts, out)
        if scope.key is None:
            self._last = "user"
        content = message.get("content")
        text = _text(message.get("displayContent") or content)
        if text and not text.lstrip().startswith(_CONTEXT):
            meta = {"message_id": key}
            out.append(Custom(name="user_message", value=text, parent=scope.key, meta=meta, ts=ts))
        for part in list_or_empty(content):
            response = field(part, "functionResponse")
            call = str_or_none(field(response, "id"))
            if call is not None and call not in self._answered:
                body, failed = _response(field(response, "response"))
                self._result(call, body, failed, scope, ts, out)

    def _gemini(
        self,
        message: Mapping[str, Any],
        key: str,
        seen: _Seen,
        scope: Scope,
        ts: float,
        out: list[Event],
    ) -> None:
        if not seen.opened:
            seen.opened = True
            self.open_step(scope, key, out)
        scope.output_at = ts
        model = str_or_none(message.get("model"))
        self.model = self.model or model
        thoughts = list_or_empty(message.get("thoughts"))
        for thought in thoughts[seen.thoughts :]:
            subject, said = str_or_none(field(thought, "subject")), field(thought, "description")
            text = f"**{subject}**\n\n{said or ''}".strip() if subject else str(said or "")
            when = iso_seconds(field(thought, "timestamp")) or ts
            whole_message(
                out, "thinking", self.ids.new("think", key), text, parent=scope.key, ts=when
            )
        seen.thoughts = max(seen.thoughts, len(thoughts))
        text = _text(message.get("content"))
        if text and text != seen.text:
            new = text[len(seen.text) :] if text.startswith(seen.text) else text
            block = self.ids.new("text", key)
            whole_message(out, "text", block, new, {"role": "assistant"}, parent=scope.key, ts=ts)
            seen.text = text
        tokens = message.get("tokens")
        if isinstance(tokens, Mapping) and tokens != seen.tokens:
            seen.tokens = tokens
            out.append(_usage(tokens, key, model, scope.key, ts))
        calls = [c for c in list_or_empty(message.get("toolCalls")) if str_or_none(field(c, "id"))]
        if calls and scope.step == key:
            scope.called = True
            self.close_step(scope, out)  # its calls run after it
        for call in calls:
            self._call(call, seen, scope, ts, out)
        if scope.key is None:
            pending = any(str(field(c, "id")) not in self._answered for c in calls)
            self._last = "calling" if pending else "done"

    def _call(self, call: Any, seen: _Seen, scope: Scope, ts: float, out: list[Event]) -> None:
        call_id = str(field(call, "id"))
        if call_id not in seen.calls:
            seen.calls.add(call_id)
            args = plain(field(call, "args"))
            text = json.dumps(args, ensure_ascii=False)
            name = str_or_none(field(call, "name")) or ""
            out.extend(
                call_events(call_id, name, text, args, executor="agent", parent=scope.key, ts=ts)
            )
        status = str_or_none(field(call, "status"))
        result = field(call, "result")
        if call_id in self._answered or (result is None and status not in _FAILED):
            return
        body, failed = _response(result)
        if body is None:
            body = plain(field(call, "resultDisplay"))
        when = iso_seconds(field(call, "timestamp")) or ts
        self._result(call_id, body, failed or status in _FAILED, scope, when, out)

    def _result(
        self, call: str, body: Any, failed: bool, scope: Scope, ts: float, out: list[Event]
    ) -> None:
        self._answered.add(call)
        out.append(
            ToolResult(tool_call_id=call, content=body, is_error=failed, parent=scope.key, ts=ts)
        )


def _text(content: Any) -> str:
    """A message's text: a string, or its parts' ``text``."""
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        content = [content]
    return "".join(
        str(field(p, "text")) for p in list_or_empty(content) if isinstance(field(p, "text"), str)
    )


def _response(result: Any) -> tuple[Any, bool]:
    """A call's result parts (or one ``functionResponse.response``): what the model read, and
    whether it is an error."""
    responses = [field(field(p, "functionResponse"), "response") for p in list_or_empty(result)]
    responses = [r for r in responses if r is not None]
    body = (
        responses[0] if len(responses) == 1 else (result if isinstance(result, Mapping) else None)
    )
    if isinstance(body, Mapping):
        if "error" in body:
            return plain(body["error"]), True
        if set(body) == {"output"}:
            return plain(body["output"]), False
        return plain(body), False
    if body is None and result is not None:
        text = _text(result)
        return (text or plain(result)), False
    return body, False


def _usage(
    tokens: Mapping[str, Any], step: str, model: str | None, parent: str | None, ts: float
) -> Usage:
    thoughts = int_or_none(tokens.get("thoughts"))
    output = int_or_none(tokens.get("output"))
    if output is not None and thoughts:
        output += thoughts
    return Usage(
        input_tokens=int_or_none(tokens.get("input")),
        output_tokens=output,
        total_tokens=int_or_none(tokens.get("total")),
        reasoning_tokens=thoughts,
        cached_input_tokens=int_or_none(tokens.get("cached")),
        step_id=step,
        model=model,
        provider="google",
        parent=parent,
        ts=ts,
    )
