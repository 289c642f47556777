"""Frame times from a Chromium trace, and the small statistics ``benchmarks/browser.py`` needs.

Definition (the module docstring of ``browser.py`` repeats it): the renderer's main
thread (``CrRendererMain``) runs top-level tasks (``ThreadControllerImpl::RunTask``, or
``RunTask`` in the devtools.timeline category). The stream's interval is cut into
16.67 ms windows (one 60 Hz frame each); a window's busy time is the sum of the durations
of the top-level tasks that *start* in it. A task is counted whole in its start window,
so a 40 ms task shows as a 40 ms frame (the frame it delays), not as 16.67 ms spread out.
p95 and max are over every window of the interval, idle ones included.

Trace timestamps are Chromium's ``TimeTicks`` in µs, which on Linux are
``CLOCK_MONOTONIC``: the same clock as Python's ``time.monotonic()`` on this machine.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

FRAME_MS = 1000 / 60
CATEGORIES = ["toplevel"]
_TASKS = ("ThreadControllerImpl::RunTask", "RunTask")


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0 to 100) by linear interpolation; None for no values."""
    if not values:
        return None
    s = sorted(values)
    pos = (len(s) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _events(raw: bytes) -> list[dict[str, Any]]:
    data = json.loads(raw)
    return list(data["traceEvents"] if isinstance(data, dict) else data)


def _main_threads(events: Iterable[dict[str, Any]]) -> set[tuple[int, int]]:
    return {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M"
        and e.get("name") == "thread_name"
        and e.get("args", {}).get("name") == "CrRendererMain"
    }


def main_thread_tasks(raw: bytes) -> list[tuple[float, float]]:
    """Top-level tasks ``(start_s, dur_s)`` on the busiest renderer main thread, by start."""
    events = _events(raw)
    mains = _main_threads(events)
    by_thread: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for e in events:
        key = (e.get("pid"), e.get("tid"))
        if key in mains and e.get("ph") == "X" and e.get("name") in _TASKS and "dur" in e:
            by_thread.setdefault(key, []).append((e["ts"] / 1e6, e["dur"] / 1e6))  # type: ignore[arg-type]
    if not by_thread:
        return []
    # Other renderers (a spare one, about:blank) idle; the page's own does the work.
    tasks = max(by_thread.values(), key=lambda ts: sum(d for _, d in ts))
    tasks.sort()
    top: list[tuple[float, float]] = []
    end = -math.inf
    for start, dur in tasks:
        if start >= end:  # both names mark the same task; keep the outermost only
            top.append((start, dur))
            end = start + dur
    return top


def frame_busy_ms(tasks: Sequence[tuple[float, float]], t0: float, t1: float) -> list[float]:
    """Main-thread busy time (ms) of each 16.67 ms window of ``[t0, t1]`` (monotonic s)."""
    n = max(1, math.ceil((t1 - t0) * 1000 / FRAME_MS))
    busy = [0.0] * n
    for start, dur in tasks:
        if t0 <= start < t1:
            busy[min(n - 1, int((start - t0) * 1000 / FRAME_MS))] += dur * 1000
    return busy
