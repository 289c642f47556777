"""LiteLLM's records → events: each call a model step, its response shown whole.

The hook (``nbagent/sources/hooks/litellm.py``) records a call's start (``pre_api_call``:
the model, the messages sent) and its end (``success``: the response, LiteLLM's cost and
times; ``failure``: the exception). LiteLLM reports a response only once it is complete, so
its message opens with ``MessageStart(whole=True)``. LiteLLM does not run tools: a tool call
the model asked for gets its result when a later call of the block sends it back (a
``role: "tool"`` message with its id).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent.adapters.base import field, list_or_empty, str_or_none
from nbagent.adapters.kit import ANSWER_SEEN_WHOLE, SEEN_WHOLE, Ids, whole_message
from nbagent.adapters.kit.hook_record import HookRecord
from nbagent.adapters.kit.hooks import HookAdapter
from nbagent.adapters.openai_chat.maps import cost_or_none, map_finish_reason, text_of
from nbagent.adapters.openai_chat.maps import usage_event as chat_usage
from nbagent.adapters.openai_chat.whole import ToolAnswers, whole_tool_calls
from nbagent.core.errors import error_text
from nbagent.core.events import ErrorEvent, Event, StepEnd, StepStart, Usage

__all__ = ["LiteLLMAdapter"]


class LiteLLMAdapter(HookAdapter):
    """One LiteLLM call → one ``model`` step (its text, thinking, tool calls, usage, cost)."""

    family: ClassVar[str] = "litellm"

    def __init__(self) -> None:
        self._steps: dict[str | None, str] = {}  # call id (None: a call of none) → its step
        # Results sent back before the call that asked for them was reported are kept until
        # that success comes: LiteLLM reports a call's success from a pool, often after the
        # next call's request (which carries the results) has started.
        self._answers = ToolAnswers(keep_early=1000)
        self._ids = Ids()
        # Calls in the order they started, and the events of those that ended before an
        # earlier one: two calls in a row report their successes from a pool, in any order,
        # and the answers are shown in the order the calls were made.
        self._started: list[str | None] = []
        self._ended: dict[str | None, list[Event]] = {}

    def feed(self, record: HookRecord) -> list[Event]:
        data = record.data if isinstance(record.data, Mapping) else {}
        call_id = str_or_none(data.get("call_id")) or record.root or None
        out = self._feed(record.kind, call_id, data)
        if record.kind not in ("success", "failure") or call_id not in self._started:
            return out
        self._ended[call_id] = out
        done: list[Event] = []
        while self._started and self._started[0] in self._ended:
            done.extend(self._ended.pop(self._started.pop(0)))
        return done

    def _feed(self, kind: str, call_id: str | None, data: Mapping[str, Any]) -> list[Event]:
        out: list[Event] = []
        if kind == "pre_api_call":
            self._answers.messages(data.get("messages"), out)
            self._close(call_id, "incomplete", None, out)  # a retry: the attempt before ended
            self._open(call_id, data, out)
            if call_id not in self._started:
                self._started.append(call_id)
        elif kind in ("success", "failure"):
            step = self._steps.get(call_id) or self._open(call_id, data, out)
            if kind == "success":
                self._steps.pop(call_id, None)
                self._response(step, data, out)
                return out
            exc = data.get("exception")
            if isinstance(exc, BaseException):
                message = error_text(exc)  # names the server of a connection error
            else:
                message = str(exc) if exc is not None else "the LiteLLM call failed"
            error_type = type(exc).__name__ if exc is not None else None
            end = _num(data.get("end_time"))
            out.append(ErrorEvent(message=message, error_type=error_type, recoverable=True, ts=end))
            self._close(call_id, "error", end, out)
        return out

    def end(self) -> list[Event]:
        """Calls whose end never came (the watch ended first): their steps close, after the
        calls that ended behind them."""
        out: list[Event] = [ev for call in self._started for ev in self._ended.pop(call, [])]
        self._started.clear()
        for call_id in list(self._steps):
            self._close(call_id, "incomplete", None, out)
        return out

    # -- steps ------------------------------------------------------------------------------

    def _open(self, call_id: str | None, data: Mapping[str, Any], out: list[Event]) -> str:
        # a retry (LiteLLM's) is {call_id}#2, #3…; a call of no id a step of the run's
        step = self._ids.wire(call_id) if call_id else self._ids.scope_id("step")
        self._steps[call_id] = step
        ts = _num(data.get("start_time"))
        out.append(StepStart(step_id=step, name=_model(data), step_type="model", ts=ts))
        return step

    def _close(
        self, call_id: str | None, reason: str | None, ts: float | None, out: list[Event]
    ) -> None:
        step = self._steps.pop(call_id, None)
        if step is not None:
            out.append(StepEnd(step_id=step, finish_reason=reason, ts=ts or 0.0))

    def _response(self, step: str, data: Mapping[str, Any], out: list[Event]) -> None:
        response = data.get("response")
        end = _num(data.get("end_time"))
        choices = list_or_empty(field(response, "choices"))
        choice = choices[0] if choices else None
        message = field(choice, "message")
        if message is not None:
            self._thinking(step, message, end, out)
            text = text_of(field(message, "content"))
            if text:
                mid = self._ids.new("text", step)
                whole_message(out, "text", mid, text, ANSWER_SEEN_WHOLE, ts=end)
            whole_tool_calls(
                message,
                out,
                self._answers,
                self._ids,
                step,
                end,
                custom=False,
            )
        usage = _usage(field(response, "usage"), data)
        if usage is not None:
            usage.step_id, usage.ts = step, end
            out.append(usage)
        raw = str_or_none(field(choice, "finish_reason"))
        out.append(
            StepEnd(
                step_id=step,
                name=_model(data),
                finish_reason=map_finish_reason(raw) if raw else "completed",
                raw_finish_reason=raw,
                ts=end,
            )
        )

    # -- the message's parts ----------------------------------------------------------------

    def _thinking(self, step: str, message: Any, ts: float, out: list[Event]) -> None:
        """``thinking_blocks`` (Anthropic's, with signatures; redacted ones) or else
        ``reasoning_content``: thinking messages, never answer text."""
        blocks = [b for b in list_or_empty(field(message, "thinking_blocks")) if b is not None]
        if not blocks:
            reasoning = text_of(field(message, "reasoning_content"))
            if reasoning:
                blocks = [{"type": "thinking", "thinking": reasoning}]
        for block in blocks:
            mid = self._ids.new("think", step)
            if field(block, "type") == "redacted_thinking":
                data = field(block, "data")
                encrypted = data if isinstance(data, str) else None
                redacted = {"redacted": True, "encrypted_value": encrypted}
                whole_message(out, "thinking", mid, "", SEEN_WHOLE, redacted, ts=ts)
                continue
            text = text_of(field(block, "thinking"))
            signature = str_or_none(field(block, "signature"))
            whole_message(out, "thinking", mid, text, SEEN_WHOLE, {"signature": signature}, ts=ts)


def _model(data: Mapping[str, Any]) -> str:
    model = str_or_none(data.get("model"))
    response = data.get("response")
    return model or str_or_none(field(response, "model")) or "model"


def _num(value: Any) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if ok and math.isfinite(value) else 0.0


def _usage(usage: Any, data: Mapping[str, Any]) -> Usage | None:
    """The response's token counts and LiteLLM's cost of the call (``response_cost``)."""
    cost = cost_or_none(data.get("response_cost"))
    if cost is None:
        cost = cost_or_none(data.get("standard_cost"))
    if usage is None and cost is None:
        return None
    provider = str_or_none(data.get("custom_llm_provider"))
    counts = chat_usage(usage, "step", model=_model(data), provider=provider)
    if cost is not None:
        counts.cost_usd = cost
    return counts
