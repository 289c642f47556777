"""``OtelAdapter``: OpenTelemetry spans of GenAI calls → events.

The hook hands each span twice, as a plain snapshot (``common``): at its start and at its end.
A model call's span is a step from its start to its end, its output whole at the end; a tool
span is the result of the call the model asked for; agent spans nest: the outermost agent is
the run itself, an agent under a tool span is that tool call's scope, an agent directly under
another agent is a sub-agent step. Spans of no GenAI role (HTTP, database) only carry the tree.
Two instrumentations of one model call (pydantic-ai's ``chat`` span around the OpenAI
instrumentor's) are one step: the outer one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from nbagent.adapters.kit import ANSWER_SEEN_WHOLE, Ids, call_events, kind_of, whole_message
from nbagent.adapters.kit.hook_record import HookRecord
from nbagent.adapters.kit.hooks import HookAdapter
from nbagent.adapters.otel.common import (
    FINISH,
    NO_CONTENT,
    Part,
    Role,
    ToolRun,
    attrs_of,
    error_of,
    model_name,
    seconds,
)
from nbagent.adapters.otel.conventions import agent_name, read_model, read_tool, role_of
from nbagent.core.events import (
    ErrorEvent,
    Event,
    StepEnd,
    StepStart,
    ToolResult,
)

__all__ = ["OtelAdapter"]


@dataclass
class _Span:
    id: str
    root: str
    parent: _Span | None
    role: Role
    name: str
    scope: str | None
    """The scope its own events go in (``Event.parent``)."""
    inner: str | None = None
    """The scope its children's events go in."""
    marker: str | None = None
    """The nearest agent or tool span at or above it: ``"agent"``, ``"tool"`` or None."""
    in_model: bool = False
    """A model span is above it: a second instrumentation of the same call."""
    skip: bool = False
    model_below: bool = False
    started: bool = False
    call_id: str | None = None
    subagent: str | None = None
    errors: list[ErrorEvent] = field(default_factory=list)
    """Failures of the model calls inside an agent span, told when the agent ends (its own
    failure, when it fails, is the same exception)."""

    def ancestors(self) -> Iterator[_Span]:
        """The spans above it, nearest first."""
        above = self.parent
        while above is not None:
            yield above
            above = above.parent


class OtelAdapter(HookAdapter):
    """Span snapshots (``span_start`` / ``span_end`` records) → steps, messages, tool calls."""

    family = "otel"

    def __init__(self) -> None:
        self._spans: dict[str, _Span] = {}
        self._by_root: dict[str, list[str]] = {}
        self._calls: dict[tuple[str, str], str] = {}  # (root, the library's id) → ours
        self._ids = Ids()  # ids of the calls announced (ToolCallStart sent)
        self._waiting: dict[str, deque[str]] = {}  # tool name → calls with no tool span yet
        self._warned = False

    def feed(self, record: HookRecord) -> list[Event]:
        data = record.data
        if not isinstance(data, Mapping):
            return []
        if record.kind == "span_start":
            out = self._start(data, record.root)
        elif record.kind == "span_end":
            out = self._end(data, record.root)
        else:
            return []
        if record.last:
            for sid in self._by_root.pop(record.root, []):
                self._spans.pop(sid, None)
        return out

    def end(self) -> list[Event]:
        out: list[Event] = []
        for span in self._spans.values():
            if span.role == "model" and span.started:
                out.append(StepEnd(step_id=span.id, finish_reason="incomplete"))
            elif span.subagent:
                out.append(StepEnd(step_id=span.subagent, name=span.name))
        self._spans.clear()
        return out

    # -- the tree -------------------------------------------------------------------------

    def _start(self, data: Mapping[str, Any], root: str) -> list[Event]:
        sid = str(data.get("span_id") or "")
        parent = self._spans.get(str(data.get("parent_id") or ""))
        attrs = attrs_of(data)
        span = _Span(
            id=sid,
            root=root,
            parent=parent,
            role=role_of(attrs),
            name=str(data.get("name") or ""),
            scope=parent.inner if parent else None,
            inner=parent.inner if parent else None,
            marker=parent.marker if parent else None,
            in_model=parent is not None and (parent.in_model or parent.role == "model"),
        )
        self._spans[sid] = span
        self._by_root.setdefault(root, []).append(sid)
        return self._open(span, attrs, seconds(data.get("start")))

    def _open(self, span: _Span, attrs: Mapping[str, Any], ts: float) -> list[Event]:
        """A span whose role is known (at its start, or at its end for conventions that set
        the role late): its step opens, its tool call is found, its scope is set."""
        if span.role == "model":
            if span.in_model or span.model_below:
                span.skip = True
                return []
            span.started = True
            for above in span.ancestors():  # an outer span that says later it is a model call
                above.model_below = True
            name = model_name(attrs, span.name)
            return [
                StepStart(step_id=span.id, name=name, step_type="model", ts=ts, parent=span.scope)
            ]
        if span.role == "tool":
            out = self._find_call(span, read_tool(attrs), ts)
            span.inner = span.call_id
            span.marker = "tool"
            return out
        if span.role == "agent":
            if span.marker == "agent":  # directly inside another agent: a sub-agent's scope
                span.subagent = span.inner = self._ids.scope_id("agent", span.id)
                span.name = agent_name(attrs) or span.name
                step = StepStart(
                    step_id=span.inner,
                    name=span.name,
                    step_type="subagent",
                    ts=ts,
                    parent=span.scope,
                )
                return [step]
            span.marker = "agent"
        return []

    def _end(self, data: Mapping[str, Any], root: str) -> list[Event]:
        sid = str(data.get("span_id") or "")
        out: list[Event] = []
        span = self._spans.get(sid)
        if span is None:
            out.extend(self._start(data, root))
            span = self._spans[sid]
        attrs = attrs_of(data)
        if not span.role:
            span.role = role_of(attrs)
            if span.role in ("model", "tool"):
                out.extend(self._open(span, attrs, seconds(data.get("start"))))
        ts = seconds(data.get("end"))
        error = error_of(data, ts)
        if span.role == "model" and not span.skip:
            out.extend(self._model_end(span, attrs, ts, error))
        elif span.role == "tool":
            out.extend(self._tool_end(span, attrs, ts, error))
        elif span.role == "agent":
            out.extend(self._agent_end(span, ts, error))
        span.started = False
        return out

    # -- model calls ----------------------------------------------------------------------

    def _model_end(
        self, span: _Span, attrs: Mapping[str, Any], ts: float, error: ErrorEvent | None
    ) -> list[Event]:
        call = read_model(attrs)
        out: list[Event] = []
        if not call.has_content and error is None and not self._warned:
            self._warned = True
            out.append(ErrorEvent(message=NO_CONTENT, recoverable=True, code="no_content", ts=ts))
        out.extend(self._parts(span, call.parts, ts))
        if call.has_usage or call.usage.cost_usd is not None:
            usage = replace(call.usage, model=call.model, step_id=span.id, ts=ts, parent=span.scope)
            out.append(usage)
        raw = call.finish
        finish = "error" if error is not None else FINISH.get(raw or "", raw)
        out.append(
            StepEnd(
                step_id=span.id,
                name=call.model or "model",
                finish_reason=finish,
                raw_finish_reason=raw,
                ts=ts,
                parent=span.scope,
            )
        )
        if error is not None:
            error.parent = span.scope
            agent = next((above for above in span.ancestors() if above.role == "agent"), None)
            if agent is None:
                out.append(error)
            else:
                agent.errors.append(error)
        return out

    def _parts(self, span: _Span, parts: list[Part], ts: float) -> list[Event]:
        out: list[Event] = []
        scope = span.scope
        merged: list[Part] = []
        for part in parts:  # consecutive text (or thinking) parts are one message
            if merged and part.kind in ("text", "thinking") and merged[-1].kind == part.kind:
                merged[-1] = Part(part.kind, text=merged[-1].text + part.text)
            else:
                merged.append(part)
        for part in merged:
            if part.kind in ("text", "thinking"):
                channel: Literal["text", "thinking"] = (
                    "thinking" if part.kind == "thinking" else "text"
                )
                mid = self._ids.new(kind_of(channel), span.id)
                whole_message(out, channel, mid, part.text, ANSWER_SEEN_WHOLE, parent=scope, ts=ts)
            elif part.kind == "tool_call":
                call_id = self._announce(span.root, part.call_id, span.id)
                out += call_events(
                    call_id,
                    part.name,
                    part.arguments,
                    executor="server" if part.builtin else None,
                    synthetic=part.call_id is None,
                    parent=scope,
                    ts=ts,
                )
                if not part.builtin:
                    self._waiting.setdefault(part.name, deque()).append(call_id)
            elif part.kind == "tool_result" and part.call_id:
                out.append(
                    ToolResult(
                        tool_call_id=self._calls.get((span.root, part.call_id), part.call_id),
                        content=part.result,
                        name=part.name or None,
                        ts=ts,
                        parent=scope,
                    )
                )
        return out

    # -- tools ----------------------------------------------------------------------------

    def _announce(self, root: str, raw: str | None, span_id: str) -> str:
        """Our id of a new call: the library's, unless a call shown before had it (pydantic-ai's
        ``TestModel`` gives every call of a tool the same id): then ``{id}#2``…; with none,
        ``{span}:call{n}``."""
        if raw is None:
            return self._ids.new("call", span_id)
        call_id = self._calls[(root, raw)] = self._ids.wire(raw)
        return call_id

    def _find_call(self, span: _Span, run: ToolRun, ts: float) -> list[Event]:
        """The model's call this execution answers: by its id, else the first call of that
        name still waiting; one the model span did not show is announced here."""
        waiting = self._waiting.get(run.name, deque())
        known = self._calls.get((span.root, run.call_id)) if run.call_id else None
        if known is not None and known in waiting:
            waiting.remove(known)
        span.call_id = known or (waiting.popleft() if run.call_id is None and waiting else None)
        if span.call_id is not None:
            return []
        span.call_id = call_id = self._announce(span.root, run.call_id, span.id)
        synthetic = run.call_id is None
        name = run.name or span.name
        return call_events(
            call_id, name, run.arguments, synthetic=synthetic, parent=span.scope, ts=ts
        )

    def _tool_end(
        self, span: _Span, attrs: Mapping[str, Any], ts: float, error: ErrorEvent | None
    ) -> list[Event]:
        if span.call_id is None:
            return []
        run = read_tool(attrs)
        failure = error.message if error is not None else None
        content = run.result if run.has_result else failure
        return [
            ToolResult(
                tool_call_id=span.call_id,
                content=content,
                name=run.name or None,
                is_error=error is not None,
                ts=ts,
                parent=span.scope,
            )
        ]

    # -- agents ---------------------------------------------------------------------------

    def _agent_end(self, span: _Span, ts: float, error: ErrorEvent | None) -> list[Event]:
        out: list[Event] = []
        if error is None:
            out.extend(span.errors)  # failures it recovered from (a retried model call)
        else:
            out.extend(e for e in span.errors if e.message != error.message)
            error.parent = span.inner
            out.append(error)
        span.errors = []
        if span.subagent:
            out.append(StepEnd(step_id=span.subagent, name=span.name, ts=ts, parent=span.scope))
            span.subagent = None
        return out
