"""LlamaIndex agent workflows: the events of ``handler.stream_events()``.

``handler = agent.run(user_msg=...)`` (a ``FunctionAgent``, ``ReActAgent``, ``CodeActAgent``
or a multi-agent ``AgentWorkflow``) streams ``llama_index.core.agent.workflow`` events
(pydantic models) and ends with the workflow's ``StopEvent``:

- ``AgentInput`` (written by the agent right before it calls its LLM): a step opens, named
  after ``current_agent_name`` (a handoff in an ``AgentWorkflow`` shows as the next step
  named after the next agent);
- ``AgentStream(delta, response, thinking_delta, tool_calls, raw)``: text and thinking; the
  usage the LLM put in ``raw`` (the provider's chunk, dumped);
- ``AgentOutput(response, tool_calls, raw, retry_messages)``: the step ends; its tool calls,
  whole (``tool_kwargs`` is a dict: there are no argument fragments to stream);
- ``ToolCall`` / ``ToolCallResult(tool_output=ToolOutput(content, is_error))``: the call and
  its result or error (a failing tool is an error result; the agent goes on);
- ``StopEvent`` ends the run; its subclasses ``WorkflowFailedEvent``,
  ``WorkflowTimedOutEvent`` and ``WorkflowCancelledEvent`` end it with an error, as expired
  or as cancelled. Any other workflow event (a custom workflow's own) is kept as ``Custom``.

Types are recognised by name and module (``workflows``, or ``llama_index`` where older
releases defined them): nothing here imports LlamaIndex.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent.adapters.base import (
    field,
    list_or_empty,
    plain,
    str_or_none,
    type_is,
)
from nbagent.adapters.kit.dispatch import never_raises
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.adapters.llama_index.parts import Step, Tools
from nbagent.adapters.llama_index.read import (
    kind_of,
    read_event,
    text_of,
    thinking_of,
    usage_in_raw,
)
from nbagent.core.events import (
    Custom,
    ErrorEvent,
    Event,
    RunEnd,
    Status,
    StepStart,
    TextDelta,
)

__all__ = ["LlamaIndexAdapter"]


class LlamaIndexAdapter:
    """``handler.stream_events()`` of a LlamaIndex agent workflow → events (see the module
    docstring)."""

    name: ClassVar[str] = "llama-index"

    def __init__(self) -> None:
        self._life = Lifecycle(
            "llama-index", "the events of a LlamaIndex workflow's handler.stream_events()"
        )
        self._ids = Ids()  # the steps, a return_direct answer
        self._step: Step | None = None
        self._agent: str | None = None
        self._tools = Tools()
        self._direct: str | None = None  # a return_direct tool's output: the answer

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """A workflow event object (``workflows.events.Event`` or a subclass), or one
        serialized by the workflows ``JsonSerializer``."""
        return read_event(item) is not None

    # -- the adapter interface ---------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        read = read_event(item)
        if read is None:
            raise self._life.takes(item)
        if self._life.done:
            return []
        kind, item = read
        out: list[Event] = []
        self._life.begin(out)
        if kind == "AgentInput":
            self._close_step(out)
            self._open_step(item, out)
        elif kind == "AgentStream":
            self._stream(item, out)
        elif kind == "AgentOutput":
            self._output(item, out)
        elif kind == "ToolCall":
            self._call(item, out)
        elif kind == "ToolCallResult":
            self._result(item, out)
        elif kind == "AgentStreamStructuredOutput":
            out.append(Custom(name="structured_output", value=plain(field(item, "output"))))
        elif kind == "InputRequiredEvent":
            prefix = str_or_none(field(item, "prefix"))
            out.append(Status(state="input_required", text=prefix or "waiting for input"))
        elif kind == "AgentSetup":
            pass
        elif kind == "Event":
            name = type(item).__name__ if kind_of(item) else "workflow_event"
            out.append(Custom(name=name, value=plain(item)))
        else:
            self._stop(kind, item, out)
        return out

    def end(self) -> list[Event]:
        if not self._life.end():
            return []
        out: list[Event] = []
        self._life.begin(out)
        self._close_step(out)
        out.append(
            RunEnd(reason="incomplete", message="the workflow's stream ended with no StopEvent")
        )
        return out

    # -- steps (one LLM call each) -----------------------------------------------------

    def _open_step(self, item: Any, out: list[Event]) -> Step:
        agent = str_or_none(field(item, "current_agent_name"))
        meta = {"agent": agent} if agent else None
        if agent and self._agent and agent != self._agent:
            meta = {"agent": agent, "handoff_from": self._agent}
        self._agent = agent or self._agent
        self._step = step = Step(self._ids.scope_id(), self._agent or "")
        out.append(
            StepStart(step_id=step.step_id, name=agent or "agent", step_type="model", meta=meta)
        )
        return step

    def _current_step(self, item: Any, out: list[Event]) -> Step:
        """The open step; an LLM call with no ``AgentInput`` before it (the early-stopping
        answer) opens one."""
        return self._step or self._open_step(item, out)

    def _close_step(self, out: list[Event], finish: str | None = None) -> None:
        if self._step is not None:
            self._step.end(finish, out)
            self._step = None

    def _stream(self, item: Any, out: list[Event]) -> None:
        step = self._current_step(item, out)
        step.think(field(item, "thinking_delta"), out)
        step.stream(field(item, "response"), field(item, "delta"), out)
        step.usage.update(usage_in_raw(field(item, "raw")))

    def _output(self, item: Any, out: list[Event]) -> None:
        step = self._current_step(item, out)
        response = field(item, "response")
        if not step.thinking:
            step.think(thinking_of(response), out)
        if not step.streamed:
            step.say(text_of(response), out)
        calls = 0
        for selection in list_or_empty(field(item, "tool_calls")):
            if type_is(selection, "llama_index", "ToolCallResult") or (
                isinstance(selection, Mapping) and "tool_output" in selection
            ):
                continue  # a call of an earlier step, listed again on the final output
            calls += 1
            self._tools.start(selection, None, out)
        # A ReAct agent whose output did not parse asks its LLM again: a warning, not an end.
        out.extend(
            ErrorEvent(
                message=text_of(message) or "the agent's output was rejected; retrying",
                error_type="retry",
                recoverable=True,
            )
            for message in list_or_empty(field(item, "retry_messages"))[1:]
        )
        step.usage.update(usage_in_raw(field(item, "raw")))
        self._close_step(out, "tool_calls" if calls else "stop")

    # -- tools -------------------------------------------------------------------------

    def _call(self, item: Any, out: list[Event]) -> None:
        self._close_step(out, "tool_calls")
        self._tools.start(item, None, out)

    def _result(self, item: Any, out: list[Event]) -> None:
        self._close_step(out, "tool_calls")
        call_id = self._tools.start(item, None, out)
        name = str_or_none(field(item, "tool_name"))
        result = self._tools.result(call_id, field(item, "tool_output"), None, out, name=name)
        returns = field(item, "return_direct") is True and name != "handoff"
        if returns and result is not None and not result.is_error:
            self._direct = result.content

    # -- the end -----------------------------------------------------------------------

    def _stop(self, kind: str, item: Any, out: list[Event]) -> None:
        self._close_step(out)
        self._life.end()
        if kind == "WorkflowFailedEvent":
            exc = field(item, "exception")
            step = str_or_none(field(item, "step_name"))
            if isinstance(exc, BaseException):
                error_type: str | None = type(exc).__name__
                detail = str(exc)
            else:  # serialized: {"exception_type": "module.Name", "exception_message": ...}
                error_type = str_or_none(field(exc, "exception_type"))
                error_type = error_type.rsplit(".", 1)[-1] if error_type else None
                detail = str_or_none(field(exc, "exception_message")) or ""
            if error_type is None:
                text = str(plain(exc))
            else:  # an exception without a message is named alone, not "Name: "
                text = f"{error_type}: {detail}" if detail else error_type
            message = f"step {step} failed: {text}" if step else text
            out.append(ErrorEvent(message=message, error_type=error_type))
            out.append(RunEnd(reason="error", raw_reason=kind, message=message))
        elif kind == "WorkflowTimedOutEvent":
            timeout = field(item, "timeout")
            message = f"the workflow timed out after {timeout} s"
            out.append(RunEnd(reason="expired", raw_reason=kind, message=message))
        elif kind == "WorkflowCancelledEvent":
            out.append(RunEnd(reason="cancelled", raw_reason=kind))
        else:
            result = (
                item.get("result") if isinstance(item, Mapping) else getattr(item, "result", None)
            )
            if self._direct is not None:
                # A return_direct tool's output is the answer; no LLM call wrote it.
                out.append(TextDelta(message_id=self._ids.new("text"), delta=self._direct))
            if kind_of(result) == "AgentOutput" or (
                isinstance(result, Mapping) and "current_agent_name" in result
            ):
                result = text_of(field(result, "response"))
            out.append(RunEnd(reason="completed", raw_reason=kind, result=plain(result)))
