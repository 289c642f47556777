"""What the session-file tests share: a session opened as ``nbagent.load_trace`` opens it
(``run_of``: the run played and its ``Transcript``; ``events_of``: the events it plays) and the
fixtures' paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbagent
from nbagent.apps.traces import trace_events
from nbagent.core.events import Event, RunEnd
from nbagent.transcript.transcript import Transcript

TRACES = Path(__file__).parent / "fixtures" / "traces"
CLAUDE = TRACES / "claude-code" / "projects" / "-tmp-nbagent-trace-claude-cg-mssvv-project"
CLAUDE_SESSION = CLAUDE / "26d9261f-da35-424a-9a45-b10e1d122e3a.jsonl"
CLAUDE_AGENT = (
    CLAUDE / "26d9261f-da35-424a-9a45-b10e1d122e3a" / "subagents" / "agent-a44e8f26ebf3de367.jsonl"
)
CODEX_DAY = TRACES / "codex" / "sessions" / "2026" / "11" / "29"
CODEX_MAIN = CODEX_DAY / "rollout-2026-11-29T03-48-06-01a2256a-cf57-7551-8ce8-02ce81ed487c.jsonl"
CODEX_CHILD = CODEX_DAY / "rollout-2026-11-29T03-48-07-01a2256a-d30a-73d2-8de5-8ce2f8e5a8a3.jsonl"
GEMINI_CHATS = TRACES / "gemini-cli" / "tmp" / "project" / "chats"
GEMINI_SESSION = GEMINI_CHATS / "session-2026-11-29T03-48-e1579256.jsonl"
GEMINI_AGENT = (
    GEMINI_CHATS
    / "e1579256-34fe-4a78-a757-35f8183479e9"
    / "5f73ee02-fdfa-44ea-ae6a-624b6d90454d.jsonl"
)


def events_of(source: Any, format: str = "auto") -> list[Event]:  # noqa: A002 - as load_trace's
    """A session's normalized events, as ``load_trace`` reads them: its records (and its
    sub-agents') through the adapter of its format and the normalizer."""
    events, _, _ = trace_events(source, format)
    assert isinstance(events[-1], RunEnd), "the run was left without its end"
    return events


def run_of(source: Any, format: str = "auto") -> tuple[Transcript, dict[str, Any]]:  # noqa: A002
    """A session opened with ``nbagent.load_trace`` and played: its ``Transcript`` and the
    transcript's state."""
    transcript = nbagent.load_trace(source, format).wait(60)
    return transcript, transcript.to_dict()


def blocks(state: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [b for b in state["blocks"] if b["type"] == kind]


def head(state: dict[str, Any]) -> tuple[Any, ...]:
    """The run's id, model, status and end reason."""
    return (state["run_id"], state["model"], state["status"], state["end_reason"])


def users(state: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The user blocks: each prompt and its scope (a sub-agent's prompt is in its call)."""
    return [(b["text"], b.get("parent")) for b in blocks(state, "user")]


def tools(state: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Each tool call: its id, name, args, state, result, error flag, scope and duration (ms)."""
    return [
        (
            b["id"],
            b["name"],
            b["args"],
            b["state"],
            b["result"],
            b["is_error"],
            b.get("parent"),
            None if b["duration_s"] is None else round(b["duration_s"] * 1000),
        )
        for b in blocks(state, "tool")
    ]


def steps(state: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Each step: its id, scope, start and end (ms after the run's start) and tokens in, out."""
    t0 = state["started_at"]
    return [
        (
            s["id"],
            s.get("parent"),
            round((s["started_at"] - t0) * 1000),
            round((s["ended_at"] - t0) * 1000),
            (s["usage"] or {}).get("input_tokens"),
            (s["usage"] or {}).get("output_tokens"),
        )
        for s in state["steps"]
    ]


def in_order_per_scope(events: list[Event]) -> bool:
    """Each scope's events start in time order (scopes run at once: a sub-agent beside its
    parent's next call)."""
    latest: dict[str | None, float] = {}
    for ev in events:
        if ev.ts < latest.get(ev.parent, 0.0):
            return False
        latest[ev.parent] = ev.ts
    return True
