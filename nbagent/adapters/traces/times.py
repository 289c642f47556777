"""A trace file's times as epoch seconds: ISO 8601 text (Langfuse's ``2025-12-04T14:51:22.049Z``,
LangSmith's ``2026-11-29T03:44:38.798429+00:00``, naive ones read as UTC) and numbers of
seconds, milliseconds, microseconds or nanoseconds (OTLP's ``"1795924434382215648"``, a
string in its JSON encoding). Fractions are kept to the digit the text gives."""

from __future__ import annotations

import calendar
import re
from typing import Any

__all__ = ["epoch_seconds", "nanos"]

_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,12}))?)?"
    r"\s*(Z|z|[+-]\d\d(?::?\d\d)?)?"
)


def nanos(value: Any) -> float | None:
    """OTLP's nanoseconds since the epoch (an integer, or its decimal string) as seconds; None
    for 0, absent or not a number (an unset time)."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    whole, part = divmod(int(value), 1_000_000_000)
    return whole + part / 1e9


def epoch_seconds(value: Any) -> float | None:
    """A time as epoch seconds: ISO text, or a number whose size says its unit; None when it
    is none of these."""
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return _number(int(text))
        return _iso(text)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return _number(value)


def _number(value: float) -> float | None:
    if value <= 0:
        return None
    if value >= 1e17:
        return nanos(int(value))
    if value >= 1e14:
        return value / 1e6
    if value >= 1e11:
        return value / 1e3
    return float(value)


def _iso(text: str) -> float | None:
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, sec, frac, zone = match.groups()
    try:
        whole = calendar.timegm(
            (int(year), int(month), int(day), int(hour), int(minute), int(sec or 0), 0, 0, 0)
        )
    except (ValueError, OverflowError):
        return None
    if zone and zone not in ("Z", "z"):
        sign = -1 if zone[0] == "+" else 1  # 12:00+02:00 is 10:00 UTC
        digits = zone[1:].replace(":", "")
        whole += sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60)
    return whole + (int(frac) / 10 ** len(frac) if frac else 0.0)
