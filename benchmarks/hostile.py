"""The hostile corpus (issue 37): each family's worst frame in Chromium and export time, before
and after.

    .venv/bin/python -m benchmarks.hostile [--before REV] [--budget S] [--quick]

Every family of ``tests/fixtures/hostile_repeat.json`` at 8 and 64 KB, alone and after a table
header, as the tests run it (``tests/browser/hostile_page.py``):

- **worst frame**, ms: through the built widget on the bare page (``?manual`` frames), the most
  expensive of the whole render and of the frames of two streams (by characters and by
  50-character messages, 24 frames each): flush + style + layout;
- **export**, ms: ``Transcript.to_html()`` + ``to_markdown()`` of a run with the text as its
  thinking, a tool result and its answer (``tests.hostile_corpus.transcript``), in a worker
  process with that tree's ``nbagent`` first on its path.

"Before" is the tree at ``REV`` (its widget bundled with this checkout's esbuild), "after" this
checkout. A text not done within the budget is a hang (``hang``), its page or worker replaced;
a family that hangs at 8 KB is not tried at 64 KB. Quick mode (``make bench-quick``): 8 KB,
after only. Figures only: nothing here fails on a slow family.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tests.hostile_corpus import FAMILIES, FRAMES, HEADER, expand, transcript

ROOT = Path(__file__).resolve().parents[1]
# The last main before issue 37's rewrites.
DEFAULT_BEFORE = "e80be80"
SIZES = (8192, 65536)
BUDGET_S = 20.0
HANG = None  # a figure that is a hang


@contextlib.contextmanager
def before_tree(rev: str) -> Iterator[Path]:
    """``nbagent/`` at ``rev`` with its widget built into ``nbagent/static``, and ``tests``
    linked to this checkout's (the bare page and its hostile runner)."""
    with tempfile.TemporaryDirectory(prefix="nbagent-before-") as tmp:
        tree = Path(tmp)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev, "nbagent", "js/src"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        subprocess.run(
            ["node", "build.mjs", "--tree", str(tree)],
            cwd=ROOT / "js",
            check=True,
            capture_output=True,
        )
        (tree / "tests").symlink_to(ROOT / "tests")
        yield tree


def _table(
    sizes: tuple[int, ...], measure: Callable[[str], float | None]
) -> dict[str, dict[int, float | None]]:
    """Per family and size, the most ``measure`` (ms) gave over the text alone and after a table
    header; ``HANG`` when it hung, and the family's larger sizes are then not tried."""
    out: dict[str, dict[int, float | None]] = {}
    for family in FAMILIES:
        row = out.setdefault(family["name"], {})
        for size in sizes:
            texts = (header + expand(family, size) for header in ("", HEADER))
            figures = []
            for text in texts:
                figures.append(measure(text))
                if figures[-1] is HANG:
                    break
            row[size] = HANG if HANG in figures else max(f for f in figures if f is not None)
            if row[size] is HANG:
                break
        print(f"  {family['name']}", file=sys.stderr, flush=True)
    return out


def worst_frames(
    browser_type: Any, tree: Path, sizes: tuple[int, ...], budget_s: float
) -> dict[str, dict[int, float | None]]:
    """Per family and size, the worst frame in ms over all three renders (whole, two streams)."""
    from tests.browser.conftest import serving
    from tests.browser.hostile_page import Hang, HostilePages

    with serving(tree, "hostile-bench") as origin:
        pages = HostilePages(browser_type, origin, budget_s)

        def worst(text: str) -> float | None:
            try:
                r = pages.render(text, FRAMES)
            except Hang:
                return HANG
            streams = (r["characters"], r["50-character messages"])
            return float(max(r["wholeMs"], *(s["worstFrameMs"] for s in streams)))

        try:
            return _table(sizes, worst)
        finally:
            pages.close()


class _ExportWorker:
    """``python -P -m benchmarks.hostile --export-worker`` with ``tree`` first on its path;
    replaced by a fresh one after a hang."""

    def __init__(self, tree: Path) -> None:
        self.tree = tree
        self._start()

    def _start(self) -> None:
        # -P: the working directory (this checkout) must not come before the tree.
        path = os.pathsep.join(dict.fromkeys([str(self.tree), str(ROOT)]))
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "benchmarks.hostile", "--export-worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": path},
        )
        self.selector = selectors.DefaultSelector()
        assert self.process.stdout is not None
        self.selector.register(self.process.stdout, selectors.EVENT_READ)

    def export_ms(self, text: str, budget_s: float) -> float | None:
        """The export's ms, or ``HANG``."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(text) + "\n")
        self.process.stdin.flush()
        if not self.selector.select(timeout=budget_s):
            self.close()
            self._start()
            return HANG
        return float(json.loads(self.process.stdout.readline()))

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


def export_times(
    tree: Path, sizes: tuple[int, ...], budget_s: float
) -> dict[str, dict[int, float | None]]:
    """Per family and size, the slowest export (to_html + to_markdown) in ms."""
    worker = _ExportWorker(tree)
    try:
        return _table(sizes, lambda text: worker.export_ms(text, budget_s))
    finally:
        worker.close()


def export_worker() -> None:
    """Read texts as JSON lines on stdin; write each one's export time in ms as a JSON line."""
    for line in sys.stdin:
        text = json.loads(line)
        t0 = time.perf_counter()
        run = transcript(text)
        run.to_html()
        run.to_markdown()
        print(json.dumps((time.perf_counter() - t0) * 1000), flush=True)


def run(quick: bool, before: str = DEFAULT_BEFORE, budget_s: float = BUDGET_S) -> dict[str, Any]:
    """Both trees' figures (quick: 8 KB, after only); ``RuntimeError`` without Chromium."""
    from benchmarks.browser import _require

    sizes = SIZES[:1] if quick else SIZES
    out: dict[str, Any] = {"sizes": list(sizes), "budget_s": budget_s, "trees": {}}
    with _require()() as pw, contextlib.ExitStack() as stack:
        trees = {"after": ROOT}
        if not quick:
            trees = {"before": stack.enter_context(before_tree(before)), **trees}
            out["before"] = before
        for name, tree in trees.items():
            out["trees"][name] = {
                "frame_ms": worst_frames(pw.chromium, tree, sizes, budget_s),
                "export_ms": export_times(tree, sizes, budget_s),
            }
    return out


def _cell(row: dict[Any, float | None], size: int) -> str:
    # JSON turns the sizes into strings.
    if size not in row and str(size) not in row:
        return "-"
    ms = row.get(size, row.get(str(size)))
    return "hang" if ms is HANG else f"{ms:,.0f}"


def report(out: dict[str, Any]) -> list[str]:
    """One row per family: worst frame and export, ms, per size and tree."""
    trees = list(out["trees"])
    sizes = out["sizes"]
    lines = [
        f"ms; hang: not done in {out['budget_s']:g} s; -: hung at a smaller size, not tried"
        + (f"; before = {out['before']}" if "before" in out else ""),
    ]
    heads = [f"{k}:{s // 1024}K {t[:3]}" for k in ("frame", "export") for s in sizes for t in trees]
    lines.append(f"{'family':28}" + "".join(f"{h:>14}" for h in heads))
    for family in FAMILIES:
        name = family["name"]
        cells = [
            _cell(out["trees"][t][k][name], s)
            for k in ("frame_ms", "export_ms")
            for s in sizes
            for t in trees
        ]
        lines.append(f"{name:28}" + "".join(f"{c:>14}" for c in cells))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=DEFAULT_BEFORE, help="git revision for 'before'")
    parser.add_argument("--budget", type=float, default=BUDGET_S, help="a hang's budget, s")
    parser.add_argument("--quick", action="store_true", help="8 KB, after only")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--export-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_worker:
        export_worker()
        return
    out = run(args.quick, args.before, args.budget)
    print("\n".join(report(out)))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
