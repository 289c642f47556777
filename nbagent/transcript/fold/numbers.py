"""The run's numbers, one meaning each, computed from a ``to_dict()``-shaped state (the
browser's ``js/src/base/numbers.js`` computes the same from the same fields).

- **Time to first token** (``ttft``): from the run's start (``started_at``: the call that
  created the run, ``show``/``launch``/``watch``/a chat send, or the recorded start of a
  replay) to the first text, thinking or tool-argument delta (``first_token_at``).
- **Generation time** (``generation_s``): the time the model was producing. It starts at the
  first delta after the run started, a step started or a tool call's arguments ended, and
  stops at the end of the step, of a tool call's arguments or of the run. So it counts neither
  the wait for a step's first token nor the time tools run. The state keeps the closed part
  (``generating_s``) and when the open part began (``generating_since``).
- **Output tokens** (``output_tokens``): reported ``output_tokens`` where the source reported
  them; for the output not covered by a step with usage yet (the step streaming now, or a
  source with no usage), one token per content delta: a text, thinking or tool-argument delta
  as it came from the wire, which servers send about one per token (``deltas``; each step's
  ``output_deltas`` says how many of them its usage covers). The figure is then marked
  estimated ("≈"). Messages that came whole are no deltas of a stream: only reported tokens.
- **tokens/s** (``tokens_per_s``): output tokens over generation time; None (not shown) when
  it means nothing: fewer than ``MIN_RATE_TOKENS`` tokens, under ``MIN_RATE_WINDOW`` seconds
  of generation, no output yet (also a run stopped before any), or messages that came whole.
- **Elapsed** (``elapsed``): from the run's start to its end, or to now while it runs, less
  the time it was paused (a tool call waiting for an answer, a step replay waiting for its
  next step): the run's clock stops while it is paused (``paused_since``: when the pause
  began; ``paused_s``: the pauses that ended), and generation time does not run then either.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = [
    "MIN_RATE_TOKENS",
    "MIN_RATE_WINDOW",
    "Rate",
    "elapsed",
    "generation_s",
    "number",
    "output_tokens",
    "tokens_per_s",
    "ttft",
]

MIN_RATE_TOKENS = 20
"""Below this many output tokens a rate is one or two deltas' timing: noise."""
MIN_RATE_WINDOW = 0.25
"""Seconds of generation below which a rate is noise (instant replays, cached answers)."""


class Rate(NamedTuple):
    """A count (tokens, tokens/s) and whether it is an estimate."""

    value: float
    estimated: bool


def number(v: Any) -> float | None:
    """``v`` as a float when it is a number (not a bool), else None: a state's fields as read."""
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _end(s: dict[str, Any], now: float) -> float:
    """The run's clock: its end, or while it runs, now (stopped where it paused)."""
    ended = number(s.get("ended_at"))
    if s.get("status") != "running" and ended is not None:
        return ended
    paused = number(s.get("paused_since"))
    return now if paused is None else min(now, paused)


def ttft(s: dict[str, Any]) -> float | None:
    start, first = number(s.get("started_at")), number(s.get("first_token_at"))
    return None if start is None or first is None else max(0.0, first - start)


def elapsed(s: dict[str, Any], now: float) -> float | None:
    start = number(s.get("started_at"))
    paused = number(s.get("paused_s")) or 0.0
    return None if start is None else max(0.0, _end(s, now) - start - paused)


def generation_s(s: dict[str, Any], now: float) -> float:
    first = number(s.get("first_token_at"))
    if first is None:
        return 0.0
    if "generating_s" not in s:  # a state saved before generation time was kept
        return max(0.0, _end(s, now) - first)
    closed = number(s.get("generating_s")) or 0.0
    since = number(s.get("generating_since"))
    return closed if since is None else closed + max(0.0, _end(s, now) - since)


def output_tokens(s: dict[str, Any]) -> Rate | None:
    """The run's output tokens: reported where a step reported them, one per content delta
    for the rest; None: no output (or, for messages that came whole, none reported)."""
    known = covered = 0.0
    measured = False
    for step in s.get("steps") or []:
        usage = step.get("usage") if isinstance(step, dict) else None
        tokens = number(usage.get("output_tokens")) if isinstance(usage, dict) else None
        step_deltas = number(step.get("output_deltas")) if isinstance(step, dict) else None
        if tokens is not None and step_deltas is not None:
            known, covered, measured = known + tokens, covered + step_deltas, True
    total = number((s.get("usage") or {}).get("output_tokens"))
    # A whole message is one delta however long: it counts no tokens of its own.
    deltas = 0.0 if s.get("whole") else number(s.get("deltas")) or 0.0
    rest = max(0.0, deltas - covered)
    if not measured or rest == 0:
        if total is not None:
            return Rate(total, False)
        if not measured:
            return Rate(deltas, True) if deltas else None
    return Rate(known + rest, rest > 0)


def tokens_per_s(s: dict[str, Any], now: float) -> Rate | None:
    if s.get("whole") or number(s.get("first_token_at")) is None:
        return None
    tokens = output_tokens(s)
    gen = generation_s(s, now)
    if tokens is None or tokens.value < MIN_RATE_TOKENS or gen < MIN_RATE_WINDOW:
        return None
    return Rate(tokens.value / gen, tokens.estimated)
