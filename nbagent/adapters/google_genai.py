"""``format="google-genai"``: Gemini ``generateContent`` streaming.

Items are what ``client.models.generate_content_stream(...)`` (and the awaited
``client.aio.models.generate_content_stream(...)``, ``chat.send_message_stream(...)``) yield,
``google.genai.types.GenerateContentResponse`` objects, or the same responses as the REST API
sends them (camelCase dicts, JSON strings or ``ServerSentEvent``s of
``:streamGenerateContent?alt=sse``), as ``nbagent.sse(url)`` gives them.

Mapping: each response's ``candidates[0].content.parts[]``: ``text`` → a text message
(``thought: true`` → a thinking message whose ``thought_signature`` is kept on its end);
``function_call`` → a client tool call (``partial_args`` / ``will_continue`` pieces are
gathered into the one call); ``function_response`` → its result; ``executable_code`` /
``code_execution_result`` and ``tool_call`` / ``tool_response`` → server tool calls and their
results; ``inline_data`` / ``file_data`` → ``Custom``. ``usage_metadata`` (cumulative within
a model call) → the step's ``Usage``; ``candidates[0].finish_reason`` ends the step (and,
when nothing follows, the run); ``prompt_feedback.block_reason`` ends it as
``content_filter``.

Steps: one per model call. Automatic function calling runs several model calls in one
stream: a response after a finished one opens the next step, and the function responses the
SDK adds to ``automatic_function_calling_history`` become the results of the calls (matched
by id, else by name in order: the SDK's responses carry no id).

Ids: the run id is the first ``response_id``; a step is its ``response_id`` (``gemini:<n>``
when absent or repeated); a message is ``f"{step}:<k>"``; a call keeps its ``id``, else
``f"{step}:call<k>"`` with ``synthetic_id=True``.
"""

from __future__ import annotations

import base64
import enum
import json
from typing import Any, ClassVar

from nbagent._events import (
    Custom,
    EndReason,
    ErrorEvent,
    Event,
    MessageEnd,
    MessageStart,
    RunEnd,
    RunStart,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
    Usage,
)
from nbagent.adapters.base import (
    ServerSentEvent,
    field,
    int_or_none,
    list_or_empty,
    plain,
    str_or_none,
    type_is,
    unwrap,
    unwrap_object,
)

__all__ = ["FINISH_REASONS", "GoogleGenaiAdapter", "map_finish_reason"]

_CONTENT_FILTER = (
    "SAFETY",
    "RECITATION",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "IMAGE_SAFETY",
    "IMAGE_PROHIBITED_CONTENT",
    "IMAGE_RECITATION",
    "MODEL_ARMOR",
    "JAILBREAK",
)
_ERRORS = (
    "MALFORMED_FUNCTION_CALL",
    "UNEXPECTED_TOOL_CALL",
    "MISSING_THOUGHT_SIGNATURE",
    "MALFORMED_RESPONSE",
)
FINISH_REASONS: dict[str, EndReason] = {
    "STOP": "completed",
    "MAX_TOKENS": "max_tokens",
    "TOO_MANY_TOOL_CALLS": "max_steps",
    **dict.fromkeys(_CONTENT_FILTER, "content_filter"),
    **dict.fromkeys(_ERRORS, "error"),
}
"""Gemini ``FinishReason`` (and prompt ``BlockedReason``) → ``RunEnd.reason``; anything else
(``OTHER``, ``LANGUAGE``, ``NO_IMAGE``, ...) → ``"unknown"``."""

_NOT_FINISHED = ("", "FINISH_REASON_UNSPECIFIED", "CONTINUATION")
"""Finish reasons that end no model call (the SDK continues a ``CONTINUATION`` itself)."""

_OK_OUTCOMES = ("OUTCOME_OK", "OUTCOME_UNSPECIFIED")


def map_finish_reason(raw: str | None) -> EndReason:
    if raw is None:
        return "unknown"
    return FINISH_REASONS.get(raw.upper(), "unknown")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def get(obj: Any, name: str) -> Any:
    """A field by its SDK (snake_case) name, or by its REST (camelCase) one."""
    value = field(obj, name)
    if value is None and "_" in name:
        value = field(obj, _camel(name))
    return value


def _word(value: Any) -> str | None:
    """An enum field's value (the SDK's str enums, the REST API's strings)."""
    if isinstance(value, enum.Enum):
        value = value.value
    return value if isinstance(value, str) and value else None


def _signature(value: Any) -> str | None:
    """A ``thought_signature`` as text: the SDK's bytes in base64, as the REST API sends it."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii") if value else None
    return str_or_none(value)


def _set_path(args: dict[str, Any], path: str, value: Any, *, append: bool) -> None:
    """Set ``value`` at a JSON path such as ``$.foo.bar[0].data`` (strings of one path that
    arrive in pieces are appended)."""
    keys: list[str | int] = []
    for piece in path.removeprefix("$").replace("[", ".[").split("."):
        if not piece:
            continue
        if piece.startswith("[") and piece.endswith("]") and piece[1:-1].isdigit():
            keys.append(int(piece[1:-1]))
        else:
            keys.append(piece.strip("[]'\""))
    if not keys:
        return
    node: Any = args
    for key, after in zip(keys, keys[1:], strict=False):
        empty: Any = [] if isinstance(after, int) else {}
        if isinstance(key, int) and isinstance(node, list):
            node.extend(None for _ in range(key + 1 - len(node)))
            node[key] = node[key] if node[key] is not None else empty
            node = node[key]
        elif isinstance(key, str) and isinstance(node, dict):
            node = node.setdefault(key, empty)
        else:
            return  # a path that contradicts what came before: keep what we have
    last = keys[-1]
    if isinstance(last, int) and isinstance(node, list):
        node.extend(None for _ in range(last + 1 - len(node)))
        old = node[last]
        node[last] = old + value if append and isinstance(old, str) else value
    elif isinstance(last, str) and isinstance(node, dict):
        old = node.get(last)
        node[last] = old + value if append and isinstance(old, str) and isinstance(value, str) else value


def _partial_value(arg: Any) -> Any:
    for name in ("string_value", "number_value", "bool_value"):
        value = get(arg, name)
        if value is not None:
            return value
    return None


class _StreamedCall:
    """A function call whose arguments arrive as ``partial_args`` over several parts."""

    __slots__ = ("args", "id", "name", "open_paths")

    def __init__(self, call_id: str, name: str) -> None:
        self.id = call_id
        self.name = name
        self.args: dict[str, Any] = {}
        self.open_paths: set[str] = set()  # paths whose string value continues

    def apply(self, partial_args: Any) -> None:
        for arg in list_or_empty(partial_args):
            path = str_or_none(get(arg, "json_path"))
            if path is None:
                continue
            value = _partial_value(arg)
            _set_path(self.args, path, value, append=path in self.open_paths)
            if get(arg, "will_continue") is True:
                self.open_paths.add(path)
            else:
                self.open_paths.discard(path)


class GoogleGenaiAdapter:
    """``GenerateContentResponse`` stream → events (see the module docstring)."""

    name: ClassVar[str] = "google-genai"

    def __init__(self) -> None:
        self._started = False
        self._done = False
        self._base = "gemini"
        self._step: str | None = None  # the open step
        self._last_step: str | None = None
        self._step_ids: set[str] = set()
        self._finish: str | None = None  # the raw finish reason of the last step that ended
        self._counter = 0  # message and call numbers within a step
        self._open: tuple[str, str] | None = None  # (channel, message id) of the open message
        self._thought_signature: str | None = None
        self._pending: list[tuple[str, str]] = []  # (call id, name): calls awaiting a result
        self._code_calls: list[str] = []  # executable_code calls awaiting their result
        self._streamed: _StreamedCall | None = None
        self._history_seen = 0

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    def detect(item: Any) -> bool:
        """A ``GenerateContentResponse``, or its REST dict (``candidates`` of ``content`` /
        ``finishReason``, or a ``usageMetadata`` / ``promptFeedback`` with no candidates)."""
        try:
            if type_is(item, "google.genai", "GenerateContentResponse"):
                return True
            _, payload = unwrap(item) if isinstance(item, (ServerSentEvent, str)) else (None, item)
            if not isinstance(payload, dict):
                return False
            candidates = payload.get("candidates")
            if isinstance(candidates, list) and candidates:
                first = candidates[0]
                return isinstance(first, dict) and (
                    isinstance(first.get("content"), dict) or "finishReason" in first
                )
            return candidates is None and (
                isinstance(payload.get("usageMetadata"), dict)
                or isinstance(payload.get("promptFeedback"), dict)
            )
        except Exception:  # noqa: BLE001 - detect never raises
            return False

    # -- the adapter interface ---------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._done:
            return []
        takes = "GenerateContentResponse objects, dicts, JSON strings or ServerSentEvents"
        _, payload = unwrap_object(item, "google-genai", takes)
        out: list[Event] = []
        error = field(payload, "error") if isinstance(payload, dict) else None
        if isinstance(error, dict):
            return self._error(error, out)
        if not self._started:
            self._start(payload, out)
        self._history(get(payload, "automatic_function_calling_history"), out)
        candidates = list_or_empty(get(payload, "candidates"))
        candidate = candidates[0] if candidates else None
        parts = list_or_empty(get(get(candidate, "content"), "parts"))
        finish = _word(get(candidate, "finish_reason"))
        if finish in _NOT_FINISHED:
            finish = None
        blocked = _word(get(get(payload, "prompt_feedback"), "block_reason"))
        if self._step is None and (parts or finish or blocked):
            self._open_step(payload, out)
        for part in parts:
            self._part(part, out)
        usage = get(payload, "usage_metadata")
        if usage is not None:
            out.append(self._usage(usage, get(payload, "model_version")))
        if finish or blocked:
            self._close_step(finish or blocked, out)
        return out

    def end(self) -> list[Event]:
        if self._done:
            return []
        self._done = True
        out: list[Event] = []
        if not self._started:
            message = "the stream ended before any response arrived"
            return [RunEnd(reason="incomplete", message=message)]
        if self._step is not None:
            self._close_step(None, out)
            out.append(
                RunEnd(reason="incomplete", message="the stream ended without a finish reason")
            )
            return out
        raw = self._finish
        reason = map_finish_reason(raw)
        if reason == "completed" and self._pending:
            reason = "tool_calls"  # the model asked for calls nobody answered in this stream
        out.append(RunEnd(reason=reason, raw_reason=raw))
        return out

    # -- steps ----------------------------------------------------------------------------

    def _start(self, payload: Any, out: list[Event]) -> None:
        self._started = True
        response_id = str_or_none(get(payload, "response_id"))
        if response_id is not None:
            self._base = response_id
        out.append(
            RunStart(
                run_id=response_id or "",
                model=str_or_none(get(payload, "model_version")),
                provider="google",
            )
        )

    def _open_step(self, payload: Any, out: list[Event]) -> None:
        step_id = str_or_none(get(payload, "response_id"))
        if step_id is None or step_id in self._step_ids:
            step_id = f"gemini:{len(self._step_ids) + 1}"
        self._step_ids.add(step_id)
        self._step = self._last_step = step_id
        self._counter = 0
        self._finish = None
        self._pending.clear()
        self._code_calls.clear()
        out.append(StepStart(step_id=step_id, name="model", step_type="model"))

    def _close_step(self, raw: str | None, out: list[Event]) -> None:
        self._close_message(out)
        self._end_streamed(None, out)
        if self._step is None:
            return
        reason = map_finish_reason(raw) if raw else None
        out.append(
            StepEnd(step_id=self._step, name="model", finish_reason=reason, raw_finish_reason=raw)
        )
        self._finish = raw
        self._step = None

    def _next_id(self, kind: str = "") -> str:
        self._counter += 1
        return f"{self._step or self._last_step or self._base}:{kind}{self._counter}"

    def _usage(self, usage: Any, model: Any) -> Usage:
        """Gemini counts thoughts apart from the candidates: output is both, as elsewhere."""
        candidates = int_or_none(get(usage, "candidates_token_count"))
        thoughts = int_or_none(get(usage, "thoughts_token_count"))
        output = None if candidates is None and thoughts is None else (candidates or 0) + (thoughts or 0)
        return Usage(
            input_tokens=int_or_none(get(usage, "prompt_token_count")),
            output_tokens=output,
            total_tokens=int_or_none(get(usage, "total_token_count")),
            reasoning_tokens=thoughts,
            cached_input_tokens=int_or_none(get(usage, "cached_content_token_count")),
            cumulative=True,
            scope="step",
            step_id=self._step or self._last_step,
            model=str_or_none(model),
            provider="google",
        )

    def _error(self, error: dict[str, Any], out: list[Event]) -> list[Event]:
        self._done = True
        if self._step is not None:
            self._close_message(out)
            out.append(StepEnd(step_id=self._step, name="model", finish_reason="error"))
            self._step = None
        message = str_or_none(error.get("message")) or "the server sent an error"
        status = str_or_none(error.get("status"))
        code = error.get("code")
        out.append(
            ErrorEvent(
                message=message,
                code=code if isinstance(code, (int, str)) and not isinstance(code, bool) else None,
                error_type=status,
                details=plain(error),
            )
        )
        out.append(RunEnd(reason="error", raw_reason=status, message=message))
        return out

    # -- parts ------------------------------------------------------------------------------

    def _part(self, part: Any, out: list[Event]) -> None:
        text = get(part, "text")
        thought = get(part, "thought") is True
        if isinstance(text, str) and text:
            self._text("thinking" if thought else "text", text, out)
        if thought:
            signature = _signature(get(part, "thought_signature"))
            if signature is not None:
                self._thought_signature = signature
        call = get(part, "function_call")
        if call is not None:
            self._function_call(call, out)
        response = get(part, "function_response")
        if response is not None:
            self._close_message(out)
            self._function_response(response, out)
        code = get(part, "executable_code")
        if code is not None:
            self._server_call(code, "code_execution", out)
        result = get(part, "code_execution_result")
        if result is not None:
            self._code_result(result, out)
        tool_call = get(part, "tool_call")
        if tool_call is not None:
            name = _word(get(tool_call, "tool_type")) or "tool"
            self._server_call(tool_call, name.lower(), out)
        tool_response = get(part, "tool_response")
        if tool_response is not None:
            self._close_message(out)
            call_id = str_or_none(get(tool_response, "id")) or self._next_id("result")
            out.append(
                ToolResult(
                    tool_call_id=call_id, content=plain(get(tool_response, "response"))
                )
            )
        for kind in ("inline_data", "file_data"):
            data = get(part, kind)
            if data is not None:
                self._close_message(out)
                value = {
                    key: plain(get(data, key))
                    for key in ("mime_type", "display_name", "file_uri")
                    if get(data, key) is not None
                }
                out.append(Custom(name=kind, value=value))

    def _text(self, channel: str, text: str, out: list[Event]) -> None:
        if self._open is None or self._open[0] != channel:
            self._close_message(out)
            message_id = self._next_id()
            self._open = (channel, message_id)
            if channel == "thinking":
                out.append(MessageStart(message_id=message_id, channel="thinking"))
            else:
                out.append(MessageStart(message_id=message_id, channel="text", role="assistant"))
        message_id = self._open[1]
        if channel == "thinking":
            out.append(ThinkingDelta(message_id=message_id, delta=text))
        else:
            out.append(TextDelta(message_id=message_id, delta=text))

    def _close_message(self, out: list[Event]) -> None:
        if self._open is None:
            return
        channel, message_id = self._open
        self._open = None
        if channel == "thinking":
            signature, self._thought_signature = self._thought_signature, None
            out.append(MessageEnd(message_id=message_id, channel="thinking", signature=signature))
        else:
            out.append(MessageEnd(message_id=message_id, channel="text"))

    # -- calls and results -------------------------------------------------------------------

    def _function_call(self, call: Any, out: list[Event]) -> None:
        name = str_or_none(get(call, "name"))
        more = get(call, "will_continue") is True
        streamed = self._streamed
        if streamed is not None and (name is None or name == streamed.name):
            streamed.apply(get(call, "partial_args"))
            if not more:
                self._end_streamed(get(call, "args"), out)
            return
        self._close_message(out)
        self._end_streamed(None, out)
        wire_id = str_or_none(get(call, "id"))
        call_id = wire_id or self._next_id("call")
        out.append(
            ToolCallStart(
                tool_call_id=call_id,
                name=name or "",
                executor="client",
                synthetic_id=wire_id is None,
            )
        )
        self._pending.append((call_id, name or ""))
        self._streamed = _StreamedCall(call_id, name or "")
        self._streamed.apply(get(call, "partial_args"))
        if not more:
            self._end_streamed(get(call, "args"), out)

    def _end_streamed(self, args: Any, out: list[Event]) -> None:
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
        call_id = self._match(wire_id, name)
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

    def _match(self, wire_id: str | None, name: str | None) -> str | None:
        """The pending call a function response answers: by id, else the first of its name."""
        for i, (call_id, call_name) in enumerate(self._pending):
            if (wire_id is not None and call_id == wire_id) or (
                wire_id is None and name is not None and call_name == name
            ):
                del self._pending[i]
                return call_id
        return wire_id

    def _history(self, history: Any, out: list[Event]) -> None:
        """Function responses the SDK ran between two model calls (automatic function calling):
        the contents after the last model turn among those new since the last response."""
        contents = list_or_empty(history)
        if len(contents) <= self._history_seen:
            return
        new = contents[self._history_seen :]
        self._history_seen = len(contents)
        models = [i for i, content in enumerate(new) if get(content, "role") == "model"]
        if not models:
            return
        for content in new[models[-1] + 1 :]:
            for part in list_or_empty(get(content, "parts")):
                response = get(part, "function_response")
                if response is not None:
                    self._function_response(response, out)

    def _server_call(self, call: Any, name: str, out: list[Event]) -> None:
        self._close_message(out)
        wire_id = str_or_none(get(call, "id"))
        call_id = wire_id or self._next_id("call")
        args = plain(get(call, "args"))
        if args is None:  # executable_code: its code and language are the arguments
            args = {
                key: _word(get(call, key)) or plain(get(call, key))
                for key in ("code", "language")
                if get(call, key) is not None
            }
        out.append(
            ToolCallStart(
                tool_call_id=call_id, name=name, executor="server", synthetic_id=wire_id is None
            )
        )
        out.append(
            ToolCallEnd(
                tool_call_id=call_id, arguments=json.dumps(args, ensure_ascii=False), args=args
            )
        )
        if name == "code_execution":
            self._code_calls.append(call_id)

    def _code_result(self, result: Any, out: list[Event]) -> None:
        self._close_message(out)
        wire_id = str_or_none(get(result, "id"))
        if wire_id is not None and wire_id in self._code_calls:
            self._code_calls.remove(wire_id)
            call_id = wire_id
        elif wire_id is None and self._code_calls:
            call_id = self._code_calls.pop(0)
        else:
            call_id = wire_id or self._next_id("result")
        outcome = _word(get(result, "outcome"))
        out.append(
            ToolResult(
                tool_call_id=call_id,
                content=plain(get(result, "output")),
                name="code_execution",
                is_error=outcome is not None and outcome not in _OK_OUTCOMES,
                meta={"outcome": outcome} if outcome else None,
            )
        )

