"""What the exports share: the state dict they work from (a transcript's, or a saved
snapshot), link checking (``safe_url``), the status line, and a tool call's arguments, result
and summary as display text."""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nbagent._fold import TranscriptBase

__all__ = [
    "_TOOL_STATES",
    "_pretty",
    "_state",
    "_tool_args_text",
    "_tool_summary",
    "safe_url",
    "status_line",
]

_SAFE_PREFIXES = ("http:", "https:", "mailto:", "#")
_STRIP_URL = re.compile(r"[\x00-\x20\x7f-\x9f\\]+")
_TOOL_STATES = ("args", "running", "done", "error")


def safe_url(url: str) -> bool:
    """True for http(s), mailto and fragment links, however they are spelled or encoded."""
    return _STRIP_URL.sub("", html.unescape(url)).lower().startswith(_SAFE_PREFIXES)


def _state(t: TranscriptBase | dict[str, Any]) -> dict[str, Any]:
    return t if isinstance(t, dict) else t.to_dict()


# -- shared formatting -------------------------------------------------------------------


def _secs(value: Any) -> str:
    if not isinstance(value, (int, float)):
        return ""
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def _diff(a: Any, b: Any) -> float | None:
    ok = isinstance(a, (int, float)) and isinstance(b, (int, float))
    return b - a if ok else None


def status_line(t: TranscriptBase | dict[str, Any]) -> str:
    """One line: status, end reason, time to first token, elapsed time, token usage."""
    s = _state(t)
    parts = [str(s.get("status") or "running")]
    reason = s.get("end_reason")
    if reason and reason != parts[0]:
        parts.append(str(reason))
    ttft = _diff(s.get("started_at"), s.get("first_token_at"))
    if ttft is not None:
        parts.append(f"first token {_secs(ttft)}")
    elapsed = _diff(s.get("started_at"), s.get("ended_at"))
    if elapsed is not None:
        parts.append(f"elapsed {_secs(elapsed)}")
    u = s.get("usage") or {}
    counts = [
        f"{u[k]} {label}"
        for k, label in (
            ("input_tokens", "in"),
            ("output_tokens", "out"),
            ("total_tokens", "total"),
        )
        if isinstance(u.get(k), int)
    ]
    parts.append("tokens: " + " / ".join(counts) if counts else "usage: n/a")
    if s.get("model"):
        parts.append(str(s["model"]))
    return " · ".join(parts)


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


def _tool_summary(b: dict[str, Any]) -> str:
    state = b.get("state") if b.get("state") in _TOOL_STATES else "unknown"
    bits = [str(state)]
    if b.get("duration_s") is not None:
        bits.append(_secs(b["duration_s"]))
    return " · ".join(bits)
