"""``format="langchain"``: LangChain ``astream_events(version="v2")`` and LangGraph Platform.

Items are the ``StreamEvent`` dicts (``data.chunk`` may be a real ``AIMessageChunk``,
duck-typed through ``field()``, or its dict form), JSON strings of them, or
``ServerSentEvent`` frames of LangGraph Platform ``stream_mode="events"`` (``event:
events``; ``event: metadata`` gives the run id; ``event: error`` is fatal). Mapping:
design ``protocols.md`` §12.7.

Ids: the run id is the root event's ``run_id`` (the first event's ``parent_ids[0]`` when
the stream starts inside a run). Text of a model run is the message ``{run_id}``,
its thinking ``{run_id}:think``; a model run is a step ``{run_id}``, a LangGraph node
(``on_chain_*`` whose ``name == metadata.langgraph_node``) a ``node`` step ``{run_id}``;
other chains are ignored. Tool calls keep their streamed id; chunks without an index
continue the id's call, else the latest call of the run; a call with no id at all gets
``call_{n}`` (``synthetic_id=True``). ``on_tool_start`` is paired FIFO by tool name with
a streamed call that has no result yet (or, better, by ``ToolMessage.tool_call_id`` at the
end); with no match the tool run itself becomes a call ``{tool run_id}``.

End: the root's ``on_*_end`` → ``RunEnd("completed")``; ``end()`` before it →
``RunEnd("incomplete")``. Errors raised by the iterator are the controller's job.
``usage_metadata`` is per chunk (``cumulative=False``); ``on_chat_model_end.output`` only
reconciles (text ``final_text``, tool args / usage that were never streamed).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent._events import (
    Custom,
    ErrorEvent,
    Event,
    MessageEnd,
    RunEnd,
    RunStart,
    Status,
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
from nbagent.adapters.base import (
    BadItemError,
    ServerSentEvent,
    field,
    int_or_none,
    list_or_empty,
    plain,
    short_repr,
    str_or_none,
    unwrap,
)

__all__ = ["LangChainAdapter"]


class _Call:
    __slots__ = ("buffer", "ended", "id", "index", "name", "run", "started", "streamed", "synth")

    def __init__(self, tool_call_id: str, run: str, index: int | None, synth: bool) -> None:
        self.id = tool_call_id
        self.run = run
        self.index = index
        self.synth = synth
        self.name = ""
        self.started = False
        self.ended = False
        self.streamed = False
        self.buffer: list[str] = []


class _Model:
    """One chat model run."""

    __slots__ = ("by_index", "calls", "text_open", "think_open", "usage_seen")

    def __init__(self) -> None:
        self.text_open = False
        self.think_open = False
        self.usage_seen = False
        self.calls: list[_Call] = []
        self.by_index: dict[int, _Call] = {}


class LangChainAdapter:
    """``astream_events(version="v2")`` items → events (see the module docstring)."""

    name: ClassVar[str] = "langchain"

    def __init__(self) -> None:
        self._started = False
        self._done = False
        self._root: str | None = None
        self._root_known = False
        self._models: dict[str, _Model] = {}
        self._steps: list[str] = []  # open step ids, in order
        self._calls: dict[str, _Call] = {}
        self._serial = 0
        self._pending: list[_Call] = []  # calls without a result, FIFO
        self._tool_runs: dict[str, str] = {}  # tool run id -> tool call id
        self._answered: set[str] = set()

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    def detect(item: Any) -> bool:
        """A StreamEvent: ``event`` starting with ``on_`` plus ``data`` or ``run_id``."""
        try:
            if isinstance(item, ServerSentEvent) and item.event == "metadata":
                return False
            _, payload = unwrap(item)
        except Exception:  # noqa: BLE001 - detect never raises
            return False
        if not isinstance(payload, Mapping):
            return False
        event = payload.get("event")
        if not isinstance(event, str) or not event.startswith("on_"):
            return False
        return isinstance(payload.get("data"), Mapping) or isinstance(payload.get("run_id"), str)

    # -- the adapter interface ---------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._done:
            return []
        sse_name, payload = unwrap(item)
        out: list[Event] = []
        if sse_name is not None and sse_name != "events":
            return self._sse_frame(sse_name, payload, out)
        if not isinstance(payload, Mapping):
            if isinstance(payload, str) or payload is None or isinstance(payload, (list, int)):
                raise BadItemError(
                    f"langchain: an item must be a StreamEvent dict: {short_repr(item)}"
                )
            raise BadItemError(f"langchain: not a StreamEvent: {short_repr(item)}")
        event = payload.get("event")
        if not isinstance(event, str):
            raise BadItemError(f"langchain: a StreamEvent has an 'event' name: {short_repr(item)}")
        run_id = str_or_none(payload.get("run_id")) or ""
        if not self._root_known:
            parents = payload.get("parent_ids")
            root = run_id
            if isinstance(parents, list) and parents and isinstance(parents[0], str):
                root = parents[0]
            self._root_known = True
            self._root = root or None
            if not self._started:
                self._start(out, root)
        data = payload.get("data")
        if not isinstance(data, Mapping):
            data = {}
        name = str_or_none(payload.get("name")) or ""
        handler = _HANDLERS.get(event)
        if handler is not None:
            handler(self, payload, data, run_id, name, out)
        elif event.startswith(("on_retriever_", "on_prompt_", "on_parser_")):
            if event == "on_retriever_start":
                out.append(Status(state="retrieving", text=name or "retrieving", detail=name))
            else:
                out.append(Custom(name=event, value={"name": name, "run_id": run_id}))
        else:
            out.append(Custom(name=event, value=plain(dict(payload)), is_raw=True))
        if run_id and run_id == self._root and event.endswith("_end"):
            self._finish(out, "completed")
        return out

    def end(self) -> list[Event]:
        if self._done:
            return []
        out: list[Event] = []
        if not self._started:
            self._start(out, "")
        self._finish(out, "incomplete", "the stream ended before the root run ended")
        return out

    # -- lifecycle -------------------------------------------------------------------------

    def _start(self, out: list[Event], root: str) -> None:
        self._started = True
        out.append(RunStart(run_id=root))

    def _sse_frame(self, sse_name: str, payload: Any, out: list[Event]) -> list[Event]:
        if sse_name == "metadata":
            run_id = str_or_none(field(payload, "run_id")) if isinstance(payload, Mapping) else None
            if not self._started:
                self._start(out, run_id or "")  # the root comes with the first events frame
            return out
        if not self._started:
            self._start(out, "")
        if sse_name == "error":
            message = None
            if isinstance(payload, Mapping):
                message = str_or_none(payload.get("message")) or str_or_none(payload.get("error"))
            message = message or (payload if isinstance(payload, str) else "the server failed")
            self._close_all(out)
            out.append(ErrorEvent(message=str(message), details=plain(payload)))
            out.append(RunEnd(reason="error", message=str(message)))
            self._done = True
        elif sse_name == "end":
            self._finish(out, "completed")
        else:
            out.append(Custom(name=sse_name, value=plain(payload), is_raw=True))
        return out

    def _finish(self, out: list[Event], reason: str, message: str | None = None) -> None:
        self._done = True
        self._close_all(out)
        if reason == "incomplete":
            out.append(RunEnd(reason="incomplete", message=message))
        else:
            out.append(RunEnd(reason="completed"))

    def _close_all(self, out: list[Event]) -> None:
        for run_id in list(self._models):
            self._close_model(run_id, out, None)
        while self._steps:
            out.append(StepEnd(step_id=self._steps.pop()))

    def _open_step(self, step_id: str, name: str, step_type: Any, out: list[Event]) -> None:
        if step_id in self._steps:
            return
        parent = self._steps[-1] if self._steps else None
        out.append(
            StepStart(step_id=step_id, name=name, step_type=step_type, parent_step_id=parent)
        )
        self._steps.append(step_id)

    def _close_step(self, step_id: str, name: str, out: list[Event], finish: Any = None) -> None:
        if step_id not in self._steps:
            return
        # close the steps nested in it that never ended, then it
        while self._steps:
            top = self._steps.pop()
            reason = str_or_none(finish) if top == step_id else None
            out.append(
                StepEnd(step_id=top, name=name if top == step_id else "", finish_reason=reason)
            )
            if top == step_id:
                break

    # -- chains (graph nodes) ----------------------------------------------------------------

    def _on_chain_start(
        self, p: Mapping[str, Any], data: Mapping[str, Any], run_id: str, name: str,
        out: list[Event],
    ) -> None:  # fmt: skip
        metadata = p.get("metadata")
        node = metadata.get("langgraph_node") if isinstance(metadata, Mapping) else None
        if run_id and node and node == name and run_id != self._root:
            self._open_step(run_id, name, "node", out)

    def _on_chain_end(
        self, p: Mapping[str, Any], data: Mapping[str, Any], run_id: str, name: str,
        out: list[Event],
    ) -> None:  # fmt: skip
        self._close_step(run_id, name, out)

    # -- models ------------------------------------------------------------------------------

    def _model(self, run_id: str) -> _Model:
        model = self._models.get(run_id)
        if model is None:
            model = self._models[run_id] = _Model()
        return model

    def _on_model_start(
        self, p: Mapping[str, Any], data: Mapping[str, Any], run_id: str, name: str,
        out: list[Event],
    ) -> None:  # fmt: skip
        self._model(run_id)
        if run_id:
            self._open_step(run_id, name or "model", "model", out)

    def _on_model_stream(
        self, p: Mapping[str, Any], data: Mapping[str, Any], run_id: str, name: str,
        out: list[Event],
    ) -> None:  # fmt: skip
        chunk = data.get("chunk")
        model = self._model(run_id)
        if chunk is None:
            return
        if isinstance(chunk, str):  # on_llm_stream: a plain string
            self._text(run_id, model, chunk, out)
            return
        content = field(chunk, "content")
        if content is None and field(chunk, "text") is not None:  # GenerationChunk
            content = field(chunk, "text")
        extra = field(chunk, "additional_kwargs")
        reasoning = field(extra, "reasoning_content") if extra is not None else None
        if isinstance(reasoning, str) and reasoning:
            self._thinking(run_id, model, reasoning, out)
        if isinstance(content, str):
            self._text(run_id, model, content, out)
        elif isinstance(content, list):
            for block in content:
                if isinstance(block, str):
                    self._text(run_id, model, block, out)
                    continue
                kind = field(block, "type")
                if kind == "text":
                    self._text(run_id, model, field(block, "text"), out)
                elif kind == "thinking":
                    self._thinking(run_id, model, field(block, "thinking"), out)
                elif kind == "reasoning":
                    value = field(block, "reasoning")
                    if not isinstance(value, str):
                        summary = field(block, "summary")  # OpenAI responses/v1 form
                        if isinstance(summary, list):
                            value = "".join(
                                t for s in summary if isinstance(t := field(s, "text"), str)
                            )
                    self._thinking(run_id, model, value, out)
                # tool_use / input_json_delta blocks duplicate tool_call_chunks: skipped
        for tc in list_or_empty(field(chunk, "tool_call_chunks")):
            self._tool_chunk(run_id, model, tc, out)
        usage = field(chunk, "usage_metadata")
        if usage:
            model.usage_seen = True
            out.append(_usage(usage))

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

    def _tool_chunk(self, run_id: str, model: _Model, tc: Any, out: list[Event]) -> None:
        index = int_or_none(field(tc, "index"))
        wire_id = str_or_none(field(tc, "id"))
        call: _Call | None = None
        if wire_id is not None and wire_id in self._calls:
            known = self._calls[wire_id]
            if not known.ended and known.run == run_id:
                call = known
        if call is None and index is not None:
            by_index = model.by_index.get(index)
            if (
                by_index is not None
                and not by_index.ended
                and (wire_id is None or by_index.synth or by_index.id == wire_id)
            ):
                call = by_index
        name = str_or_none(field(tc, "name"))
        if call is None and wire_id is None and index is None and model.calls:
            latest = model.calls[-1]
            if not latest.ended and not (name and latest.name):  # a name starts a new call
                call = latest
        if call is None:
            synth = wire_id is None or wire_id in self._calls
            if synth:
                self._serial += 1
                tool_call_id = f"call_{self._serial}"
                while tool_call_id in self._calls:
                    self._serial += 1
                    tool_call_id = f"call_{self._serial}"
            else:
                tool_call_id = wire_id or ""
            call = _Call(tool_call_id, run_id, index, synth)
            self._calls[tool_call_id] = call
            model.calls.append(call)
            self._pending.append(call)
            if index is not None:
                model.by_index[index] = call
        elif wire_id is not None and call.synth and not call.started and wire_id not in self._calls:
            del self._calls[call.id]
            call.id, call.synth = wire_id, False
            self._calls[wire_id] = call
        if name and not call.name:
            call.name = name
        args = field(tc, "args")
        if args is not None and not isinstance(args, str):
            args = json.dumps(plain(args), ensure_ascii=False)
        if args:
            call.streamed = True
            if call.started:
                out.append(ToolCallArgsDelta(tool_call_id=call.id, delta=args))
            else:
                call.buffer.append(args)
        if not call.started and call.name:
            self._start_call(call, out)

    def _start_call(self, call: _Call, out: list[Event]) -> None:
        call.started = True
        out.append(
            ToolCallStart(
                tool_call_id=call.id, name=call.name, index=call.index, synthetic_id=call.synth
            )
        )
        out.extend(ToolCallArgsDelta(tool_call_id=call.id, delta=b) for b in call.buffer)
        call.buffer.clear()

    def _end_call(self, call: _Call, out: list[Event], args: Any = None) -> None:
        if call.ended:
            return
        if not call.started:
            self._start_call(call, out)
        call.ended = True
        out.append(ToolCallEnd(tool_call_id=call.id, args=None if call.streamed else args))

    def _close_model(self, run_id: str, out: list[Event], output: Any) -> None:
        model = self._models.pop(run_id, None)
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
            self._end_call(call, out, args)
        if not model.calls:  # tool calls the model did not stream
            for tc in full_calls:
                tool_call_id = str_or_none(field(tc, "id"))
                if tool_call_id is None or tool_call_id in self._calls:
                    continue
                call = _Call(tool_call_id, run_id, None, False)
                call.name = str_or_none(field(tc, "name")) or ""
                self._calls[tool_call_id] = call
                self._pending.append(call)
                self._end_call(call, out, field(tc, "args"))
        usage = field(output, "usage_metadata") if output is not None else None
        if usage and not model.usage_seen:
            out.append(_usage(usage))

    def _on_model_end(
        self, p: Mapping[str, Any], data: Mapping[str, Any], run_id: str, name: str,
        out: list[Event],
    ) -> None:  # fmt: skip
        output = data.get("output")
        if output is not None and field(output, "generations") is not None:  # LLMResult
            output = None
        self._close_model(run_id, out, output)
        metadata = field(output, "response_metadata") if output is not None else None
        finish = None
        if metadata is not None:
            finish = field(metadata, "finish_reason") or field(metadata, "stop_reason")
        self._close_step(run_id, name or "model", out, finish)

    # -- tools -------------------------------------------------------------------------------

    def _claim(self, name: str) -> _Call | None:
        """The oldest call named ``name`` that no tool run has claimed yet (FIFO by name)."""
        claimed = set(self._tool_runs.values())
        for call in self._pending:
            if call.name == name and call.id not in claimed and call.id not in self._answered:
                return call
        return None

    def _on_tool_start(
        self, p: Mapping[str, Any], data: Mapping[str, Any], run_id: str, name: str,
        out: list[Event],
    ) -> None:  # fmt: skip
        out.append(Status(state="tool_running", text=name or "tool", detail=name))
        call = self._claim(name)
        if call is not None:
            self._tool_runs[run_id] = call.id
            return
        tool_call_id = run_id or f"tool_{len(self._tool_runs) + 1}"
        if tool_call_id in self._calls:
            return
        call = _Call(tool_call_id, run_id, None, True)
        call.name = name
        self._calls[tool_call_id] = call
        self._pending.append(call)
        self._tool_runs[run_id] = tool_call_id
        self._end_call(call, out, plain(data.get("input")))

    def _result_call(self, run_id: str, name: str, raw_id: Any) -> str:
        wire_id = str_or_none(raw_id)
        if wire_id is not None and wire_id in self._calls and wire_id not in self._answered:
            return wire_id
        claimed = self._tool_runs.get(run_id)
        if claimed is not None:
            return claimed
        call = self._claim(name)
        if call is not None:
            return call.id
        return wire_id or run_id or name or "tool"

    def _answer(self, tool_call_id: str, out: list[Event]) -> None:
        self._answered.add(tool_call_id)
        call = self._calls.get(tool_call_id)
        if call is not None:
            if call in self._pending:
                self._pending.remove(call)
            self._end_call(call, out)

    def _on_tool_end(
        self, p: Mapping[str, Any], data: Mapping[str, Any], run_id: str, name: str,
        out: list[Event],
    ) -> None:  # fmt: skip
        output = data.get("output")
        wire_id = None
        content: Any = output
        is_error = False
        if output is not None and not isinstance(output, (str, int, float, bool, list)):
            has_content = isinstance(output, Mapping) and "content" in output
            if has_content or not isinstance(output, Mapping):
                wire_id = field(output, "tool_call_id")
                content = field(output, "content")
                is_error = field(output, "status") == "error"
        tool_call_id = self._result_call(run_id, name, wire_id)
        self._answer(tool_call_id, out)
        out.append(
            ToolResult(
                tool_call_id=tool_call_id,
                content=plain(content),
                name=name or None,
                is_error=is_error,
            )
        )

    def _on_tool_error(
        self, p: Mapping[str, Any], data: Mapping[str, Any], run_id: str, name: str,
        out: list[Event],
    ) -> None:  # fmt: skip
        tool_call_id = self._result_call(run_id, name, data.get("tool_call_id"))
        self._answer(tool_call_id, out)
        error = data.get("error")
        text = error if isinstance(error, str) else (f"{type(error).__name__}: {error}")
        if isinstance(error, Mapping):
            text = str_or_none(error.get("message")) or json.dumps(plain(error))
        out.append(
            ToolResult(tool_call_id=tool_call_id, content=text, name=name or None, is_error=True)
        )

    # -- other -------------------------------------------------------------------------------

    def _on_custom_event(
        self, p: Mapping[str, Any], data: Mapping[str, Any], run_id: str, name: str,
        out: list[Event],
    ) -> None:  # fmt: skip
        out.append(Custom(name=name or "custom", value=plain(p.get("data"))))

    def _ignore(
        self, p: Mapping[str, Any], data: Mapping[str, Any], run_id: str, name: str,
        out: list[Event],
    ) -> None:  # fmt: skip
        return


def _usage(usage: Any) -> Usage:
    return Usage(
        input_tokens=int_or_none(field(usage, "input_tokens")),
        output_tokens=int_or_none(field(usage, "output_tokens")),
        total_tokens=int_or_none(field(usage, "total_tokens")),
        reasoning_tokens=int_or_none(field(field(usage, "output_token_details"), "reasoning")),
        cached_input_tokens=int_or_none(field(field(usage, "input_token_details"), "cache_read")),
        cumulative=False,
        scope="step",
    )


_HANDLERS: dict[str, Any] = {
    "on_chain_start": LangChainAdapter._on_chain_start,
    "on_chain_end": LangChainAdapter._on_chain_end,
    "on_chain_stream": LangChainAdapter._ignore,
    "on_chat_model_start": LangChainAdapter._on_model_start,
    "on_chat_model_stream": LangChainAdapter._on_model_stream,
    "on_chat_model_end": LangChainAdapter._on_model_end,
    "on_llm_start": LangChainAdapter._on_model_start,
    "on_llm_stream": LangChainAdapter._on_model_stream,
    "on_llm_end": LangChainAdapter._on_model_end,
    "on_tool_start": LangChainAdapter._on_tool_start,
    "on_tool_end": LangChainAdapter._on_tool_end,
    "on_tool_error": LangChainAdapter._on_tool_error,
    "on_custom_event": LangChainAdapter._on_custom_event,
}
