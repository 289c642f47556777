"""``nbagent.load(path)`` reads back whatever nbagent wrote: an evaluation's file
(``ev.save()``) as an ``nbagent.Evaluation``, a run's recording as the lazy iterator of its
events it always gave, and says clearly what is wrong with a file that is neither."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest

import nbagent
from nbagent import Evaluation, JSONLError
from nbagent.evaluation.records import FILE_VERSION, HEADER_KEY

WAIT_S = 60  # a bound on a hang, never a measure: the waits below end on an event


def exact(case: Any, transcript: Any, output: Any) -> bool:
    return bool(output == case["expected"])


def length(case: Any, transcript: Any, output: Any) -> float:
    return float(len(output))


def saved(tmp_path: Path) -> tuple[Evaluation, Path]:
    dataset = [
        {"input": "a", "expected": "A", "name": "first"},
        {"input": "bb", "expected": "bb", "metadata": {"kind": "long"}},
        "c",
    ]
    ev = nbagent.evaluate(str.upper, dataset, scorers=[exact, length], progress=False)
    ev.wait(WAIT_S)
    ev.rate(1, False, "should be upper case")
    return ev, ev.save(tmp_path / "eval.jsonl")


def test_load_gives_an_evaluation_back_equal_in_rows(tmp_path: Path) -> None:
    ev, path = saved(tmp_path)
    back = nbagent.load(path)
    assert isinstance(back, Evaluation)
    assert back.done
    assert back.status == "completed"
    assert back.title == ev.title
    assert back.score_names == ["exact", "length"]
    assert back.rows() == ev.rows()  # every column: scores, metrics from the transcripts, ratings
    assert [c.rating for c in back.cases] == [None, False, None]
    assert back.cases[1].comment == "should be upper case"
    assert back.cases[0].transcript.text == ev.cases[0].transcript.text
    # str(path) as well as a Path, and blank lines before the header change nothing.
    padded = tmp_path / "padded.jsonl"
    padded.write_text("\n  \n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    again = nbagent.load(str(padded))
    assert isinstance(again, Evaluation)
    assert [c.output for c in again.cases] == ["A", "BB", "C"]


def test_a_recording_still_loads_as_a_lazy_iterator_of_events(tmp_path: Path) -> None:
    run = nbagent.show(iter(["hello ", "world"]))
    run.wait(WAIT_S)
    path = run.save(tmp_path / "run.jsonl")
    events = nbagent.load(path)
    assert inspect.isgenerator(events)  # lazy, as sources.files.load has always been
    assert nbagent.Transcript.from_events(events).text == "hello world"
    # A bad line is reported when reached, naming the file and the line, as before.
    broken = tmp_path / "broken.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join([lines[0], "not json", *lines[1:]]) + "\n", encoding="utf-8")
    read = nbagent.load(broken)
    assert next(iter(read)).kind == "run_start"
    with pytest.raises(JSONLError, match=r"broken\.jsonl, line 2") as bad:
        list(read)
    assert "neither" not in str(bad.value)  # a recording all the same, damaged


def test_a_missing_file_fails_when_iterated_as_before(tmp_path: Path) -> None:
    events = nbagent.load(tmp_path / "nowhere.jsonl")  # no error yet: the iterator is lazy
    with pytest.raises(FileNotFoundError):
        list(events)


def test_a_file_that_is_neither_says_so(tmp_path: Path) -> None:
    other = tmp_path / "other.jsonl"
    other.write_text('{"question": "what?", "answer": 42}\n', encoding="utf-8")
    neither = r"a run's recording .* or an evaluation's file \(ev\.save\(\)\); this is neither"
    with pytest.raises(JSONLError, match=r"other\.jsonl, line 1: .*" + neither):
        list(nbagent.load(other))
    csv = tmp_path / "table.csv"
    csv.write_text("input,expected\na,A\n", encoding="utf-8")
    with pytest.raises(JSONLError, match=r"table\.csv, line 1: .*" + neither):
        list(nbagent.load(csv))
    # An evaluation's header from another version of the file: said, not taken for a recording.
    newer = tmp_path / "newer.jsonl"
    newer.write_text(json.dumps({HEADER_KEY: FILE_VERSION + 1, "title": "t"}) + "\n")
    with pytest.raises(ValueError, match=r"file version 2; this nbagent reads version 1"):
        nbagent.load(newer)
    # An evaluation's file cut short: the case line is named.
    cut = tmp_path / "cut.jsonl"
    cut.write_text(json.dumps({HEADER_KEY: FILE_VERSION, "title": "t"}) + '\n{"index": 0}\n')
    with pytest.raises(ValueError, match=r"cut\.jsonl, line 2: not a case"):
        nbagent.load(cut)


def test_the_public_load_says_both_in_its_docstring() -> None:
    assert "load" in nbagent.__all__
    doc = nbagent.load.__doc__ or ""
    assert "Evaluation" in doc
    assert "recording" in doc
