"""An evaluation's static copy (``ev.to_html()``, the ``text/html`` GitHub, nbconvert and the
docs show) looks like its widget: one ``<style>`` scoped to the copy, the table in a box that
scrolls sideways, the widget's column labels, number formats and ✓/✗, previews without their
markdown (``plain``, the same cases as the widget's: ``tests/fixtures/plain_text.json``), no
change of zero; and an opened case's number is its row's."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

import nbagent
from nbagent import Evaluation
from nbagent.evaluation.static import numbers, plain, table_html
from nbagent.evaluation.table import row_of

WAIT_S = 60  # a bound on a hang, never a measure

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "plain_text.json").read_text("utf-8"))


@pytest.mark.parametrize(("text", "shown"), FIXTURE["cases"])
def test_plain_previews_markdown_as_the_widget_does(text: str, shown: str) -> None:
    assert plain(text) == shown


def test_plain_is_linear_on_hostile_input() -> None:
    # Unclosed links, star runs and brackets by the thousand: one pass, no backtracking.
    for text in ("[" * 20_000 + "](", "*a" * 20_000, "](" * 20_000, "|" * 20_000 + "\n" * 5):
        assert len(plain(text)) <= len(text)


def answer(x: str) -> str:
    return f"## A scripted answer\n\nThe weather in **{x}** is *mild*.\n\n| a | b |\n|---|---|"


def passed(case: Any, transcript: Any, output: Any) -> bool:
    return bool(case["metadata"]["city"] != "Oslo")


def closeness(case: Any, transcript: Any, output: Any) -> float:
    return 0.7003 if case["input"] == "Paris" else 0.25


DATA = [
    {"input": "Paris", "expected": "mild", "metadata": {"city": "Paris"}},
    {"input": "Oslo", "expected": "cold", "metadata": {"city": "Oslo"}},
]


def evaluation(**kw: Any) -> Evaluation:
    return nbagent.evaluate(answer, DATA, scorers=[passed, closeness], progress=False, **kw).wait(
        WAIT_S
    )


CELL = r"<t[hd][^>]*>(.*?)</t[hd]>"


def cells(page: str) -> list[list[str]]:
    """The table's rows as the text of their cells (the head first)."""
    rows = re.findall(r"<tr>(.*?)</tr>", page)
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(CELL, r)] for r in rows]


def test_the_static_copy_has_the_widgets_look_labels_and_formats() -> None:
    first = evaluation(title="v1")
    page = evaluation(title="v2", baseline=first).to_html()
    # One <style>, every rule scoped to the copy; the table in a box that scrolls sideways.
    (style,) = re.findall(r"<style>(.*?)</style>", page)
    rules = [r.split("{")[0] for r in style.split("}") if r]
    assert rules
    assert all(r.startswith(".nbagent-evaluation") for r in rules), rules
    assert ".nbagent-evaluation .nbe-scroll{overflow-x:auto" in style
    assert re.search(r'<div class="nbe-scroll"><table>', page)
    assert "style=" not in page.replace("<style>", "")
    head, paris, oslo = cells(page)
    # The widget's labels, scores next to the number: no raw names.
    assert head == ["#", "status", "passed", "closeness", "input", "output", "time · tokens · cost"]
    for raw in ("latency_s", "cost_usd", "input_tokens", "true", "false", "0.7003"):
        assert raw not in page
    # ✓/✗ and 3 significant digits; the same score as the baseline's: no "+0.00".
    assert paris[:4] == ["1", "● completed", "✓", "0.7"]
    assert oslo[:4] == ["2", "● completed", "✗", "0.25"]
    table = page.split("<table>")[1]
    assert "+0.00" not in table
    assert "nbe-delta" not in table
    # Markdown stripped from the previews: no heading marks, stars or pipes.
    assert paris[5] == "A scripted answer The weather in Paris is mild. a · b"
    assert not re.search(r"##|\*\*|\|", "".join(paris + oslo))
    assert paris[6].endswith(" s")  # its latency, as the widget writes it


def test_a_change_against_the_baseline_shows_signed_and_coloured() -> None:
    rows = [
        {"i": 0, "status": "completed", "scores": {"s": 0.5}, "deltas": {"s": 0.1}},
        {"i": 1, "status": "error", "error": "boom", "scores": {"s": 0.2}, "deltas": {"s": 0}},
        {"i": 2, "status": "completed", "scores": {}, "score_errors": {"s": "judge timed out"}},
    ]
    page = table_html(rows, ["s"])
    assert '0.5<span class="nbe-delta nbe-up">+0.10</span>' in page
    assert "+0.00" not in page
    assert "nbe-delta" not in page.split("<tr>")[3]
    assert '<td class="nbe-err" title="boom">● error</td>' in page
    assert '<td class="nbe-err" title="judge timed out">error</td>' in page
    assert cells(page)[2][3:5] == ["", "boom"]  # an error with no answer shows as the answer


def test_numbers_are_the_widgets_and_a_review_shows_when_there_is_one() -> None:
    row = {"i": 2, "repeat": 1, "latency_s": 1.234, "input_tokens": 1234, "output_tokens": 5}
    assert numbers({**row, "cost_usd": 0.001}) == "1.23 s · 1,239 tok · $0.0010"
    assert numbers({"i": 0, "cost_usd": 1.5}) == "$1.50"
    assert numbers({"i": 0}) == ""
    page = table_html([{**row, "status": "completed", "rating": False, "comment": "terse"}], [])
    head, only = cells(page)
    assert head[-2:] == ["rating", "comment"]
    assert only[0] == "3·2"  # the widget's number: from 1, then the repetition
    assert only[-2:] == ["👎", "terse"]
    assert "rating" not in table_html([{**row, "status": "completed"}], [])


def test_an_opened_case_has_its_rows_number_and_its_metadata() -> None:
    ev = evaluation(title="Cities")
    assert [c.run.transcript.title for c in ev.cases if c.run] == ["Cities #1", "Cities #2"]
    row = row_of(ev.cases[1], None)
    assert json.loads(row["metadata"]) == {"city": "Oslo"}
    bare = nbagent.evaluate(str.upper, ["a"], progress=False).wait(WAIT_S)
    assert "metadata" not in row_of(bare.cases[0], None)
