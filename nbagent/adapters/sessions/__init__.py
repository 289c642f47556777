"""The coding agents' session files, read record by record: Claude Code's sessions
(``claude_code``), OpenAI Codex CLI's rollouts (``codex``), Gemini CLI's chats
(``gemini_cli``). Their records come as ``SessionRecord``s (``record``), made by
``nbagent.sources.sessions``, which reads the files, finds the sub-agents' files beside them and
puts every record in the order it was written; what the three adapters share (the run, scopes,
model steps, the clock of the file) is ``base.SessionAdapter``.

Each format has a ``detect_*`` function that tells its records from the others' by their
content: it takes the first records' parsed JSON.
"""

from nbagent.adapters.sessions.base import SessionAdapter
from nbagent.adapters.sessions.claude_code import ClaudeCodeAdapter, detect_claude_code
from nbagent.adapters.sessions.codex import CodexAdapter, detect_codex
from nbagent.adapters.sessions.gemini_cli import GeminiCliAdapter, detect_gemini_cli
from nbagent.adapters.sessions.record import SessionRecord, as_record, iso_seconds

__all__ = [
    "ClaudeCodeAdapter",
    "CodexAdapter",
    "GeminiCliAdapter",
    "SessionAdapter",
    "SessionRecord",
    "as_record",
    "detect_claude_code",
    "detect_codex",
    "detect_gemini_cli",
    "iso_seconds",
]
