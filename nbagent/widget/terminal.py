"""Plain-terminal rendering: the answer as it streams, tool calls as one-line summaries, a
picture or a sound the model made as its type on a line (a terminal shows neither)."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterable
from typing import Any, TextIO

from nbagent.core.events import (
    Custom,
    ErrorEvent,
    Event,
    Media,
    RunEnd,
    Status,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)
from nbagent.transcript.notes import note_value

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

    def _call(self, tool_call_id: str, name: str | None = None) -> str:
        name = self._names.get(tool_call_id, name or "tool")
        return f"{name}({_preview(self._args.get(tool_call_id, ''), 60)})"

    def _paused(self, ev: Status) -> None:
        """A call waiting for an answer: from code, outside a notebook (or the hint to call)."""
        detail = ev.detail if isinstance(ev.detail, dict) else {}
        options = detail.get("options")
        if isinstance(options, list) and options:  # an ACP agent's own answers
            ids = ", ".join(
                f"{o.get('id')!r} ({o.get('name')})" for o in options if isinstance(o, dict)
            )
            how = f"run.approve(i) / run.deny(i) / agent.choose(i, option_id) with {ids}"
        elif "dismiss" in (detail.get("actions") or ()):  # an MCP server's question
            how = "run.approve(i, **fields) / run.deny(i) / run.dismiss(i); run.pending"
        elif detail.get("actions"):
            how = "run.approve(i) / run.mock(i, result) / run.deny(i, reason=...); run.pending"
        else:
            how = str(detail.get("hint") or "its framework answers it")
        line = f"paused before {self._call(str(ev.tool_call_id))}: {how}"
        self._line(self._paint(_RED, line), ev.parent)

    def _note(self, ev: Custom) -> None:
        """A notice or a compaction (``nbagent/transcript/notes.py``) as a line, as it is said
        or its title changes; an agent's question is said by the run's end."""
        note = note_value(ev.value)
        if note is None or note["kind"] == "question" or not note.get("title"):
            return
        text = note.get("text") or ""
        line = f"[{note['kind']}] {note['title']}" + (f": {_preview(text)}" if text else "")
        self._line(self._paint(_RED if note.get("level") == "error" else _DIM, line), ev.parent)

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
            elif isinstance(ev, Status) and ev.state == "awaiting_approval" and ev.tool_call_id:
                self._paused(ev)
            elif isinstance(ev, ToolResult):
                call = self._call(ev.tool_call_id, ev.name)
                meta = ev.meta or {}
                if ev.is_error or meta.get("denied"):
                    mark = "✗ denied" if meta.get("denied") else "✗"
                    failed = f"{mark} {call} → {_preview(ev.content)}"
                    self._line(self._paint(_RED, failed), ev.parent)
                else:
                    mark = "✓ mocked" if meta.get("mocked") else "✓"
                    done = self._paint(_GREEN, f"{mark} ") + f"{call} → {_preview(ev.content)}"
                    self._line(done, ev.parent)
            elif isinstance(ev, ErrorEvent) and ev.recoverable:
                self._line(self._paint(_RED, f"warning: {ev.message}"))
            elif isinstance(ev, Custom) and ev.name == "note":
                self._note(ev)
            elif isinstance(ev, Media) and not ev.partial:  # what it is, in one line
                self._line(self._paint(_DIM, f"[{ev.mime or 'media'}]"), ev.parent)
            elif isinstance(ev, RunEnd):
                word = ev.reason if ev.reason != "incomplete" else "stream ended unexpectedly"
                detail = f": {ev.message}" if ev.message and ev.reason != "incomplete" else ""
                code = _DIM if ev.reason in ("completed", "tool_calls") else _RED
                self._line(self._paint(code, f"[{word}{detail}]"))
        self.stream.flush()


_BLOCKS = threading.Lock()
"""Held while a block prints: runs that end on their own threads print one after another."""


def print_block(head: str, events: Iterable[Event]) -> None:
    """A finished run's events as one block under ``head`` (a lane of ``show({...})``)."""
    with _BLOCKS:
        printer = Printer()
        printer.stream.write(f"\n── {head} ──\n" if head else "\n")
        printer.feed(events)
        printer.stream.write("\n")
