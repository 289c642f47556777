"""``OpenAIChatAdapter``: detection, ``feed`` / ``end``, decoding an item into a chunk, the
run and its one model step (start, finish reasons, errors) and each chunk's choices. Each
choice is a ``Choice`` (``choice.py``) it composes, their tool calls assembled by one
``ToolCalls`` (``adapters/kit``); tables and readers are in ``maps.py``. The package docstring
has the mapping and the ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from nbagent.adapters.base import (
    BadItemError,
    ServerSentEvent,
    ended_before_any,
    field,
    type_is,
    unwrap,
)
from nbagent.adapters.kit import Lifecycle, ModelStep, ToolCalls
from nbagent.adapters.openai_chat.choice import Choice
from nbagent.adapters.openai_chat.maps import (
    CHUNK_OBJECT,
    any_filtered,
    chunk_usage,
    error_of,
    map_finish_reason,
)
from nbagent.adapters.openai_responses.maps import error_event  # the same error shape
from nbagent.core.events import (
    Custom,
    Event,
    RunEnd,
    Usage,
)
from nbagent.core.values import strict_json

__all__ = ["OpenAIChatAdapter"]

_DONE = object()


def is_wrapped_chunk(item: Any) -> bool:
    """Mistral's SDK yields ``CompletionEvent(data=CompletionChunk)``: a wrapper of the chunk."""
    return type_is(item, "mistralai", "CompletionEvent") and field(item, "data") is not None


class OpenAIChatAdapter:
    """Chat Completions chunks → events (see the package docstring)."""

    name: ClassVar[str] = "openai-chat"

    def __init__(self) -> None:
        self._life = Lifecycle("openai-chat", "ChatCompletionChunk objects, dicts or JSON strings")
        self._step = ModelStep("", self._life)
        self._pending: list[Event] = []
        self._choices: dict[int, Choice] = {}
        self._tools = ToolCalls()

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    def detect(item: Any) -> bool:
        """A ``ChatCompletionChunk`` (duck-typed), the equivalent dict, an SSE event of one, or
        Mistral's ``CompletionEvent`` (the chunk at ``.data``)."""
        if is_wrapped_chunk(item):
            return True
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
        if self._step.done:
            return []
        chunk = self._decode(item)
        if chunk is None:
            return []
        if chunk is _DONE:
            return self._end_run(done=True)
        error = error_of(chunk)
        if error is not None:
            return self._error(error, chunk_usage(chunk))

        out: list[Event] = []
        chunk_id = field(chunk, "id")
        model = field(chunk, "model")
        choices = field(chunk, "choices") or ()
        if not isinstance(choices, Sequence) or isinstance(choices, (str, bytes)):
            raise self._life.bad("choices must be a list", item)
        usage = chunk_usage(chunk)
        if not self._step.started and (chunk_id or model or choices or usage):
            self._start(out, chunk_id, model)

        prompt_filter = field(chunk, "prompt_filter_results")
        if prompt_filter:
            out.append(
                Custom(name="content_filter", value={"prompt_filter_results": prompt_filter})
            )

        for choice in choices:
            self._choice_chunk(choice, out)

        if usage is not None:
            out.append(usage)

        if not self._step.started:  # nothing identifies the run yet (Azure's filter chunk)
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
                raise self._life.bad(f"not a JSON chunk ({exc})", item) from None
            if not isinstance(data, dict):
                raise self._life.bad("a chunk must be a JSON object", item)
            return data
        if is_wrapped_chunk(item):
            item = field(item, "data")
        if item is None or isinstance(item, (int, float, bool, list, tuple)):
            raise self._life.takes(item)
        return item

    # -- lifecycle -------------------------------------------------------------------------

    def _start(self, out: list[Event], chunk_id: Any, model: Any) -> None:
        run_id = chunk_id if isinstance(chunk_id, str) else ""
        self._step.step_id = run_id or "chat"
        self._tools.ids.scope = run_id or "run"
        self._step.start(
            out, run_id=run_id, model=model if isinstance(model, str) and model else None
        )
        out.extend(self._pending)
        self._pending.clear()

    def _close_choices(self, out: list[Event]) -> None:
        """The run started if only events held for it came (a filter chunk), then every
        choice's open messages and calls closed."""
        if self._pending:  # held only while the run has not started
            self._start(out, None, None)
        for choice in self._choices.values():
            choice.close(out)

    def _end_run(self, *, done: bool = False) -> list[Event]:
        """The run's end: at ``[DONE]`` (``done``: the server ended a complete answer, with
        end reason ``"unknown"`` where no finish_reason came, as several gateways send it) or
        at the stream's close (no finish_reason: ``incomplete``)."""
        if not self._life.end():
            return []
        out: list[Event] = []
        if not self._step.started and not self._pending:
            return [ended_before_any("chunk")]
        self._close_choices(out)
        raw = self._primary_finish()
        reason = "unknown" if raw is None and done else map_finish_reason(raw)
        if any(c.refusal for c in self._choices.values()) and reason in ("completed", "unknown"):
            reason = "refusal"
        self._step.end_step(out, reason, raw)
        message = None
        if raw is None and not done:
            message = "the stream ended without a finish_reason"
        elif reason == "error":
            message = f"the server stopped the completion ({raw})"
        out.append(RunEnd(reason=reason, raw_reason=raw, message=message))
        return out

    def _error(self, error: Mapping[str, Any], usage: Usage | None = None) -> list[Event]:
        """An error frame ends the run; the usage it carries (OpenRouter counts the tokens
        spent before the error) is kept."""
        out: list[Event] = []
        if self._pending:  # the run starts with what was held for it
            self._start(out, None, None)
        if usage is not None:
            out.append(usage)
        message = error.get("message")
        if not isinstance(message, str) or not message:
            message = "the server sent an error"
        return self._step.fail(out, self._close_choices, error_event(error, message))

    def _primary_finish(self) -> str | None:
        """The finish_reason of the lowest choice index that has one."""
        for index in sorted(self._choices):
            finish = self._choices[index].finish
            if finish is not None:
                return finish
        return None

    # -- choices ---------------------------------------------------------------------------

    def _choice_chunk(self, choice: Any, out: list[Event]) -> None:
        index = field(choice, "index")
        index = index if isinstance(index, int) else 0
        state = self._choices.get(index)
        if state is None:
            state = self._choices[index] = Choice(index, self._tools)
        delta = field(choice, "delta")
        if delta is not None:
            state.delta(delta, out)
        filtered = field(choice, "content_filter_results")
        if filtered and any_filtered(filtered):
            out.append(
                Custom(
                    name="content_filter",
                    value={"choice_index": state.index, "content_filter_results": filtered},
                    meta=state.meta,
                )
            )
        finish = field(choice, "finish_reason")
        if isinstance(finish, str) and finish and state.finish is None:
            state.close(out)
            state.finish = finish
            if all(c.finish is not None for c in self._choices.values()):
                raw = self._primary_finish()
                self._step.end_step(out, map_finish_reason(raw), raw)
