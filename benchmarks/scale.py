"""Many streams at once in one kernel: 16 runs at 200 deltas/s each.

    .venv/bin/python -m benchmarks.scale [--quick]

jupyter_server drops IOPub messages over 1,000 per second averaged over a 3 s window
("IOPub message rate exceeded"); jupyter_client, used here, has no such limit, so we apply
the server's rule to the messages the kernel sent and report whether any would be dropped.
"""

from __future__ import annotations

import sys
from typing import Any

from benchmarks.kernel_wire import SETUP
from tests.kernel import Kernel, max_per_second

SERVER_LIMIT_PER_S = 1000
SERVER_WINDOW_S = 3.0


def over_server_limit(times: list[float]) -> bool:
    """Whether jupyter_server's default rate limit would drop any of these messages."""
    times = sorted(times)
    start = 0
    for end, t in enumerate(times):
        while t - times[start] >= SERVER_WINDOW_S:
            start += 1
        if (end - start + 1) / SERVER_WINDOW_S > SERVER_LIMIT_PER_S:
            return True
    return False


def run(quick: bool = False) -> dict[str, Any]:
    streams, rate, seconds = (16, 200, 5 if quick else 30)
    deltas = rate * seconds
    kernel = Kernel()
    try:
        kernel.execute(SETUP)
        before = len(kernel.messages())
        kernel.execute(
            f"runs = [nbagent.show(paced(token_deltas({deltas}, seed=i), {rate}))"
            f" for i in range({streams})]\nfor r in runs: r.wait(600)",
            timeout=600,
        )
        texts_ok = kernel.value(
            f"all(r.status == 'completed' and r.transcript.deltas == {deltas} for r in runs)"
        )
        msgs = [
            m
            for m in kernel.messages()[before:]
            if m["msg_type"] not in ("status", "execute_input", "execute_result")
        ]
    finally:
        kernel.close()
    times = [m["received"] for m in msgs]
    widget = [m["received"] for m in msgs if m["msg_type"] == "comm_msg"]
    return {
        "streams": streams,
        "rate": rate,
        "seconds": seconds,
        "messages": len(msgs),
        "max_per_s": max_per_second(times),
        "widget_max_per_s": max_per_second(widget),
        "mean_per_s": len(msgs) / (max(times) - min(times)) if len(times) > 1 else 0.0,
        "would_drop": over_server_limit(times),
        "all_completed": bool(texts_ok),
    }


def report(r: dict[str, Any]) -> list[str]:
    return [
        f"{r['streams']} streams x {r['rate']} deltas/s for {r['seconds']} s in one kernel: "
        f"{r['messages']:,} IOPub messages, {r['mean_per_s']:.0f}/s mean, {r['max_per_s']}/s max "
        f"({r['widget_max_per_s']}/s widget updates); jupyter_server would drop: "
        f"{'YES' if r['would_drop'] else 'none'}; every run complete: {r['all_completed']}"
    ]


if __name__ == "__main__":
    print("\n".join(report(run("--quick" in sys.argv))))
