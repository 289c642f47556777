"""Streaming markdown in Chromium: raw syntax shown mid-stream, and the worst frame.

``python -m benchmarks.markdown_stream [--before REV] [--quick]`` bundles ``js/src/markdown.js``
twice with esbuild (this checkout's, "after", and the one at ``REV``, "before"), loads both
into a blank Chromium page and measures

1. over ``benchmarks/markdown_answers.md`` streamed in 2-6-character chunks (seeded), the
   share of frames showing raw markdown syntax: a frame counts when its visible text
   (whitespace, copy buttons and the TeX of math removed) is not a prefix of the final
   render's visible text, e.g. ``|`` of a table, ``[`` of a link, ``**`` or a list marker;
2. the time per frame (flush + style + layout) on pathological inputs streamed in
   64-character chunks: p95 and max, before, after and a naive whole re-render per frame.

Out of ``make test``: needs node, esbuild (js/node_modules) and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.browser_trace import percentile

ROOT = Path(__file__).resolve().parents[1]
# Tables, loose/tight/nested lists, task lists, links, reference links, fences, quotes,
# headings, emphasis, inline and display math, currency: what streamed answers show half-written.
_ANSWERS_MD = (ROOT / "benchmarks" / "markdown_answers.md").read_text()
ANSWERS = [a.strip("\n") + "\n" for a in _ANSWERS_MD.split("<!-- next answer -->")[1:]]
JS = ROOT / "js"
CHROMIUM = Path("/usr/bin/chromium")
MODULES = (
    "markdown.js",
    "streaming.js",
    "heal.js",
    "freeze.js",
    "purify.js",
    "morph.js",
    "highlight.js",
)
CHUNK = 64
# The first release with the streaming-markdown fixes is measured against this one.
DEFAULT_BEFORE = "89ef2e0"


def pathological(size: int = 8192) -> dict[str, str]:
    """Inputs that make markdown parsers super-linear or deep, each about `size` characters."""

    def fill(unit: str) -> str:
        return (unit * (size // len(unit) + 1))[:size]

    rows = "".join(f"| {i} | value {i} | **{i * 3}** |\n" for i in range(size // 28))
    return {
        "** dense": fill("**a "),
        "_ dense": fill("_a "),
        "[ dense": fill("[a "),
        "` dense": fill("`a "),
        "$ dense": fill("$a "),
        "< dense": fill("<a "),
        "mixed **_[`$<": fill("**_[`$<a "),
        "nested quotes": "> " * 200 + "deep\n" + fill("> a\n"),
        "nested lists": "".join("  " * (i % 30) + "- item\n" for i in range(size // 40)),
        "long table": "| a | b | c |\n|---|---|---|\n" + rows,
        "long formula": "$$\n" + fill("\\frac{a_1}{b^2} + ") + "\n$$\n",
    }


def bundle(src_dir: Path, out: Path, global_name: str) -> None:
    """An IIFE bundle of `src_dir`/markdown.js exposing StreamingMarkdown and renderMarkdown."""
    entry = src_dir / "bench_entry.js"
    entry.write_text('export { StreamingMarkdown, renderMarkdown } from "./markdown.js";\n')
    esbuild = JS / "node_modules" / ".bin" / "esbuild"
    subprocess.run(
        [
            str(esbuild),
            str(entry),
            "--bundle",
            "--format=iife",
            f"--global-name={global_name}",
            "--minify",
            f"--outfile={out}",
            "--log-level=warning",
        ],
        check=True,
        env={**os.environ, "NODE_PATH": str(JS / "node_modules")},
    )


def before_sources(rev: str, into: Path) -> None:
    """The markdown modules as they were at `rev` (those that existed then)."""
    into.mkdir(parents=True)
    for name in MODULES:
        shown = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{rev}:js/src/{name}"],
            capture_output=True,
            text=True,
        )
        if shown.returncode == 0:
            (into / name).write_text(shown.stdout)


def stats(times: list[float]) -> tuple[float, float, float]:
    """(p95, max) of the streaming frames' times in ms, and the final frame's (whole render)."""
    streaming = times[:-1] or times
    return percentile(streaming, 95) or 0.0, max(streaming), times[-1]


def run(before: str, quick: bool) -> dict[str, Any]:
    """Measure both bundles; returns the figures printed by `report`."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        before_sources(before, work / "before")
        bundle(work / "before", work / "before.js", "BEFORE")
        after = work / "after"
        after.mkdir()
        for name in MODULES:
            (after / name).write_text((JS / "src" / name).read_text())
        bundle(after, work / "after.js", "AFTER")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.set_content('<!doctype html><html><body><div id="host"></div></body></html>')
            for path in (work / "before.js", work / "after.js", Path(__file__).with_suffix(".js")):
                page.add_script_tag(path=str(path))
            out: dict[str, Any] = {"raw": {}, "frames": {}}
            for name in ("BEFORE", "AFTER"):
                raw = page.evaluate("([n, a]) => mdBench.rawShare(n, a)", [name, ANSWERS])
                out["raw"][name] = raw
            inputs = pathological(2048 if quick else 8192)
            for label, src in inputs.items():
                row = {}
                for name, naive in (("BEFORE", False), ("AFTER", False), ("AFTER", True)):
                    args = [name, src, CHUNK, naive]
                    times = page.evaluate("([n, s, c, v]) => mdBench.frameTimes(n, s, c, v)", args)
                    row["naive" if naive else name.lower()] = stats(times)
                out["frames"][label] = row
                print(f"  measured {label}", file=sys.stderr, flush=True)
            browser.close()
    return out


def report(out: dict[str, Any]) -> None:
    """Print the figures side by side."""
    print("Raw markdown syntax mid-stream: a frame counts when its visible text (no whitespace,")
    print("copy buttons or TeX) is not a prefix of the final render's visible text.")
    print(f"{len(ANSWERS)} answers, {sum(map(len, ANSWERS))} characters, 2-6-character chunks")
    for name in ("BEFORE", "AFTER"):
        r = out["raw"][name]
        share = 100 * r["raw"] / max(1, r["frames"])
        print(f"  {name.lower():6} {r['raw']:5} of {r['frames']} frames = {share:.2f}%")
    print(f"\nFrame time, ms (flush + style + layout), {CHUNK}-character chunks:")
    print("p95 / max of the streaming frames; 'end' is the final frame (one whole render)")
    head = f"  {'input':18} {'before':>15} {'after':>15} {'naive':>15} {'after end':>10}"
    print(f"{head} {'max before/after':>17}")
    for label, row in out["frames"].items():
        cells = [f"{p:6.1f} /{m:7.1f}" for p, m, _ in (row["before"], row["after"], row["naive"])]
        ratio = row["before"][1] / max(row["after"][1], 0.01)
        line = f"  {label:18} {cells[0]:>15} {cells[1]:>15} {cells[2]:>15}"
        print(f"{line} {row['after'][2]:10.1f} {ratio:16.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=DEFAULT_BEFORE, help="git revision for 'before'")
    parser.add_argument("--quick", action="store_true", help="2 KB pathological inputs")
    parser.add_argument("--samples", action="store_true", help="print raw-syntax frames (after)")
    args = parser.parse_args()
    out = run(args.before, args.quick)
    report(out)
    if args.samples:
        for sample in out["raw"]["AFTER"]["samples"]:
            print(json.dumps(sample))


if __name__ == "__main__":
    main()
