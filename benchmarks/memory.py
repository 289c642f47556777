"""What a finished run keeps in the kernel: RSS growth for N token deltas, against the text.

    .venv/bin/python -m benchmarks.memory [--quick] [N ...]

Each case runs in a fresh Python process: it builds ~4-character deltas of
``benchmarks.corpus`` text (the whole text is made before the first reading, and the
source slices it, so every delta is a new ``str`` as from a socket), streams them through a
``Run`` shown in a widget whose comm drops every message, waits for the end, collects
garbage, and reads the process's RSS (psutil). The growth over the RSS before the run is
what the run costs as long as it is kept (``run.events``, the transcript, the widget's
final state); "peak" is the highest RSS read during the run (every 10 ms) over the same
starting point. The allocator's free lists count too: figures move by ~±15% between runs.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import threading
from array import array
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FULL = (200_000, 1_000_000)
QUICK = (200_000,)
MB = 1024 * 1024


def _drop_comm_messages() -> None:
    """Widgets open a comm that sends nothing anywhere (as tests/recording.py does, without
    keeping the messages)."""
    import ipywidgets.comm
    from comm.base_comm import BaseComm

    class DroppingComm(BaseComm):  # type: ignore[misc]
        def publish_msg(self, *args: Any, **kwargs: Any) -> None:
            pass

    ipywidgets.comm.create_comm = DroppingComm


def measure(n: int) -> dict[str, Any]:
    """In this process: one run of ``n`` deltas; RSS growth after it ended and after gc."""
    import psutil

    from benchmarks.corpus import token_deltas
    from nbagent.runtime.run import Run

    _drop_comm_messages()
    deltas = token_deltas(n)
    text = "".join(deltas)
    ends = array("q", accumulate(map(len, deltas)))
    del deltas

    def source() -> Iterator[str]:
        start = 0
        for end in ends:
            yield text[start:end]
            start = end

    gc.collect()
    proc = psutil.Process()
    before = peak = proc.memory_info().rss
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.01):
            peak = max(peak, proc.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    run = Run(source(), display=True)
    run.start()
    run.wait()
    done.set()
    sampler.join()
    gc.collect()
    after = proc.memory_info().rss
    if run.transcript.text != text or len(run.events) != n + 4:  # start, message, ends
        raise RuntimeError(f"the run did not keep what it streamed: {run!r}")
    text_bytes = len(text.encode("utf-8"))
    return {
        "deltas": n,
        "text_bytes": text_bytes,
        "rss_growth": after - before,
        "peak_growth": max(peak, after) - before,
        "per_delta": (after - before) / n,
        "times_text": (after - before) / text_bytes,
    }


def run(quick: bool = False, sizes: tuple[int, ...] | None = None) -> dict[str, Any]:
    """Every size in a fresh process of its own."""
    cases = []
    for n in sizes or (QUICK if quick else FULL):
        code = f"import json, benchmarks.memory as m; print(json.dumps(m.measure({n})))"
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
        )
        cases.append(json.loads(out.stdout.splitlines()[-1]))
    return {"cases": cases}


def report(result: dict[str, Any]) -> list[str]:
    head = f"{'deltas':>10} {'text MB':>8} {'RSS growth MB':>14} {'x text':>7} {'B/delta':>8}"
    return [f"{head} {'peak MB':>8}"] + [
        f"{c['deltas']:>10,} {c['text_bytes'] / MB:>8.1f} {c['rss_growth'] / MB:>14.1f} "
        f"{c['times_text']:>7.1f} {c['per_delta']:>8.1f} {c['peak_growth'] / MB:>8.1f}"
        for c in result["cases"]
    ]


if __name__ == "__main__":
    sizes = tuple(int(a.replace("_", "")) for a in sys.argv[1:] if not a.startswith("--"))
    print("\n".join(report(run("--quick" in sys.argv, sizes or None))))
