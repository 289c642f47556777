"""``format="openai-responses"``: OpenAI Responses API streaming.

Items are Responses stream events: SDK objects (``openai.types.responses.*Event``), plain
dicts, JSON strings, or ``ServerSentEvent``s (the name is in both ``event:`` and the JSON
``type``). Mapping: design ``protocols.md`` §12.2; tricky cases: §13.

Ids: the run and the step are ``response.id``; a text message is its output item's id
(``msg_…``), a refusal ``{item id}:refusal``, a reasoning item's thinking its id (``rs_…``).
A function call's ``tool_call_id`` is its ``call_id`` (the argument deltas name the item id,
``fc_…``, and are mapped to it); a hosted tool (web search, file search, code interpreter,
MCP, image generation…) is a server tool call named by its item type, with its progress
events as ``Status`` and its output item as the ``ToolResult``.

The ``.done`` events and ``output_item.done`` carry full texts: they only reconcile (a
missing suffix is emitted), never append.
"""

from __future__ import annotations

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
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
    Usage,
)
from nbagent.adapters.base import BadItemError, field, int_or_none, plain, short_repr, unwrap

__all__ = ["INCOMPLETE_REASONS", "OpenAIResponsesAdapter"]

INCOMPLETE_REASONS: dict[str, EndReason] = {
    "max_output_tokens": "max_tokens",
    "content_filter": "content_filter",
}
"""``incomplete_details.reason`` → ``RunEnd.reason`` (anything else → ``"unknown"``)."""

_FUNCTION_ITEMS = frozenset({"function_call", "custom_tool_call"})
_HOSTED_ITEMS = frozenset(
    {
        "web_search_call",
        "file_search_call",
        "code_interpreter_call",
        "mcp_call",
        "mcp_list_tools",
        "image_generation_call",
        "computer_call",
        "local_shell_call",
        "shell_call",
    }
)
_ARGS_DELTAS = frozenset(
    {
        "response.function_call_arguments.delta",
        "response.custom_tool_call_input.delta",
        "response.mcp_call_arguments.delta",
        "response.code_interpreter_call_code.delta",
    }
)
_ARGS_DONES = {
    "response.function_call_arguments.done": "arguments",
    "response.custom_tool_call_input.done": "input",
    "response.mcp_call_arguments.done": "arguments",
    "response.code_interpreter_call_code.done": "code",
}
_PROGRESS = frozenset(
    {"in_progress", "searching", "interpreting", "generating", "completed", "failed"}
)
_HOSTED_PREFIXES = (
    "response.web_search_call.",
    "response.file_search_call.",
    "response.code_interpreter_call.",
    "response.image_generation_call.",
    "response.mcp_call.",
    "response.mcp_list_tools.",
)
_IGNORED = frozenset(
    {
        "keepalive",
        "response.content_part.added",
        "response.content_part.done",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_part.done",
        "response.audio.delta",
        "response.audio.done",
        "response.image_generation_call.partial_image",
    }
)
_TERMINAL = frozenset(
    {"response.completed", "response.incomplete", "response.failed", "response.cancelled"}
)


class _Item:
    """One output item: a message, a reasoning item or a tool call."""

    __slots__ = ("ended", "id", "item_type", "name", "parts", "streamed", "summary_index")

    def __init__(self, item_id: str, item_type: str) -> None:
        self.id = item_id  # message id / thinking id / tool_call_id
        self.item_type = item_type
        self.name = ""
        self.ended = False
        self.streamed: list[str] = []  # tool call: argument text streamed so far
        self.parts: dict[tuple[str, int], str] = {}  # (kind, index) -> text streamed so far
        self.summary_index: int | None = None


class OpenAIResponsesAdapter:
    """Responses stream events → events (see the module docstring)."""

    name: ClassVar[str] = "openai-responses"

    def __init__(self) -> None:
        self._items: dict[str, _Item] = {}  # wire item id -> item
        self._by_output: dict[int, str] = {}  # output_index -> wire item id
        self._step: str | None = None
        self._started = False
        self._done = False
        self._function_calls = False
        self._refusal = False

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    def detect(item: Any) -> bool:
        """A Responses stream event: ``type`` ``response.*`` (or an ``error``/``keepalive``)."""
        try:
            _, payload = unwrap(item)
            kind = field(payload, "type")
            if not isinstance(kind, str):
                return False
            if kind.startswith("response.") and len(kind) > len("response."):
                return True
            # "error" and "keepalive" are common words: only with Responses' sequence_number
            return kind in ("error", "keepalive") and isinstance(
                field(payload, "sequence_number"), int
            )
        except Exception:  # noqa: BLE001 - detect never raises
            return False

    # -- feeding ---------------------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        sse_name, payload = unwrap(item)
        if isinstance(payload, str):  # "[DONE]" (some proxies add it): nothing
            return []
        kind = field(payload, "type")
        if not isinstance(kind, str) or not kind:
            kind = sse_name
        if not isinstance(kind, str) or not kind:
            raise BadItemError(f"not a Responses stream event: {short_repr(item)}")
        if self._done or kind in _IGNORED:
            return []
        out: list[Event] = []
        if kind in ("response.created", "response.queued", "response.in_progress"):
            self._lifecycle(kind, field(payload, "response"), out)
        elif kind == "response.output_item.added":
            self._item_added(payload, out)
        elif kind == "response.output_item.done":
            self._item_done(payload, out)
        elif kind == "response.output_text.delta":
            self._text(payload, "text", field(payload, "delta"), out)
        elif kind == "response.refusal.delta":
            self._text(payload, "refusal", field(payload, "delta"), out)
        elif kind == "response.output_text.done":
            self._reconcile_text(payload, "text", field(payload, "text"), out)
        elif kind == "response.refusal.done":
            self._reconcile_text(payload, "refusal", field(payload, "refusal"), out)
        elif kind == "response.reasoning_summary_text.delta":
            self._thinking(payload, "summary", field(payload, "delta"), out)
        elif kind == "response.reasoning_text.delta":
            self._thinking(payload, "reasoning", field(payload, "delta"), out)
        elif kind == "response.reasoning_summary_text.done":
            self._reconcile_thinking(payload, "summary", field(payload, "text"), out)
        elif kind == "response.reasoning_text.done":
            self._reconcile_thinking(payload, "reasoning", field(payload, "text"), out)
        elif kind in _ARGS_DELTAS:
            self._args_delta(payload, out)
        elif kind in _ARGS_DONES:
            call = self._item_of(payload)
            if call is not None:
                self._end_call(call, field(payload, _ARGS_DONES[kind]), out)
        elif kind == "response.output_text.annotation.added":
            out.append(Custom(name="annotation", value=plain(field(payload, "annotation"))))
        elif kind.startswith(_HOSTED_PREFIXES):
            self._hosted_progress(kind, payload, out)
        elif kind in _TERMINAL:
            self._terminal(kind, field(payload, "response"), out)
        elif kind == "error":
            self._error(_error_dict(payload), out)
        else:  # a type this adapter does not know (§13.14)
            out.append(Custom(name=kind, value=plain(payload), is_raw=True))
        return out

    def end(self) -> list[Event]:
        if self._done:
            return []
        self._done = True
        out: list[Event] = []
        self._close_all(out)
        self._end_step(out, "incomplete", None)
        out.append(
            RunEnd(reason="incomplete", message="the stream ended before response.completed")
        )
        return out

    # -- lifecycle -------------------------------------------------------------------------

    def _lifecycle(self, kind: str, response: Any, out: list[Event]) -> None:
        if not self._started:
            self._started = True
            run_id = field(response, "id")
            model = field(response, "model")
            out.append(
                RunStart(
                    run_id=run_id if isinstance(run_id, str) else "",
                    model=model if isinstance(model, str) else None,
                    provider="openai",
                )
            )
            self._step = run_id if isinstance(run_id, str) and run_id else "response"
            out.append(StepStart(step_id=self._step, name="model"))
        if kind != "response.created":
            state = kind.removeprefix("response.")
            out.append(Status(state=state, text=state.replace("_", " ") + "…"))

    def _terminal(self, kind: str, response: Any, out: list[Event]) -> None:
        self._done = True
        self._close_all(out)
        status = field(response, "status")
        usage = field(response, "usage")
        if usage is not None:
            out.append(_usage(usage))
        raw: str | None = status if isinstance(status, str) else None
        message: str | None = None
        reason: EndReason
        if kind == "response.failed" or status == "failed":
            error = _error_dict(field(response, "error"))
            message = error["message"]
            out.append(_error_event(error))
            reason = "error"
        elif status == "cancelled" or kind == "response.cancelled":
            reason, raw, message = "cancelled", "cancelled", "the response was cancelled"
        elif kind == "response.incomplete" or status == "incomplete":
            detail = field(field(response, "incomplete_details"), "reason")
            raw = detail if isinstance(detail, str) else "incomplete"
            reason = INCOMPLETE_REASONS.get(raw, "unknown")
            message = f"the response is incomplete ({raw})"
        else:
            reason = "tool_calls" if self._has_function_calls(response) else "completed"
            if reason == "completed" and self._refusal:
                reason = "refusal"
        self._end_step(out, reason, raw)
        out.append(RunEnd(reason=reason, raw_reason=raw, message=message))

    def _has_function_calls(self, response: Any) -> bool:
        output = field(response, "output")
        if isinstance(output, list) and output:
            return any(_str(field(item, "type")) in _FUNCTION_ITEMS for item in output)
        return self._function_calls

    def _error(self, error: dict[str, Any], out: list[Event]) -> None:
        self._done = True
        self._close_all(out)
        self._end_step(out, "error", None)
        out.append(_error_event(error))
        out.append(RunEnd(reason="error", message=error["message"]))

    def _end_step(self, out: list[Event], reason: str, raw: str | None) -> None:
        if self._step is not None:
            out.append(
                StepEnd(
                    step_id=self._step, name="model", finish_reason=reason, raw_finish_reason=raw
                )
            )
            self._step = None

    def _close_all(self, out: list[Event]) -> None:
        for item in self._items.values():
            if not item.ended:
                self._end_item(item, out)

    # -- output items ----------------------------------------------------------------------

    def _item_added(self, payload: Any, out: list[Event]) -> None:
        item = field(payload, "item")
        wire_id = field(item, "id")
        item_type = field(item, "type")
        if not isinstance(item_type, str):
            return
        output_index = int_or_none(field(payload, "output_index"))
        if not isinstance(wire_id, str) or not wire_id:
            wire_id = f"item_{output_index if output_index is not None else len(self._items)}"
        if output_index is not None:
            self._by_output[output_index] = wire_id
        if wire_id in self._items:
            return  # a duplicate, or deltas came first
        if item_type in _FUNCTION_ITEMS:
            call_id = field(item, "call_id")
            tool_call_id = call_id if isinstance(call_id, str) and call_id else wire_id
            state = self._items[wire_id] = _Item(tool_call_id, item_type)
            self._function_calls = True
            name = field(item, "name")
            state.name = name if isinstance(name, str) else ""
            out.append(
                ToolCallStart(
                    tool_call_id=tool_call_id,
                    name=state.name,
                    index=output_index,
                    synthetic_id=tool_call_id != call_id,
                )
            )
            arguments = field(item, "arguments")
            if item_type == "custom_tool_call":
                arguments = field(item, "input")
            if isinstance(arguments, str) and arguments:
                state.streamed.append(arguments)
                out.append(ToolCallArgsDelta(tool_call_id=tool_call_id, delta=arguments))
        elif item_type in _HOSTED_ITEMS or item_type.endswith("_call"):
            state = self._items[wire_id] = _Item(wire_id, item_type)
            name = field(item, "name") if item_type == "mcp_call" else None
            state.name = name if isinstance(name, str) and name else item_type
            out.append(
                ToolCallStart(
                    tool_call_id=wire_id, name=state.name, index=output_index, executor="server"
                )
            )
        elif item_type == "message":
            self._items[wire_id] = _Item(wire_id, item_type)
            role = field(item, "role")
            out.append(
                MessageStart(message_id=wire_id, role=role if isinstance(role, str) else None)
            )
        elif item_type == "reasoning":
            self._items[wire_id] = _Item(wire_id, item_type)
            out.append(MessageStart(message_id=wire_id, channel="thinking"))
        else:
            out.append(Custom(name=f"output_item.{item_type}", value=plain(item), is_raw=True))

    def _item_done(self, payload: Any, out: list[Event]) -> None:
        item = field(payload, "item")
        state = self._item_of(payload, item)
        if state is None:
            # never announced: announce it now, then finish it from its full content
            self._item_added(payload, out)
            state = self._item_of(payload, item)
            if state is None:
                return
        if state.ended:
            return
        wire_id = field(item, "id")
        if state.item_type == "message":
            content = field(item, "content")
            if isinstance(content, list):
                for index, part in enumerate(content):
                    kind = "refusal" if field(part, "type") == "refusal" else "text"
                    text = field(part, "refusal" if kind == "refusal" else "text")
                    self._reconcile(state, kind, index, text, out)
        elif state.item_type == "reasoning":
            for key in ("summary", "content"):
                parts = field(item, key)
                if isinstance(parts, list):
                    for index, part in enumerate(parts):
                        self._reconcile(state, key, index, field(part, "text"), out)
        elif state.item_type in _FUNCTION_ITEMS:
            key = "input" if state.item_type == "custom_tool_call" else "arguments"
            self._end_call(state, field(item, key), out)
            return
        elif isinstance(wire_id, str):
            self._end_hosted(state, item, out)
            return
        self._end_item(state, out, item)

    def _end_item(self, state: _Item, out: list[Event], item: Any = None) -> None:
        if state.ended:
            return
        if state.item_type == "message":
            state.ended = True
            if any(kind == "text" for kind, _ in state.parts) or not state.parts:
                out.append(MessageEnd(message_id=state.id))
            if any(kind == "refusal" for kind, _ in state.parts):
                out.append(MessageEnd(message_id=f"{state.id}:refusal"))
        elif state.item_type == "reasoning":
            state.ended = True
            encrypted = field(item, "encrypted_content")
            out.append(
                MessageEnd(
                    message_id=state.id,
                    channel="thinking",
                    encrypted_value=encrypted if isinstance(encrypted, str) else None,
                )
            )
        else:
            state.ended = True
            out.append(ToolCallEnd(tool_call_id=state.id))

    def _end_call(self, state: _Item, full: Any, out: list[Event]) -> None:
        """Close a tool call, reconciling its full argument text with the streamed one."""
        if state.ended:
            return
        state.ended = True
        if full is not None and not isinstance(full, str):
            full = json.dumps(plain(full), ensure_ascii=False)
        streamed = "".join(state.streamed)
        if isinstance(full, str) and full != streamed:
            if full.startswith(streamed):
                out.append(ToolCallArgsDelta(tool_call_id=state.id, delta=full[len(streamed) :]))
            else:
                out.append(ToolCallEnd(tool_call_id=state.id, arguments=full))
                return
        out.append(ToolCallEnd(tool_call_id=state.id))

    def _end_hosted(self, state: _Item, item: Any, out: list[Event]) -> None:
        state.ended = True
        if state.streamed:
            out.append(ToolCallEnd(tool_call_id=state.id))
        else:
            out.append(ToolCallEnd(tool_call_id=state.id, args=_hosted_args(item)))
        error = field(item, "error")
        status = field(item, "status")
        is_error = bool(error) or status in ("failed", "incomplete")
        content = _hosted_result(item)
        if error:
            content = error if isinstance(error, str) else plain(error)
        out.append(
            ToolResult(tool_call_id=state.id, content=content, name=state.name, is_error=is_error)
        )

    def _item_of(self, payload: Any, item: Any = None) -> _Item | None:
        wire_id = field(payload, "item_id")
        if not isinstance(wire_id, str):
            wire_id = field(item, "id")
        if not isinstance(wire_id, str):
            index = int_or_none(field(payload, "output_index"))
            wire_id = self._by_output.get(index) if index is not None else None
        return self._items.get(wire_id) if isinstance(wire_id, str) else None

    def _item_for_delta(self, payload: Any, item_type: str, out: list[Event]) -> _Item:
        """The item a delta belongs to; one is opened when no ``output_item.added`` came."""
        state = self._item_of(payload)
        if state is not None:
            return state
        wire_id = field(payload, "item_id")
        index = int_or_none(field(payload, "output_index"))
        if not isinstance(wire_id, str) or not wire_id:
            wire_id = f"item_{index if index is not None else len(self._items)}"
        if index is not None:
            self._by_output.setdefault(index, wire_id)
        state = self._items[wire_id] = _Item(wire_id, item_type)
        if item_type == "function_call":
            self._function_calls = True
            out.append(ToolCallStart(tool_call_id=wire_id, index=index, synthetic_id=True))
        return state

    # -- text, thinking, arguments ----------------------------------------------------------

    def _text(self, payload: Any, kind: str, delta: Any, out: list[Event]) -> None:
        if not isinstance(delta, str) or not delta:
            return
        state = self._item_for_delta(payload, "message", out)
        if state.item_type != "message":
            return
        index = int_or_none(field(payload, "content_index")) or 0
        key = (kind, index)
        state.parts[key] = state.parts.get(key, "") + delta
        if kind == "refusal":
            self._refusal = True
            out.append(TextDelta(message_id=f"{state.id}:refusal", delta=delta, refusal=True))
        else:
            out.append(TextDelta(message_id=state.id, delta=delta))

    def _reconcile_text(self, payload: Any, kind: str, full: Any, out: list[Event]) -> None:
        state = self._item_for_delta(payload, "message", out)
        if state.item_type == "message":
            index = int_or_none(field(payload, "content_index")) or 0
            self._reconcile(state, kind, index, full, out)

    def _thinking(self, payload: Any, kind: str, delta: Any, out: list[Event]) -> None:
        if not isinstance(delta, str) or not delta:
            return
        state = self._item_for_delta(payload, "reasoning", out)
        if state.item_type != "reasoning":
            return
        index_key = "summary_index" if kind == "summary" else "content_index"
        index = int_or_none(field(payload, index_key)) or 0
        self._emit_thinking(state, kind, index, delta, out)

    def _emit_thinking(
        self, state: _Item, kind: str, index: int, delta: str, out: list[Event]
    ) -> None:
        key = (kind, index)
        sep = "\n\n" if key not in state.parts and state.parts else ""  # a new part
        state.parts[key] = state.parts.get(key, "") + delta
        state.summary_index = index
        out.append(
            ThinkingDelta(
                message_id=state.id,
                delta=sep + delta,
                summary=kind == "summary",
                part_index=index if kind == "summary" else None,
            )
        )

    def _reconcile_thinking(self, payload: Any, kind: str, full: Any, out: list[Event]) -> None:
        state = self._item_for_delta(payload, "reasoning", out)
        if state.item_type == "reasoning":
            index_key = "summary_index" if kind == "summary" else "content_index"
            self._reconcile(state, kind, int_or_none(field(payload, index_key)) or 0, full, out)

    def _reconcile(self, state: _Item, kind: str, index: int, full: Any, out: list[Event]) -> None:
        """A full text of one part: emit the suffix not streamed yet, never the whole again."""
        if not isinstance(full, str) or not full or state.ended:
            return
        streamed = state.parts.get((kind, index), "")
        if len(full) <= len(streamed) or not full.startswith(streamed):
            return  # nothing missing, or it differs: keep what was shown
        suffix = full[len(streamed) :]
        if state.item_type == "reasoning":
            if streamed:
                state.parts[(kind, index)] = full
                out.append(
                    ThinkingDelta(
                        message_id=state.id,
                        delta=suffix,
                        summary=kind == "summary",
                        part_index=index if kind == "summary" else None,
                    )
                )
            else:
                self._emit_thinking(state, kind, index, suffix, out)
            return
        state.parts[(kind, index)] = full
        if kind == "refusal":
            self._refusal = True
            out.append(TextDelta(message_id=f"{state.id}:refusal", delta=suffix, refusal=True))
        else:
            out.append(TextDelta(message_id=state.id, delta=suffix))

    def _args_delta(self, payload: Any, out: list[Event]) -> None:
        delta = field(payload, "delta")
        if not isinstance(delta, str) or not delta:
            return
        state = self._item_for_delta(payload, "function_call", out)
        if state.item_type in ("message", "reasoning") or state.ended:
            return
        state.streamed.append(delta)
        out.append(ToolCallArgsDelta(tool_call_id=state.id, delta=delta))

    def _hosted_progress(self, kind: str, payload: Any, out: list[Event]) -> None:
        tool, _, phase = kind.removeprefix("response.").rpartition(".")
        if phase not in _PROGRESS:
            out.append(Custom(name=kind, value=plain(payload), is_raw=True))
            return
        state = self._item_of(payload)
        label = tool.removesuffix("_call").replace("_", " ")
        text = f"{label}: {phase.replace('_', ' ')}" + (
            "" if phase in ("completed", "failed") else "…"
        )
        out.append(
            Status(
                state=phase,
                text=text,
                detail=tool,
                tool_call_id=state.id if state is not None else None,
            )
        )


def _hosted_args(item: Any) -> Any:
    """What a hosted tool was asked: the web search action, the file search queries…"""
    args: dict[str, Any] = {}
    for key in ("action", "queries", "code", "arguments", "server_label", "name", "container_id"):
        value = field(item, key)
        if value is not None and value != "":
            args[key] = plain(value)
    return args


def _hosted_result(item: Any) -> Any:
    """A hosted tool's output, from its ``output_item.done`` item."""
    for key in ("output", "outputs", "results", "tools"):
        value = field(item, key)
        if value is not None:
            return plain(value)
    if field(item, "result") is not None:  # image generation: base64, not shown
        return "[image]"
    status = field(item, "status")
    return status if isinstance(status, str) else None


def _error_dict(error: Any) -> dict[str, Any]:
    """``{"message", "code", "type", ...}`` of an ``error`` event or ``response.error``."""
    data = plain(error)
    out: dict[str, Any] = dict(data) if isinstance(data, Mapping) else {}
    out.pop("sequence_number", None)
    if out.get("type") == "error":
        out.pop("type")
    nested = out.get("error")
    if isinstance(nested, Mapping):
        out = {**out, **nested}
        out.pop("error", None)
    message = out.get("message")
    if not isinstance(message, str) or not message:
        out["message"] = "the server sent an error"
    return out


def _error_event(error: dict[str, Any]) -> ErrorEvent:
    code = error.get("code")
    if code is not None and not isinstance(code, (str, int)):
        code = str(code)
    error_type = error.get("type")
    return ErrorEvent(
        message=error["message"],
        code=code,
        error_type=error_type if isinstance(error_type, str) else None,
        recoverable=False,
        details=error,
    )


def _usage(usage: Any) -> Usage:
    return Usage(
        input_tokens=int_or_none(field(usage, "input_tokens")),
        output_tokens=int_or_none(field(usage, "output_tokens")),
        total_tokens=int_or_none(field(usage, "total_tokens")),
        reasoning_tokens=int_or_none(
            field(field(usage, "output_tokens_details"), "reasoning_tokens")
        ),
        cached_input_tokens=int_or_none(
            field(field(usage, "input_tokens_details"), "cached_tokens")
        ),
        cumulative=True,
        scope="run",
    )


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""
