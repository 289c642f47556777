"""An evaluation's cases: what ``evaluate()`` reads from its dataset, and what each case holds
as it runs (its status, run, output, scores, the reviewer's rating).

A dataset is a list of inputs (``str`` or dicts without an ``"input"`` key), a list of case
dicts ``{"input", "expected", "metadata", "name"}``, a pandas DataFrame (one row per case, its
columns named so), a JSONL file's path (one case dict or input per line), or a
``pydantic_evals.Dataset`` (read through ``nbagent.evaluation.pydantic_evals``).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nbagent.core.values import type_is
from nbagent.transcript.transcript import Transcript

if TYPE_CHECKING:
    from nbagent.runtime.run import Run

__all__ = ["ENDED", "STATUSES", "EvalCase", "cases_from", "is_pydantic_dataset"]

STATUSES = ("queued", "running", "completed", "error", "cancelled", "skipped")
"""A case's ``status``: ``skipped`` is a case that never started (the evaluation was cancelled,
or its cost budget reached, before its turn); its ``error`` says which."""
ENDED = frozenset(("completed", "error", "cancelled", "skipped"))

_CASE_KEYS = frozenset(("input", "expected", "metadata", "name"))


@dataclass(eq=False)
class EvalCase:
    """One case of an :class:`nbagent.Evaluation` (``ev.cases[i]``): its input, what is
    expected, and, as it runs, its ``status``, ``run`` (an ordinary :class:`nbagent.Run`, not
    displayed on its own), ``output``, ``scores`` and the reviewer's ``rating``/``comment``.

    ``status``: ``queued``, ``running``, ``completed``, ``error``, ``cancelled``, or
    ``skipped`` (never started: cancelled or over budget before its turn; ``error`` says
    which). ``repeat``: which repetition of the dataset's case ``source`` this is
    (``evaluate(repeat=n)``). ``given``: the case as the dataset gave it, what scorers get.
    """

    index: int
    """Its position in ``ev.cases``."""
    input: Any
    expected: Any = None
    metadata: Any = None
    name: str | None = None
    source: int = 0
    """Its position in the dataset (the same for every repetition)."""
    repeat: int = 0
    given: Any = None
    status: str = "queued"
    output: Any = None
    """The run's answer text; for a function task returning a plain value, that value."""
    error: str | None = None
    run: Run | None = None
    scores: dict[str, Any] = field(default_factory=dict)
    """Column name → value, in the order the scorers gave them."""
    score_errors: dict[str, str] = field(default_factory=dict)
    """Scorer name → the error it raised (its columns stay None)."""
    rating: bool | None = None
    """Thumbs up (True), down (False), or not rated (None): ``ev.rate(i, ...)``."""
    comment: str = ""
    saved_transcript: Transcript | None = None
    """The transcript of a case read back from a file (``Evaluation.load``): it has no run."""

    @property
    def transcript(self) -> Transcript:
        """The case's run's transcript (an empty one before it starts)."""
        if self.run is not None:
            return self.run.transcript
        if self.saved_transcript is None:
            self.saved_transcript = Transcript()
        return self.saved_transcript

    def restart(self) -> None:
        """Forget the last run's results (Re-run case): the rating and comment stay."""
        self.status, self.output, self.error, self.run = "queued", None, None, None
        self.scores, self.score_errors = {}, {}
        self.saved_transcript = None

    @property
    def done(self) -> bool:
        """True once the case has ended, however (``skipped`` too)."""
        return self.status in ENDED

    @property
    def number(self) -> str:
        """Its number as its row in the table shows it, from 1: "8", "8·2" (a second
        repetition); its run's title says it too."""
        return f"{self.index + 1}" + (f"·{self.repeat + 1}" if self.repeat else "")

    @property
    def key(self) -> tuple[str | int, int]:
        """What a baseline matches it by: its name (else its dataset position) and repetition."""
        return (self.name if self.name is not None else self.source, self.repeat)

    def metrics(self) -> dict[str, Any]:
        """Latency, time to first token, tokens, cost and tool calls, from its transcript."""
        t = self.transcript
        usage = t.usage
        ran = self.status != "skipped"
        return {
            "latency_s": t.elapsed_s if ran and t.started_at is not None else None,
            "ttft_s": t.ttft_s,
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cost_usd": t.cost_usd,
            "tool_calls": len(t.tool_calls),
        }


def is_pydantic_dataset(obj: Any) -> bool:
    """Whether ``obj`` is a ``pydantic_evals.Dataset`` (by type: nothing is imported)."""
    return type_is(obj, "pydantic_evals", "Dataset")


def cases_from(dataset: Any, repeat: int = 1) -> list[EvalCase]:
    """The cases of ``dataset`` (any form but a pydantic-evals one), each ``repeat`` times,
    repetitions of a case next to each other."""
    if repeat < 1:
        raise ValueError(f"repeat must be >= 1, got {repeat!r}")
    items = list(_items(dataset))
    if not items:
        raise ValueError("evaluate() got an empty dataset")
    out: list[EvalCase] = []
    for source, item in enumerate(items):
        fields = _fields(item)
        # A bare input is given to scorers as a case dict, like the others.
        given = item if _is_case(item) else {"input": item, "expected": None, "metadata": None}
        for r in range(repeat):
            out.append(EvalCase(index=len(out), source=source, repeat=r, given=given, **fields))
    return out


def _items(dataset: Any) -> Iterable[Any]:
    if isinstance(dataset, (str, os.PathLike)):
        return _read_jsonl(Path(dataset))
    if type_is(dataset, "pandas", "DataFrame"):
        if "input" not in dataset.columns:
            raise ValueError(
                "a DataFrame dataset needs an 'input' column (and optionally 'expected', "
                f"'metadata', 'name'); it has {list(dataset.columns)!r}"
            )
        return [
            {str(k): _plain(v) for k, v in row.items()} for row in dataset.to_dict(orient="records")
        ]
    if isinstance(dataset, Mapping) or not isinstance(dataset, Iterable):
        raise TypeError(
            "evaluate() takes a dataset as a list of inputs or case dicts, a pandas DataFrame, "
            f"a JSONL file's path or a pydantic_evals.Dataset; got {type(dataset).__name__}"
        )
    return dataset


def _plain(value: Any) -> Any:
    """A DataFrame cell: pandas' missing values (NaN, NA, NaT) as None."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if type_is(value, "pandas", "NAType", "NaTType"):
        return None
    return value


def _read_jsonl(path: Path) -> list[Any]:
    items = []
    with path.open(encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}, line {number}: not JSON: {exc}") from None
    return items


def _is_case(item: Any) -> bool:
    if isinstance(item, Mapping):
        return "input" in item
    return hasattr(item, "input") and not isinstance(item, (str, bytes))


def _fields(item: Any) -> dict[str, Any]:
    """A dataset item as the case's fields: a case dict (it has ``"input"``), an object with
    ``input`` (and ``expected``, ``metadata``, ``name``), or else an input itself."""
    if isinstance(item, Mapping) and _is_case(item):
        extra = set(item) - _CASE_KEYS
        metadata = item.get("metadata")
        if extra and metadata is None:  # other columns of a row: kept as its metadata
            metadata = {k: item[k] for k in item if k in extra}
        name = item.get("name")
        return {
            "input": item["input"],
            "expected": item.get("expected"),
            "metadata": metadata,
            "name": None if name is None else str(name),
        }
    if _is_case(item):
        name = getattr(item, "name", None)
        return {
            "input": item.input,
            "expected": getattr(item, "expected", None),
            "metadata": getattr(item, "metadata", None),
            "name": None if name is None else str(name),
        }
    return {"input": item}
