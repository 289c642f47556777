"""``format="ollama"``: Ollama's native streaming API (``/api/chat`` and ``/api/generate``).

Items are what ``ollama.chat(stream=True)`` / ``ollama.generate(stream=True)`` yield
(``ChatResponse`` / ``GenerateResponse``, read by their fields), the same as plain dicts (the
NDJSON lines of ``/api/chat`` decoded), or one such line as a JSON string or bytes.

- ``message.thinking`` (chat) / ``thinking`` (generate) → thinking; ``message.content`` /
  ``response`` → text. Until a thinking field arrives, ``<think>`` in the text is split out.
- ``message.tool_calls[]``: whole calls (``function{name, arguments: dict}``) with no id: a
  synthetic ``run:call{n}`` (``synthetic_id=True``) unless the server sends one.
- The ``done: true`` item ends the step and the run: ``done_reason`` (``stop`` → completed, or
  tool_calls when the model called tools; ``length`` → max_tokens), and the run's ``Usage``
  (``prompt_eval_count`` → input, ``eval_count`` → output) whose ``meta`` carries Ollama's own
  timings: ``eval_count``, ``eval_duration_s``, ``tokens_per_s`` (``eval_count`` over the
  generation time: the rate the model really ran at), ``prompt_eval_duration_s``,
  ``load_duration_s``, ``total_duration_s``.
- ``{"error": "..."}`` (a line of the NDJSON) → an error and the run's end.

Ids: the one step is ``"ollama"``; messages ``run:think1``/``run:text1`` (a second of a
kind, e.g. thinking after a tool call, is ``run:text2``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent.adapters.base import (
    BadItemError,
    ServerSentEvent,
    field,
    int_or_none,
    library_label,
    list_or_empty,
    str_or_none,
    type_is,
    unwrap,
)
from nbagent.adapters.kit.calls import args_text
from nbagent.adapters.kit.finish import end_reason
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.lifecycle import Lifecycle, ModelStep
from nbagent.adapters.kit.parts import Parts
from nbagent.adapters.think import Part, ThinkSplitter
from nbagent.core.events import (
    EndReason,
    ErrorEvent,
    Event,
    RunEnd,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    Usage,
)
from nbagent.core.values import strict_json

__all__ = ["OllamaAdapter"]

STEP_ID = "ollama"

DONE_REASONS: dict[str, EndReason] = {
    "stop": "completed",
    "length": "max_tokens",
    "load": "completed",
    "unload": "completed",
}
"""Ollama's ``done_reason`` → ``RunEnd.reason`` (anything else → ``"unknown"``)."""

_TIMINGS = (
    ("prompt_eval_duration", "prompt_eval_duration_s"),
    ("load_duration", "load_duration_s"),
    ("total_duration", "total_duration_s"),
)


def _is_response_dict(item: Mapping[str, Any]) -> bool:
    if "created_at" not in item or "model" not in item or "done" not in item:
        return False
    message = item.get("message")
    return (isinstance(message, Mapping) and "role" in message) or "response" in item


def timing_meta(done: Any) -> dict[str, Any] | None:
    """Ollama's own counts and durations (ns on the wire) of the final item, in seconds."""
    meta: dict[str, Any] = {}
    eval_count = int_or_none(field(done, "eval_count"))
    eval_ns = int_or_none(field(done, "eval_duration"))
    if eval_count is not None:
        meta["eval_count"] = eval_count
    if eval_ns is not None and eval_ns >= 0:
        meta["eval_duration_s"] = eval_ns / 1e9
        if eval_count is not None and eval_ns > 0:
            rate = eval_count / (eval_ns / 1e9)
            if math.isfinite(rate):
                meta["tokens_per_s"] = rate
    for wire, key in _TIMINGS:
        ns = int_or_none(field(done, wire))
        if ns is not None and ns >= 0:
            meta[key] = ns / 1e9
    return meta or None


class OllamaAdapter:
    """Ollama chat / generate stream items → events (see the module docstring)."""

    name: ClassVar[str] = "ollama"

    def __init__(self) -> None:
        self._life = Lifecycle(
            "ollama", "ChatResponse / GenerateResponse objects, their dicts or JSON lines"
        )
        self._run = ModelStep(STEP_ID, self._life)
        self._ids = Ids()
        self._messages = Parts(self._ids)
        self._splitter: ThinkSplitter | None = ThinkSplitter()
        self._calls = 0

    @staticmethod
    def detect(item: Any) -> bool:
        """A ``ChatResponse`` / ``GenerateResponse`` of the ``ollama`` package, or the dict of
        one (``model``, ``created_at``, ``done`` and a ``message`` or a ``response``)."""
        if type_is(item, "ollama", "ChatResponse", "GenerateResponse"):
            return True
        if isinstance(item, ServerSentEvent):  # not how Ollama sends it, but cheap to take
            try:
                item = unwrap(item)[1]
            except BadItemError:
                return False
        return isinstance(item, Mapping) and _is_response_dict(item)

    def feed(self, item: Any) -> list[Event]:
        if self._run.done:
            return []
        response = self._decode(item)
        if response is None:
            return []
        out: list[Event] = []
        error = field(response, "error")
        if error:
            return self._error(error, out)
        self._run.start(out, model=str_or_none(field(response, "model")), provider="ollama")
        message = field(response, "message")
        if message is not None:
            thinking, content = field(message, "thinking"), field(message, "content")
        else:
            thinking, content = field(response, "thinking"), field(response, "response")
        if isinstance(thinking, str) and thinking:
            if self._splitter is not None:  # thinking comes apart: no <think> splitting
                self._emit(self._splitter.flush(blank=False), out)
                self._splitter = None
            self._emit([("thinking", thinking)], out)
        if isinstance(content, str) and content:
            parts: list[Part] = (
                self._splitter.feed(content) if self._splitter else [("text", content)]
            )
            self._emit(parts, out)
        for call in list_or_empty(field(message, "tool_calls")):
            self._tool_call(call, out)
        if field(response, "done") is True:
            self._finish(response, out)
        return out

    def end(self) -> list[Event]:
        return self._run.cut_off(
            self._close_messages, "item", "the stream ended without done: true"
        )

    # -- decoding ----------------------------------------------------------------------------

    def _decode(self, item: Any) -> Any:
        if isinstance(item, ServerSentEvent):
            item = item.data
        if isinstance(item, (bytes, bytearray)):
            item = bytes(item).decode("utf-8", errors="replace")
        if isinstance(item, str):
            text = item.strip()
            if not text:
                return None
            try:
                item = strict_json(text)
            except ValueError as exc:
                raise self._life.bad(f"not a JSON line ({exc})", text) from None
        if isinstance(item, Mapping) or type_is(item, "ollama", "ChatResponse", "GenerateResponse"):
            return item
        if type_is(item, "ollama"):
            raise self._life.bad(
                f"cannot read a {type(item).__name__} "
                f"({library_label('ollama', 'ollama')}): pass the stream of "
                "ollama.chat(..., stream=True) or ollama.generate(..., stream=True)"
            )
        raise self._life.takes(item)

    # -- lifecycle ---------------------------------------------------------------------------

    def _finish(self, done: Any, out: list[Event]) -> None:
        self._life.end()
        self._close_messages(out)
        raw = str_or_none(field(done, "done_reason"))
        # Ollama says "stop" after tool calls too
        reason = end_reason(DONE_REASONS, raw, absent="completed", called=self._calls > 0)
        prompt = int_or_none(field(done, "prompt_eval_count"))
        completion = int_or_none(field(done, "eval_count"))
        if prompt is not None or completion is not None:
            total = (prompt or 0) + (completion or 0)
            out.append(
                Usage(
                    input_tokens=prompt,
                    output_tokens=completion,
                    total_tokens=total,
                    cumulative=True,
                    scope="run",
                    step_id=STEP_ID,
                    meta=timing_meta(done),
                )
            )
        self._run.end_step(out, reason, raw)
        out.append(RunEnd(reason=reason, raw_reason=raw))

    def _error(self, error: Any, out: list[Event]) -> list[Event]:
        message = error if isinstance(error, str) else str(field(error, "message") or error)
        return self._run.fail(out, self._close_messages, ErrorEvent(message=message))

    # -- messages and tool calls -------------------------------------------------------------

    def _emit(self, parts: list[Part], out: list[Event]) -> None:
        for channel, piece in parts:
            if channel == "was_thinking":
                self._messages.close("text", out, was_thinking=True)
                continue
            self._messages.close("text" if channel == "thinking" else "thinking", out)
            self._messages.put(channel, channel, piece, out)

    def _close_messages(self, out: list[Event]) -> None:
        if self._splitter is not None:
            self._emit(self._splitter.flush(), out)
        self._messages.close_all(out)

    def _tool_call(self, call: Any, out: list[Event]) -> None:
        self._messages.close("thinking", out)
        function = field(call, "function")
        name = str_or_none(field(function, "name")) or ""
        wire_id = str_or_none(field(call, "id"))
        index = self._calls
        self._calls += 1
        tool_call_id = self._ids.of(wire_id, "call")
        arguments = field(function, "arguments")
        try:
            text = "{}" if arguments is None else args_text(arguments)
        except (TypeError, ValueError):
            raise self._life.bad("unreadable tool arguments", call) from None
        out.append(
            ToolCallStart(
                tool_call_id=tool_call_id,
                name=name,
                index=index,
                synthetic_id=tool_call_id != wire_id,
            )
        )
        out.append(ToolCallArgsDelta(tool_call_id=tool_call_id, delta=text))
        out.append(ToolCallEnd(tool_call_id=tool_call_id))
