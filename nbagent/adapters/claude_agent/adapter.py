"""``ClaudeAgentAdapter``: detection, ``feed`` / ``end`` and the run's life (the ``init`` system
message, the other system messages, rate limits, the ``result`` message that ends it); assistant
and user messages and the stream-event partials are read by the ``Turns`` part it composes
(``turns.py``), the readers in ``maps.py``. The package docstring has the mapping and ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent.adapters.base import (
    BadItemError,
    ServerSentEvent,
    field,
    library_label,
    list_or_empty,
    plain,
    short_repr,
    str_or_none,
    type_is,
    unwrap,
)
from nbagent.adapters.claude_agent.maps import PACKAGE, end_reason, message_kind
from nbagent.adapters.claude_agent.turns import Turns
from nbagent.adapters.kit import anthropic_usage
from nbagent.adapters.kit.dispatch import never_raises
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.core.events import Custom, Event, RunEnd, RunStart, Status

__all__ = ["ClaudeAgentAdapter"]

_TASKS = ("task_started", "task_progress", "task_notification", "task_updated")
_STATUSES = (*_TASKS, "status", "compact_boundary", "api_retry")


class ClaudeAgentAdapter:
    """Claude Agent SDK messages (or the CLI's stream-json lines) → events."""

    name: ClassVar[str] = "claude-agent"

    def __init__(self) -> None:
        self._life = Lifecycle(
            "claude-agent",
            "claude_agent_sdk messages or the CLI's stream-json lines (dicts with a known type)",
        )
        self._model: str | None = None
        self._turns = Turns()

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """A message of the SDK (``claude_agent_sdk`` types), or a line of the CLI's
        ``--output-format stream-json`` (``type`` with ``session_id``)."""
        if type_is(item, PACKAGE):
            return message_kind(item) is not None
        if isinstance(item, (ServerSentEvent, str, bytes)):
            item = unwrap(item)[1]
        if not isinstance(item, Mapping) or not isinstance(item.get("session_id"), str):
            return False
        kind = item.get("type")
        if kind == "system":
            return isinstance(item.get("subtype"), str)
        if kind in ("assistant", "user"):
            return "parent_tool_use_id" in item and isinstance(item.get("message"), Mapping)
        if kind == "result":
            return "duration_ms" in item and "is_error" in item
        if kind == "stream_event":
            return isinstance(item.get("event"), Mapping)
        return kind == "rate_limit_event" and isinstance(item.get("rate_limit_info"), Mapping)

    # -- the adapter interface ---------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._life.done:
            return []
        item = self._decode(item)
        kind = message_kind(item)
        out: list[Event] = []
        if kind == "system" and field(item, "subtype") == "init" and self._life.start():
            self._init(item, out)
            return out
        self._life.begin(out, provider="anthropic")
        if kind == "assistant":
            self._turns.assistant(item, out)
        elif kind == "user":
            self._turns.user(item, out)
        elif kind == "stream_event":
            self._turns.stream_event(item, out)
        elif kind == "system":
            self._system(item, out)
        elif kind == "result":
            self._result(item, out)
        elif kind == "rate_limit_event":
            info = field(item, "rate_limit_info")
            raw = field(info, "raw") if not isinstance(info, Mapping) else info
            status = str_or_none(field(info, "status")) or "unknown"
            out.append(Status(state="rate_limit", text=status, detail=plain(raw)))
        else:
            out.append(Custom(name=str(kind), value=_plain(item), is_raw=True))
        return out

    def end(self) -> list[Event]:
        if not self._life.end():
            return []
        out: list[Event] = []
        self._turns.close_all(out)
        out.append(RunEnd(reason="incomplete", message="the stream ended without a result message"))
        return out

    # -- decoding --------------------------------------------------------------------------

    def _decode(self, item: Any) -> Any:
        if isinstance(item, (ServerSentEvent, str, bytes, bytearray)):
            try:
                item = unwrap(item)[1]
            except BadItemError as exc:
                raise self._life.again(exc) from None
        if message_kind(item) is not None:
            return item
        if type_is(item, PACKAGE):
            raise self._life.bad(
                f"cannot read a {type(item).__name__} of "
                f"{library_label(PACKAGE, 'claude-agent-sdk')}: {short_repr(item)}. Pass the "
                "messages of query() or "
                "ClaudeSDKClient.receive_response(), or the CLI's stream-json lines"
            )
        raise self._life.takes(item)

    # -- the run ------------------------------------------------------------------------------

    def _init(self, item: Any, out: list[Event]) -> None:
        data = _data(item)
        self._model = str_or_none(field(data, "model"))
        meta = {
            key: plain(field(data, key))
            for key in ("cwd", "tools", "permissionMode", "claude_code_version")
            if field(data, key) is not None
        }
        out.append(
            RunStart(
                model=self._model,
                provider="anthropic",
                thread_id=str_or_none(field(data, "session_id")),
                meta=meta or None,
            )
        )

    def _system(self, item: Any, out: list[Event]) -> None:
        subtype = str_or_none(field(item, "subtype")) or "system"
        data = _data(item)
        if subtype not in _STATUSES:
            out.append(Custom(name=f"system:{subtype}", value=plain(data)))
            return
        text = field(data, "summary") or field(data, "description") or field(data, "status")
        state = subtype
        if subtype == "task_notification" and isinstance(field(data, "status"), str):
            state = f"task_{field(data, 'status')}"
        out.append(
            Status(
                state=state,
                text=text if isinstance(text, str) else None,
                detail=plain(data),
                tool_call_id=str_or_none(field(data, "tool_use_id")),
            )
        )

    def _result(self, item: Any, out: list[Event]) -> None:
        self._life.end()
        self._turns.close_all(out)
        subtype = str_or_none(field(item, "subtype"))
        is_error = field(item, "is_error") is True
        stop = str_or_none(field(item, "stop_reason"))
        terminal = str_or_none(field(item, "terminal_reason"))
        cost = field(item, "total_cost_usd")
        if not isinstance(cost, (int, float)) or isinstance(cost, bool):
            cost = None
        meta: dict[str, Any] = {}
        for key in ("num_turns", "duration_ms", "duration_api_ms"):
            if isinstance(field(item, key), int):
                meta[key] = field(item, key)
        model_usage = field(item, "model_usage")
        if model_usage is None and isinstance(item, Mapping):
            model_usage = item.get("modelUsage")
        if model_usage:
            meta["model_usage"] = plain(model_usage)
        usage = field(item, "usage")
        if usage is not None or meta or cost is not None:
            out.append(
                anthropic_usage(
                    usage, scope="run", model=self._model, meta=meta or None, cost_usd=cost
                )
            )
        reason = end_reason(subtype, is_error, stop, terminal)
        errors = [e for e in list_or_empty(field(item, "errors")) if isinstance(e, str)]
        result = field(item, "result")
        message = "; ".join(errors) or None
        if message is None and reason == "error" and isinstance(result, str):
            message = result
        out.append(
            RunEnd(
                reason=reason,
                raw_reason=subtype or stop,
                result=result if isinstance(result, str) else plain(result),
                message=message,
                meta={"terminal_reason": terminal} if terminal else None,
            )
        )


def _data(item: Any) -> Any:
    """A system message's payload: the SDK's ``data``, or the CLI line itself."""
    return item if isinstance(item, Mapping) else field(item, "data")


def _plain(item: Any) -> Any:
    """A message as JSON: a dict as it is, a dataclass of the SDK by its fields."""
    if isinstance(item, Mapping):
        return plain(item)
    values = getattr(item, "__dict__", None)
    return plain(values) if isinstance(values, dict) else str(item)
