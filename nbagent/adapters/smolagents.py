"""smolagents: what ``agent.run(task, stream=True)`` yields.

A ``ToolCallingAgent`` or ``CodeAgent`` yields, per step: ``ChatMessageStreamDelta(content,
tool_calls, token_usage)`` while its model streams (only with ``stream_outputs=True``), then
``ToolCall(name, arguments, id)``, ``ToolOutput(id, output, observation, is_final_answer)``,
``ActionOutput`` and the step's ``ActionStep(step_number, timing, model_output,
observations, error, token_usage)``; a ``PlanningStep(plan, ...)`` where planning is on; and
last the ``FinalAnswerStep(output)``.

- Each step is a step, named ``Step n`` as smolagents logs it, with its token usage and
  duration (``meta["duration_s"]``).
- What the model writes (smolagents' "Thought: ..." and, for a CodeAgent, the code) is the
  step's reasoning: the thinking channel. The answer is the final answer (the
  ``final_answer`` tool's argument), the text of the run.
- A tool call streams its arguments; a CodeAgent's code action is a call of its
  ``python_interpreter`` with ``{"code": ...}`` whose result is the step's observations
  (the execution logs and last output).
- A step's error (a failing tool, code that raises, output that does not parse) is the
  error result of its open calls, else a warning: the agent goes on with the next step.

The items are dataclasses, recognised by name and module (nothing here imports smolagents);
their dict form (``dataclasses.asdict``, ``ActionStep.dict()``) is read too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent.adapters.base import (
    BadItemError,
    field,
    int_or_none,
    list_or_empty,
    plain,
    str_or_none,
    unwrap,
)
from nbagent.adapters.kit.dispatch import never_raises
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.adapters.kit.parts import Parts
from nbagent.core.events import (
    EndReason,
    ErrorEvent,
    Event,
    RunEnd,
    StepEnd,
    StepStart,
    TextDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
    Usage,
)
from nbagent.core.values import strict_json

__all__ = ["SmolagentsAdapter"]

_KINDS = frozenset(
    {
        "ChatMessageStreamDelta",
        "ToolCall",
        "ToolOutput",
        "ActionOutput",
        "ActionStep",
        "PlanningStep",
        "FinalAnswerStep",
    }
)


def _object_kind(item: Any) -> str | None:
    for cls in type(item).__mro__:
        if cls.__module__.split(".")[0] == "smolagents" and cls.__name__ in _KINDS:
            return cls.__name__
    return None


def _dict_kind(data: Mapping[str, Any], first: bool) -> str | None:
    """The item a dict is the ``asdict`` of; the first item of a stream only by the keys
    that say it (a tool call or an output alone could be anything)."""
    keys = set(data)
    if "timing" in keys and "step_number" in keys:
        return "ActionStep"
    if "timing" in keys and "plan" in keys:
        return "PlanningStep"
    if {"content", "tool_calls", "token_usage"} <= keys and "role" not in keys:
        return "ChatMessageStreamDelta"
    if {"observation", "is_final_answer", "tool_call"} <= keys:
        return "ToolOutput"
    if first:
        return None
    if keys == {"output", "is_final_answer"}:
        return "ActionOutput"
    if keys == {"output"}:
        return "FinalAnswerStep"
    if "id" in keys and ("function" in keys or {"name", "arguments"} <= keys):
        return "ToolCall"
    return None


def _read(item: Any, first: bool) -> tuple[str, Any] | None:
    kind = _object_kind(item)
    if kind is not None:
        return kind, item
    try:
        _, payload = unwrap(item)
    except BadItemError:
        return None
    if isinstance(payload, Mapping):
        kind = _dict_kind(payload, first)
        if kind is not None:
            return kind, payload
    return None


def _usage(step_id: str, token_usage: Any) -> Usage | None:
    tokens_in = int_or_none(field(token_usage, "input_tokens"))
    tokens_out = int_or_none(field(token_usage, "output_tokens"))
    if tokens_in is None and tokens_out is None:
        return None
    return Usage(step_id=step_id, input_tokens=tokens_in, output_tokens=tokens_out)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    # A model's content as a list of blocks ([{"type": "text", "text": ...}]).
    parts = [field(b, "text") for b in list_or_empty(value)]
    return "".join(p for p in parts if isinstance(p, str))


class SmolagentsAdapter:
    """``agent.run(task, stream=True)`` → events (see the module docstring)."""

    name: ClassVar[str] = "smolagents"

    def __init__(self) -> None:
        self._life = Lifecycle("smolagents", "what agent.run(task, stream=True) yields")
        self._step: str | None = None
        self._ids = Ids()
        self._thinking_of = Parts(self._ids)  # a step's thinking, in its scope
        self._streamed: dict[int, str] = {}  # streamed call index -> tool_call_id
        self._calls: dict[str, str] = {}  # smolagents call id -> tool_call_id
        self._open: list[str] = []  # calls of the open step with no result yet
        self._last_step_number = 0
        self._max_steps = False

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """A smolagents stream item (by type), or the dict of a delta or a step."""
        return _read(item, first=True) is not None

    def feed(self, item: Any) -> list[Event]:
        read = _read(item, first=False)
        if read is None:
            raise self._life.takes(item)
        if self._life.done:
            return []
        kind, item = read
        out: list[Event] = []
        self._life.begin(out)
        if kind == "FinalAnswerStep":
            self._final(item, out)
            return out
        if kind == "ActionStep" and self._step is None:
            number = int_or_none(field(item, "step_number"))
            if number is not None and number <= self._last_step_number:
                # smolagents yields its last step again only when max_steps ran out (and
                # then asks the model for a final answer without streaming it).
                self._max_steps = True
                return out
        step = self._step or self._open_step(out)
        if kind == "ChatMessageStreamDelta":
            self._delta(step, item, out)
        elif kind == "ToolCall":
            self._call(item, out)
        elif kind == "ToolOutput":
            self._output(item, out)
        elif kind == "ActionStep":
            self._action_step(step, item, out)
        elif kind == "PlanningStep":
            self._planning_step(step, item, out)
        return out  # ActionOutput: the step's ActionStep says it all

    def end(self) -> list[Event]:
        if not self._life.end():
            return []
        out: list[Event] = []
        self._life.begin(out)
        self._close_step(out)
        out.append(RunEnd(reason="incomplete", message="the agent stopped before its final answer"))
        return out

    # -- steps -------------------------------------------------------------------------

    def _open_step(self, out: list[Event]) -> str:
        self._step = step = self._ids.scope_id()
        self._streamed, self._open = {}, []
        number = self._last_step_number + 1
        out.append(StepStart(step_id=step, name=f"Step {number}", step_type="model"))
        return step

    def _close_step(self, out: list[Event], item: Any = None) -> None:
        step = self._step
        if step is None:
            return
        self._thinking_of.close("thinking", out, scope=step)
        usage = _usage(step, field(item, "token_usage")) if item is not None else None
        if usage is not None:
            out.append(usage)
        timing = field(item, "timing") if item is not None else None
        start, end = field(timing, "start_time"), field(timing, "end_time")
        meta = None
        if isinstance(start, (int, float)) and isinstance(end, (int, float)):
            meta = {"duration_s": round(end - start, 6)}
        finish = "tool_calls" if self._calls else "stop"
        out.append(StepEnd(step_id=step, finish_reason=finish, meta=meta))
        self._step = None

    def _thinking(self, step: str, text: str, out: list[Event]) -> None:
        if text:
            self._thinking_of.put("thinking", "thinking", text, out, scope=step)

    def _delta(self, step: str, item: Any, out: list[Event]) -> None:
        self._thinking(step, _text(field(item, "content")), out)
        for delta in list_or_empty(field(item, "tool_calls")):
            index = int_or_none(field(delta, "index")) or 0
            function = field(delta, "function")
            call_id = self._streamed.get(index)
            if call_id is None:
                given = str_or_none(field(delta, "id"))
                call_id = given or self._ids.new("call", step)
                self._streamed[index] = call_id
                name = str_or_none(field(function, "name")) or "tool"
                out.append(
                    ToolCallStart(
                        tool_call_id=call_id, name=name, index=index, synthetic_id=given is None
                    )
                )
                self._calls[call_id] = call_id
            arguments = field(function, "arguments")
            if isinstance(arguments, str) and arguments:
                out.append(ToolCallArgsDelta(tool_call_id=call_id, delta=arguments))

    def _call(self, item: Any, out: list[Event]) -> None:
        function = field(item, "function")  # the dict form of ToolCall.dict()
        name = str_or_none(field(function or item, "name")) or "tool"
        arguments = field(function or item, "arguments")
        given = str_or_none(field(item, "id"))
        call_id = (given and self._calls.get(given)) or given or self._ids.new("call", self._step)
        if name == "python_interpreter" and isinstance(arguments, str):
            args: Any = {"code": arguments}
        elif isinstance(arguments, str):
            try:
                args = strict_json(arguments)
            except ValueError:
                args = {"input": arguments}
        else:
            args = plain(arguments)
        if call_id not in self._calls:
            out.append(ToolCallStart(tool_call_id=call_id, name=name, synthetic_id=given is None))
        self._calls[call_id] = call_id
        if given:
            self._calls[given] = call_id
        text = json.dumps(args, ensure_ascii=False, default=str)
        out.append(ToolCallEnd(tool_call_id=call_id, arguments=text, args=plain(args)))
        self._open.append(call_id)

    def _output(self, item: Any, out: list[Event]) -> None:
        given = str_or_none(field(item, "id"))
        call_id = self._calls.get(given or "", given or "")
        if not call_id:
            return
        observation = field(item, "observation")
        content = observation if isinstance(observation, str) else plain(field(item, "output"))
        name = str_or_none(field(field(item, "tool_call"), "name"))
        out.append(ToolResult(tool_call_id=call_id, content=content, name=name))
        if call_id in self._open:
            self._open.remove(call_id)

    def _action_step(self, step: str, item: Any, out: list[Event]) -> None:
        self._last_step_number = int_or_none(field(item, "step_number")) or (
            self._last_step_number + 1
        )
        if self._thinking_of.get("thinking", step) is None:  # not streamed
            self._thinking(step, _text(field(item, "model_output")), out)
        error = field(item, "error")
        message = None
        if error is not None:
            message = (
                str(field(error, "message") or error) if isinstance(error, Mapping) else str(error)
            )
            error_type = (
                field(error, "type") if isinstance(error, Mapping) else type(error).__name__
            )
            self._max_steps = self._max_steps or error_type == "AgentMaxStepsError"
        observations = field(item, "observations")
        for call_id in self._open:
            if message is not None:
                out.append(ToolResult(tool_call_id=call_id, content=message, is_error=True))
            else:
                content = observations if isinstance(observations, str) else ""
                out.append(ToolResult(tool_call_id=call_id, content=content))
        if message is not None and not self._open:
            out.append(
                ErrorEvent(message=message, error_type=str_or_none(error_type), recoverable=True)
            )
        self._open = []
        self._close_step(out, item)
        self._calls = {}

    def _planning_step(self, step: str, item: Any, out: list[Event]) -> None:
        if self._thinking_of.get("thinking", step) is None:  # not streamed
            self._thinking(step, _text(field(item, "plan")), out)
        self._close_step(out, item)

    # -- the end -----------------------------------------------------------------------

    def _final(self, item: Any, out: list[Event]) -> None:
        self._close_step(out)
        self._life.end()
        output = field(item, "output")
        answer = output if isinstance(output, str) else str(plain(output))
        if output is not None and answer:
            out.append(TextDelta(message_id=self._ids.new("text"), delta=answer))
        reason: EndReason = "max_steps" if self._max_steps else "completed"
        out.append(RunEnd(reason=reason, raw_reason="FinalAnswerStep", result=plain(output)))
