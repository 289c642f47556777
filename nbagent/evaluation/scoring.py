"""Scorers: what judges a case once its run has ended.

A scorer is a function ``(case, transcript) -> bool | float | str | dict`` (or with a third
parameter, ``output``: the task's output, which a function task returning a plain value has
in no transcript), sync or async; or a pydantic-evals ``Evaluator``, run through
pydantic-evals itself. A scorer's column is named after it (the function's name; the names
pydantic-evals reports for an evaluator's results); a dict result gives one column per key.
A scorer that raises fails that score only: its columns stay None and
``case.score_errors[name]`` says why.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from typing import Any

from nbagent.core.errors import error_message
from nbagent.core.values import type_is
from nbagent.evaluation.cases import EvalCase

__all__ = ["Scorer", "scorers_of"]


class Scorer:
    """One scorer: ``await scorer.score(case, executor)`` sets the case's columns."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn
        self.evaluator = type_is(fn, "pydantic_evals", "Evaluator")
        if self.evaluator:
            self.name = str(fn.get_default_evaluation_name())
        elif callable(fn):
            self.name = str(getattr(fn, "__name__", None) or type(fn).__name__)
        else:
            raise TypeError(
                "a scorer is a function (case, transcript) -> bool | float | str | dict, or a "
                f"pydantic_evals Evaluator; got {type(fn).__name__}"
            )
        self._with_output = not self.evaluator and _takes_output(fn)

    async def score(self, case: EvalCase, executor: Executor) -> None:
        """Score ``case`` (ended): its columns into ``case.scores``, or the error."""
        try:
            if self.evaluator:
                values = await self._evaluate(case)
            else:
                values = self._columns(await self._call(case, executor))
        except Exception as exc:  # noqa: BLE001 - a scorer's failure is that score's only
            case.score_errors[self.name] = error_message(exc)
            case.scores.setdefault(self.name, None)
            return
        case.scores.update(values)

    async def _call(self, case: EvalCase, executor: Executor) -> Any:
        args: tuple[Any, ...] = (case.given, case.transcript)
        if self._with_output:
            args = (*args, case.output)
        if inspect.iscoroutinefunction(self.fn):
            return await self.fn(*args)
        # A sync scorer may call a model (an LLM judge): on a thread, not on the loop.
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(executor, lambda: context.run(self.fn, *args))
        if inspect.isawaitable(result):
            result = await result
        return result

    def _columns(self, result: Any) -> dict[str, Any]:
        if isinstance(result, Mapping):
            return {str(k): _value(v) for k, v in result.items()}
        return {self.name: _value(result)}

    async def _evaluate(self, case: EvalCase) -> dict[str, Any]:
        """A pydantic-evals evaluator outside a pydantic-evals dataset: its context built
        from the case and run by pydantic-evals' own ``run_evaluator``."""
        from nbagent.evaluation.evaluators import run_evaluator

        return await run_evaluator(self.fn, case)


def _value(value: Any) -> Any:
    """A score as a column's value: bool, number or str as they are; else its text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _takes_output(fn: Callable[..., Any]) -> bool:
    """Whether ``fn`` takes a third positional parameter (or ``output``)."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return True
    if any(p.name == "output" for p in params):
        return True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 3


def scorers_of(scorers: Any) -> list[Scorer]:
    """``scorers`` (a list, or one scorer) as ``Scorer`` objects with distinct names."""
    if scorers is None:
        return []
    items = [scorers] if callable(scorers) or not isinstance(scorers, (list, tuple)) else scorers
    out = [Scorer(s) for s in items]
    seen: dict[str, int] = {}
    for s in out:  # two scorers of one name (two lambdas): the second is "<lambda> (2)"
        seen[s.name] = seen.get(s.name, 0) + 1
        if seen[s.name] > 1:
            s.name = f"{s.name} ({seen[s.name]})"
    return out
