"""What a chat sends as it grows: every widget message's bytes, turn by turn, in a real kernel.

    .venv/bin/python -m benchmarks.chat_bytes [--quick]

A ``Chat(respond)`` of 100 turns (20 in quick mode) of 2 KB answers, each typed into its box
and awaited (``tests/test_iopub_bytes.py``'s ``typed_chat``), then a cell run after the last
turn (what `jupyter execute` is sent again). Every byte the kernel publishes for the widgets
is counted (comm opens, trait updates, custom messages, display data and its updates), the
widget's code apart. A chat grows linearly when its last turn costs what its second does, and
all it sends (its static copy included) stays within 4x its text.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

from tests.kernel import Kernel
from tests.test_iopub_bytes import KERNEL_SETUP, Traffic, cut, kind, size, typed_chat

TURNS, QUICK_TURNS = 100, 20


def _kinds(window: list[dict[str, Any]]) -> dict[str, int]:
    kinds: Counter[str] = Counter()
    for m in window:
        kinds[kind(m)] += size(m["content"])
    return dict(kinds)


def run(quick: bool = False) -> dict[str, Any]:
    turns = QUICK_TURNS if quick else TURNS
    kernel = Kernel()
    try:
        kernel.execute(KERNEL_SETUP)
        traffic, _ = typed_chat(kernel, turns=turns)
        since = len(kernel.messages())
        kernel.execute("x = 1")  # the next cell: what went out between cells, again
        (after,) = cut(kernel, [since, len(kernel.messages())])
    finally:
        kernel.close()
    whole = Traffic([*traffic.windows, after], traffic.text)
    return {
        "quick": quick,
        "turns": turns,
        "text": traffic.text,
        "code": whole.code,
        "total": whole.total,
        "per_turn": traffic.per_window()[1:],
        "kinds": [_kinds(w) for w in traffic.windows[1:]],
        "widget": traffic.per_window()[0],
        "next_cell": whole.bytes(after),
    }


def report(result: dict[str, Any]) -> list[str]:
    per, kinds = result["per_turn"], result["kinds"]
    n = result["turns"]
    shown = sorted({1, 2, min(20, n), n})
    sent = result["total"] - result["code"]
    lines = [
        f"a typed chat of {n} turns: {result['text']:,} chars of text, {sent:,} bytes sent "
        f"(without the widget's code, {result['code']:,} bytes): {sent / result['text']:.2f}x",
        f"  the widget (before turn 1): {result['widget']:,} bytes; the cell after the last "
        f"turn: {result['next_cell']:,} bytes",
    ]
    lines.extend(f"  turn {t:>3}: {per[t - 1]:>8,} bytes  {kinds[t - 1]}" for t in shown)
    lines.append(f"  turn {n} / turn 2: {per[n - 1] / per[1]:.2f}")
    return lines


if __name__ == "__main__":
    print("\n".join(report(run("--quick" in sys.argv))))
