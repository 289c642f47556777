"""What math costs per frame in Chromium (the bare page, ``tests/browser/bare``).

Measured, with the math chunk taken from the (fake) code model as in a notebook:
- the chunk's first use: asking the code model, importing 270 KB from a Blob URL, the first
  formula;
- one long formula (a 12x12 matrix, aligned equations), typeset once (cold, then cached);
- a page of 200 inline formulas: the whole render, and the worst frame while it streams in
  20-character deltas (the live paragraph is rendered again each frame: cached formulas);
- 200 distinct display formulas (the corpus) as frozen blocks.

Usage: python -m benchmarks.math_frames [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM_ARGS, REPO, serving
from tests.browser.test_bundle_page import Kernel

CORPUS: list[str] = json.loads((REPO / "tests" / "fixtures" / "math_corpus.json").read_text())

MATRIX = (
    "\\begin{pmatrix}"
    + " \\\\ ".join(
        " & ".join(f"\\frac{{a_{{{i}{j}}}}}{{1+x^{{{i + j}}}}}" for j in range(12))
        for i in range(12)
    )
    + "\\end{pmatrix}"
)
ALIGNED = (
    "\\begin{aligned}"
    + " \\\\ ".join(
        f"f_{{{i}}}(x) &= \\sum_{{k=0}}^{{{i}}} \\binom{{{i}}}{{k}} x^k" for i in range(40)
    )
    + "\\end{aligned}"
)
INLINE_PAGE = " ".join(f"term $x_{{{i}}}^2 + \\alpha_{{{i}}}$ and" for i in range(200)) + " end."

MEASURE_JS = """async ([matrix, aligned, inlinePage, corpus, msgs, plainMsgs]) => {
  const { renderMarkdownToFragment, loadMath } = await import("/nbagent/static/widget.js");
  const { mathSettled } = await import("/nbagent/static/widget.js");
  const out = {math: 0, errors: 0};
  const app = document.getElementById("app");
  // The first slice (what the caller's frame pays) and the total until every formula is
  // typeset (the rest comes in later tasks of at most the budget plus one formula each).
  const time = async (name, f) => {
    const t = performance.now();
    const box = document.createElement("div");
    box.append(f());
    out[name + "_first_slice_ms"] = performance.now() - t;
    app.append(box);
    await mathSettled();
    box.offsetHeight;
    out[name + "_total_ms"] = performance.now() - t;
    out.math += box.querySelectorAll("math").length;
    out.errors += box.querySelectorAll(".nb-math-error, code.nb-math").length;
    box.remove();
  };
  nba.mount();  // a widget: the bundle now knows its code model (and the math chunk)
  let t = performance.now();
  renderMarkdownToFragment("$x$");  // the first formula: asks for the chunk
  if (!(await loadMath())) throw new Error("no math chunk");
  out.first_use_ms = performance.now() - t; // the fake code model's fetch included
  const matrixMd = "$$\\n" + matrix + "\\n$$";
  await time("long_matrix_cold", () => renderMarkdownToFragment(matrixMd));
  await time("long_matrix_cached", () => renderMarkdownToFragment(matrixMd));
  await time("long_aligned_cold", () => renderMarkdownToFragment("$$\\n" + aligned + "\\n$$"));
  await time("inline_page_200_cold", () => renderMarkdownToFragment(inlinePage));
  await time("inline_page_200_cached", () => renderMarkdownToFragment(inlinePage));
  const display = corpus.map((f) => "$$\\n" + f + "\\n$$").join("\\n\\n");
  await time("corpus_display_cold", () => renderMarkdownToFragment(display));
  // Streaming the inline page as one live paragraph, in 20-character deltas, by hand-run
  // frames (?manual): the cost of each frame's flush, layout included.
  const stream = async (name, messages) => {
    nba.mount();
    const frames = [];
    for (const msg of messages) {
      nba.push(msg);
      let s = performance.now();
      await nba.frame();
      document.body.offsetHeight;  // layout of what changed
      frames.push(performance.now() - s);
      // The task after the frame: formulas past the frame's budget (and their layout).
      s = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 0));
      document.body.offsetHeight;
      frames.push(performance.now() - s);
    }
    await mathSettled();
    const worst = frames.indexOf(Math.max(...frames));
    frames.sort((a, b) => a - b);
    out[name + "_tasks"] = frames.length;
    out[name + "_worst_at"] = worst;
    out[name + "_p95_ms"] = frames[Math.floor(frames.length * 0.95)];
    out[name + "_max_ms"] = frames[frames.length - 1];
  };
  // The same answer without its dollars: what the markdown alone costs.
  await stream("stream_plain", plainMsgs);
  await stream("stream_inline", msgs);
  out.streamed_math = document.querySelectorAll(".nba-md math").length;
  out.answer_chars = document.querySelector(".nba-md").textContent.length;
  return out;
}"""


def streamed_inline_page(*, dollars: bool = True) -> list[dict[str, Any]]:
    """The inline page (other TeX: not cached yet) as one answer, in 20-character deltas."""
    text = "Q: " + INLINE_PAGE.replace("x_", "y_")
    if not dollars:
        text = text.replace("$", "")
    k = Kernel()
    k.start()
    k.ops({"op": "add", "block": {"type": "text", "id": "m", "text": "", "refusal": False}})
    for i in range(0, len(text), 20):
        k.ops({"op": "append", "i": 0, "key": "text", "text": text[i : i + 20]})
    k.end()
    return k.msgs


def measure() -> dict[str, Any]:
    with serving(REPO, "math-bench") as origin, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{origin}/tests/browser/bare/index.html?manual")
            page.wait_for_function("window.nbaReady === true", polling=50)
            result: dict[str, Any] = page.evaluate(
                MEASURE_JS,
                [
                    MATRIX,
                    ALIGNED,
                    INLINE_PAGE,
                    CORPUS,
                    streamed_inline_page(),
                    streamed_inline_page(dollars=False),
                ],
            )
            return result
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = [measure() for _ in range(args.repeat)]
    static = Path(REPO / "nbagent" / "static" / "math.js")
    print(f"math chunk: {static.stat().st_size:,} bytes; TeX: matrix {len(MATRIX):,} chars")
    for key in runs[0]:
        values = [r[key] for r in runs]
        if isinstance(values[0], float) or key.endswith("_ms"):
            print(f"{key:<28} median {statistics.median(values):8.2f}   max {max(values):8.2f}")
        else:
            print(f"{key:<28} {values[0]}")


if __name__ == "__main__":
    main()
