"""An evaluation says how its cases ended (issue 49): its plain-text and HTML copies count the
cases by status, and its word for the whole is ``completed`` only when every case completed."""

from __future__ import annotations

import re
from typing import Any

import pytest

import nbagent
from nbagent import Evaluation, TextDelta, Usage
from tests.recording import RecordingComm
from tests.test_evaluate_widget import traits, widget_comm
from tests.wait import wait_for

WAIT_S = 60  # a bound on a hang, never a measure


def mostly_failing(x: int) -> str:
    if x:
        raise RuntimeError(f"case {x} broke")
    return "fine"


def said_completed(text: str) -> list[str]:
    """Where ``text`` says "completed" other than as a count ("1 completed")."""
    return re.findall(r"(?<!\d )\bcompleted\b", text)


def headline_of(html: str) -> str:
    """The line above the static table, its tags dropped."""
    match = re.search(r"<p>(.*?)</p>", html)
    assert match, html
    return re.sub(r"<[^>]+>", "", match.group(1))


def test_19_of_20_in_error_is_never_called_completed() -> None:
    ev = nbagent.evaluate(mostly_failing, list(range(20)), progress=False).wait(WAIT_S)
    assert [c.status for c in ev.cases].count("error") == 19
    assert ev.status == "ended"
    assert ev.summary().startswith("20 cases (1 completed, 19 error)")
    text = repr(ev)
    assert text.startswith("<nbagent.Evaluation 'evaluation' ended: 20 cases (1 completed")
    head = headline_of(ev.to_html())
    assert head.startswith("evaluation — ended: 20 cases (1 completed, 19 error)")
    for words in (text, head):
        assert said_completed(words) == [], words


@pytest.mark.parametrize(
    ("task", "dataset", "kw", "status", "counts"),
    [
        (str.upper, ["a", "b"], {}, "completed", "2 cases (2 completed)"),
        (mostly_failing, [1], {}, "ended", "1 case (1 error)"),
    ],
)
def test_the_word_for_the_whole(
    task: Any, dataset: list[Any], kw: dict[str, Any], status: str, counts: str
) -> None:
    ev = nbagent.evaluate(task, dataset, progress=False, **kw).wait(WAIT_S)
    assert (ev.status, ev.summary().split(";")[0]) == (status, counts)


def test_cases_skipped_over_budget_end_it_but_not_completed() -> None:
    def cent(x: int) -> Any:
        yield TextDelta(message_id="m", delta=str(x))
        yield Usage(input_tokens=1, output_tokens=1, scope="run", cost_usd=0.01)

    ev = nbagent.evaluate(cent, list(range(4)), progress=False, concurrency=1, max_cost_usd=0.015)
    ev.wait(WAIT_S)
    assert ev.status == "ended"
    assert ev.summary().startswith("4 cases (2 completed, 2 skipped)")


def test_the_displayed_copies_count_the_cases(
    comms: list[RecordingComm], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a notebook keeps: text/plain and the HTML copy as the evaluation ends, and the
    widget's header (the page's and a saved notebook's)."""
    shown: list[dict[str, Any]] = []

    class Handle:
        def update(self, data: dict[str, Any], raw: bool = False) -> None:
            shown.append(data)

    def display(data: dict[str, Any], **kwargs: Any) -> Handle:
        shown.append(data)
        return Handle()

    monkeypatch.setattr("IPython.display.display", display)
    monkeypatch.setattr("nbagent.evaluation.board.current_cell_id", lambda: "cell-1")
    ev: Evaluation = nbagent.evaluate(
        mostly_failing, list(range(20)), progress=False, display=True, title="weather"
    )
    ev.wait(WAIT_S)
    wait_for(lambda: len(shown) >= 2, what="the display updated at the end")
    first, last = shown[0], shown[-1]
    assert first["text/plain"].startswith("weather — running: 20 cases (")
    plain = last["text/plain"]
    assert plain.startswith("weather — ended: 20 cases (1 completed, 19 error)")
    assert headline_of(last["text/html"]) == plain
    assert said_completed(plain) == []
    header = traits(widget_comm(comms))["snapshot"]["header"]
    assert (header["status"], header["errors"], header["total"]) == ("ended", 19, 20)
    assert ev.board is not None
    assert repr(ev.board.widget) == "<nbagent.EvaluationWidget ended>"
