"""The ``llama-index`` hook's records → events: LlamaIndex's instrumentation spans and events.

Records (``nbagent/sources/hooks/llama_index.py``): ``span_start`` (``{"id", "parent",
"instance", "args"}``: the span's bound arguments), ``span_end`` (``{"id", "result"}``),
``span_drop`` (``{"id", "err"}``) and ``event`` (the instrumentation event itself).

- A model call is the ``LLMChatStartEvent`` / ``LLMCompletionStartEvent`` … ``*EndEvent`` of
  one span: a step named after the model, its text streamed from the ``*InProgressEvent``
  deltas (an agent workflow's ``FunctionAgent`` streams under the hood) or whole from the end
  event's response, its thinking, the tool calls it asked for (the message's ``ToolCallBlock``
  blocks, or ``additional_kwargs["tool_calls"]``) and its usage (the response's ``raw`` or the
  token counts an integration puts in ``additional_kwargs``). A model event inside another
  model call's span (a ``CustomLLM``'s ``chat`` made of its ``complete``) is that call.
- A tool: an agent workflow's ``call_tool`` step (its argument ``ev`` is the ``ToolCall``, its
  result the ``ToolCallResult`` with the ``ToolOutput``), or a tool's own ``call``/``acall``
  span outside any (``llm.predict_and_call``): a call with a synthetic id.
- Nesting: the events under a tool call's span (an agent run inside the tool) carry
  ``parent=<its tool_call_id>``. The agent a step belongs to (an ``AgentWorkflow``'s
  ``current_agent_name``) is on the step's ``meta``; a change of agent is a ``handoff``.
- Failures: a model call's span dropped or its stream's ``ExceptionEvent``, and the root's
  span dropped: ``ErrorEvent(recoverable=True)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from nbagent.adapters.base import field, str_or_none
from nbagent.adapters.kit import SEEN_WHOLE, Ids, whole_message
from nbagent.adapters.kit.hook_record import HookRecord
from nbagent.adapters.kit.hooks import HookAdapter
from nbagent.adapters.llama_index.parts import Step, Tools
from nbagent.adapters.llama_index.read import (
    error_of,
    is_tool_call,
    model_name,
    named,
    text_of,
    thinking_of,
    tool_calls,
    tool_name,
    usage_of,
)
from nbagent.core.events import ErrorEvent, Event, Status, StepStart

__all__ = ["LlamaIndexHookAdapter"]

_STARTS = frozenset({"LLMChatStartEvent", "LLMCompletionStartEvent"})
_PROGRESS = frozenset({"LLMChatInProgressEvent", "LLMCompletionInProgressEvent"})
_ENDS = frozenset({"LLMChatEndEvent", "LLMCompletionEndEvent"})


@dataclass(slots=True)
class _Span:
    parent: str | None
    scope: str | None  # the tool call the span's events are inside (their ``parent``)
    inside: str | None  # what spans under this one get as scope (a tool call's own id)
    agent: str | None
    in_tool: bool  # the span is a tool call's or under one
    react: bool  # under a ReActAgent's run
    tool: str | None = None  # a standalone tool span: its synthetic call id
    run: bool = False  # a workflow's run


class LlamaIndexHookAdapter(HookAdapter):
    """LlamaIndex instrumentation records → events (see the module docstring)."""

    family: ClassVar[str] = "llama-index"

    def __init__(self) -> None:
        self._tools = Tools()
        self._spans: dict[str, _Span] = {}
        self._models: dict[str, Step] = {}  # the span of a model call's events -> it
        self._inner: set[str] = set()  # spans of model events inside another model call
        self._ids = Ids()  # the model calls (steps) and the answers
        self._agents: dict[tuple[str, str | None], str] = {}  # (root, scope) -> agent
        self._said: dict[str | None, str] = {}  # scope -> the text its latest model call wrote
        # A model call's failure, held while the same exception drops the spans around it:
        # where it ends the root too, the root's failure says it once.
        self._held: tuple[ErrorEvent, Any] | None = None

    def feed(self, record: HookRecord) -> list[Event]:
        out: list[Event] = []
        data = record.data
        if self._held is not None and not self._same_failure(record):
            out.append(self._held[0])
            self._held = None
        if record.kind == "event":
            self._event(data, out)
        elif isinstance(data, Mapping):
            span_id = str_or_none(data.get("id"))
            if span_id is None:
                return out
            if record.kind == "span_start":
                self._enter(span_id, data, record.root, out)
            elif record.kind == "span_end":
                self._exit(span_id, data.get("result"), out)
            elif record.kind == "span_drop":
                self._drop(span_id, data.get("err"), record.last, out)
        return out

    def _same_failure(self, record: HookRecord) -> bool:
        """The held failure's exception still going up (a span dropped by it, the
        ``SpanDropEvent`` the dispatcher sends first)."""
        if record.kind == "event":
            return type(record.data).__name__ == "SpanDropEvent"
        data = record.data
        held = self._held
        return (
            record.kind == "span_drop"
            and isinstance(data, Mapping)
            and held is not None
            and data.get("err") is held[1]
        )

    def end(self) -> list[Event]:
        """Model calls still open (a stream never read to its end) end here."""
        out: list[Event] = []
        if self._held is not None:
            out.append(self._held[0])
            self._held = None
        for span_id in list(self._models):
            self._close(span_id, out, "incomplete")
        return out

    # -- spans --------------------------------------------------------------------------

    def _enter(self, span_id: str, data: Mapping[str, Any], root: str, out: list[Event]) -> None:
        parent = str_or_none(data.get("parent"))
        up = self._spans.get(parent) if parent else None
        scope = up.inside if up else None
        args = data.get("args")
        ev = args.get("ev") if isinstance(args, Mapping) else None
        agent = str_or_none(field(ev, "current_agent_name")) or (up.agent if up else None)
        instance = data.get("instance")
        span = _Span(
            parent, scope, scope, agent, up.in_tool if up else False, bool(up and up.react)
        )
        if instance is not None and named(instance, "Workflow"):
            span.run, span.react = True, named(instance, "ReActAgent")
        self._spans[span_id] = span
        if ev is not None and named(ev, "ToolCall") and not named(ev, "ToolCallResult"):
            call_id = self._tools.start(ev, scope, out, running=True)
            span.inside, span.in_tool = call_id, True
        elif not span.in_tool and is_tool_call(span_id, data.get("instance")):
            # A tool called outside an agent workflow (``llm.predict_and_call``): the
            # model's call of that name not run yet, else a call of its own.
            name = tool_name(data.get("instance"))
            kwargs = args.get("kwargs") if isinstance(args, Mapping) else None
            span.tool = self._tools.call(self._tools.claim(name), name, kwargs, scope, out)
            span.inside, span.in_tool = span.tool, True
        if agent and field(ev, "current_agent_name"):
            key = (root, scope)
            before = self._agents.get(key)
            self._agents[key] = agent
            if before and before != agent:
                detail = {"agent": agent, "from": before}
                out.append(
                    Status(state="handoff", text=f"handoff to {agent}", detail=detail, parent=scope)
                )

    def _exit(self, span_id: str, result: Any, out: list[Event]) -> None:
        span = self._spans.get(span_id)
        if span is None:
            return
        if result is not None and named(result, "ToolCallResult"):
            call_id = span.inside or str_or_none(field(result, "tool_id")) or ""
            self._tools.result(call_id, field(result, "tool_output"), span.scope, out)
        elif span.tool is not None:
            self._tools.result(span.tool, result, span.scope, out)
        elif span.run:
            self._answer(span.scope, field(result, "result"), out)

    def _answer(self, scope: str | None, result: Any, out: list[Event]) -> None:
        """An agent's run ended: its answer, where no model call wrote it as it is (a ReAct
        agent's parsed ``Answer:``, a ``return_direct`` tool's output)."""
        if result is None or not named(result, "AgentOutput"):
            return
        answer = text_of(field(result, "response"))
        if answer and answer != self._said.get(scope):
            whole_message(
                out, "text", self._ids.new("text", scope), answer, SEEN_WHOLE, parent=scope
            )
            self._said[scope] = answer

    def _drop(self, span_id: str, err: Any, last: bool, out: list[Event]) -> None:
        message, error_type = error_of(err)
        if span_id in self._models:
            self._fail(span_id, err, out)
        span = self._spans.get(span_id)
        if span is not None and span.tool is not None:
            self._tools.result(span.tool, message, span.scope, out, is_error=True)
        if last:  # the call itself failed: the watch decides what that ends
            self._held = None  # the model call's failure, said here once
            scope = span.scope if span else None
            out.append(
                ErrorEvent(message=message, error_type=error_type, recoverable=True, parent=scope)
            )

    # -- model calls --------------------------------------------------------------------

    def _event(self, event: Any, out: list[Event]) -> None:
        kind = type(event).__name__
        span_id = str_or_none(field(event, "span_id")) or ""
        if kind in _STARTS:
            if self._within_model(span_id):
                self._inner.add(span_id)
                return
            self._open(span_id, event, out)
        elif span_id in self._inner:
            return
        elif kind in _PROGRESS:
            self._progress(span_id, field(event, "response"), out)
        elif kind in _ENDS:
            self._finish(span_id, field(event, "response"), out)
        elif kind == "ExceptionEvent" and span_id in self._models:
            self._fail(span_id, field(event, "exception"), out)

    def _within_model(self, span_id: str) -> bool:
        seen: set[str] = set()
        here = self._spans.get(span_id)
        while here is not None and here.parent and here.parent not in seen:
            if here.parent in self._models:
                return True
            seen.add(here.parent)
            here = self._spans.get(here.parent)
        return False

    def _open(self, span_id: str, event: Any, out: list[Event]) -> None:
        if span_id in self._models:  # two calls with no span of their own: the first ends
            self._close(span_id, out, "incomplete")
        span = self._spans.get(span_id)
        scope = span.scope if span else None
        model = model_name(field(event, "model_dict"))
        react = bool(span and span.react)
        call = self._models[span_id] = Step(self._ids.scope_id(), model, scope, react)
        meta = {"agent": span.agent} if span is not None and span.agent else None
        out.append(
            StepStart(step_id=call.step_id, name=model, step_type="model", meta=meta, parent=scope)
        )

    def _progress(self, span_id: str, response: Any, out: list[Event]) -> None:
        call = self._models.get(span_id)
        if call is None:
            return
        call.think(field(field(response, "additional_kwargs"), "thinking_delta"), out)
        call.stream(_text(response), field(response, "delta"), out)
        call.usage.update(usage_of(response))

    def _finish(self, span_id: str, response: Any, out: list[Event]) -> None:
        call = self._models.get(span_id)
        if call is None:
            return
        message = field(response, "message")
        text = _text(response)
        text = text if isinstance(text, str) else ""
        if not call.thinking:
            thinking = thinking_of(message) if message is not None else ""
            if call.react:  # a ReAct step's text is its reasoning (the answer comes parsed)
                thinking = f"{thinking}\n\n{text}" if thinking and text else thinking or text
            if thinking:
                call.whole("thinking", thinking, out)
        if call.parts.close("text", out) is not None:  # ended here, before its tool calls
            text = call.text
        elif text and not call.react:
            call.whole("text", text, out)
        self._said[call.parent] = "" if call.react else text
        asked = 0
        for call_id, name, args in tool_calls(message):
            asked += 1
            call_id = self._tools.call(call_id, name, args, call.parent, out)
            self._tools.pending.setdefault(name, []).append(call_id)
        call.usage.update(usage_of(response))
        self._close(span_id, out, "tool_calls" if asked else "stop")

    def _fail(self, span_id: str, err: Any, out: list[Event]) -> None:
        call = self._models.get(span_id)
        scope = call.parent if call else None
        message, error_type = error_of(err)
        failure = ErrorEvent(message=message, error_type=error_type, recoverable=True, parent=scope)
        if self._held is not None:
            out.append(self._held[0])
        self._held = (failure, err)
        self._close(span_id, out, "error")

    def _close(self, span_id: str, out: list[Event], finish: str) -> None:
        call = self._models.pop(span_id, None)
        if call is not None:
            call.end(finish, out, model=call.name)


def _text(response: Any) -> Any:
    """The text so far of a ``ChatResponse`` (its message's) or a ``CompletionResponse``."""
    message = field(response, "message")
    return text_of(message) if message is not None else field(response, "text")
