"""``Models``, the part of the LangChain hook adapter that reads model runs: a run is a step; its
text and thinking streamed from ``on_llm_new_token`` or whole from ``on_llm_end``; its tool
calls, usage and finish reason from the output message."""

from __future__ import annotations

import json
from typing import Any

from nbagent.adapters.base import field, list_or_empty, plain, str_or_none
from nbagent.adapters.kit.messages import SEEN_WHOLE, Channel, whole_message
from nbagent.adapters.kit.whole import call_events
from nbagent.adapters.langchain.content import message_parts, message_refusal
from nbagent.adapters.langchain.hooks.state import Tree, _Run, error_text, model_name
from nbagent.adapters.langchain.state import Data, ModelRun, call_chunks, finish_reason
from nbagent.core.events import ErrorEvent, Event, StepEnd, StepStart, ToolCallStart

__all__ = ["Models"]


class Models:
    """The model runs, in the run ``tree``; the calls they make wait for their result in
    ``calls`` (tool call id -> its scope and tool name)."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        self.calls: dict[str, tuple[str | None, str]] = {}

    def start(self, data: Data, run_id: str, root: str, out: list[Event]) -> None:
        run = self.tree.start("model", data, run_id, root, out)
        run.model = ModelRun(run_id, run.scope, wire_named=True)  # the calls' ids come later
        run.name = model_name(data)
        out.append(StepStart(step_id=run_id, name=run.name, step_type="model", parent=run.scope))

    def token(self, data: Data, run_id: str, root: str, out: list[Event]) -> None:
        run = self.tree.runs.get(run_id)
        if run is None or run.model is None:
            return
        chunk = data.get("chunk")
        message = field(chunk, "message") if chunk is not None else None
        if message is None:  # an LLM's GenerationChunk, or only the token
            run.model.delta(field(chunk, "text") if chunk is not None else data.get("token"), out)
            return
        run.model.says(message, out)
        for event in call_chunks(run.assembly, run.model, message):
            if isinstance(event, ToolCallStart):  # the call's id and name came
                event.parent = run.scope
                self.calls[event.tool_call_id] = (run.scope, event.name)
            out.append(event)

    def end(self, data: Data, run_id: str, root: str, out: list[Event]) -> None:
        run = self.tree.runs.pop(run_id, None)
        if run is None or run.model is None:
            return
        response = data.get("response")
        generations = list_or_empty(field(response, "generations"))
        first = list_or_empty(generations[0]) if generations else ()
        generation = first[0] if first else None
        message = field(generation, "message")
        self.close_model(run, generation, out)
        metadata = field(message, "response_metadata")
        model = str_or_none(field(metadata, "model_name")) or str_or_none(field(metadata, "model"))
        # else an LLM's (or an older chat model's) OpenAI-style counts
        token_usage = field(field(response, "llm_output"), "token_usage")
        run.model.usage(message, out, model or run.name, other=token_usage, cumulative=True)
        finish = finish_reason(message)
        if finish is None and generation is not None:
            finish = str_or_none(field(field(generation, "generation_info"), "finish_reason"))
        out.append(StepEnd(step_id=run_id, name=run.name, finish_reason=finish, parent=run.scope))

    def close_model(self, run: _Run, generation: Any, out: list[Event]) -> None:
        """The model's output: its text (whole, unless tokens came) and its tool calls."""
        model = run.model
        assert model is not None
        message = field(generation, "message")
        content = field(message, "content")
        streamed = model.think_open or model.text_open or model.refusal_open
        model.close(out, content if isinstance(content, str) else None)
        if not streamed and generation is not None:
            parts = message_parts(message) if message is not None else []
            if message is None and isinstance(text := field(generation, "text"), str) and text:
                parts = [("text", text)]
            messages: list[tuple[Channel, str]] = [("thinking", model.think_id)]
            for channel, message_id in [*messages, ("text", model.key)]:
                if said := "".join(t for c, t in parts if c == channel):
                    whole_message(out, channel, message_id, said, SEEN_WHOLE, parent=run.scope)
            if refusal := message_refusal(message):
                refusal_id = model.refusal_id
                whole_message(
                    out, "text", refusal_id, refusal, SEEN_WHOLE, parent=run.scope, refusal=True
                )
        if message is not None:
            self._output_calls(run, model, message, out)

    def _output_calls(self, run: _Run, model: ModelRun, message: Any, out: list[Event]) -> None:
        streamed = {call.id for call in model.calls if call.started}
        calls = [*list_or_empty(field(message, "tool_calls"))]
        calls += list_or_empty(field(message, "invalid_tool_calls"))
        for tc in calls:
            call_id = str_or_none(field(tc, "id"))
            name = str_or_none(field(tc, "name")) or ""
            if call_id is None:
                call_id = run.assembly.ids.new("call", model.key or None)
            args = field(tc, "args")
            arguments = args if isinstance(args, str) else json.dumps(plain(args or {}))
            synthetic = field(tc, "id") is None
            self.whole_call(
                call_id, name, arguments, run.scope, out, synthetic, call_id in streamed
            )

    def whole_call(
        self, call_id: str, name: str, arguments: str, scope: str | None, out: list[Event],
        synthetic: bool, streamed: bool = False,
    ) -> None:  # fmt: skip
        """A call seen whole (its start unless it streamed, its end), waiting for its result."""
        if not streamed:
            self.calls[call_id] = (scope, name)
        for event in call_events(call_id, name, arguments, synthetic=synthetic)[streamed:]:
            event.parent = scope
            out.append(event)

    def error(self, data: Data, run_id: str, root: str, out: list[Event]) -> None:
        run = self.tree.runs.pop(run_id, None)
        if run is None or run.model is None:
            return
        self.close_model(run, None, out)
        error_type = str_or_none(data.get("error_type"))
        out.append(
            ErrorEvent(
                message=error_text(data), error_type=error_type, recoverable=True, parent=run.scope
            )
        )
        out.append(StepEnd(step_id=run_id, name=run.name, finish_reason="error", parent=run.scope))
