"""The pure reducer: normalized Events → the transcript's state (docs/develop/contracts.md).

``TranscriptBase`` is the folded state and the reducer; ``nbagent.Transcript`` adds its
exports (markdown, HTML, text), which work on this state and live above it.
``TranscriptBase.apply(ev)`` mutates the transcript and returns the JSON-ready ops that turn the
previous ``to_dict()`` into the new one; ``apply_op`` is the reference implementation of those
ops (the browser's store mirrors it). Appending a delta is O(len(delta)): block text is kept
in a ``TextBuffer`` (``nbagent.core.textbuf``), a few large pieces plus the latest deltas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import nbagent.core.events as E
from nbagent.core.textbuf import TextBuffer
from nbagent.transcript.blocks import (
    AgentBlock,
    Block,
    MediaBlock,
    MessageBlock,
    NoteBlock,
    ToolCall,
)
from nbagent.transcript.fold.media import MediaFold
from nbagent.transcript.fold.messages import MessageFold
from nbagent.transcript.fold.notes import NoteFold
from nbagent.transcript.fold.run import RunFold
from nbagent.transcript.fold.run_numbers import RunNumbers
from nbagent.transcript.fold.state import STATE_VERSION, Op, apply_op
from nbagent.transcript.fold.tools import ToolFold
from nbagent.transcript.paragraphs import joined_text
from nbagent.transcript.run_blocks import restored_block
from nbagent.transcript.usage import EMPTY_USAGE, TokenUsage, display_usage, sum_usage

__all__ = ["STATE_VERSION", "TokenUsage", "ToolCall", "TranscriptBase", "apply_op"]

T = TypeVar("T", bound="TranscriptBase")
_TEXT_DELTA = E.TextDelta  # one global lookup on the hot path instead of two
# Where the model stops producing: what follows is a tool, the next step's wait, or nothing.
_GENERATION_ENDS: frozenset[type[E.Event]] = frozenset((E.ToolCallEnd, E.StepEnd, E.RunEnd))


_RESTORED = (
    *("run_id", "title", "model", "status", "end_reason", "error", "started_at"),
    *("first_token_at", "ended_at", "deltas", "activity", "plan", "context", "session"),
    *("generating_s", "generating_since", "paused_s", "paused_since", "apps"),
)
"""The run's fields ``from_dict`` takes as they were saved."""


class TranscriptBase(RunFold, ToolFold, MessageFold, NoteFold, MediaFold, RunNumbers):
    """Folded state of one run: blocks, tool calls, usage, timing, status (``nbagent.Transcript``
    is this with its exports)."""

    def __init__(self) -> None:
        super().__init__()
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
            E.State: self._on_state,
            E.ErrorEvent: self._on_error,
            E.RunStart: self._on_run_start,
            # the parts over the saved bound lose their data as the run ends (fold/media.py)
            E.RunEnd: lambda ev: [*self._media_at_end(), *self._on_run_end(ev)],
            E.Custom: self._on_custom,
            E.Media: self._on_media,
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
        for k in _RESTORED:
            setattr(t, k, d.get(k, getattr(t, k)))
        t.warnings = [dict(w) for w in d.get("warnings", [])]
        t.whole = d.get("whole") is True
        t._paused_ever = "paused_s" in d
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
                block.cost = {"cost_usd": b["cost_usd"]} if "cost_usd" in b else None
            elif b["type"] == "note":
                block = NoteBlock.from_dict(b)
            elif b["type"] == "media":
                block = MediaBlock.from_dict(b)
            elif b["type"] in ("activity", "interrupt"):
                block = restored_block(b)
            elif b["type"] == "agent":
                block = AgentBlock(b["id"], b.get("name") or "", b.get("started_at"))
                block.ended_at, block.usage = b.get("ended_at"), b.get("usage")
                block.cost = {"cost_usd": b["cost_usd"]} if "cost_usd" in b else None
                block.parent = b.get("parent")
            else:
                block = MessageBlock(b["type"], b["id"], b["text"], b.get("refusal", False))
                block.redacted = b.get("redacted", False)
                block.encrypted = b.get("encrypted", False) is True
                block.started_at, block.ended_at = b.get("started_at"), b.get("ended_at")
                block.parent = b.get("parent")
                block.whole = b.get("whole", False) is True
                block.was_text = b["type"] == "thinking" and "refusal" in b
            t._index(block)[b["id"]] = i
            t._blocks.append(block)
        pending = d.get("whole_pending")
        t._whole_ids = {b.id for b in t._blocks if isinstance(b, MessageBlock) and b.whole}
        t._whole_ids |= (
            {i for i in pending if isinstance(i, str)} if isinstance(pending, list) else set()
        )
        t._restore_costs(d)
        t._ended = t.status != "running"
        t._begun = t.run_id is None and t.started_at is not None  # begun, its RunStart to come
        # Steps still open go on being measured: their deltas are the ones no ended step
        # holds (exact for steps one after another, the usual case).
        ended = sum(s.get("output_deltas") or 0 for s in t._steps if s.get("ended_at") is not None)
        for s in t._steps:
            if s.get("ended_at") is None and s["id"] not in t._agent_index:
                t._step_deltas0[s["id"]] = ended
                if s.get("first_token_at") is None:
                    t._awaiting.add(s["id"])
        return t

    # -- public view --------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready state, version 1 (docs/develop/contracts.md); the snapshot too."""
        state: dict[str, Any] = {
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
            "generating_s": self.generating_s,
            "generating_since": self.generating_since,
            "usage": dict(self._usage),
            "steps": self.steps,
            "warnings": [dict(w) for w in self.warnings],
            "activity": self.activity,
            "blocks": self.blocks,
        }
        if self._cost_sent:  # only once a cost is known: older states as they were
            state["cost_usd"] = self.cost_usd
        if self.whole:  # likewise: only runs whose messages came whole say so
            state["whole"] = True
            state["whole_pending"] = self._whole_pending()
        if self._paused_ever:  # and runs that paused
            state |= {"paused_s": self.paused_s, "paused_since": self.paused_since}
        # An agent's plan, its context window, its session, its calls' apps: once said.
        state |= {
            k: v
            for k in ("plan", "context", "session", "apps")
            if (v := getattr(self, k)) is not None
        }
        return state

    @property
    def text(self) -> str:
        """The answer: the top-level text blocks (a sub-agent's are inside its tool call or
        agent block), in display order. Text before and after a tool call (or thinking: the
        text of two model calls) is two paragraphs, not one run-on sentence."""
        return self._joined("text")

    @property
    def thinking(self) -> str:
        """The reasoning: the top-level thinking blocks, in display order."""
        return self._joined("thinking")

    def _joined(self, kind: str) -> str:
        parts = (
            (
                b.type,
                b.parent is not None,
                isinstance(b, MessageBlock) and b.whole,
                b.buffer.text if isinstance(b, MessageBlock) else "",
            )
            for b in self._blocks
        )
        return joined_text(parts, kind)

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

    def __repr__(self) -> str:
        return f"<Transcript {self.run_id!r} {self.status} blocks={len(self._blocks)}>"

    def __str__(self) -> str:
        """The answer (``text``): what ``print(run.transcript)`` is asked for."""
        return self.text

    # -- the reducer --------------------------------------------------------------------

    def children(self, block_id: str) -> list[dict[str, Any]]:
        """The blocks inside a tool call's or a sub-agent's scope (their ``parent``), in order."""
        return [b.to_dict() for b in self._blocks if b.parent == block_id]

    def apply(self, ev: E.Event) -> list[Op]:
        """Fold one event; returns the ops that transform the previous ``to_dict()``."""
        if self._ended:
            return []
        self.last_event = ev
        if type(ev) is _TEXT_DELTA and self.generating_since is not None and not self._awaiting:
            # The hot path, once per answer token: _on_text() → _append() → _count() inlined
            # (past the first token, inside an open stretch of generation, no step waiting for
            # its first token).
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
        self._parent = ev.parent or None
        ops = [] if handler is None else handler(ev)
        if type(ev) in _GENERATION_ENDS:
            ops += self._stop_generating(ev.ts)
        return ops

    def apply_late(self, ev: E.Event) -> list[Op]:
        """``apply``, and after the run's end what its producer learns of it later: an MCP app
        read for a call (``Custom("mcp_app")``) and a call's ``meta`` (a ``ToolCallStart`` of a
        call it has, ``meta.app.error``); [] for any other event after the end."""
        if not self._ended:
            return self.apply(ev)
        if isinstance(ev, E.Custom) and ev.name == "mcp_app":
            return self._on_app(ev)
        if isinstance(ev, E.ToolCallStart) and ev.tool_call_id in self._tool_index:
            return self._on_tool_start(ev)
        return []

    def _on_custom(self, ev: E.Custom) -> list[Op]:
        """``Custom("user_message")`` (ACP's ``user_message_chunk``, the claude-agent SDK's user
        turns) is a ``user`` block, chunks in a row of one ``meta["message_id"]`` one block;
        ``Custom("note")`` a ``note`` block (``fold/notes.py``); ``Custom("mcp_app")`` an app
        of the run's ``apps`` (``fold/tools.py``)."""
        if ev.name == "note":
            return self._on_note(ev)
        if ev.name == "mcp_app":
            return self._on_app(ev)
        if ev.name != "user_message" or not isinstance(ev.value, str) or not ev.value:
            return []
        key = (ev.meta or {}).get("message_id")
        block_id = f"user:{key}" if key else f"user:{len(self._user_index) + 1}"
        last = self._blocks[-1] if self._blocks else None
        if (
            isinstance(last, MessageBlock)
            and (last.type, last.parent) == ("user", self._parent)
            and (key is None or last.id == block_id)
        ):
            last.buffer.append(ev.value)
            return [{"op": "set", "i": len(self._blocks) - 1, "set": {"text": last.text}}]
        if block_id in self._user_index:  # an id seen before, not in a row: a block of its own
            block_id = f"user:{len(self._user_index) + 1}"
        return self._add(MessageBlock("user", block_id, ev.value))

    def _on_args(self, ev: E.ToolCallArgsDelta) -> list[Op]:
        if not ev.delta:
            return []
        i = self._tool_index.get(ev.tool_call_id)
        if i is not None:
            return self._append(i, "arguments", ev.delta, ev.ts)
        tool = ToolCall(ev.tool_call_id, "", ev.ts)
        tool.buffer.append(ev.delta)
        return self._add(tool, self._count(ev.ts))
