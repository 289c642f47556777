"""``nbagent.load(path)``: a file nbagent wrote, read back as what it holds.

A run's recording (``run.save()``, ``nbagent.record()``: one event per line) comes back as
the lazy iterator of its events that ``nbagent.sources.files.load`` gives; an evaluation's
file (``ev.save()``: its first line the ``records.HEADER_KEY`` header) as an
:class:`nbagent.Evaluation`. The choice is made here, above both readers: ``sources`` knows
nothing of evaluations.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Union

from nbagent.core.events import Event
from nbagent.evaluation.evaluation import Evaluation
from nbagent.evaluation.records import HEADER_KEY
from nbagent.sources import files

__all__ = ["load"]

PathLike = Union[str, "os.PathLike[str]"]

# The header ``ev.save()`` writes is a short line; a first line longer than this (a recording's
# first event can be large, a binary file may have no newline at all) is read no further.
_HEADER_LIMIT = 65536


def load(path: PathLike) -> Iterator[Event] | Evaluation:
    """What a file nbagent wrote holds: a run's recording or an evaluation.

    A recording (``run.save()``, ``nbagent.record()``: nbagent's JSONL of ``Event``
    lines) gives its events, read lazily: blank lines are skipped, a bad line raises
    ``nbagent.JSONLError`` naming the file and the line number when it is reached::

        for event in nbagent.load("run.jsonl"): ...
        nbagent.show(nbagent.load("run.jsonl"))

    An evaluation's file (``ev.save("eval.jsonl")``: its first line is the evaluation
    header) gives the :class:`nbagent.Evaluation` back, as ``nbagent.Evaluation.load``
    does: its cases with their transcripts, scores and ratings, usable as a ``baseline``::

        ev = nbagent.load("eval.jsonl")
        ev.to_pandas()
    """
    if _is_evaluation(path):
        return Evaluation.load(path)
    return _events(path)


def _events(path: PathLike) -> Iterator[Event]:
    """``files.load(path)``, lazily; a file whose very first line is no event (a dataset, a
    CSV, anything else) says which two kinds of file ``nbagent.load`` reads."""
    read = False
    try:
        for event in files.load(path):
            read = True
            yield event
    except files.JSONLError as exc:
        if read:
            raise
        raise files.JSONLError(
            f"{exc}. nbagent.load() reads a run's recording (run.save(), nbagent.record(): "
            "one event per line) or an evaluation's file (ev.save()); this is neither"
        ) from None


def _is_evaluation(path: PathLike) -> bool:
    """Whether the file's first non-blank line is an evaluation's header."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            while line := fh.readline(_HEADER_LIMIT):
                if line.strip():
                    break
    except (OSError, UnicodeDecodeError):
        # Not ours to report here: the recording reader raises it when iterated, as it
        # always has (a missing file is an error of the first ``next()``, not of ``load``).
        return False
    if not line.strip() or len(line) >= _HEADER_LIMIT:
        return False
    try:
        header = json.loads(line)
    except ValueError:
        return False
    return isinstance(header, dict) and HEADER_KEY in header
