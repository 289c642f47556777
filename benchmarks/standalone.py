"""What a benchmark run alone shares (``python -m benchmarks.acp``, ``benchmarks.evaluate``):
its command line, its browser part that may not run, its table's lines, its table and targets
printed, its JSON written. In ``make bench`` (``run.py``) the same ``run``, ``report`` and
``targets`` join the others'."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.run import RESULTS, Target, target_lines

__all__ = ["browser_part", "main", "table_row"]


def browser_part(run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``run()``'s figures, or why it did not run: a laptop with no Chromium, or no built
    bundle or chunk, still gets the kernel's figures."""
    try:
        return run()
    except RuntimeError as exc:
        return {"not_run": str(exc)}


def table_row(label: str, values: Iterable[Any], fmt: str, width: int) -> str:
    """A line of a report's table: ``label`` in ``width`` columns, then each contender's value
    formatted with ``fmt`` in 16 (None: —)."""
    cells = "".join(f" {'—' if v is None else format(v, fmt):>16}" for v in values)
    return f"  {label:{width}}{cells}"


def main(argv: list[str] | None, bench: ModuleType, quick_help: str) -> None:
    """The command line of benchmark module ``bench`` (``benchmarks/<name>.py``, its
    docstring the help): its ``run(quick, browser)``, its ``report`` and ``targets`` printed, the
    result written to ``--json`` or ``results/<name>[-quick].json``."""
    name = Path(str(bench.__file__)).stem  # not __name__: "__main__" under python -m
    parser = argparse.ArgumentParser(description=(bench.__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--no-browser", action="store_true", help="skip JupyterLab + Chromium")
    parser.add_argument("--json", type=Path, help="write the result here, not in results/")
    args = parser.parse_args(argv)
    result: dict[str, Any] = bench.run(args.quick, not args.no_browser)
    targets: list[Target] = bench.targets(result)
    result["targets"] = [list(t) for t in targets]
    print("\n".join(bench.report(result)))
    print("\n".join(target_lines(targets)))
    path = args.json or RESULTS / (f"{name}-quick.json" if args.quick else f"{name}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {path}")
