"""Math in the static HTML export: time per formula, the worst hostile input, and the bytes a
formula adds to a saved notebook's ``text/html``.

    .venv/bin/python -m benchmarks.export_math

Corpus: tests/fixtures/formulas.json (ordinary formulas) and tests/fixtures/hostile_math.json
(each as a whole answer). Bombs: the macro and size bombs of tests/test_export_math.py, timed
with nbagent's budget and, where it finishes in seconds, latex2mathml alone.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from latex2mathml.converter import convert

from nbagent.transcript.export import to_html
from nbagent.transcript.export.math import math_html, tex_to_mathml

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def _ms(fn: Callable[[], Any], repeat: int = 5) -> float:
    """The best of ``repeat`` runs, in ms (the least disturbed by the other processes)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def _bombs() -> dict[str, str]:
    def doubling(levels: int) -> str:
        defs = "".join(
            f"\\def\\w{chr(98 + i)}{{{{\\w{chr(97 + i)}}}{{\\w{chr(97 + i)}}}}}"
            for i in range(levels)
        )
        return "\\def\\wa{xx}" + defs + f"\\w{chr(97 + levels)}"

    return {
        "recursive \\def": "\\def\\a{\\a\\a}\\a",
        "doubling, 14 levels": doubling(14),
        "doubling, 20 levels": doubling(20),
        "4000-token body x1000": "\\def\\wa{" + "x" * 4000 + "}" + "{\\wa}" * 1000,
        "\\rule{1e5em}": "\\rule{100000em}{100000em}" * 100,
        "10,000 characters": "x+" * 5000,
    }


def main() -> dict[str, Any]:
    formulas: list[str] = json.loads((FIXTURES / "formulas.json").read_text())
    hostile: list[str] = json.loads((FIXTURES / "hostile_math.json").read_text())
    out: dict[str, Any] = {"formulas": len(formulas)}

    for display in (False, True):
        kind = "display" if display else "inline"
        ours = [_ms(lambda f=f, d=display: tex_to_mathml(f, d)) for f in formulas]
        alone = [_ms(lambda f=f, k=kind: convert(f, display=k)) for f in formulas]
        out[kind] = {
            "ms_mean": statistics.fmean(ours),
            "ms_p95": statistics.quantiles(ours, n=20)[-1],
            "ms_max": max(ours),
            "latex2mathml_alone_ms_mean": statistics.fmean(alone),
        }
        print(
            f"{kind:8} {len(formulas)} formulas: mean {out[kind]['ms_mean']:.3f} ms, "
            f"p95 {out[kind]['ms_p95']:.3f} ms, max {out[kind]['ms_max']:.3f} ms "
            f"(latex2mathml alone: mean {out[kind]['latex2mathml_alone_ms_mean']:.3f} ms)"
        )

    sizes = [len(math_html(f, display=False).encode()) for f in formulas]
    tex = [len(f.encode()) + 2 for f in formulas]  # "$…$"
    out["bytes_per_formula"] = statistics.fmean(sizes)
    out["bytes_per_tex_byte"] = sum(sizes) / sum(tex)
    print(
        f"size: {out['bytes_per_formula']:.0f} bytes of text/html per formula on average "
        f"({out['bytes_per_tex_byte']:.1f}x its TeX; 43 of them the xmlns attribute), "
        f"median {statistics.median(sizes):.0f}, max {max(sizes)}"
    )
    answer = " ".join(f"${f}$" for f in formulas)
    grown = len(to_html({"blocks": [{"type": "text", "text": answer}]}).encode())
    plain = len(to_html({"blocks": [{"type": "text", "text": answer.replace("$", "")}]}).encode())
    out["notebook_bytes_per_formula"] = (grown - plain) / len(formulas)
    print(f"a run's text/html grows by {out['notebook_bytes_per_formula']:.0f} bytes per formula")

    def answer_ms(text: str, repeat: int = 5) -> float:
        return _ms(lambda: to_html({"blocks": [{"type": "text", "text": text}]}), repeat)

    worst = max(hostile, key=lambda h: answer_ms(h, 3))
    out["worst_hostile_ms"] = answer_ms(worst)
    print(f"worst hostile answer: {out['worst_hostile_ms']:.2f} ms for {worst[:60]!r}")

    from markdown_it import MarkdownIt

    plain = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    out["unclosed"] = {}
    for name, text in {
        "2000 lines of $$x": "$$x\n" * 2000,
        "2000 lines of \\[x": "\\[x\n" * 2000,
        "3000 unclosed \\(": "a \\(b " * 3000,
        "5000 lone $": "$a " * 5000,
    }.items():
        ours = answer_ms(text, 3)
        alone = _ms(lambda text=text: plain.render(text), 3)
        out["unclosed"][name] = ours
        print(f"unclosed {name:22} {ours:7.1f} ms (markdown-it without math: {alone:.1f} ms)")

    out["bombs"] = {}
    for name, bomb in _bombs().items():
        ms = _ms(lambda bomb=bomb: tex_to_mathml(bomb), 1)
        converted = tex_to_mathml(bomb) is not None
        line = f"bomb {name:24} {ms:8.1f} ms, {'converted' if converted else 'shown as TeX'}"
        if name in ("doubling, 14 levels", "recursive \\def", "\\rule{1e5em}"):
            try:
                line += f"; latex2mathml alone {_ms(lambda bomb=bomb: convert(bomb), 1):.0f} ms"
            except Exception as e:  # noqa: BLE001 - its own limits raise
                line += f"; latex2mathml alone raises {type(e).__name__}"
        out["bombs"][name] = ms
        print(line)
    return out


if __name__ == "__main__":
    main()
