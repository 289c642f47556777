"""An evaluation's table as its widget shows it: one row per case, the header above.

A row holds what the table shows of a case, its input and answer cut to ``INPUT_CHARS`` and
``OUTPUT_CHARS`` (the case's run view has the whole); the header the counts, the time, the
tokens and cost, and each score's mean (and change against the baseline).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol

from nbagent.evaluation import records
from nbagent.evaluation.cases import EvalCase
from nbagent.frameworks.kit.tasks import prompt_of
from nbagent.widget.wire import compact_state

__all__ = [
    "INPUT_CHARS",
    "OUTPUT_CHARS",
    "Evaluation",
    "compact_state",
    "header_of",
    "row_of",
    "saved_rows",
    "text_of",
]


class Evaluation(Protocol):
    """What the board reads of an ``nbagent.Evaluation`` (which makes the board)."""

    cases: list[EvalCase]
    title: str
    started_at: float
    ended_at: float | None

    @property
    def baseline(self) -> Any: ...
    @property
    def done(self) -> bool: ...
    @property
    def status(self) -> str: ...
    @property
    def score_names(self) -> list[str]: ...
    @property
    def shown_score_names(self) -> list[str]: ...
    @property
    def deltas(self) -> list[dict[str, float] | None]: ...
    @property
    def changes(self) -> dict[str, dict[str, float | None]]: ...
    def on_change(self, callback: Callable[[EvalCase], None]) -> None: ...
    def on_done(self, callback: Callable[[], None]) -> None: ...
    def cancel(self) -> None: ...
    def rerun(self, i: int) -> None: ...
    def rate(self, i: int, up: bool | None, comment: str = "") -> None: ...
    def to_html(self) -> str: ...
    def summary(self) -> str: ...


INPUT_CHARS = 500
"""Characters of a case's input and expected output in its row (its run view has the rest)."""
OUTPUT_CHARS = 2000
"""Characters of a case's answer in its row (its run view has the rest)."""


_WHOLE = frozenset(("i", "status"))
"""A row's fields sent even when empty (the page reads a missing one as empty)."""


def _ms(seconds: float | None) -> float | None:
    """Seconds to the millisecond (the table shows no finer)."""
    return None if seconds is None else round(seconds, 3)


def _empty(value: Any) -> bool:
    """None, "" or {} (a thumbs down, False, and a 0 are values)."""
    return value is None or (isinstance(value, (str, dict)) and not value)


def _shown(value: Any, limit: int) -> str | None:
    """A value as a row shows it: text as it is, anything else as JSON; cut at ``limit``."""
    if value is None:
        return None
    text = value if isinstance(value, str) else prompt_of(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown_float(value: float) -> float:
    """A float to 6 significant digits: the table shows 3, and sorts by these (the kernel
    keeps every digit, for ``to_pandas``)."""
    return float(f"{value:.6g}")


def _json_value(value: Any) -> Any:
    """A score as JSON holds it (else its text); a float to the digits shown (``_shown_float``)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return _shown_float(value) if value == value and abs(value) != float("inf") else str(value)
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


def _output_of(case: EvalCase) -> str:
    """The answer so far (the transcript's text while it runs)."""
    if case.status == "running" or case.output is None:
        return case.transcript.text[:OUTPUT_CHARS]
    return _shown(case.output, OUTPUT_CHARS) or ""


def _changed(delta: dict[str, float] | None) -> bool:
    """Whether a case's scores moved against the baseline's."""
    return delta is not None and any(abs(v) > 1e-12 for v in delta.values())


def filter_counts(ev: Evaluation, deltas: list[dict[str, float] | None]) -> dict[str, int]:
    """How many cases each filter of the table shows (``js/src/widget/evaluation/rows.js``
    ``TESTS``): sent in the header, so the page need not count a thousand rows per message."""
    deltas = deltas or [None] * len(ev.cases)
    n = {"All": len(ev.cases), "Failures": 0, "Errors": 0, "Changed": 0}
    for case, delta in zip(ev.cases, deltas, strict=True):
        failed = case.status == "error"
        n["Failures"] += failed or any(v is False for v in case.scores.values())
        n["Errors"] += failed or bool(case.score_errors)
        n["Changed"] += _changed(delta)
    return n


def row_of(case: EvalCase, delta: dict[str, float] | None) -> dict[str, Any]:
    """One case as a row of the widget's table (``delta``: against the baseline, or None)."""
    row: dict[str, Any] = {
        "i": case.index,
        "name": case.name,
        "input": _shown(case.input, INPUT_CHARS) or "",
        "expected": _shown(case.expected, INPUT_CHARS),
        "metadata": _shown(case.metadata, INPUT_CHARS),  # what the scorers were given
        "output": _output_of(case),
        "status": case.status,
        "error": case.error,
        "scores": {k: _json_value(v) for k, v in case.scores.items()},
        "score_errors": dict(case.score_errors),
        **{k: _ms(v) if k in ("latency_s", "ttft_s") else v for k, v in case.metrics().items()},
        "repeat": case.repeat,
        "rating": case.rating,
        "comment": case.comment,
    }
    if case.status in ("queued", "skipped"):
        del row["tool_calls"]  # none made yet, not "0"
    elif case.status == "running":
        row["latency_s"] = None  # known at its end (the row does not tick)
    if delta is not None:
        row["deltas"] = {k: _shown_float(v) for k, v in delta.items()}
        row["changed"] = _changed(delta)
    # What is not there is empty: a thousand rows of nulls are most of a table's bytes.
    if not row.get("changed"):
        row.pop("changed", None)
    if not row["repeat"]:
        del row["repeat"]
    return {k: v for k, v in row.items() if k in _WHOLE or not _empty(v)}


_IMPLIED = frozenset(
    (
        *("version", "run_id", "title", "status", "end_reason", "started_at"),
        *("first_token_at", "ended_at", "deltas", "generating_s", "usage", "blocks"),
    )
)
"""What a saved run may hold and still be implied by its row (a run that is its answer)."""


def saved_rows(
    rows: list[dict[str, Any]], states: list[dict[str, Any] | None]
) -> list[dict[str, Any] | None]:
    """What a saved notebook keeps of each case, its answer once: a run that is only its
    answer is implied by its row (``"t": 1`` and no transcript: the page makes the run from
    the row, ``js/src/widget/evaluation/detail.js``); else a row leaves out an answer its transcript
    has (``text_of``). Changes ``rows``; returns the transcripts to save."""
    kept: list[dict[str, Any] | None] = []
    for row, state in zip(rows, states, strict=True):
        if state is not None and _implied(row, state):
            row["t"] = 1
            kept.append(None)
            continue
        kept.append(state)
        text = text_of(state)
        if row.get("output", "") == text:
            row.pop("output", None)
        elif "output" not in row:
            row["output"] = ""  # an empty answer, not its transcript's text
    return kept


def _implied(row: dict[str, Any], state: dict[str, Any]) -> bool:
    blocks = state.get("blocks") or []
    if row.get("status") != "completed" or state.get("status") != "completed":
        return False
    if set(state) - _IMPLIED or set(state.get("usage") or {}) - {"input_tokens", "output_tokens"}:
        return False
    if len(blocks) != 1 or set(blocks[0]) - {"type", "id", "text", "refusal"}:
        return False
    block = blocks[0]
    return (
        block.get("type") == "text"
        and not block.get("refusal")
        and (block.get("text") == row.get("output"))
    )


def text_of(state: dict[str, Any] | None) -> str:
    """A saved run's answer as a row shows it (``js/src/widget/evaluation/rows.js`` ``textOf``):
    its text blocks, a blank line between two."""
    blocks = (state or {}).get("blocks") or []
    texts = [str(b.get("text") or "") for b in blocks if b.get("type") == "text"]
    return "\n\n".join(texts)[:OUTPUT_CHARS]


def header_of(ev: Evaluation, deltas: list[dict[str, float] | None]) -> dict[str, Any]:
    """The table's header: counts (each filter's too), time, tokens, cost, each score's mean
    (and change); ``deltas`` is ``ev.deltas``."""
    counts = Counter(c.status for c in ev.cases)
    done = sum(counts[s] for s in ("completed", "error", "cancelled", "skipped"))
    now = time.time()
    end = ev.ended_at if ev.ended_at is not None and not counts["running"] else now
    elapsed = end - ev.started_at
    ran = done - counts["skipped"]
    left = counts["queued"] + counts["running"]
    eta = elapsed / ran * left if ran and left and not ev.done else None
    costs = [c.transcript.cost_usd for c in ev.cases if c.status not in ("queued", "skipped")]
    known = [c for c in costs if c is not None]
    usage = [c.transcript.usage for c in ev.cases if c.status not in ("queued", "skipped")]
    means = records.means(ev.cases, ev.shown_score_names)
    return {
        "status": "running" if not ev.done or counts["running"] else ev.status,
        "total": len(ev.cases),
        "done": done,
        **{s: counts[s] for s in ("running", "queued", "cancelled", "skipped")},
        "errors": counts["error"],
        "elapsed_s": _ms(elapsed),
        "eta_s": _ms(eta),
        "input_tokens": sum(u.input_tokens or 0 for u in usage),
        "output_tokens": sum(u.output_tokens or 0 for u in usage),
        "cost_usd": sum(known) if known else None,
        "filters": filter_counts(ev, deltas),
        "means": {k: _json_value(v) for k, v in means.items()},
        "changes": {
            name: {k: _json_value(v) for k, v in change.items()}
            for name, change in ev.changes.items()
        },
    }
