"""Turns: ``Turns``, the part of ``ClaudeAgentAdapter`` that turns assistant messages
(a step each), the tool results of user messages and the raw ``stream_event`` partials into
events, per scope: the top level, or a sub-agent named by ``parent_tool_use_id``. It owns
its state (the scopes, the streamed message ids, the count of id-less turns).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nbagent.adapters.anthropic import AnthropicAdapter
from nbagent.adapters.anthropic.maps import TOOL_USE
from nbagent.adapters.base import field, list_or_empty, plain, str_or_none
from nbagent.adapters.claude_agent.maps import (
    assistant_of,
    block_kind,
    result_content,
    tool_use_call,
)
from nbagent.adapters.kit import anthropic_usage
from nbagent.adapters.kit.finish import ANTHROPIC_STOPS, step_reason
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.messages import whole_message
from nbagent.core.events import (
    Custom,
    ErrorEvent,
    Event,
    RunEnd,
    RunStart,
    StepEnd,
    StepStart,
    ToolResult,
    Usage,
)

__all__ = ["Scope", "Turns"]

_STEP_FINISH = ANTHROPIC_STOPS
"""An API message's ``stop_reason`` → its step's ``finish_reason``, as the Messages API's
(``refusal``, ``pause_turn`` and new words kept as they are)."""


@dataclass(slots=True)
class Scope:
    """The top level or one sub-agent: its open step and its partial-message reader."""

    step: str | None = None  # the open step: the API message id
    called: bool = False  # the step asked for a tool
    stop: str | None = None
    stream: AnthropicAdapter | None = None  # reads the partials of one message
    stream_id: str | None = None


class Turns:
    """``ClaudeAgentAdapter``'s assistant, user and stream-event messages, by scope."""

    def __init__(self) -> None:
        self._scopes: dict[str | None, Scope] = {}
        self._streamed: set[str] = set()  # ids read from their partials: not their whole messages
        self._ids = Ids()  # content blocks, in their step's scope (a message per CLI line); turns

    def _scope(self, parent: str | None) -> Scope:
        return self._scopes.setdefault(parent, Scope())

    # -- steps ------------------------------------------------------------------------------

    def _open_step(self, scope: Scope, step_id: str, parent: str | None, out: list[Event]) -> None:
        self._close_step(scope, parent, out)
        scope.step = step_id
        scope.called = False
        scope.stop = None
        out.append(StepStart(step_id=step_id, name="model", step_type="model", parent=parent))

    def _close_step(self, scope: Scope, parent: str | None, out: list[Event]) -> None:
        self._close_stream(scope, parent, out)
        if scope.step is None:
            return
        raw = scope.stop or ("tool_use" if scope.called else None)
        out.append(
            StepEnd(
                step_id=scope.step,
                name="model",
                finish_reason=step_reason(_STEP_FINISH, raw),
                raw_finish_reason=raw,
                parent=parent,
            )
        )
        scope.step = None

    def close_all(self, out: list[Event]) -> None:
        for parent, scope in self._scopes.items():
            self._close_step(scope, parent, out)

    # -- assistant messages ------------------------------------------------------------------

    def assistant(self, item: Any, out: list[Event]) -> None:
        message = assistant_of(item)
        parent = message.parent
        scope = self._scope(parent)
        if message.message_id is not None and message.message_id in self._streamed:
            return  # already read from its stream events
        step_id = message.message_id or self._ids.scope_id("turn")
        if scope.step != step_id:
            self._open_step(scope, step_id, parent, out)
        if message.stop_reason is not None:
            scope.stop = message.stop_reason
        if message.usage is not None:
            out.append(
                anthropic_usage(
                    message.usage, scope="step", step_id=step_id, model=message.model, parent=parent
                )
            )
        for block in message.content:
            self._block(scope, step_id, block, parent, out)
        if message.error is not None:
            out.append(
                ErrorEvent(
                    message=f"the model call failed: {message.error}",
                    error_type=message.error,
                    recoverable=True,
                    parent=parent,
                )
            )

    def _block(
        self, scope: Scope, step_id: str, block: Any, parent: str | None, out: list[Event]
    ) -> None:
        kind = block_kind(block)
        if kind == "text":
            block_id = self._ids.new("text", step_id)
            text = str_or_none(field(block, "text"))
            whole_message(out, "text", block_id, text, {"role": "assistant"}, parent=parent)
        elif kind == "thinking":
            thinking = str_or_none(field(block, "thinking"))
            signature = {"signature": str_or_none(field(block, "signature"))}
            block_id = self._ids.new("think", step_id)
            whole_message(out, "thinking", block_id, thinking, end=signature, parent=parent)
        elif kind in TOOL_USE:
            scope.called = scope.called or kind == "tool_use"
            wire_id = str_or_none(field(block, "id"))
            call = tool_use_call(
                block,
                wire_id or self._ids.new("call", step_id),
                synthetic=wire_id is None,
                executor="client" if kind == "tool_use" else "server",
                parent=parent,
            )
            out.extend(call)
        elif kind is not None and kind.endswith("tool_result"):
            self._tool_result(block, parent, out)
        else:
            value = plain(block) if kind is not None else str(block)
            out.append(
                Custom(name=kind or "content_block", value=value, is_raw=True, parent=parent)
            )

    # -- user messages ------------------------------------------------------------------------

    def user(self, item: Any, out: list[Event]) -> None:
        message = field(item, "message") if isinstance(item, dict) else item
        parent = str_or_none(field(item, "parent_tool_use_id"))
        content = field(message, "content")
        if isinstance(content, str):
            out.append(Custom(name="user_message", value=content, parent=parent))
            return
        blocks = list_or_empty(content)
        if any((block_kind(b) or "").endswith("tool_result") for b in blocks):
            # the model call that asked for the tools is over: they ran
            self._close_step(self._scope(parent), parent, out)
        for block in blocks:
            kind = block_kind(block)
            if kind is not None and kind.endswith("tool_result"):
                self._tool_result(block, parent, out)
            elif kind == "text":
                text = field(block, "text")
                out.append(Custom(name="user_message", value=plain(text), parent=parent))
            else:
                value = plain(block) if kind is not None else str(block)
                out.append(Custom(name=kind or "content_block", value=value, parent=parent))

    def _tool_result(self, block: Any, parent: str | None, out: list[Event]) -> None:
        call_id = str_or_none(field(block, "tool_use_id"))
        if call_id is None:
            return
        sub_agent = self._scopes.get(call_id)
        if sub_agent is not None:  # the Task call that ran a sub-agent is over: so is it
            self._close_step(sub_agent, call_id, out)
        out.append(
            ToolResult(
                tool_call_id=call_id,
                content=result_content(field(block, "content")),
                is_error=field(block, "is_error") is True,
                parent=parent,
            )
        )

    # -- partial messages ----------------------------------------------------------------------

    def stream_event(self, item: Any, out: list[Event]) -> None:
        event = field(item, "event")
        parent = str_or_none(field(item, "parent_tool_use_id"))
        scope = self._scope(parent)
        if field(event, "type") == "message_start":
            message_id = str_or_none(field(field(event, "message"), "id"))
            self._close_step(scope, parent, out)
            scope.stream = AnthropicAdapter()
            scope.stream_id = message_id
            if message_id is not None:
                self._streamed.add(message_id)
        if scope.stream is None:
            scope.stream = AnthropicAdapter()
        self._take(scope, scope.stream.feed(plain(event)), parent, out)
        if field(event, "type") == "message_stop":
            scope.stream = None

    def _close_stream(self, scope: Scope, parent: str | None, out: list[Event]) -> None:
        stream, scope.stream = scope.stream, None
        if stream is not None:
            self._take(scope, stream.end(), parent, out)

    def _take(
        self, scope: Scope, events: list[Event], parent: str | None, out: list[Event]
    ) -> None:
        """The ``anthropic`` adapter's events of one message, as a step of this scope: its run
        start and end are the message's, not the run's."""
        for event in events:
            if isinstance(event, (RunStart, RunEnd)):
                continue
            if isinstance(event, Usage) and event.step_id is None:
                event.step_id = scope.stream_id
            if isinstance(event, ErrorEvent):
                event.recoverable = True  # the CLI retries or reports it in its result
            event.parent = parent
            out.append(event)
