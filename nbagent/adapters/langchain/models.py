"""Chat model runs of LangChain, ``Models``, a part of ``LangChainAdapter``: ``on_chat_model_*`` and
``on_llm_*`` events to text, thinking, tool call chunks and usage, reconciled at the end with
the run's full output; and the step stack they share with graph nodes (a model run is a step,
steps nested in one that ends are closed with it)."""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, list_or_empty, str_or_none
from nbagent.adapters.langchain.state import Data, ModelRun, call_chunks, finish_reason
from nbagent.adapters.langchain.tools import Tools
from nbagent.core.events import Event, MessageEnd, StepEnd, StepStart, TextDelta

__all__ = ["Models"]


class Models:
    """The model runs and the steps, on the run's ``Tools``."""

    def __init__(self, tools: Tools) -> None:
        self.tools = tools
        self.runs: dict[str, ModelRun] = {}  # open model runs by run id
        self.steps: list[str] = []  # open step ids, in order
        self.said: set[str] = set()  # ids of the messages models and nodes said
        self.refused = False  # a model run refused

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

    def _model(self, run_id: str) -> ModelRun:
        model = self.runs.get(run_id)
        if model is None:
            model = self.runs[run_id] = ModelRun(run_id)
        return model

    def start(self, p: Data, data: Data, run_id: str, name: str, out: list[Event]) -> None:
        self._model(run_id)
        if run_id:
            self.open_step(run_id, name or "model", "model", out)

    def stream(self, p: Data, data: Data, run_id: str, name: str, out: list[Event]) -> None:
        chunk = data.get("chunk")
        model = self._model(run_id)
        if chunk is None:
            return
        if isinstance(message_id := field(chunk, "id"), str):
            self.said.add(message_id)
        if isinstance(chunk, str):  # on_llm_stream: a plain string
            model.delta(chunk, out)
            return
        if field(chunk, "content") is None and isinstance(field(chunk, "text"), str):
            model.delta(field(chunk, "text"), out)  # GenerationChunk
        model.says(chunk, out)
        out.extend(call_chunks(self.tools.assembly, model, chunk))
        model.usage(chunk, out)

    def close_model(self, run_id: str, out: list[Event], output: Any) -> None:
        model = self.runs.pop(run_id, None)
        if model is None:
            return
        final = field(output, "content")
        final = final if isinstance(final, str) else None
        if not model.spoke and output is not None:
            # A model that did not stream (no ``_stream``): its whole message, thinking
            # (``reasoning_content``, reasoning and thinking blocks) and text, in order.
            model.says(output, out)
            model.close(out)
        elif not model.close(out, final) and final:  # thinking streamed, not its text
            out.append(TextDelta(message_id=run_id, delta=final))
            out.append(MessageEnd(message_id=run_id))
        full_calls = [tc for tc in list_or_empty(field(output, "tool_calls")) if tc is not None]
        by_id: dict[str | None, Any] = {}
        for tc in full_calls:
            by_id.setdefault(str_or_none(field(tc, "id")), field(tc, "args"))
        for position, call in enumerate(model.calls):  # its whole args: by id, else by place
            args = by_id.get(call.id)
            if call.id not in by_id and position < len(full_calls):
                args = field(full_calls[position], "args")
            self.tools.end_call(call, out, args)
        if not model.calls:  # tool calls the model did not stream
            self.tools.message_calls(run_id, output, out)
        if not model.usage_seen:
            model.usage(output, out)
        if isinstance(message_id := field(output, "id"), str):
            self.said.add(message_id)
        self.refused = self.refused or model.refused

    def end(self, p: Data, data: Data, run_id: str, name: str, out: list[Event]) -> None:
        output = data.get("output")
        if output is not None and field(output, "generations") is not None:  # LLMResult
            output = None
        self.close_model(run_id, out, output)
        self.close_step(run_id, name or "model", out, finish_reason(output))
