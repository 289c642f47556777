"""A pydantic-evals ``Evaluator`` given as a scorer (of any dataset): run by pydantic-evals'
own ``run_evaluator``, its context made from the ended case. Imported only when one is used
(pydantic-evals is the ``evals`` extra).
"""

from __future__ import annotations

from typing import Any

from nbagent.evaluation.cases import EvalCase

__all__ = ["run_evaluator"]


async def run_evaluator(evaluator: Any, case: EvalCase) -> dict[str, Any]:
    """One evaluator on an ended case, as pydantic-evals runs it (``run_evaluator``), its
    context made from the case: its results as columns; its failure raised."""
    from pydantic_evals.evaluators import EvaluatorContext
    from pydantic_evals.evaluators._run_evaluator import run_evaluator as run_one
    from pydantic_evals.otel._errors import SpanTreeRecordingError

    t = case.transcript
    ctx = EvaluatorContext(
        name=case.name,
        inputs=case.input,
        metadata=case.metadata,
        expected_output=case.expected,
        output=case.output,
        duration=t.elapsed_s or 0.0,
        _span_tree=SpanTreeRecordingError("nbagent records no spans for evaluators"),
        attributes={},
        metrics={},
    )
    results = await run_one(evaluator, ctx)
    if not isinstance(results, list):  # an EvaluatorFailure
        raise RuntimeError(results.error_message)
    return {str(r.name): r.value for r in results}
