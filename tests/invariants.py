"""Checks that hold for any run, shared by the unit tests and the fuzz tests: the
normalizer's lifecycle guarantees, the reducer's ops against its state, and the text."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from nbagent.core.events import (
    ErrorEvent,
    Event,
    MessageEnd,
    MessageStart,
    RunEnd,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)
from nbagent.transcript.transcript import Transcript, apply_op

__all__ = ["check_invariants", "check_ops", "grouped_text", "wire"]


def wire(obj: Any) -> Any:
    """What crosses the comm: JSON text (also proves the ops share nothing with the state)."""
    return json.loads(json.dumps(obj, allow_nan=False))


def check_ops(events: Iterable[Event], every_prefix: bool = True) -> Transcript:
    """Fold ``events``; the ops, applied as the browser does, give ``to_dict()`` (after every
    event, unless ``every_prefix`` is False) and cross the comm as plain JSON."""
    t = Transcript()
    state = wire(t.to_dict())
    for ev in events:
        for op in t.apply(ev):
            apply_op(state, wire(op))
        if every_prefix:
            assert state == wire(t.to_dict())
    assert state == wire(t.to_dict())
    return t


def grouped_text(deltas: list[tuple[str, str]]) -> str:
    """Concatenate deltas per message id, messages in order of their first delta."""
    per: dict[str, list[str]] = {}
    for mid, d in deltas:
        per.setdefault(mid, []).append(d)
    return "".join("".join(v) for v in per.values())


def check_invariants(out: list[Event], ended: bool = True) -> None:
    """The normalizer's guarantees (``nbagent/normalize.py``) over one run's events."""
    assert out, "run_start at least"
    assert out[0].kind == "run_start"
    assert [e.seq for e in out] == list(range(1, len(out) + 1))
    assert len({e.run_id for e in out}) == 1
    assert out[0].run_id
    assert all(e.ts != 0 for e in out)
    ends = [i for i, e in enumerate(out) if e.kind == "run_end"]
    if ended:
        assert ends == [len(out) - 1]
    else:
        assert ends in ([], [len(out) - 1])
    assert sum(e.kind == "run_start" for e in out) == 1
    open_msgs: set[tuple[str, str]] = set()
    ended_msgs: set[tuple[str, str]] = set()
    sealed: set[str] = set()  # thinking whose encrypted value came after its end
    open_tools: set[str] = set()
    known_tools: set[str] = set()  # ids any tool event named
    named: set[str] = set()  # ids whose start named an MCP server
    for i, e in enumerate(out):
        if isinstance(e, (TextDelta, ThinkingDelta, ToolCallArgsDelta)):
            assert e.delta, "empty delta emitted"
        if isinstance(e, MessageStart):
            assert (e.channel, e.message_id) not in open_msgs
            open_msgs.add((e.channel, e.message_id))
            ended_msgs.discard((e.channel, e.message_id))
        elif isinstance(e, TextDelta):
            assert ("text", e.message_id) in open_msgs, f"delta before start at {i}"
        elif isinstance(e, ThinkingDelta):
            assert ("thinking", e.message_id) in open_msgs, f"delta before start at {i}"
        elif isinstance(e, MessageEnd) and (e.channel, e.message_id) in ended_msgs:
            # an end again only to carry its thinking's encrypted value (AG-UI sends it after
            # the message's end), once; it closes nothing
            assert e.channel == "thinking", f"a second end at {i}"
            assert e.encrypted_value, f"a second end at {i} carries no encrypted value"
            assert e.message_id not in sealed, f"a second encrypted value at {i}"
            sealed.add(e.message_id)
        elif isinstance(e, MessageEnd):
            open_msgs.remove((e.channel, e.message_id))
            ended_msgs.add((e.channel, e.message_id))
        elif isinstance(e, ToolCallStart) and e.tool_call_id in known_tools:
            # a start again only to name the call's MCP server, once; it opens nothing
            assert e.server, f"a second start at {i} names no server"
            assert e.tool_call_id not in named, f"a second start at {i} names a server again"
            named.add(e.tool_call_id)
        elif isinstance(e, ToolCallStart):
            open_tools.add(e.tool_call_id)
            if e.server:
                named.add(e.tool_call_id)
        elif isinstance(e, ToolCallArgsDelta):
            assert e.tool_call_id in open_tools, f"args before start at {i}"
        elif isinstance(e, ToolCallEnd):
            open_tools.remove(e.tool_call_id)
            assert isinstance(e.arguments, str)
            assert (e.parse_error is None) or e.args is None
        if isinstance(e, (ToolCallStart, ToolCallArgsDelta, ToolCallEnd, ToolResult)):
            known_tools.add(e.tool_call_id)
        if isinstance(e, RunEnd):
            assert not open_msgs, "messages left open at run_end"
            assert not open_tools, "tool calls left open at run_end"
        elif isinstance(e, ErrorEvent) and not e.recoverable:
            assert out[i + 1].kind == "run_end"
            assert out[i + 1].reason in ("error", "incomplete")  # incomplete: a cut stream


def block_text(t: Any, kind: str = "text", *, nested: bool = False) -> str:
    """The top-level blocks' text of one kind (with ``nested``, a sub-agent's too), joined as
    they are (``Transcript.text`` puts a paragraph break where another block stands between
    two): what the deltas add up to."""
    return "".join(
        b["text"] for b in t.blocks if b["type"] == kind and (nested or not b.get("parent"))
    )
