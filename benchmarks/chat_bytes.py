"""What a chat sends as it grows: every widget message's bytes, turn by turn, in a real kernel.

    .venv/bin/python -m benchmarks.chat_bytes [--quick] [--live]

A ``Chat(respond)`` of 100 turns (20 in quick mode) of 2 KB answers, each typed into its box
and awaited, then a cell run after the last turn (``tests/test_iopub_bytes.py``'s
``typed_chat``, which its tests drive too), in three clients, side by side: JupyterLab's (the
cells named; the page asks for the output data, its static copy, each time the chat settles);
one that names no cell and has no page (`jupyter execute`'s kind: the next cell gets what went
out between cells again); and one that names no cell with a page that follows the ops (Voilà,
VS Code). Every byte the kernel publishes for the widgets is counted (comm opens, trait
updates, custom messages, display data and its updates: their content), the widget's code
apart, and split by where the text goes: the ops (to a page), the lanes' saved states (in the
widget's model, for a client that saves it from the kernel's messages), the static copy (the
output's HTML for readers without nbagent, sent as display data or in the answers to the
page). A chat grows linearly when its last turn costs what its second does; all it sends
should stay within 4x its text. ``--live``: the chat's default interval (a flush every 50 ms,
the bytes then depend on this machine's pace), not an hour's (a turn's messages its own).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from typing import Any

from tests.kernel import Kernel
from tests.test_iopub_bytes import KERNEL_SETUP, Traffic, kind, size, typed_chat

TURNS, QUICK_TURNS = 100, 20
CLIENTS = {
    "JupyterLab": {"lab": True},
    "no cell named, no page": {"lab": False, "listen": False},
    "no cell named, a page": {"lab": False, "listen": True},
}
"""Each client: whether it names its cells (and asks for the output data as the chat
settles), and whether a page follows the ops."""
PARTS = ("ops", "states", "static copy", "other")
"""Where the bytes go (``split``), the widget's code apart."""
LANE = re.compile(r"lane\d+")


def split(traffic: Traffic) -> dict[str, int]:
    """The bytes of ``traffic`` by where they go: ``ops`` (custom messages to a page: ops,
    snapshots), ``states`` (the lanes' saved states, as trait updates), ``static copy``
    (display data and updates, the answers to ``output``), ``other`` (the rest, the code
    apart: the comm opens' other traits, other trait updates), ``code``."""
    parts: Counter[str] = Counter()
    for m in traffic.messages:
        content = m["content"]
        kinds = kind(m)
        if kinds == "display":
            parts["static copy"] += size(content)
        elif kinds == "custom":
            inner = content["data"].get("content")
            answer = isinstance(inner, dict) and inner.get("type") == "output"
            parts["static copy" if answer else "ops"] += size(content)
        elif kinds == "state":
            state = content["data"].get("state", {})
            lanes = sum(size(v) for k, v in state.items() if LANE.fullmatch(k))
            parts["states"] += lanes
            parts["other"] += size(content) - lanes
        else:
            parts["other"] += size(content)
    parts["other"] -= traffic.code  # the code is in comm opens and the code model's updates
    parts["code"] = traffic.code
    return dict(parts)


def chat(k: Kernel, turns: int, throttle_ms: float, **client: Any) -> dict[str, Any]:
    """A typed chat of ``turns`` turns, then a cell: its bytes, turn by turn and by part."""
    traffic, _ = typed_chat(k, turns=turns, next_cell=True, throttle_ms=throttle_ms, **client)
    windows = traffic.per_window()
    return {
        "text": traffic.text,
        "code": traffic.code,
        "total": traffic.total,
        "parts": split(traffic),
        "widget": windows[0],
        "per_turn": windows[1:-1],
        "next_cell": windows[-1],
    }


def run(quick: bool = False, live: bool = False) -> dict[str, Any]:
    turns = QUICK_TURNS if quick else TURNS
    throttle_ms = 50 if live else 3_600_000
    out: dict[str, Any] = {"quick": quick, "turns": turns, "throttle_ms": throttle_ms}
    out["clients"] = {}
    for name, client in CLIENTS.items():
        kernel = Kernel()
        try:
            kernel.execute(KERNEL_SETUP)
            out["clients"][name] = chat(kernel, turns, throttle_ms, **client)
        finally:
            kernel.close()
    return out


def _linear(per_turn: list[int]) -> float | None:
    """The last turn's bytes over the second's; None when a turn sends nothing (no page)."""
    return per_turn[-1] / per_turn[1] if per_turn[1] else None


def targets(result: dict[str, Any]) -> list[tuple[str, float | None, float, str]]:
    """Linear: the last turn costs what the second does; all sent within 4x the text."""
    out: list[tuple[str, float | None, float, str]] = []
    for name, r in result["clients"].items():
        if _linear(r["per_turn"]) is not None:
            out.append((f"chat ({name}): last turn / turn 2", _linear(r["per_turn"]), 1.1, "<="))
        ratio = (r["total"] - r["code"]) / r["text"]
        out.append((f"chat ({name}): bytes / text, static copy in", ratio, 4, "<="))
    return out


def report(result: dict[str, Any]) -> list[str]:
    n, clients = result["turns"], result["clients"]
    width = max(len(name) for name in clients) + 2
    row = "{:<18}" + "".join(f"{{:>{width}}}" for _ in clients)
    interval = f"a flush every {result['throttle_ms']:g} ms"
    if result["throttle_ms"] >= 3_600_000:
        interval = "an hour's interval"
    text = next(iter(clients.values()))["text"]
    lines = [
        f"\na typed chat of {n} turns of 2 KB ({text:,} chars of text), {interval}, then a cell;"
        " bytes (x the text), the widget's code apart",
        row.format("", *clients),
    ]

    def cells(value: Any) -> list[str]:
        return [value(r) for r in clients.values()]

    lines.extend(
        row.format(part, *cells(lambda r, p=part: f"{r['parts'].get(p, 0) / r['text']:.2f}x"))
        for part in PARTS
    )
    lines += [
        row.format("all", *cells(lambda r: f"{(r['total'] - r['code']) / r['text']:.2f}x")),
        row.format("code (apart)", *cells(lambda r: f"{r['code']:,}")),
        row.format("the widget", *cells(lambda r: f"{r['widget']:,}")),
        row.format("turn 1", *cells(lambda r: f"{r['per_turn'][0]:,}")),
        row.format("turn 2", *cells(lambda r: f"{r['per_turn'][1]:,}")),
        row.format(f"turn {n}", *cells(lambda r: f"{r['per_turn'][-1]:,}")),
        row.format(f"turn {n} / turn 2", *cells(lambda r: f"{_linear(r['per_turn']) or 0:.2f}")),
        row.format("the next cell", *cells(lambda r: f"{r['next_cell']:,}")),
    ]
    return lines


if __name__ == "__main__":
    print("\n".join(report(run("--quick" in sys.argv, "--live" in sys.argv))))
