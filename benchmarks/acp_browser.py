"""The browser part of ``benchmarks/acp.py``: the ACP agent's flooded turn streaming into
JupyterLab + Chromium (``benchmarks/browser_page.BenchPage``: headless Chromium through
playwright, the flags of ``tests/browser/conftest.CHROMIUM_ARGS``).

One page, one notebook, one agent: cell 1 starts it (``nbagent.acp``) and warms it up with a
turn of 300 updates; the outputs are cleared; then each contender's cell
(``benchmarks.acp.CONTENDERS``) runs the turn and writes the kernel's ``time.monotonic()`` as
it starts and ends. From the cell's start until the widget's status says completed (the page
caught up), traced:

- frame times: the renderer main thread's top-level tasks from a Chromium trace, summed per
  16.67 ms window, a task whole in the window it starts in; p95 and the worst over every
  window, idle ones included (``browser_trace.py``; the trace's clock is the kernel's
  ``time.monotonic()`` on this machine);
- long animation frames (> 50 ms, ``PerformanceObserver``), and the longest;
- CDP ``Performance.getMetrics`` deltas: script, layout, style, all tasks (s).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.acp import CONTENDERS, SETUP, WAIT
from benchmarks.browser import _bench_page
from benchmarks.browser_page import read_log
from benchmarks.browser_trace import main_thread_tasks
from benchmarks.evaluate_browser import _frames, _work

__all__ = ["run"]


def run(n: int) -> dict[str, Any]:
    """Each contender's cell in JupyterLab + Chromium, traced (module docstring)."""
    cell = (
        "_t0 = time.monotonic()\n{run}{wait}"
        "with open({out!r} + '.tmp', 'w') as _f:\n"
        "    json.dump({{'t0': _t0, 't1': time.monotonic(), 'status': run.status}}, _f)\n"
        "os.replace({out!r} + '.tmp', {out!r})\n"
    )
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="nbagent-acpbench-") as tmp, _bench_page() as bench:
        bench.run(SETUP)
        bench.wait_idle(300)
        bench.clear()
        for contender, code in CONTENDERS.items():
            path = Path(tmp) / f"{len(out)}.json"
            m0 = bench.metrics()
            bench.start_trace()
            bench.run(cell.format(run=code.format(n=n), wait=WAIT, out=str(path)))
            log = read_log(path, 900)
            if log is None:
                raise RuntimeError(f"{contender}: the cell wrote no log\n{bench.lab.diagnose()}")
            bench.lab.wait_status("completed", timeout=600)  # the page caught up
            shown = time.monotonic()
            tasks = main_thread_tasks(bench.stop_trace())
            m1 = bench.metrics()
            loaf = [d for _, d in bench.bench("loaf")]
            out[contender] = {
                "status": log["status"],
                "kernel_s": round(log["t1"] - log["t0"], 2),
                "shown_s": round(shown - log["t0"], 2),
                **_frames(tasks, log["t0"], shown),
                **_work(m0, m1),
                "long_frames": len(loaf),
                "longest_ms": round(max(loaf, default=0.0), 1),
            }
            bench.wait_idle(300)
            bench.clear()
        bench.run("agent.close()")
        bench.wait_idle(120)
    return out
