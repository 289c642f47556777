"""nbagent.evaluate(): a task over a dataset as ordinary runs (not displayed), scored,
scheduled (concurrency, cost budget, repeat, cancel), and its data (rows, file, baseline,
HTML, terminal progress). No kernel: the evaluation runs on nbagent's background loop."""

from __future__ import annotations

import asyncio
import io
import json
import sys
import threading
from pathlib import Path
from typing import Any

import openai
import pandas as pd
import pytest

import nbagent
from nbagent import Evaluation, TextDelta, Usage
from nbagent.agent.agent import Agent
from nbagent.evaluation.progress import Progress
from nbagent.evaluation.schedule import CANCELLED, OVER_BUDGET
from tests.servers import OpenAIServer, text_chunks
from tests.test_agent import client_for
from tests.wait import PATIENCE

WAIT_S = 60  # a bound on a hang, never a measure: every wait below ends on an event

COLUMNS = [
    "name",
    "input",
    "expected",
    "output",
    "status",
    "error",
    "latency_s",
    "ttft_s",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "tool_calls",
]


def upper(x: str) -> str:
    return x.upper()


def exact(case: Any, transcript: Any, output: Any) -> bool:
    return output == case["expected"]


def run(task: Any, dataset: Any, **kw: Any) -> Evaluation:
    kw.setdefault("progress", False)
    return nbagent.evaluate(task, dataset, **kw).wait(WAIT_S)


# -- tasks --------------------------------------------------------------------------------


def test_agent_cases_are_runs_with_text_usage_and_timing() -> None:
    with OpenAIServer(text_chunks(["Hel", "lo"])) as srv:
        agent = Agent(model="test-model", client=client_for(srv))
        ev = run(agent, ["a", "b", "c"], scorers=[exact], concurrency=2)
        prompts = sorted(r["messages"][-1]["content"] for r in srv.requests)
    assert prompts == ["a", "b", "c"]
    df = ev.to_pandas()
    assert list(df["status"]) == ["completed"] * 3
    assert list(df["output"]) == ["Hello"] * 3
    assert list(df["input_tokens"]) == [9] * 3
    assert list(df["output_tokens"]) == [12] * 3
    assert df["ttft_s"].notna().all()
    assert df["latency_s"].notna().all()
    case = ev.cases[1]
    assert case.run is not None
    assert case.run.widget is None
    assert case.transcript.text == "Hello"
    assert case.transcript.status == "completed"


def test_plain_async_and_watched_function_tasks() -> None:
    async def alen(x: str) -> int:
        await asyncio.sleep(0)
        return len(x)

    assert list(run(upper, ["ab", "c"]).to_pandas()["output"]) == ["AB", "C"]
    assert list(run(alen, ["ab", "c"]).to_pandas()["output"]) == [2, 1]

    with OpenAIServer(text_chunks(["watched ", "answer"])) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test")

        def ask(x: str) -> str:  # a call that does not stream: its case's run through watch()
            reply = client.chat.completions.create(
                model="test-model", messages=[{"role": "user", "content": x}]
            )
            return str(reply.choices[0].message.content)

        ev = run(ask, ["q1", "q2"], concurrency=2)
    assert [c.output for c in ev.cases] == ["watched answer"] * 2
    assert [c.transcript.text for c in ev.cases] == ["watched answer"] * 2
    assert all(c.run is not None and c.run.widget is None for c in ev.cases)


def test_function_returning_a_stream_is_read_as_a_run() -> None:
    def stream(x: str) -> Any:
        yield f"{x}-"
        yield "done"

    ev = run(stream, ["a"])
    assert ev.cases[0].output == "a-done"
    assert ev.cases[0].transcript.text == "a-done"


def test_a_failing_case_is_an_error_and_the_others_complete() -> None:
    def task(x: str) -> str:
        if x == "bad":
            raise RuntimeError("cannot do bad")
        return x

    ev = run(task, ["ok", "bad", "fine"], scorers=[lambda case, t: True])
    df = ev.to_pandas()
    assert list(df["status"]) == ["completed", "error", "completed"]
    assert "RuntimeError: cannot do bad" in df["error"][1]
    assert list(df["error"].isna()) == [True, False, True]
    assert [c.output for c in ev.cases] == ["ok", None, "fine"]
    assert ev.cases[1].transcript.status == "error"


def test_a_task_that_is_not_one_is_refused_at_once() -> None:
    with pytest.raises(TypeError, match="task"):
        nbagent.evaluate(42, ["a"], progress=False)


# -- datasets -----------------------------------------------------------------------------


def test_dataset_forms_give_the_same_cases(tmp_path: Path) -> None:
    dicts = [
        {"input": "a", "expected": "A", "metadata": {"k": 1}, "name": "first"},
        {"input": "b", "expected": "x"},
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in dicts) + "\n")
    frame = pd.DataFrame(dicts)
    for dataset in (dicts, frame, path, str(path)):
        ev = run(upper, dataset, scorers=[exact])
        df = ev.to_pandas()
        assert list(df["input"]) == ["a", "b"], type(dataset)
        assert list(df["expected"]) == ["A", "x"]
        assert list(df["exact"]) == [True, False]
        assert df["name"][0] == "first"
        assert ev.cases[0].metadata == {"k": 1}
    bare = run(upper, ["a", {"q": 1}])
    assert bare.cases[0].given == {"input": "a", "expected": None, "metadata": None}
    assert bare.cases[1].input == {"q": 1}
    with pytest.raises(ValueError, match="empty"):
        nbagent.evaluate(upper, [], progress=False)


# -- scorers ------------------------------------------------------------------------------


def test_scorers_of_every_kind_and_one_that_raises() -> None:
    def passed(case: Any, t: Any) -> bool:
        return True

    def ratio(case: Any, t: Any, output: Any) -> float:
        return len(output) / 10

    def label(case: Any, t: Any) -> str:
        return "short" if len(case["input"]) < 3 else "long"

    def several(case: Any, t: Any) -> dict[str, Any]:
        return {"has_a": "a" in case["input"], "size": len(case["input"])}

    async def judged(case: Any, t: Any, output: Any) -> float:
        await asyncio.sleep(0)
        return 1.0 if output.isupper() else 0.0

    def broken(case: Any, t: Any) -> bool:
        raise KeyError("missing")

    scorers = [passed, ratio, label, several, judged, broken]
    df = run(upper, ["ab", "xyzw"], scorers=scorers).to_pandas()
    assert list(df["status"]) == ["completed", "completed"]
    assert list(df["passed"]) == [True, True]
    assert list(df["ratio"]) == [0.2, 0.4]
    assert list(df["label"]) == ["short", "long"]
    assert list(df["has_a"]) == [True, False]
    assert list(df["size"]) == [2, 4]
    assert list(df["judged"]) == [1.0, 1.0]
    assert df["broken"].isna().all()
    assert df["score_errors"][0] == {"broken": "KeyError: 'missing'"}


# -- scheduling ---------------------------------------------------------------------------


def test_concurrency_is_reached_and_never_exceeded() -> None:
    state = {"active": 0, "peak": 0, "started": 0}
    batches: dict[int, asyncio.Event] = {}

    async def task(x: int) -> int:
        state["active"] += 1
        state["started"] += 1
        state["peak"] = max(state["peak"], state["active"])
        # Each case waits until two more have started beside it: with fewer at once, none
        # would end (the wait_for raises); with more, the peak says so.
        batch = batches.setdefault((state["started"] - 1) // 3, asyncio.Event())
        if state["started"] % 3 == 0:
            batch.set()
        await asyncio.wait_for(batch.wait(), WAIT_S)
        state["active"] -= 1
        return x

    ev = run(task, list(range(6)), concurrency=3)
    assert [c.status for c in ev.cases] == ["completed"] * 6
    assert state["peak"] == 3


def test_sync_tasks_run_concurrently_on_threads() -> None:
    barrier = threading.Barrier(4)

    def task(x: int) -> int:
        barrier.wait(WAIT_S)  # only four at once get past it
        return x

    ev = run(task, list(range(8)), concurrency=4)
    assert [c.status for c in ev.cases] == ["completed"] * 8


def cost_stream(x: Any) -> Any:
    """A run that reports its cost: one cent."""
    yield TextDelta(message_id="m", delta=str(x))
    yield Usage(input_tokens=1, output_tokens=1, scope="run", cost_usd=0.01)


def test_cost_budget_stops_new_cases_only() -> None:
    ev = run(cost_stream, list(range(6)), concurrency=1, max_cost_usd=0.025)
    df = ev.to_pandas()
    assert list(df["status"]) == ["completed"] * 3 + ["skipped"] * 3
    assert list(df["cost_usd"][:3]) == [0.01] * 3
    assert set(df["error"][3:]) == {OVER_BUDGET}
    assert ev.cost_usd == pytest.approx(0.03)


def test_repeat_runs_each_case_n_times() -> None:
    calls: list[str] = []

    def task(x: str) -> str:
        calls.append(x)
        return x

    ev = run(task, [{"input": "a", "name": "A"}, "b"], repeat=3)
    df = ev.to_pandas()
    assert sorted(calls) == ["a"] * 3 + ["b"] * 3
    assert list(df["input"]) == ["a"] * 3 + ["b"] * 3
    assert list(df["repeat"]) == [0, 1, 2, 0, 1, 2]
    assert [c.source for c in ev.cases] == [0, 0, 0, 1, 1, 1]


def test_cancel_ends_running_cases_and_skips_queued_ones() -> None:
    two_running = threading.Event()
    started: list[int] = []

    async def hang(x: int) -> int:
        started.append(x)
        if len(started) == 2:
            two_running.set()
        await asyncio.Event().wait()  # until cancelled
        return x

    ev = nbagent.evaluate(hang, list(range(5)), concurrency=2, progress=False)
    assert two_running.wait(WAIT_S)
    assert not ev.done
    assert ev.status == "running"
    ev.cancel()
    ev.wait(WAIT_S)
    assert ev.status == "cancelled"
    statuses = [c.status for c in ev.cases]
    assert statuses == ["cancelled", "cancelled", "skipped", "skipped", "skipped"]
    assert all(c.run is not None and c.transcript.status == "cancelled" for c in ev.cases[:2])
    assert all(c.run is None and c.error == CANCELLED for c in ev.cases[2:])
    assert sorted(started) == [0, 1]


def test_stop_all_cancels_an_evaluation_as_a_run() -> None:
    running = threading.Event()

    async def hang(x: int) -> int:
        running.set()
        await asyncio.Event().wait()
        return x

    ev = nbagent.evaluate(hang, [1, 2], concurrency=1, progress=False)
    assert running.wait(WAIT_S)
    assert nbagent.stop_all() >= 1
    ev.wait(WAIT_S)
    assert [c.status for c in ev.cases] == ["cancelled", "skipped"]


def test_await_an_evaluation_on_a_running_loop() -> None:
    async def main() -> Evaluation:
        return await nbagent.evaluate(upper, ["a"], progress=False)

    ev = asyncio.run(main())
    assert ev.done
    assert ev.cases[0].output == "A"


# -- data ---------------------------------------------------------------------------------


def test_to_pandas_columns() -> None:
    df = run(upper, [{"input": "a", "expected": "A"}], scorers=[exact]).to_pandas()
    assert list(df.columns) == [
        *COLUMNS,
        "exact",
        "score_errors",
        "repeat",
        "rating",
        "comment",
    ]


def test_baseline_deltas_by_name_and_mean_changes() -> None:
    def score(case: Any, t: Any, output: Any) -> float:
        return float(len(output))

    first = run(
        lambda x: x, [{"input": "aa", "name": "p"}, {"input": "b", "name": "q"}], scorers=[score]
    )
    second = run(
        lambda x: x * 2,
        [{"input": "b", "name": "q"}, {"input": "aa", "name": "p"}],  # other order: by name
        scorers=[score],
        baseline=first,
    )
    assert second.deltas == [{"score": 1.0}, {"score": 2.0}]
    assert second.changes == {"score": {"mean": 3.0, "baseline": 1.5, "change": 1.5}}
    df = second.to_pandas()
    assert list(df["score_delta"]) == [1.0, 2.0]
    assert "(+1.5)" in second.summary()


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    ev = run(cost_stream, [{"input": "a", "expected": "a"}, "b"], scorers=[exact])
    ev.rate(0, True, "right")
    path = ev.save(tmp_path / "eval.jsonl")
    back = Evaluation.load(path)
    assert back.done
    assert back.title == ev.title
    assert (
        back.to_pandas()
        .drop(columns=["latency_s"])
        .equals(ev.to_pandas().drop(columns=["latency_s"]))
    )
    assert back.cases[0].transcript.text == "a"
    assert back.cases[0].run is None
    assert back.cases[0].rating is True
    assert back.cases[0].comment == "right"
    again = run(cost_stream, [{"input": "a", "expected": "x"}, "b"], scorers=[exact], baseline=back)
    assert again.deltas[0] == {"exact": -1.0}
    with pytest.raises(ValueError, match="not an nbagent evaluation"):
        Evaluation.load(tmp_path / "run.jsonl") if (tmp_path / "run.jsonl").write_text(
            "{}\n"
        ) else None


def test_rating_and_to_dataset() -> None:
    seen: list[int] = []
    ev = run(upper, [{"input": "a", "expected": "?"}, "b", "c"], repeat=2)
    ev.on_change(lambda case: seen.append(case.index))
    ev.rate(0, True)
    ev.rate(1, False, "wrong")  # the same dataset case: the first rating counts
    ev.rate(4, False, "bad")
    assert seen == [0, 1, 4]
    assert ev.to_dataset() == [
        {"input": "a", "expected": "A", "metadata": None},
        {"input": "c", "expected": None, "metadata": None},
    ]
    assert list(ev.to_pandas()["comment"]) == ["", "wrong", "", "", "bad", ""]


def test_html_table_is_escaped() -> None:
    ev = run(lambda x: "<script>alert(1)</script>", ["<b>in</b>"], title="t<i>")
    page = ev.to_html()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "<b>in" not in page
    assert "t&lt;i&gt;" in page
    assert ev._repr_html_() == page


def test_progress_prints_bounded_lines_and_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    ev = nbagent.evaluate(upper, [str(i) for i in range(50)], scorers=[exact], progress=True)
    ev.wait(WAIT_S)
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == ev.summary()
    assert "50 cases (50 completed)" in lines[-1]
    assert lines[-2] == "evaluation: 50/50 done (50 completed)"
    assert 2 <= len(lines) <= 12  # every 5 cases at most (or 5 s), not one line per case


def test_progress_on_a_terminal_rewrites_one_line() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    ev = run(upper, ["a", "b", "c"])
    out = Tty()
    printer = Progress("t", ev.cases, lambda: 0.0, stream=out)
    for case in ev.cases:
        printer.update(case)
    printer.finish("summary")
    text = out.getvalue()
    assert text.count("\n") == 2
    assert text.endswith("t: 3/3 done (3 completed)\nsummary\n")
    assert text.count("\r\x1b[2K") == 4


# -- frameworks ---------------------------------------------------------------------------


def test_a_pydantic_ai_agent_on_its_test_model() -> None:
    pydantic_ai = pytest.importorskip("pydantic_ai")
    from pydantic_ai.models.test import TestModel

    agent = pydantic_ai.Agent(TestModel(custom_output_text="forty-two"))
    ev = run(agent, ["what?", "why?"], scorers=[lambda case, t: t.text == "forty-two"])
    df = ev.to_pandas()
    assert list(df["status"]) == ["completed", "completed"]
    assert list(df["output"]) == ["forty-two", "forty-two"]
    assert list(df["<lambda>"]) == [True, True]
    assert df["input_tokens"].notna().all()


def test_stop_all_stops_in_the_order_things_started() -> None:
    """An evaluation is stopped before its cases' runs: stopped after one of them, it could
    start the next case meanwhile."""
    from nbagent.runtime import registry

    stopped: list[str] = []

    class Stoppable:
        def __init__(self, name: str) -> None:
            self.name = name

        def cancel(self) -> None:
            stopped.append(self.name)
            registry.forget(self)

    things = [Stoppable(str(i)) for i in range(40)]  # hashes in no particular order
    for thing in things:
        registry.track(thing)
    registry.stop_all()
    assert stopped == [t.name for t in things]


def test_wait_returns_once_the_done_callbacks_ran() -> None:
    """``wait()`` returns after what ``on_done`` registered (the widget's final table): a
    cell that reads the widget or saves the notebook next sees the end."""
    release = threading.Event()
    ev = nbagent.evaluate(lambda x: release.wait(PATIENCE) and x, ["a"], progress=False)
    ran: list[str] = []

    def slow_callback() -> None:
        threading.Event().wait(0.2)  # a callback that takes a while (a large final table)
        ran.append("done")

    ev.on_done(slow_callback)
    release.set()
    ev.wait(PATIENCE)
    assert ran == ["done"]


def test_to_pandas_without_pandas_says_what_to_use(monkeypatch: pytest.MonkeyPatch) -> None:
    ev = run(str.upper, ["ab"])
    monkeypatch.setitem(sys.modules, "pandas", None)  # not importable
    with pytest.raises(ImportError, match=r"ev\.rows\(\) gives the same rows"):
        ev.to_pandas()
    assert ev.rows()[0]["output"] == "AB"
