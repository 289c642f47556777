"""pytest-benchmark cases for ``benchmarks/inprocess.py`` (``make bench``; not ``make test``).

.venv/bin/pytest benchmarks/test_inprocess.py --benchmark-only
"""

from __future__ import annotations

import os

import pytest

from benchmarks.inprocess import CASES, fold, ingest
from nbagent.core.events import TextDelta

DELTAS = int(os.environ.get("NBAGENT_BENCH_DELTAS", "200000"))
ROUNDS = int(os.environ.get("NBAGENT_BENCH_ROUNDS", "5"))


@pytest.mark.parametrize("case", list(CASES))
def test_ingest(benchmark, case: str) -> None:
    items = CASES[case](DELTAS)
    transcript, sent = benchmark.pedantic(ingest, args=(items,), rounds=ROUNDS, warmup_rounds=1)
    # The benchmark measures a real render of the whole stream, not a short cut.
    assert transcript.status == "completed"
    assert transcript.deltas == DELTAS
    assert len(transcript.text) == sum(len(d) for d in CASES["str"](DELTAS))
    assert sent >= 1


@pytest.mark.parametrize("case", ["normalizer+reducer"])
def test_fold(benchmark, case: str) -> None:
    """The normalizer and the reducer alone, on text deltas already decoded."""
    events = [TextDelta(message_id="m", delta="tok ") for _ in range(DELTAS)]
    transcript = benchmark.pedantic(fold, args=(events,), rounds=ROUNDS, warmup_rounds=1)
    assert len(transcript.text) == 4 * DELTAS
