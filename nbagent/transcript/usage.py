"""A run's token usage: the counts a source reports (``TokenUsage``), merged event by event,
summed over steps and made ready to show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import nbagent.core.events as E

__all__ = [
    "EMPTY_USAGE",
    "OPTIONAL_USAGE_FIELDS",
    "USAGE_FIELDS",
    "TokenUsage",
    "display_usage",
    "merge_usage",
    "sum_usage",
]

USAGE_FIELDS = (
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "reasoning_tokens",
    "cached_input_tokens",
)
OPTIONAL_USAGE_FIELDS = ("cache_write_tokens", "cache_write_1h_tokens")
"""Counts a usage dict holds only once a source reported them: a state saved before nbagent
read them, or of a source that never sends them, reads and writes back unchanged."""
EMPTY_USAGE: dict[str, Any] = dict.fromkeys(USAGE_FIELDS)


@dataclass(frozen=True)
class TokenUsage:
    """Token counts of a run (``transcript.usage``), as the source reported them; each is
    None when unknown, never a guess (``total_tokens`` is summed when only the parts came).
    ``cached_input_tokens`` are the prompt-cache reads, ``cache_write_tokens`` the writes
    (``cache_write_1h_tokens`` of them kept for an hour); where the source counts them in
    ``input_tokens`` or apart from it: ``nbagent.core.events.Usage``."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    reasoning_tokens: int | None = None
    cached_input_tokens: int | None = None
    cache_write_tokens: int | None = None
    cache_write_1h_tokens: int | None = None


def merge_usage(old: dict[str, Any], ev: E.Usage) -> dict[str, Any]:
    new = dict(old)
    for k in USAGE_FIELDS + OPTIONAL_USAGE_FIELDS:
        v = getattr(ev, k)
        if v is not None:
            was = new.get(k)
            new[k] = v if ev.cumulative or was is None else was + v
    return new


def display_usage(raw: dict[str, Any]) -> dict[str, Any]:
    d = dict(raw)
    if d["total_tokens"] is None and None not in (d["input_tokens"], d["output_tokens"]):
        d["total_tokens"] = d["input_tokens"] + d["output_tokens"]
    return d


def sum_usage(buckets: dict[str, dict[str, Any]]) -> dict[str, Any]:
    total = dict(EMPTY_USAGE)
    for raw in buckets.values():
        for k in USAGE_FIELDS + OPTIONAL_USAGE_FIELDS:
            if raw.get(k) is not None:
                was = total.get(k)
                total[k] = raw[k] if was is None else was + raw[k]
    return total
