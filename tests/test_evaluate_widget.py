"""An evaluation's widget against a recording comm (no kernel): the table's change feed (a
browser that applies it holds the final table), the page's requests (open a case's run,
re-run a case, rate, stop, sync), and what a saved notebook keeps."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import nbagent
from nbagent import Evaluation
from nbagent.evaluation.board import EVALUATION_MIME
from nbagent.evaluation.table import OUTPUT_CHARS, saved_rows, text_of
from nbagent.transcript.transcript import apply_op
from nbagent.widget import widget as widget_module
from nbagent.widget.chunks import chunk
from nbagent.widget.code_model import _make_code_model
from nbagent.widget.wire import decode_ops
from tests.recording import RecordingComm, customs
from tests.wait import PATIENCE, wait_for

WAIT_S = 60  # a bound on a hang, never a measure


def widget_comm(comms: list[RecordingComm]) -> RecordingComm:
    """The evaluation widget's comm (its run widgets and layouts open their own)."""
    (c,) = [c for c in comms if "columns" in c.log[0][1].get("state", {})]
    return c


def traits(c: RecordingComm) -> dict[str, Any]:
    """The widget's traits as the browser last got them."""
    state: dict[str, Any] = {}
    for kind, data in c.log:
        if kind == "comm_open" or (kind == "comm_msg" and data.get("method") == "update"):
            state.update(copy.deepcopy(data.get("state", {})))
    return state


def apply(rows: dict[int, dict[str, Any]], partial: list[dict[str, Any]]) -> None:
    """A page's rule (``js/src/widget/evaluation/rows.js``): a row's change sets the fields it has
    (None empties one)."""
    for p in partial:
        rows.setdefault(p["i"], {"i": p["i"]}).update(p)


def page_view(c: RecordingComm) -> tuple[dict[int, dict[str, Any]], dict[str, Any]]:
    """The rows and header a page holds that got the opening snapshot and every message, in
    order (a message's header says what changed of it)."""
    opened = c.log[0][1]["state"]["snapshot"]
    rows = {r["i"]: dict(r) for r in opened["rows"]}
    seq, header = opened["seq"], dict(opened["header"])
    for m in customs(c):
        if m.get("type") == "snapshot":
            rows, seq = {r["i"]: dict(r) for r in m["rows"]}, m["seq"]
            header = dict(m["header"])
            continue
        if m["type"] == "output":
            continue
        assert m["type"] == "rows"
        assert m["seq"] == seq + 1, "a message is missing or out of order"
        seq = m["seq"]
        apply(rows, m["rows"])
        header.update(m["header"])
        for i, text in m["append"]:
            rows[i]["output"] = rows[i].get("output", "") + text  # none yet: empty
    return rows, header


def page_table(c: RecordingComm) -> dict[int, dict[str, Any]]:
    """The rows of ``page_view``."""
    return page_view(c)[0]


def saved_table(c: RecordingComm) -> dict[int, dict[str, Any]]:
    """The table a saved notebook shows: the ``snapshot`` trait's rows, an answer left out
    read from the case's transcript (``text_of``, as the page does)."""
    final = traits(c)
    rows = {r["i"]: dict(r) for r in final["snapshot"]["rows"]}
    for i, r in rows.items():
        if "output" not in r:
            r["output"] = text_of(final["transcripts"][i])
    return rows


def send(c: RecordingComm, content: dict[str, Any]) -> None:
    """A custom message from the page."""
    c.handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def words(n: int) -> Iterator[str]:
    for k in range(n):
        yield f"w{k} "


def streamed(x: str) -> Iterator[str]:
    """An answer in 40 deltas: the page sees it grow."""
    yield from words(40)
    yield x.upper()


def exact(case: Any, transcript: Any, output: Any) -> bool:
    return str(output).endswith(case["expected"])


DATASET = [{"input": f"case {k}", "expected": f"CASE {k}"} for k in range(8)]


def evaluate(task: Any, dataset: Any, **kw: Any) -> Evaluation:
    kw.setdefault("progress", False)
    return nbagent.evaluate(task, dataset, display=True, **kw)


def test_a_page_that_applies_the_feed_holds_the_final_table(comms: list[RecordingComm]) -> None:
    grow, release = threading.Event(), threading.Event()

    def task(x: str) -> Iterator[str]:
        grow.wait(PATIENCE)  # until the page has the first rows running
        yield from words(20)
        release.wait(PATIENCE)  # until the page has seen answers grow
        yield from streamed(x)

    ev = evaluate(task, DATASET, scorers=[exact], concurrency=3)
    c = widget_comm(comms)
    wait_for(lambda: any(m.get("rows") for m in customs(c)), what="rows running")
    grow.set()
    wait_for(lambda: any(m.get("append") for m in customs(c)), what="an answer growing")
    release.set()
    ev.wait(WAIT_S)
    final = traits(c)
    assert final["columns"] == ["exact"]
    saved = saved_table(c)
    shown, shown_header = page_view(c)
    keys = ("status", "output", "scores", "input", "expected", "rating", "tool_calls")
    for i in range(len(DATASET)):
        assert {k: shown[i].get(k) for k in keys} == {k: saved[i].get(k) for k in keys}
        assert saved[i]["output"] == ev.cases[i].output
        assert saved[i]["output"].startswith("w0 w1 ")
        assert saved[i]["scores"] == {"exact": True}
    header = final["snapshot"]["header"]
    assert (header["status"], header["done"], header["total"], header["means"]) == (
        "completed",
        8,
        8,
        {"exact": 1.0},
    )
    assert shown_header == header
    sent = [m["header"] for m in customs(c) if m["type"] == "rows"]
    assert min(len(h) for h in sent) < len(header)  # what changed only
    # What a saved notebook opens a case from: runs that are only their answer are implied
    # by their rows (no transcript saved twice).
    assert final["transcripts"] == [None] * 8
    assert [r.get("t") for r in final["snapshot"]["rows"]] == [1] * 8


def test_a_row_shows_a_bounded_answer(comms: list[RecordingComm]) -> None:
    evaluate(lambda x: iter(["x" * 3000, "y" * 3000]), ["a"]).wait(WAIT_S)
    c = widget_comm(comms)
    (row,) = traits(c)["snapshot"]["rows"]
    assert len(row["output"]) == OUTPUT_CHARS
    assert page_table(c)[0]["output"] == row["output"]


def test_a_row_says_what_it_knows_to_the_digits_shown(comms: list[RecordingComm]) -> None:
    """Scores, deltas and means to 6 significant digits (the table shows 3; the kernel keeps
    every digit); a case not run yet has no tool calls, not 0; a running one no latency yet."""

    def third(case: Any, transcript: Any) -> float:
        return 1 / 3 if case["input"] == "a" else 2 / 3

    base = evaluate(lambda x: f"{x}!", ["a", "b"], scorers=[third]).wait(WAIT_S)
    first = widget_comm(comms)
    ev = evaluate(lambda x: f"{x}!", ["b", "a", "c"], scorers=[third], baseline=base)
    ev.wait(WAIT_S)
    (c,) = [w for w in comms if w is not first and "columns" in w.log[0][1].get("state", {})]
    opened = c.log[0][1]["state"]["snapshot"]["rows"]
    assert [r["status"] for r in opened] == ["queued"] * 3
    assert [r.get("tool_calls") for r in opened] == [None] * 3
    rows = traits(c)["snapshot"]["rows"]
    assert [r["tool_calls"] for r in rows] == [0] * 3
    assert ev.cases[0].scores["third"] == 2 / 3  # every digit, for to_pandas
    assert [r["scores"]["third"] for r in rows] == [0.666667, 0.333333, 0.666667]
    assert [r.get("deltas") for r in rows] == [{"third": 0.333333}, {"third": -0.333333}, None]
    assert traits(c)["snapshot"]["header"]["means"] == {"third": 0.555556}


def test_the_header_counts_each_filter_as_the_page_filters(comms: list[RecordingComm]) -> None:
    """Failures: the run's error or a bool score false (a 0 is a number); Errors: the run's
    or a scorer's; Changed: a score moved against the baseline
    (js/src/widget/evaluation/rows.js)."""
    level = {"yes": 0.0}

    def task(x: str) -> str:
        if x == "boom":
            raise RuntimeError("boom")
        return x

    def ok(case: Any, transcript: Any, output: Any) -> bool:
        return output != "no"

    def judge(case: Any, transcript: Any, output: Any) -> float:
        if output == "bad":
            raise ValueError("a scorer's error")
        return level.get(output, 0.0)

    dataset = ["yes", "no", "boom", "bad", "zero"]
    base = evaluate(task, dataset, scorers=[ok, judge]).wait(WAIT_S)
    first = widget_comm(comms)
    level["yes"] = 1.0
    evaluate(task, dataset, scorers=[ok, judge], baseline=base).wait(WAIT_S)
    (c,) = [w for w in comms if w is not first and "columns" in w.log[0][1].get("state", {})]
    want = {"All": 5, "Failures": 2, "Errors": 2, "Changed": 1}
    assert traits(c)["snapshot"]["header"]["filters"] == want
    assert page_view(c)[1]["filters"] == want  # the feed's headers, applied in order
    assert traits(first)["snapshot"]["header"]["filters"] == want | {"Changed": 0}


def gate_task(release: threading.Event) -> Any:
    def task(x: str) -> Iterator[str]:
        yield f"{x} starts. "
        release.wait(PATIENCE)
        yield "done"

    return task


def test_an_opened_case_has_its_own_run_widget_live(comms: list[RecordingComm]) -> None:
    release = threading.Event()
    ev = evaluate(gate_task(release), ["a", "b", "c"], concurrency=1)
    c = widget_comm(comms)
    send(c, {"type": "open", "i": 2})  # queued: it opens as its run starts
    wait_for(lambda: ev.cases[0].status == "running", what="the first case running")
    send(c, {"type": "open", "i": 0})
    opened = wait_for(lambda: traits(c)["opened"].get("0"), what="case 0's widget")
    running = wait_for(
        lambda: r if (r := page_table(c)[0]).get("status") == "running" else None,
        what="case 0 running on the page",
    )
    assert (running.get("latency_s"), running.get("tool_calls")) == (None, 0)  # known at its end
    release.set()
    ev.wait(WAIT_S)
    wait_for(lambda: traits(c)["opened"].get("2"), what="case 2's widget, opened as it started")
    refs = traits(c)["opened"]
    for i in (0, 2):
        model = next(m for m in comms if m.comm_id == refs[str(i)].removeprefix("IPY_MODEL_"))
        state = traits(model)["snapshot"]["state"]
        assert state["status"] == "completed"
        assert ev.cases[i].transcript.text in ("a starts. done", "c starts. done")
        # What the page applied from the opening state on is the run's whole transcript.
        opening = copy.deepcopy(model.log[0][1]["state"]["snapshot"]["state"])
        for m in customs(model):
            if "ops" in m:
                for op in decode_ops(m):
                    apply_op(opening, op)
        assert opening["blocks"] == state["blocks"]
    assert opened == refs["0"]


def test_rate_rerun_and_stop_from_the_page(comms: list[RecordingComm]) -> None:
    calls: list[str] = []

    def task(x: str) -> str:
        calls.append(x)
        return f"{x}#{len(calls)}"

    ev = evaluate(task, ["a", "b"], concurrency=1).wait(WAIT_S)
    c = widget_comm(comms)
    send(c, {"type": "rate", "i": 1, "up": False, "comment": "too short"})
    wait_for(lambda: traits(c)["snapshot"]["rows"][1]["rating"] is False, what="the rating saved")
    assert (ev.cases[1].rating, ev.cases[1].comment) == (False, "too short")
    assert traits(c)["snapshot"]["rows"][1]["comment"] == "too short"

    send(c, {"type": "rerun", "i": 0})
    wait_for(lambda: ev.cases[0].output == "a#3" and ev.cases[0].done, what="case 0 again")
    wait_for(lambda: traits(c)["snapshot"]["rows"][0]["output"] == "a#3", what="the saved row")
    assert page_table(c)[0]["output"] == "a#3"
    assert traits(c)["transcripts"][0]["status"] == "completed"

    release = threading.Event()
    slow = evaluate(gate_task(release), ["x"] * 6, concurrency=2)
    c2 = [w for w in comms if "columns" in w.log[0][1].get("state", {})][-1]
    wait_for(lambda: slow.cases[1].status == "running", what="two cases running")
    send(c2, {"type": "stop"})
    slow.wait(WAIT_S)
    assert slow.status == "cancelled"
    assert [k.status for k in slow.cases] == ["cancelled"] * 2 + ["skipped"] * 4
    assert traits(c2)["snapshot"]["header"]["status"] == "cancelled"
    release.set()


def test_sync_answers_with_the_table_the_feed_goes_on_from(comms: list[RecordingComm]) -> None:
    release = threading.Event()
    ev = evaluate(gate_task(release), ["a", "b"], concurrency=2)
    c = widget_comm(comms)
    wait_for(lambda: all(k.status == "running" for k in ev.cases), what="both running")
    send(c, {"type": "sync"})
    (reply,) = [m for m in customs(c) if m["type"] == "snapshot"]
    assert [r["status"] for r in reply["rows"]] == ["running", "running"]
    release.set()
    ev.wait(WAIT_S)
    shown = page_table(c)  # checks the seq goes on from the snapshot's
    assert [shown[i]["output"] for i in (0, 1)] == ["a starts. done", "b starts. done"]


def test_a_viewer_may_open_a_case_but_not_rate_or_rerun(comms: list[RecordingComm]) -> None:
    ev = evaluate(lambda x: x, ["a"]).wait(WAIT_S)
    c = widget_comm(comms)
    nbagent.page_role("viewer")
    try:
        send(c, {"type": "rate", "i": 0, "up": True, "comment": ""})
        send(c, {"type": "rerun", "i": 0})
        send(c, {"type": "open", "i": 0})
    finally:
        nbagent.page_role("auto")
    assert ev.cases[0].rating is None
    assert ev.cases[0].status == "completed"
    assert "0" in traits(c)["opened"]


def test_bad_requests_change_nothing(comms: list[RecordingComm]) -> None:
    ev = evaluate(lambda x: x, ["a"]).wait(WAIT_S)
    c = widget_comm(comms)
    for bad in (
        {"type": "rate", "i": 5, "up": True},
        {"type": "rate", "i": "0", "up": True},
        {"type": "open", "i": -1},
        {"type": "rerun"},
        {"type": "nonsense", "i": 0},
        ["not", "a", "dict"],
    ):
        send(c, bad)  # type: ignore[arg-type]
    assert ev.cases[0].rating is None
    assert traits(c)["opened"] == {}


def test_a_loaded_evaluation_shows_its_table_and_transcripts(
    comms: list[RecordingComm], tmp_path: Any
) -> None:
    ev = nbagent.evaluate(streamed, DATASET[:3], scorers=[exact], progress=False).wait(WAIT_S)
    path = ev.save(tmp_path / "ev.jsonl")
    back = Evaluation.load(path)
    back.show()
    c = widget_comm(comms)
    final = traits(c)
    assert [r["output"] for r in saved_table(c).values()] == [k.output for k in ev.cases]
    assert final["transcripts"] == [None] * 3  # each implied by its row
    assert [r["t"] for r in final["snapshot"]["rows"]] == [1] * 3
    with pytest.raises(RuntimeError, match="read from a file"):
        back.rerun(0)


@pytest.mark.parametrize("cell", [None, "cell-1"])
def test_the_output_carries_the_escaped_table_and_the_payload(
    monkeypatch: pytest.MonkeyPatch, cell: str | None
) -> None:
    """The output's HTML copy, and the payload nbagent's JupyterLab renderer draws without a
    kernel: the table and transcripts, or (`jupyter execute`, no cell named: the widget's
    saved state has them) a reference to the model."""
    shown: list[dict[str, Any]] = []

    class Handle:
        def update(self, data: dict[str, Any], raw: bool = False) -> None:
            shown.append(data)

    def display(data: dict[str, Any], **kwargs: Any) -> Handle:
        shown.append(data)
        return Handle()

    monkeypatch.setattr("IPython.display.display", display)
    monkeypatch.setattr("nbagent.evaluation.board.current_cell_id", lambda: cell)
    evaluate(lambda x: "<img src=x onerror=alert(1)>", ["<b>in</b>"]).wait(WAIT_S)
    wait_for(lambda: len(shown) >= 2, what="the display updated at the end")
    first, last = shown[0], shown[-1]
    assert "application/vnd.jupyter.widget-view+json" in first
    # While it runs, the summary (a page parses the HTML again at each update); then the table.
    assert "<table" not in first["text/html"]
    assert "running: 1 case (1 queued)" in first["text/html"]
    assert "<table" in last["text/html"]
    assert "<img" not in last["text/html"]
    assert "&lt;img" in last["text/html"]
    assert "1 completed" in last["text/html"]
    payload = last[EVALUATION_MIME]
    model_id = last["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert (payload["version"], payload["model_id"]) == (1, model_id)
    if cell is None:
        assert payload["in_model"] is True
        assert "snapshot" not in payload
    else:
        assert [r["status"] for r in payload["snapshot"]["rows"]] == ["completed"]
        assert payload["transcripts"][0]["status"] == "completed"
        assert "in_model" not in payload


def test_output_is_answered_with_the_whole_payload(comms: list[RecordingComm]) -> None:
    """A host that saves the output (nbagent's JupyterLab renderer) gets the table and the
    transcripts, also where the display left them to the widget's state."""
    evaluate(lambda x: f"<{x}>", ["a", "b"]).wait(WAIT_S)
    c = widget_comm(comms)
    send(c, {"type": "output"})
    (answer,) = [m for m in customs(c) if m["type"] == "output"]
    data = answer["data"]
    payload = data[EVALUATION_MIME]
    assert "in_model" not in payload
    assert [r["output"] for r in payload["snapshot"]["rows"]] == ["<a>", "<b>"]
    assert len(payload["transcripts"]) == 2
    assert "&lt;a&gt;" in data["text/html"]
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == payload["model_id"]


def test_a_saved_table_keeps_each_answer_once() -> None:
    """A run that is only its answer is implied by its row (no transcript saved); another
    keeps its transcript, and its row leaves out the answer the transcript has."""
    plain = {"status": "completed", "started_at": 1.0, "ended_at": 2.0, "usage": {}}
    text = {"type": "text", "id": "text", "text": "Oslo"}
    tool = {"type": "tool", "id": "c1", "name": "weather"}
    rows = [
        {"i": 0, "status": "completed", "output": "Oslo"},
        {"i": 1, "status": "completed", "output": "Oslo\n\nRome"},
        {"i": 2, "status": "completed", "output": "42"},
        {"i": 3, "status": "error", "output": "Oslo"},
        {"i": 4, "status": "skipped"},
        {"i": 5, "status": "completed"},  # an empty answer (a function's ""), text in its run
    ]
    states: list[dict[str, Any] | None] = [
        {**plain, "blocks": [text]},
        {**plain, "blocks": [text, tool, {**text, "text": "Rome"}]},
        {**plain, "blocks": []},  # a function's value, not its run's text
        {**plain, "status": "error", "error": {"message": "x"}, "blocks": [text]},
        None,
        {**plain, "blocks": [text, tool]},
    ]
    kept = saved_rows(rows, states)
    assert kept == [None, states[1], states[2], states[3], None, states[5]]
    assert rows[0] == {"i": 0, "status": "completed", "output": "Oslo", "t": 1}
    assert rows[1] == {"i": 1, "status": "completed"}  # read from its transcript
    assert rows[2]["output"] == "42"
    assert "output" not in rows[3]
    assert rows[4] == {"i": 4, "status": "skipped"}
    assert rows[5]["output"] == ""  # not read from its run: said
    assert text_of(states[1]) == "Oslo\n\nRome"


def test_a_rerun_case_opens_its_new_run_where_the_last_was(comms: list[RecordingComm]) -> None:
    ev = evaluate(streamed, ["a"]).wait(WAIT_S)
    c = widget_comm(comms)
    send(c, {"type": "open", "i": 0})
    first = wait_for(lambda: traits(c)["opened"].get("0"), what="the run's widget")
    send(c, {"type": "rate", "i": 0, "up": True, "comment": ""})  # not a new run: kept
    assert traits(c)["opened"]["0"] == first
    send(c, {"type": "rerun", "i": 0})
    wait_for(lambda: ev.cases[0].done and ev.cases[0].run is not None, what="the re-run's end")
    second = wait_for(
        lambda: (ref := traits(c)["opened"].get("0")) not in (None, first) and ref,
        what="the new run's widget",
    )
    model = next(m for m in comms if m.comm_id == second.removeprefix("IPY_MODEL_"))
    assert traits(model)["snapshot"]["state"]["status"] == "completed"
    assert ev.cases[0].rating is True  # the rating stays with the case


def test_the_case_chunk_comes_with_the_first_open_or_the_end(
    comms: list[RecordingComm], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An opened case's code (the code model's ``case``, js/src/widget/evaluation/detail.js)
    is not sent while an evaluation runs with no case opened; the first ``open`` sends it,
    and an evaluation's end does (a saved notebook opens its cases with it)."""
    case = chunk("case")
    assert case  # built
    fresh = _make_code_model()
    monkeypatch.setattr(widget_module, "code_model", lambda: fresh)
    release = threading.Event()
    ev = evaluate(gate_task(release), ["a", "b"], concurrency=1)
    c = widget_comm(comms)
    wait_for(lambda: ev.cases[0].status == "running", what="the first case running")
    assert fresh.case == ""
    send(c, {"type": "open", "i": 1})
    assert fresh.case == case
    release.set()
    ev.wait(WAIT_S)

    ended = _make_code_model()
    monkeypatch.setattr(widget_module, "code_model", lambda: ended)
    evaluate(lambda x: x, ["a"]).wait(WAIT_S)
    wait_for(lambda: ended.case == case, what="the case chunk as the evaluation ended")
