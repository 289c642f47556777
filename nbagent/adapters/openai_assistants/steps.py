"""Run steps and tool calls: ``Call``, what the adapter keeps of one tool call, and
``Steps``, the part of ``OpenAIAssistantsAdapter`` that opens and ends steps, assembles
their tool calls (an id from ``adapters/kit``'s ``Ids`` when the wire has none; full
arguments reconciled with the streamed ones; code interpreter and file search results), closes
the calls of ``required_action`` and reads the ``Usage`` of a run or a step.
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, int_or_none, plain, str_or_none
from nbagent.adapters.kit import Ids, Part, Parts, args_text, openai_usage
from nbagent.adapters.openai_assistants.maps import (
    SERVER_TOOLS,
    STEP_ENDS,
    code_outputs,
    error_dict,
)
from nbagent.adapters.openai_responses.maps import error_code
from nbagent.core.events import (
    ErrorEvent,
    Event,
    StepEnd,
    StepStart,
    ToolResult,
)

__all__ = ["Steps"]


class Steps:
    """The run's steps and their tool calls: kit ``Parts`` in their step's scope, by index."""

    def __init__(self) -> None:
        self._parts = Parts(Ids())
        self._calls: dict[tuple[str, int], Part] = {}  # (step id, index) -> call, ended too
        self._calls_by_id: dict[str, Part] = {}
        self._answered: set[str] = set()  # the calls whose result was sent
        self._open_steps: dict[str, str] = {}  # step id -> step type
        self._unnamed: str | None = None  # the open step the wire gave no id

    @staticmethod
    def usage(obj: Any, scope: str, out: list[Event]) -> None:
        usage = field(obj, "usage")
        if usage is None or isinstance(usage, (str, int)):
            return
        out.append(
            openai_usage(
                usage, details=False, cumulative=True, scope="step" if scope == "step" else "run"
            )
        )

    def step(self, name: str, step: Any, out: list[Event]) -> None:
        step_id = field(step, "id")
        if not isinstance(step_id, str) or not step_id:
            # its later events carry none either: the open one the wire named not, until it ends
            step_id = self._unnamed = self._unnamed or self._parts.ids.scope_id("step")
        if name == "thread.run.step.created":
            step_type = field(step, "type")
            step_type = step_type if isinstance(step_type, str) else "step"
            if step_id not in self._open_steps:
                self._open_steps[step_id] = step_type
                out.append(
                    StepStart(
                        step_id=step_id,
                        name=step_type,
                        step_type="tool" if step_type == "tool_calls" else "model",
                    )
                )
            self._tool_calls(step_id, field(step, "step_details"), out)
        elif name == "thread.run.step.delta":
            self._tool_calls(step_id, field(field(step, "delta"), "step_details"), out)
        elif name in STEP_ENDS:
            details = field(step, "step_details")
            self._tool_calls(step_id, details, out, full=True)
            self._parts.close_all(out, step_id)
            status = field(step, "status")
            status = status if isinstance(status, str) else name.rpartition(".")[2]
            last_error = field(step, "last_error")
            if last_error:
                error = error_dict(last_error)
                out.append(
                    ErrorEvent(
                        message=error["message"],
                        code=error_code(error.get("code")),
                        recoverable=True,
                        details=error,
                    )
                )
            self.usage(step, "step", out)
            step_type = self._open_steps.pop(step_id, None)
            if step_type is None:
                step_type = field(step, "type")
                step_type = step_type if isinstance(step_type, str) else "step"
            out.append(StepEnd(step_id=step_id, name=step_type, finish_reason=status))
            if step_id == self._unnamed:
                self._unnamed = None

    def _tool_calls(self, step_id: str, details: Any, out: list[Event], full: bool = False) -> None:
        if field(details, "type") != "tool_calls":
            return
        calls = field(details, "tool_calls")
        if not isinstance(calls, list):
            return
        for position, call in enumerate(calls):
            index = int_or_none(field(call, "index"))
            self._tool_call(step_id, position if index is None else index, call, out, full)

    def _tool_call(self, step_id: str, index: int, wire: Any, out: list[Event], full: bool) -> None:
        kind = field(wire, "type")
        kind = kind if isinstance(kind, str) else "function"
        body = field(wire, kind)
        wire_id = str_or_none(field(wire, "id"))
        call = self._calls.get((step_id, index))
        if call is None and wire_id is not None:
            call = self._calls_by_id.get(wire_id)
        if call is None:
            name = field(body, "name") if kind == "function" else kind
            call = self._calls[(step_id, index)] = self._parts.start(
                "call",
                index,
                out,
                scope=step_id,
                wire_id=wire_id,
                name=name if isinstance(name, str) else "",
                index=index,
                executor="server" if kind in SERVER_TOOLS else None,
            )
            self._calls_by_id[call.id] = call
        args = field(body, "arguments") if kind == "function" else field(body, "input")
        if kind == "file_search":
            args = None
        if full:
            if args is not None:
                self._end_call(call, args, out)
        elif call.open:
            self._parts.delta(call, args, out)
        result: Any = None
        if kind == "function":
            result = field(body, "output")
        elif kind == "code_interpreter":
            result = code_outputs(field(body, "outputs"))
        elif kind == "file_search":
            result = plain(field(body, "results"))
        if result not in (None, "", []) and call.id not in self._answered:
            self._end_call(call, None, out)
            self._answered.add(call.id)
            out.append(ToolResult(tool_call_id=call.id, content=result, name=call.name or None))

    def _end_call(self, call: Part, full: Any, out: list[Event]) -> None:
        """Close a call, reconciling the full argument text with the streamed one."""
        self._parts.settle(call, args_text(full) or None, out)

    def finish(self, out: list[Event]) -> None:
        """End every open tool call and step (the run is ending)."""
        self._parts.close_all(out)
        for step_id, step_type in list(self._open_steps.items()):
            out.append(StepEnd(step_id=step_id, name=step_type, finish_reason="incomplete"))
        self._open_steps.clear()

    def close_required(self, wire: Any, out: list[Event]) -> None:
        """A call of ``required_action``: start it if no delta announced it, then end it."""
        wire_id = field(wire, "id")
        if not isinstance(wire_id, str) or not wire_id:
            return
        function = field(wire, "function")
        call = self._calls_by_id.get(wire_id)
        if call is None:
            name = field(function, "name")
            name = name if isinstance(name, str) else ""
            call = self._parts.start(
                "call", wire_id, out, scope="required", wire_id=wire_id, name=name
            )
            self._calls_by_id[wire_id] = call
        self._end_call(call, field(function, "arguments"), out)
