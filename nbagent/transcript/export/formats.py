"""How nbagent writes its numbers, the same strings as the widget's ``js/src/base/format.js``
(``tests/fixtures/formats.json`` holds the cases both are checked against). Rounding is done
on integers (``floor(x * 10**d + 0.5)``), never by ``format``/``toFixed``, which round ties
differently in Python and JavaScript.

Twin: js/src/base/format.js"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "NO_NUMBER",
    "format_cost",
    "format_duration",
    "format_elapsed",
    "format_rate",
    "format_tokens",
    "plural",
    "usage_details",
    "usage_text",
]

NO_NUMBER = "—"
"""What shows where a number means nothing (no first token yet, a rate from too little)."""


def _finite(s: float) -> float:
    return s if math.isfinite(s) and s >= 0 else 0.0


def _fixed(x: float, digits: int) -> str:
    """``x`` rounded half up to ``digits`` decimals (``x`` ≥ 0)."""
    scale = 10**digits
    units = math.floor(x * scale + 0.5)
    whole, frac = divmod(units, scale)
    return f"{whole}.{frac:0{digits}d}" if digits else str(whole)


def _clock(total: int) -> str:
    """Whole seconds past a minute: "1 m 03 s", "2 h 05 m"."""
    if total < 3600:
        return f"{total // 60} m {total % 60:02d} s"
    return f"{total // 3600} h {total % 3600 // 60:02d} m"


def format_duration(s: float) -> str:
    """A measured duration (time to first token, a tool call, a step): "0.35 s", "12.3 s",
    "1 m 03 s", "2 h 05 m"."""
    s = _finite(s)
    if math.floor(s * 100 + 0.5) < 1000:
        return f"{_fixed(s, 2)} s"
    if math.floor(s * 10 + 0.5) < 600:
        return f"{_fixed(s, 1)} s"
    return _clock(math.floor(s + 0.5))


def format_elapsed(s: float) -> str:
    """A run's elapsed time, a clock that only goes forward (truncated): "0.9 s", "9.9 s",
    "12 s", "1 m 03 s"."""
    s = _finite(s)
    tenths = math.floor(s * 10 + 1e-6)
    if tenths < 100:
        return f"{tenths // 10}.{tenths % 10} s"
    total = math.floor(s + 1e-6)
    return f"{total} s" if total < 60 else _clock(total)


def format_tokens(n: float, estimated: bool = False) -> str:
    """A token count: "1,234", "≈ 87"."""
    text = f"{math.floor(max(0.0, n) + 0.5):,}"
    return f"≈ {text}" if estimated else text


def format_rate(rate: float | None, estimated: bool = False) -> str:
    """Tokens per second: "35.0 tok/s", "≈ 35.0 tok/s" (estimated tokens), "— tok/s"."""
    if rate is None or not math.isfinite(rate):
        return f"{NO_NUMBER} tok/s"
    return f"{'≈ ' if estimated else ''}{_fixed(max(0.0, rate), 1)} tok/s"


def format_cost(usd: float) -> str:
    """A cost in USD with the digits that matter: "$1.20", "$0.042", "$0.0031"; under a tenth
    of a cent, two significant digits ("$0.00031", "$0.000015": a cheap model call)."""
    usd = _finite(usd)
    digits = 2 if usd >= 1 else 3 if usd >= 0.01 else 4
    if 0 < usd < 0.001:
        digits = min(8, 1 - math.floor(math.log10(usd)))
    return f"${_fixed(usd, digits)}"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _count(u: dict[str, Any], key: str) -> int | None:
    v = u.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def usage_text(u: Any) -> str:
    """``"in 12 · out 34 tokens"``; "" when neither count is known."""
    if not isinstance(u, dict):
        return ""
    i, o = _count(u, "input_tokens"), _count(u, "output_tokens")
    if i is None and o is None:
        return ""
    return (
        f"in {'?' if i is None else format_tokens(i)} · "
        f"out {'?' if o is None else format_tokens(o)} tokens"
    )


_DETAIL_KEYS = (
    ("input_tokens", "in"),
    ("cached_input_tokens", "cached"),
    ("cache_write_tokens", "cache write"),
    ("output_tokens", "out"),
    ("reasoning_tokens", "reasoning"),
    ("total_tokens", "total"),
)


def usage_details(u: Any) -> str:
    """Every count reported: "in 1,234 · cached 1,000 · cache write 200 · out 56 · reasoning 20
    · total 1,290 tokens" (cached: read from the prompt cache; cache write: written to it);
    "usage not reported" when none is."""
    counts = [
        f"{label} {format_tokens(n)}"
        for key, label in _DETAIL_KEYS
        if isinstance(u, dict) and (n := _count(u, key)) is not None
    ]
    return " · ".join(counts) + " tokens" if counts else "usage not reported"
