"""The browser side of ``benchmarks/browser.py``: one JupyterLab page with probes installed.

``BenchPage`` opens a two-cell notebook (cell 0 imports ``benchmarks.browser_kernel``,
cell 1 is rewritten and run for every measurement) on ``tests/browser/lab.py``'s
``LabPage``, and adds what the tests do not need: CDP ``Performance`` metrics, a
long-animation-frame observer, a capture listener for Stop clicks and a marker watcher.
The page's clock is ``performance.timeOrigin + performance.now()`` (epoch ms), which on one
machine agrees with the kernel's ``time.time()`` to about a millisecond.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

from benchmarks.browser_trace import CATEGORIES
from tests.browser.lab import LabServer, new_lab_page

# Installed before JupyterLab's own scripts, in every document the page loads.
PROBES_JS = r"""
(() => {
  const now = () => performance.timeOrigin + performance.now();
  const b = (window.__bench = {loaf: [], seen: {}, stopClick: null, observer: null, capAt: 0});
  // A cap for the naive contender: past `capAt`, kernel messages are dropped unread, so a
  // backlog of updates drains at once and the page answers again (CDP evaluations queue
  // behind it otherwise). The page is reloaded afterwards.
  const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, "onmessage");
  Object.defineProperty(WebSocket.prototype, "onmessage", {
    configurable: true,
    enumerable: true,
    get() { return onmessage.get.call(this); },
    set(fn) {
      const capped = function (ev) {
        if (b.capAt && now() > b.capAt) return undefined;
        return fn.call(this, ev);
      };
      onmessage.set.call(this, typeof fn === "function" ? capped : fn);
    },
  });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        b.loaf.push([performance.timeOrigin + e.startTime, e.duration]);
    }).observe({type: "long-animation-frame", buffered: true});
  } catch (e) {}
  document.addEventListener("click", (e) => {
    const t = e.target;
    if (t instanceof Element && t.closest(".nba-stop")) b.stopClick = now();
  }, true);
  // First time each q<k>z marker is seen inside `scope` (a widget root, an output area).
  // Only added nodes and changed text are scanned: the watcher costs O(what changed).
  const MARK = /q(\d+)z/g;
  const scan = (text, t) => {
    for (const m of text.matchAll(MARK)) if (!(m[1] in b.seen)) b.seen[m[1]] = t;
  };
  b.watch = (scope) => {
    b.seen = {};
    const inScope = (n) => {
      const el = n instanceof Element ? n : n.parentElement;
      return !!el && !!el.closest(scope);
    };
    b.observer = new MutationObserver((records) => {
      const t = now();
      for (const r of records) {
        if (!inScope(r.target)) continue;
        if (r.type === "characterData") scan(r.target.data, t);
        else for (const n of r.addedNodes) scan(n.textContent || "", t);
      }
    });
    b.observer.observe(document.body, {childList: true, subtree: true, characterData: true});
  };
  b.unwatch = () => { if (b.observer) b.observer.disconnect(); b.observer = null; };
})();
"""

MARKERS_JS = r"""
(sel) => {
  const all = document.querySelectorAll(sel);
  const el = all[all.length - 1];
  return el ? [...el.textContent.matchAll(/q(\d+)z/g)].map((m) => Number(m[1])) : [];
}
"""

SETUP = (
    "import nbagent\n"
    "from benchmarks.browser_kernel import stream_naive, stream_nbagent, stream_stop\n"
)
METRICS = ("ScriptDuration", "LayoutDuration", "RecalcStyleDuration", "TaskDuration")


class BenchPage:
    """One page on one notebook and kernel; ``run(code)`` runs ``code`` as cell 1."""

    def __init__(self, browser: Any, server: LabServer) -> None:
        self.browser = browser
        self.context, self.lab = new_lab_page(browser, server)
        self.page = self.lab.page
        self.page.add_init_script(PROBES_JS)
        self.lab.open("bench.ipynb", [SETUP, "pass"], run=False)
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("Performance.enable")
        self.run(SETUP, cell=0)
        self.wait_idle()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.page.goto("about:blank")
        self.context.close()

    def run(self, code: str, cell: int = 1) -> None:
        self.lab.run_source(cell, code)

    def wait_idle(self, timeout: float = 120) -> None:
        self.lab.wait_kernel_idle(timeout)

    def clear(self) -> None:
        """Drop every output (and widget view) and the probes' records."""
        self.page.evaluate(
            """async () => {
                await jupyterapp.commands.execute('notebook:clear-all-cell-outputs');
                Object.assign(window.__bench, {loaf: [], stopClick: null, capAt: 0});
            }"""
        )

    def reload(self) -> None:
        """A fresh document on the same kernel (drops a backlog of messages)."""
        self.lab.reload()
        self.cdp.send("Performance.enable")

    def metrics(self) -> dict[str, float]:
        got = self.cdp.send("Performance.getMetrics")["metrics"]
        return {m["name"]: float(m["value"]) for m in got if m["name"] in METRICS}

    def start_trace(self) -> None:
        self.browser.start_tracing(page=self.page, categories=CATEGORIES)

    def stop_trace(self) -> bytes:
        return bytes(self.browser.stop_tracing())

    def watch(self, scope: str) -> None:
        """Record when each marker first shows inside ``scope`` (``seen``), from now on."""
        self.page.evaluate("(scope) => window.__bench.watch(scope)", scope)

    def unwatch(self) -> dict[int, float]:
        """Stop watching; page time (epoch ms) each marker was first seen."""
        seen = self.page.evaluate("() => { window.__bench.unwatch(); return window.__bench.seen; }")
        return {int(k): float(v) for k, v in seen.items()}

    def wait_seen(self, marker: int, timeout_s: float, near: float = 0) -> float | None:
        """Page time (epoch ms) marker ``q<marker>z`` showed; None after ``timeout_s``.

        Polled from here, not with ``wait_for_function``: under a backlog of updates its
        in-page poll only resolves once the backlog is done, long after its timeout. Every
        50 ms, and every 5 ms from ``near`` (epoch s) on: the metrics are read when this
        returns, and should take in as little as possible of what follows the stream.
        """
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            seen = self.page.evaluate("(k) => window.__bench.seen[k] ?? null", str(marker))
            if seen is not None:
                return float(seen)
            time.sleep(0.005 if time.time() >= near else 0.05)
        return None

    def wait_for(self, selector: str, timeout_s: float = 30) -> None:
        self.page.locator(selector).first.wait_for(state="attached", timeout=timeout_s * 1000)

    def set_cap(self, seconds: float) -> float:
        """Drop kernel messages ``seconds`` from now; returns that moment (epoch ms)."""
        cap = self.page.evaluate(
            "(s) => (window.__bench.capAt = performance.timeOrigin + performance.now() + s * 1000)",
            seconds,
        )
        return float(cap)

    def uncap(self) -> bool:
        """Stop dropping kernel messages; True if some may have been dropped already."""
        return bool(
            self.page.evaluate(
                """() => { const b = window.__bench; const late = b.capAt > 0
                    && performance.timeOrigin + performance.now() > b.capAt;
                    b.capAt = 0; return late; }"""
            )
        )

    def markers(self, sel: str) -> set[int]:
        return set(self.page.evaluate(MARKERS_JS, sel))

    def bench(self, key: str) -> Any:
        return self.page.evaluate(f"window.__bench.{key}")

    def click_stop(self, after_s: float) -> None:
        """Click the Stop button ``after_s`` after it shows (the run is streaming then)."""
        stop = self.page.locator(".nbagent .nba-stop").last
        stop.wait_for(state="visible", timeout=30_000)
        time.sleep(after_s)
        stop.click()


def read_log(path: Path, timeout_s: float) -> dict[str, Any] | None:
    """The kernel's JSON log once it is written (it appears whole), or None."""
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)
    data: dict[str, Any] = json.loads(path.read_text())
    return data
