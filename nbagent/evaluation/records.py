"""An evaluation as data: its rows (``to_pandas``), its file (``save`` / ``load``), the
changes from a baseline, its means, its cases counted by status and its outcome in a word,
and its headline as static HTML (the table's: ``nbagent.evaluation.static``).

The file is JSONL: a header line ``{"nbagent_evaluation": 1, "title", "scores"}``, then one
line per case with its fields, scores, rating and its run's transcript (``to_dict``).
"""

from __future__ import annotations

import html
import json
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nbagent.evaluation.cases import EvalCase
from nbagent.transcript.transcript import Transcript

__all__ = [
    "FILE_VERSION",
    "HEADER_KEY",
    "changes",
    "counted",
    "deltas",
    "headline",
    "means",
    "outcome",
    "read_file",
    "reviewed",
    "row",
    "score_names",
    "status_counts",
    "summary_html",
    "write_file",
]

HEADER_KEY = "nbagent_evaluation"
FILE_VERSION = 1


# The order counts are said in: what ended, the worst news after the good, then what has not.
_COUNT_ORDER = ("completed", "error", "cancelled", "skipped", "running", "queued")


def status_counts(counts: Mapping[str, int]) -> str:
    """Each status some case has with its count, in a fixed order: "1 completed, 19 error"."""
    order = [*_COUNT_ORDER, *(s for s in counts if s not in _COUNT_ORDER)]
    return ", ".join(f"{counts[s]} {s}" for s in order if counts.get(s))


def counted(cases: Sequence[EvalCase]) -> str:
    """The cases counted by status: "20 cases (1 completed, 19 error)", "1 case (1 queued)"."""
    n = len(cases)
    counts = status_counts(Counter(c.status for c in cases))
    return f"{n} case{'' if n == 1 else 's'}" + (f" ({counts})" if counts else "")


def outcome(cases: Sequence[EvalCase], *, done: bool, cancelled: bool) -> str:
    """An evaluation in a word: ``running`` until every case has ended (a case run again
    too), ``cancelled`` when it was stopped, ``completed`` only when every case completed,
    else ``ended`` (cases in error, or skipped over the cost budget: their counts say which)."""
    if not done or any(c.status in ("queued", "running") for c in cases):
        return "running"
    if cancelled:
        return "cancelled"
    return "completed" if all(c.status == "completed" for c in cases) else "ended"


def score_names(cases: Iterable[EvalCase]) -> list[str]:
    """Every score column, in the order they first appear."""
    names: dict[str, None] = {}
    for case in cases:
        for name in case.scores:
            names.setdefault(name, None)
    return list(names)


def row(case: EvalCase, names: Sequence[str], delta: dict[str, float] | None) -> dict[str, Any]:
    """One case as a row of ``to_pandas``."""
    out: dict[str, Any] = {
        "name": case.name,
        "input": case.input,
        "expected": case.expected,
        "output": case.output,
        "status": case.status,
        "error": case.error,
        **case.metrics(),
    }
    for name in names:
        out[name] = case.scores.get(name)
    out["score_errors"] = dict(case.score_errors) or None
    if delta is not None:
        for name in names:
            out[f"{name}_delta"] = delta.get(name)
    out["repeat"] = case.repeat
    out["rating"] = case.rating
    out["comment"] = case.comment
    return out


def _number(value: Any) -> float | None:
    """A score as a number (a bool as 0 / 1); None for text and missing scores."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)) and not math.isnan(value):
        return float(value)
    return None


def means(cases: Iterable[EvalCase], names: Sequence[str]) -> dict[str, float | None]:
    """The mean of each numeric (or bool) score over the cases that have it."""
    out: dict[str, float | None] = {}
    cases = list(cases)
    for name in names:
        values = [v for c in cases if (v := _number(c.scores.get(name))) is not None]
        out[name] = sum(values) / len(values) if values else None
    return out


def deltas(
    cases: Sequence[EvalCase], baseline: Sequence[EvalCase], names: Sequence[str]
) -> list[dict[str, float] | None]:
    """Per case, each numeric score minus the baseline's for the same case (matched by name,
    else by dataset position, and repetition); None where the baseline has no such case."""
    before = {c.key: c for c in baseline}
    out: list[dict[str, float] | None] = []
    for case in cases:
        old = before.get(case.key)
        if old is None:
            out.append(None)
            continue
        changes: dict[str, float] = {}
        for name in names:
            now, then = _number(case.scores.get(name)), _number(old.scores.get(name))
            if now is not None and then is not None:
                changes[name] = now - then
        out.append(changes)
    return out


def changes(
    cases: Sequence[EvalCase], baseline: Sequence[EvalCase], names: Sequence[str]
) -> dict[str, dict[str, float | None]]:
    """Per score: its mean over ``cases``, over ``baseline``, and the change."""
    now, before = means(cases, names), means(baseline, names)
    out: dict[str, dict[str, float | None]] = {}
    for name in names:
        a, b = now[name], before[name]
        out[name] = {"mean": a, "baseline": b, "change": None if a is None or b is None else a - b}
    return out


def reviewed(cases: Iterable[EvalCase]) -> list[dict[str, Any]]:
    """The rated cases as case dicts (``Evaluation.to_dataset``): one per dataset case."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str | int, int]] = set()
    for case in cases:
        key = (case.key[0], 0)  # one case per dataset case, whichever repetition is rated
        if case.rating is None or key in seen:
            continue
        seen.add(key)
        item = {
            "input": case.input,
            "expected": case.output if case.rating else case.expected,
            "metadata": case.metadata,
        }
        if case.name is not None:
            item["name"] = case.name
        out.append(item)
    return out


def _json(value: Any) -> Any:
    """``value`` as JSON can hold it (else its text)."""
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


def write_file(path: str | os.PathLike[str], title: str, cases: Sequence[EvalCase]) -> Path:
    """Write the evaluation to ``path`` (JSONL, see the module's docstring)."""
    target = Path(path)
    header = {HEADER_KEY: FILE_VERSION, "title": title, "scores": score_names(cases)}
    with target.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(header) + "\n")
        for case in cases:
            line = {
                "index": case.index,
                "name": case.name,
                "source": case.source,
                "repeat": case.repeat,
                "input": _json(case.input),
                "expected": _json(case.expected),
                "metadata": _json(case.metadata),
                "status": case.status,
                "output": _json(case.output),
                "error": case.error,
                "scores": {k: _json(v) for k, v in case.scores.items()},
                "score_errors": case.score_errors,
                "rating": case.rating,
                "comment": case.comment,
                "transcript": case.transcript.to_dict(),
            }
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return target


def read_file(path: str | os.PathLike[str]) -> tuple[str, list[EvalCase]]:
    """The title and cases of a file ``write_file`` wrote; ``ValueError`` for another file."""
    with open(path, encoding="utf-8-sig") as fh:
        lines = [line for line in fh if line.strip()]
    if not lines:
        raise ValueError(f"{os.fspath(path)} is empty, not an nbagent evaluation")
    try:
        header = json.loads(lines[0])
    except json.JSONDecodeError:
        header = None
    if isinstance(header, dict) and HEADER_KEY in header and header[HEADER_KEY] != FILE_VERSION:
        # An evaluation all the same: say so, rather than that it is none.
        raise ValueError(
            f"{os.fspath(path)} is an nbagent evaluation of file version "
            f"{header[HEADER_KEY]!r}; this nbagent reads version {FILE_VERSION}"
        )
    if not isinstance(header, dict) or header.get(HEADER_KEY) != FILE_VERSION:
        raise ValueError(
            f"{os.fspath(path)} is not an nbagent evaluation (ev.save() writes one); "
            "a run's recording is read by nbagent.load() or nbagent.replay()"
        )
    cases = []
    for number, line in enumerate(lines[1:], 2):
        try:
            d = json.loads(line)
            case = EvalCase(
                index=int(d["index"]),
                input=d["input"],
                expected=d.get("expected"),
                metadata=d.get("metadata"),
                name=d.get("name"),
                source=int(d.get("source", 0)),
                repeat=int(d.get("repeat", 0)),
                status=str(d["status"]),
                output=d.get("output"),
                error=d.get("error"),
                scores=dict(d.get("scores") or {}),
                score_errors=dict(d.get("score_errors") or {}),
                rating=d.get("rating"),
                comment=str(d.get("comment") or ""),
                saved_transcript=Transcript.from_dict(d["transcript"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{os.fspath(path)}, line {number}: not a case: {exc!r}") from None
        case.given = {"input": case.input, "expected": case.expected, "metadata": case.metadata}
        cases.append(case)
    return str(header.get("title") or ""), cases


def headline(title: str, status: str, summary: str) -> str:
    """The evaluation in one line of plain text: "weather — ended: 20 cases (1 completed,
    19 error); ..." (``summary_html`` is the same line as HTML)."""
    return f"{title} — {status}: {summary}"


def summary_html(title: str, status: str, summary: str, more: str = "") -> str:
    """``headline`` as static HTML (the title in bold), then ``more`` (HTML)."""
    line = f"<b>{html.escape(title)}</b> — {html.escape(status)}: {html.escape(summary)}"
    return f'<div class="nbagent-evaluation"><p>{line}</p>{more}</div>'
