"""An evaluation of 1,000 cases on the scripted demo model, in the kernel and on a local Ray
(issue 56, "Evaluations beyond one kernel").

    .venv/bin/python -m benchmarks.evaluate_ray [--quick] [--json PATH]

Alone it writes ``benchmarks/results/evaluate_ray[-quick].json``; in ``make bench``
(``run.py``) its figures join the others'.

The cases: 1,000 (``--quick``: 60) of the tutorials' three prompts in turn (the weather, two
tool calls; the failing tool, three; a plain question, none), each run by the tutorials'
``nbagent.Agent`` against the scripted model answering in process at full speed
(``demo.connect(in_process=True, speed=0)``: no pauses, so every second a case takes is CPU:
the model's answer, the agent's loop, the tools, the folding), one scorer. Two contenders,
each in a fresh real kernel (``tests/kernel.Kernel``) with the evaluation's widget displayed,
after 6 cases run once without a display (imports, a warm Ray):

- ``in kernel``: ``nbagent.evaluate(agent, cases, ..., concurrency=8)``;
- ``ray``: the same with ``executor="ray"``, on ``ray.init(num_cpus=2)`` in that kernel (the
  workers on this machine's two cores, the kernel folding what they send).

Per contender, from the kernel's IOPub messages of the cell (``benchmarks.evaluate.wire``):
widget messages per second (most in any 1 s), comm bytes over the text the table shows; the
wall time; the kernel process's CPU seconds per case (and, for Ray, the workers' and Ray's
own processes' beside it). "Where the in-kernel path stops scaling": one core over the kernel's
CPU per case is the most cases per second a kernel can run at all (its one loop does the
model calls, the tools and the folding); on Ray the kernel only folds, so its ceiling is that
of its folding, and the cluster's cores set the rate below it.
"""

from __future__ import annotations

import contextlib
import sys
import time
from typing import Any

import psutil  # type: ignore[import-untyped,unused-ignore]

from benchmarks import standalone
from benchmarks.evaluate import wire
from benchmarks.run import Target
from tests.kernel import Kernel

__all__ = ["agent", "dataset", "evaluation", "report", "run", "targets"]

FULL, QUICK = 1000, 60
CONCURRENCY = 8
CONTENDERS = {"in kernel": None, "ray": "ray"}
SETUP = (
    "import nbagent\n"
    "from benchmarks import evaluate_ray as br\n"
    "{ray}"
    "_warm = br.evaluation(6, {executor!r}, display=False)\nawait _warm\ndel _warm\n"
)
RAY_INIT = (
    "import ray\n"
    "ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)\n"
)
CELL = "ev = br.evaluation({n}, {executor!r})\nawait ev"


def agent() -> Any:
    """The tutorials' agent on the scripted model, in process, at full speed."""
    import nbagent
    from nbagent import demo

    llm = demo.connect(in_process=True, speed=0)
    return nbagent.Agent(
        llm.model, tools=demo.TOOLS, instructions=demo.INSTRUCTIONS, client=llm.client
    )


def dataset(n: int) -> list[dict[str, Any]]:
    """``n`` cases: the three demo prompts in turn, each with a word its answer contains."""
    from nbagent import demo

    prompts = [
        (demo.DEMOS["weather"].prompt, "Oslo"),
        (demo.DEMOS["failing_tool"].prompt, "NA"),
        ("hello", "scripted"),
    ]
    return [{"input": prompts[i % 3][0], "expected": prompts[i % 3][1]} for i in range(n)]


def mentions(case: dict[str, Any], transcript: Any) -> bool:
    """Whether the answer mentions the expected word."""
    return str(case["expected"]) in transcript.text


def evaluation(n: int, executor: str | None, *, display: bool = True) -> Any:
    """``nbagent.evaluate`` of ``n`` cases (await it)."""
    import nbagent

    return nbagent.evaluate(
        agent(),
        dataset(n),
        scorers=[mentions],
        concurrency=CONCURRENCY,
        display=display,
        executor=executor,
    )


def _tree_cpu(proc: Any) -> tuple[float, float]:
    """The kernel's own CPU seconds, and its children's (Ray's processes and workers)."""
    own = sum(proc.cpu_times()[:2])
    others = 0.0
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            t = child.cpu_times()
            others += t.user + t.system + t.children_user + t.children_system
    return own, others


def measure(contender: str, n: int) -> dict[str, Any]:
    """One contender's cell over ``n`` cases in a fresh kernel."""
    executor = CONTENDERS[contender]
    kernel = Kernel()
    try:
        setup = SETUP.format(ray=RAY_INIT if executor else "", executor=executor)
        kernel.execute(setup, timeout=300)
        proc = psutil.Process(kernel.km.provisioner.process.pid)  # type: ignore[union-attr]
        own0, others0 = _tree_cpu(proc)
        before = len(kernel.messages())
        t0 = time.monotonic()
        reply = kernel.execute(CELL.format(n=n, executor=executor), timeout=3600)
        wall = time.monotonic() - t0
        own1, others1 = _tree_cpu(proc)
        msgs = kernel.cell_messages(before, reply)
        shown = int(kernel.value("sum(len(c.input) + len(c.transcript.text) for c in ev.cases)"))
        completed = int(kernel.value("sum(c.status == 'completed' for c in ev.cases)"))
    finally:
        kernel.close()
    w = wire(msgs)
    return {
        "contender": contender,
        "cases": n,
        "completed": completed,
        "wall_s": wall,
        "cases_per_s": n / wall,
        "kernel_cpu_s": own1 - own0,
        "kernel_cpu_ms_per_case": (own1 - own0) / n * 1000,
        "other_cpu_s": others1 - others0,
        "ceiling_cases_per_s": n / (own1 - own0) if own1 > own0 else None,
        "text_chars": shown,
        "ratio": w["bytes"] / shown,
        "ratio_data": (w["bytes"] - w["code_bytes"]) / shown,
        "messages": w["messages"],
        "max_per_s": w["max_per_s"],
        "bytes": w["bytes"],
    }


def run(quick: bool = False, browser: bool = False) -> dict[str, Any]:
    """Both contenders, JSON-able (module docstring; no browser part)."""
    n = QUICK if quick else FULL
    out: dict[str, Any] = {"quick": quick, "cases": n, "kernel": {}}
    for contender in CONTENDERS:
        out["kernel"][contender] = measure(contender, n)
        print(f"[evaluate_ray] {contender}: done", file=sys.stderr, flush=True)
    return out


def targets(r: dict[str, Any]) -> list[Target]:
    """Issue 56's: the widget's message rate either way."""
    k = r["kernel"]
    return [
        ("evaluation on Ray: widget messages/s, any 1 s", k["ray"]["max_per_s"], 25, "<="),
        ("  in kernel, the same", k["in kernel"]["max_per_s"], 25, "<="),
    ]


def report(r: dict[str, Any]) -> list[str]:
    """The table: in kernel against Ray."""
    a, b = r["kernel"]["in kernel"], r["kernel"]["ray"]
    lines = [
        f"{r['cases']:,} cases on the scripted model (speed 0), concurrency {CONCURRENCY}; "
        "Ray: num_cpus=2 on this machine",
        standalone.table_row("", ("in kernel", "ray"), "", 40),
    ]
    for name, key, fmt in (
        ("cases completed", "completed", ",d"),
        ("wall s", "wall_s", ".1f"),
        ("cases/s", "cases_per_s", ".1f"),
        ("kernel CPU ms per case", "kernel_cpu_ms_per_case", ".1f"),
        ("other CPU s (Ray, its workers)", "other_cpu_s", ".1f"),
        ("kernel ceiling, cases/s (1 core / CPU)", "ceiling_cases_per_s", ",.0f"),
        ("widget messages/s, max 1 s", "max_per_s", ",d"),
        ("comm bytes / shown text", "ratio", ".2f"),
        ("  data only (no bundles) / text", "ratio_data", ".2f"),
    ):
        lines.append(standalone.table_row(name, (a[key], b[key]), fmt, 40))
    return lines


def main(argv: list[str] | None = None) -> None:
    standalone.main(argv, sys.modules[__name__], f"{QUICK} cases, not {FULL}")


if __name__ == "__main__":
    main()
