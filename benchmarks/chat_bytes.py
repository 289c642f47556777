"""What a chat sends as it grows: every widget message's bytes, turn by turn, in a real kernel.

    .venv/bin/python -m benchmarks.chat_bytes [--quick]

A ``Chat(respond)`` of 100 turns (20 in quick mode) of 2 KB answers, each typed into its box
and awaited, then a cell run after the last turn (``tests/test_iopub_bytes.py``'s
``typed_chat``, which its tests drive too), in two clients: JupyterLab's (the cells named;
the page asks for the output data, its static copy, each time the chat settles) and one
that names no cell (`jupyter execute`'s kind: the next cell gets what went out between
cells again). Every byte the kernel publishes for the
widgets is counted (comm opens, trait updates, custom messages, display data and its
updates), the widget's code apart. A chat grows linearly when its last turn costs what its
second does; all it sends, its static copy included, should stay within 4x its text.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

from tests.kernel import Kernel
from tests.test_iopub_bytes import KERNEL_SETUP, kind, size, typed_chat

TURNS, QUICK_TURNS = 100, 20
CLIENTS = {"JupyterLab": True, "no cell named": False}
"""Each client: whether it names its cells (and asks for the output data as the chat settles)."""


def _kinds(window: list[dict[str, Any]]) -> dict[str, int]:
    kinds: Counter[str] = Counter()
    for m in window:
        kinds[kind(m)] += size(m["content"])
    return dict(kinds)


def chat(k: Kernel, turns: int, lab: bool) -> dict[str, Any]:
    """A typed chat of ``turns`` turns, then a cell: its bytes, turn by turn."""
    traffic, _ = typed_chat(k, lab=lab, turns=turns, next_cell=True)
    windows = traffic.per_window()
    return {
        "text": traffic.text,
        "code": traffic.code,
        "total": traffic.total,
        "widget": windows[0],
        "per_turn": windows[1:-1],
        "kinds": [_kinds(w) for w in traffic.windows[1:-1]],
        "next_cell": windows[-1],
        "next_cell_kinds": _kinds(traffic.windows[-1]),
    }


def run(quick: bool = False) -> dict[str, Any]:
    turns = QUICK_TURNS if quick else TURNS
    out: dict[str, Any] = {"quick": quick, "turns": turns, "clients": {}}
    for name, lab in CLIENTS.items():
        kernel = Kernel()
        try:
            kernel.execute(KERNEL_SETUP)
            out["clients"][name] = chat(kernel, turns, lab)
        finally:
            kernel.close()
    return out


def targets(result: dict[str, Any]) -> list[tuple[str, float | None, float, str]]:
    """Linear: the last turn costs what the second does; all sent within 4x the text."""
    out: list[tuple[str, float | None, float, str]] = []
    for name, r in result["clients"].items():
        per = r["per_turn"]
        out.append((f"chat ({name}): last turn / turn 2", per[-1] / per[1], 1.1, "<="))
        ratio = (r["total"] - r["code"]) / r["text"]
        out.append((f"chat ({name}): bytes / text, static copy in", ratio, 4, "<="))
    return out


def report(result: dict[str, Any]) -> list[str]:
    n = result["turns"]
    lines: list[str] = []
    for name, r in result["clients"].items():
        per, kinds, text = r["per_turn"], r["kinds"], r["text"]
        sent = r["total"] - r["code"]
        lines += [
            f"\na typed chat of {n} turns, {name}: {text:,} chars of text, {sent:,} bytes "
            f"without the widget's code ({r['code']:,} bytes): {sent / text:.2f}x the text "
            f"({(sent - r['next_cell']) / text:.2f}x before the next cell)",
            f"  the widget (before turn 1): {r['widget']:,} bytes; the next cell: "
            f"{r['next_cell']:,} bytes {r['next_cell_kinds']}",
        ]
        lines.extend(
            f"  turn {t:>3}: {per[t - 1]:>8,} bytes  {kinds[t - 1]}"
            for t in sorted({1, 2, min(20, n), n})
        )
        lines.append(f"  turn {n} / turn 2: {per[n - 1] / per[1]:.2f}")
    return lines


if __name__ == "__main__":
    print("\n".join(report(run("--quick" in sys.argv))))
