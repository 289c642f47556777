"""The footer's words, as the widget writes them (``js/src/panels/status.js``): the status label (a
run waiting for its first token says so; an error, its class and first line), the one status
line's parts, an agent's context window (``js/src/panels/acp_view.js`` ``gaugeText``), and
the folded details (per-step lines, usage, what tok/s is made of). The numbers' meanings are in
``nbagent/transcript/fold/numbers.py``.

Twin: js/src/panels/status_words.js, js/src/panels/acp_view.js"""

from __future__ import annotations

import math
import re
from typing import Any

from nbagent.transcript.export.formats import (
    format_cost,
    format_duration,
    format_elapsed,
    format_rate,
    format_tokens,
    usage_details,
    usage_text,
)
from nbagent.transcript.fold import numbers

__all__ = [
    "ERROR_WORDS_MAX",
    "WAITING",
    "context_share",
    "context_words",
    "detail_lines",
    "error_words",
    "session_words",
    "status_label",
    "status_parts",
    "step_lines",
    "tools_only",
    "waiting",
]

WAITING = "waiting for the first token"
"""The label of a run that started and has streamed nothing yet."""
ERROR_WORDS_MAX = 160
"""The most characters of an error the status line shows (its panel shows the whole text)."""
# "RuntimeError: …": the message names its class.
# redos-bounded: matched at the start of at most ERROR_WORDS_MAX (160) characters (error_words)
_NAMED = re.compile(r"\s*[\w.]+:", re.ASCII)
_LINES = re.compile(r"\r\n?|\n")  # as JavaScript splits lines (str.splitlines splits more)

_REASONS = {
    "max_tokens": "max tokens",
    "tool_calls": "tool calls",
    "content_filter": "content filtered",
    "refusal": "refused",
    "interrupted": "needs input",
    "incomplete": "stream ended unexpectedly",
    "unknown": "unknown end reason",
}


def paused_calls(s: dict[str, Any]) -> list[str]:
    """The names of the tool calls waiting for an answer (``js/src/panels/status.js``
    pausedCalls)."""
    blocks = s.get("blocks") or []
    return [
        str(b.get("name") or "a tool")
        for b in blocks
        if isinstance(b, dict) and b.get("type") == "tool" and b.get("state") == "paused"
    ]


def status_label(s: dict[str, Any]) -> str:
    """ "running" (or the activity), "completed", "completed (max tokens)", "error: boom"."""
    status = s.get("status")
    if not status:
        return "waiting"
    if status == "running":
        paused = paused_calls(s)
        if paused:
            return (
                f"paused before {paused[0]}"
                if len(paused) == 1
                else (f"paused before {len(paused)} calls")
            )
        if numbers.number(s.get("paused_since")) is not None:
            return "paused"  # a step replay between steps
        if s.get("activity"):
            return str(s["activity"])
        return WAITING if waiting(s) else "running"
    reason = s.get("end_reason")
    label = str(status)
    if status == "error":
        label = f"error: {error_words(s.get('error'))}"
    if reason and reason != status:
        if reason in _REASONS:
            label += f" ({_REASONS[reason]})"
        elif reason not in ("completed", "cancelled", "error"):
            label += f" ({str(reason).replace('_', ' ')})"
    return label


def waiting(s: dict[str, Any]) -> bool:
    """Whether a running run still waits for its first token: nothing streamed, no tool call
    (a user's prompt may show)."""
    blocks = s.get("blocks") or []
    return (
        s.get("status") == "running"
        and numbers.number(s.get("first_token_at")) is None
        and all(isinstance(b, dict) and b.get("type") == "user" for b in blocks)
    )


def tools_only(s: dict[str, Any]) -> bool:
    """Whether the run is tool calls only: no model step, no token (an MCP inspector's call);
    its status line says its state and duration, no model's numbers."""
    blocks = s.get("blocks") or []
    steps = [st for st in s.get("steps") or [] if isinstance(st, dict) and not st.get("parent")]
    return (
        numbers.number(s.get("first_token_at")) is None
        and not steps
        and bool(blocks)
        and all(isinstance(b, dict) and b.get("type") == "tool" for b in blocks)
    )


def error_words(error: Any) -> str:
    """An error on the status line: its class and the first line of its message ("RuntimeError:
    boom"; the class from ``error_type`` when the message does not start with one), its spaces
    collapsed, at most ``ERROR_WORDS_MAX`` characters, cut with "…". The error box (the
    widget's, the static copy's) shows the whole text: a server's 500 may bring pages of it."""
    error = error if isinstance(error, dict) else {}
    message = "" if error.get("message") is None else str(error["message"])
    lines = _LINES.split(message)
    first = next((line for line in lines if line.strip()), "unknown error")
    kind = error.get("error_type")
    words = " ".join(
        (
            f"{kind}: {first}" if kind and not _NAMED.match(first[:ERROR_WORDS_MAX]) else first
        ).split()
    )
    return words if len(words) <= ERROR_WORDS_MAX else words[: ERROR_WORDS_MAX - 1] + "…"


def status_parts(s: dict[str, Any], now: float) -> list[str]:
    """The numbers after the label: "first token 0.42 s", "35.0 tok/s", "3.2 s" (elapsed),
    "1,290 tokens", cost (only the elapsed time while the run waits for its first token, and
    in a run of tool calls only);
    ``now``: kernel epoch seconds (used while the run goes on)."""
    elapsed = numbers.elapsed(s, now)
    if elapsed is None:
        return []
    running = s.get("status") == "running"
    parts = [] if waiting(s) or tools_only(s) else _timing(s, now)
    parts.append(format_elapsed(elapsed))
    usage = s.get("usage") if isinstance(s.get("usage"), dict) else {}
    total = numbers.number((usage or {}).get("total_tokens"))
    if total is not None:
        parts.append(f"{format_tokens(total)} tokens")
    elif usage_text(usage):
        parts.append(usage_text(usage))
    cost = numbers.number(s.get("cost_usd"))
    if cost is not None:
        parts.append(format_cost(cost))
    if not running and s.get("activity"):
        parts.append(str(s["activity"]))
    return parts


def _timing(s: dict[str, Any], now: float) -> list[str]:
    """Time to first token (or message) and tokens/s; what is not known is left out (no
    first token yet, a rate that would mean nothing), not shown as a dash."""
    ttft = numbers.ttft(s)
    first = "first message" if s.get("whole") else "first token"
    parts = [] if ttft is None else [f"{first} {format_duration(ttft)}"]
    if s.get("whole"):
        parts.append("whole messages")
    elif (rate := numbers.tokens_per_s(s, now)) is not None:
        parts.append(format_rate(rate.value, rate.estimated))
    return parts


def _finite(v: Any) -> float | None:
    x = numbers.number(v)
    return x if x is not None and math.isfinite(x) else None


def _context(s: dict[str, Any]) -> tuple[float, float | None] | None:
    """The context window's ``(used, size)`` tokens, size None when unknown or not positive;
    None when the state has no count."""
    context = s.get("context")
    if not isinstance(context, dict) or (used := _finite(context.get("used"))) is None:
        return None
    size = _finite(context.get("size"))
    return used, size if size is not None and size > 0 else None


def context_words(s: dict[str, Any]) -> str:
    """The context window's words on the status line (``js/src/panels/acp_view.js`` ``gaugeText``):
    "12,345 / 200,000 tokens (6%)", "12,345 tokens in context" with no size; "" unknown."""
    context = _context(s)
    if context is None:
        return ""
    used, size = context
    if size is None:
        return f"{format_tokens(used)} tokens in context"
    share = math.floor(used / size * 100 + 0.5)
    return f"{format_tokens(used)} / {format_tokens(size)} tokens ({share}%)"


def context_share(s: dict[str, Any]) -> tuple[int, int] | None:
    """The gauge's ``(used, size)``, whole tokens, used at most size; None with no size."""
    context = _context(s)
    if context is None or context[1] is None:
        return None
    used, size = (math.floor(max(0.0, x) + 0.5) for x in (context[0], context[1]))
    return min(used, size), size


def session_words(s: dict[str, Any]) -> str:
    """The session an ACP agent's run is in (``js/src/panels/acp_view.js`` ``sessionWords``): its
    title, mode and config values, "Parser fix · mode: Plan · Model: Sonnet", and its cost in a
    currency other than USD, "session cost: 0.42 EUR"; "" for none."""
    session = s.get("session")
    if not isinstance(session, dict):
        return ""
    title, mode, config = session.get("title"), session.get("mode"), session.get("config")
    words = [title if isinstance(title, str) else "", f"mode: {mode}" if mode else ""]
    options = config if isinstance(config, list) else []
    words += [f"{c.get('name')}: {c.get('value')}" for c in options if isinstance(c, dict)]
    cost = session.get("cost")  # in a currency other than USD (nbagent/adapters/acp/session.py)
    if isinstance(cost, dict):
        words.append(f"session cost: {cost.get('amount')} {cost.get('currency')}")
    return " · ".join(w for w in words if w)


def step_lines(s: dict[str, Any]) -> list[str]:
    """One line per top-level model call when a run has several: "step 2 · first token 0.30 s
    · 1.20 s · in 12 · out 34 tokens · tool calls" (a sub-agent's are in its panel)."""
    steps = [st for st in s.get("steps") or [] if isinstance(st, dict) and not st.get("parent")]
    if len(steps) < 2:
        return []
    lines = []
    for n, st in enumerate(steps, 1):
        parts = [f"step {n}"]
        if st.get("name") and st["name"] != "model":
            parts.append(str(st["name"]))
        start, first, end = (
            numbers.number(st.get(k)) for k in ("started_at", "first_token_at", "ended_at")
        )
        if start is not None and first is not None:
            parts.append(f"first token {format_duration(first - start)}")
        if start is not None and end is not None:
            parts.append(format_duration(end - start))
        if usage_text(st.get("usage")):
            parts.append(usage_text(st.get("usage")))
        if "cost_usd" in st:  # a step priced or reported (older states have no cost)
            cost = numbers.number(st["cost_usd"])
            parts.append("no price" if cost is None else format_cost(cost))
        if st.get("finish_reason"):
            parts.append(str(st["finish_reason"]).replace("_", " "))
        lines.append(" · ".join(parts))
    return lines


def detail_lines(s: dict[str, Any], now: float) -> list[str]:
    """The folded details after the step lines: the full usage, then what tok/s is made of:
    "120 output tokens in 4.00 s of generation", "≈ 120 output tokens (one per streamed
    chunk) ..." when no usage counted them, "no output"."""
    tokens = numbers.output_tokens(s)
    if tokens is None:
        return [usage_details(s.get("usage")), "no output"]
    line = f"{format_tokens(tokens.value, tokens.estimated)} output token"
    line += "" if tokens.value == 1 else "s"
    if tokens.estimated:
        line += " (one per streamed chunk)"
    if not s.get("whole") and numbers.number(s.get("first_token_at")) is not None:
        line += f" in {format_duration(numbers.generation_s(s, now))} of generation"
    return [usage_details(s.get("usage")), line]
