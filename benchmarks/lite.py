"""The try-it site (``make lite``): its weight and how long a reader waits for a widget.

    .venv/bin/python -m benchmarks.lite [--quick]

The weight: the bytes and files of ``.lite/site``, by top-level folder. The wait: headless
Chromium (Debian's, nothing but 127.0.0.1 resolving) opens a notebook that streams from an
async source (``tests/browser/lite_site.py``'s ``STREAM``), cold (a new context each time, the
server says ``no-store``): the seconds from navigation to the notebook ready (its kernel idle,
nbagent loaded) and to the first widget with a streamed word (after Run all). 3 loads, 1 with
``--quick``. Beside them the trial build's figures (../shared/design/jupyterlite.md): 41 MB in
578 files for an anywidget-only site, the first widget at 29-41 s on a loaded 2-core machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

TRIAL = {"mb": 41.0, "files": 578, "first_widget_s": "29-41"}
CHROMIUM = Path("/usr/bin/chromium")


def weight(site: Path) -> dict[str, Any]:
    """The site's bytes and files, in all and by top-level entry."""
    parts: dict[str, list[int]] = {}
    for path in site.rglob("*"):
        if path.is_file():
            top = path.relative_to(site).parts[0]
            top = "static/pyodide" if top == "static" else top
            row = parts.setdefault(top, [0, 0])
            row[0] += path.stat().st_size
            row[1] += 1
    return {
        "bytes": sum(b for b, _ in parts.values()),
        "files": sum(n for _, n in parts.values()),
        "parts": {k: {"bytes": b, "files": n} for k, (b, n) in parts.items()},
    }


def loads(site: Path, runs: int) -> list[dict[str, float]]:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS
    from tests.browser.lite_site import (
        LITE_ARGS,
        STREAM,
        STREAM_NAME,
        WORDS,
        open_lite,
        serve_lite,
    )

    out = []
    with serve_lite(site, {STREAM_NAME: STREAM}) as origin, sync_playwright() as pw:
        args = CHROMIUM_ARGS + LITE_ARGS
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            for _ in range(runs):
                with open_lite(browser, origin) as lite:
                    start = time.monotonic()
                    ready = lite.open(STREAM_NAME)
                    lite.run_all()
                    lite.wait_text(WORDS.split()[0])
                    first = time.monotonic() - start
                    if lite.foreign:
                        raise RuntimeError(f"requests to other hosts: {lite.foreign}")
                out.append({"ready_s": ready, "first_widget_s": first})
        finally:
            browser.close()
    return out


def run(quick: bool) -> dict[str, Any]:
    from tests.browser.lite_site import LITE_SITE

    if not (LITE_SITE / "jupyter-lite.json").is_file():
        raise RuntimeError(f"{LITE_SITE} not built: make lite")
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} not found: install Debian's chromium")
    return {"weight": weight(LITE_SITE), "loads": loads(LITE_SITE, 1 if quick else 3)}


def report(r: dict[str, Any]) -> list[str]:
    w = r["weight"]
    lines = [
        f"{'':28} {'this site':>14} {'trial build':>14}",
        f"{'size':28} {w['bytes'] / 1e6:>11.1f} MB {TRIAL['mb']:>11.1f} MB",
        f"{'files':28} {w['files']:>14} {TRIAL['files']:>14}",
    ]
    ready = [x["ready_s"] for x in r["loads"]]
    first = [x["first_widget_s"] for x in r["loads"]]
    lines.append(
        f"{'first widget, s (median)':28} {statistics.median(first):>14.1f}"
        f" {TRIAL['first_widget_s']:>14}"
    )
    lines.append(f"{'notebook ready, s (median)':28} {statistics.median(ready):>14.1f}")
    lines.append(f"cold loads: {len(first)}; first widget each: {[round(s, 1) for s in first]}")
    parts = sorted(w["parts"].items(), key=lambda kv: -kv[1]["bytes"])
    lines.append(
        "by folder: "
        + ", ".join(f"{k} {v['bytes'] / 1e6:.1f} MB ({v['files']})" for k, v in parts[:6])
    )
    return lines


if __name__ == "__main__":
    print("\n".join(report(run("--quick" in sys.argv))))
