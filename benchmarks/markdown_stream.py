"""Streaming markdown in Chromium: raw syntax shown mid-stream, and the worst frame.

``python -m benchmarks.markdown_stream [--before REV] [--quick]`` bundles
``js/src/markdown/markdown.js`` (with the math chunk, KaTeX) twice with esbuild (this
checkout's whole js/src tree, "after", and the tree at ``REV``, "before"), loads both into a
blank Chromium page and measures

1. over ``benchmarks/markdown_answers.md`` streamed one character per message (the issue's
   measure) and in 2-6-character chunks (seeded), the share of frames showing raw markdown
   syntax, per answer, and the longest run of such frames: a frame counts when its visible
   text (whitespace, copy buttons and the TeX of math removed) is not a prefix of the final
   render's visible text, e.g. ``|`` of a table, ``[`` of a link, ``**`` or a list marker;
2. the time per frame (flush + typesetting + style + layout) on pathological inputs, emphasis
   markers and hostile TeX among them, streamed in 64-character chunks: p95 and max, before,
   after and a naive whole re-render per frame.

Out of ``make test``: needs node, esbuild (js/node_modules) and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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
CHUNK = 64
# Issue 29's part 4 is measured against this revision (the first parts of the issue).
DEFAULT_BEFORE = "10bb031"


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
        "_a_b pairs": fill("_a_b "),
        "mixed ** and _": fill("**_a "),
        "_a_ **b** mixed": fill("_a_ **b** c_d "),
        # runs marked's emphasis scan must still see
        # (js/src/markdown/md_render.js, INTRAWORD_UNDERSCORES)
        "_ ** _ ** rows": fill("_**a_**b "),
        "* openers, kept ** last": fill("*a ")[:-8] + "_**_**é",
        "_* then _ openers": "é_*" + fill(" _a")[:-6] + " x_y",
        "*args prose": fill("my_var_name with *args and **kwargs, then *one* "),
        "nested quotes": "> " * 200 + "deep\n" + fill("> a\n"),
        "nested lists": "".join("  " * (i % 30) + "- item\n" for i in range(size // 40)),
        "long table": "| a | b | c |\n|---|---|---|\n" + rows,
        "long formula": "$$\n" + fill("\\frac{a_1}{b^2} + ") + "\n$$\n",
        **hostile_tex(size),
    }


def hostile_tex(size: int = 8192) -> dict[str, str]:
    """TeX that is costly to typeset, streamed into an answer (issue 29)."""
    bomb = "\\[\n" + "x \\\\\n" * (size // 6) + "\\]\n"
    chain = "$$\n" + "\\overset{a}{b}" * (size // 14) + "\n$$\n"
    terms: list[str] = []
    n = 0
    while n < 10_000:  # whole terms: a formula KaTeX parses
        terms.append(f"x_{{{len(terms)}}}")
        n += len(terms[-1]) + 1
    formula = "Then $" + "+".join(terms) + "$ holds.\n"
    return {
        "TeX newline bomb": "Consider\n\n" + bomb,
        "TeX overset chain": "Stacked:\n\n" + chain,
        "TeX 10,000 chars": formula,
    }


def bundle(src_dir: Path, out: Path, global_name: str) -> None:
    """An IIFE bundle of `src_dir`/markdown.js exposing StreamingMarkdown and renderMarkdown,
    with the math chunk (KaTeX) in use at once."""
    # a tree of one folder per layer (markdown/), or an older flat one
    here = "./markdown/" if (src_dir / "markdown" / "markdown.js").is_file() else "./"
    entry = src_dir / "bench_entry.js"
    entry.write_text(
        f'export {{ StreamingMarkdown, renderMarkdown }} from "{here}markdown.js";\n'
        f'import {{ useMathRenderer }} from "{here}math.js";\n'
        f'import chunk from "{here}math_chunk.js";\n'
        "useMathRenderer(chunk);\n"
    )
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


def sources(rev: str | None, into: Path) -> Path:
    """The whole js/src tree at `rev` (None: this checkout's) under `into`; returns its src."""
    into.mkdir(parents=True)
    if rev is None:
        shutil.copytree(JS / "src", into / "js" / "src")
    else:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev, "js/src"], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "js" / "src"


def stats(times: dict[str, list[float]]) -> tuple[float, float, float]:
    """(p95, max) of the streaming frames' times in ms (the tasks they queued, formulas typeset
    later, count as frames of their own), and the final frame's (whole render)."""
    frames, later = times["frames"], times["later"]
    streaming = (frames[:-1] or frames) + [t for t in later if t > 0.5]
    return percentile(streaming, 95) or 0.0, max(streaming + frames[-1:]), frames[-1]


def run(before: str, quick: bool, parts: str = "raw,frames", repeat: int = 3) -> dict[str, Any]:
    """Measure both bundles; returns the figures printed by `report`."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bundle(sources(before, work / "before"), work / "before.js", "BEFORE")
        bundle(sources(None, work / "after"), work / "after.js", "AFTER")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.set_content('<!doctype html><html><body><div id="host"></div></body></html>')
            for path in (work / "before.js", work / "after.js", Path(__file__).with_suffix(".js")):
                page.add_script_tag(path=str(path))
            out: dict[str, Any] = {"raw": {}, "frames": {}}
            # One character per message, then 2-6-character chunks.
            for step in (1, 0) if "raw" in parts else ():
                for name in ("BEFORE", "AFTER"):
                    args = [name, ANSWERS, step]
                    raw = page.evaluate("([n, a, s]) => mdBench.rawShare(n, a, s)", args)
                    out["raw"][(step, name)] = raw
            inputs = pathological(2048 if quick else 8192) if "frames" in parts else {}
            for label, src in inputs.items():
                row = {}
                for name, naive in (("BEFORE", False), ("AFTER", False), ("AFTER", True)):
                    args = [name, src, CHUNK, naive]
                    # The machine may be busy: the run whose worst frame is least bad.
                    runs = [
                        stats(
                            page.evaluate("([n, s, c, v]) => mdBench.frameTimes(n, s, c, v)", args)
                        )
                        for _ in range(repeat)
                    ]
                    row["naive" if naive else name.lower()] = min(runs, key=lambda r: r[1])
                out["frames"][label] = row
                print(f"  measured {label}", file=sys.stderr, flush=True)
            browser.close()
    return out


def title(answer: str) -> str:
    """An answer's first line, shortened."""
    return answer.split("\n", 1)[0].lstrip("#* ")[:34]


def share(r: dict[str, Any]) -> str:
    """The share of raw frames, in %."""
    return f"{100 * r['raw'] / max(1, r['frames']):5.2f}%"


def report(out: dict[str, Any]) -> None:
    """Print the figures side by side."""
    print("Raw markdown syntax mid-stream: a frame counts when its visible text (no whitespace,")
    print("copy buttons or TeX) is not a prefix of the final render's visible text.")
    print(f"{len(ANSWERS)} answers, {sum(map(len, ANSWERS))} characters")
    for step, how in ((1, "one character per message"), (0, "2-6-character chunks")):
        if (step, "AFTER") not in out["raw"]:
            continue
        b, a = out["raw"][(step, "BEFORE")], out["raw"][(step, "AFTER")]
        print(f"\n{how}: raw frames % (longest run of raw frames), before -> after")
        for i, (rb, ra) in enumerate(zip(b["answers"], a["answers"], strict=True)):
            cells = [f"{share(r)} ({r['run']:3})" for r in (rb, ra)]
            print(f"  {i:2} {title(ANSWERS[i]):34} {cells[0]:>14} -> {cells[1]:>14}")
        cells = [f"{share(r)} ({max(x['run'] for x in r['answers']):3})" for r in (b, a)]
        print(f"  {'all':37} {cells[0]:>14} -> {cells[1]:>14}   of {a['frames']} frames")
    print(f"\nFrame time, ms (flush + typesetting + style + layout), {CHUNK}-character chunks,")
    print("the tasks a frame queued (formulas typeset later) counted as frames of their own;")
    print("of several runs per input, the one whose worst frame is least bad.")
    print("p95 of the streaming frames / max of all, the final one (one whole render) included;")
    print("'end': the final frame")
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
    parser.add_argument("--only", default="raw,frames", help="raw, frames or both (default)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per input (best kept)")
    args = parser.parse_args()
    out = run(args.before, args.quick, args.only, args.repeat)
    report(out)
    if args.samples and out["raw"]:
        for sample in out["raw"][(1, "AFTER")]["samples"]:
            print(json.dumps(sample))


if __name__ == "__main__":
    main()
