"""``nbagent.evaluate(..., executor="ray")`` on a local Ray (the session's: 2 CPUs, no dashboard;
``local_ray`` in tests/conftest.py): the same rows, scores, tool calls and usage as in the kernel on
the scripted demo model; a worker killed mid-case (that case an error with what had arrived, the
others completed); Stop (every running case's task ``ray.cancel``-ed, cancelled / skipped); a tool
that cannot be pickled and a Ray that cannot start (one clear error, no case started); ratings,
to_pandas and max_cost_usd the same both ways; ``concurrency=4`` in flight at once on 2 CPUs (a case
reserves no CPU by default: ``ray_options``); the error without Ray, and an ACP agent refused. In a
real kernel joined to a Ray by address: tests/test_evaluate_ray_kernel.py.

Ray is the ``ray`` extra, which ``make test`` installs in .venv: skipped only where it is not
installed (the floor Python's venv), never there under CI=true."""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import nbagent
from nbagent import Evaluation, demo
from tests.local_ray import START_S
from tests.wait import wait_for

if importlib.util.find_spec("ray") is None:  # pragma: no cover - the floor Python's venv
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    if ci and Path(sys.prefix).name == ".venv":
        raise RuntimeError("CI: .venv must have Ray (the ray extra, in dev): run make install")
    pytest.skip("Ray is not installed here (the ray extra; Python < 3.14)", allow_module_level=True)

import ray

WAIT_S = 240
"""A bound on a hang (Ray starts workers on a loaded machine: past 120 s beside 8 busy loops on a
shared two-core machine), never a measure."""
TIMEOUT_S = 300 + START_S
"""A test's (pytest-timeout's 300 s), and the session's Ray start in whichever comes first."""
pytestmark = pytest.mark.timeout(TIMEOUT_S)
COMPARED = ["name", "input", "expected", "output", "status", "error", "input_tokens",
            "output_tokens", "cost_usd", "tool_calls", "has_text", "mentions"]  # fmt: skip


def agent_with(*tools: Any) -> nbagent.Agent:
    """The tutorials' agent on the scripted model, answering in process (sent to the workers
    as the demo model: ``ClientSpec``)."""
    llm = demo.connect(in_process=True, speed=0)
    return nbagent.Agent(
        llm.model, tools=[*demo.TOOLS, *tools], instructions=demo.INSTRUCTIONS, client=llm.client
    )


def has_text(case: Any, transcript: Any) -> bool:
    return bool(transcript.text)


def mentions(case: Any, transcript: Any, output: Any) -> float:
    return float(str(case.get("expected") or "") in str(output))


def evaluate(task: Any, dataset: Any, **kw: Any) -> Evaluation:
    return nbagent.evaluate(task, dataset, progress=False, display=False, **kw)


def spy_on_cancel(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The tasks ``ray.cancel`` is called with from now on (it still cancels them)."""
    cancelled: list[Any] = []
    real_cancel = ray.cancel

    def spy(ref: Any, **kw: Any) -> Any:
        cancelled.append(ref)
        return real_cancel(ref, **kw)

    monkeypatch.setattr(ray, "cancel", spy)
    return cancelled


def test_same_rows_scores_tool_calls_and_usage_in_kernel_and_on_ray(
    local_ray: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cancelled = spy_on_cancel(monkeypatch)
    dataset = [
        {"name": "weather", "input": demo.DEMOS["weather"].prompt, "expected": "Oslo"},
        {"name": "failing tool", "input": demo.DEMOS["failing_tool"].prompt, "expected": "NA"},
        {"name": "plain", "input": "hello", "expected": "scripted"},
    ]
    agent = agent_with()
    here = evaluate(agent, dataset, scorers=[has_text, mentions], repeat=2).wait(WAIT_S)
    scorers = [has_text, mentions]
    there = evaluate(agent, dataset, scorers=scorers, repeat=2, executor="ray", baseline=here)
    there.wait(WAIT_S)
    rows_here = [{k: r.get(k) for k in COMPARED} for r in here.rows()]
    rows_there = [{k: r.get(k) for k in COMPARED} for r in there.rows()]
    assert rows_there == rows_here
    assert [r["tool_calls"] for r in rows_there] == [2, 2, 3, 3, 0, 0]
    assert {r["status"] for r in rows_there} == {"completed"}
    assert there.status == "completed"
    # Each case's task ended by one cancel, sent as its last item arrived (a task never ends
    # on its own: Ray 2.60's driver aborts on a cancel racing a task's own end).
    assert len(cancelled) == len(rows_there)
    assert there.changes["mentions"]["change"] == 0.0  # against the in-kernel one as baseline
    for ev in (here, there):  # ratings, saved and loaded with the rest
        ev.rate(0, True, "right city")
        ev.rate(1, False)
    frame_here, frame_there = here.to_pandas(), there.to_pandas()
    assert frame_there[[*COMPARED, "rating"]].equals(frame_here[[*COMPARED, "rating"]])
    saved = Evaluation.load(there.save(tmp_path / "ray.jsonl"))
    assert [{k: r.get(k) for k in COMPARED} for r in saved.rows()] == rows_here
    assert [(c.rating, c.comment) for c in saved.cases[:3]] == [
        (True, "right city"),
        (False, ""),
        (None, ""),
    ]
    for a, b in zip(here.cases, there.cases, strict=True):
        names = [c.name for c in a.transcript.tool_calls]
        assert [c.name for c in b.transcript.tool_calls] == names
        assert b.run is not None
        assert b.run.format == "events"  # folded here from the worker's events


def test_a_worker_killed_mid_case_ends_that_case_in_error_with_what_arrived(
    local_ray: Any, tmp_path: Path
) -> None:
    pid_file = tmp_path / "pid"

    def hang_worker() -> str:
        """Writes its worker's pid (whole: written aside, then renamed), then waits to be
        killed."""
        aside = pid_file.with_suffix(".tmp")
        aside.write_text(str(os.getpid()))
        aside.replace(pid_file)
        threading.Event().wait(600)
        return "never"

    dataset = ["hello", "call hang_worker please", "hello"]
    ev = evaluate(agent_with(hang_worker), dataset, executor="ray", concurrency=2)
    hung = ev.cases[1]
    # Its tool call and its model call's usage have reached the kernel (the worker sends them
    # in batches: a loaded worker may still hold the usage), and its worker is in the tool:
    # kill that worker.
    wait_for(
        lambda: (
            hung.transcript.tool_calls and hung.transcript.usage.input_tokens and pid_file.exists()
        ),
        WAIT_S,
        "the tool call and its model call's usage",
    )
    os.kill(int(pid_file.read_text()), signal.SIGKILL)
    ev.wait(WAIT_S)
    assert [c.status for c in ev.cases] == ["completed", "error", "completed"], ev.summary()
    assert "Ray worker" in str(hung.error), hung.error
    assert [c.name for c in hung.transcript.tool_calls] == ["hang_worker"]  # what had arrived
    assert ev.rows()[1]["input_tokens"]  # its first model call's usage, folded before the kill


def test_stop_cancels_every_case_task(local_ray: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    cancelled = spy_on_cancel(monkeypatch)

    def hang_tool() -> str:
        """Waits until its task is cancelled."""
        threading.Event().wait(600)
        return "never"

    ev = evaluate(agent_with(hang_tool), ["call hang_tool"] * 4, executor="ray", concurrency=2)
    wait_for(
        lambda: sum(bool(c.transcript.tool_calls) for c in ev.cases) == 2,
        WAIT_S,
        "two cases in their tool",
    )
    ev.cancel()
    ev.wait(WAIT_S)
    assert [c.status for c in ev.cases] == ["cancelled", "cancelled", "skipped", "skipped"]
    assert ev.status == "cancelled"
    assert len(cancelled) == 2  # each running case's task, once


def test_a_tool_that_cannot_be_pickled_fails_before_any_case_starts(local_ray: Any) -> None:
    lock = threading.Lock()

    def guarded_tool(city: str) -> str:
        """Answers under a lock."""
        with lock:
            return city

    with pytest.raises(TypeError, match=r"cannot send the task.*guarded_tool.*its variable lock"):
        evaluate(agent_with(guarded_tool), ["a", "b"], executor="ray")  # raises: no evaluation


def test_a_ray_that_cannot_start_says_why_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ray, "is_initialized", lambda: False)  # as in a fresh kernel
    with pytest.raises(RuntimeError) as info:
        evaluate(lambda x: x, ["a"], executor="127.0.0.1:1")
    message = str(info.value)
    assert "could not start Ray at '127.0.0.1:1'" in message, message
    assert "\n" not in message


def test_an_agent_goes_to_the_workers_with_its_client_as_settings() -> None:
    """No Ray cluster needed: what ``RayPerformer`` puts in the object store, pickled with Ray's
    cloudpickle and read back."""
    from ray import cloudpickle

    from nbagent.demo.in_process import InProcess
    from nbagent.evaluation.ray_send import ClientSpec, portable

    agent = agent_with()
    sent = cloudpickle.loads(cloudpickle.dumps(portable(agent)))
    assert agent._client is not sent._client  # the kernel's agent keeps its own client
    spec = sent._client
    assert isinstance(spec, ClientSpec)
    assert spec.api_key == "scripted"
    assert not spec.sync
    client = spec.make()
    assert isinstance(client._client._transport, InProcess)  # the demo model, in this process
    assert str(client.base_url) == str(agent._client.base_url)


def test_max_cost_usd_and_a_task_that_raises_on_ray_as_in_the_kernel(local_ray: Any) -> None:
    """One case at a time, a cent each: the budget is reached after two, the rest never start."""

    def cent(x: int) -> Any:
        yield nbagent.TextDelta(message_id="m", delta=str(x))
        yield nbagent.Usage(input_tokens=1, output_tokens=1, scope="run", cost_usd=0.01)

    here = evaluate(cent, list(range(4)), concurrency=1, max_cost_usd=0.015).wait(WAIT_S)
    there = evaluate(cent, list(range(4)), concurrency=1, max_cost_usd=0.015, executor="ray")
    there.wait(WAIT_S)
    statuses = ["completed"] * 2 + ["skipped"] * 2
    assert [c.status for c in here.cases] == [c.status for c in there.cases] == statuses
    assert [r["cost_usd"] for r in there.rows()] == [r["cost_usd"] for r in here.rows()]
    assert there.cases[3].error == here.cases[3].error
    assert there.cost_usd == here.cost_usd

    def fails(x: int) -> str:
        raise ValueError(f"no answer for {x}")

    here = evaluate(fails, [7]).wait(WAIT_S)
    there = evaluate(fails, [7], executor="ray").wait(WAIT_S)  # sent back as the last item
    assert [(c.status, c.error) for c in there.cases] == [(c.status, c.error) for c in here.cases]
    assert "no answer for 7" in str(there.cases[0].error)


def test_concurrency_cases_are_in_flight_at_once_on_two_cpus(
    local_ray: Any, tmp_path: Path
) -> None:
    """``concurrency=4`` on a 2-CPU Ray: each case's tool waits until the 4 have started (a
    file each), so the cases complete only if 4 were in flight at once (a case reserves no CPU
    by default: ``ray_options``)."""
    in_flight = 4

    def gather() -> str:
        """Waits until every case is in its tool."""
        import time
        import uuid

        (tmp_path / f"{uuid.uuid4().hex}.started").touch()
        deadline = time.monotonic() + WAIT_S  # on a worker: tests.wait may not import there
        while len(list(tmp_path.glob("*.started"))) < in_flight:
            if time.monotonic() > deadline:
                return "alone"
            time.sleep(0.01)  # a poll with a deadline, as wait_for's
        return "all here"

    ev = evaluate(agent_with(gather), ["call gather"] * in_flight, executor="ray", concurrency=4)
    ev.wait(WAIT_S)
    assert [c.status for c in ev.cases] == ["completed"] * in_flight, ev.summary()
    assert len(list(tmp_path.glob("*.started"))) == in_flight
    assert all("all here" in str(c.transcript.to_dict()) for c in ev.cases)
    with pytest.raises(ValueError, match="ray_options= goes with executor"):
        evaluate(lambda x: x, ["a"], ray_options={"num_cpus": 1})


def test_without_ray_executor_ray_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError, as uninstalled
    with pytest.raises(RuntimeError) as info:
        evaluate(lambda x: x, ["a"], executor="ray")
    message = "evaluate(executor='ray') needs Ray: pip install 'jupyter-nbagent[ray]'"
    assert str(info.value) == message


def test_an_acp_agent_is_refused_on_ray_saying_why() -> None:
    from nbagent.acp_client._agent import AcpAgent

    agent = AcpAgent.__new__(AcpAgent)  # never started: refused before anything runs
    with pytest.raises(ValueError, match="no ACP agent: its sessions are subprocesses"):
        evaluate(agent, ["a"], executor="ray")
