"""What the exports share: the state dict they work from (a transcript's, or a saved
snapshot), link checking (``safe_url``), the status line, and a tool call's arguments, result
and summary as display text.

Twin: js/src/panels/panels.js, js/src/panels/pause.js"""

from __future__ import annotations

import html
import json
import re
import time
from typing import TYPE_CHECKING, Any

from nbagent.pipeline.normalize import double_encoded
from nbagent.transcript.export.diffs import Diff, diff_counts, diff_pieces
from nbagent.transcript.export.formats import format_cost, format_duration, usage_text
from nbagent.transcript.export.status import (
    context_words,
    detail_lines,
    session_words,
    status_label,
    status_parts,
    step_lines,
)
from nbagent.transcript.paragraphs import joined_text

if TYPE_CHECKING:
    from nbagent.transcript.fold import TranscriptBase

__all__ = [
    "DOUBLE_ENCODED",
    "_TOOL_STATES",
    "Scopes",
    "_pretty",
    "_state",
    "_tool_args_text",
    "_tool_summary",
    "agent_summary",
    "answer_text",
    "answer_words",
    "double_encoded",
    "footer_details",
    "format_cost",
    "result_diffs",
    "safe_url",
    "scopes",
    "status_line",
    "tool_label",
    "usage_text",
]

DOUBLE_ENCODED = "The arguments came as a JSON string: decoded once more"
"""What a panel says of arguments a server encoded twice (the widget's says the same)."""

_SAFE_PREFIXES = ("http:", "https:", "mailto:", "#")
_STRIP_URL = re.compile(r"[\x00-\x20\x7f-\x9f\\]+")
_TOOL_STATES = ("args", "running", "paused", "done", "error", "cancelled")


def safe_url(url: str) -> bool:
    """True for http(s), mailto and fragment links, however they are spelled or encoded."""
    return _STRIP_URL.sub("", html.unescape(url)).lower().startswith(_SAFE_PREFIXES)


def _state(t: TranscriptBase | dict[str, Any]) -> dict[str, Any]:
    return t if isinstance(t, dict) else t.to_dict()


# -- shared formatting (the strings themselves: ``formats.py``) --------------------------


def _secs(value: Any) -> str:
    return format_duration(float(value)) if isinstance(value, (int, float)) else ""


def _diff(a: Any, b: Any) -> float | None:
    ok = isinstance(a, (int, float)) and isinstance(b, (int, float))
    return b - a if ok else None


def _now(t: TranscriptBase | dict[str, Any]) -> float:
    """Now, for a running state: a transcript's latest event; a saved state's, the clock."""
    return time.time() if isinstance(t, dict) else t._now()


def status_line(
    t: TranscriptBase | dict[str, Any], now: float | None = None, *, context: bool = True
) -> str:
    """One line, as the widget's footer: the label, then time to first token, tokens/s,
    elapsed, tokens and cost (``status.status_parts``), then the model, then the context
    window's fill when an agent said it ("1,200 / 200,000 tokens (1%)"; ``context`` False
    leaves it out: the HTML copy writes it by its gauge), then the session an ACP agent's run
    is in (``status.session_words``). ``now`` (epoch seconds) matters while the run goes on:
    by default a transcript's latest event."""
    s = _state(t)
    parts = [status_label(s), *status_parts(s, _now(t) if now is None else now)]
    if s.get("model"):
        parts.append(str(s["model"]))
    words = context_words(s) if context else ""
    parts += [w for w in (words, session_words(s)) if w]
    return " · ".join(parts)


def footer_details(t: TranscriptBase | dict[str, Any], now: float | None = None) -> list[str]:
    """The folded details under the status line: step lines, usage, deltas and generation."""
    s = _state(t)
    return [*step_lines(s), *detail_lines(s, _now(t) if now is None else now)]


def _pretty(value: Any) -> str:
    """A tool's arguments or result as display text: strings as is, JSON pretty-printed."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _tool_args_text(b: dict[str, Any]) -> str:
    if b.get("parse_error") is None and b.get("args") is not None:
        return _pretty(b["args"])
    return str(b.get("arguments") or "")


def tool_label(b: dict[str, Any]) -> str:
    """A tool block's name, and its MCP server's when it has one (as the widget shows it)."""
    name = str(b.get("name") or "tool")
    return f"{name} · {b['server']}" if b.get("server") else name


def answer_words(b: dict[str, Any]) -> list[str]:
    """How a call paused before it ran went on, in words (none for a call never paused)."""
    words: list[str] = []
    if b.get("state") == "paused":
        words.append("waiting for an answer")
    answer: dict[str, Any] = b["answer"] if isinstance(b.get("answer"), dict) else {}
    if answer.get("edited"):
        words.append("edited arguments")
    if b.get("mocked"):
        words.append("mocked")
    if b.get("denied"):
        words.append("denied")
    if answer.get("reason"):
        words.append(f"reason: {answer['reason']}")
    return words


def result_diffs(b: dict[str, Any]) -> list[Diff]:
    """The diffs in a tool call's text result (an ACP agent's edits), in order."""
    result = b.get("result")
    pieces = diff_pieces(result) if isinstance(result, str) else []
    return [p for p in pieces if isinstance(p, Diff)]


def _tool_summary(b: dict[str, Any]) -> str:
    state = b.get("state") if b.get("state") in _TOOL_STATES else "unknown"
    bits = [str(state), *answer_words(b)]
    diffs = result_diffs(b)
    if diffs:  # the lines its edits add and remove, as the widget's panel head counts them
        bits.append(diff_counts(diffs))
    if b.get("duration_s") is not None:
        bits.append(_secs(b["duration_s"]))
    if usage_text(b.get("usage")):
        bits.append(usage_text(b.get("usage")))
    return " · ".join(bits)


def agent_summary(b: dict[str, Any]) -> str:
    """A sub-agent's name, duration and usage, for its summary line."""
    bits = [str(b.get("name") or "sub-agent")]
    took = _diff(b.get("started_at"), b.get("ended_at"))
    if took is not None:
        bits.append(_secs(took))
    if usage_text(b.get("usage")):
        bits.append(usage_text(b.get("usage")))
    return " · ".join(bits)


Scopes = tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]


def scopes(blocks: list[dict[str, Any]]) -> Scopes:
    """``(top-level blocks, blocks inside each scope by its id)``: a block whose ``parent`` is
    a tool call or sub-agent shown before it goes inside that one, any other at the top."""
    top: list[dict[str, Any]] = []
    inside: dict[str, list[dict[str, Any]]] = {}
    for b in blocks:
        parent = b.get("parent")
        if isinstance(parent, str) and parent in inside:
            inside[parent].append(b)
        else:
            top.append(b)
        if b.get("type") in ("tool", "agent"):
            inside.setdefault(str(b.get("id")), [])
    return top, inside


def answer_text(blocks: list[dict[str, Any]]) -> str:
    """The answer of a state's blocks, as ``Transcript.text`` gives it."""
    parts = (
        (
            str(b.get("type")),
            bool(b.get("parent")),
            bool(b.get("whole")),
            str(b.get("text") or ""),
        )
        for b in blocks
    )
    return joined_text(parts, "text")
