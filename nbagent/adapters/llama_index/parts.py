"""The parts both LlamaIndex adapters hold: ``Step``, one LLM call's messages and usage as
they stream; ``Tools``, the tool calls (whole: LlamaIndex gives a call's arguments as a dict,
never in fragments), the runs of them and their results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from nbagent.adapters.base import field, plain, str_or_none
from nbagent.adapters.kit import (
    SEEN_WHOLE,
    Channel,
    Ids,
    Kind,
    Parts,
    args_text,
    call_events,
    whole_message,
)
from nbagent.adapters.llama_index.read import new_text, text_of
from nbagent.core.events import (
    Event,
    Status,
    StepEnd,
    ToolResult,
    Usage,
)
from nbagent.core.values import strict_json

__all__ = ["Step", "Tools"]


@dataclass(slots=True)
class Step:
    """One LLM call, a step from its start to its end: its text (``{step_id}:text1``) and
    thinking (``{step_id}:think1``) as they stream, kit ``Parts`` in the step's scope, and the
    usage its chunks said."""

    step_id: str
    name: str
    parent: str | None = None
    react: bool = False  # a ReAct agent's call: its text is the agent's reasoning
    text: str = ""  # the text so far (for cumulative ``message.content`` streams)
    usage: dict[str, Any] = dc_field(default_factory=dict)
    parts: Parts = dc_field(init=False)

    def __post_init__(self) -> None:
        self.parts = Parts(Ids(self.step_id), parent=self.parent)

    @property
    def streamed(self) -> bool:
        """Text deltas went out (and its message is open)."""
        return self.parts.get("text") is not None

    @property
    def thinking(self) -> bool:
        """Thinking deltas went out."""
        return self.parts.get("thinking") is not None

    def think(self, delta: Any, out: list[Event]) -> None:
        """A piece of its thinking (nothing for an empty one)."""
        if isinstance(delta, str) and delta:
            self.parts.put("thinking", "thinking", delta, out)

    def say(self, delta: Any, out: list[Event]) -> None:
        """A piece of its text (nothing for an empty one)."""
        if isinstance(delta, str) and delta:
            self.parts.put("text", "text", delta, out)

    def whole(self, channel: Channel, text: str, out: list[Event]) -> None:
        """Its message of ``channel`` seen whole (a call that did not stream it)."""
        kind: Kind = "think" if channel == "thinking" else "text"
        message_id = self.parts.ids.new(kind)
        whole_message(out, channel, message_id, text, SEEN_WHOLE, parent=self.parent)

    def stream(self, text: Any, delta: Any, out: list[Event]) -> None:
        """A chunk's text so far and delta (``new_text``): the new text, as thinking in a
        ReAct call."""
        new, self.text = new_text(self.text, text, delta)
        (self.think if self.react else self.say)(new, out)

    def end(self, finish: str | None, out: list[Event], model: str | None = None) -> None:
        """Its open messages end, its usage (``model``: the model when the usage names none)
        and its end."""
        self.parts.close("thinking", out)
        self.parts.close("text", out)
        if self.usage:
            usage = {**self.usage, "model": str_or_none(self.usage.get("model")) or model}
            out.append(Usage(step_id=self.step_id, parent=self.parent, **usage))
        out.append(
            StepEnd(step_id=self.step_id, name=self.name, finish_reason=finish, parent=self.parent)
        )


class Tools:
    """Tool calls by id: started once, answered once; the model's calls waiting to run by
    tool name (a run that names no id takes the first one of its name)."""

    def __init__(self) -> None:
        self._calls: set[str] = set()  # tool calls started
        self._answered: set[str] = set()
        self.pending: dict[str, list[str]] = {}  # tool name -> the model's calls not yet run
        self._ids = Ids()

    def synthetic_id(self, scope: str | None = None) -> str:
        """An id for a call LlamaIndex gave none: ``{scope}:call1``, ``…:call2``…"""
        return self._ids.new("call", scope)

    def call(
        self, call_id: str | None, name: str, args: Any, scope: str | None, out: list[Event]
    ) -> str:
        """A call of ``name``, started and ended once (``args``: its arguments, a dict or
        JSON text); its id, invented where LlamaIndex gave none (``call_id`` None)."""
        synthetic = call_id is None
        call_id = call_id or self.synthetic_id(scope)
        if call_id in self._calls:
            return call_id
        self._calls.add(call_id)
        if isinstance(args, str):
            try:
                parsed = strict_json(args)
            except ValueError:
                parsed = None
        else:
            parsed = args = plain(args) if isinstance(args, Mapping) else {}
        out += call_events(
            call_id, name, args_text(args), parsed, synthetic=synthetic, parent=scope
        )
        return call_id

    def claim(self, name: str, call_id: str | None = None) -> str | None:
        """The model's call of ``name`` (``call_id`` if given) about to run: no longer
        waiting. Without an id, the first one waiting (by name and order)."""
        waiting = self.pending.get(name, [])
        if call_id is not None:
            if call_id in waiting:
                waiting.remove(call_id)
            return call_id
        return waiting.pop(0) if waiting else None

    def start(self, ev: Any, scope: str | None, out: list[Event], *, running: bool = False) -> str:
        """The call of a ``ToolCall`` event or a ``ToolSelection`` (where it names no id, the
        model's call of its name waiting); ``running``: an agent workflow's ``call_tool`` step
        begins, running it."""
        name = str_or_none(field(ev, "tool_name")) or "tool"
        call_id = self.claim(name, str_or_none(field(ev, "tool_id")))
        call_id = self.call(call_id, name, field(ev, "tool_kwargs"), scope, out)
        if running:
            out.append(Status(state="tool_running", text=name, tool_call_id=call_id, parent=scope))
        return call_id

    def result(
        self,
        call_id: str,
        output: Any,
        scope: str | None,
        out: list[Event],
        *,
        is_error: bool = False,
        name: str | None = None,
    ) -> ToolResult | None:
        """The call's result, once: ``output`` a ``ToolOutput`` or the text of a failure;
        ``name`` the tool's, else the output's."""
        if not call_id or call_id in self._answered:
            return None
        self._answered.add(call_id)
        if isinstance(output, str):
            content = output
        else:
            content = text_of(output) if output is not None else ""
            is_error = is_error or field(output, "is_error") is True
        result = ToolResult(
            tool_call_id=call_id,
            content=content,
            name=name or str_or_none(field(output, "tool_name")),
            is_error=is_error,
            parent=scope,
        )
        out.append(result)
        return result
