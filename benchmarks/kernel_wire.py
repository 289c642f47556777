"""IOPub traffic and kernel CPU of one stream: nbagent against the naive ways, in one kernel.

    .venv/bin/python -m benchmarks.kernel_wire [--quick]

Each contender streams the same N token deltas (``benchmarks.corpus.token_deltas``) in a
real ipykernel (jupyter_client), at full speed or paced against a deadline; we count the
IOPub messages it caused (all types but status), their bytes, the most in any 1 s window,
and the kernel process's CPU seconds. The naive ways resend the whole text on every
delta, so N = 100k and 1M run for nbagent alone.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import psutil

from tests.kernel import Kernel, max_per_second

CONTENDERS = {
    "print per token": "for p in SOURCE:\n    print(p, end='', flush=True)\n",
    "display + update(Markdown)": (
        "from IPython.display import Markdown, display\n"
        "h = display(Markdown(''), display_id=True); acc = ''\n"
        "for p in SOURCE:\n    acc += p; h.update(Markdown(acc))\n"
    ),
    "ipywidgets HTML.value": (
        "w = ipywidgets.HTML(); display(w); acc = ''\n"
        "for p in SOURCE:\n    acc += p; w.value = acc\n"
    ),
    "ipywidgets Output + print": (
        "out = ipywidgets.Output(); display(out)\n"
        "with out:\n    for p in SOURCE:\n        print(p, end='', flush=True)\n"
    ),
    "nbagent.show": "run = nbagent.show(iter(SOURCE)); run.wait(3600)\n",
}
OURS = "nbagent.show"

SETUP = """
import time, ipywidgets, nbagent
from benchmarks.corpus import token_deltas
def paced(parts, rate):
    start = time.monotonic()
    for i, p in enumerate(parts):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        yield p
"""


def cases(quick: bool) -> list[tuple[int, float, list[str]]]:
    """(deltas, rate (0: full speed), contenders) per case, as issue 4 lists them."""
    everyone = list(CONTENDERS)
    if quick:
        return [(1_000, 0, everyone), (1_000, 1_000, [OURS]), (100_000, 0, [OURS])]
    return [
        (1_000, 0, everyone),
        (10_000, 0, everyone),
        (100_000, 0, [OURS]),
        (1_000_000, 0, [OURS]),
        (1_000, 200, everyone),
        (1_000, 1_000, everyone),
    ]


def measure(kernel: Kernel, proc: psutil.Process, code: str) -> dict[str, Any]:
    before = len(kernel.messages())
    cpu0 = sum(proc.cpu_times()[:2])
    rss0 = proc.memory_info().rss
    reply = kernel.execute(code, timeout=3600)
    cpu = sum(proc.cpu_times()[:2]) - cpu0
    msgs = [
        m
        for m in kernel.cell_messages(before, reply)
        if m["msg_type"] not in ("status", "execute_input")
    ]
    sizes = [len(json.dumps(m["content"]).encode()) for m in msgs]
    updates = [m for m in msgs if m["msg_type"] == "comm_msg"]
    return {
        "messages": len(msgs),
        "bytes": sum(s for s, m in zip(sizes, msgs, strict=True) if m["msg_type"] != "comm_open"),
        "cpu_s": cpu,
        "rss_growth_mb": (proc.memory_info().rss - rss0) / 2**20,
        "widget_messages": len(updates),
        "widget_bytes": sum(len(json.dumps(m["content"]).encode()) for m in updates),
        "widget_max_per_s": max_per_second([m["received"] for m in updates]),
        "max_per_s": max_per_second([m["received"] for m in msgs]),
        "wall_s": msgs[-1]["received"] - msgs[0]["received"] if msgs else 0.0,
    }


def run(quick: bool = False) -> dict[str, Any]:
    """Every case in one kernel; per case the text size and each contender's figures."""
    kernel = Kernel()
    out: list[dict[str, Any]] = []
    try:
        kernel.execute(SETUP)
        proc = psutil.Process(kernel.km.provisioner.process.pid)
        kernel.execute("run = nbagent.show(iter(token_deltas(100))); run.wait(60)")  # warm
        for deltas, rate, names in cases(quick):
            kernel.execute(f"parts = token_deltas({deltas})", timeout=600)
            text_bytes = kernel.value("len(''.join(parts).encode())")
            source = f"paced(parts, {rate})" if rate else "parts"
            results = {
                name: measure(kernel, proc, CONTENDERS[name].replace("SOURCE", source))
                for name in names
            }
            ours = results[OURS]
            ours["cpu_us_per_delta"] = ours["cpu_s"] / deltas * 1e6
            ours["ingest_per_s"] = deltas / ours["wall_s"] if ours["wall_s"] else None
            out.append(
                {"deltas": deltas, "rate": rate, "text_bytes": text_bytes} | {"results": results}
            )
            kernel.execute("del parts; import gc; gc.collect()")
    finally:
        kernel.close()
    return {"quick": quick, "cases": out}


def report(result: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for case in result["cases"]:
        pace = f"{case['rate']:g} deltas/s" if case["rate"] else "full speed"
        text = case["text_bytes"]
        lines.append(f"\n{case['deltas']:,} deltas, {text:,} bytes of text, {pace}")
        lines.append(
            f"  {'contender':28} {'messages':>9} {'max/s':>6} {'bytes':>13} {'x text':>7} "
            f"{'kernel CPU s':>12} {'msgs vs ours':>12} {'bytes vs ours':>13} {'CPU vs ours':>11}"
        )
        ours = case["results"][OURS]
        for name, r in case["results"].items():
            lines.append(
                f"  {name:28} {r['messages']:>9,} {r['max_per_s']:>6} {r['bytes']:>13,} "
                f"{r['bytes'] / text:>7.2f} {r['cpu_s']:>12.3f} "
                f"{r['messages'] / ours['messages']:>11.1f}x {r['bytes'] / ours['bytes']:>12.1f}x "
                f"{r['cpu_s'] / max(ours['cpu_s'], 1e-9):>10.1f}x"
            )
        lines.append(
            f"  nbagent: {ours['widget_messages']} widget messages "
            f"(max {ours['widget_max_per_s']}/s) of {ours['widget_bytes'] / text:.2f}x the text "
            f"(the rest: the display and its static HTML + text copy at the end); "
            f"{ours['cpu_us_per_delta']:.1f} µs kernel CPU per delta; "
            f"RSS +{ours['rss_growth_mb']:.0f} MB"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(report(run("--quick" in sys.argv))))
