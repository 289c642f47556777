"""What the exports share: the state dict they work from (a transcript's, or a saved
snapshot), link checking (``safe_url``), the status line, and a tool call's arguments, result
and summary as display text."""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Any

from nbagent._blocks import join_paragraphs

if TYPE_CHECKING:
    from nbagent._fold import TranscriptBase

__all__ = [
    "_TOOL_STATES",
    "Scopes",
    "_pretty",
    "_state",
    "_tool_args_text",
    "_tool_summary",
    "agent_summary",
    "answer_text",
    "format_cost",
    "safe_url",
    "scopes",
    "status_line",
    "usage_text",
]

_SAFE_PREFIXES = ("http:", "https:", "mailto:", "#")
_STRIP_URL = re.compile(r"[\x00-\x20\x7f-\x9f\\]+")
_TOOL_STATES = ("args", "running", "done", "error", "cancelled")


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
        parts.append(f"first {'message' if s.get('whole') else 'token'} {_secs(ttft)}")
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
    cost = s.get("cost_usd")
    if isinstance(cost, (int, float)) and not isinstance(cost, bool):
        parts.append(format_cost(cost))
    if s.get("model"):
        parts.append(str(s["model"]))
    return " · ".join(parts)


def format_cost(usd: float) -> str:
    """A cost in USD with the digits that matter: "$1.20", "$0.042", "$0.0031"."""
    digits = 2 if usd >= 1 else 3 if usd >= 0.01 else 4
    return f"${usd:.{digits}f}"


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


def usage_text(u: Any) -> str:
    """``"in 12 · out 34 tokens"``; "" when neither count is known."""
    if not isinstance(u, dict):
        return ""
    i, o = u.get("input_tokens"), u.get("output_tokens")
    if not isinstance(i, int) and not isinstance(o, int):
        return ""
    return f"in {i if isinstance(i, int) else '?'} · out {o if isinstance(o, int) else '?'} tokens"


def _tool_summary(b: dict[str, Any]) -> str:
    state = b.get("state") if b.get("state") in _TOOL_STATES else "unknown"
    bits = [str(state)]
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
    """The answer of a state's blocks, as ``Transcript.text`` gives it (top-level text blocks,
    paragraphs around other blocks)."""
    return join_paragraphs(
        str(b.get("text") or "") if b.get("type") == "text" else None
        for b in blocks
        if not b.get("parent")
    )
