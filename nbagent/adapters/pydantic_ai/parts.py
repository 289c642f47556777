"""The steps (model requests) and the parts of their responses: ``PartStartEvent`` /
``PartDeltaEvent`` / ``PartEndEvent`` (text, thinking, tool calls, native tool calls and
returns), and whole ``ModelResponse`` parts (``agent.iter()``'s ``CallToolsNode``). ``Parts``
is the part of ``PydanticAiAdapter`` that reads them; it owns the steps and the run's tool
call ids, which the ``Tools`` part shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from nbagent.adapters.base import ToolServers, field, int_or_none, str_or_none
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.parts import Part
from nbagent.adapters.kit.parts import Parts as Content
from nbagent.adapters.pydantic_ai.maps import args_text, result_of, to_plain
from nbagent.core.events import (
    Custom,
    Event,
    StepEnd,
    StepStart,
    ToolResult,
)

__all__ = ["Parts", "Step", "call_end"]


@dataclass(slots=True)
class Step:
    """One model request: its id, the part indices its response used (``seen``; ``others``:
    those of parts passed on as they came, not ended yet) and what the end of the run still
    owes it."""

    id: str
    has_parts: bool = False
    has_usage: bool = False
    open: bool = True
    seen: set[int] = dc_field(default_factory=set)
    others: set[int] = dc_field(default_factory=set)


class Parts:
    """Steps and part events → step, message and tool-call events (see the package docstring
    for the ids). ``tool_servers``: the MCP server of a tool by name (the run's source
    supplies it: pydantic-ai's events do not say which toolset a call goes to)."""

    def __init__(self, tool_servers: ToolServers | None) -> None:
        self._tool_servers = tool_servers
        self.steps: list[Step] = []
        self.tool_ids: dict[str, str] = {}  # the library's tool_call_id -> ours (its latest)
        self.ids = Ids()  # every call id, every message id invented
        self.parts = Content(self.ids)  # the open text, thinking and call parts, by step and index
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
        if step is None or index in step.seen:
            self.close_open(out, None)
            step = self.open_step(out)
        return step

    def close_step(
        self, step: Step, out: list[Event], finish: str | None, raw: str | None = None
    ) -> None:
        if not step.open:
            return
        self.parts.close_all(out, step.id)  # what the model left open (joined late, or cut)
        step.open = False
        out.append(
            StepEnd(step_id=step.id, name="model", finish_reason=finish, raw_finish_reason=raw)
        )

    def close_open(self, out: list[Event], finish: str | None) -> None:
        step = self.current()
        if step is not None:
            self.close_step(step, out, finish)

    # -- ids -------------------------------------------------------------------------------

    def tool_id(self, raw: Any) -> str | None:
        """Our id of a call named by the library's ``tool_call_id`` (its latest call)."""
        raw = str_or_none(raw)
        return None if raw is None else self.tool_ids.get(raw)

    def server(self, name: Any) -> str | None:
        """The MCP server of the agent's tool ``name``, when the source can tell."""
        lookup = self._tool_servers
        return lookup(name) if lookup is not None and isinstance(name, str) and name else None

    def call_fields(self, part: Any, native: bool) -> dict[str, Any]:
        """The start fields of a call part: a function tool's (run by the agent, maybe an MCP
        server's tool) or a ``native`` one's (run by the model's provider)."""
        name = field(part, "tool_name")
        return {
            "name": name if isinstance(name, str) else "",
            "executor": "server" if native else "agent",
            "server": None if native else self.server(name),
        }

    # -- part events -----------------------------------------------------------------------

    def part_start(self, item: Any, out: list[Event]) -> None:
        index = int_or_none(field(item, "index"))
        if index is None:
            out.append(Custom(name="part_start", value=to_plain(item), is_raw=True))
            return
        step = self._step_for_part(index, out)
        self.open_part(step, index, field(item, "part"), out)

    def open_part(self, step: Step, index: int, part: Any, out: list[Event]) -> Part | None:
        """The part at ``index`` of ``step`` opened from ``part`` (a start, or a whole part);
        None for one that is no message or call (passed on as it came)."""
        kind = field(part, "part_kind")
        step.has_parts = True
        step.seen.add(index)
        if kind in ("text", "thinking"):
            state = self.parts.start(kind, index, out, scope=step.id)
            self.parts.delta(state, field(part, "content"), out)
            return state
        if kind in ("tool-call", "builtin-tool-call"):
            raw = str_or_none(field(part, "tool_call_id"))
            fields = self.call_fields(part, kind == "builtin-tool-call")
            state = self.parts.start(
                "call", index, out, scope=step.id, wire_id=raw, index=index, **fields
            )
            if raw is not None:
                self.tool_ids[raw] = state.id
            self._args(state, field(part, "args"), out)
            return state
        if kind == "builtin-tool-return":
            self.native_return(part, out)
        else:
            step.others.add(index)
            out.append(Custom(name=f"part:{kind or 'unknown'}", value=to_plain(part)))
        return None

    def _args(self, state: Part, args: Any, out: list[Event]) -> None:
        """Argument text streamed; dict arguments (they cannot be) merged for the end."""
        if isinstance(args, Mapping):
            state.end["args"] = {**state.end.get("args", {}), **args}
        else:
            self.parts.delta(state, args, out)

    def part_delta(self, item: Any, out: list[Event]) -> None:
        index = int_or_none(field(item, "index"))
        delta = field(item, "delta")
        kind = field(delta, "part_delta_kind")
        step = self.current()
        state = self.parts.get(index, step.id) if step is not None else None
        if index is None or (state is None and (step is None or index not in step.others)):
            state = self._part_from_delta(index, delta, out)
            if state is None:
                out.append(Custom(name="part_delta", value=to_plain(item), is_raw=True))
                return
            if state.kind == "call":
                return  # the delta was the start
        if kind in ("text", "thinking") and state is not None and state.kind != "call":
            self.parts.delta(state, field(delta, "content_delta"), out)
        elif kind == "tool_call" and state is not None and state.kind == "call":
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
        if kind in ("text", "thinking"):
            part: dict[str, Any] = {"part_kind": kind}
        elif kind == "tool_call":
            part = {
                "part_kind": "tool-call",
                "tool_name": field(delta, "tool_name_delta"),
                "args": field(delta, "args_delta"),
                "tool_call_id": field(delta, "tool_call_id"),
            }
        else:
            return None
        return self.open_part(self._step_for_part(index, out), index, part, out)

    def part_end(self, item: Any, out: list[Event]) -> None:
        index = int_or_none(field(item, "index"))
        if index is None:
            out.append(Custom(name="part_end", value=to_plain(item), is_raw=True))
            return
        part = field(item, "part")
        step = self.current()
        state = self.parts.get(index, step.id) if step is not None else None
        if state is None and step is not None and index in step.seen:
            step.others.discard(index)
            return  # a native tool's return, a part passed on, or a repeated end
        if state is None:  # a part whose start was not seen: it arrives whole
            state = self.open_part(self._step_for_part(index, out), index, part, out)
        self.close_part(state, part, out)

    def close_part(self, state: Part | None, part: Any, out: list[Event]) -> None:
        """The end of a part (nothing for None: a part passed on as it came), with its final
        text or whole arguments."""
        if state is None:
            return
        if state.kind != "call":
            content = field(part, "content")
            signature = str_or_none(field(part, "signature"))
            self.parts.close(
                state,
                out,
                signature=signature if state.kind == "thinking" else None,
                final_text=content if isinstance(content, str) else None,
            )
        else:
            self.parts.close(state, out, **call_end(field(part, "args"), state.end.get("args")))

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


def call_end(args: Any, merged: dict[str, Any] | None = None) -> dict[str, Any]:
    """A call's end fields: dict arguments whole (the part's, else those ``merged`` from dict
    deltas), else the argument text."""
    if merged is not None or isinstance(args, Mapping):
        return {"args": to_plain(args if isinstance(args, Mapping) else merged)}
    return {"arguments": args_text(args)}
