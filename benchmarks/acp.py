"""An ACP agent flooding one prompt turn with 10,000 updates (issue 36, "Scale").

    .venv/bin/python -m benchmarks.acp [--quick] [--no-browser] [--json PATH]

Alone it writes ``benchmarks/results/acp[-quick].json``; in ``make bench`` (``run.py``) its
figures and targets join the others'.

The turn (``benchmarks/acp_agent.py``, a scripted agent written with the SDK, run over stdio
by ``nbagent.acp([python, acp_agent.py])``): 10,000 (``--quick``: 2,000) ``session/update``
notifications sent as fast as the pipe takes them: message and thought chunks, 200 tool
calls of three updates each, 50 of them edits carrying a diff of a 1,000-line file, and a plan
sent 100 times. Two contenders, each the same prompt on the same agent and kernel:

- ``nbagent.acp``: ``run = agent.prompt("10000")`` then ``run.wait()``, as a user runs it;
- ``throttle_ms=0``: the same, its run built with ``throttle_ms=0`` (``unthrottled()``):
  every op the transcript emits goes out in a message of its own, what the stream costs
  without the controller's coalescing.

Kernel (a real ipykernel through jupyter_client, ``tests/kernel.Kernel``): the cell's widget
messages (comm) per second by the kernel's send time (the most in any 1 s window, and the
mean), their bytes (content as JSON plus buffers; "data" leaves out the widget's code, its
``_esm``/``_css``, sent once per widget) against the bytes the view shows (``shown_bytes``:
the final state's message and thinking text, each tool call's title, arguments and result,
and whatever other blocks say, ids left out), the kernel process's CPU per update and the
agent process's CPU (psutil). The static copy for saved notebooks (``display_data``, sent
once as the run ends) is counted apart, as ``benchmarks/evaluate.py`` does, and with the
comm bytes in one more ratio.

The SDK's own client alone (``spawn_agent_process``, a client that counts the updates and
does nothing else), reading the same turn from the same agent: what the pipe and the SDK cost
with no nbagent, this process's CPU per update and the updates per second the pipe takes.

In-process, the same updates fed from a list: the ACP adapter alone, then the whole kernel
side with no kernel (adapter → normalizer → transcript → controller, its messages counted:
``benchmarks.inprocess.ingest``), CPU µs per update, the best of three.

Browser (``benchmarks/acp_browser.py``): each contender's cell in JupyterLab + Chromium,
from its start until the widget says completed: frame times (p95 and the worst), long
animation frames; script, layout and style time.

Nothing fails on a missed target: ``report`` says so.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks import standalone
from benchmarks.run import Target

__all__ = ["report", "run", "shown_bytes", "targets", "unthrottled"]

FULL, QUICK = 10_000, 2_000
ROOT = Path(__file__).resolve().parents[1]
AGENT = ROOT / "benchmarks" / "acp_agent.py"
SETUP = f"""\
import json, os, sys, time, nbagent
from benchmarks import acp as bench_acp
agent = nbagent.acp([sys.executable, {str(AGENT)!r}])
_warm = agent.prompt('300')
_warm.wait(300)
del _warm
"""
CONTENDERS = {
    "nbagent.acp": "run = agent.prompt('{n}')",
    "throttle_ms=0": "with bench_acp.unthrottled():\n    run = agent.prompt('{n}')",
}
OURS = "nbagent.acp"
WAIT = "\nrun.wait(3600)\n"
NOT_SHOWN = frozenset({"type", "id", "args", "state", "parse_error", "is_error"})
"""Block fields that are not text the view shows (``args`` repeats ``arguments``)."""


@contextlib.contextmanager
def unthrottled() -> Iterator[None]:
    """Runs ``nbagent.acp`` prompts build inside are unthrottled (``throttle_ms=0``)."""
    import nbagent.acp_client._agent as module

    made = module.Run

    def run(*args: Any, **kwargs: Any) -> Any:
        return made(*args, **kwargs, throttle_ms=0)

    module.Run = run  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        module.Run = made  # type: ignore[misc]


def _strings(value: Any) -> int:
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, dict):
        return sum(_strings(v) for k, v in value.items() if k not in NOT_SHOWN)
    if isinstance(value, list):
        return sum(_strings(v) for v in value)
    return 0


def shown_bytes(state: dict[str, Any]) -> int:
    """UTF-8 bytes of the text a run's final state (``Transcript.to_dict()``) shows: every
    string in its blocks but ids, types and states (text, thinking, tool titles, arguments,
    results, any other block's fields)."""
    return sum(_strings(block) for block in state["blocks"])


def _cpu(proc: Any) -> float:
    return float(sum(proc.cpu_times()[:2]))


def _measure(kernel: Any, procs: tuple[Any, Any], contender: str, n: int) -> dict[str, Any]:
    from benchmarks.evaluate import wire

    kernel_proc, agent_proc = procs
    before = len(kernel.messages())
    cpu0, agent0 = _cpu(kernel_proc), _cpu(agent_proc)
    t0 = time.monotonic()
    reply = kernel.execute(CONTENDERS[contender].format(n=n) + WAIT, timeout=3600)
    wall = time.monotonic() - t0
    cpu, agent_cpu = _cpu(kernel_proc) - cpu0, _cpu(agent_proc) - agent0
    msgs = kernel.cell_messages(before, reply)
    w = wire(msgs)
    shown = int(kernel.value("bench_acp.shown_bytes(run.transcript.to_dict())"))
    data = w["bytes"] - w["code_bytes"]
    return {
        "contender": contender,
        "updates": n,
        "status": kernel.value("run.status"),
        "tools": int(kernel.value("len(run.transcript.tool_calls)")),
        "deltas": int(kernel.value("run.transcript.deltas")),
        "wall_s": wall,
        "updates_per_s": n / wall,
        "cpu_s": cpu,
        "cpu_us_per_update": cpu / n * 1e6,
        "agent_cpu_s": agent_cpu,
        "shown_bytes": shown,
        "data_bytes": data,
        "ratio": data / shown,
        "ratio_with_code": w["bytes"] / shown,
        "ratio_with_copy": (data + w["display_bytes"]) / shown,
        **w,
    }


def kernel_part(n: int) -> dict[str, Any]:
    """Both contenders in one kernel, on one agent (module docstring)."""
    import psutil  # type: ignore[import-untyped,unused-ignore]

    from tests.kernel import Kernel

    kernel = Kernel()
    try:
        kernel.execute(SETUP, timeout=300)
        kernel_proc = psutil.Process(kernel.km.provisioner.process.pid)  # type: ignore[union-attr]
        agent_proc = psutil.Process(int(kernel.value("agent.pid")))
        out = {c: _measure(kernel, (kernel_proc, agent_proc), c, n) for c in CONTENDERS}
        kernel.execute("agent.close()", timeout=60)
    finally:
        kernel.close()
    return out


def inprocess_part(n: int) -> dict[str, Any]:
    """The adapter alone and the whole kernel side, fed the turn from a list (best of 3)."""
    from benchmarks.acp_agent import notifications
    from benchmarks.inprocess import ingest
    from nbagent.adapters.acp import AcpAdapter

    items = notifications(n)

    def adapter() -> int:
        a = AcpAdapter()
        return sum(len(a.feed(item)) for item in items) + len(a.end())

    def pipeline() -> int:
        transcript, sent = ingest(items, "acp")
        assert transcript.status == "completed", transcript.error
        return sent

    out: dict[str, Any] = {"updates": n}
    for name, work in (("adapter alone", adapter), ("whole pipeline", pipeline)):
        times, result = [], 0
        for _ in range(3):
            t0 = time.process_time()
            result = work()
            times.append(time.process_time() - t0)
        key = "events" if name == "adapter alone" else "messages"
        out[name] = {"cpu_s": min(times), "us_per_update": min(times) / n * 1e6, key: result}
    return out


class _Counter:
    """A bare ACP client: counts the session's updates, does nothing else."""

    def __init__(self) -> None:
        self.updates = 0

    async def session_update(self, session_id: str, update: Any, **kwargs: Any) -> None:
        self.updates += 1


async def _bare(n: int) -> dict[str, Any]:
    import subprocess

    from acp import PROTOCOL_VERSION, spawn_agent_process, text_block

    client = _Counter()
    transport = {"limit": 50 * 2**20, "stderr": subprocess.DEVNULL}  # a diff is ~84 KB a line
    spawned = spawn_agent_process(
        client,  # type: ignore[arg-type]  # the SDK's Client protocol: only what is called
        sys.executable,
        str(AGENT),
        cwd=ROOT,
        transport_kwargs=transport,
    )
    async with spawned as (conn, _process):
        await conn.initialize(protocol_version=PROTOCOL_VERSION)
        session = await conn.new_session(cwd=str(ROOT), mcp_servers=[])
        await conn.prompt(session_id=session.session_id, prompt=[text_block("300")])  # warm
        client.updates = 0
        cpu0, t0 = time.process_time(), time.monotonic()
        await conn.prompt(session_id=session.session_id, prompt=[text_block(str(n))])
        wall, cpu = time.monotonic() - t0, time.process_time() - cpu0
    return {
        "updates": client.updates,
        "wall_s": wall,
        "updates_per_s": client.updates / wall,
        "cpu_s": cpu,
        "cpu_us_per_update": cpu / n * 1e6,
    }


def sdk_part(n: int) -> dict[str, Any]:
    """The SDK's own client reading the same turn from the same agent, with no nbagent: what
    the pipe and the SDK cost (this process's CPU; the agent's apart)."""
    import asyncio

    return asyncio.run(_bare(n))


def run(quick: bool = False, browser: bool = True) -> dict[str, Any]:
    """Every part; JSON-able (module docstring: what each figure is)."""
    n = QUICK if quick else FULL
    out: dict[str, Any] = {"quick": quick, "updates": n, "inprocess": inprocess_part(n)}
    out["sdk"] = sdk_part(n)
    out["kernel"] = kernel_part(n)
    print("[acp] kernel: done", file=sys.stderr, flush=True)
    if browser:
        from benchmarks import acp_browser

        out["browser"] = standalone.browser_part(lambda: acp_browser.run(n))
    return out


def targets(r: dict[str, Any]) -> list[Target]:
    """Issue 36's bounds, for our contender."""
    ours = r["kernel"][OURS]
    return [
        (f"ACP {r['updates']:,} updates: widget messages/s", ours["max_per_s"], 25, "<="),
        ("ACP wire bytes / shown bytes (data)", ours["ratio"], 3, "<="),
    ]


def report(r: dict[str, Any]) -> list[str]:
    k = r["kernel"]
    names = list(CONTENDERS)
    lines = [
        f"one ACP prompt turn of {r['updates']:,} updates (chunks, tool calls, diffs, a plan)",
        standalone.table_row("", names, "", 36),
    ]

    def row(label: str, values: list[Any], fmt: str) -> None:
        lines.append(standalone.table_row(label, values, fmt, 36))

    for label, key, fmt, scale in (
        ("seconds (cell sent to idle)", "wall_s", ".2f", 1),
        ("updates/s", "updates_per_s", ",.0f", 1),
        ("widget messages", "messages", ",d", 1),
        ("widget messages/s, max 1 s", "max_per_s", ",d", 1),
        ("widget messages/s, mean", "mean_per_s", ",.1f", 1),
        ("shown, KB", "shown_bytes", ",.0f", 1e-3),
        ("wire (comm data), KB", "data_bytes", ",.0f", 1e-3),
        ("wire / shown", "ratio", ".2f", 1),
        ("  with the widget's code", "ratio_with_code", ".2f", 1),
        ("static copy (display_data), KB", "display_bytes", ",.0f", 1e-3),
        ("  wire + static copy / shown", "ratio_with_copy", ".2f", 1),
        ("kernel CPU s", "cpu_s", ".2f", 1),
        ("kernel CPU µs / update", "cpu_us_per_update", ",.1f", 1),
        ("agent CPU s", "agent_cpu_s", ".2f", 1),
    ):
        row(label, [k[c][key] * scale for c in names], fmt)
    row("status", [k[c]["status"] for c in names], "")
    row("chunks, tool calls shown", [f"{k[c]['deltas']:,}, {k[c]['tools']}" for c in names], "")
    b = r.get("browser")
    if b is not None and "not_run" in b:
        lines.append(f"  browser: not run: {b['not_run']}")
    elif b is not None:
        for label, key, fmt in (
            ("browser: start to shown, s", "shown_s", ".2f"),
            ("browser: worst frame, ms", "frame_max_ms", ".1f"),
            ("browser: p95 frame, ms", "frame_p95_ms", ".1f"),
            ("browser: long animation frames", "long_frames", ",d"),
            ("browser: longest animation frame, ms", "longest_ms", ".1f"),
            ("browser: script s", "script_s", ".2f"),
            ("browser: layout + style s", None, ".2f"),
        ):
            if key is None:
                row(label, [b[c].get("layout_s", 0) + b[c].get("style_s", 0) for c in names], fmt)
            else:
                row(label, [b[c].get(key) for c in names], fmt)
        lines.extend(
            f"  {c}: the busiest frames [s from the cell's start, ms]: {b[c]['worst']}"
            for c in names
        )
    p = r["inprocess"]
    lines.append(
        f"  in-process, from a list: the ACP adapter alone "
        f"{p['adapter alone']['us_per_update']:.1f} µs/update; the whole kernel side "
        f"(adapter → normalizer → transcript → controller) "
        f"{p['whole pipeline']['us_per_update']:.1f} µs/update, "
        f"{p['whole pipeline']['messages']} messages"
    )
    sdk = r["sdk"]
    lines.append(
        f"  the SDK's client alone (no nbagent) reading the same turn: {sdk['wall_s']:.2f} s, "
        f"{sdk['updates_per_s']:,.0f} updates/s, {sdk['cpu_us_per_update']:.1f} µs CPU/update "
        f"({sdk['updates']:,} updates)"
    )
    lines.extend(
        f"  {c}: comm bytes by kind [messages, bytes]: {json.dumps(k[c]['by_kind'])}" for c in names
    )
    return lines


def main(argv: list[str] | None = None) -> None:
    standalone.main(argv, sys.modules[__name__], f"{QUICK:,} updates, not {FULL:,}")


if __name__ == "__main__":
    main()
