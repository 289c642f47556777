"""``format="openai-assistants"``: Assistants thread/run streaming, and NEAR AI threads.

The event name is only in the SSE ``event:`` field (the JSON has no ``type``). Items are
``ServerSentEvent(event=name, data=json)``, NEAR AI's data-only wrapper
``{"event": name, "data": {...}}`` (a dict, a JSON string or the data of a default-named
``ServerSentEvent``), or the openai SDK's ``AssistantStreamEvent`` objects (``.event`` and
``.data``). Mapping: design ``protocols.md`` §12.3 and §4.1; tricky cases: §13.

Ids: the run is ``run.id``, a step ``step.id``, a text message its message id (a refusal
``{id}:refusal``); a tool call its wire id, or ``call_{step}_{index}`` (``synthetic_id``)
when it has none. NEAR puts the Run of ``thread.run.*`` under ``data.delta``. ``done`` is
the end of the transport: without a run status before it, the normalizer ends the run;
with neither, ``end()`` ends it ``incomplete``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
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
    Status,
    StepEnd,
    StepStart,
    TextDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
    Usage,
)
from nbagent._values import strict_json
from nbagent.adapters.base import BadItemError, field, int_or_none, plain, short_repr, unwrap

__all__ = ["EVENTS", "OpenAIAssistantsAdapter"]

EVENTS: frozenset[str] = frozenset(
    {
        "thread.created",
        *(
            f"thread.run.{s}"
            for s in (
                "created", "queued", "in_progress", "requires_action", "completed",
                "incomplete", "failed", "cancelling", "cancelled", "expired",
                "error", "canceled",
            )
        ),
        *(
            f"thread.run.step.{s}"
            for s in ("created", "in_progress", "delta", "completed", "failed", "cancelled",
                      "expired")
        ),
        *(
            f"thread.message.{s}"
            for s in ("created", "in_progress", "delta", "completed", "incomplete")
        ),
    }
)  # fmt: skip
"""The Assistants event names (plus NEAR's ``thread.run.error`` / ``canceled``)."""

_STEP_ENDS = frozenset(
    {
        "thread.run.step.completed",
        "thread.run.step.failed",
        "thread.run.step.cancelled",
        "thread.run.step.expired",
    }
)
_SERVER_TOOLS = frozenset({"code_interpreter", "file_search"})


class _Call:
    __slots__ = ("ended", "id", "name", "result", "streamed")

    def __init__(self, tool_call_id: str, name: str) -> None:
        self.id = tool_call_id
        self.name = name
        self.streamed: list[str] = []
        self.ended = False
        self.result = False


class OpenAIAssistantsAdapter:
    """Assistants stream events → events (see the module docstring)."""

    name: ClassVar[str] = "openai-assistants"

    def __init__(self) -> None:
        self._started = False
        self._done = False
        self._thread_id: str | None = None
        self._calls: dict[tuple[str, int], _Call] = {}  # (step id, index) -> call
        self._calls_by_id: dict[str, _Call] = {}
        self._open_steps: dict[str, str] = {}  # step id -> step type
        self._messages: dict[str, dict[tuple[str, int], str]] = {}  # id -> streamed parts
        self._ended_messages: set[str] = set()
        self._refusal = False

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    def detect(item: Any) -> bool:
        """An Assistants event: a known ``thread.*`` name in the SSE ``event:``, the NEAR
        ``{"event", "data"}`` wrapper or an SDK event's ``.event``."""
        try:
            name, _ = _event_of(item)
            return name in EVENTS
        except Exception:  # noqa: BLE001 - detect never raises
            return False

    # -- feeding ---------------------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        name, data = _event_of(item)
        if name is None:
            if data == "[DONE]":
                return []
            raise BadItemError(f"not an Assistants stream event: {short_repr(item)}")
        if self._done or name == "done":
            return []
        out: list[Event] = []
        if name.startswith("thread.run.step."):
            self._step(name, data, out)
        elif name.startswith("thread.run."):
            run = field(data, "delta")  # NEAR puts the Run under data.delta
            if not (isinstance(run, Mapping) or hasattr(run, "status")):
                run = data
            self._run(name, run, out)
        elif name.startswith("thread.message."):
            self._message(name, data, out)
        elif name == "thread.created":
            thread_id = field(data, "id")
            self._thread_id = thread_id if isinstance(thread_id, str) else None
        elif name == "error":
            error = _error_dict(data)
            self._done = True
            self._finish(out)
            out.append(_error_event(error))
            out.append(RunEnd(reason="error", message=error["message"]))
        else:
            out.append(Custom(name=name, value=plain(data), is_raw=True))
        return out

    def end(self) -> list[Event]:
        if self._done:
            return []
        self._done = True
        out: list[Event] = []
        self._finish(out)
        out.append(RunEnd(reason="incomplete", message="the stream ended before the run did"))
        return out

    # -- runs ------------------------------------------------------------------------------

    def _run(self, name: str, run: Any, out: list[Event]) -> None:
        status = name.removeprefix("thread.run.")
        if not self._started and status not in ("error",):
            self._started = True
            run_id = field(run, "id")
            thread_id = field(run, "thread_id")
            model = field(run, "model")
            out.append(
                RunStart(
                    run_id=run_id if isinstance(run_id, str) else "",
                    thread_id=thread_id if isinstance(thread_id, str) else self._thread_id,
                    model=model if isinstance(model, str) else None,
                    provider="openai",
                )
            )
        if status in ("created",):
            return
        if status in ("queued", "in_progress", "cancelling"):
            out.append(Status(state=status, text=status.replace("_", " ")))
            return
        self._done = True
        if status == "requires_action":
            required = field(field(run, "required_action"), "submit_tool_outputs")
            calls = field(required, "tool_calls")
            for call in calls if isinstance(calls, list) else []:
                self._close_required(call, out)
            self._finish(out)
            self._usage(run, "run", out)
            out.append(
                RunEnd(
                    reason="interrupted",
                    raw_reason="requires_action",
                    message="the run waits for tool outputs",
                )
            )
            return
        self._finish(out)
        self._usage(run, "run", out)
        reason: EndReason
        raw: str | None = status
        message: str | None = None
        if status == "completed":
            reason = "refusal" if self._refusal else "completed"
        elif status == "incomplete":
            detail = field(field(run, "incomplete_details"), "reason")
            raw = detail if isinstance(detail, str) else "incomplete"
            reason = "content_filter" if raw == "content_filter" else "max_tokens"
            message = f"the run is incomplete ({raw})"
        elif status in ("failed", "error"):
            error = _error_dict(field(run, "last_error"))
            out.append(_error_event(error))
            reason, message = "error", error["message"]
        elif status in ("cancelled", "canceled"):
            reason, raw, message = "cancelled", "cancelled", "the run was cancelled"
        elif status == "expired":
            reason, message = "expired", "the run expired"
        else:
            reason = "unknown"
        out.append(RunEnd(reason=reason, raw_reason=raw, message=message))

    def _usage(self, obj: Any, scope: str, out: list[Event]) -> None:
        usage = field(obj, "usage")
        if usage is None or isinstance(usage, (str, int)):
            return
        out.append(
            Usage(
                input_tokens=int_or_none(field(usage, "prompt_tokens")),
                output_tokens=int_or_none(field(usage, "completion_tokens")),
                total_tokens=int_or_none(field(usage, "total_tokens")),
                cumulative=True,
                scope="step" if scope == "step" else "run",
            )
        )

    def _finish(self, out: list[Event]) -> None:
        """Close every open message, tool call and step (the run is ending)."""
        for message_id, parts in self._messages.items():
            self._end_message(message_id, parts, out)
        for call in self._calls.values():
            self._end_call(call, None, out)
        for step_id, step_type in list(self._open_steps.items()):
            out.append(StepEnd(step_id=step_id, name=step_type, finish_reason="incomplete"))
        self._open_steps.clear()

    # -- steps and tool calls --------------------------------------------------------------

    def _step(self, name: str, step: Any, out: list[Event]) -> None:
        step_id = field(step, "id")
        if not isinstance(step_id, str) or not step_id:
            step_id = "step"
        if name == "thread.run.step.created":
            step_type = field(step, "type")
            step_type = step_type if isinstance(step_type, str) else "step"
            if step_id not in self._open_steps:
                self._open_steps[step_id] = step_type
                out.append(
                    StepStart(
                        step_id=step_id,
                        name=step_type,
                        step_type="tool" if step_type == "tool_calls" else "model",
                    )
                )
            self._tool_calls(step_id, field(step, "step_details"), out)
        elif name == "thread.run.step.delta":
            self._tool_calls(step_id, field(field(step, "delta"), "step_details"), out)
        elif name in _STEP_ENDS:
            details = field(step, "step_details")
            self._tool_calls(step_id, details, out, full=True)
            for (call_step, _), call in self._calls.items():
                if call_step == step_id:
                    self._end_call(call, None, out)
            status = field(step, "status")
            status = status if isinstance(status, str) else name.rpartition(".")[2]
            last_error = field(step, "last_error")
            if last_error:
                error = _error_dict(last_error)
                out.append(
                    ErrorEvent(
                        message=error["message"],
                        code=_code(error.get("code")),
                        recoverable=True,
                        details=error,
                    )
                )
            self._usage(step, "step", out)
            step_type = self._open_steps.pop(step_id, None)
            if step_type is None:
                step_type = field(step, "type")
                step_type = step_type if isinstance(step_type, str) else "step"
            out.append(StepEnd(step_id=step_id, name=step_type, finish_reason=status))

    def _tool_calls(self, step_id: str, details: Any, out: list[Event], full: bool = False) -> None:
        if field(details, "type") != "tool_calls":
            return
        calls = field(details, "tool_calls")
        if not isinstance(calls, list):
            return
        for position, call in enumerate(calls):
            index = int_or_none(field(call, "index"))
            self._tool_call(step_id, position if index is None else index, call, out, full)

    def _tool_call(self, step_id: str, index: int, wire: Any, out: list[Event], full: bool) -> None:
        kind = field(wire, "type")
        kind = kind if isinstance(kind, str) else "function"
        body = field(wire, kind)
        wire_id = field(wire, "id")
        call = self._calls.get((step_id, index))
        if call is None and isinstance(wire_id, str) and wire_id:
            call = self._calls_by_id.get(wire_id)
        if call is None:
            name = field(body, "name") if kind == "function" else kind
            name = name if isinstance(name, str) else ""
            synthetic = not (isinstance(wire_id, str) and wire_id)
            tool_call_id = f"call_{step_id}_{index}" if synthetic else str(wire_id)
            call = _Call(tool_call_id, name)
            self._calls[(step_id, index)] = call
            self._calls_by_id[tool_call_id] = call
            out.append(
                ToolCallStart(
                    tool_call_id=tool_call_id,
                    name=name,
                    index=index,
                    executor="server" if kind in _SERVER_TOOLS else None,
                    synthetic_id=synthetic,
                )
            )
        args = field(body, "arguments") if kind == "function" else field(body, "input")
        if kind == "file_search":
            args = None
        if full:
            if args is not None:
                self._end_call(call, args, out)
        elif isinstance(args, str) and args and not call.ended:
            call.streamed.append(args)
            out.append(ToolCallArgsDelta(tool_call_id=call.id, delta=args))
        result: Any = None
        if kind == "function":
            result = field(body, "output")
        elif kind == "code_interpreter":
            result = _code_outputs(field(body, "outputs"))
        elif kind == "file_search":
            result = plain(field(body, "results"))
        if result not in (None, "", []) and not call.result:
            self._end_call(call, None, out)
            call.result = True
            out.append(ToolResult(tool_call_id=call.id, content=result, name=call.name or None))

    def _end_call(self, call: _Call, full: Any, out: list[Event]) -> None:
        """Close a call, reconciling the full argument text with the streamed one."""
        if call.ended:
            return
        call.ended = True
        if full is not None and not isinstance(full, str):
            full = json.dumps(plain(full), ensure_ascii=False)
        streamed = "".join(call.streamed)
        if isinstance(full, str) and full and full != streamed:
            if full.startswith(streamed):
                out.append(ToolCallArgsDelta(tool_call_id=call.id, delta=full[len(streamed) :]))
            else:
                out.append(ToolCallEnd(tool_call_id=call.id, arguments=full))
                return
        out.append(ToolCallEnd(tool_call_id=call.id))

    def _close_required(self, wire: Any, out: list[Event]) -> None:
        """A call of ``required_action``: start it if no delta announced it, then end it."""
        wire_id = field(wire, "id")
        if not isinstance(wire_id, str) or not wire_id:
            return
        function = field(wire, "function")
        call = self._calls_by_id.get(wire_id)
        if call is None:
            name = field(function, "name")
            call = _Call(wire_id, name if isinstance(name, str) else "")
            self._calls_by_id[wire_id] = call
            self._calls[("required_action", len(self._calls))] = call
            out.append(ToolCallStart(tool_call_id=wire_id, name=call.name))
        self._end_call(call, field(function, "arguments"), out)

    # -- messages --------------------------------------------------------------------------

    def _message(self, name: str, message: Any, out: list[Event]) -> None:
        message_id = field(message, "id")
        if not isinstance(message_id, str) or not message_id:
            message_id = "message"
        if message_id in self._ended_messages:
            return
        parts = self._messages.setdefault(message_id, {})
        if name == "thread.message.created":
            role = field(message, "role")
            out.append(
                MessageStart(message_id=message_id, role=role if isinstance(role, str) else None)
            )
            self._content(message_id, parts, field(message, "content"), out, full=True)
        elif name == "thread.message.delta":
            self._content(message_id, parts, field(field(message, "delta"), "content"), out)
        elif name in ("thread.message.completed", "thread.message.incomplete"):
            self._content(message_id, parts, field(message, "content"), out, full=True)
            self._end_message(message_id, parts, out)

    def _content(
        self,
        message_id: str,
        parts: dict[tuple[str, int], str],
        content: Any,
        out: list[Event],
        full: bool = False,
    ) -> None:
        if not isinstance(content, list):
            return
        for position, part in enumerate(content):
            index = int_or_none(field(part, "index"))
            index = position if index is None else index
            kind = field(part, "type")
            if kind == "text":
                text = field(field(part, "text"), "value")
                self._text(message_id, parts, "text", index, text, out, full)
                if not full:
                    annotations = field(field(part, "text"), "annotations")
                    if isinstance(annotations, list):
                        out.extend(Custom(name="annotation", value=plain(a)) for a in annotations)
            elif kind == "refusal":
                text = field(part, "refusal")
                self._text(message_id, parts, "refusal", index, text, out, full)
            elif isinstance(kind, str) and not full:
                out.append(Custom(name=kind, value=plain(part)))

    def _text(
        self,
        message_id: str,
        parts: dict[tuple[str, int], str],
        kind: str,
        index: int,
        text: Any,
        out: list[Event],
        full: bool,
    ) -> None:
        if not isinstance(text, str) or not text:
            return
        streamed = parts.get((kind, index), "")
        if full:  # a full text: only the missing suffix (never append blindly)
            if len(text) <= len(streamed) or not text.startswith(streamed):
                return
            text = text[len(streamed) :]
        parts[(kind, index)] = streamed + text
        if kind == "refusal":
            self._refusal = True
            out.append(TextDelta(message_id=f"{message_id}:refusal", delta=text, refusal=True))
        else:
            out.append(TextDelta(message_id=message_id, delta=text))

    def _end_message(
        self, message_id: str, parts: dict[tuple[str, int], str], out: list[Event]
    ) -> None:
        if message_id in self._ended_messages:
            return
        self._ended_messages.add(message_id)
        if any(kind == "text" for kind, _ in parts) or not parts:
            out.append(MessageEnd(message_id=message_id))
        if any(kind == "refusal" for kind, _ in parts):
            out.append(MessageEnd(message_id=f"{message_id}:refusal"))


def _event_of(item: Any) -> tuple[str | None, Any]:
    """``(event name, data)`` of an SSE event, a NEAR wrapper or an SDK stream event."""
    name, payload = unwrap(item)
    if name is not None:
        return name, payload
    wrapped = field(payload, "event")
    if isinstance(wrapped, str) and wrapped and not isinstance(payload, (str, list)):
        data = field(payload, "data")
        if isinstance(data, (str, bytes)) and data.strip() not in ("[DONE]", b"[DONE]"):
            with contextlib.suppress(ValueError, TypeError):
                data = strict_json(data)
        if wrapped in EVENTS or wrapped in ("done", "error"):
            return wrapped, data
    return None, payload


def _code(value: Any) -> str | int | None:
    if value is None or isinstance(value, (str, int)):
        return value
    return str(value)


def _code_outputs(outputs: Any) -> Any:
    """Code interpreter outputs as text: the logs, ``[image]`` for images."""
    if not isinstance(outputs, list) or not outputs:
        return None
    pieces: list[str] = []
    for output in outputs:
        if field(output, "type") == "logs":
            logs = field(output, "logs")
            if isinstance(logs, str):
                pieces.append(logs)
        elif field(output, "type") == "image":
            pieces.append("[image]")
    return "\n".join(pieces) if pieces else plain(outputs)


def _error_dict(error: Any) -> dict[str, Any]:
    data = plain(error)
    out: dict[str, Any] = dict(data) if isinstance(data, Mapping) else {}
    nested = out.get("error")
    if isinstance(nested, Mapping):
        out = {**out, **nested}
        out.pop("error", None)
    message = out.get("message")
    if not isinstance(message, str) or not message:
        out["message"] = str(data) if isinstance(data, str) and data else "the run failed"
    return out


def _error_event(error: dict[str, Any]) -> ErrorEvent:
    error_type = error.get("type")
    return ErrorEvent(
        message=error["message"],
        code=_code(error.get("code")),
        error_type=error_type if isinstance(error_type, str) else None,
        recoverable=False,
        details=error,
    )
