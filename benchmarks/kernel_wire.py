"""IOPub traffic and kernel CPU of one stream: nbagent against the naive ways, in one run.

    .venv/bin/python benchmarks/kernel_wire.py [--deltas 2000] [--rate 400]

Each contender streams the same N text deltas in a real kernel (jupyter_client),
at full speed or paced at ``--rate`` deltas/s; we count the IOPub messages it
caused (all types but status), their bytes, the most in any 1 s window, and the
kernel process's CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.kernel import Kernel, max_per_second

CONTENDERS = {
    "print per token": ("for p in SOURCE:\n    print(p, end='', flush=True)\n"),
    "display + update(Markdown)": (
        "from IPython.display import Markdown, display\n"
        "h = display(Markdown(''), display_id=True); acc = ''\n"
        "for p in SOURCE:\n    acc += p; h.update(Markdown(acc))\n"
    ),
    "ipywidgets HTML.value": (
        "import ipywidgets\nw = ipywidgets.HTML(); display(w); acc = ''\n"
        "for p in SOURCE:\n    acc += p; w.value = acc\n"
    ),
    "nbagent.show": "run = nbagent.show(iter(SOURCE)); run.wait(600)\n",
}

PACED = (
    "def paced(parts, rate):\n    for p in parts:\n        yield p\n        time.sleep(1 / rate)\n"
)


def measure(kernel: Kernel, proc: psutil.Process, code: str) -> dict[str, float]:
    before = len(kernel.messages())
    cpu0 = sum(proc.cpu_times()[:2])
    reply = kernel.execute(code, timeout=300)
    cpu = sum(proc.cpu_times()[:2]) - cpu0
    msg_id = reply["parent_header"]["msg_id"]
    msgs = [
        m
        for m in kernel.messages()[before:]
        if m["msg_type"] not in ("status", "execute_input")
        and (m["parent_header"].get("msg_id") == msg_id or m["msg_type"].startswith("comm"))
    ]
    size = sum(len(json.dumps(m["content"]).encode()) for m in msgs if m["msg_type"] != "comm_open")
    updates = [m for m in msgs if m["msg_type"] == "comm_msg"]
    update_bytes = sum(len(json.dumps(m["content"]).encode()) for m in updates)
    return {
        "messages": len(msgs),
        "bytes": size,
        "cpu_s": cpu,
        "comm_msg": len(updates),
        "comm_bytes": update_bytes,
        "max_per_s": max_per_second([m["received"] for m in msgs]),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deltas", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=0, help="deltas/s (0: full speed)")
    args = parser.parse_args()
    source = f"paced(parts, {args.rate})" if args.rate else "parts"
    kernel = Kernel()
    try:
        kernel.execute("import nbagent, ipywidgets, time\n" + PACED)
        kernel.execute(f"parts = [f'tok{{i}} ' for i in range({args.deltas})]")
        text_bytes = len("".join(f"tok{i} " for i in range(args.deltas)).encode())
        proc = psutil.Process(kernel.km.provisioner.process.pid)
        # Warm imports and the flush thread.
        kernel.execute(CONTENDERS["nbagent.show"].replace("SOURCE", "parts"))
        results = {
            name: measure(kernel, proc, code.replace("SOURCE", source))
            for name, code in CONTENDERS.items()
        }
    finally:
        kernel.close()
    ours = results["nbagent.show"]
    pace = f"{args.rate:g} deltas/s" if args.rate else "full speed"
    print(f"{args.deltas} deltas, {text_bytes:,} bytes of text, {pace}, one kernel\n")
    print(
        f"{'contender':28} {'messages':>9} {'max/s':>6} {'bytes':>12} {'x text':>7} "
        f"{'kernel CPU s':>13} {'msgs vs nbagent':>16} {'bytes vs nbagent':>17}"
    )
    for name, r in results.items():
        print(
            f"{name:28} {r['messages']:>9,} {r['max_per_s']:>6} {r['bytes']:>12,} "
            f"{r['bytes'] / text_bytes:>7.1f} "
            f"{r['cpu_s']:>13.3f} {r['messages'] / ours['messages']:>15.1f}x "
            f"{r['bytes'] / ours['bytes']:>16.1f}x"
        )
    print(
        f"\nnbagent: {ours['comm_msg']} widget update messages (comm_msg) carrying "
        f"{ours['comm_bytes']:,} bytes = {ours['comm_bytes'] / text_bytes:.2f}x the text; "
        "the rest is the display itself and its static HTML + text copy written once at the end."
    )


if __name__ == "__main__":
    main()
