"""``AcpAdapter``: one ACP prompt turn's ``session/update`` notifications and its end → events
(the mapping: the package's docstring)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from nbagent.adapters.acp import plans
from nbagent.adapters.acp.content import block_text
from nbagent.adapters.acp.notes import Compactions, notice
from nbagent.adapters.acp.permission import Permissions, is_answer, is_request
from nbagent.adapters.acp.session import SessionInfo, session_cost
from nbagent.adapters.acp.tools import AcpCalls
from nbagent.adapters.base import (
    ServerSentEvent,
    as_payload,
    ended_before_any,
    field,
    int_or_none,
    is_library_object,
    plain,
    str_or_none,
    type_is,
    unwrap,
)
from nbagent.adapters.kit.dispatch import never_raises
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.adapters.kit.messages import Channel, Messages, invented
from nbagent.core.events import (
    Custom,
    EndReason,
    ErrorEvent,
    Event,
    RunEnd,
    State,
    Usage,
)

__all__ = ["STOP_REASONS", "AcpAdapter"]

STOP_REASONS: dict[str, EndReason] = {
    "end_turn": "completed",
    "max_tokens": "max_tokens",
    "max_turn_requests": "max_steps",
    "refusal": "refusal",
    "cancelled": "cancelled",
}
"""The prompt response's ``stopReason`` → ``RunEnd.reason`` (anything else: ``"unknown"``)."""

CHANNELS: dict[str, Channel] = {"agent_message_chunk": "text", "agent_thought_chunk": "thinking"}
TOOL_UPDATES = ("tool_call", "tool_call_update")
PLANS: dict[str, Callable[[Mapping[str, Any]], State | None]] = {
    "plan": plans.plan,
    "plan_update": plans.plan_update,
    "plan_removed": plans.plan_removed,
}
"""The updates that are the run's plans (``plans.py``)."""
KNOWN = (*CHANNELS, *TOOL_UPDATES, "user_message_chunk", "usage_update", *PLANS)
QUIET = (
    "current_mode_update",
    "available_commands_update",
    "config_option_update",
    "session_info_update",
)
"""The updates kept as ``Custom("acp.<sessionUpdate>")``, not shown as content."""
NOTES = ("notice", "compaction_update", "compaction_summary_chunk")
"""The updates that are notes of the run (``notes.py``)."""
READ = frozenset((*KNOWN, *QUIET, *NOTES))
"""The updates nbagent reads (besides its own, ``_nbagent/…``): any other kind is kept raw,
with one warning per kind in a run."""
_CANCEL = "$/cancel_request"


def _decoded(item: Any) -> Any:
    """An item as its wire dict: an SDK object's ``as_payload``, a JSON string or SSE decoded."""
    return as_payload(item) if is_library_object(item) else unwrap(item)[1]


def _payload(item: Any) -> Any:
    return _params(_decoded(item))


def _is_cancel_request(message: Any, payload: Mapping[str, Any]) -> bool:
    """``$/cancel_request`` (the JSON-RPC notification, or the SDK's
    ``CancelRequestNotification``: ``{"requestId"}`` alone)."""
    if isinstance(message, Mapping) and message.get("method") == "$/cancel_request":
        return True
    return "requestId" in payload and set(payload) <= {"requestId", "_meta", "sessionId"}


def _params(payload: Any) -> Any:
    """A JSON-RPC ``session/update`` notification's params or a response's result (another
    payload as it is)."""
    if isinstance(payload, Mapping) and payload.get("jsonrpc") == "2.0":
        if payload.get("method") in ("session/update", "session/request_permission", _CANCEL):
            return payload.get("params")
        if "result" in payload:
            return payload.get("result")
    return payload


def _update_kind(payload: Any) -> str | None:
    update = payload.get("update") if isinstance(payload, Mapping) else None
    kind = update.get("sessionUpdate") if isinstance(update, Mapping) else None
    return kind if isinstance(kind, str) else None


def _usage(usage: Any, **fields: Any) -> Usage:
    """The prompt response's ``usage`` (the turn's tokens: input, output, total, thought as
    reasoning, cache reads as cached input, cache writes); a count that is no whole number of
    tokens, or is negative, is unknown."""

    def count(key: str) -> int | None:
        value = int_or_none(field(usage, key))
        return value if value is not None and value >= 0 else None

    return Usage(
        input_tokens=count("inputTokens"),
        output_tokens=count("outputTokens"),
        total_tokens=count("totalTokens"),
        reasoning_tokens=count("thoughtTokens"),
        cached_input_tokens=count("cachedReadTokens"),
        cache_write_tokens=count("cachedWriteTokens"),
        **fields,
    )


class AcpAdapter:
    """ACP ``session/update`` notifications of one prompt turn, then its end → events."""

    name: ClassVar[str] = "acp"

    def __init__(self) -> None:
        self._life = Lifecycle("acp")
        self._messages = Messages(invented(Ids()), {"text": {"role": "assistant"}, "thinking": {}})
        self._keys: dict[Channel, str | None] = {}
        self._calls = AcpCalls()
        self._permissions = Permissions()
        self._session = SessionInfo()
        self._compactions = Compactions()
        self._unread: set[str] = set()
        """The update kinds nbagent does not read seen in this turn (one warning each)."""
        self._asked: dict[str, str] = {}
        """The JSON-RPC id of each permission request fed whole → its call (``$/cancel_request``
        names the request by id)."""

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """A ``SessionNotification`` of the ``agent-client-protocol`` SDK, or its wire dict
        (JSON text, SSE data, the JSON-RPC ``session/update`` notification): a payload whose
        ``update.sessionUpdate`` is a string."""
        if is_library_object(item) and not type_is(item, "acp"):
            return False  # another library's object: never serialize it here
        return _update_kind(_payload(item)) is not None

    # -- the adapter interface ---------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._life.done:
            return []
        if isinstance(item, ServerSentEvent) and not item.data.strip():
            return []
        message = _decoded(item)
        payload = _params(message)
        if not isinstance(payload, Mapping):
            raise self._life.bad("an item must be a JSON object", item)
        out: list[Event] = []
        self._life.begin(out, thread_id=str_or_none(payload.get("sessionId")))
        if _is_cancel_request(message, payload):
            self._on_cancel_request(payload, out)
            return out
        if isinstance(message, Mapping) and is_request(payload) and "id" in message:
            call_id = str_or_none(payload["toolCall"].get("toolCallId"))
            if call_id is not None and isinstance(message["id"], (str, int)):
                self._asked[str(message["id"])] = call_id
        if "update" not in payload and "sessionUpdate" in payload:
            payload = {"update": payload}  # a bare update, without its notification
        update = payload.get("update")
        if isinstance(update, Mapping) and isinstance(update.get("sessionUpdate"), str):
            self._on_update(update, out)
        elif is_request(payload):
            self._on_permission(payload, out)
        elif is_answer(payload):
            self._permissions.answer(payload, out)
        elif "stopReason" in payload:
            self._on_end(payload, out)
        elif isinstance(payload.get("error"), Mapping):
            self._on_error(payload["error"], out)
        else:
            out.append(Custom(name="acp.unknown", value=plain(dict(payload)), is_raw=True))
        return out

    def end(self) -> list[Event]:
        if not self._life.end():
            return []
        if not self._life.started:
            return [ended_before_any("session update")]
        out: list[Event] = []
        self._close(out)
        message = "the agent's turn ended without its prompt response"
        out.append(RunEnd(reason="incomplete", message=message))
        return out

    # -- lifecycle -----------------------------------------------------------------------------

    def _close(self, out: list[Event]) -> None:
        self._messages.close_all(out)
        self._keys.clear()
        self._calls.close(out)

    def _on_end(self, response: Mapping[str, Any], out: list[Event]) -> None:
        """The ``session/prompt`` response ``{"stopReason": ..., "usage": {...}}``."""
        self._life.end()
        self._close(out)
        raw = str_or_none(response.get("stopReason"))
        usage = response.get("usage")
        if isinstance(usage, Mapping):
            out.append(_usage(usage, scope="run", cumulative=True))
        reason = STOP_REASONS.get(raw or "", "unknown")
        out.append(RunEnd(reason=reason, raw_reason=raw))

    def _on_error(self, error: Mapping[str, Any], out: list[Event]) -> None:
        """A JSON-RPC error answering the prompt: the run's error end."""
        self._life.end()
        self._close(out)
        message = str_or_none(error.get("message")) or "the agent answered the prompt with an error"
        code = error.get("code")
        code = code if isinstance(code, (str, int)) and not isinstance(code, bool) else None
        out.append(
            ErrorEvent(message=message, code=code, error_type="jsonrpc", details=plain(dict(error)))
        )
        out.append(RunEnd(reason="error", raw_reason="jsonrpc-error", message=message))

    # -- updates -------------------------------------------------------------------------------

    def _on_permission(self, request: Mapping[str, Any], out: list[Event]) -> None:
        """``session/request_permission`` (``permission.py``): its call's panel, paused."""
        call = request["toolCall"]
        call_id = str_or_none(call.get("toolCallId"))
        if call_id is None:
            out.append(
                Custom(name="acp.request_permission", value=plain(dict(request)), is_raw=True)
            )
            return
        self._messages.close_all(out)
        self._calls.update(call, out)
        title = str_or_none(call.get("title")) or str_or_none(call.get("kind")) or "tool call"
        self._permissions.request(call_id, title, request.get("options"), out)

    def _on_update(self, update: Mapping[str, Any], out: list[Event]) -> None:
        kind = str(update["sessionUpdate"])
        channel = CHANNELS.get(kind)
        if channel is not None:
            self._chunk(channel, update, out)
        elif kind in TOOL_UPDATES and str_or_none(update.get("toolCallId")) is not None:
            self._messages.close_all(out)
            self._calls.update(update, out)
        elif kind == "user_message_chunk":
            self._messages.close_all(out)
            text = block_text(update.get("content"))
            meta = (
                {"message_id": update["messageId"]}
                if str_or_none(update.get("messageId"))
                else None
            )
            out.append(Custom(name="user_message", value=text, meta=meta))
        elif kind == "usage_update":
            out.append(self._context_usage(update))
            if (cost := session_cost(update.get("cost"))) is not None:  # not USD
                out.append(cost)
        elif kind == "_nbagent/terminal":
            self._calls.terminal(update, out)
        elif kind == "_nbagent/status":
            self._messages.close_all(out)
            self._calls.status(update, out)
        elif kind == "_nbagent/warning":
            message = str_or_none(update.get("message")) or "a warning from the ACP client"
            error_type = str_or_none(update.get("errorType")) or "stray_output"
            out.append(ErrorEvent(message=message, error_type=error_type, recoverable=True))
        elif kind in PLANS and (state := PLANS[kind](update)) is not None:
            out.append(state)
        elif kind == "_nbagent/session":
            out.append(self._session.said(update))
        elif kind in NOTES and (note := self._note(kind, update)) is not None:
            self._messages.close_all(out)
            self._keys.clear()
            out.append(note)
        else:  # a plan_update / plan_removed that names no plan is raw, as unknown updates
            value = plain({k: v for k, v in update.items() if k != "sessionUpdate"})
            raw = kind not in QUIET
            if raw is False and (shown := self._session.snapshot(kind, update)) is not None:
                out.append(shown)  # on the status line (``session.py``)
            out.append(Custom(name=f"acp.{kind}", value=value, is_raw=raw))
            if kind not in READ and not kind.startswith("_nbagent/") and kind not in self._unread:
                self._unread.add(kind)
                message = f"an update nbagent does not read was kept raw: {kind[:100]}"
                out.append(ErrorEvent(message=message, error_type="acp.unread", recoverable=True))

    def _note(self, kind: str, update: Mapping[str, Any]) -> Custom | None:
        """A notice's or a compaction's note (``notes.py``); None for one with no id."""
        if kind == "notice":
            return notice(update)
        if kind == "compaction_update":
            return self._compactions.update(update)
        return self._compactions.chunk(update)

    def _on_cancel_request(self, payload: Mapping[str, Any], out: list[Event]) -> None:
        """``$/cancel_request``: the agent withdrew a request; a permission request it names
        (by the JSON-RPC id it was fed with) is answered cancelled; another is kept raw."""
        request_id = payload.get("requestId")
        key = str(request_id) if isinstance(request_id, (str, int)) else None
        call_id = self._asked.pop(key, None) if key is not None else None
        if call_id is None:
            value = plain(dict(payload))
            out.append(Custom(name="acp.cancel_request", value=value, is_raw=True))
            return
        self._permissions.withdrawn(call_id, out)

    def _chunk(self, channel: Channel, update: Mapping[str, Any], out: list[Event]) -> None:
        """A message chunk: text appended to the open message of its channel; a new message
        when its ``messageId`` changes or the other channel spoke in between."""
        other: Channel = "thinking" if channel == "text" else "text"
        if self._messages.close(other, out) is not None:
            self._keys.pop(other, None)
        key = str_or_none(update.get("messageId"))
        if channel in self._keys and key is not None and self._keys[channel] not in (None, key):
            self._messages.close(channel, out)
        self._keys[channel] = key
        text = block_text(update.get("content"))
        if text:
            self._messages.delta(channel, text, out)

    @staticmethod
    def _context_usage(update: Mapping[str, Any]) -> Usage:
        """``usage_update``: the context window (``used`` of ``size`` tokens) in ``meta``, and
        the session's cost so far (USD as ``cost_usd``, another currency in ``meta``)."""
        meta: dict[str, Any] = {}
        used, size = int_or_none(update.get("used")), int_or_none(update.get("size"))
        if used is not None:
            meta["context_used"] = used
        if size is not None:
            meta["context_size"] = size
        cost = update.get("cost")
        cost_usd = None
        if isinstance(cost, Mapping):
            amount = cost.get("amount")
            usd = cost.get("currency") == "USD" and not isinstance(amount, bool)
            if usd and isinstance(amount, (int, float)) and math.isfinite(amount):
                cost_usd = float(amount)
            else:
                meta["cost"] = plain(dict(cost))
            meta["cost_scope"] = "session"
        return Usage(scope="run", cumulative=True, cost_usd=cost_usd, meta=meta or None)
