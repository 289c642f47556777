"""``format="openai-chat"``: OpenAI Chat Completions streaming and compatible servers.

Items are ``ChatCompletionChunk`` SDK objects, plain dicts (decoded JSON), JSON strings of
one chunk (an SSE ``data:`` prefix is allowed), or ``"[DONE]"``. Mapping: design
``protocols.md`` §12.1; tricky cases: §13.

Ids: a message is ``f"{base}:{choice}"`` (thinking ``…:think``, a refusal ``…:refusal``;
a second message of a kind in one choice, e.g. thinking resumed after text, gets ``#2``),
where ``base`` is the first non-empty chunk id (``"chat"`` when the server sends none).
The step id is ``base``. A tool call without an id gets ``call_{choice}_{index}`` and
``synthetic_id=True``. Events of choices other than 0 carry ``meta={"choice_index": i}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from nbagent._events import (
    Custom,
    EndReason,
    ErrorEvent,
    Event,
    MessageEnd,
    RunEnd,
    RunStart,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    Usage,
)
from nbagent._values import strict_json
from nbagent.adapters.base import (
    BadItemError,
    ServerSentEvent,
    field,
    int_or_none,
    list_or_empty,
    plain,
    short_repr,
    unwrap,
)
from nbagent.adapters.think import Part, ThinkSplitter

__all__ = ["FINISH_REASONS", "OpenAIChatAdapter", "map_finish_reason"]

FINISH_REASONS: dict[str, EndReason] = {
    "stop": "completed",
    "length": "max_tokens",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
    "insufficient_system_resource": "error",
}
"""Chat ``finish_reason`` → ``RunEnd.reason`` (anything else → ``"unknown"``)."""

CHUNK_OBJECT = "chat.completion.chunk"
_DONE = object()


def map_finish_reason(raw: str | None) -> EndReason:
    if raw is None:
        return "incomplete"
    return FINISH_REASONS.get(raw, "unknown")


class _Call:
    """One tool call of one choice, keyed by (choice, index)."""

    __slots__ = (
        "buffer",
        "ended",
        "index",
        "name",
        "started",
        "synthetic",
        "tool_call_id",
        "wire_id",
    )

    def __init__(self, tool_call_id: str, index: int | None, synthetic: bool) -> None:
        self.tool_call_id = tool_call_id
        self.index = index
        self.synthetic = synthetic
        self.wire_id: str | None = None if synthetic else tool_call_id
        self.name = ""
        self.started = False
        self.ended = False
        self.buffer: list[str] = []


class _Choice:
    __slots__ = (
        "by_index",
        "calls",
        "counts",
        "finish",
        "index",
        "meta",
        "open_ids",
        "reasoning_field",
        "splitter",
    )

    def __init__(self, index: int) -> None:
        self.index = index
        self.meta: dict[str, Any] | None = None if index == 0 else {"choice_index": index}
        self.open_ids: dict[str, str] = {}  # "text" | "think" | "refusal" -> open message id
        self.counts: dict[str, int] = {}  # messages opened so far, per kind
        self.calls: list[_Call] = []
        self.by_index: dict[int, _Call] = {}
        self.finish: str | None = None
        self.reasoning_field = False  # the server sends reasoning apart: no <think> splitting
        self.splitter: ThinkSplitter | None = None


class OpenAIChatAdapter:
    """Chat Completions chunks → events (see the module docstring)."""

    name: ClassVar[str] = "openai-chat"

    def __init__(self) -> None:
        self._started = False
        self._pending: list[Event] = []
        self._base = ""
        self._step_open = False
        self._choices: dict[int, _Choice] = {}
        self._calls_by_id: dict[str, _Call] = {}
        self._used_ids: set[str] = set()
        self._refusal = False
        self._done = False

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    def detect(item: Any) -> bool:
        """A ``ChatCompletionChunk`` (duck-typed), the equivalent dict, or an SSE event of one."""
        if isinstance(item, ServerSentEvent):
            try:
                _, item = unwrap(item)
            except BadItemError:
                return False
        if isinstance(item, (str, bytes, bytearray)):
            return False
        if isinstance(item, Mapping):
            if item.get("object") in (CHUNK_OBJECT, "error"):
                return True
            if isinstance(item.get("choices"), list) or "prompt_filter_results" in item:
                return True
            error = item.get("error")
            return set(item) == {"error"} and isinstance(error, Mapping) and "message" in error
        if getattr(item, "object", None) == CHUNK_OBJECT:
            return True
        choices = getattr(item, "choices", None)
        return isinstance(choices, Sequence) and not isinstance(choices, str)

    # -- the adapter interface ---------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._done:
            return []
        chunk = self._decode(item)
        if chunk is None:
            return []
        if chunk is _DONE:
            return self._end_run()
        error = _error_of(chunk)
        if error is not None:
            return self._error(error)

        out: list[Event] = []
        chunk_id = field(chunk, "id")
        model = field(chunk, "model")
        choices = field(chunk, "choices") or ()
        if not isinstance(choices, Sequence) or isinstance(choices, (str, bytes)):
            raise BadItemError(f"openai-chat: choices must be a list: {short_repr(item)}")
        usage = field(chunk, "usage")
        if not self._started and (chunk_id or model or choices or usage):
            self._start(out, chunk_id, model)

        prompt_filter = field(chunk, "prompt_filter_results")
        if prompt_filter:
            out.append(
                Custom(name="content_filter", value={"prompt_filter_results": prompt_filter})
            )

        for choice in choices:
            self._choice_chunk(choice, out)

        if usage:
            out.append(_usage(usage))

        if not self._started:  # nothing identifies the run yet (Azure's filter chunk)
            self._pending.extend(out)
            return []
        return out

    def end(self) -> list[Event]:
        return self._end_run()

    # -- decoding --------------------------------------------------------------------------

    def _decode(self, item: Any) -> Any:
        if isinstance(item, ServerSentEvent):  # from nbagent.sse(): its data is the chunk
            item = item.data
        if isinstance(item, (bytes, bytearray)):
            item = bytes(item).decode("utf-8", errors="replace")
        if isinstance(item, str):
            text = item.strip()
            if text.startswith("data:"):
                text = text[5:].strip()
            if not text or text.startswith(":"):  # blank line, SSE comment
                return None
            if text == "[DONE]":
                return _DONE
            try:
                data = strict_json(text)
            except ValueError as exc:
                raise BadItemError(
                    f"openai-chat: not a JSON chunk ({exc}): {short_repr(item)}"
                ) from None
            if not isinstance(data, dict):
                raise BadItemError(
                    f"openai-chat: a chunk must be a JSON object: {short_repr(item)}"
                )
            return data
        if item is None or isinstance(item, (int, float, bool, list, tuple)):
            raise BadItemError(
                "openai-chat takes ChatCompletionChunk objects, dicts or JSON strings, "
                f"got {type(item).__name__}: {short_repr(item)}"
            )
        return item

    # -- lifecycle -------------------------------------------------------------------------

    def _start(self, out: list[Event], chunk_id: Any, model: Any) -> None:
        self._started = True
        run_id = chunk_id if isinstance(chunk_id, str) else ""
        self._base = run_id or "chat"
        out.append(
            RunStart(run_id=run_id, model=model if isinstance(model, str) and model else None)
        )
        out.append(StepStart(step_id=self._base, name="model", step_type="model"))
        self._step_open = True
        out.extend(self._pending)
        self._pending.clear()

    def _flush_pending(self, out: list[Event]) -> None:
        if not self._started:
            self._start(out, None, None)

    def _end_run(self) -> list[Event]:
        if self._done:
            return []
        self._done = True
        out: list[Event] = []
        if not self._started and not self._pending:
            out.append(
                RunEnd(reason="incomplete", message="the stream ended before any chunk arrived")
            )
            return out
        self._flush_pending(out)
        for choice in self._choices.values():
            self._close_choice(choice, out)  # idempotent; also closes late deltas
        raw = self._primary_finish()
        reason = map_finish_reason(raw)
        if self._refusal and reason in ("completed", "unknown"):
            reason = "refusal"
        self._end_step(out, reason if raw is not None else "incomplete", raw)
        message = None
        if raw is None:
            message = "the stream ended without a finish_reason"
        elif reason == "error":
            message = f"the server stopped the completion ({raw})"
        out.append(RunEnd(reason=reason, raw_reason=raw, message=message))
        return out

    def _error(self, error: Mapping[str, Any]) -> list[Event]:
        self._done = True
        out: list[Event] = []
        if self._pending:
            self._flush_pending(out)
        for choice in self._choices.values():
            self._close_choice(choice, out)  # idempotent; also closes late deltas
        self._end_step(out, "error", None)
        message = error.get("message")
        if not isinstance(message, str) or not message:
            message = "the server sent an error"
        code = error.get("code")
        if code is not None and not isinstance(code, (str, int)):
            code = str(code)
        error_type = error.get("type")
        out.append(
            ErrorEvent(
                message=message,
                code=code,
                error_type=error_type if isinstance(error_type, str) else None,
                recoverable=False,
                details=dict(error),
            )
        )
        out.append(RunEnd(reason="error", message=message))
        return out

    def _end_step(self, out: list[Event], reason: str, raw: str | None) -> None:
        if self._step_open:
            self._step_open = False
            out.append(
                StepEnd(
                    step_id=self._base, name="model", finish_reason=reason, raw_finish_reason=raw
                )
            )

    def _primary_finish(self) -> str | None:
        """The finish_reason of the lowest choice index that has one."""
        for index in sorted(self._choices):
            finish = self._choices[index].finish
            if finish is not None:
                return finish
        return None

    # -- choices ---------------------------------------------------------------------------

    def _choice(self, index: int) -> _Choice:
        state = self._choices.get(index)
        if state is None:
            state = self._choices[index] = _Choice(index)
        return state

    def _choice_chunk(self, choice: Any, out: list[Event]) -> None:
        index = field(choice, "index")
        state = self._choice(index if isinstance(index, int) else 0)
        delta = field(choice, "delta")
        if delta is not None:
            self._delta(state, delta, out)
        filtered = field(choice, "content_filter_results")
        if filtered and _any_filtered(filtered):
            out.append(
                Custom(
                    name="content_filter",
                    value={"choice_index": state.index, "content_filter_results": filtered},
                    meta=state.meta,
                )
            )
        finish = field(choice, "finish_reason")
        if isinstance(finish, str) and finish and state.finish is None:
            self._close_choice(state, out)
            state.finish = finish
            if all(c.finish is not None for c in self._choices.values()):
                raw = self._primary_finish()
                self._end_step(out, map_finish_reason(raw), raw)

    def _delta(self, state: _Choice, delta: Any, out: list[Event]) -> None:
        meta = state.meta
        thinking = _text(field(delta, "reasoning_content")) or _text(field(delta, "reasoning"))
        if thinking:
            if not state.reasoning_field:
                state.reasoning_field = True
                self._flush_splitter(state, out)
            message_id = self._message_id(state, "think")
            out.append(ThinkingDelta(message_id=message_id, delta=thinking, meta=meta))
        content = _text(field(delta, "content"))
        if content:
            if state.reasoning_field:
                self._emit_parts(state, [("text", content)], out)
            else:
                if state.splitter is None:
                    state.splitter = ThinkSplitter()
                self._emit_parts(state, state.splitter.feed(content), out)
        refusal = _text(field(delta, "refusal"))
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

    def _tool_call(
        self, state: _Choice, index: Any, wire_id: Any, function: Any, out: list[Event]
    ) -> None:
        index = index if isinstance(index, int) else None
        wire_id = wire_id if isinstance(wire_id, str) and wire_id else None
        call = self._resolve_call(state, index, wire_id)
        if wire_id is not None and wire_id not in self._calls_by_id:
            self._calls_by_id[wire_id] = call
            if call.wire_id is None:
                call.wire_id = wire_id
                if not call.started and wire_id not in self._used_ids:
                    # the real id arrived before the start: use it
                    self._used_ids.discard(call.tool_call_id)
                    call.tool_call_id = wire_id
                    call.synthetic = False
                    self._used_ids.add(wire_id)
        name = field(function, "name")
        if isinstance(name, str) and name and not call.name:
            call.name = name
        arguments = field(function, "arguments")
        if arguments is not None and not isinstance(arguments, str):
            arguments = json.dumps(plain(arguments), ensure_ascii=False)
        if call.started:
            if arguments:
                out.append(
                    ToolCallArgsDelta(
                        tool_call_id=call.tool_call_id, delta=arguments, meta=state.meta
                    )
                )
            return
        if arguments:
            call.buffer.append(arguments)
        if call.name:  # no start before the name: buffer by index until it arrives
            self._start_call(state, call, out)

    def _resolve_call(self, state: _Choice, index: int | None, wire_id: str | None) -> _Call:
        # a call already closed (its choice finished) is never continued: a new one starts
        if wire_id is not None:
            known = self._calls_by_id.get(wire_id)
            if known is not None and known in state.calls and not known.ended:
                return known  # a known id repeated on each fragment: a continuation
        if index is None:
            if wire_id is None and state.calls and not state.calls[-1].ended:
                return state.calls[-1]  # no index, no id: the latest call
        else:
            call = state.by_index.get(index)
            if (
                call is not None
                and not call.ended
                and not (wire_id and call.wire_id and call.wire_id != wire_id)
            ):
                return call
        # a new call
        position = index if index is not None else len(state.calls)
        if wire_id is not None and wire_id not in self._used_ids:
            call = _Call(wire_id, index, synthetic=False)
        else:
            synthetic = f"call_{state.index}_{position}"
            serial = 1
            while synthetic in self._used_ids:
                serial += 1
                synthetic = f"call_{state.index}_{position}_{serial}"
            call = _Call(synthetic, index, synthetic=True)
        self._used_ids.add(call.tool_call_id)
        state.calls.append(call)
        if index is not None:
            state.by_index[index] = call
        return call

    def _start_call(self, state: _Choice, call: _Call, out: list[Event]) -> None:
        self._close_thinking(state, out)
        call.started = True
        out.append(
            ToolCallStart(
                tool_call_id=call.tool_call_id,
                name=call.name,
                index=call.index,
                synthetic_id=call.synthetic,
                meta=state.meta,
            )
        )
        out.extend(
            ToolCallArgsDelta(tool_call_id=call.tool_call_id, delta=piece, meta=state.meta)
            for piece in call.buffer
        )
        call.buffer.clear()

    def _message_id(self, state: _Choice, kind: str) -> str:
        """The open message of this kind, or a new one: ``{base}:{choice}`` for text,
        ``…:think`` / ``…:refusal``; a later message of the same kind gets ``#2``, ``#3``…"""
        message_id = state.open_ids.get(kind)
        if message_id is None:
            n = state.counts[kind] = state.counts.get(kind, 0) + 1
            message_id = f"{self._base}:{state.index}" + ("" if kind == "text" else f":{kind}")
            if n > 1:
                message_id += f"#{n}"
            state.open_ids[kind] = message_id
        return message_id

    def _emit_parts(self, state: _Choice, parts: list[Part], out: list[Event]) -> None:
        """Content split by the ``<think>`` splitter: thinking and answer text, in order."""
        for channel, piece in parts:
            if channel == "thinking":
                message_id = self._message_id(state, "think")
                out.append(ThinkingDelta(message_id=message_id, delta=piece, meta=state.meta))
            else:
                self._close_thinking(state, out)
                message_id = self._message_id(state, "text")
                out.append(TextDelta(message_id=message_id, delta=piece, meta=state.meta))

    def _flush_splitter(self, state: _Choice, out: list[Event]) -> None:
        if state.splitter is not None:
            self._emit_parts(state, state.splitter.flush(), out)
            state.splitter = None

    def _close_thinking(self, state: _Choice, out: list[Event]) -> None:
        message_id = state.open_ids.pop("think", None)
        if message_id is not None:
            out.append(MessageEnd(message_id=message_id, channel="thinking", meta=state.meta))

    def _close_choice(self, state: _Choice, out: list[Event]) -> None:
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


def _text(value: Any) -> str:
    """A delta field as text: str as is; a list of content parts joined; else ``""``."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(t for part in value if isinstance(t := field(part, "text"), str))
    return ""


def _error_of(chunk: Any) -> Mapping[str, Any] | None:
    """The error of an error frame: ``{"error": {...}}`` or ``{"object": "error", ...}``."""
    error = field(chunk, "error")
    if error:
        if isinstance(error, Mapping):
            return error
        return {"message": str(error)}
    if field(chunk, "object") == "error":
        if isinstance(chunk, Mapping):
            return chunk
        return {"message": str(field(chunk, "message") or "")}
    return None


def _usage(usage: Any) -> Usage:
    return Usage(
        input_tokens=int_or_none(field(usage, "prompt_tokens")),
        output_tokens=int_or_none(field(usage, "completion_tokens")),
        total_tokens=int_or_none(field(usage, "total_tokens")),
        reasoning_tokens=int_or_none(
            field(field(usage, "completion_tokens_details"), "reasoning_tokens")
        ),
        cached_input_tokens=int_or_none(
            field(field(usage, "prompt_tokens_details"), "cached_tokens")
        ),
        cumulative=True,
        scope="run",
    )


def _any_filtered(value: Any, depth: int = 0) -> bool:
    """True when a content_filter_results structure has ``"filtered": true`` anywhere."""
    if depth > 4:
        return False
    if isinstance(value, Mapping):
        if value.get("filtered") is True:
            return True
        return any(_any_filtered(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(_any_filtered(v, depth + 1) for v in value)
    if hasattr(value, "model_extra") or hasattr(value, "__dict__"):
        return field(value, "filtered") is True
    return False
