"""Coding agents' session files, the formats of ``nbagent.load_trace`` that are one run each:
Claude Code's sessions, OpenAI Codex CLI's rollouts, Gemini CLI's chats (the adapters:
``nbagent.adapters.sessions``).

A session is read as any trace source (``trace_input``): a path, a file object, the file's
bytes, or its records parsed already (a list; a JSON document for Gemini CLI's older chats).
From a path (or a file object opened on one) the sub-agents' files are found beside it and
their records tagged with the tool call that started them; the records of all come in the
order they were written, each with its file and line (``lines``). Nothing here opens a socket.

``CLAUDE_CODE``, ``CODEX``, ``GEMINI_CLI`` are their entries (``trace_input.TraceFormat``) in
``trace_formats.FORMATS``: each told from its first records by their content.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from nbagent.adapters.sessions import (
    ClaudeCodeAdapter,
    CodexAdapter,
    GeminiCliAdapter,
    detect_claude_code,
    detect_codex,
    detect_gemini_cli,
)
from nbagent.sources.sessions.claude_code import claude_code_records
from nbagent.sources.sessions.codex import codex_records
from nbagent.sources.sessions.gemini_cli import gemini_cli_records
from nbagent.sources.trace_input import TraceFormat

__all__ = ["CLAUDE_CODE", "CODEX", "GEMINI_CLI"]


def _records(detect: Callable[[Sequence[Any]], bool]) -> Callable[[Sequence[Any]], bool]:
    """``detect`` of a session's first records, given the source's first documents: a
    document that is a list (parsed records) is its records."""

    def detect_documents(first: Sequence[Any]) -> bool:
        records = [r for doc in first for r in (doc if isinstance(doc, list) else [doc])]
        return detect(records)

    return detect_documents


GEMINI_CLI = TraceFormat(
    "gemini-cli", _records(detect_gemini_cli), gemini_cli_records, GeminiCliAdapter
)
"""A Gemini CLI chat (``session-*.jsonl``, or the older ``session-*.json``) and its sub-agents'."""
CODEX = TraceFormat("codex", _records(detect_codex), codex_records, CodexAdapter)
"""An OpenAI Codex CLI rollout (``rollout-*.jsonl``) and its sub-agents' rollouts."""
CLAUDE_CODE = TraceFormat(
    "claude-code", _records(detect_claude_code), claude_code_records, ClaudeCodeAdapter
)
"""A Claude Code session (``<session>.jsonl``) and its sub-agents' files."""
