"""How the normalizer repairs tool calls: a start before the first argument delta, one end
with the whole arguments parsed once, an end before the result; a later start passes only
when it names the call's MCP server for the first time."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from nbagent.core.events import (
    Event,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)
from nbagent.core.textbuf import TextBuffer
from nbagent.pipeline.normalize.parts import _Msg, _Tool, parse_arguments

__all__ = ["ToolCalls"]


class ToolCalls:
    """The tool-call handlers of ``Normalizer`` (which holds the state they use)."""

    _order: int
    _open: dict[int, _Msg | _Tool]
    _tools: dict[str, _Tool]

    if TYPE_CHECKING:

        def _emit(self, ev: Event, out: list[Event]) -> None: ...

    def _open_tool(self, t: _Tool, ts: float, out: list[Event], start: Event | None) -> None:
        self._order += 1
        t.order = self._order
        t.open = True
        self._open[t.order] = t
        self._emit(start or ToolCallStart(tool_call_id=t.id, ts=ts, parent=t.parent), out)

    def _on_tool_start(self, ev: ToolCallStart, out: list[Event]) -> None:
        t = self._tools.get(ev.tool_call_id)
        if t is None:
            t = self._tools[ev.tool_call_id] = _Tool(ev.tool_call_id, ev.parent)
            t.server = ev.server
            self._open_tool(t, ev.ts, out, ev)
        elif (ev.server and not t.server) or "app" in (ev.meta or {}):
            # A framework may name the call's MCP server only when it runs the call, after
            # the model's call was shown (the Agents SDK's run item, its tool span): the start
            # again, with the server, whether the call is still open or not. So does what
            # nbagent learns of its MCP app later (why it cannot show: frameworks/pydantic_ai/).
            t.server = t.server or ev.server
            if ev.parent is None:
                ev.parent = t.parent
            self._emit(ev, out)
        # else: a duplicate start, or a start after the call's end

    def _on_args(self, ev: ToolCallArgsDelta, out: list[Event]) -> None:
        delta = ev.delta
        if not delta:
            return
        t = self._tools.get(ev.tool_call_id)
        if t is None:
            t = self._tools[ev.tool_call_id] = _Tool(ev.tool_call_id, ev.parent)
            self._open_tool(t, ev.ts, out, None)
        elif not t.open:
            return  # the arguments are already complete
        t.text.append(delta)
        self._emit(ev, out)

    def _on_tool_end(self, ev: ToolCallEnd, out: list[Event]) -> None:
        t = self._tools.get(ev.tool_call_id)
        if t is None:
            t = self._tools[ev.tool_call_id] = _Tool(ev.tool_call_id, ev.parent)
            self._open_tool(t, ev.ts, out, None)
        elif not t.open:
            return  # duplicate end
        if ev.parent is None:
            ev.parent = t.parent
        self._end_tool(t, ev, out)

    def _end_tool(self, t: _Tool, ev: ToolCallEnd, out: list[Event]) -> None:
        if ev.arguments is None:
            streamed = t.text.text
            if not streamed and ev.args is not None:
                # the adapter sent parsed arguments only: keep them, render their text
                try:
                    ev.arguments = json.dumps(ev.args, ensure_ascii=False)
                    ev.parse_error = None
                except (TypeError, ValueError):
                    ev.arguments = str(ev.args)
                    ev.args, ev.parse_error = parse_arguments(ev.arguments)
            else:
                ev.arguments = streamed
                ev.args, ev.parse_error = parse_arguments(streamed)
        else:
            ev.args, ev.parse_error = parse_arguments(ev.arguments)
        t.text = TextBuffer()
        t.open = False
        self._open.pop(t.order, None)
        self._emit(ev, out)

    def _on_tool_result(self, ev: ToolResult, out: list[Event]) -> None:
        t = self._tools.get(ev.tool_call_id)
        if t is None:
            self._tools[ev.tool_call_id] = _Tool(ev.tool_call_id, ev.parent)  # known, and closed
        else:
            if ev.parent is None:
                ev.parent = t.parent
            if t.open:
                end = ToolCallEnd(tool_call_id=t.id, ts=ev.ts, parent=t.parent)
                self._end_tool(t, end, out)
        self._emit(ev, out)
