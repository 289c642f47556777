"""``VercelUiAdapter``: feed/end and its state (the run, the open messages and step), the
lifecycle and the run, step, text and reasoning parts; the tool parts are the ``ToolParts``
part it composes (``tools.py``); v4 lines are translated to parts first; a part goes to the
``on_<type>`` method of the adapter or its ``ToolParts`` (``kit.dispatch``)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partialmethod
from typing import Any, ClassVar

from nbagent.adapters.base import (
    BLANK,
    as_payload,
    data_payload,
    field,
    is_library_object,
    plain,
    str_or_none,
)
from nbagent.adapters.kit.dispatch import handler, never_raises
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.adapters.kit.messages import Channel, Messages
from nbagent.adapters.vercel_ui.parts import (
    _CUSTOM_TYPES,
    _DONE,
    FINISH_REASONS,
    PART_TYPES,
    _is_part,
)
from nbagent.adapters.vercel_ui.tools import ToolParts
from nbagent.adapters.vercel_ui.v4 import _V4_CUSTOM, _is_v4, _v4, _v4_usage
from nbagent.core.events import (
    Custom,
    EndReason,
    ErrorEvent,
    Event,
    RunEnd,
    StepEnd,
    StepStart,
)

__all__ = ["VercelUiAdapter"]


class VercelUiAdapter:
    """UI message stream parts → events (see the package docstring)."""

    name: ClassVar[str] = "vercel-ui"

    def __init__(self) -> None:
        self._life = Lifecycle("vercel-ui")
        self._ids = Ids()  # the steps (the wire names none)
        self._step: str | None = None
        self._messages = Messages(starts={"text": {"role": "assistant"}, "thinking": {}})
        self._tools = ToolParts()

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """A part whose ``type`` is one of the UI message stream's kebab-case types, or a
        legacy v4 ``CODE:JSON`` line whose value fits its code."""
        if is_library_object(item):
            kind = field(item, "type")  # cheap first: serialize only a likely chunk
            if not isinstance(kind, str) or not (kind in PART_TYPES or kind[:5] == "data-"):
                return False
            payload = as_payload(item)
            return isinstance(payload, Mapping) and _is_part(payload)
        legacy = _v4(item)
        if legacy is not None:
            return _is_v4(*legacy)
        payload = data_payload(item)
        if not isinstance(payload, Mapping):
            return False
        return _is_part(payload)

    # -- the adapter interface ---------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._life.done:
            return []
        if is_library_object(item):  # pydantic-ai's chunk objects (BaseChunk), …
            part = as_payload(item)
            if isinstance(part, Mapping) and part.get("type") == "done":
                return []  # pydantic-ai's DoneChunk: the [DONE] line as an object
            if not isinstance(part, Mapping):
                raise self._life.bad(f"cannot read a {type(item).__name__}", item)
            return self._feed_part(part)
        legacy = _v4(item)
        if legacy is not None:
            return self._feed_v4(*legacy)
        part = data_payload(item)
        if part is BLANK or part is None or part == _DONE:
            return []
        if not isinstance(part, Mapping):
            raise self._life.bad("a part must be a JSON object", item)
        return self._feed_part(part)

    def _feed_part(self, part: Mapping[str, Any]) -> list[Event]:
        out: list[Event] = []
        kind = part.get("type")
        if kind != "start":
            self._life.begin(out)
        on_kind = handler(kind, PART_TYPES, self, self._tools)
        if on_kind is not None:
            on_kind(part, out)
        elif not isinstance(kind, str):
            out.append(Custom(name="unknown", value=plain(part), is_raw=True))
        elif kind in _CUSTOM_TYPES or kind.startswith("data-"):
            out.append(Custom(name=kind, value=plain(part)))
        else:
            out.append(Custom(name=kind, value=plain(part), is_raw=True))
        return out

    def _feed_v4(self, code: str, value: Any) -> list[Event]:
        obj: Mapping[str, Any] = value if isinstance(value, Mapping) else {}
        part: dict[str, Any] | None = None
        out: list[Event] = []
        if code == "0":
            part = {"type": "text-delta", "id": "text", "delta": value}
        elif code == "g":
            part = {"type": "reasoning-delta", "id": "reasoning", "delta": value}
        elif code == "b":
            part = {"type": "tool-input-start", **obj}
        elif code == "c":
            part = {"type": "tool-input-delta", **obj, "inputTextDelta": obj.get("argsTextDelta")}
        elif code == "9":
            part = {"type": "tool-input-available", **obj, "input": obj.get("args")}
        elif code == "a":
            part = {"type": "tool-output-available", **obj, "output": obj.get("result")}
        elif code == "3":
            part = {"type": "error", "errorText": value if isinstance(value, str) else str(value)}
        elif code == "f":
            out.extend(self._feed_part({"type": "start", "messageId": obj.get("messageId")}))
            part = {"type": "start-step"}
        elif code in ("e", "d"):  # a step's end, the run's: each with its usage
            usage = _v4_usage(obj.get("usage"), "step" if code == "e" else "run")
            if usage is not None:
                out.extend(self._feed_part({"type": "start"}))
                out.append(usage)
            part = {"type": "finish-step" if code == "e" else "finish"}
            if code == "d":
                part["finishReason"] = obj.get("finishReason")
        if part is None:
            part = {"type": _V4_CUSTOM.get(code, f"v4.{code}"), "value": value}
        out.extend(self._feed_part(part))
        return out

    def end(self) -> list[Event]:
        if self._life.done:
            return []
        out: list[Event] = []
        self._finish(out, "incomplete", None, "the stream ended without a finish part")
        return out

    # -- lifecycle -------------------------------------------------------------------------

    def _close_all(self, out: list[Event]) -> None:
        self._messages.close_all(out)
        self._tools.close_all(out)
        self._end_step(out, None)

    def _end_step(self, out: list[Event], reason: str | None) -> None:
        if self._step is not None:
            out.append(StepEnd(step_id=self._step, name="model", finish_reason=reason))
            self._step = None

    def _finish(
        self, out: list[Event], reason: EndReason, raw: str | None, message: str | None
    ) -> None:
        self._life.end()
        self._life.begin(out)
        self._close_all(out)
        out.append(RunEnd(reason=reason, raw_reason=raw, message=message))

    # -- parts -----------------------------------------------------------------------------

    def on_start(self, part: Mapping[str, Any], out: list[Event]) -> None:
        self._life.begin(out, run_id=str_or_none(part.get("messageId")) or "")
        _metadata(part, out)

    def on_finish(self, part: Mapping[str, Any], out: list[Event]) -> None:
        raw = str_or_none(part.get("finishReason"))
        reason: EndReason = "completed" if raw is None else FINISH_REASONS.get(raw, "unknown")
        _metadata(part, out)
        message = "the model stopped with an error" if reason == "error" else None
        self._finish(out, reason, raw, message)

    def on_abort(self, part: Mapping[str, Any], out: list[Event]) -> None:
        reason = str_or_none(part.get("reason"))
        self._finish(out, "cancelled", "abort", reason or "aborted")

    def on_error(self, part: Mapping[str, Any], out: list[Event]) -> None:
        text = str_or_none(part.get("errorText")) or "the stream reported an error"
        out.append(ErrorEvent(message=text, recoverable=True, details=plain(part)))

    def on_start_step(self, part: Mapping[str, Any], out: list[Event]) -> None:
        self._end_step(out, None)
        self._step = self._ids.scope_id()
        out.append(StepStart(step_id=self._step, name="model", step_type="model"))

    def on_finish_step(self, part: Mapping[str, Any], out: list[Event]) -> None:
        if self._step is None:  # a finish-step without start-step: one anonymous step
            self.on_start_step(part, out)
        self._end_step(out, None)

    def _message(self, part: Mapping[str, Any], channel: Channel) -> str:
        return str_or_none(part.get("id")) or ("reasoning" if channel == "thinking" else "text")

    def _on_message_start(
        self, channel: Channel, part: Mapping[str, Any], out: list[Event]
    ) -> None:
        self._messages.id(channel, out, self._message(part, channel))

    def _on_message_delta(
        self, channel: Channel, part: Mapping[str, Any], out: list[Event]
    ) -> None:
        delta = part.get("delta")
        if channel == "thinking" and not isinstance(delta, str):  # ai@5.0.0 "reasoning": {"text"}
            delta = part.get("text")
        if isinstance(delta, str) and delta:  # a delta with no start opens its message silently
            key = self._message(part, channel)
            self._messages.delta(channel, delta, out, key, announce=False)

    def _on_message_end(self, channel: Channel, part: Mapping[str, Any], out: list[Event]) -> None:
        self._messages.close(channel, out, self._message(part, channel))

    on_text_start = partialmethod(_on_message_start, "text")
    on_text_delta = partialmethod(_on_message_delta, "text")
    on_text_end = partialmethod(_on_message_end, "text")
    on_reasoning_start = partialmethod(_on_message_start, "thinking")
    on_reasoning_delta = partialmethod(_on_message_delta, "thinking")
    on_reasoning = on_reasoning_delta  # ai@5.0.0's whole reasoning part
    on_reasoning_end = partialmethod(_on_message_end, "thinking")


def _metadata(part: Mapping[str, Any], out: list[Event]) -> None:
    """A ``start`` or ``finish`` part's ``messageMetadata``, passed on."""
    if part.get("messageMetadata") is not None:
        out.append(Custom(name="message-metadata", value=plain(part.get("messageMetadata"))))
