"""Execute notebooks offline, in place, and strip what should not be committed.

    .venv/bin/python -m tests.commit_notebook notebooks/quickstart.ipynb

Each notebook runs under ``jupyter execute`` in a temporary directory (files it writes stay
there) with no API key in the environment, so it replays the demo recordings, ten times as
fast (``NBAGENT_DEMO_SPEED=10``: a run shown in one cell and awaited in the next still
outlives its cell; one that ends between two cells loses its last messages to ``jupyter
execute``). The result keeps its outputs (each widget's static HTML copy shows on GitHub)
and loses the widget state and the execution timestamps.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
JUPYTER = str(Path(sys.executable).with_name("jupyter"))


def offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env["NBAGENT_DEMO_SPEED"] = "10"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def execute(notebook: Path, workdir: Path) -> nbformat.NotebookNode:
    """Run a copy of ``notebook`` in ``workdir``; the executed copy (widget state included)."""
    copy = workdir / notebook.name
    shutil.copyfile(notebook, copy)
    subprocess.run(
        [JUPYTER, "execute", "--inplace", str(copy)],
        check=True, env=offline_env(), cwd=workdir, capture_output=True, timeout=300,
    )  # fmt: skip
    return nbformat.read(copy, as_version=4)


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    return nb


def main(paths: list[str]) -> int:
    for name in paths:
        notebook = Path(name)
        with tempfile.TemporaryDirectory(prefix="nbagent-nb-") as tmp:
            nbformat.write(strip(execute(notebook, Path(tmp))), notebook)
        print(f"executed {notebook}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
