"""The plain-text export (``to_text``, for ``text/plain``): the answer, one line per tool
call and per picture or sound the model made, then the status line and, for a run of several
model calls, one line per call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nbagent.transcript.export.common import (
    _pretty,
    _state,
    _tool_summary,
    agent_summary,
    answer_text,
    status_line,
)
from nbagent.transcript.export.media import media_text
from nbagent.transcript.export.run_notes import (
    activity_json,
    activity_title,
    interrupt_lines,
    interrupt_title,
)
from nbagent.transcript.export.status import step_lines

if TYPE_CHECKING:
    from nbagent.transcript.fold import TranscriptBase

__all__ = ["to_text"]


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_text(t: TranscriptBase | dict[str, Any]) -> str:
    """Plain text: the user's turns quoted, the answer, one line per tool call and sub-agent
    (a sub-agent's indented), then the status line."""
    s = _state(t)
    lines = [
        "> " + str(b["text"]).replace("\n", "\n> ")
        for b in s.get("blocks", [])
        if b.get("type") == "user" and not b.get("parent") and b.get("text")
    ]
    answer = answer_text(s.get("blocks", []))
    if answer.strip():
        lines.append(answer.strip())
    for b in s.get("blocks", []):
        if b.get("type") == "note":
            text = _clip(str(b.get("text") or ""))
            line = f"[{b.get('kind')}] {b.get('title') or b.get('kind')}"
            lines.append(line + (f": {text}" if text else ""))
        elif b.get("type") == "agent":
            lines.append(("  " if b.get("parent") else "") + f"[agent] {agent_summary(b)}")
        elif b.get("type") == "media":
            lines.append(("  " if b.get("parent") else "") + media_text(b))
        elif b.get("type") == "tool":
            line = "  " if b.get("parent") else ""  # a sub-agent's call, indented
            line += f"[tool] {b.get('name') or 'tool'}({_clip(str(b.get('arguments') or ''), 120)})"
            line += f" {_tool_summary(b)}"
            if b.get("state") in ("done", "error"):
                line += f" → {_clip(_pretty(b.get('result')))}"
            lines.append(line)
        elif b.get("type") == "interrupt":
            lines += [f"[{interrupt_title(b)}]", *("  " + x for x in interrupt_lines(b))]
        elif b.get("type") == "activity":
            lines.append(f"[{activity_title(b)}] {_clip(activity_json(b).replace(chr(10), ' '))}")
    error = s.get("error")
    if isinstance(error, dict) and error.get("message"):
        lines.append(f"error: {error['message']}")
    lines.append(status_line(t))
    lines += step_lines(s)
    return "\n".join(lines)
