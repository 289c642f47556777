"""What ``import nbagent`` costs, against ``import anywidget`` (issue 50: every notebook's first
cell pays it).

    .venv/bin/python -m benchmarks.import_weight [--quick]

Each statement runs in a fresh Python process, several times (11; 3 with ``--quick``): the
child times the statement alone (``perf_counter`` around it, the interpreter's start left
out) and counts the modules it added to ``sys.modules`` (nbagent's among them); the table
gives the median and the fastest run, and the median CPU time (the process's, which a busy
machine inflates less than the wall clock). ``import nbagent; nbagent.show`` is the first cell
that shows a run: the name loads the runtime, the adapters and the widget. The ratio is
``import nbagent`` over ``import anywidget`` (the issue's aim: at most 1.5x). The rows
"kernel's" time the same after the untimed ``import ipykernel.ipkernel``: in a notebook's
kernel IPython, asyncio, traitlets and comm are loaded before the first cell, so those rows
are what the first cell adds there.

The children read compiled modules from a bytecode cache of their own
(``PYTHONPYCACHEPREFIX``, a temporary folder, filled by one run of each case first), as an
installed wheel's are: with ``PYTHONDONTWRITEBYTECODE=1`` and no ``__pycache__`` in the
checkout, an editable install compiles every module of nbagent it imports from source, each
time. Times on a shared machine move by ±10%: the module counts do not.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KERNEL = "import ipykernel.ipkernel"
CASES = (  # (what the table calls it, what runs first untimed, the statement timed)
    ("import nbagent", "", "import nbagent"),
    ("import anywidget", "", "import anywidget"),
    ("import ipywidgets, anywidget", "", "import ipywidgets, anywidget"),
    ("import nbagent; nbagent.show", "", "import nbagent; nbagent.show"),
    ("kernel's: import anywidget", KERNEL, "import anywidget"),
    ("kernel's: nbagent; nbagent.show", KERNEL, "import nbagent; nbagent.show"),
)
CHILD = """
import json, sys, time
exec(sys.argv[1], {})
before = set(sys.modules)
start, cpu = time.perf_counter(), time.process_time()
exec(sys.argv[2], {})
took, cpu = time.perf_counter() - start, time.process_time() - cpu
added = set(sys.modules) - before
print(json.dumps({"s": took, "cpu": cpu, "modules": len(added),
                  "nbagent": sum(m == "nbagent" or m.startswith("nbagent.") for m in added)}))
"""


def _once(setup: str, statement: str, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, setup, statement],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def _measure(runs: int, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Each statement ``runs`` times, interleaved (a busy spell of the machine is shared)."""
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in CASES}
    for _ in range(runs):
        for name, setup, statement in CASES:
            samples[name].append(_once(setup, statement, env))
    return {
        name: {
            "median_ms": statistics.median(r["s"] for r in rows) * 1000,
            "min_ms": min(r["s"] for r in rows) * 1000,
            "cpu_ms": statistics.median(r["cpu"] for r in rows) * 1000,
            "modules": rows[-1]["modules"],
            "nbagent_modules": rows[-1]["nbagent"],
        }
        for name, rows in samples.items()
    }


def run(quick: bool = False) -> dict[str, Any]:
    runs = 3 if quick else 11
    # Without PYTHONDONTWRITEBYTECODE (this machine's environment sets it): the cache is written.
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory(prefix="nbagent-pyc-") as cache:
        env = base | {"PYTHONPYCACHEPREFIX": cache}
        for _, setup, statement in CASES:  # fills the cache
            _once(setup, statement, env)
        rows = _measure(runs, env)
    return {"runs": runs, "cases": rows, "ratios": _ratios(rows)}


RATIOS = (  # (what the line calls it, numerator, denominator): medians
    ("import nbagent / import anywidget", "import nbagent", "import anywidget"),
    ("with nbagent.show", "import nbagent; nbagent.show", "import anywidget"),
    (
        "in a kernel, with nbagent.show",
        "kernel's: nbagent; nbagent.show",
        "kernel's: import anywidget",
    ),
)


def _ratios(rows: dict[str, dict[str, Any]]) -> dict[str, float]:
    return {name: rows[a]["median_ms"] / rows[b]["median_ms"] for name, a, b in RATIOS}


def report(r: dict[str, Any]) -> list[str]:
    lines = [
        f"fresh process per statement, {r['runs']} runs each; the statement's time alone",
        f"{'statement':32} {'median ms':>10} {'min ms':>8} {'CPU ms':>8} {'modules':>8} nbagent's",
    ]
    for name, row in r["cases"].items():
        lines.append(
            f"{name:32} {row['median_ms']:>10.1f} {row['min_ms']:>8.1f} {row['cpu_ms']:>8.1f}"
            f" {row['modules']:>8} {row['nbagent_modules']:>9}"
        )
    for i, (name, ratio) in enumerate(r["ratios"].items()):
        lines.append(f"{name}: {ratio:.2f}x" + (" (the issue's aim: <= 1.5x)" if i == 0 else ""))
    return lines


if __name__ == "__main__":
    print("\n".join(report(run("--quick" in sys.argv))))
