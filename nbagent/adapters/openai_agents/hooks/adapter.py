"""``OpenAIAgentsHookAdapter``: the OpenAI Agents SDK's traces, span by span, as events.

Spans (``agents.tracing.span_data``) → events:
- an agent span: the outermost agent of a trace is the top level (its answer is the run's
  text; an agent a handoff passes to stays there). An agent running inside a tool's span
  (``agent.as_tool()``) is nested under that tool call's id; one inside another agent or a
  guardrail with no tool between is a ``subagent`` step scope;
- a model span (``ResponseSpanData``, ``GenerationSpanData``): a ``model`` step from its start
  to its end; at its end (the SDK reports the call whole) its text and thinking, each a
  message marked ``whole``, the tool calls it asked for, its usage;
- a function span: the tool's result for the model's call. The span names no call id: it is
  matched to the first call of that name the model asked for in the same agent and has no
  result yet (the SDK runs them in that order); a tool with no such call gets an id of its own.
  An MCP server's tool names the server in the span's ``mcp_data`` as it returns: the call's
  start again, with the server;
- a handoff span: the result of the model's ``transfer_to_…`` call and a status naming the
  new agent; a guardrail span that triggered: a status;
- a span's error: ``ErrorEvent(recoverable=True)`` (a tool's is its result, ``is_error``); the
  top-level agent's error (the run failed) comes with the trace's end, the record that ends
  the root.
Times are the spans' own (``started_at``/``ended_at``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

from nbagent.adapters.base import field, plain, str_or_none
from nbagent.adapters.kit import Ids
from nbagent.adapters.kit.hook_record import HookRecord
from nbagent.adapters.kit.hooks import HookAdapter
from nbagent.adapters.openai_agents.hooks.maps import epoch, error_text, span_kind
from nbagent.adapters.openai_agents.hooks.model import model_answer, usage_of
from nbagent.core.events import (
    ErrorEvent,
    Event,
    Status,
    StepEnd,
    StepStart,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)

__all__ = ["OpenAIAgentsHookAdapter"]


@dataclass(slots=True)
class _Span:
    kind: str  # a value of maps.KINDS, or "other"
    parent_id: str | None
    trace_id: str = ""
    scope: str | None = None  # the ``parent`` of the events of this span
    inner: str | None = None  # an agent's: the ``parent`` of the events inside it
    agent: str | None = None  # the nearest agent span's id
    call_id: str | None = None  # a function span's tool_call_id
    synthetic: bool = False  # that id is the span's own (no model call matched)
    subagent: bool = False  # an agent span shown as a subagent step scope
    ended: bool = False


class OpenAIAgentsHookAdapter(HookAdapter):
    """Records of ``OpenAIAgentsHook`` (the trace processor) → events."""

    family: ClassVar[str] = "openai-agents"

    def __init__(self) -> None:
        self._spans: dict[str, _Span] = {}
        self._pending: dict[str | None, list[tuple[str, str]]] = {}  # agent -> (name, call id)
        self._ids = Ids()  # every tool_call_id emitted, every message id invented
        self._failed: dict[str, ErrorEvent] = {}  # trace id -> its top-level agent's error

    def feed(self, record: HookRecord) -> list[Event]:
        span = record.data
        if record.kind == "span_start":
            return self._start(span)
        if record.kind == "span_end":
            return self._end(span)
        if record.kind == "trace_end":
            self._forget(record.root)
            failed = self._failed.pop(record.root, None)
            return [failed] if failed is not None else []
        return []

    def end(self) -> list[Event]:
        """Steps and sub-agent scopes whose span never ended (the watch stopped first)."""
        out: list[Event] = []
        for span_id, span in self._spans.items():
            if not span.ended and (span.kind == "model" or span.subagent):
                out.append(StepEnd(step_id=span_id, parent=span.scope))
        self._spans.clear()
        return out

    def _forget(self, trace_id: str) -> None:
        """A trace has ended: its spans are not parents any more (a block runs many)."""
        done = [k for k, v in self._spans.items() if v.trace_id == trace_id and v.ended]
        for span_id in done:
            del self._spans[span_id]
            self._pending.pop(span_id, None)

    # -- starts -------------------------------------------------------------------------------

    def _start(self, span: Any) -> list[Event]:
        span_id = str_or_none(field(span, "span_id"))
        if span_id is None or span_id in self._spans:
            return []
        data = field(span, "span_data")
        kind = span_kind(data)
        parent_id = str_or_none(field(span, "parent_id"))
        trace_id = str_or_none(field(span, "trace_id")) or ""
        state = self._spans[span_id] = _Span(kind, parent_id, trace_id)
        state.agent, state.scope, boundary = self._enclosing(state.parent_id)
        out: list[Event] = []
        if kind == "agent":
            out = self._agent_start(span_id, state, data, boundary)
        elif kind == "model":
            out = [StepStart(step_id=span_id, name=str_or_none(field(data, "model")) or "")]
        elif kind == "function":
            out = self._function_start(span_id, state, data)
        return _scoped(out, state.scope, epoch(field(span, "started_at")))

    def _enclosing(self, parent_id: str | None) -> tuple[str | None, str | None, str | None]:
        """``(nearest agent span, the scope of events there, what bounds it)``: walking up to
        the nearest agent, tool or guardrail span (``boundary`` is its kind, None at the top)."""
        seen = 0
        while parent_id is not None and seen < 1000:
            seen += 1
            parent = self._spans.get(parent_id)
            if parent is None:
                return None, None, None
            if parent.kind == "agent":
                return parent_id, parent.inner, "agent"
            if parent.kind == "function":
                return parent.agent, parent.call_id, "function"
            if parent.kind == "guardrail":
                return parent.agent, parent.scope, "guardrail"
            parent_id = parent.parent_id
        return None, None, None

    def _agent_start(
        self, span_id: str, state: _Span, data: Any, boundary: str | None
    ) -> list[Event]:
        if boundary == "function":  # agent.as_tool(): its events nest under the tool call
            state.inner = state.scope
            return []
        if boundary is not None:  # inside another agent with no tool call standing for it
            state.subagent = True
            state.inner = span_id
            name = str_or_none(field(data, "name")) or "agent"
            return [StepStart(step_id=span_id, name=name, step_type="subagent")]
        return []  # the top level: the run itself (a handoff says which agent is on)

    def _function_start(self, span_id: str, state: _Span, data: Any) -> list[Event]:
        name = str_or_none(field(data, "name")) or "tool"
        pending = self._pending.get(state.agent, [])
        for i, (call_name, call_id) in enumerate(pending):
            if call_name == name:
                del pending[i]
                state.call_id = call_id
                return []  # its call shows running until its result
        state.call_id = self._ids.wire(span_id)
        state.synthetic = True
        return [ToolCallStart(tool_call_id=state.call_id, name=name, synthetic_id=True)]

    # -- ends -----------------------------------------------------------------------------------

    def _end(self, span: Any) -> list[Event]:
        span_id = str_or_none(field(span, "span_id"))
        if span_id is None:
            return []
        state = self._spans.get(span_id)
        if state is None:  # its start came before the watch: read it as if it started now
            self._start(span)
            state = self._spans.get(span_id)
            if state is None:
                return []
        if state.ended:
            return []
        state.ended = True
        data = field(span, "span_data")
        ts = epoch(field(span, "ended_at"))
        error = field(span, "error")
        out: list[Event] = []
        if state.kind == "model":
            out = self._model_end(span_id, state, data, error)
        elif state.kind == "function":
            out = self._function_end(state, data, error)
        elif state.kind == "agent":
            out = self._agent_end(span_id, state, span, error, ts)
        elif state.kind == "handoff":
            out = self._handoff_end(state, data)
        elif state.kind == "guardrail":
            # passed: nothing to say (a status would stay on as the activity)
            if field(data, "triggered") is True:
                name = str_or_none(field(data, "name")) or "guardrail"
                out = [Status(state="guardrail", text=f"guardrail {name} triggered")]
        elif error is not None and state.kind == "other":
            out = [_error(error)]
        return _scoped(out, state.scope, ts)

    def _model_end(self, span_id: str, state: _Span, data: Any, error: Any) -> list[Event]:
        answer = model_answer(data, span_id, self._ids)
        out = answer.messages + answer.calls
        self._pending.setdefault(state.agent, []).extend(answer.asked)
        usage = usage_of(answer.usage, step_id=span_id, model=answer.model)
        if usage is not None:
            out.append(usage)
        finish = answer.finish_reason
        if error is not None:
            out.append(_error(error))
            finish = "error"
        out.append(StepEnd(step_id=span_id, name=answer.model or "model", finish_reason=finish))
        return out

    def _function_end(self, state: _Span, data: Any, error: Any) -> list[Event]:
        call_id = state.call_id or ""
        name = str_or_none(field(data, "name")) or "tool"
        out: list[Event] = []
        server = str_or_none(field(field(data, "mcp_data"), "server"))
        if server:  # an MCP server's tool: the SDK names the server as the call returns
            out.append(ToolCallStart(tool_call_id=call_id, name=name, server=server))
        if state.synthetic:
            arguments = field(data, "input")
            arguments = arguments if isinstance(arguments, str) else None
            out.append(ToolCallEnd(tool_call_id=call_id, arguments=arguments))
        content = plain(field(data, "output"))
        if error is not None and content is None:
            content = error_text(error)[0]
        is_error = error is not None
        out.append(ToolResult(tool_call_id=call_id, content=content, name=name, is_error=is_error))
        return out

    def _agent_end(
        self, span_id: str, state: _Span, span: Any, error: Any, ts: float
    ) -> list[Event]:
        out: list[Event] = []
        if error is not None:
            failure = _error(error)
            if state.scope is None and not state.subagent:
                # the run itself failed: told with the trace's end, which ends the root
                trace_id = str_or_none(field(span, "trace_id")) or ""
                failure.ts = ts  # in no scope: the run's
                self._failed[trace_id] = failure
            else:
                out.append(failure)
        if state.subagent:
            out.append(StepEnd(step_id=span_id))
        self._pending.pop(span_id, None)
        return out

    def _handoff_end(self, state: _Span, data: Any) -> list[Event]:
        source = str_or_none(field(data, "from_agent")) or "agent"
        target = str_or_none(field(data, "to_agent")) or "agent"
        out: list[Event] = []
        pending = self._pending.get(state.agent, [])
        wanted = "transfer_to_" + target.lower().replace(" ", "_").replace("-", "_")
        index = next((i for i, (n, _) in enumerate(pending) if n == wanted), None)
        if index is None:
            index = next(
                (i for i, (n, _) in enumerate(pending) if n.startswith("transfer_to")), None
            )
        if index is None and len(pending) == 1:
            # a renamed handoff tool: the SDK runs the turn's function tools before its
            # handoff, so the one call left without a result is the handoff's
            index = 0
        if index is not None:
            name, call_id = pending.pop(index)
            # the SDK's own transfer message (Handoff.get_transfer_message)
            content = json.dumps({"assistant": target})
            out.append(ToolResult(tool_call_id=call_id, content=content, name=name))
        out.append(Status(state="handoff", text=f"handoff: {source} → {target}"))
        return out


def _scoped(events: list[Event], parent: str | None, ts: float) -> list[Event]:
    """The events of one span: in its scope, at its time."""
    for ev in events:
        ev.parent, ev.ts = parent, ts
    return events


def _error(error: Any) -> ErrorEvent:
    message, error_type = error_text(error)
    return ErrorEvent(
        message=message, error_type=error_type, recoverable=True, details=plain(error)
    )
