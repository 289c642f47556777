"""A step of an ``Agent`` (``nbagent.agent.agent``): its adapter events renamed to ids unique
in the run (``StepIds``), and what its assistant message keeps of them (``record``)."""

from __future__ import annotations

import dataclasses

from nbagent.agent.tool_runner import Call
from nbagent.core.events import (
    Event,
    MessageEnd,
    MessageStart,
    RunStart,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    Usage,
)

__all__ = ["StepIds", "find_call", "record"]


class StepIds:
    """Adapter events with ids unique in the run: every step's chunk ids may be alike, and
    a server that sends no tool call ids gets the same made-up ones in every step."""

    def __init__(self, step: int, model: str | None = None) -> None:
        self.step = step
        self.model = model  # the usage names it: a nested agent's steps are priced by theirs
        self.synthetic: set[str] = set()

    def rename(self, ev: Event) -> Event | None:
        step = self.step
        if isinstance(ev, (RunStart, StepStart)):
            return None  # the run has its own; the step's, at its request (adapters: no clock)
        if isinstance(ev, StepEnd):
            return dataclasses.replace(ev, step_id=f"model-{step}")
        if isinstance(ev, Usage):  # one model call's usage: the run's is their sum
            model = ev.model or self.model
            return dataclasses.replace(ev, scope="step", step_id=f"model-{step}", model=model)
        if isinstance(ev, (TextDelta, ThinkingDelta, MessageStart, MessageEnd)):
            return dataclasses.replace(ev, message_id=f"{step}/{ev.message_id}")
        if isinstance(ev, ToolCallStart) and ev.synthetic_id:
            self.synthetic.add(ev.tool_call_id)
        calls = (ToolCallStart, ToolCallArgsDelta, ToolCallEnd)
        if isinstance(ev, calls) and ev.tool_call_id in self.synthetic:
            return dataclasses.replace(ev, tool_call_id=f"{step}/{ev.tool_call_id}")
        return ev


def record(ev: Event, calls: list[Call], text: list[str]) -> None:
    """Keep what the assistant message of this step needs: its text and tool calls."""
    if isinstance(ev, TextDelta) and not ev.refusal:
        text.append(ev.delta)
    elif isinstance(ev, ToolCallStart):
        calls.append(Call(id=ev.tool_call_id, name=ev.name))
    elif isinstance(ev, ToolCallArgsDelta):
        call = find_call(calls, ev.tool_call_id)
        if call is not None:
            call.arguments += ev.delta
    elif isinstance(ev, ToolCallEnd):
        call = find_call(calls, ev.tool_call_id)
        if call is not None and ev.arguments is not None:
            call.arguments = ev.arguments


def find_call(calls: list[Call], tool_call_id: str) -> Call | None:
    for call in calls:
        if call.id == tool_call_id:
            return call
    return None
