"""Plain-terminal rendering: the answer as it streams, tool calls as one-line summaries."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from nbagent._events import (
    ErrorEvent,
    Event,
    RunEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)

_DIM, _RED, _GREEN, _RESET = "\x1b[2m", "\x1b[31m", "\x1b[32m", "\x1b[0m"


def _use_colour(stream: TextIO) -> bool:
    """Colour on a terminal that supports it, unless NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _preview(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Printer:
    """Writes a run's events to a text stream as they arrive."""

    def __init__(self, stream: TextIO | None = None, *, colour: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.colour = _use_colour(self.stream) if colour is None else colour
        self._names: dict[str, str] = {}
        self._args: dict[str, Any] = {}
        self._thinking = False
        self._at_line_start = True
        self._message: str | None = None  # the text message printed last
        self._depth: dict[str, int] = {}  # a scope (tool call, sub-agent) → how deep it is

    def _paint(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self.colour else text

    def _line(self, text: str, parent: str | None = None) -> None:
        prefix = "" if self._at_line_start else "\n"
        self.stream.write(f"{prefix}{self._indent(parent)}{text}\n")
        self._at_line_start = True
        self._message = None

    def _indent(self, parent: str | None) -> str:
        """A sub-agent's lines are indented under the call (or scope) that started it."""
        return "  " * (0 if parent is None else self._depth.get(parent, 1))

    def _text(self, ev: TextDelta) -> None:
        indent = self._indent(ev.parent)
        if ev.message_id != self._message:
            # Another message (the next model call, a sub-agent's): a paragraph of its own.
            if self._message is not None or not self._at_line_start:
                self.stream.write("\n" if self._at_line_start else "\n\n")
            self._at_line_start = True
            self._message = ev.message_id
        text = ev.delta
        if indent:
            text = text.replace("\n", "\n" + indent)
            if self._at_line_start:
                text = indent + text
        self.stream.write(text)
        self._at_line_start = ev.delta.endswith("\n")

    def feed(self, events: Iterable[Event]) -> None:
        for ev in events:
            if isinstance(ev, TextDelta):
                if ev.delta:
                    self._text(ev)
            elif isinstance(ev, StepStart) and ev.step_type == "subagent":
                self._depth[ev.step_id] = self._depth.get(ev.parent or "", 0) + 1
                self._line(self._paint(_DIM, f"[{ev.name or 'sub-agent'}]"), ev.parent)
            elif isinstance(ev, ThinkingDelta):
                if not self._thinking and ev.delta:
                    self._thinking = True
                    self._line(self._paint(_DIM, "[thinking…]"), ev.parent)
            elif isinstance(ev, ToolCallStart):
                self._names[ev.tool_call_id] = ev.name
                self._depth[ev.tool_call_id] = self._depth.get(ev.parent or "", 0) + 1
            elif isinstance(ev, ToolCallEnd):
                self._args[ev.tool_call_id] = ev.args if ev.args is not None else ev.arguments
            elif isinstance(ev, ToolResult):
                name = self._names.get(ev.tool_call_id, ev.name or "tool")
                call = f"{name}({_preview(self._args.get(ev.tool_call_id, ''), 60)})"
                if ev.is_error:
                    self._line(self._paint(_RED, f"✗ {call} → {_preview(ev.content)}"), ev.parent)
                else:
                    done = self._paint(_GREEN, "✓ ") + f"{call} → {_preview(ev.content)}"
                    self._line(done, ev.parent)
            elif isinstance(ev, ErrorEvent) and ev.recoverable:
                self._line(self._paint(_RED, f"warning: {ev.message}"))
            elif isinstance(ev, RunEnd):
                word = ev.reason if ev.reason != "incomplete" else "stream ended unexpectedly"
                detail = f": {ev.message}" if ev.message and ev.reason != "incomplete" else ""
                code = _DIM if ev.reason in ("completed", "tool_calls") else _RED
                self._line(self._paint(code, f"[{word}{detail}]"))
        self.stream.flush()
