"""A transcript's data without its clock readings, to compare two readings of one stream (an
SDK's objects and their JSON) that ran at different times."""

from __future__ import annotations

from typing import Any

from nbagent.transcript.transcript import Transcript

# Durations, the generation time and the time paused are clock readings too.
CLOCK_KEYS = frozenset(
    {"ts", "duration_s", "generating_s", "generating_since", "paused_s", "paused_since"}
)


def untimed(value: Any) -> Any:
    """``value`` without ``*_at`` keys and ``CLOCK_KEYS``, at every depth."""
    if isinstance(value, dict):
        return {
            k: untimed(v) for k, v in value.items() if not (k.endswith("_at") or k in CLOCK_KEYS)
        }
    if isinstance(value, list):
        return [untimed(v) for v in value]
    return value


def state(t: Transcript) -> dict[str, Any]:
    """``t``'s state untimed, and without a run id nbagent made up (``run_…``)."""
    d: dict[str, Any] = untimed(t.to_dict())
    if str(d.get("run_id") or "").startswith("run_"):
        d.pop("run_id")
    return d
