"""One headless run of a coding agent's CLI against a ``ScriptedAPI``, its session files kept.

``run(...)`` makes a new temporary ``HOME`` with a ``project`` folder holding ``notes.txt``
(``NOTES``; the run's ``todo.txt`` is left out on purpose: reading it fails), starts the
scripted API, lets ``prepare(home, base_url)`` write the CLI's configuration and give its
environment, runs the CLI in the project folder with no network setting other than that
base URL, then copies the folders ``keep`` names (``{source under HOME: target under
out_dir}``) and removes the temporary folder. The run fails, saying what the CLI printed, when
the CLI exits non-zero.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.trace_recording.scripted_api import Brain, ScriptedAPI

NOTES = "buy milk\ncall the plumber\nwater the plants\n"
SUB_PROMPT = "Summarise notes.txt in one sentence."
"""The task every run's sub-agent is given: its requests are told apart by it."""
BUDGET_S = 600.0
"""How long one CLI run may take (a few seconds on an idle machine)."""


def version(cli: Path) -> str:
    """The CLI's own ``--version``, run with ``HOME`` in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="nbagent-trace-version-") as home:
        done = subprocess.run(
            [str(cli), "--version"],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            env={**os.environ, "HOME": home},
        )
    return done.stdout.strip()


def run(
    name: str,
    argv: list[str],
    brain_for: Callable[[Path], Brain],
    prepare: Callable[[Path, str], dict[str, str]],
    keep: dict[str, str],
    out_dir: Path,
) -> list[Path]:
    """Run ``argv`` once as described above; the files copied into ``out_dir``."""
    home = Path(tempfile.mkdtemp(prefix=f"nbagent-trace-{name}-"))
    work = home / "project"
    work.mkdir()
    (work / "notes.txt").write_text(NOTES, encoding="utf-8")
    try:
        with ScriptedAPI(brain_for(work)) as api:
            env = {"PATH": os.environ["PATH"], "HOME": str(home), "TERM": "dumb"}
            env.update(prepare(home, api.base_url))
            done = subprocess.run(
                argv,
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                timeout=BUDGET_S,
                check=False,
                stdin=subprocess.DEVNULL,
            )
            paths = [r["path"] for r in api.requests]
        print(f"{name}: exit {done.returncode}, {len(paths)} requests: {paths}")
        print(done.stdout[-1500:])
        if done.returncode != 0:
            raise RuntimeError(f"{name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        for source, target in keep.items():
            shutil.copytree(home / source, out_dir / target)
        return sorted(p for p in out_dir.rglob("*") if p.is_file())
    finally:
        shutil.rmtree(home, ignore_errors=True)
