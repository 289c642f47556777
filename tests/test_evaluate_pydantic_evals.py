"""nbagent.evaluate() of a pydantic_evals.Dataset: run by pydantic-evals itself (its cases, its
dataset's and cases' evaluators, its EvaluationReport), each case an nbagent run.

pydantic-evals (the ``evals`` extra) pins pydantic-ai-slim to its own version, older here than
the frameworks extra's: these tests run in .venv-evals (``make test-evals``) and are skipped
in .venv."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

pytest.importorskip("pydantic_evals")

from pydantic_evals import Case, Dataset
from pydantic_evals.evaluators import Contains, EqualsExpected, Evaluator, EvaluatorContext

import nbagent

WAIT_S = 60


@dataclass
class ShortAnswer(Evaluator):
    """A custom evaluator: the output is at most ``limit`` characters."""

    limit: int = 3

    def evaluate(self, ctx: EvaluatorContext) -> bool:
        return len(str(ctx.output)) <= self.limit


def upper(x: str) -> str:
    if x == "boom":
        raise RuntimeError("the task failed")
    return x.upper()


def dataset() -> Dataset:
    return Dataset(
        name="shout",
        cases=[
            Case(name="one", inputs="ab", expected_output="AB"),
            Case(name="two", inputs="xyzw", expected_output="nope"),
            Case(name="bad", inputs="boom", expected_output="BOOM"),
        ],
        evaluators=[EqualsExpected(), Contains("A"), ShortAnswer()],
    )


def test_a_pydantic_evals_dataset_is_run_by_pydantic_evals() -> None:
    ev = nbagent.evaluate(upper, dataset(), concurrency=2, progress=False).wait(WAIT_S)
    df = ev.to_pandas()
    assert ev.title == "shout"
    assert list(df["name"]) == ["one", "two", "bad"]
    assert list(df["status"]) == ["completed", "completed", "error"]
    assert "the task failed" in df["error"][2]
    assert list(df["EqualsExpected"][:2]) == [True, False]
    assert list(df["Contains"][:2]) == [True, False]
    assert list(df["ShortAnswer"][:2]) == [True, False]
    report = ev.report
    assert type(report).__name__ == "EvaluationReport"
    assert [c.name for c in report.cases] == ["one", "two"]
    assert report.cases[0].output == "AB"
    assert report.cases[0].assertions["EqualsExpected"].value is True
    assert [f.name for f in report.failures] == ["bad"]
    assert all(c.run is not None for c in ev.cases)


def test_case_evaluators_repeat_and_user_scorers_beside_them() -> None:
    data = Dataset(
        name="repeat",
        cases=[Case(name="c", inputs="a", expected_output="A", evaluators=[ShortAnswer(1)])],
        evaluators=[EqualsExpected()],
    )

    def length(case: Any, transcript: Any, output: Any) -> int:
        assert isinstance(case, Case)  # the case as the dataset gave it
        return len(output)

    ev = nbagent.evaluate(upper, data, scorers=[length], repeat=2, progress=False).wait(WAIT_S)
    df = ev.to_pandas()
    assert list(df["repeat"]) == [0, 1]
    assert list(df["ShortAnswer"]) == [True, True]
    assert list(df["EqualsExpected"]) == [True, True]
    assert list(df["length"]) == [1, 1]
    assert len(ev.report.cases) == 2


def test_a_cancelled_pydantic_evals_run_skips_what_had_not_started() -> None:
    import asyncio
    import threading

    running = threading.Event()

    async def hang(x: str) -> str:
        running.set()
        await asyncio.Event().wait()
        return x

    data = Dataset(
        name="stop", cases=[Case(inputs=str(i)) for i in range(3)], evaluators=[EqualsExpected()]
    )
    ev = nbagent.evaluate(hang, data, concurrency=1, progress=False)
    assert running.wait(WAIT_S)
    ev.cancel()
    ev.wait(WAIT_S)
    assert [c.status for c in ev.cases] == ["cancelled", "skipped", "skipped"]
    assert len(ev.report.failures) == 3


def test_evaluators_as_scorers_of_any_dataset() -> None:
    ev = nbagent.evaluate(
        upper,
        [{"input": "a", "expected": "A"}, {"input": "bcde", "expected": "x"}],
        scorers=[EqualsExpected(), ShortAnswer()],
        progress=False,
    ).wait(WAIT_S)
    df = ev.to_pandas()
    assert list(df["EqualsExpected"]) == [True, False]
    assert list(df["ShortAnswer"]) == [True, False]
