"""Evaluations: many runs of one task over a dataset, scored, compared, reviewed.

A layer above the runtime, composing runs as ``show()`` does, never imported by the runtime
or below. One concern per module: ``cases`` (the dataset read, a case's state), ``tasks``
(a task and an input as an ordinary run, not displayed), ``scoring``, ``schedule`` (the
engine: concurrency, budget, cancel), ``pydantic_evals`` (a pydantic-evals dataset run by
pydantic-evals), ``records`` (rows, file, baseline, headline), ``static`` (the table's static
HTML copy), ``progress`` (the terminal line), ``evaluation`` (the public object), ``launch``
(``evaluate()``), ``ray_cases`` (``executor="ray"``: each case a Ray task, its events folded
here) and ``ray_send`` (what goes to its workers), ``widget`` and ``board`` (its widget, kept
live), ``loading`` (``nbagent.load``: a recording's events or an evaluation, whichever the file
holds).
"""

from nbagent.evaluation.cases import EvalCase
from nbagent.evaluation.evaluation import Evaluation
from nbagent.evaluation.launch import evaluate
from nbagent.evaluation.loading import load

__all__ = ["EvalCase", "Evaluation", "evaluate", "load"]
