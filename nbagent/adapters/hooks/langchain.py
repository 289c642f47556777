"""The ``langchain`` hook family's adapter: LangChain callbacks (``on_chat_model_start``,
``on_llm_new_token``, ``on_llm_end``, ``on_tool_*``, ``on_chain_*``) → events.

A chat model (or LLM) run is a step ``{run_id}``; its answer the message ``{run_id}`` and its
reasoning ``{run_id}:think``: streamed when ``on_llm_new_token`` came (a model streaming under
the hood), else whole from ``on_llm_end`` (``MessageStart(whole=True)``). Tool calls are the
output message's ``tool_calls`` (streamed ``tool_call_chunks`` open them early); a tool run
answers the call its ``tool_call_id`` names (or the oldest unanswered call of its name; with
neither, the tool run is a call of its own, ``synthetic_id``). Usage is the output message's
``usage_metadata`` (or an LLM's ``llm_output.token_usage``), one per step.

Chains only give the tree. Nesting: the runs under a tool run are in that tool call's scope
(an agent used as a tool); a LangGraph node whose graph namespace (its
``langgraph_checkpoint_ns`` less its own task) is deeper than its parent's scope is in a
sub-agent scope per level (a subgraph: ``StepStart(step_type="subagent")``, id the namespace
joined by ``|``, closed with the run of that task). A failed model call and a failed root
are ``ErrorEvent(recoverable=True)``; a failed tool is an error result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent._events import (
    ErrorEvent,
    Event,
    MessageEnd,
    MessageStart,
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
from nbagent.adapters.base import field, int_or_none, list_or_empty, plain, str_or_none
from nbagent.adapters.hooks.base import HookAdapter
from nbagent.adapters.hooks.record import HookRecord
from nbagent.adapters.langchain.content import message_parts, messages_in
from nbagent.adapters.langchain.scopes import scope_name

__all__ = ["LangChainHookAdapter"]

_NOT_FAILURES = frozenset({"GraphInterrupt", "NodeInterrupt", "GraphBubbleUp", "ParentCommand"})
"""LangGraph's control flow raised through the runs: an interrupt, a jump to the parent."""


class _Run:
    """One LangChain run: where its events go (``scope``, the namespace ``ns`` that scope
    stands for) and where its children's go (``inner``, ``inner_ns``)."""

    __slots__ = ("call", "inner", "inner_ns", "kind", "model", "name", "ns", "opened", "scope")

    def __init__(self, kind: str, scope: str | None, ns: tuple[str, ...]) -> None:
        self.kind = kind
        self.scope = scope
        self.ns = ns
        self.inner = scope
        self.inner_ns = ns
        self.name = ""
        self.call: str | None = None  # a tool run: the call it answers
        self.opened: str | None = None  # a node run: its task's namespace, a scope it may close
        self.model: _Model | None = None


class _Model:
    """What a model run streamed so far."""

    __slots__ = ("calls", "text", "thinking")

    def __init__(self) -> None:
        self.text = False  # its text message is open (tokens came)
        self.thinking = False
        self.calls: dict[int, _Chunked] = {}  # tool_call_chunks by index


class _Chunked:
    """A tool call assembled from ``tool_call_chunks``."""

    __slots__ = ("args", "id", "name", "started")

    def __init__(self) -> None:
        self.id: str | None = None
        self.name: str | None = None
        self.args: list[str] = []
        self.started = False


class LangChainHookAdapter(HookAdapter):
    """LangChain callback records → events (see the module docstring)."""

    family: ClassVar[str] = "langchain"

    def __init__(self) -> None:
        self._runs: dict[str, _Run] = {}
        self._calls: dict[str, str | None] = {}  # tool call id -> its scope, until answered
        self._names: dict[str, str] = {}  # tool call id -> tool name
        self._claimed: set[str] = set()  # calls a tool run is answering
        self._failed: dict[str, tuple[float, str | None, str]] = {}  # call -> ts, scope, name
        self._scopes: dict[str, str] = {}  # open sub-agent scope id -> its root
        self._serial = 0

    def feed(self, record: HookRecord) -> list[Event]:
        data = record.data if isinstance(record.data, Mapping) else {}
        handler = _HANDLERS.get(record.kind)
        run_id = data.get("run_id")
        if handler is None or not isinstance(run_id, str):
            return []
        out: list[Event] = []
        if record.kind == "on_tool_error":
            self._note_failure(run_id, record.ts)
        handler(self, data, run_id, record.root, out)
        if self._failed and record.kind == "on_chain_end":
            self._handled(data.get("outputs"), out)
        if record.last:
            self._close_scopes(record.root, out)
            self._failed.clear()  # failures no ToolNode handled: the call raised
        return out

    def end(self) -> list[Event]:
        out: list[Event] = []
        for run_id, run in list(self._runs.items()):
            if run.kind == "model":
                self._close_model(run_id, run, None, out)
                out.append(StepEnd(step_id=run_id, name=run.name, parent=run.scope))
        self._runs.clear()
        for scope in list(self._scopes):
            self._close_scope(scope, out)
        return out

    # -- the tree -----------------------------------------------------------------------------

    def _start(
        self, kind: str, data: Mapping[str, Any], run_id: str, root: str, out: list[Event]
    ) -> _Run:
        parent = self._runs.get(str(data.get("parent_run_id") or ""))
        full = _checkpoint_ns(data.get("metadata"))
        graph_ns = full[:-1]
        if parent is None:  # a root: the namespace it runs in is its top level
            run = _Run(kind, None, graph_ns)
        else:
            run = _Run(kind, parent.inner, parent.inner_ns)
            base = parent.inner_ns
            if len(graph_ns) > len(base) and graph_ns[: len(base)] == base:
                for depth in range(len(base) + 1, len(graph_ns) + 1):
                    run.scope = self._open_scope(graph_ns[:depth], run.scope, root, out)
                run.ns = graph_ns
        run.inner, run.inner_ns = run.scope, run.ns
        if kind == "chain" and full and len(full) > len(run.ns):
            run.opened = "|".join(full)
        self._runs[run_id] = run
        return run

    def _open_scope(
        self, ns: tuple[str, ...], parent: str | None, root: str, out: list[Event]
    ) -> str:
        scope_id = "|".join(ns)
        if scope_id not in self._scopes:
            self._scopes[scope_id] = root
            name = scope_name(ns[-1])
            out.append(StepStart(step_id=scope_id, name=name, step_type="subagent", parent=parent))
        return scope_id

    def _close_scope(self, scope_id: str, out: list[Event]) -> None:
        for inner in [s for s in self._scopes if s.startswith(scope_id + "|")]:
            self._close_scope(inner, out)
        if self._scopes.pop(scope_id, None) is not None:
            out.append(StepEnd(step_id=scope_id))

    def _close_scopes(self, root: str, out: list[Event]) -> None:
        for scope_id in [s for s, r in self._scopes.items() if r == root]:
            self._close_scope(scope_id, out)

    def _on_chain_start(
        self, data: Mapping[str, Any], run_id: str, root: str, out: list[Event]
    ) -> None:
        self._start("chain", data, run_id, root, out)

    def _on_chain_end(
        self, data: Mapping[str, Any], run_id: str, root: str, out: list[Event]
    ) -> None:
        run = self._runs.pop(run_id, None)
        if run is not None and run.opened is not None:
            self._close_scope(run.opened, out)
        error_type = str_or_none(data.get("error_type"))
        if run is not None and run_id == root and error_type and error_type not in _NOT_FAILURES:
            message = f"{error_type}: {data.get('message') or ''}".rstrip(": ")
            out.append(ErrorEvent(message=message, error_type=error_type, recoverable=True))

    # -- models -------------------------------------------------------------------------------

    def _on_model_start(
        self, data: Mapping[str, Any], run_id: str, root: str, out: list[Event]
    ) -> None:
        run = self._start("model", data, run_id, root, out)
        run.model = _Model()
        run.name = _model_name(data)
        out.append(StepStart(step_id=run_id, name=run.name, step_type="model", parent=run.scope))

    def _on_token(self, data: Mapping[str, Any], run_id: str, root: str, out: list[Event]) -> None:
        run = self._runs.get(run_id)
        if run is None or run.model is None:
            return
        chunk = data.get("chunk")
        message = field(chunk, "message") if chunk is not None else None
        if message is None:  # an LLM's GenerationChunk, or only the token
            text = field(chunk, "text") if chunk is not None else data.get("token")
            self._text(run_id, run, text, out)
            return
        for channel, value in message_parts(message):
            if channel == "thinking":
                self._thinking(run_id, run, value, out)
            else:
                self._text(run_id, run, value, out)
        for tc in list_or_empty(field(message, "tool_call_chunks")):
            self._tool_chunk(run, tc, out)

    def _thinking(self, run_id: str, run: _Run, delta: Any, out: list[Event]) -> None:
        assert run.model is not None
        if isinstance(delta, str) and delta:
            run.model.thinking = True
            out.append(ThinkingDelta(message_id=f"{run_id}:think", delta=delta, parent=run.scope))

    def _text(self, run_id: str, run: _Run, delta: Any, out: list[Event]) -> None:
        assert run.model is not None
        if isinstance(delta, str) and delta:
            self._end_thinking(run_id, run, out)
            run.model.text = True
            out.append(TextDelta(message_id=run_id, delta=delta, parent=run.scope))

    def _end_thinking(self, run_id: str, run: _Run, out: list[Event]) -> None:
        assert run.model is not None
        if run.model.thinking:
            run.model.thinking = False
            think_id = f"{run_id}:think"
            out.append(MessageEnd(message_id=think_id, channel="thinking", parent=run.scope))

    def _tool_chunk(self, run: _Run, tc: Any, out: list[Event]) -> None:
        assert run.model is not None
        index = int_or_none(field(tc, "index"))
        calls = run.model.calls
        key = index if index is not None else max(calls, default=-1) + (1 if field(tc, "id") else 0)
        call = calls.get(key)
        if call is None:
            call = calls[key] = _Chunked()
        call.id = call.id or str_or_none(field(tc, "id"))
        call.name = call.name or str_or_none(field(tc, "name"))
        args = field(tc, "args")
        if isinstance(args, str) and args:
            call.args.append(args)
            if call.started:
                out.append(ToolCallArgsDelta(tool_call_id=str(call.id), delta=args))
        if not call.started and call.id and call.name:
            call.started = True
            self._calls[call.id] = run.scope
            self._names[call.id] = call.name
            out.append(ToolCallStart(tool_call_id=call.id, name=call.name, parent=run.scope))
            if call.args:
                out.append(ToolCallArgsDelta(tool_call_id=call.id, delta="".join(call.args)))

    def _on_model_end(
        self, data: Mapping[str, Any], run_id: str, root: str, out: list[Event]
    ) -> None:
        run = self._runs.pop(run_id, None)
        if run is None or run.model is None:
            return
        response = data.get("response")
        generations = list_or_empty(field(response, "generations"))
        first = list_or_empty(generations[0]) if generations else ()
        generation = first[0] if first else None
        message = field(generation, "message") if generation is not None else None
        self._close_model(run_id, run, generation, out)
        usage = field(message, "usage_metadata") if message is not None else None
        metadata = field(message, "response_metadata") if message is not None else None
        model = str_or_none(field(metadata, "model_name")) or str_or_none(field(metadata, "model"))
        if usage:
            out.append(_usage(usage, run_id, run.scope, model or run.name))
        else:
            token_usage = field(field(response, "llm_output"), "token_usage")
            if token_usage:  # an LLM's (or an older chat model's) OpenAI-style counts
                out.append(_usage(token_usage, run_id, run.scope, model or run.name))
        finish = field(metadata, "finish_reason") or field(metadata, "stop_reason")
        if finish is None and generation is not None:
            finish = field(field(generation, "generation_info"), "finish_reason")
        out.append(
            StepEnd(
                step_id=run_id, name=run.name, finish_reason=str_or_none(finish), parent=run.scope
            )
        )

    def _close_model(self, run_id: str, run: _Run, generation: Any, out: list[Event]) -> None:
        """The model's output: its text (whole, unless tokens came) and its tool calls."""
        state = run.model
        assert state is not None
        scope = run.scope
        message = field(generation, "message") if generation is not None else None
        if state.thinking or state.text:
            self._end_thinking(run_id, run, out)
            if state.text:
                content = field(message, "content")
                final = content if isinstance(content, str) else None
                out.append(MessageEnd(message_id=run_id, final_text=final, parent=scope))
        elif generation is not None:
            parts = message_parts(message) if message is not None else []
            if message is None and isinstance(text := field(generation, "text"), str) and text:
                parts = [("text", text)]
            thinking = "".join(t for c, t in parts if c == "thinking")
            text = "".join(t for c, t in parts if c == "text")
            if thinking:
                _whole(f"{run_id}:think", "thinking", thinking, scope, out)
            if text:
                _whole(run_id, "text", text, scope, out)
        if message is not None:
            self._output_calls(run, message, out)

    def _output_calls(self, run: _Run, message: Any, out: list[Event]) -> None:
        assert run.model is not None
        streamed = {c.id: c for c in run.model.calls.values() if c.started and c.id}
        calls = [*list_or_empty(field(message, "tool_calls"))]
        calls += list_or_empty(field(message, "invalid_tool_calls"))
        for tc in calls:
            call_id = str_or_none(field(tc, "id"))
            name = str_or_none(field(tc, "name")) or ""
            if call_id is None:
                self._serial += 1
                call_id = f"call_{self._serial}"
            args = field(tc, "args")
            arguments = args if isinstance(args, str) else json.dumps(plain(args or {}))
            if call_id not in streamed:
                self._calls[call_id] = run.scope
                self._names[call_id] = name
                synth = field(tc, "id") is None
                out.append(
                    ToolCallStart(
                        tool_call_id=call_id, name=name, synthetic_id=synth, parent=run.scope
                    )
                )
            out.append(ToolCallEnd(tool_call_id=call_id, arguments=arguments, parent=run.scope))

    def _on_model_error(
        self, data: Mapping[str, Any], run_id: str, root: str, out: list[Event]
    ) -> None:
        run = self._runs.pop(run_id, None)
        if run is None or run.model is None:
            return
        self._close_model(run_id, run, None, out)
        error_type = str_or_none(data.get("error_type"))
        message = f"{error_type or 'error'}: {data.get('message') or ''}".rstrip(": ")
        out.append(
            ErrorEvent(message=message, error_type=error_type, recoverable=True, parent=run.scope)
        )
        out.append(StepEnd(step_id=run_id, name=run.name, finish_reason="error", parent=run.scope))

    # -- tools --------------------------------------------------------------------------------

    def _on_tool_start(
        self, data: Mapping[str, Any], run_id: str, root: str, out: list[Event]
    ) -> None:
        run = self._start("tool", data, run_id, root, out)
        serialized = data.get("serialized")
        run.name = str_or_none(field(serialized, "name")) or str_or_none(data.get("name")) or ""
        call_id = str_or_none(data.get("tool_call_id"))
        if call_id is None:  # no id: the oldest unanswered call of that name
            call_id = next(
                (c for c in self._calls if c not in self._claimed and self._names[c] == run.name),
                None,
            )
        if call_id is None or call_id not in self._calls or call_id in self._claimed:
            # a tool run no model call of ours asked for: a call of its own
            given = call_id is not None
            call_id = call_id or f"tool-{run_id}"
            inputs = data.get("inputs")
            arguments = json.dumps(plain(inputs)) if isinstance(inputs, Mapping) else None
            if arguments is None:
                arguments = json.dumps({"input": str(data.get("input_str") or "")})
            self._calls[call_id] = run.scope
            self._names[call_id] = run.name
            out.append(
                ToolCallStart(
                    tool_call_id=call_id, name=run.name, synthetic_id=not given, parent=run.scope
                )
            )
            out.append(ToolCallEnd(tool_call_id=call_id, arguments=arguments, parent=run.scope))
        run.call = call_id
        self._claimed.add(call_id)
        # what runs inside the tool (an agent used as a tool) is in its call's scope
        run.inner = call_id
        run.inner_ns = _checkpoint_ns(data.get("metadata")) or run.ns

    def _on_tool_end(
        self, data: Mapping[str, Any], run_id: str, root: str, out: list[Event]
    ) -> None:
        run = self._runs.pop(run_id, None)
        if run is None or run.call is None:
            return
        call_id = run.call
        scope = self._calls.pop(call_id, run.scope)
        self._names.pop(call_id, None)
        self._claimed.discard(call_id)
        if "error_type" in data:
            error_type = str_or_none(data.get("error_type")) or "error"
            content: Any = f"{error_type}: {data.get('message') or ''}".rstrip(": ")
            is_error = True
        else:
            content, is_error = _tool_output(data.get("output"), call_id)
        out.append(
            ToolResult(
                tool_call_id=call_id,
                content=content,
                name=run.name or None,
                is_error=is_error,
                parent=scope,
            )
        )

    def _note_failure(self, run_id: str, ts: float) -> None:
        run = self._runs.get(run_id)
        if run is not None and run.call is not None:
            scope = self._calls.get(run.call, run.scope)
            self._failed[run.call] = (ts, scope, run.name)

    def _handled(self, outputs: Any, out: list[Event]) -> None:
        """A failed tool whose error a ``ToolNode`` handled: the result is the error text it
        gave the model (its ``ToolMessage``), at the time the tool failed."""
        for message in messages_in(outputs):
            call_id = field(message, "tool_call_id")
            failed = self._failed.pop(call_id, None) if isinstance(call_id, str) else None
            if failed is None:
                continue
            ts, scope, name = failed
            content = plain(field(message, "content"))
            out.append(
                ToolResult(
                    tool_call_id=str(call_id),
                    content=content,
                    name=name or None,
                    is_error=True,
                    parent=scope,
                    ts=ts,
                )
            )


def _whole(message_id: str, channel: Any, text: str, scope: str | None, out: list[Event]) -> None:
    """A message the hook saw only whole: opened, said at once, closed."""
    out.append(MessageStart(message_id=message_id, channel=channel, whole=True, parent=scope))
    if channel == "thinking":
        out.append(ThinkingDelta(message_id=message_id, delta=text, parent=scope))
    else:
        out.append(TextDelta(message_id=message_id, delta=text, parent=scope))
    out.append(MessageEnd(message_id=message_id, channel=channel, parent=scope))


def _tool_output(output: Any, call_id: str) -> tuple[Any, bool]:
    """A tool's result: a ``ToolMessage`` (its content and status), a ``Command`` carrying
    one, or a plain value."""
    messages = [m for m in messages_in(output) if field(m, "tool_call_id") is not None]
    if messages:
        message = next((m for m in messages if field(m, "tool_call_id") == call_id), messages[0])
        content = field(message, "content")
        return plain(content), field(message, "status") == "error"
    return plain(output), False


def _usage(usage: Any, step_id: str, scope: str | None, model: str | None) -> Usage:
    """``usage_metadata`` (or OpenAI-style ``token_usage``) of one model call."""
    inputs = int_or_none(field(usage, "input_tokens"))
    outputs = int_or_none(field(usage, "output_tokens"))
    if inputs is None and outputs is None:
        inputs = int_or_none(field(usage, "prompt_tokens"))
        outputs = int_or_none(field(usage, "completion_tokens"))
    return Usage(
        input_tokens=inputs,
        output_tokens=outputs,
        total_tokens=int_or_none(field(usage, "total_tokens")),
        reasoning_tokens=int_or_none(field(field(usage, "output_token_details"), "reasoning")),
        cached_input_tokens=int_or_none(field(field(usage, "input_token_details"), "cache_read")),
        step_id=step_id,
        scope="step",
        model=model or None,
        parent=scope,
    )


def _model_name(data: Mapping[str, Any]) -> str:
    """The model's name: LangSmith's ``ls_model_name``, the invocation's ``model``, the run's
    name, the class's; ``"model"`` when none."""
    metadata = data.get("metadata")
    params = data.get("invocation_params")
    for value in (
        field(metadata, "ls_model_name"),
        field(params, "model"),
        field(params, "model_name"),
        field(params, "model_id"),
        data.get("name"),
    ):
        if isinstance(value, str) and value:
            return value
    ids = list_or_empty(field(data.get("serialized"), "id"))
    if ids and isinstance(ids[-1], str):
        return ids[-1]
    return "model"


def _checkpoint_ns(metadata: Any) -> tuple[str, ...]:
    """The LangGraph task a run belongs to, as its namespace: ``("math:1f0c", "agent:9a2b")``."""
    value = field(metadata, "langgraph_checkpoint_ns") if isinstance(metadata, Mapping) else None
    return tuple(value.split("|")) if isinstance(value, str) and value else ()


_HANDLERS = {
    "on_chain_start": LangChainHookAdapter._on_chain_start,
    "on_chain_end": LangChainHookAdapter._on_chain_end,
    "on_chain_error": LangChainHookAdapter._on_chain_end,
    "on_chat_model_start": LangChainHookAdapter._on_model_start,
    "on_llm_start": LangChainHookAdapter._on_model_start,
    "on_llm_new_token": LangChainHookAdapter._on_token,
    "on_llm_end": LangChainHookAdapter._on_model_end,
    "on_llm_error": LangChainHookAdapter._on_model_error,
    "on_tool_start": LangChainHookAdapter._on_tool_start,
    "on_tool_end": LangChainHookAdapter._on_tool_end,
    "on_tool_error": LangChainHookAdapter._on_tool_end,
}
"""A callback's name → its handler."""
