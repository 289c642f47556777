"""``CodexAdapter``: OpenAI Codex CLI's rollout files (``~/.codex/sessions/YYYY/MM/DD/
rollout-<time>-<thread>.jsonl``, a sub-agent's thread in a rollout of its own) → events.

Each line is ``{"timestamp", "type", "payload"}``. ``session_meta``: the thread (its ``id`` the
run's), the CLI's version; ``turn_context``: the model. ``response_item``s are what the model
saw and said: an assistant ``message`` is answer text (its ``id`` kept), ``reasoning`` its
``summary`` as thinking (or its raw ``content`` when it has no summary), ``function_call`` /
``custom_tool_call`` / ``local_shell_call`` a call the CLI runs (its ``call_id`` kept),
``web_search_call`` one the provider runs, their ``*_output`` the results. The user's prompt is
the ``user_message`` event (``item_completed`` of a ``UserMessage`` in later versions): the
``user`` and ``developer`` messages among the response items are the CLI's context. A call
failed when its output says so (``success: false``, a non-zero ``exit_code``) or the CLI's
events about it do (``item_completed`` with a ``failed`` status, ``exec_command_end``,
``mcp_tool_call_end``, ``patch_apply_end``). ``event_msg`` ``token_count``: the thread's totals
(``total_token_usage``): each new total less the one before is the usage of the thread's
latest model step, so the steps add up to the totals. A model step begins when its request
went (the prompt, the last tool result) and ends at its last output. ``compacted`` is a
compaction note, ``error`` a warning, ``turn_aborted`` the user's stop. The events that say
again what the response items say, and the CLI's settings, are skipped; any other type is a
step of its name.

The run ends ``completed`` when its thread's last turn completed (``task_complete``),
``cancelled`` when it was aborted, ``incomplete`` when the file stops inside a turn.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from nbagent.adapters.base import field, int_or_none, list_or_empty, plain, str_or_none
from nbagent.adapters.kit import call_events, whole_message
from nbagent.adapters.sessions.base import Scope, SessionAdapter
from nbagent.adapters.sessions.codex_maps import (
    CALLS,
    FAILED,
    OUTPUTS,
    SAID_AGAIN,
    SKIPPED,
    TYPES,
    counts,
    event_failed,
    output_of,
)
from nbagent.adapters.sessions.record import SessionRecord, type_of
from nbagent.core.events import (
    Custom,
    EndReason,
    ErrorEvent,
    Event,
    MessageEnd,
    MessageStart,
    ThinkingDelta,
    ToolResult,
    Usage,
)

__all__ = ["CodexAdapter", "detect_codex"]


def detect_codex(first: Sequence[Any]) -> bool:
    """True when the first records are a Codex rollout's: ``{"timestamp", "type", "payload"}``
    with one of its types (a rollout opens with ``session_meta``)."""
    for data in first:
        if isinstance(data, Mapping) and isinstance(data.get("payload"), Mapping):
            return type_of(data) in TYPES and isinstance(data.get("timestamp"), str)
    return False


class CodexAdapter(SessionAdapter):
    """Codex rollout records → events (the module docstring)."""

    name: ClassVar[str] = "codex"
    provider: ClassVar[str | None] = "openai"

    def __init__(self) -> None:
        super().__init__()
        self._totals: dict[str | None, dict[str, int]] = {}  # a thread's latest totals
        self._turns: dict[str | None, str] = {}  # a thread's current turn
        self._models: dict[str | None, str] = {}
        self._prompts: dict[str | None, tuple[str | None, str]] = {}  # its latest prompt
        self._failed: set[str] = set()
        self._state: tuple[str, str | None] = ("none", None)  # the top level's latest turn

    def read(self, record: SessionRecord, scope: Scope, ts: float, out: list[Event]) -> None:
        data = record.data
        kind = type_of(data)
        payload = field(data, "payload")
        if kind not in TYPES or not isinstance(payload, Mapping):
            if kind not in SKIPPED:
                self.unknown(record, scope, out, name=str(kind or type(data).__name__))
            return
        key = scope.key
        if kind == "session_meta":
            if key is None and self.session is None:
                self.session = str_or_none(payload.get("id"))
                self.meta = {
                    k: payload[k] for k in ("cwd", "cli_version", "model_provider") if k in payload
                }
        elif kind == "turn_context":
            self._context(payload, key)
        elif kind == "response_item":
            self._item(record, payload, scope, ts, out)
        elif kind == "compacted":
            self.note(
                out, scope, "compaction", "Context compacted", str(payload.get("message") or "")
            )
        else:
            self._event(record, payload, scope, ts, out)

    def end_reason(self) -> tuple[EndReason, str | None]:
        state, reason = self._state
        if state == "complete":
            return "completed", None
        if state == "aborted":
            return "cancelled", f"the turn was aborted ({reason or 'interrupted'})"
        return "incomplete", "the rollout ends before its turn completed"

    def _context(self, payload: Mapping[str, Any], key: str | None) -> None:
        model = str_or_none(payload.get("model"))
        if model:
            self._models[key] = model
            if key is None:
                self.model = self.model or model
        turn = str_or_none(payload.get("turn_id"))
        if turn:
            self._turns[key] = turn

    # -- response items ---------------------------------------------------------------------

    def _item(
        self,
        record: SessionRecord,
        item: Mapping[str, Any],
        scope: Scope,
        ts: float,
        out: list[Event],
    ) -> None:
        kind = type_of(item)
        if kind in OUTPUTS:
            self.sent(scope, ts, out)
            call = str_or_none(item.get("call_id"))
            if call is not None:
                content, failed = output_of(item.get("output"))
                out.append(
                    ToolResult(
                        tool_call_id=call,
                        content=content,
                        is_error=failed or call in self._failed,
                        parent=scope.key,
                    )
                )
            return
        if kind == "message":
            if item.get("role") != "assistant":
                return  # the CLI's context; the user's prompt is its event
            self._open(scope, ts, out)
            text = "".join(
                str(field(part, "text") or "")
                for part in list_or_empty(item.get("content"))
                if field(part, "type") in ("output_text", "text")
            )
            block = self.ids.of(str_or_none(item.get("id")), "text", scope.step)
            whole_message(out, "text", block, text, {"role": "assistant"}, parent=scope.key)
        elif kind == "reasoning":
            self._open(scope, ts, out)
            self._reasoning(item, scope, out)
        elif kind in CALLS:
            self._open(scope, ts, out)
            self._call(item, str(kind), scope, out)
        else:
            self.unknown(record, scope, out, name=f"response_item:{kind}")

    def _open(self, scope: Scope, ts: float, out: list[Event]) -> None:
        if scope.step is None:
            within = self._turns.get(scope.key) or scope.key
            self.open_step(scope, self.ids.scope_id("step", within=within), out)
        scope.output_at = ts

    def _reasoning(self, item: Mapping[str, Any], scope: Scope, out: list[Event]) -> None:
        summary = [str(field(p, "text") or "") for p in list_or_empty(item.get("summary"))]
        raw = [str(field(p, "text") or "") for p in list_or_empty(item.get("content"))]
        text = "\n\n".join(t for t in summary if t) or "\n\n".join(t for t in raw if t)
        encrypted = str_or_none(item.get("encrypted_content"))
        if not text and not encrypted:
            return
        block = self.ids.of(str_or_none(item.get("id")), "think", scope.step)
        out.append(MessageStart(message_id=block, channel="thinking", parent=scope.key))
        if text:
            delta = ThinkingDelta(
                message_id=block, delta=text, summary=any(summary), parent=scope.key
            )
            out.append(delta)
        end = MessageEnd(message_id=block, channel="thinking", encrypted_value=encrypted)
        end.parent = scope.key
        out.append(end)

    def _call(self, item: Mapping[str, Any], kind: str, scope: Scope, out: list[Event]) -> None:
        call = str_or_none(item.get("call_id")) or str_or_none(item.get("id"))
        server = kind == "web_search_call"
        scope.called = scope.called or not server
        if kind == "function_call":
            name, arguments = item.get("name"), item.get("arguments")
            text = arguments if isinstance(arguments, str) else json.dumps(plain(arguments))
        elif kind == "custom_tool_call":
            name, text = item.get("name"), json.dumps(item.get("input"), ensure_ascii=False)
        else:
            name = "local_shell" if kind == "local_shell_call" else "web_search"
            text = json.dumps(plain(item.get("action")), ensure_ascii=False)
        call_id = self.ids.wire(call) if call else self.ids.new("call", scope.step)
        out.extend(
            call_events(
                call_id,
                str(name or kind),
                text,
                executor="server" if server else "agent",
                synthetic=call is None,
                parent=scope.key,
            )
        )
        if server:  # its result is the search the provider made
            status = str_or_none(item.get("status")) or "completed"
            out.append(ToolResult(tool_call_id=call_id, content=status, parent=scope.key))

    # -- events ---------------------------------------------------------------------------------

    def _event(
        self,
        record: SessionRecord,
        event: Mapping[str, Any],
        scope: Scope,
        ts: float,
        out: list[Event],
    ) -> None:
        kind = type_of(event)
        key = scope.key
        if kind == "token_count":
            self._usage(event, scope, ts, out)
        elif kind == "task_started":
            self.sent(scope, ts, out)
            turn = str_or_none(event.get("turn_id"))
            if turn:
                self._turns[key] = turn
            if key is None:
                self._state = ("started", None)
        elif kind == "task_complete":
            self.close_step(scope, out)
            if key is None:
                self._state = ("complete", None)
        elif kind == "turn_aborted":
            self.note(out, scope, "notice", "Turn aborted", str(event.get("reason") or ""))
            if key is None:
                self._state = ("aborted", str_or_none(event.get("reason")))
        elif kind == "user_message":
            self._prompt(str_or_none(event.get("message")), None, scope, ts, out)
        elif kind == "item_completed":
            self._completed(event, scope, ts, out)
        elif kind in ("exec_command_end", "mcp_tool_call_end", "patch_apply_end"):
            if event_failed(event):
                self._failed.add(str(event.get("call_id")))
        elif kind == "error":
            message = str_or_none(event.get("message")) or "error"
            out.append(
                ErrorEvent(message=message, error_type="codex", recoverable=True, parent=key)
            )
        elif kind == "warning":
            self.note(out, scope, "notice", "Warning", str(event.get("message") or ""), "warning")
        elif kind == "thread_rolled_back":
            turns = event.get("num_turns")
            self.note(out, scope, "notice", "Rolled back", f"{turns} turns" if turns else "")
        elif kind not in SAID_AGAIN:
            self.unknown(record, scope, out, name=f"event_msg:{kind}")

    def _completed(
        self, event: Mapping[str, Any], scope: Scope, ts: float, out: list[Event]
    ) -> None:
        item = event.get("item")
        kind = field(item, "type")
        if kind == "UserMessage":
            parts = list_or_empty(field(item, "content"))
            text = "".join(str(field(p, "text") or "") for p in parts if field(p, "type") == "text")
            self._prompt(text or None, str_or_none(field(item, "id")), scope, ts, out)
        elif str(field(item, "status")) in FAILED or (int_or_none(field(item, "exit_code")) or 0):
            self._failed.add(str(field(item, "id")))

    def _prompt(
        self, text: str | None, item_id: str | None, scope: Scope, ts: float, out: list[Event]
    ) -> None:
        if not text:
            return
        turn = self._turns.get(scope.key)
        if self._prompts.get(scope.key) == (turn, text):
            return  # the same prompt, said by both of the CLI's events
        self._prompts[scope.key] = (turn, text)
        self.sent(scope, ts, out)
        meta = {"message_id": self.ids.of(item_id, "text", turn)}
        out.append(Custom(name="user_message", value=text, parent=scope.key, meta=meta))

    def _usage(self, event: Mapping[str, Any], scope: Scope, ts: float, out: list[Event]) -> None:
        self.sent(scope, ts, out)  # the response it counts is over: the next goes after it
        info = event.get("info")
        total = counts(field(info, "total_token_usage"))
        if total is None or scope.last_step is None:
            return
        before = self._totals.get(scope.key, {})
        if total == before:
            return  # said again
        self._totals[scope.key] = total
        step = {k: v - before.get(k, 0) for k, v in total.items()}
        out.append(
            Usage(
                input_tokens=step.get("input_tokens"),
                output_tokens=step.get("output_tokens"),
                total_tokens=step.get("total_tokens"),
                reasoning_tokens=step.get("reasoning_output_tokens"),
                cached_input_tokens=step.get("cached_input_tokens"),
                step_id=scope.last_step,
                model=self._models.get(scope.key),
                provider=self.provider,
                parent=scope.key,
            )
        )
