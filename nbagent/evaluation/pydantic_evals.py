"""pydantic-evals, used as designed: a ``pydantic_evals.Dataset`` is run by its own
``Dataset.evaluate`` (its cases, its dataset's and cases' evaluators, its report), with a task
that drives each case's nbagent run (``Engine.run_case``). (An ``Evaluator`` given as a
scorer: ``nbagent.evaluation.evaluators``.)

Imported only when one of these is used: pydantic-evals is the ``evals`` extra.
"""

from __future__ import annotations

import contextvars
from collections import deque
from typing import Any

from nbagent.evaluation.cases import EvalCase
from nbagent.evaluation.schedule import Engine

__all__ = ["NotRun", "cases_of_dataset", "run_dataset", "take_results"]

_CASE: contextvars.ContextVar[EvalCase | None] = contextvars.ContextVar(
    "nbagent_eval_case", default=None
)
"""The nbagent case of the pydantic-evals case being run: set by the lifecycle's ``setup``,
read by the task, which pydantic-evals calls with the inputs only."""


class NotRun(Exception):
    """The case's run ended without an output: pydantic-evals reports a failure."""


def cases_of_dataset(dataset: Any, repeat: int) -> list[EvalCase]:
    """A pydantic-evals dataset's cases, each ``repeat`` times (in pydantic-evals' order)."""
    if repeat < 1:
        raise ValueError(f"repeat must be >= 1, got {repeat!r}")
    out: list[EvalCase] = []
    for source, case in enumerate(dataset.cases):
        for r in range(repeat):
            out.append(
                EvalCase(
                    index=len(out),
                    input=case.inputs,
                    expected=case.expected_output,
                    metadata=case.metadata,
                    name=case.name,
                    source=source,
                    repeat=r,
                    given=case,
                )
            )
    if not out:
        raise ValueError("evaluate() got an empty dataset")
    return out


async def run_dataset(dataset: Any, engine: Engine, name: str, repeat: int) -> Any:
    """``dataset.evaluate`` with nbagent's runs as its task; returns its ``EvaluationReport``."""
    from pydantic_evals.lifecycle import CaseLifecycle

    waiting: dict[int, deque[EvalCase]] = {}
    for case in engine.cases:
        waiting.setdefault(id(case.given), deque()).append(case)

    class Follow(CaseLifecycle):  # type: ignore[misc,type-arg,unused-ignore]
        """Ties each pydantic-evals case to its nbagent case, and takes its results."""

        async def setup(self) -> None:
            self.ours = waiting[id(self.case)].popleft()
            _CASE.set(self.ours)

        async def teardown(self, result: Any) -> None:
            take_results(getattr(self, "ours", None), result)
            ours = getattr(self, "ours", None)
            if ours is not None:
                engine._changed(ours)

    async def nbagent(inputs: Any) -> Any:
        case = _CASE.get()
        if case is None:  # pragma: no cover - setup always sets it
            raise RuntimeError("nbagent.evaluate: a case ran without its setup")
        await engine.run_case(case)
        if case.status != "completed":
            raise NotRun(case.error or case.status)
        return case.output

    try:
        return await dataset.evaluate(
            nbagent,
            name=name,
            max_concurrency=engine.concurrency,
            progress=False,
            repeat=repeat,
            lifecycle=Follow,
        )
    finally:
        engine.skip_rest(engine.stopped or "not started")


def take_results(case: EvalCase | None, result: Any) -> None:
    """A ``ReportCase``'s assertions, scores and labels (and evaluator failures) as the
    case's columns; a ``ReportCaseFailure`` adds nothing (the case has its error)."""
    if case is None or result is None:
        return
    for group in ("assertions", "scores", "labels"):
        for name, evaluation in (getattr(result, group, None) or {}).items():
            case.scores[str(name)] = evaluation.value
    for failure in getattr(result, "evaluator_failures", None) or ():
        case.score_errors[str(failure.name)] = str(failure.error_message)
        case.scores.setdefault(str(failure.name), None)
