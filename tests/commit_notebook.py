"""Execute notebooks offline, in place, and strip what should not be committed.

    .venv/bin/python -m tests.commit_notebook notebooks/quickstart.ipynb

Each notebook runs under ``jupyter execute`` (this Python's, or that of the venv
``NBAGENT_DEMO_VENV`` names) in a temporary directory (files it writes stay there) with no
API key in the environment, so its agents ask the scripted model and its replays play, ten
times as fast (``NBAGENT_DEMO_SPEED=10``: a run shown in one cell and awaited in the next still
outlives its cell; one that ends between two cells loses its last messages to ``jupyter
execute``). The result keeps its outputs (each widget's static HTML copy shows on GitHub)
and loses the widget state and the execution timestamps. Before the widget state goes, each
nbagent output gets the states its widget's model held (``jupyter execute`` saves them there,
not in the output: ``nbagent.widget.output.assemble(..., in_model=True)``), as the browser does when
it saves: JupyterLab and Notebook 7 then draw the transcript with no kernel and no widget state.
An evaluation's output gets its table and transcripts the same way (``EVALUATION_MIME``).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat

from nbagent.evaluation.board import EVALUATION_MIME
from nbagent.widget.output import TRANSCRIPT_MIME, Head, RunOutput, assemble

ROOT = Path(__file__).resolve().parents[1]
JUPYTER = str(Path(sys.executable).with_name("jupyter"))
DEMO_VENV = "NBAGENT_DEMO_VENV"
"""Names a venv that `make demo` built (benchmarks/demo_install.py sets it): the notebooks run
with its `jupyter`, on its kernel, with only its packages and its nbagent."""


def demo_venv() -> Path | None:
    venv = os.environ.get(DEMO_VENV)
    return Path(venv) if venv else None


def offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env["NBAGENT_DEMO_SPEED"] = "10"
    if demo_venv() is None:  # this checkout's nbagent (its built static) in the kernel
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def execute(notebook: Path, workdir: Path) -> nbformat.NotebookNode:
    """Run a copy of ``notebook`` in ``workdir``; the executed copy (widget state included)."""
    copy = workdir / notebook.name
    shutil.copyfile(notebook, copy)
    venv = demo_venv()
    jupyter = JUPYTER if venv is None else str(venv / "bin" / "jupyter")
    done = subprocess.run(
        [jupyter, "execute", "--inplace", str(copy)],
        env=offline_env(), cwd=workdir, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if done.returncode != 0:  # say which cell failed and how (nbclient prints it on stderr)
        raise AssertionError(
            f"jupyter execute {notebook.name} exited {done.returncode}:\n{done.stderr[-6000:]}"
        )
    return nbformat.read(copy, as_version=4)


WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
MODEL_REF = "IPY_MODEL_"


class MissingState(ValueError):
    """An nbagent output whose runs' states are neither in it nor in the saved widget state."""


def model_states(nb: nbformat.NotebookNode) -> dict[str, dict[str, Any]]:
    """Each saved widget model's traits, by model id."""
    saved = nb.metadata.get("widgets", {}).get(WIDGET_STATE_MIME, {}).get("state", {})
    return {model_id: model["state"] for model_id, model in saved.items()}


def _run_states(model_id: str | None, models: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The states of the runs a widget model holds: an ``AgentWidget``'s ``snapshot``, or each
    lane a ``LanesWidget`` keeps in its keys ``lane0``, ``lane1``... (notebooks saved before:
    each ``LaneState`` chained from its ``last``, by each one's ``prev``, or listed in
    ``lanes``: ``nbagent/widget/widget.py``)."""
    traits = models.get(model_id or "")
    if traits is None:
        raise MissingState(f"no saved widget state for model {model_id!r}")
    if "snapshot" in traits:
        return [traits["snapshot"]["state"]]
    keyed = list(itertools.takewhile(bool, (traits.get(f"lane{n}") for n in itertools.count())))
    if keyed:
        return [lane["state"] for lane in keyed]
    refs: list[str] = list(traits.get("lanes", []))
    ref = traits.get("last")
    while isinstance(ref, str) and ref not in refs:
        refs.insert(0, ref)
        ref = models[ref.removeprefix(MODEL_REF)].get("prev")
    return [models[ref.removeprefix(MODEL_REF)]["lane"]["state"] for ref in refs]


def filled(data: dict[str, Any], models: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``data`` (an nbagent output's display data) with every run's state in its payload, its
    static copies made again from those states by this checkout's exports."""
    shown = data[TRANSCRIPT_MIME]
    runs = shown["runs"]
    if all(run["state"] is not None for run in runs):
        states = [run["state"] for run in runs]
    else:
        states = _run_states(shown["model_id"], models)
    if len(states) != len(runs) or any(state is None for state in states):
        raise MissingState(
            f"model {shown['model_id']} holds {len(states)} states for {len(runs)} runs"
        )
    head = Head(shown["layout"], shown["model_id"], shown["title"])
    shown_runs = zip(states, runs, strict=True)
    return assemble(head, [RunOutput(s, r["title"], r["prompt"]) for s, r in shown_runs])


# What an evaluation's output carries for nbagent's renderer (``nbagent.evaluation.board``),
# each an ``EvaluationWidget`` trait of the same name.
EVALUATION_TRAITS = ("columns", "baseline", "snapshot", "transcripts")


def filled_evaluation(data: dict[str, Any], models: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``data`` (an evaluation's display data) with its table and transcripts in its payload,
    taken from its widget model when ``jupyter execute`` left them there (``in_model``)."""
    payload = data[EVALUATION_MIME]
    if not payload.get("in_model"):
        return data
    traits = models.get(payload.get("model_id") or "")
    if traits is None or any(name not in traits for name in EVALUATION_TRAITS):
        raise MissingState(f"no saved widget state for the evaluation {payload.get('title')!r}")
    full = {k: v for k, v in payload.items() if k != "in_model"}
    full |= {name: traits[name] for name in EVALUATION_TRAITS}
    return {**data, EVALUATION_MIME: full}


def fill_payloads(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Every nbagent output of ``nb`` carrying its runs' states, and every evaluation's output
    its table and transcripts (from the saved widget state)."""
    models = model_states(nb)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if TRANSCRIPT_MIME in data:
                output["data"] = nbformat.from_dict(filled(data, models))
            elif EVALUATION_MIME in data:
                output["data"] = nbformat.from_dict(filled_evaluation(data, models))
    return nb


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    fill_payloads(nb)
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
