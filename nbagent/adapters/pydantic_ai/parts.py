"""The steps (model requests) and the parts of their responses: ``PartStartEvent`` /
``PartDeltaEvent`` / ``PartEndEvent`` (text, thinking, tool calls, native tool calls and
returns), and whole ``ModelResponse`` parts (``agent.iter()``'s ``CallToolsNode``). ``Parts``
is the part of ``PydanticAiAdapter`` that reads them; it owns the steps and the run's tool
call ids, which the ``Tools`` part shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, Literal

from nbagent.adapters.base import ToolServers, field, int_or_none, str_or_none
from nbagent.adapters.kit.ids import Ids, kind_of
from nbagent.adapters.kit.messages import Channel, message_delta
from nbagent.adapters.pydantic_ai.maps import args_text, result_of, to_plain
from nbagent.core.events import (
    Custom,
    Event,
    MessageEnd,
    StepEnd,
    StepStart,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)

__all__ = ["Part", "Parts", "Step", "call_end"]

PartKind = Literal["text", "thinking", "tool", "native-tool", "other"]


@dataclass(slots=True)
class Part:
    """One part of the open model response, by its ``index``."""

    kind: PartKind
    id: str
    """The message id (text, thinking) or our tool call id."""
    args: dict[str, Any] | None = None
    """Dict arguments merged from dict deltas (they cannot be streamed as text)."""
    streamed: bool = False
    """Argument text was sent as deltas."""
    ended: bool = False


@dataclass(slots=True)
class Step:
    """One model request: its id, and what the end of the run still owes it."""

    id: str
    has_parts: bool = False
    has_usage: bool = False
    open: bool = True
    parts: dict[int, Part] = dc_field(default_factory=dict)


class Parts:
    """Steps and part events → step, message and tool-call events (see the package docstring
    for the ids). ``tool_servers``: the MCP server of a tool by name (the run's source
    supplies it: pydantic-ai's events do not say which toolset a call goes to)."""

    def __init__(self, tool_servers: ToolServers | None) -> None:
        self._tool_servers = tool_servers
        self.steps: list[Step] = []
        self.tool_ids: dict[str, str] = {}  # the library's tool_call_id -> ours (its latest)
        self.ids = Ids()  # every call id, every message id invented
        self.results: set[str] = set()  # our ids of the calls that have a result

    # -- steps -----------------------------------------------------------------------------

    def current(self) -> Step | None:
        step = self.steps[-1] if self.steps else None
        return step if step is not None and step.open else None

    def open_step(self, out: list[Event], *, streamed: bool = True) -> Step:
        step = Step(self.ids.scope_id(), has_usage=not streamed)
        self.steps.append(step)
        out.append(StepStart(step_id=step.id, name="model", step_type="model"))
        return step

    def _step_for_part(self, index: int, out: list[Event]) -> Step:
        """The step a part belongs to: a part index seen before in the open step means the
        model was called again (indices restart with each response)."""
        step = self.current()
        if step is None or index in step.parts:
            self.close_open(out, None)
            step = self.open_step(out)
        return step

    def close_step(
        self, step: Step, out: list[Event], finish: str | None, raw: str | None = None
    ) -> None:
        if not step.open:
            return
        self._close_parts(step, out)
        step.open = False
        out.append(
            StepEnd(step_id=step.id, name="model", finish_reason=finish, raw_finish_reason=raw)
        )

    def close_open(self, out: list[Event], finish: str | None) -> None:
        step = self.current()
        if step is not None:
            self.close_step(step, out, finish)

    # -- ids -------------------------------------------------------------------------------

    def new_tool_id(self, raw: str | None, step: Step, index: int) -> tuple[str, bool]:
        """``(our id, synthetic)`` for a call the model made; a raw id already used by an
        earlier call (a test model's fixed ids) is ``{id}#2``…, none ``{step}:call{n}``."""
        synthetic = raw is None
        ours = self.ids.of(raw, "call", step.id)
        if raw is not None:
            self.tool_ids[raw] = ours
        return ours, synthetic

    def tool_id(self, raw: Any) -> str | None:
        """Our id of a call named by the library's ``tool_call_id`` (its latest call)."""
        raw = str_or_none(raw)
        return None if raw is None else self.tool_ids.get(raw)

    def server(self, name: Any) -> str | None:
        """The MCP server of the agent's tool ``name``, when the source can tell."""
        lookup = self._tool_servers
        return lookup(name) if lookup is not None and isinstance(name, str) and name else None

    def call_start(
        self, ours: str, part: Any, native: bool, synthetic: bool, index: int | None = None
    ) -> ToolCallStart:
        """The start of a call part: a function tool's (run by the agent, maybe an MCP server's
        tool) or a ``native`` one's (run by the model's provider)."""
        name = field(part, "tool_name")
        return ToolCallStart(
            tool_call_id=ours,
            name=name if isinstance(name, str) else "",
            index=index,
            executor="server" if native else "agent",
            synthetic_id=synthetic,
            server=None if native else self.server(name),
        )

    # -- part events -----------------------------------------------------------------------

    def part_start(self, item: Any, out: list[Event]) -> None:
        index = int_or_none(field(item, "index"))
        if index is None:
            out.append(Custom(name="part_start", value=to_plain(item), is_raw=True))
            return
        step = self._step_for_part(index, out)
        self.open_part(step, index, field(item, "part"), out)

    def open_part(self, step: Step, index: int, part: Any, out: list[Event]) -> Part:
        kind = field(part, "part_kind")
        step.has_parts = True
        if kind in ("text", "thinking"):
            state = step.parts[index] = Part(kind, self.ids.new(kind_of(kind), step.id))
            self._text(state, field(part, "content"), out)
            return state
        if kind in ("tool-call", "builtin-tool-call"):
            native = kind == "builtin-tool-call"
            ours, synthetic = self.new_tool_id(
                str_or_none(field(part, "tool_call_id")), step, index
            )
            state = step.parts[index] = Part("native-tool" if native else "tool", ours)
            out.append(self.call_start(ours, part, native, synthetic, index))
            self._args(state, field(part, "args"), out)
            return state
        if kind == "builtin-tool-return":
            state = step.parts[index] = Part("other", f"{step.id}:{index}", ended=True)
            self.native_return(part, out)
            return state
        state = step.parts[index] = Part("other", f"{step.id}:{index}")
        out.append(Custom(name=f"part:{kind or 'unknown'}", value=to_plain(part)))
        return state

    def _text(self, state: Part, text: Any, out: list[Event]) -> None:
        if isinstance(text, str) and text:
            channel: Channel = "thinking" if state.kind == "thinking" else "text"
            out.append(message_delta(channel, state.id, text))

    def _args(self, state: Part, args: Any, out: list[Event]) -> None:
        if isinstance(args, str):
            if args:
                state.streamed = True
                out.append(ToolCallArgsDelta(tool_call_id=state.id, delta=args))
        elif isinstance(args, Mapping):
            state.args = {**(state.args or {}), **args}

    def part_delta(self, item: Any, out: list[Event]) -> None:
        index = int_or_none(field(item, "index"))
        delta = field(item, "delta")
        kind = field(delta, "part_delta_kind")
        step = self.current()
        state = step.parts.get(index) if step is not None and index is not None else None
        if index is None or state is None or state.ended:
            state = self._part_from_delta(index, delta, out)
            if state is None:
                out.append(Custom(name="part_delta", value=to_plain(item), is_raw=True))
                return
            if state.kind == "tool":
                return  # the delta was the start
        if kind in ("text", "thinking") and state.kind in ("text", "thinking"):
            self._text(state, field(delta, "content_delta"), out)
        elif kind == "tool_call" and state.kind in ("tool", "native-tool"):
            raw = str_or_none(field(delta, "tool_call_id"))
            if raw is not None:
                self.tool_ids[raw] = state.id  # the provider's id can arrive after the start
            self._args(state, field(delta, "args_delta"), out)
        else:
            out.append(Custom(name="part_delta", value=to_plain(item), is_raw=True))

    def _part_from_delta(self, index: int | None, delta: Any, out: list[Event]) -> Part | None:
        """A delta for a part that never started (a stream joined late, a delta ahead of its
        name): start the part from it."""
        if index is None:
            return None
        kind = field(delta, "part_delta_kind")
        step = self._step_for_part(index, out)
        if kind == "text":
            return self.open_part(step, index, {"part_kind": "text"}, out)
        if kind == "thinking":
            return self.open_part(step, index, {"part_kind": "thinking"}, out)
        if kind == "tool_call":
            part = {
                "part_kind": "tool-call",
                "tool_name": field(delta, "tool_name_delta"),
                "args": field(delta, "args_delta"),
                "tool_call_id": field(delta, "tool_call_id"),
            }
            return self.open_part(step, index, part, out)
        return None

    def part_end(self, item: Any, out: list[Event]) -> None:
        index = int_or_none(field(item, "index"))
        part = field(item, "part")
        step = self.current()
        state = step.parts.get(index) if step is not None and index is not None else None
        if index is None:
            out.append(Custom(name="part_end", value=to_plain(item), is_raw=True))
            return
        if state is not None and state.ended:
            return  # a native tool's return (ended at its start), or a repeated end
        if state is None:  # a part whose start was not seen: it arrives whole
            step = self._step_for_part(index, out)
            state = self.open_part(step, index, part, out)
        self.close_part(state, part, out)

    def close_part(self, state: Part, part: Any, out: list[Event]) -> None:
        if state.ended:
            return
        state.ended = True
        if state.kind in ("text", "thinking"):
            content = field(part, "content")
            final = content if isinstance(content, str) else None
            thinking = state.kind == "thinking"
            signature = str_or_none(field(part, "signature")) if thinking else None
            out.append(
                MessageEnd(
                    message_id=state.id,
                    channel="thinking" if thinking else "text",
                    signature=signature,
                    final_text=final,
                )
            )
        elif state.kind in ("tool", "native-tool"):
            out.append(call_end(state.id, field(part, "args"), state.args))

    def _close_parts(self, step: Step, out: list[Event]) -> None:
        """Close what the model left open (a stream that joined late, or was cut)."""
        for index in sorted(step.parts):
            state = step.parts[index]
            if not state.ended:
                self.close_part(state, None, out)

    # -- results ---------------------------------------------------------------------------

    def native_return(self, part: Any, out: list[Event]) -> None:
        """A provider-run tool's return (web search, code execution), inside the response."""
        raw = str_or_none(field(part, "tool_call_id"))
        ours = self.tool_id(raw) if raw is not None else None
        if ours is None:
            out.append(Custom(name="native_tool_return", value=to_plain(part)))
            return
        self.result(ours, part, out)

    def result(
        self, ours: str, part: Any, out: list[Event], meta: dict[str, Any] | None = None
    ) -> None:
        """The ``ToolResult`` of our call ``ours`` from its return part (``result_of``)."""
        content, failed = result_of(part)
        name = field(part, "tool_name")
        self.results.add(ours)
        out.append(
            ToolResult(
                tool_call_id=ours,
                content=content,
                name=name if isinstance(name, str) else None,
                is_error=failed,
                meta=meta or None,
            )
        )


def call_end(tool_call_id: str, args: Any, merged: dict[str, Any] | None = None) -> ToolCallEnd:
    """A call's end: dict arguments whole (the part's, else those ``merged`` from dict deltas),
    else the argument text."""
    if merged is not None or isinstance(args, Mapping):
        whole = args if isinstance(args, Mapping) else merged
        return ToolCallEnd(tool_call_id=tool_call_id, args=to_plain(whole))
    return ToolCallEnd(tool_call_id=tool_call_id, arguments=args_text(args))
