"""``Models``, the part of the LangChain hook adapter that reads model runs: a run is a step; its
text and thinking streamed from ``on_llm_new_token`` or whole from ``on_llm_end``; its tool
calls, usage and finish reason from the output message."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nbagent._events import (
    ErrorEvent,
    Event,
    MessageEnd,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
)
from nbagent.adapters.base import field, int_or_none, list_or_empty, plain, str_or_none
from nbagent.adapters.hooks.langchain.state import (
    _Chunked,
    _Model,
    _Run,
    model_name,
    usage_event,
    whole,
)
from nbagent.adapters.hooks.langchain.tree import Tree
from nbagent.adapters.langchain.content import message_parts

__all__ = ["Models"]


class Models:
    """The model runs, in the run ``tree``; the calls they make go to ``calls`` (tool call id
    -> its scope, until answered) and ``names`` (tool call id -> tool name), the adapter's."""

    def __init__(self, tree: Tree, calls: dict[str, str | None], names: dict[str, str]) -> None:
        self.tree = tree
        self._calls = calls
        self._names = names
        self._serial = 0

    def start(self, data: Mapping[str, Any], run_id: str, root: str, out: list[Event]) -> None:
        run = self.tree.start("model", data, run_id, root, out)
        run.model = _Model()
        run.name = model_name(data)
        out.append(StepStart(step_id=run_id, name=run.name, step_type="model", parent=run.scope))

    def token(self, data: Mapping[str, Any], run_id: str, root: str, out: list[Event]) -> None:
        run = self.tree.runs.get(run_id)
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

    def end(self, data: Mapping[str, Any], run_id: str, root: str, out: list[Event]) -> None:
        run = self.tree.runs.pop(run_id, None)
        if run is None or run.model is None:
            return
        response = data.get("response")
        generations = list_or_empty(field(response, "generations"))
        first = list_or_empty(generations[0]) if generations else ()
        generation = first[0] if first else None
        message = field(generation, "message") if generation is not None else None
        self.close_model(run_id, run, generation, out)
        usage = field(message, "usage_metadata") if message is not None else None
        metadata = field(message, "response_metadata") if message is not None else None
        model = str_or_none(field(metadata, "model_name")) or str_or_none(field(metadata, "model"))
        if usage:
            out.append(usage_event(usage, run_id, run.scope, model or run.name))
        else:
            token_usage = field(field(response, "llm_output"), "token_usage")
            if token_usage:  # an LLM's (or an older chat model's) OpenAI-style counts
                out.append(usage_event(token_usage, run_id, run.scope, model or run.name))
        finish = field(metadata, "finish_reason") or field(metadata, "stop_reason")
        if finish is None and generation is not None:
            finish = field(field(generation, "generation_info"), "finish_reason")
        out.append(
            StepEnd(
                step_id=run_id, name=run.name, finish_reason=str_or_none(finish), parent=run.scope
            )
        )

    def close_model(self, run_id: str, run: _Run, generation: Any, out: list[Event]) -> None:
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
                whole(f"{run_id}:think", "thinking", thinking, scope, out)
            if text:
                whole(run_id, "text", text, scope, out)
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

    def error(self, data: Mapping[str, Any], run_id: str, root: str, out: list[Event]) -> None:
        run = self.tree.runs.pop(run_id, None)
        if run is None or run.model is None:
            return
        self.close_model(run_id, run, None, out)
        error_type = str_or_none(data.get("error_type"))
        message = f"{error_type or 'error'}: {data.get('message') or ''}".rstrip(": ")
        out.append(
            ErrorEvent(message=message, error_type=error_type, recoverable=True, parent=run.scope)
        )
        out.append(StepEnd(step_id=run_id, name=run.name, finish_reason="error", parent=run.scope))
