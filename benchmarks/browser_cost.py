"""Part 2 of ``benchmarks/browser.py``: what one answer costs the browser, per contender and size.

A stream is measured from the first delta yielded in the kernel to the final text being in
the DOM (or to the cap). Its first delta comes ``TTFT_S`` after the cell starts, as a
model's first token does: putting the output on the page is not part of the stream.

Short nbagent answers are streamed several times, so that every row covers at least
``min_stream_s`` of streaming: a 0.8 s stream has only ~48 frames, and its "p95" would be
its third-worst frame. A row gives per-stream means, the cost per KB over all its streams,
and frame percentiles over all their frames pooled.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from benchmarks.browser_kernel import DELTA_CHARS, answer
from benchmarks.browser_page import BenchPage, read_log
from benchmarks.browser_trace import frame_busy_ms, main_thread_tasks, percentile

RATE = 500
TTFT_S = 0.5  # before the first delta, as a model's first token: the output is on the page
NBAGENT_MD = ".nbagent .nba-md"
OUTPUTS = ".jp-OutputArea"
COMPLETED = ".nbagent .nba-footer.nba-completed"
NBAGENT_TIMEOUT_S = 120.0


@dataclass
class Stream:
    """One measured stream."""

    metrics: dict[str, float]  # CDP Performance.getMetrics deltas (s)
    busy_ms: list[float]  # main-thread busy time per 16.67 ms window
    long_frames_ms: list[float]  # long animation frames that started within the stream
    shown_chars: int
    wall_s: float
    finished: bool


def cell(contender: str, kb: int, out: Path, cap_s: float) -> str:
    """The code that streams ``kb`` KB for ``contender`` (cell 1 of the page's notebook)."""
    if contender == "nbagent":
        return f"stream_nbagent({kb * 1000}, {RATE}, {str(out)!r}, ttft_s={TTFT_S})"
    return f"stream_naive({kb * 1000}, {RATE}, {str(out)!r}, {cap_s}, ttft_s={TTFT_S})"


def stream_once(bench: BenchPage, out: Path, contender: str, kb: int, cap_s: float) -> Stream:
    """Stream one answer and measure it; the naive contender stops at ``cap_s``."""
    ans = answer(kb * 1000)
    nbagent = contender == "nbagent"
    last = len(ans.marks) - 1
    bench.clear()
    bench.watch(OUTPUTS)
    m0 = bench.metrics()
    bench.start_trace()
    cap_ms = math.inf if nbagent else bench.set_cap(cap_s)
    bench.run(cell(contender, kb, out, cap_s))
    # When the last delta is due, give or take the kernel's start-up.
    near = time.time() + TTFT_S + len(ans.deltas) / RATE - 0.3
    seen = bench.wait_seen(last, NBAGENT_TIMEOUT_S if nbagent else cap_s + 2, near)
    if seen is not None and seen > cap_ms:
        seen = None  # it got there, but after the cap
    end_ms = seen if seen is not None else min(cap_ms, time.time() * 1000)
    m1 = bench.metrics()
    tasks = main_thread_tasks(bench.stop_trace())
    loaf = bench.bench("loaf")
    found = {k for k, t in bench.unwatch().items() if t <= end_ms}
    if bench.uncap():  # kernel messages were dropped: go on with a fresh document
        bench.reload()
    log = read_log(out, cap_s + 30)
    if log is None:
        raise RuntimeError(f"{contender} {kb} KB: the kernel wrote no log")
    if nbagent:
        _check_final(bench, kb, len(ans.marks), seen)
    bench.wait_idle()
    offsets = ans.offsets()
    shown = ans.chars if seen is not None else max((offsets[k] for k in found), default=0)
    # Epoch → monotonic (the trace's clock) with the kernel's pair of readings.
    offset = log["first"] - log["first_mono"]
    t0 = log["first"] * 1000
    return Stream(
        metrics={k: m1[k] - m0[k] for k in m1},
        busy_ms=frame_busy_ms(tasks, log["first_mono"], end_ms / 1000 - offset),
        long_frames_ms=[dur for start, dur in loaf if t0 <= start <= end_ms],
        shown_chars=shown,
        wall_s=end_ms / 1000 - log["first"],
        finished=seen is not None,
    )


def _check_final(bench: BenchPage, kb: int, marks: int, seen: float | None) -> None:
    """The benchmark must measure a real render: the whole answer in the finished widget."""
    bench.wait_for(COMPLETED)
    found = bench.markers(NBAGENT_MD)
    if seen is None or not found.issuperset(range(marks)):
        missing = sorted(set(range(marks)) - found)[:10]
        raise RuntimeError(f"nbagent {kb} KB: the final DOM lacks markers {missing}")


def repeats(kb: int, min_stream_s: float) -> int:
    """How many streams of ``kb`` KB make at least ``min_stream_s`` of streaming (≤ 5)."""
    stream_s = kb * 1000 / DELTA_CHARS / RATE
    return max(1, min(5, math.ceil(min_stream_s / stream_s)))


def measure(bench: BenchPage, tmp: Path, contender: str, kb: int, cap_s: float, n: int = 1) -> dict:
    """The result row of one (contender, size): ``n`` streams, aggregated."""
    streams = [
        stream_once(bench, tmp / f"{contender}-{kb}-{i}.json", contender, kb, cap_s)
        for i in range(n)
    ]
    return row(contender, kb, len(answer(kb * 1000).deltas), streams)


def row(contender: str, kb: int, deltas: int, streams: list[Stream]) -> dict:
    def avg(key: str) -> float:
        return round(mean(s.metrics[key] for s in streams), 4)

    work_s = sum(
        s.metrics["ScriptDuration"] + s.metrics["LayoutDuration"] + s.metrics["RecalcStyleDuration"]
        for s in streams
    )
    shown_kb = sum(s.shown_chars for s in streams) / 1000
    busy = [b for s in streams for b in s.busy_ms]
    long_frames = [d for s in streams for d in s.long_frames_ms]
    p95 = percentile(busy, 95)
    return {
        "contender": contender,
        "kb": kb,
        "deltas": deltas,
        "finished": all(s.finished for s in streams),
        "shown_kb": round(shown_kb / len(streams), 2),
        "wall_s": round(mean(s.wall_s for s in streams), 2),
        "script_s": avg("ScriptDuration"),
        "layout_s": avg("LayoutDuration"),
        "style_s": avg("RecalcStyleDuration"),
        "task_s": avg("TaskDuration"),
        "cost_ms_per_kb": round(work_s * 1000 / shown_kb, 3) if shown_kb else None,
        "frame_p95_ms": None if p95 is None else round(p95, 2),
        "frame_max_ms": round(max(busy), 2) if busy else None,
        "long_frames": round(len(long_frames) / len(streams)),
        "long_frames_ms": round(sum(long_frames) / len(streams), 1),
    }
