"""What a run adds to a saved notebook: runs executed headless (`jupyter execute`, which saves
widget state), then every byte of the file accounted for.

    .venv/bin/python -m benchmarks.saved_size          # 1 and 10 demo runs
    .venv/bin/python -m benchmarks.saved_size 10 50    # other counts

A notebook with widget state holds the widget's JavaScript and CSS once (``code model``:
nbagent's ``CodeModel``, which every widget references), and per run: the widget's state (its
``_esm``, a 0.7 KB loader that imports the code model's bundle; its ``snapshot``, the final
transcript; a lanes widget keeps each lane's in a model of its own, counted as ``snapshot``),
and the cell output (``nbagent.widget.output``: the transcript payload, whose states the kernel's
final display update leaves to the widget's model, the escaped ``text/html``, ``text/plain``
and the widget view). Before the code model (nbagent 0.1, anywidget's ``_esm``/``_css`` per
widget) a demo run added 169,296 bytes. The sizes are asserted by tests/test_saved_output.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[1]
JUPYTER = str(Path(sys.executable).with_name("jupyter"))
STATE_MIME = "application/vnd.jupyter.widget-state+json"


def execute(path: Path, cells: list[str], *, timeout: float = 300) -> nbformat.NotebookNode:
    """Write ``cells`` as a notebook at ``path``, run it with ``jupyter execute --inplace``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nbformat.write(nb, path)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    subprocess.run(
        [JUPYTER, "execute", "--inplace", str(path)],
        check=True,
        env=env,
        cwd=path.parent,
        capture_output=True,
        timeout=timeout,
    )
    return nbformat.read(path, as_version=4)


def demo_cells(n: int) -> list[str]:
    """``n`` demo runs, one cell each, all awaited by the last cell."""
    cells = ["import nbagent\nfrom nbagent import demo\nruns = []"]
    cells += [
        f"runs.append(nbagent.show(nbagent.load(demo.recording('weather')), title='run {i}'))"
        for i in range(n)
    ]
    cells.append("for r in runs:\n    await r")
    return cells


def _size(value: Any) -> int:
    """Bytes ``value`` takes in the saved file (nbformat's JSON, indent 1)."""
    return len(json.dumps(value, indent=1, ensure_ascii=False).encode())


def breakdown(path: Path) -> dict[str, Any]:
    """Bytes of nbagent's widget states and outputs in the notebook at ``path``, by part."""
    nb = nbformat.read(path, as_version=4)
    states = nb.metadata.get("widgets", {}).get(STATE_MIME, {}).get("state", {})
    # nbagent's widgets, and the lanes of its lanes widgets (a model each, its state in `lane`).
    ours = {k: v["state"] for k, v in states.items() if "store_key" in v["state"]}
    lanes = {k: v["state"] for k, v in states.items() if "lane" in v["state"]}
    code = {k: v["state"] for k, v in states.items() if "version" in v["state"]}
    parts: dict[str, int] = dict.fromkeys(
        ["code model", "_esm", "_css", "snapshot", "other traits", "other widgets"], 0
    )
    for key, entry in states.items():
        if key in code:
            parts["code model"] += _size(entry)
            continue
        if key not in ours and key not in lanes:
            parts["other widgets"] += _size(entry)
            continue
        for trait, value in entry["state"].items():
            name = trait if trait in ("_esm", "_css", "snapshot") else "other traits"
            parts["snapshot" if trait == "lane" else name] += _size(value)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for mime, value in out.get("data", {}).items():
                parts[f"output {mime}"] = parts.get(f"output {mime}", 0) + _size(value)
    return {
        "widgets": len(ours),
        "file_bytes": path.stat().st_size,
        "parts": parts,
        "esm": next(iter(ours.values()))["_esm"] if ours else "",
        "code": [c["code"] for c in code.values()],
        "math": [c.get("math", "") for c in code.values()],
    }


def breakdowns(tmp: Path, counts: list[int]) -> list[dict[str, Any]]:
    """``breakdown`` of a notebook of ``n`` demo runs executed in ``tmp``, for each ``n``."""
    rows = []
    for n in counts:
        path = tmp / f"runs{n}.ipynb"
        execute(path, demo_cells(n))
        rows.append(breakdown(path))
    return rows


def growth(counts: list[int], rows: list[dict[str, Any]]) -> float:
    """Bytes each added run adds, from the first count's notebook to the last's."""
    return (rows[-1]["file_bytes"] - rows[0]["file_bytes"]) / (counts[-1] - counts[0])


def growth_per_run(tmp: Path, counts: tuple[int, int] = (1, 10)) -> tuple[float, list[Any]]:
    """Bytes each added demo run adds to an executed notebook, and the breakdowns."""
    rows = breakdowns(tmp, list(counts))
    return growth(list(counts), rows), rows


def main(counts: list[int]) -> None:
    with tempfile.TemporaryDirectory(prefix="nbagent-size-") as tmp:
        rows = breakdowns(Path(tmp), counts)
    print(f"{'runs':>5} {'file bytes':>11} {'per run':>9}   parts per run (bytes)")
    for n, b in zip(counts, rows, strict=True):
        per_run = {k: v // max(n, 1) for k, v in b["parts"].items() if v}
        print(f"{n:>5} {b['file_bytes']:>11,} {b['file_bytes'] // n:>9,}   {per_run}")
    if len(rows) > 1:
        print(f"growth per added run: {growth(counts, rows):,.0f} bytes")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 10])
