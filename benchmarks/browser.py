"""Browser cost and latency of a streamed answer in JupyterLab + Chromium (issue 4, parts 2-3).

    .venv/bin/python -m benchmarks.browser [--quick] [--json PATH]

**Cost** (``browser_cost.py``). Answers of 10, 50, 100 and 400 KB of ``corpus.markdown()``,
cut into ~24-character deltas (``chunk_deltas``), are streamed from the kernel at 500
deltas/s (paced against a deadline, ``start + i / rate``) into nbagent
(``nbagent.show(generator)``, then ``wait()``) and into the naive re-render
(``h = display(Markdown(''), display_id=True)``, then ``h.update(Markdown(all text so
far))`` per delta). Over each stream, from the first delta yielded in the kernel to the
final text being in the DOM, we take:

- CDP ``Performance.getMetrics`` deltas: Script, Layout, RecalcStyle and Task durations (s).
  ScriptDuration leaves out promise callbacks (microtasks), where JupyterLab handles kernel
  messages and renders markdown outputs: TaskDuration, all the main thread's work, is the
  fuller figure;
- frame times: the renderer main thread's (``CrRendererMain``) top-level tasks from a
  Chromium trace, summed per 16.67 ms window of the stream, a task counted whole in the
  window it starts in; p95 and max over all windows, idle ones included
  (``browser_trace.py``);
- long animation frames (``PerformanceObserver`` type ``long-animation-frame``, over 50 ms):
  how many start within the stream, and their total duration;
- cost per KB: (script + layout + style) ms per KB shown.

The naive way cannot keep up at large sizes: each size has a wall-clock cap (kernel time
included; the kernel stops producing at the cap too), after which the page drops kernel
messages unread and is reloaded; the row records how much it showed by then
(``finished: false``, ``shown_kb``, from the last marker in the DOM). Short nbagent answers
are streamed several times (figures per stream, frames pooled): see ``browser_cost.py``.

**Latency.** Markers ``q<k>z`` ride on about every 20th delta (``browser_kernel.answer``).
The kernel records ``time.time()`` when its generator yields a marked delta (it enters the
controller then); a MutationObserver in the page records ``performance.timeOrigin +
performance.now()`` when the marker first appears inside a widget root. Both are the
machine's wall clock, read on one machine: they agree to about a millisecond. Every stream
waits 0.5 s before its first delta, as a model does before its first token: the widget is
on the page by then. Stop: a capture listener records the click on the widget's Stop
button; the generator's ``finally`` records when the producer was closed.

**Load.** 16 streams at 200 deltas/s each in one kernel and one page (issue 7's "Load",
``tests/browser/test_load.py`` checks that they all arrive): the long animation frames
from the cell's start until every widget says completed, and the longest.

All numbers come from one noisy 2-core machine shared with the kernel and the server.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import browser_cost as cost
from benchmarks.browser_kernel import DELTA_CHARS, answer
from benchmarks.browser_page import BenchPage, read_log
from benchmarks.browser_trace import percentile

__all__ = ["report", "run"]

RATE = cost.RATE
TTFT_S = cost.TTFT_S
CHROMIUM = Path("/usr/bin/chromium")
NAIVE = "display-update"
_T0 = time.monotonic()


class Plan:
    """What one run measures: sizes, caps and repeats (quick mode fits in a minute)."""

    def __init__(self, quick: bool) -> None:
        self.sizes = [10, 50] if quick else [10, 50, 100, 400]
        self.naive_cap_s = 8.0 if quick else 90.0
        self.min_stream_s = 2.0 if quick else 4.0
        self.latency_s = 3.0 if quick else 20.0
        self.stops = 2 if quick else 5
        self.load_s = 5.0 if quick else 30.0


def _require() -> Any:
    """Playwright's sync API, or a RuntimeError saying what is missing."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} not found: install Debian's chromium")
    static = Path(__file__).resolve().parents[1] / "nbagent" / "static" / "widget.js"
    if not static.is_file():
        raise RuntimeError("nbagent/static/widget.js missing: run `npm --prefix js run build`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise RuntimeError("playwright is not installed: pip install -e '.[dev]'") from exc
    return sync_playwright


@contextmanager
def _bench_page() -> Iterator[BenchPage]:
    from tests.browser.conftest import CHROMIUM_ARGS
    from tests.browser.lab import LabServer

    sync_playwright = _require()
    with LabServer() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        bench = BenchPage(browser, server)
        try:
            yield bench
        finally:
            bench.close()
            browser.close()


def _log(msg: str) -> None:
    """Progress on stderr (a full run takes minutes)."""
    print(f"[{time.monotonic() - _T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def _warm_up(bench: BenchPage, tmp: Path) -> None:
    """Load the widget module and JupyterLab's markdown renderer before measuring."""
    for name, code in (("warm-a", "stream_nbagent(2000, 2000, {out!r})"),
                       ("warm-b", "stream_naive(2000, 2000, {out!r}, 30)")):  # fmt: skip
        out = tmp / f"{name}.json"
        bench.run(code.format(out=str(out)))
        if read_log(out, 60) is None:
            raise RuntimeError(f"warm-up: the kernel wrote no log:\n{bench.lab.diagnose()}")
        bench.wait_idle()


# -- part 3: latency -------------------------------------------------------------------


def measure_latency(bench: BenchPage, tmp: Path, seconds: float) -> dict:
    """Delta → DOM for every marked delta of a ``seconds``-long nbagent stream."""
    size = int(seconds * RATE * DELTA_CHARS)
    ans = answer(size)
    out = tmp / "latency.json"
    bench.clear()
    bench.watch(".nbagent")
    bench.run(f"stream_nbagent({size}, {RATE}, {str(out)!r}, ttft_s={TTFT_S})")
    last = len(ans.marks) - 1
    bench.wait_seen(last, seconds + 60)
    seen = bench.unwatch()
    log = read_log(out, 30.0)
    if log is None:
        raise RuntimeError("latency: the kernel wrote no log")
    sent = {int(k): v * 1000 for k, v in log["sent"].items()}
    lat = {k: seen[k] - sent[k] for k in sent if k in seen}
    bench.wait_idle()
    return {
        "first_ms": _r(lat.get(0)),
        "p50_ms": _r(percentile(list(lat.values()), 50)),
        "p95_ms": _r(percentile(list(lat.values()), 95)),
        "last_ms": _r(lat.get(last)),
        "samples": len(lat),
    }


def measure_stops(bench: BenchPage, tmp: Path, repeats: int) -> dict:
    """Click Stop during a paced run; time from the click to the producer being closed."""
    times: list[float] = []
    for n in range(repeats):
        out = tmp / f"stop-{n}.json"
        bench.clear()
        bench.run(f"_ = stream_stop({RATE * DELTA_CHARS * 30}, {RATE}, {str(out)!r})")
        bench.click_stop(after_s=0.3 + 0.1 * n)  # mid-stream, at a different phase each time
        log = read_log(out, 10.0)
        click = bench.bench("stopClick")
        if log is None or click is None or log["closed"] is None:
            raise RuntimeError(f"stop #{n}: no click or no close recorded")
        times.append(log["closed"] * 1000 - click)
        bench.wait_idle()
    return {
        "stop_ms_median": _r(percentile(times, 50)),
        "stop_ms_max": _r(max(times) if times else None),
        "stop_samples": len(times),
    }


# -- part 4: load ----------------------------------------------------------------------

LOAD_STREAMS = 16
LOAD_RATE = 200  # deltas per second, per stream
LOAD_CELL = """\
import time

def paced(n, rate):
    start = time.monotonic()
    for i in range(n):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        # Paragraphs of 50 tokens, as a model writes: frozen markdown blocks, a short live one.
        yield "tok\\n\\n" if i % 50 == 49 else "tok "

runs = [nbagent.show(paced({n}, {rate}), title=f"stream {{s}}") for s in range({streams})]
"""
ALL_COMPLETED = """(k) => {
    const labels = document.querySelectorAll('.nbagent .nba-status-label');
    return labels.length === k && [...labels].every((l) => l.textContent.startsWith('completed'));
}"""


def measure_load(bench: BenchPage, seconds: float) -> dict:
    """Long animation frames while ``LOAD_STREAMS`` paced streams share one page."""
    n = int(LOAD_RATE * seconds)
    bench.clear()
    start_ms = time.time() * 1000
    bench.run(LOAD_CELL.format(n=n, rate=LOAD_RATE, streams=LOAD_STREAMS))
    bench.page.wait_for_function(
        ALL_COMPLETED, arg=LOAD_STREAMS, polling=100, timeout=(seconds * 4 + 60) * 1000
    )
    end_ms = time.time() * 1000
    frames = [dur for at, dur in bench.bench("loaf") if start_ms <= at <= end_ms]
    bench.wait_idle()
    return {
        "streams": LOAD_STREAMS,
        "rate": LOAD_RATE,
        "seconds": seconds,
        "wall_s": _r((end_ms - start_ms) / 1000),
        "long_frames": len(frames),
        "long_frames_ms": _r(sum(frames)),
        "longest_ms": _r(max(frames, default=0.0)),
    }


# -- entry points ----------------------------------------------------------------------


def run(quick: bool = False) -> dict:
    """Measure everything; returns the JSON-able result (module docstring: definitions)."""
    _require()
    plan = Plan(quick)
    sizes: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="nbagent-bench-") as tmpdir, _bench_page() as bench:
        tmp = Path(tmpdir)
        _warm_up(bench, tmp)
        _log("JupyterLab and Chromium up, widget loaded")
        for kb in plan.sizes:
            n = cost.repeats(kb, plan.min_stream_s)
            sizes.append(cost.measure(bench, tmp, "nbagent", kb, 0, n))
            _log(f"nbagent {kb} KB, {n} streams: {sizes[-1]}")
        latency = measure_latency(bench, tmp, plan.latency_s)
        latency.update(measure_stops(bench, tmp, plan.stops))
        _log(f"latency: {latency}")
        load = measure_load(bench, plan.load_s)
        _log(f"load: {load}")
        for kb in plan.sizes:
            sizes.append(cost.measure(bench, tmp, NAIVE, kb, plan.naive_cap_s))
            _log(f"{NAIVE} {kb} KB: {sizes[-1]}")
    return {
        "rate": RATE,
        "delta_chars": DELTA_CHARS,
        "quick": quick,
        "sizes": sizes,
        "latency": latency,
        "load": load,
    }


def _f(x: float | None, fmt: str) -> str:
    return "—" if x is None else format(x, fmt)


_COLUMNS = (  # (heading, width, key, format)
    ("KB", 5, "kb", "d"), ("shown", 8, "shown_kb", ".1f"), ("wall s", 8, "wall_s", ".1f"),
    ("script", 8, "script_s", ".2f"), ("layout", 8, "layout_s", ".2f"),
    ("style", 8, "style_s", ".2f"), ("task", 8, "task_s", ".2f"),
    ("ms/KB", 8, "cost_ms_per_kb", ".2f"), ("p95 ms", 8, "frame_p95_ms", ".1f"),
    ("max ms", 8, "frame_max_ms", ".0f"), ("LoAF", 6, "long_frames", "d"),
    ("LoAF ms", 9, "long_frames_ms", ".0f"),
)  # fmt: skip


def _size_line(r: dict) -> str:
    cells = [f"{r['contender']:<15}"]
    for _, width, key, fmt in _COLUMNS:
        text = _f(r[key], fmt) + ("*" if key == "shown_kb" and not r["finished"] else "")
        cells.append(f"{text:>{width}}")
    return "".join(cells)


def report(result: dict) -> list[str]:
    """The human table: one line per (contender, size), then the latency figures."""
    head = f"{'contender':<15}" + "".join(f"{h:>{w}}" for h, w, _, _ in _COLUMNS)
    lines = [
        f"browser cost at {result['rate']} deltas/s, ~{result['delta_chars']} chars each"
        + (" (quick)" if result["quick"] else ""),
        head,
        "-" * len(head),
        *(_size_line(r) for r in result["sizes"]),
        "* not finished within the cap: KB shown when it stopped",
    ]
    lat = result["latency"]
    lines.append(
        f"delta → DOM: first {_f(lat['first_ms'], '.1f')} ms, p50 {_f(lat['p50_ms'], '.1f')} ms, "
        f"p95 {_f(lat['p95_ms'], '.1f')} ms, last {_f(lat['last_ms'], '.1f')} ms "
        f"({lat['samples']} samples)"
    )
    lines.append(
        f"Stop → producer closed: median {_f(lat['stop_ms_median'], '.1f')} ms, "
        f"max {_f(lat['stop_ms_max'], '.1f')} ms ({lat['stop_samples']} clicks)"
    )
    load = result["load"]
    lines.append(
        f"{load['streams']} streams x {load['rate']} deltas/s for {load['seconds']:g} s in one "
        f"page: {load['long_frames']} long animation frames (> 50 ms), "
        f"{_f(load['long_frames_ms'], '.0f')} ms in all, longest {_f(load['longest_ms'], '.0f')} ms"
    )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 sizes, short runs (< 60 s)")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args(argv)
    started = time.monotonic()
    result = run(quick=args.quick)
    print("\n".join(report(result)))
    print(f"({time.monotonic() - started:.0f} s)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
