"""Chat model runs of LangChain, ``Models``, a part of ``LangChainAdapter``: ``on_chat_model_*`` and
``on_llm_*`` events to text, thinking, tool call chunks and usage, reconciled at the end with
the run's full output; and the step stack they share with graph nodes (a model run is a step,
steps nested in one that ends are closed with it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent._events import Event, MessageEnd, StepEnd, StepStart, TextDelta, ThinkingDelta
from nbagent.adapters.base import field, list_or_empty, str_or_none
from nbagent.adapters.langchain.content import message_parts
from nbagent.adapters.langchain.state import _Model, usage_of, whole_call
from nbagent.adapters.langchain.tools import Tools

__all__ = ["Models"]


class Models:
    """The model runs and the steps, on the run's ``Tools``."""

    def __init__(self, tools: Tools) -> None:
        self.tools = tools
        self.runs: dict[str, _Model] = {}  # open model runs by run id
        self.steps: list[str] = []  # open step ids, in order
        self.said: set[str] = set()  # ids of the messages models and nodes said

    # -- steps -------------------------------------------------------------------------------

    def open_step(self, step_id: str, name: str, step_type: Any, out: list[Event]) -> None:
        if step_id in self.steps:
            return
        parent = self.steps[-1] if self.steps else None
        out.append(
            StepStart(step_id=step_id, name=name, step_type=step_type, parent_step_id=parent)
        )
        self.steps.append(step_id)

    def close_step(self, step_id: str, name: str, out: list[Event], finish: Any = None) -> None:
        if step_id not in self.steps:
            return
        # close the steps nested in it that never ended, then it
        while self.steps:
            top = self.steps.pop()
            reason = str_or_none(finish) if top == step_id else None
            out.append(
                StepEnd(step_id=top, name=name if top == step_id else "", finish_reason=reason)
            )
            if top == step_id:
                break

    # -- models ------------------------------------------------------------------------------

    def _model(self, run_id: str) -> _Model:
        model = self.runs.get(run_id)
        if model is None:
            model = self.runs[run_id] = _Model(run_id)
        return model

    def start(
        self, p: Mapping[str, Any], data: Mapping[str, Any], run_id: str, name: str,
        out: list[Event],
    ) -> None:  # fmt: skip
        self._model(run_id)
        if run_id:
            self.open_step(run_id, name or "model", "model", out)

    def stream(
        self, p: Mapping[str, Any], data: Mapping[str, Any], run_id: str, name: str,
        out: list[Event],
    ) -> None:  # fmt: skip
        chunk = data.get("chunk")
        model = self._model(run_id)
        if chunk is None:
            return
        if isinstance(message_id := field(chunk, "id"), str):
            self.said.add(message_id)
        if isinstance(chunk, str):  # on_llm_stream: a plain string
            self._text(run_id, model, chunk, out)
            return
        if field(chunk, "content") is None and isinstance(field(chunk, "text"), str):
            self._text(run_id, model, field(chunk, "text"), out)  # GenerationChunk
        for channel, value in message_parts(chunk):
            if channel == "thinking":
                self._thinking(run_id, model, value, out)
            else:
                self._text(run_id, model, value, out)
        for tc in list_or_empty(field(chunk, "tool_call_chunks")):
            self.tools.chunk(model, tc, out)
        usage = field(chunk, "usage_metadata")
        if usage:
            model.usage_seen = True
            out.append(usage_of(usage, run_id))

    def _thinking(self, run_id: str, model: _Model, delta: Any, out: list[Event]) -> None:
        if isinstance(delta, str) and delta:
            model.think_open = True
            out.append(ThinkingDelta(message_id=f"{run_id}:think", delta=delta))

    def _text(self, run_id: str, model: _Model, delta: Any, out: list[Event]) -> None:
        if isinstance(delta, str) and delta:
            if model.think_open:
                model.think_open = False
                out.append(MessageEnd(message_id=f"{run_id}:think", channel="thinking"))
            model.text_open = True
            out.append(TextDelta(message_id=run_id, delta=delta))

    def close_model(self, run_id: str, out: list[Event], output: Any) -> None:
        model = self.runs.pop(run_id, None)
        if model is None:
            return
        if model.think_open:
            out.append(MessageEnd(message_id=f"{run_id}:think", channel="thinking"))
        final = field(output, "content") if output is not None else None
        if model.text_open:
            out.append(
                MessageEnd(message_id=run_id, final_text=final if isinstance(final, str) else None)
            )
        elif isinstance(final, str) and final:  # a model that did not stream: the full text
            out.append(TextDelta(message_id=run_id, delta=final))
            out.append(MessageEnd(message_id=run_id))
        full_calls = [tc for tc in list_or_empty(field(output, "tool_calls")) if tc is not None]
        for position, call in enumerate(model.calls):
            args = None
            for tc in full_calls:
                if str_or_none(field(tc, "id")) == call.id:
                    args = field(tc, "args")
                    break
            else:
                if position < len(full_calls):
                    args = field(full_calls[position], "args")
            self.tools.end_call(call, out, args)
        if not model.calls:  # tool calls the model did not stream
            for tc in full_calls:
                tool_call_id = str_or_none(field(tc, "id"))
                if tool_call_id is None or tool_call_id in self.tools.calls:
                    continue
                name = str_or_none(field(tc, "name")) or ""
                call = self.tools.add_whole(whole_call(tool_call_id, run_id, name))
                self.tools.end_call(call, out, field(tc, "args"))
        usage = field(output, "usage_metadata") if output is not None else None
        if usage and not model.usage_seen:
            out.append(usage_of(usage, run_id))
        if isinstance(message_id := field(output, "id"), str):
            self.said.add(message_id)

    def end(
        self, p: Mapping[str, Any], data: Mapping[str, Any], run_id: str, name: str,
        out: list[Event],
    ) -> None:  # fmt: skip
        output = data.get("output")
        if output is not None and field(output, "generations") is not None:  # LLMResult
            output = None
        self.close_model(run_id, out, output)
        metadata = field(output, "response_metadata") if output is not None else None
        finish = None
        if metadata is not None:
            finish = field(metadata, "finish_reason") or field(metadata, "stop_reason")
        self.close_step(run_id, name or "model", out, finish)
