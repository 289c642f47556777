"""Parts: ``Parts``, the part of ``GoogleGenaiAdapter`` that turns each ``Part`` into
messages (text, thoughts), client and server tool calls and their results, pictures and sounds
(``inline_data``, ``file_data``: ``Media``), and reads the function responses of automatic
function calling from the SDK's history. It owns its state (the open message, the calls
awaiting results, the contents fed, the sound streaming in); the adapter tells it where a step
starts (``new_step``) and the run's id (``ids.scope``).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from nbagent.adapters.base import list_or_empty, plain, str_or_none
from nbagent.adapters.google_genai.maps import (
    OK_OUTCOMES,
    StreamedCall,
    get,
    signature_text,
    word,
)
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.media import Sounds, media_event
from nbagent.adapters.kit.messages import Channel
from nbagent.adapters.kit.parts import PartKind
from nbagent.adapters.kit.parts import Parts as Content
from nbagent.adapters.kit.whole import call_events
from nbagent.core.events import Event, ToolCallEnd, ToolCallStart, ToolResult

__all__ = ["Parts"]

_STARTS: dict[PartKind, dict[str, Any]] = {"text": {"role": "assistant"}, "thinking": {}}


class Parts:
    """``GoogleGenaiAdapter``'s parts of the responses (see the module docstring)."""

    def __init__(self) -> None:
        self.ids = Ids()  # invented ids, in the last step's scope, else the run's
        # one message open at a time
        self._messages = Content(self.ids, starts=_STARTS)
        self._thought_signature: str | None = None
        self.pending: list[tuple[str, str]] = []  # (call id, name): calls awaiting a result
        self._code_calls: list[tuple[str, str]] = []  # executable_code calls, likewise
        self._streamed: StreamedCall | None = None
        # the content objects of the responses fed by id, kept alive so that their ids stay theirs
        self._fed: dict[int, Any] = {}
        self._answered: set[int] = set()
        self.sounds = Sounds()  # audio parts in a row: one sound, said at their end
        self._draft: str | None = None  # the id of the thought images the next image replaces

    def new_step(self, step_id: str) -> None:
        self.ids.scope = step_id
        self.pending.clear()
        self._code_calls.clear()

    def fed(self, content: Any) -> None:
        """A response's content object, kept so that ``history`` knows the ones after it."""
        self._fed[id(content)] = content

    def part(self, part: Any, out: list[Event]) -> None:
        text = get(part, "text")
        thought = get(part, "thought") is True
        if isinstance(text, str) and text:
            self._text("thinking" if thought else "text", text, out)
        if thought:
            signature = signature_text(get(part, "thought_signature"))
            if signature is not None:
                self._thought_signature = signature
        call = get(part, "function_call")
        if call is not None:
            self._function_call(call, out)
        response = get(part, "function_response")
        if response is not None:
            self.close_message(out)
            self._function_response(response, out)
        code = get(part, "executable_code")
        if code is not None:
            self._server_call(code, "code_execution", out)
        result = get(part, "code_execution_result")
        if result is not None:
            self._code_result(result, out)
        tool_call = get(part, "tool_call")
        if tool_call is not None:
            name = word(get(tool_call, "tool_type")) or "tool"
            self._server_call(tool_call, name.lower(), out)
        tool_response = get(part, "tool_response")
        if tool_response is not None:
            self.close_message(out)
            call_id = str_or_none(get(tool_response, "id")) or self.ids.new("call")
            out.append(
                ToolResult(tool_call_id=call_id, content=plain(get(tool_response, "response")))
            )
        for kind in ("inline_data", "file_data"):
            blob = get(part, kind)
            if blob is not None:
                self._media(blob, kind == "file_data", thought, out)

    def _media(self, blob: Any, file: bool, thought: bool, out: list[Event]) -> None:
        """An image (a ``thought`` one: a draft the next image replaces, Gemini 3's thinking
        images), a file the model made, or a piece of its audio (pieces in a row: one sound)."""
        mime = str_or_none(get(blob, "mime_type")) or ""
        if not file and mime.lower().startswith("audio/"):
            self._close_texts(out)
            media_id = "" if "audio" in self.sounds else self.ids.new("media")
            self.sounds.add("audio", media_id, mime, get(blob, "data"))
            return
        self.close_message(out)
        media_id = self._draft or self.ids.new("media")
        self._draft = media_id if thought else None
        data = None if file else get(blob, "data")
        url = get(blob, "file_uri") if file else None
        out.append(media_event(media_id, mime, data, url=url, partial=thought))

    def _text(self, channel: Channel, text: str, out: list[Event]) -> None:
        if self._messages.get(channel) is None:
            self.close_message(out)
        self._messages.put(channel, channel, text, out)

    def close_message(self, out: list[Event]) -> None:
        """The open message closed, and the sound whose pieces came last said."""
        self._close_texts(out)
        out.extend(self.sounds.end_all())

    def _close_texts(self, out: list[Event]) -> None:
        self._messages.close("text", out)
        if self._messages.get("thinking") is not None:
            signature, self._thought_signature = self._thought_signature, None
            self._messages.close("thinking", out, signature=signature)

    # -- calls and results -------------------------------------------------------------------

    def _function_call(self, call: Any, out: list[Event]) -> None:
        name = str_or_none(get(call, "name"))
        streamed = self._streamed
        if streamed is None or (name is not None and name != streamed.name):
            self.close_message(out)
            self.end_streamed(None, out)
            wire_id = str_or_none(get(call, "id"))
            streamed = StreamedCall(wire_id or self.ids.new("call"), name or "")
            self._streamed = streamed
            out.append(
                ToolCallStart(
                    tool_call_id=streamed.id,
                    name=streamed.name,
                    executor="client",
                    synthetic_id=wire_id is None,
                )
            )
            self.pending.append((streamed.id, streamed.name))
        streamed.apply(get(call, "partial_args"))
        if get(call, "will_continue") is not True:
            self.end_streamed(get(call, "args"), out)

    def end_streamed(self, args: Any, out: list[Event]) -> None:
        streamed, self._streamed = self._streamed, None
        if streamed is None:
            return
        value = plain(args) if isinstance(args, dict) else streamed.args
        out.append(
            ToolCallEnd(
                tool_call_id=streamed.id,
                arguments=json.dumps(value, ensure_ascii=False),
                args=value,
            )
        )

    def _function_response(self, response: Any, out: list[Event]) -> None:
        wire_id = str_or_none(get(response, "id"))
        name = str_or_none(get(response, "name"))
        call_id = _match(self.pending, wire_id, name)
        if call_id is None:
            return  # no call of ours: a response the user sent in the request's history
        value = plain(get(response, "response"))
        is_error = isinstance(value, dict) and set(value) == {"error"}
        if isinstance(value, dict) and len(value) == 1:
            # the SDK wraps a function's return value as {"result": ...} ({"error": ...})
            (key,) = value
            if key in ("result", "output", "error"):
                value = value[key]
        out.append(ToolResult(tool_call_id=call_id, content=value, name=name, is_error=is_error))

    def history(self, history: Any, out: list[Event]) -> None:
        """Function responses the SDK ran between two model calls (automatic function calling).

        The SDK keeps one history list for the whole stream and grows it after each model call
        (a list collected before reading holds its final state already), appending the very
        content objects of the responses it yielded, then one user content of function
        responses: the one right after contents this adapter was fed answers them.
        """
        contents = list_or_empty(history)
        for before, content in itertools.pairwise(contents):
            if id(before) not in self._fed or id(content) in self._fed:
                continue
            if id(content) in self._answered:
                continue
            self._answered.add(id(content))
            for part in list_or_empty(get(content, "parts")):
                response = get(part, "function_response")
                if response is not None:
                    self._function_response(response, out)

    def _server_call(self, call: Any, name: str, out: list[Event]) -> None:
        self.close_message(out)
        wire_id = str_or_none(get(call, "id"))
        call_id = wire_id or self.ids.new("call")
        args = plain(get(call, "args"))
        if args is None:  # executable_code: its code and language are the arguments
            args = {
                key: word(get(call, key)) or plain(get(call, key))
                for key in ("code", "language")
                if get(call, key) is not None
            }
        arguments = json.dumps(args, ensure_ascii=False)
        synthetic = wire_id is None
        out.extend(
            call_events(call_id, name, arguments, args, executor="server", synthetic=synthetic)
        )
        if name == "code_execution":
            self._code_calls.append((call_id, name))

    def _code_result(self, result: Any, out: list[Event]) -> None:
        self.close_message(out)
        wire_id = str_or_none(get(result, "id"))
        call_id = _match(self._code_calls, wire_id, "code_execution") or self.ids.new("call")
        outcome = word(get(result, "outcome"))
        out.append(
            ToolResult(
                tool_call_id=call_id,
                content=plain(get(result, "output")),
                name="code_execution",
                is_error=outcome is not None and outcome not in OK_OUTCOMES,
                meta={"outcome": outcome} if outcome else None,
            )
        )


def _match(pending: list[tuple[str, str]], wire_id: str | None, name: str | None) -> str | None:
    """The pending call (id, name) a result answers, taken off the list: by id, else the
    first of its name; else the result's own id."""
    for i, (call_id, call_name) in enumerate(pending):
        if (wire_id is not None and call_id == wire_id) or (
            wire_id is None and name is not None and call_name == name
        ):
            del pending[i]
            return call_id
    return wire_id
