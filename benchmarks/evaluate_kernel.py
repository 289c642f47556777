"""The kernel side of ``benchmarks/evaluate.py``: the cases, the streaming task, the scorers,
and the two ways of running them (the cells call these; the kernel has the repository on
its path).

A case's answer streams as a model's does: ``DELTAS`` deltas of a few words each,
``PACE_S`` apart (~0.3 s a case), deterministic per case. ``exact`` (bool) and ``overlap``
(float) score it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from typing import Any

from benchmarks.corpus import _WORDS

__all__ = [
    "BATCH",
    "CONCURRENCY",
    "dataset",
    "evaluation",
    "exact",
    "for_loop",
    "overlap",
    "shown_chars",
    "task",
]

DELTAS = 30
PACE_S = 0.01
CONCURRENCY = 32
BATCH = CONCURRENCY
"""The for loop's cases at once: ``nbagent.show`` 32 of them, wait for all, the next 32."""


def _answer(seed: str) -> list[str]:
    rng = random.Random(seed)
    return [
        " ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 5))) + " " for _ in range(DELTAS)
    ]


def dataset(n: int) -> list[dict[str, Any]]:
    """``n`` cases: a question (~60 characters) and the word its answer should contain."""
    cases = []
    for i in range(n):
        rng = random.Random(i)
        question = f"Case {i}: " + " ".join(rng.choice(_WORDS) for _ in range(8)) + "?"
        cases.append({"input": question, "expected": _answer(question)[-1].split()[0]})
    return cases


def task(question: str) -> Iterator[str]:
    """The answer to ``question``, streamed: ``DELTAS`` deltas, ``PACE_S`` apart."""
    start = time.monotonic()
    for i, delta in enumerate(_answer(question)):
        delay = start + i * PACE_S - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        yield delta


def exact(case: dict[str, Any], transcript: Any) -> bool:
    """Whether the answer contains the expected word."""
    return str(case["expected"]) in transcript.text.split()


def overlap(case: dict[str, Any], transcript: Any) -> float:
    """The share of the question's words the answer repeats."""
    asked = set(str(case["input"]).rstrip("?").split()[2:])
    return len(asked & set(transcript.text.split())) / max(1, len(asked))


def shown_chars(inputs: list[str], outputs: list[str]) -> int:
    """The text a table of these cases shows: each row's input and answer (characters)."""
    return sum(len(i) + len(o) for i, o in zip(inputs, outputs, strict=True))


def evaluation(n: int, *, display: bool = True) -> Any:
    """``nbagent.evaluate`` over ``n`` cases at ``CONCURRENCY`` (await it)."""
    import nbagent

    return nbagent.evaluate(
        task, dataset(n), scorers=[exact, overlap], concurrency=CONCURRENCY, display=display
    )


def evaluation_text(ev: Any) -> int:
    """``shown_chars`` of a finished evaluation."""
    return shown_chars([c.input for c in ev.cases], [c.transcript.text for c in ev.cases])


def for_loop(n: int) -> dict[str, Any]:
    """The way without ``evaluate``: ``nbagent.show(task(x))`` for every case, ``BATCH`` at a
    time (each batch awaited before the next), then the same scorers over the transcripts."""
    import nbagent

    cases = dataset(n)
    runs: list[Any] = []
    for k in range(0, n, BATCH):
        batch = [nbagent.show(task(c["input"])) for c in cases[k : k + BATCH]]
        for run in batch:
            run.wait(300)
        runs.extend(batch)
    scores = [
        (exact(c, r.transcript), overlap(c, r.transcript)) for c, r in zip(cases, runs, strict=True)
    ]
    text = shown_chars([c["input"] for c in cases], [r.transcript.text for r in runs])
    return {"runs": runs, "scores": scores, "text": text}
