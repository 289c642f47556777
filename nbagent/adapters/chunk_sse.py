"""``format="chunk-sse"``: the minimal seed chunk stream (design ``protocols.md`` §10.1, §12.9a).

    data: {"chunk": "Hel"}

    data: {"chunk": "lo"}

    data: [DONE]

Items: ``ServerSentEvent``s, dicts, JSON strings (an SSE ``data:`` prefix is allowed) or
``"[DONE]"``. ``{"chunk": s}`` → text; ``{"error": e}`` → a fatal error and
``run_end("error")``; a frame with other keys → ``custom``; ``[DONE]`` →
``run_end("completed")``; the end of input without ``[DONE]`` → ``run_end("incomplete")``.
Data that is not JSON becomes a visible warning (a recoverable error), not a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent.adapters.base import BLANK, BadItemError, ServerSentEvent, data_payload, short_repr
from nbagent.adapters.kit.dispatch import never_raises
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.core.events import Custom, ErrorEvent, Event, RunEnd, TextDelta

__all__ = ["ChunkSseAdapter"]


def _error_message(value: Any) -> tuple[str, str | None, str | int | None]:
    """``(message, error_type, code)`` of an ``error`` value (a string or an object)."""
    if isinstance(value, Mapping):
        message = value.get("message") or value.get("error") or value.get("detail")
        kind = value.get("type") or value.get("name")
        code = value.get("code")
        return (
            str(message) if message else short_repr(dict(value), 300),
            kind if isinstance(kind, str) else None,
            code if isinstance(code, (str, int)) and not isinstance(code, bool) else None,
        )
    return (str(value) if value not in (None, "") else "error", None, None)


class ChunkSseAdapter:
    """``{"chunk": s}`` frames → one text message; ``[DONE]`` ends the run."""

    name: ClassVar[str] = "chunk-sse"

    def __init__(self) -> None:
        self._life = Lifecycle("chunk-sse")
        self._message_id = Ids().new("text")  # the one message: run:text1 (the wire names none)

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """A frame whose keys are exactly ``chunk`` (a string) or exactly ``error``."""
        payload = data_payload(item)
        if isinstance(item, ServerSentEvent) and item.event != "message":
            return False
        if not isinstance(payload, Mapping) or len(payload) != 1:
            return False
        if "chunk" in payload:
            return isinstance(payload["chunk"], str)
        return "error" in payload

    def feed(self, item: Any) -> list[Event]:
        if self._life.done:
            return []
        try:
            payload = data_payload(item)
        except BadItemError as exc:
            return [ErrorEvent(message=str(exc), error_type="bad_item", recoverable=True)]
        if payload is BLANK:
            return []
        if payload == "[DONE]":
            self._life.end()
            return [RunEnd(reason="completed", raw_reason="[DONE]")]
        if not isinstance(payload, Mapping):
            return [Custom(name="chunk-sse", value=payload)]
        out: list[Event] = []
        chunk = payload.get("chunk")
        if isinstance(chunk, str):
            if chunk:
                out.append(TextDelta(message_id=self._message_id, delta=chunk))
        elif "error" in payload:
            message, kind, code = _error_message(payload["error"])
            self._life.end()
            return [
                ErrorEvent(message=message, error_type=kind, code=code, recoverable=False),
                RunEnd(reason="error", message=message),
            ]
        others = {k: v for k, v in payload.items() if k != "chunk" or not isinstance(v, str)}
        if others:
            out.append(Custom(name="chunk-sse", value=others))
        return out

    def end(self) -> list[Event]:
        if not self._life.end():
            return []
        return [RunEnd(reason="incomplete", message="stream ended without [DONE]")]
