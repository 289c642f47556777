"""The pure reducer: normalized Events → the transcript's state (version 1, see DEVELOP.md).

``TranscriptBase`` is the folded state and the reducer; ``nbagent.Transcript`` adds its
exports (markdown, HTML, text), which work on this state and live above it.
``TranscriptBase.apply(ev)`` mutates the transcript and returns the JSON-ready ops that turn the
previous ``to_dict()`` into the new one; ``apply_op`` is the reference implementation of those
ops (the browser's store mirrors it). Appending a delta is O(len(delta)): block text is kept
in a ``TextBuffer`` (``nbagent._textbuf``), a few large pieces plus the latest deltas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import nbagent._events as E
from nbagent._blocks import (
    EMPTY_USAGE,
    Block,
    MessageBlock,
    TokenUsage,
    ToolCall,
    display_usage,
    merge_usage,
    sum_usage,
)
from nbagent._normalize import parse_arguments
from nbagent._textbuf import JOIN_EVERY, TextBuffer

__all__ = ["STATE_VERSION", "TokenUsage", "ToolCall", "TranscriptBase", "apply_op"]

STATE_VERSION = 1
_TEXT_DELTA = E.TextDelta  # one global lookup on the hot path instead of two
_SWEEP_EVERY = 64 * JOIN_EVERY
MAX_WARNINGS = 100  # later recoverable errors are dropped (each warning op carries the list)
Op = dict[str, Any]
T = TypeVar("T", bound="TranscriptBase")
_STATUS_OF_REASON = {
    "cancelled": "cancelled",
    "error": "error",
    "incomplete": "error",
    "expired": "error",
}
_DEFAULT_ERROR = {
    "error": "error",
    "incomplete": "stream ended unexpectedly",
    "expired": "run expired",
}


def apply_op(state: dict[str, Any], op: dict[str, Any]) -> None:
    """Apply one op to a ``to_dict()``-shaped state, in place (the JS store mirrors this)."""
    kind = op["op"]
    if kind == "append":
        block = state["blocks"][op["i"]]
        block[op["key"]] = block[op["key"]] + op["text"]
        if "deltas" in op:
            state["deltas"] = op["deltas"]
    elif kind == "run":
        state.update(op["set"])
    elif kind == "add":
        state["blocks"].append(dict(op["block"]))
    elif kind == "set":
        state["blocks"][op["i"]].update(op["set"])
    else:
        raise ValueError(f"unknown op {kind!r}")


class TranscriptBase:
    """Folded state of one run: blocks, tool calls, usage, timing, status (``nbagent.Transcript``
    is this with its exports)."""

    def __init__(self) -> None:
        self.run_id: str | None = None
        self.title: str | None = None
        self.model: str | None = None
        self.status = "running"
        self.end_reason: str | None = None
        self.error: dict[str, Any] | None = None
        self.started_at: float | None = None
        self.first_token_at: float | None = None
        self.ended_at: float | None = None
        self.deltas = 0
        self.activity: str | None = None
        self.warnings: list[dict[str, Any]] = []
        self._usage: dict[str, Any] = dict(EMPTY_USAGE)
        self._raw_usage: dict[str, dict[str, Any]] = {}  # step id ("" outside steps) -> raw
        self._run_usage: dict[str, Any] | None = None  # from scope="run" usage
        self._steps: list[dict[str, Any]] = []
        self._step_index: dict[str, int] = {}
        self._blocks: list[Block] = []
        self._text_index: dict[str, int] = {}
        self._think_index: dict[str, int] = {}
        self._tool_index: dict[str, int] = {}
        self._think_started: dict[str, float] = {}
        self._ended = False
        self.last_event: E.Event | None = None
        """The last event folded (an ended transcript folds none): the event log checks by
        it that a delta's text is the one at the end of its ``text_buffer``."""
        self._dispatch: dict[type, Callable[[Any], list[Op]]] = {
            E.TextDelta: self._on_text,
            E.ThinkingDelta: self._on_thinking,
            E.ToolCallArgsDelta: self._on_args,
            E.MessageStart: self._on_message_start,
            E.MessageEnd: self._on_message_end,
            E.ToolCallStart: self._on_tool_start,
            E.ToolCallEnd: self._on_tool_end,
            E.ToolResult: self._on_tool_result,
            E.Usage: self._on_usage,
            E.StepStart: self._on_step_start,
            E.StepEnd: self._on_step_end,
            E.Status: self._on_status,
            E.ErrorEvent: self._on_error,
            E.RunStart: self._on_run_start,
            E.RunEnd: self._on_run_end,
        }

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_events(cls: type[T], events: Iterable[E.Event | dict[str, Any]]) -> T:
        """Fold a sequence of (normalized) events, or their ``to_dict()`` forms."""
        t = cls()
        for ev in events:
            t.apply(ev if isinstance(ev, E.Event) else E.event_from_dict(ev))
        return t

    @classmethod
    def from_dict(cls: type[T], d: dict[str, Any]) -> T:
        """Rebuild a transcript from ``to_dict()`` output."""
        t = cls()
        for k in (
            "run_id",
            "title",
            "model",
            "status",
            "end_reason",
            "error",
            "started_at",
            "first_token_at",
            "ended_at",
            "deltas",
            "activity",
        ):
            setattr(t, k, d.get(k, getattr(t, k)))
        t.warnings = [dict(w) for w in d.get("warnings", [])]
        t._usage = dict(EMPTY_USAGE) | dict(d.get("usage") or {})
        t._steps = [dict(s) for s in d.get("steps", [])]
        t._step_index = {s["id"]: i for i, s in enumerate(t._steps)}
        t._raw_usage = {s["id"]: dict(s["usage"]) for s in t._steps if s.get("usage")}
        if display_usage(sum_usage(t._raw_usage)) != t._usage:
            if t._steps:
                t._run_usage = dict(t._usage)
            else:
                t._raw_usage[""] = dict(t._usage)
        for i, b in enumerate(d.get("blocks", [])):
            block: Block
            if b["type"] == "tool":
                block = ToolCall(b["id"])
                block.buffer = TextBuffer(b.get("arguments") or "")
                for k in (*ToolCall._KEYS, *ToolCall._OPTIONAL):
                    setattr(block, k, b.get(k, getattr(block, k)))
            else:
                block = MessageBlock(b["type"], b["id"], b["text"], b.get("refusal", False))
                block.redacted = b.get("redacted", False)
                block.started_at, block.ended_at = b.get("started_at"), b.get("ended_at")
            t._index(block)[b["id"]] = i
            t._blocks.append(block)
        t._ended = t.status != "running"
        return t

    # -- public view --------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready state, version 1 (DEVELOP.md); also the widget's snapshot."""
        return {
            "version": STATE_VERSION,
            "run_id": self.run_id,
            "title": self.title,
            "model": self.model,
            "status": self.status,
            "end_reason": self.end_reason,
            "error": dict(self.error) if self.error else None,
            "started_at": self.started_at,
            "first_token_at": self.first_token_at,
            "ended_at": self.ended_at,
            "deltas": self.deltas,
            "usage": dict(self._usage),
            "steps": self.steps,
            "warnings": [dict(w) for w in self.warnings],
            "activity": self.activity,
            "blocks": self.blocks,
        }

    @property
    def text(self) -> str:
        """The answer: every text block's text, in display order."""
        return "".join(b.buffer.text for b in self._blocks if b.type == "text")

    @property
    def thinking(self) -> str:
        """The reasoning: every thinking block's text, in display order."""
        return "".join(b.buffer.text for b in self._blocks if b.type == "thinking")

    @property
    def tool_calls(self) -> list[ToolCall]:
        return [b for b in self._blocks if type(b) is ToolCall]

    def tool_call_at(self, tool_call_id: str) -> tuple[int, ToolCall]:
        """The index in ``blocks`` and the block of a tool call (KeyError: no such call)."""
        i = self._tool_index[tool_call_id]
        block = self._blocks[i]
        assert isinstance(block, ToolCall)
        return i, block

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return [b.to_dict() for b in self._blocks]

    @property
    def steps(self) -> list[dict[str, Any]]:
        return [dict(s) | {"usage": dict(s["usage"]) if s["usage"] else None} for s in self._steps]

    def text_buffer(self, kind: str, block_id: str) -> TextBuffer | None:
        """The buffer of block ``block_id``'s text (``kind`` "text" or "thinking") or arguments
        ("tool"); None when there is no such block. While the run goes on, ``apply`` appends
        every non-empty delta of the block to it; whole arguments that replace the streamed
        ones go into a new buffer, so offsets into a buffer stay valid."""
        indexes = {"text": self._text_index, "thinking": self._think_index}
        index = self._tool_index if kind == "tool" else indexes.get(kind, {})
        i = index.get(block_id)
        return None if i is None else self._blocks[i].buffer

    @property
    def usage(self) -> TokenUsage:
        return TokenUsage(**self._usage)

    @property
    def ttft_s(self) -> float | None:
        """Seconds from run start to the first token, None when either is unknown."""
        if self.first_token_at is None or self.started_at is None:
            return None
        return self.first_token_at - self.started_at

    @property
    def elapsed_s(self) -> float | None:
        """Seconds from run start to its end (or to the latest event while running)."""
        end = self.ended_at
        if end is None and self.last_event is not None:
            end = self.last_event.ts
        return None if end is None or self.started_at is None else end - self.started_at

    def __repr__(self) -> str:
        return f"<Transcript {self.run_id!r} {self.status} blocks={len(self._blocks)}>"

    # -- the reducer --------------------------------------------------------------------

    def apply(self, ev: E.Event) -> list[Op]:
        """Fold one event; returns the ops that transform the previous ``to_dict()``."""
        if self._ended:
            return []
        self.last_event = ev
        if type(ev) is _TEXT_DELTA and self.first_token_at is not None:
            # The hot path, once per answer token: _on_text() → _append() → _count() inlined.
            i = self._text_index.get(ev.message_id)
            delta = ev.delta
            if i is not None and delta:
                self._blocks[i].buffer.tail.append(delta)
                self.deltas = deltas = self.deltas + 1
                # Every JOIN_EVERY-th token (64: a literal costs less here than a global,
                # and the counter less than the tail's length).
                if not deltas & 63:
                    self._compact(i)
                return [{"op": "append", "i": i, "key": "text", "text": delta, "deltas": deltas}]
        handler = self._dispatch.get(type(ev))
        return [] if handler is None else handler(ev)

    def _compact(self, i: int) -> None:
        """Every ``JOIN_EVERY``-th token: join its block's recent deltas. Blocks that take turns
        (two choices of one request) may never hold that token: every ``_SWEEP_EVERY``-th
        joins every text block's (other deltas go through ``TextBuffer.append``)."""
        self._blocks[i].buffer.compact()
        if not self.deltas % _SWEEP_EVERY:
            for j in self._text_index.values():
                self._blocks[j].buffer.compact()

    def _count(self, ts: float) -> Op:
        self.deltas += 1
        if self.first_token_at is None:
            self.first_token_at = ts
            return {"op": "run", "set": {"deltas": self.deltas, "first_token_at": ts}}
        return {"op": "run", "set": {"deltas": self.deltas}}

    def _index(self, block: Block) -> dict[str, int]:
        kind = block.type
        return (
            self._tool_index
            if kind == "tool"
            else (self._text_index if kind == "text" else self._think_index)
        )

    def _add(self, block: Block, *more: Op) -> list[Op]:
        self._index(block)[block.id] = len(self._blocks)
        self._blocks.append(block)
        return [{"op": "add", "block": block.to_dict()}, *more]

    def _append(self, i: int, key: str, delta: str, ts: float) -> list[Op]:
        self._blocks[i].buffer.append(delta)
        if self.first_token_at is None:
            return [{"op": "append", "i": i, "key": key, "text": delta}, self._count(ts)]
        # One op per token: the append carries the run's new delta count.
        self.deltas += 1
        return [{"op": "append", "i": i, "key": key, "text": delta, "deltas": self.deltas}]

    def _on_text(self, ev: E.TextDelta) -> list[Op]:
        delta = ev.delta
        if not delta:
            return []
        i = self._text_index.get(ev.message_id)
        if i is not None:
            return self._append(i, "text", delta, ev.ts)
        block = MessageBlock("text", ev.message_id, ev.delta, refusal=ev.refusal)
        return self._add(block, self._count(ev.ts))

    def _on_thinking(self, ev: E.ThinkingDelta) -> list[Op]:
        if not ev.delta:
            return []
        i = self._think_index.get(ev.message_id)
        if i is not None:
            return self._append(i, "text", ev.delta, ev.ts)
        start = self._think_started.pop(ev.message_id, ev.ts)
        block = MessageBlock("thinking", ev.message_id, ev.delta, started_at=start)
        return self._add(block, self._count(ev.ts))

    def _on_args(self, ev: E.ToolCallArgsDelta) -> list[Op]:
        if not ev.delta:
            return []
        i = self._tool_index.get(ev.tool_call_id)
        if i is not None:
            return self._append(i, "arguments", ev.delta, ev.ts)
        tool = ToolCall(ev.tool_call_id, "", ev.ts)
        tool.buffer.append(ev.delta)
        return self._add(tool, self._count(ev.ts))

    def _on_message_start(self, ev: E.MessageStart) -> list[Op]:
        if ev.channel == "thinking" and ev.message_id not in self._think_index:
            self._think_started.setdefault(ev.message_id, ev.ts)
        return []

    def _on_message_end(self, ev: E.MessageEnd) -> list[Op]:
        if ev.channel != "thinking":
            return []
        i = self._think_index.get(ev.message_id)
        start = self._think_started.pop(ev.message_id, ev.ts)
        if i is None:
            if not ev.redacted:
                return []
            block = MessageBlock("thinking", ev.message_id, "", started_at=start)
            block.redacted, block.ended_at = True, ev.ts
            return self._add(block)
        b = self._blocks[i]
        assert isinstance(b, MessageBlock)
        b.ended_at, b.redacted = ev.ts, b.redacted or ev.redacted
        return [_set(i, {"ended_at": ev.ts, "redacted": b.redacted})]

    def _tool(
        self, tool_call_id: str, name: str, ts: float | None
    ) -> tuple[int, ToolCall, list[Op]]:
        """The tool block: (index, block, the ops that created it: [] or one add)."""
        i = self._tool_index.get(tool_call_id)
        if i is None:
            tool = ToolCall(tool_call_id, name, ts)
            return len(self._blocks), tool, self._add(tool)
        b = self._blocks[i]
        assert isinstance(b, ToolCall)
        return i, b, []

    def _on_tool_start(self, ev: E.ToolCallStart) -> list[Op]:
        i, tool, ops = self._tool(ev.tool_call_id, ev.name, ev.ts)
        if ops or not ev.name or tool.name:
            return ops
        tool.name = ev.name
        return [_set(i, {"name": ev.name})]

    def _on_tool_end(self, ev: E.ToolCallEnd) -> list[Op]:
        i, tool, ops = self._tool(ev.tool_call_id, "", ev.ts)
        streamed = tool.arguments
        full = streamed if ev.arguments is None else ev.arguments
        if ev.args is None and ev.parse_error is None:
            args, err = parse_arguments(full)
        else:
            args, err = ev.args, ev.parse_error
        tool.args, tool.parse_error, tool.args_done_at = args, err, ev.ts
        changes: dict[str, Any] = {"args": args, "parse_error": err, "args_done_at": ev.ts}
        if tool.state == "args":
            tool.state = changes["state"] = "running"
        if full != streamed:
            tool.buffer = TextBuffer(full)
            changes["arguments"] = full
        return [*ops, _set(i, changes)]

    def _on_tool_result(self, ev: E.ToolResult) -> list[Op]:
        i, tool, ops = self._tool(ev.tool_call_id, ev.name or "", None)
        changes: dict[str, Any] = {"result": ev.content, "is_error": ev.is_error}
        tool.result, tool.is_error = ev.content, ev.is_error
        if ev.name and not tool.name:
            tool.name = changes["name"] = ev.name
        meta = ev.meta or {}
        for k in ToolCall._RAN:  # from nbagent's agent, which ran the tool
            if meta.get(k):
                setattr(tool, k, meta[k])
                changes[k] = meta[k]
        if not ev.preliminary:
            base = tool.args_done_at if tool.args_done_at is not None else tool.started_at
            tool.state = changes["state"] = "error" if ev.is_error else "done"
            tool.ended_at = changes["ended_at"] = ev.ts
            measured = meta.get("duration_s")  # time in the tool itself, when it was ours
            if isinstance(measured, (int, float)):
                tool.duration_s = changes["duration_s"] = float(measured)
            else:
                tool.duration_s = changes["duration_s"] = None if base is None else ev.ts - base
        return [*ops, _set(i, changes)]

    def _on_usage(self, ev: E.Usage) -> list[Op]:
        changes: dict[str, Any] = {}
        if ev.model and not self.model:
            self.model = changes["model"] = ev.model
        if ev.scope == "run":
            self._run_usage = merge_usage(self._run_usage or EMPTY_USAGE, ev)
        else:
            i = self._step_index.get(ev.step_id) if ev.step_id else None
            if i is None and self._steps:
                i = len(self._steps) - 1
            step = "" if i is None else self._steps[i]["id"]
            raw = self._raw_usage[step] = merge_usage(self._raw_usage.get(step, EMPTY_USAGE), ev)
            if i is not None:
                self._steps[i]["usage"] = display_usage(raw)
                changes["steps"] = self.steps
        raw_run = self._run_usage or sum_usage(self._raw_usage)
        self._usage = changes["usage"] = display_usage(raw_run)
        return [{"op": "run", "set": changes}]

    def _on_step_start(self, ev: E.StepStart) -> list[Op]:
        if ev.step_id in self._step_index:
            return []
        self._step_index[ev.step_id] = len(self._steps)
        self._steps.append(_step(ev.step_id, ev.name, ev.ts))
        return [{"op": "run", "set": {"steps": self.steps}}]

    def _on_step_end(self, ev: E.StepEnd) -> list[Op]:
        i = self._step_index.get(ev.step_id)
        if i is None:
            self._step_index[ev.step_id] = i = len(self._steps)
            self._steps.append(_step(ev.step_id, ev.name, None))
        step = self._steps[i]
        step["finish_reason"] = ev.finish_reason
        step["name"] = step["name"] or ev.name
        step["ended_at"] = ev.ts
        return [{"op": "run", "set": {"steps": self.steps}}]

    def _on_status(self, ev: E.Status) -> list[Op]:
        activity = ev.text or ev.state or None
        if activity == self.activity:
            return []
        self.activity = activity
        return [{"op": "run", "set": {"activity": activity}}]

    def _on_error(self, ev: E.ErrorEvent) -> list[Op]:
        info = {"message": ev.message, "error_type": ev.error_type, "code": ev.code}
        if not ev.recoverable:
            self.error = info
            return [{"op": "run", "set": {"error": dict(info)}}]
        if len(self.warnings) >= MAX_WARNINGS:
            return []
        self.warnings.append(info)
        return [{"op": "run", "set": {"warnings": [dict(w) for w in self.warnings]}}]

    def _on_run_start(self, ev: E.RunStart) -> list[Op]:
        if self.started_at is not None:
            return []
        self.run_id, self.title, self.model = ev.run_id or None, ev.title, ev.model
        self.started_at = ev.ts
        keys = {"run_id": self.run_id, "title": ev.title, "model": ev.model, "started_at": ev.ts}
        return [{"op": "run", "set": keys}]

    def _on_run_end(self, ev: E.RunEnd) -> list[Op]:
        self._ended = True
        self.status = _STATUS_OF_REASON.get(ev.reason, "completed")
        self.end_reason, self.ended_at, self.activity = ev.reason, ev.ts, None
        changes: dict[str, Any] = {"status": self.status, "end_reason": ev.reason}
        changes |= {"ended_at": ev.ts, "activity": None}
        if self.error is None and ev.reason in _DEFAULT_ERROR:
            message = ev.message or _DEFAULT_ERROR[ev.reason]
            self.error = {"message": message, "error_type": None, "code": None}
            changes["error"] = dict(self.error)
        return [{"op": "run", "set": changes}]


def _step(step_id: str, name: str, started_at: float | None) -> dict[str, Any]:
    """A step's entry in ``steps``: one model call (or tool round, node, sub-agent)."""
    return {
        "id": step_id,
        "name": name,
        "usage": None,
        "finish_reason": None,
        "started_at": started_at,
        "ended_at": None,
    }


def _set(i: int, changes: dict[str, Any]) -> Op:
    return {"op": "set", "i": i, "set": changes}
