"""pytest-benchmark case for ``benchmarks/acp.py``'s turn (``make bench``; not ``make test``):
the flood agent's updates through the whole kernel side, in process.

.venv/bin/pytest benchmarks/test_acp.py --benchmark-only
"""

from __future__ import annotations

import os

from benchmarks.acp import shown_bytes
from benchmarks.acp_agent import FILE_LINES, mix, notifications
from benchmarks.inprocess import ingest

UPDATES = int(os.environ.get("NBAGENT_BENCH_ACP_UPDATES", "10000"))
ROUNDS = int(os.environ.get("NBAGENT_BENCH_ROUNDS", "5"))


def test_acp_turn(benchmark) -> None:
    items = notifications(UPDATES)
    transcript, sent = benchmark.pedantic(
        ingest, args=(items, "acp"), rounds=ROUNDS, warmup_rounds=1
    )
    # The turn is the mix, folded whole: every chunk, call and diff, not a short cut.
    m = mix(UPDATES)
    assert transcript.status == "completed", transcript.error
    assert transcript.deltas == m["chunks"]
    calls = transcript.tool_calls
    assert len(calls) == m["calls"]
    assert all(c.state == "done" for c in calls)
    diffs = [c for c in calls if str(c.result).startswith("```diff")]
    assert len(diffs) == m["diffs"]
    assert all(str(c.result).count("\n") > FILE_LINES * 0.8 for c in diffs)
    assert shown_bytes(transcript.to_dict()) > sum(len(str(c.result)) for c in diffs)
    assert sent >= 1
