"""``format="bedrock"``: Amazon Bedrock's Converse stream (``converse_stream()["stream"]``).

Items are the dicts botocore yields, one key a dict: ``messageStart{role}``,
``contentBlockStart{start: {toolUse{toolUseId, name, type}} | {toolResult{toolUseId, status}},
contentBlockIndex}``, ``contentBlockDelta{delta: text | toolUse.input (a JSON fragment) |
reasoningContent{text | signature | redactedContent} | toolResult[{text | json}],
contentBlockIndex}``, ``contentBlockStop``, ``messageStop{stopReason}``, ``metadata{usage{
inputTokens, outputTokens, totalTokens, cacheReadInputTokens, cacheWriteInputTokens,
cacheDetails[{ttl, inputTokens}]}, metrics{latencyMs}}`` (the input leaves out the cache reads
and writes, the total has them) and
the exception events (``modelStreamErrorException{message}``, ...; botocore raises those, the
dict form is read too). JSON text of one item is accepted.

- Text and reasoning blocks are messages ``run:text{n}``, ``run:think{n}`` (the kit's ``Ids``;
  a call with no ``toolUseId``, ``run:call{n}``); a reasoning block's
  ``signature`` and ``redactedContent`` (bytes, given as base64) go on its ``MessageEnd``.
- A ``toolUse`` block is a tool call with Bedrock's ``toolUseId`` (a server tool's call is
  ``executor="server"``); a ``toolResult`` block (a server tool's result) is a ``ToolResult``.
- ``messageStop`` ends the one model step (``stopReason``: end_turn / stop_sequence →
  completed, tool_use → tool_calls, max_tokens / model_context_window_exceeded → max_tokens,
  guardrail_intervened / content_filtered → content_filter, malformed_* → error); the run ends
  after the ``metadata`` that follows it (its usage, ``meta={"latency_ms": ...}``), or at the end
  of the input. No ``messageStop`` → the normalizer's ``incomplete``.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent.adapters.base import (
    BadItemError,
    ServerSentEvent,
    field,
    int_or_none,
    list_or_empty,
    plain,
    str_or_none,
    unwrap_object,
)
from nbagent.adapters.kit.finish import ANTHROPIC_STOPS, end_reason
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.lifecycle import Lifecycle, ModelStep
from nbagent.adapters.kit.parts import Part, PartKind, Parts
from nbagent.adapters.kit.usage import cache_writes
from nbagent.core.events import (
    EndReason,
    ErrorEvent,
    Event,
    RunEnd,
    ToolResult,
    Usage,
)

__all__ = ["BedrockAdapter"]

STEP_ID = "bedrock"

EVENTS = frozenset(
    {
        "messageStart",
        "contentBlockStart",
        "contentBlockDelta",
        "contentBlockStop",
        "messageStop",
        "metadata",
    }
)
EXCEPTIONS = frozenset(
    {
        "internalServerException",
        "modelStreamErrorException",
        "validationException",
        "throttlingException",
        "serviceUnavailableException",
    }
)

STOP_REASONS: dict[str, EndReason] = {
    **ANTHROPIC_STOPS,
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
    "malformed_model_output": "error",
    "malformed_tool_use": "error",
}
"""Bedrock's ``stopReason`` → ``RunEnd.reason`` (anything else → ``"unknown"``)."""


class Result:
    """A server tool's result block: the call it answers, its status and its pieces."""

    __slots__ = ("id", "parts", "status")

    def __init__(self, call_id: str, status: str | None) -> None:
        self.id = call_id
        self.status = status
        self.parts: list[Any] = []


def _is_event(item: Any) -> bool:
    if not isinstance(item, Mapping) or len(item) != 1:
        return False
    ((key, value),) = item.items()
    if not isinstance(value, Mapping):
        return False
    if key == "metadata":  # a common word: only with Bedrock's own fields
        return "usage" in value or "metrics" in value
    return key in EVENTS or key in EXCEPTIONS


def _index(value: Any) -> int:
    """An event's ``contentBlockIndex`` (-1 when it has none)."""
    index = int_or_none(field(value, "contentBlockIndex"))
    return -1 if index is None else index


def _redacted(value: Any) -> str | None:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value if isinstance(value, str) and value else None


class BedrockAdapter:
    """Converse stream events → events (see the module docstring)."""

    name: ClassVar[str] = "bedrock"

    def __init__(self) -> None:
        self._life = Lifecycle("bedrock", "Converse stream event dicts")
        self._run = ModelStep(STEP_ID, self._life)
        self._parts = Parts(Ids())
        self._results: dict[int, Result] = {}  # server tools' result blocks, by index
        self._stop: str | None = None
        self._stopped = False

    @staticmethod
    def detect(item: Any) -> bool:
        """One Converse stream event: a dict of one key (``messageStart``, ...) whose value is a
        dict (an SSE event or JSON text of one too)."""
        if isinstance(item, ServerSentEvent):
            try:
                _, item = unwrap_object(item, "bedrock", "")
            except BadItemError:
                return False
        return _is_event(item)

    def feed(self, item: Any) -> list[Event]:
        if self._run.done:
            return []
        _, payload = self._life.unwrap(item)
        if not _is_event(payload):
            raise self._life.bad(
                "an event is a dict of one key (messageStart, contentBlockDelta, ...)", item
            )
        ((key, value),) = payload.items()
        out: list[Event] = []
        if key in EXCEPTIONS:
            return self._error(key, value, out)
        self._run.start(out, provider="bedrock")
        if key == "contentBlockStart":
            self._block_start(value, out)
        elif key == "contentBlockDelta":
            self._block_delta(value, out)
        elif key == "contentBlockStop":
            self._close_at(_index(value), out)
        elif key == "messageStop":
            self._message_stop(value, out)
        elif key == "metadata":
            self._metadata(value, out)
        return out

    def end(self) -> list[Event]:
        if not self._stopped or self._run.done:
            return self._run.cut_off(
                self._close_all, "event", "the stream ended without messageStop"
            )
        self._life.end()
        out: list[Event] = []
        self._close_all(out)
        reason = end_reason(STOP_REASONS, self._stop, absent="completed")
        out.append(RunEnd(reason=reason, raw_reason=self._stop))
        return out

    # -- lifecycle ---------------------------------------------------------------------------

    def _message_stop(self, value: Any, out: list[Event]) -> None:
        self._close_all(out)
        self._stopped = True
        self._stop = str_or_none(field(value, "stopReason"))
        reason = end_reason(STOP_REASONS, self._stop, absent="completed")
        self._run.end_step(out, reason, self._stop)

    def _metadata(self, value: Any, out: list[Event]) -> None:
        usage = field(value, "usage")
        latency = int_or_none(field(field(value, "metrics"), "latencyMs"))
        if usage is not None or latency is not None:
            by_ttl = {
                field(d, "ttl"): field(d, "inputTokens")
                for d in list_or_empty(field(usage, "cacheDetails"))
            }
            written, hour = cache_writes(
                field(usage, "cacheWriteInputTokens"), by_ttl.get("5m"), by_ttl.get("1h")
            )
            out.append(
                Usage(
                    input_tokens=int_or_none(field(usage, "inputTokens")),
                    output_tokens=int_or_none(field(usage, "outputTokens")),
                    total_tokens=int_or_none(field(usage, "totalTokens")),
                    cached_input_tokens=int_or_none(field(usage, "cacheReadInputTokens")),
                    cache_write_tokens=written,
                    cache_write_1h_tokens=hour,
                    cumulative=True,
                    scope="run",
                    step_id=STEP_ID,
                    meta={"latency_ms": latency} if latency is not None else None,
                )
            )
        if self._stopped:  # the metadata after messageStop is the stream's last event
            out.extend(self.end())

    def _error(self, key: str, value: Any, out: list[Event]) -> list[Event]:
        message = str_or_none(field(value, "message")) or key
        error = ErrorEvent(message=message, error_type=key, details=plain(value))
        return self._run.fail(out, self._close_all, error)

    # -- content blocks ---------------------------------------------------------------------

    def _open(self, index: int, kind: PartKind, out: list[Event], tool_use: Any = None) -> Part:
        """A new part at ``index`` (the block there closed first): a thinking message
        announced, a tool call started (of its ``toolUse``, else of a fragment with no start)."""
        self._close_at(index, out)
        if kind != "call":
            return self._parts.start(kind, index, out, announce=kind == "thinking")
        executor = "server" if field(tool_use, "type") == "server_tool_use" else None
        return self._parts.start(
            "call",
            index,
            out,
            wire_id=str_or_none(field(tool_use, "toolUseId")),
            name=str_or_none(field(tool_use, "name")) or "",
            index=index,
            executor=executor,
        )

    def _part(self, value: Any, kind: PartKind, out: list[Event]) -> Part:
        """The open part of this event's index, opened anew unless it is a ``kind`` one."""
        index = _index(value)
        part = self._parts.get(index)
        return part if part is not None and part.kind == kind else self._open(index, kind, out)

    def _block_start(self, value: Any, out: list[Event]) -> None:
        start = field(value, "start")
        tool_use = field(start, "toolUse")
        tool_result = field(start, "toolResult")
        index = _index(value)
        if tool_use is not None:
            self._open(index, "call", out, tool_use)
            return
        self._close_at(index, out)
        if tool_result is not None:
            self._results[index] = Result(
                str_or_none(field(tool_result, "toolUseId")) or "",
                str_or_none(field(tool_result, "status")),
            )

    def _block_delta(self, value: Any, out: list[Event]) -> None:
        delta = field(value, "delta")
        text = field(delta, "text")
        if isinstance(text, str):
            if text:
                self._parts.delta(self._part(value, "text", out), text, out)
            return
        reasoning = field(delta, "reasoningContent")
        if reasoning is not None:
            part = self._part(value, "thinking", out)
            self._parts.delta(part, field(reasoning, "text"), out)
            signature = str_or_none(field(reasoning, "signature"))
            redacted = _redacted(field(reasoning, "redactedContent"))
            if signature:
                part.end["signature"] = signature
            if redacted:
                part.end.update(redacted=True, encrypted_value=redacted)
            return
        tool_use = field(delta, "toolUse")
        if tool_use is not None:
            self._parts.delta(self._part(value, "call", out), field(tool_use, "input"), out)
            return
        results = field(delta, "toolResult")
        if results is not None:
            index = _index(value)
            if index not in self._results:
                self._close_at(index, out)
                self._results[index] = Result(self._parts.ids.new("call"), None)
            self._results[index].parts.extend(plain(p) for p in list_or_empty(results))

    def _close_at(self, index: int, out: list[Event]) -> None:
        """The end of the block at ``index``: its part's, or its server tool's result."""
        self._parts.close(index, out)
        result = self._results.pop(index, None)
        if result is not None and result.id:
            out.append(
                ToolResult(
                    tool_call_id=result.id,
                    content=_result_content(result.parts),
                    is_error=result.status == "error",
                )
            )

    def _close_all(self, out: list[Event]) -> None:
        parts = {key for _, key in self._parts.open if isinstance(key, int)}
        for index in sorted(parts | set(self._results)):
            self._close_at(index, out)


def _result_content(parts: list[Any]) -> Any:
    """A server tool's result pieces: their text joined, or their JSON values."""
    texts = [t for p in parts if isinstance(t := field(p, "text"), str)]
    if len(texts) == len(parts):
        return "".join(texts)
    values = [field(p, "json") if field(p, "json") is not None else p for p in parts]
    return values[0] if len(values) == 1 else values
