"""Coding agents' session files, read as the records of one run: Claude Code's sessions,
OpenAI Codex CLI's rollouts, Gemini CLI's chats (the adapters: ``nbagent.adapters.sessions``).

A source is a path, a file object, the file's bytes or its parsed records (a JSON document for
Gemini CLI's older chats). From a path (or a file object opened on one) the sub-agents' files
are found beside it and their records tagged with the tool call that started them; the records
of all come in the order they were written, each with its file and line (a line that is not
JSON is a record saying so, where the run ends). Nothing here opens a socket.

``SESSION_FORMATS`` lists the formats, each a ``SessionFormat``: its name, how its first
records are told apart (``detect``), how a source is read into its records (``records``) and
its adapter (``adapter``, a class: each call a new one). ``session_records(source)`` finds the
format and reads the records; ``load`` reads a source once (a file object can be read only
once), for ``detect`` (``Loaded.first()``) and then ``records``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from nbagent.adapters.base import UnknownFormatError
from nbagent.adapters.sessions import (
    ClaudeCodeAdapter,
    CodexAdapter,
    GeminiCliAdapter,
    SessionAdapter,
    SessionRecord,
    detect_claude_code,
    detect_codex,
    detect_gemini_cli,
)
from nbagent.sources.sessions.claude_code import claude_code_records
from nbagent.sources.sessions.codex import codex_records
from nbagent.sources.sessions.gemini_cli import gemini_cli_records
from nbagent.sources.sessions.lines import Loaded, load

__all__ = [
    "SESSION_FORMATS",
    "Loaded",
    "SessionFormat",
    "detect_session",
    "load",
    "session_records",
]


class SessionFormat(NamedTuple):
    """A coding agent's session format: ``name`` (the ``format=`` name), ``detect(first)``
    (True when the parsed first records are this format's), ``records(source)`` (the records
    of the session and its sub-agents, in order) and ``adapter()`` (a new adapter of them)."""

    name: str
    detect: Callable[[Sequence[Any]], bool]
    records: Callable[[Any], Iterator[SessionRecord]]
    adapter: Callable[[], SessionAdapter]


SESSION_FORMATS: tuple[SessionFormat, ...] = (
    SessionFormat("gemini-cli", detect_gemini_cli, gemini_cli_records, GeminiCliAdapter),
    SessionFormat("codex", detect_codex, codex_records, CodexAdapter),
    SessionFormat("claude-code", detect_claude_code, claude_code_records, ClaudeCodeAdapter),
)
"""The session formats, in the order they are tried: Gemini CLI's metadata line and Codex's
``payload`` are told apart first, Claude Code's records (a ``type`` and a ``sessionId``) last."""


def detect_session(first: Sequence[Any]) -> SessionFormat | None:
    """The format whose ``detect`` takes the parsed first records; None when none does."""
    return next((f for f in SESSION_FORMATS if f.detect(first)), None)


def session_records(
    source: Any,
    format: str = "auto",  # noqa: A002 - the public API's name
) -> tuple[SessionFormat, Iterator[SessionRecord]]:
    """A session's format (the one named, or the one its first records are in) and its
    records. Raises ``UnknownFormatError`` for a format it does not know or cannot tell."""
    loaded = load(source)
    if format == "auto":
        found = detect_session(loaded.first())
        if found is None:
            raise UnknownFormatError(
                "not a coding agent's session file (Claude Code, Codex, Gemini CLI): "
                f"the first records are {_shapes(loaded)}"
            )
    else:
        found = next((f for f in SESSION_FORMATS if f.name == format), None)
        if found is None:
            names = ", ".join(f.name for f in SESSION_FORMATS)
            raise UnknownFormatError(f"unknown session format {format!r}; known: {names}")
    return found, found.records(loaded)


def _shapes(loaded: Loaded) -> str:
    first = loaded.first(3)
    if not first:
        return "none" if not loaded.records else "not JSON"
    kinds = [sorted(d)[:6] if isinstance(d, dict) else type(d).__name__ for d in first]
    return ", ".join(str(k) for k in kinds)
