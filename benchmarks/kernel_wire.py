"""IOPub traffic and kernel CPU of one stream: nbagent against the naive ways, in one run.

    .venv/bin/python benchmarks/kernel_wire.py [--deltas 2000]

Each contender streams the same N text deltas at full speed in a real kernel
(jupyter_client); we count the IOPub messages it caused (all types but status),
their bytes, and the kernel process's CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.kernel import Kernel

CONTENDERS = {
    "print per token": ("for p in parts:\n    print(p, end='', flush=True)\n"),
    "display + update(Markdown)": (
        "from IPython.display import Markdown, display\n"
        "h = display(Markdown(''), display_id=True); acc = ''\n"
        "for p in parts:\n    acc += p; h.update(Markdown(acc))\n"
    ),
    "ipywidgets HTML.value": (
        "import ipywidgets\nw = ipywidgets.HTML(); display(w); acc = ''\n"
        "for p in parts:\n    acc += p; w.value = acc\n"
    ),
    "nbagent.show": "run = nbagent.show(iter(parts)); run.wait(60)\n",
}


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
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deltas", type=int, default=2000)
    args = parser.parse_args()
    kernel = Kernel()
    try:
        kernel.execute("import nbagent, ipywidgets")
        kernel.execute(f"parts = [f'tok{{i}} ' for i in range({args.deltas})]")
        text_bytes = len("".join(f"tok{i} " for i in range(args.deltas)).encode())
        proc = psutil.Process(kernel.km.provisioner.process.pid)
        kernel.execute(CONTENDERS["nbagent.show"])  # warm imports and the flush thread
        results = {name: measure(kernel, proc, code) for name, code in CONTENDERS.items()}
    finally:
        kernel.close()
    ours = results["nbagent.show"]
    print(f"{args.deltas} deltas, {text_bytes:,} bytes of text, full speed, one kernel\n")
    print(
        f"{'contender':28} {'messages':>9} {'bytes':>12} {'x text':>7} {'kernel CPU s':>13} "
        f"{'msgs vs nbagent':>16} {'bytes vs nbagent':>17}"
    )
    for name, r in results.items():
        print(
            f"{name:28} {r['messages']:>9,} {r['bytes']:>12,} {r['bytes'] / text_bytes:>7.1f} "
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
