"""The runtime's pause point: a run waits before a tool call for an answer from the notebook."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from nbagent.core.events import (
    Event,
    RunEnd,
    Status,
    TextDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)
from nbagent.runtime.pause import Answer, PauseRequest, Pauses
from nbagent.runtime.run import Run
from nbagent.transcript.transcript import Transcript
from tests import aio
from tests.wait import PATIENCE


class Paused:
    """Becomes set once ``count`` calls are waiting in ``pauses`` (no sleeping, no polling)."""

    def __init__(self, pauses: Pauses, count: int = 1) -> None:
        self.event = threading.Event()
        self.pauses, self.count = pauses, count
        pauses.on_change(self._check)
        self._check()  # it may have paused already

    def _check(self) -> None:
        if len(self.pauses.pending) >= self.count:
            self.event.set()

    def wait(self) -> list[PauseRequest]:
        assert self.event.wait(PATIENCE), "the run never paused"
        return self.pauses.pending


def agent_like(run_of: dict[str, Run], calls: list[tuple[str, str]]) -> AsyncIterator[Event]:
    """An async producer that asks before each tool call, like an agent loop with
    breakpoints: the calls pause together, then each gets what its answer says."""

    async def events() -> AsyncIterator[Event]:
        for call_id, name in calls:
            yield ToolCallStart(tool_call_id=call_id, name=name)
            yield ToolCallEnd(tool_call_id=call_id, arguments='{"x": 1}')
        pauses = run_of["run"].pauses
        answers = await asyncio.gather(
            *(pauses.before_tool(PauseRequest(i, n, {"x": 1})) for i, n in calls)
        )
        for (call_id, _), answer in zip(calls, answers, strict=True):
            if answer.action == "cancel":
                return
            content = {
                "run": f"ran with {answer.args}",
                "mock": answer.result,
                "deny": f"denied: {answer.reason}",
            }[answer.action]
            yield ToolResult(
                tool_call_id=call_id, content=content, is_error=answer.action == "deny"
            )
        yield TextDelta(message_id="m", delta="done")

    return events()


def started(source: Any, holder: dict[str, Run]) -> Run:
    """The run, started from a thread with no loop (as the fault tests do: the browser tests'
    Playwright, in the same process, leaves a loop marked running in the main thread)."""
    run = holder["run"] = Run(source, format="events", display=False)
    starter = threading.Thread(target=run.start)
    starter.start()
    starter.join()
    return run


def test_parallel_calls_pause_together_and_each_goes_on_with_its_answer() -> None:
    holder: dict[str, Run] = {}
    calls = [("c1", "delete_file"), ("c2", "search"), ("c3", "send_mail")]
    run = started(agent_like(holder, calls), holder)
    pending = Paused(run.pauses, 3).wait()
    assert [(p.tool_call_id, p.name, p.args) for p in pending] == [
        ("c1", "delete_file", {"x": 1}),
        ("c2", "search", {"x": 1}),
        ("c3", "send_mail", {"x": 1}),
    ]
    assert run.status == "running"
    # Answered out of order, from this thread while the run waits on its loop.
    assert run.pauses.answer("c3", Answer("deny", reason="not today"))
    assert run.pauses.answer("c1", Answer("run", args={"x": 2}))
    assert not run.pauses.answer("nope", Answer("run"))
    assert [p.tool_call_id for p in run.pauses.pending] == ["c2"]
    assert run.pauses.answer("c2", Answer("mock", result="3 hits (mocked)"))
    t = run.wait(PATIENCE)
    assert t.status == "completed"
    assert [(c.id, c.result, c.is_error) for c in t.tool_calls] == [
        ("c1", "ran with {'x': 2}", False),
        ("c2", "3 hits (mocked)", False),
        ("c3", "denied: not today", True),
    ]
    assert t.text == "done"
    assert run.pauses.pending == []


def test_stop_while_paused_cancels_the_run_and_answers_cancel() -> None:
    holder: dict[str, Run] = {}
    closed = threading.Event()

    async def source() -> AsyncIterator[Event]:
        try:
            async for ev in agent_like(holder, [("c1", "rm")]):
                yield ev
        finally:
            closed.set()

    run = started(source(), holder)
    Paused(run.pauses).wait()
    run.cancel()
    t = run.wait(PATIENCE)
    assert (t.status, t.end_reason) == ("cancelled", "cancelled")
    assert closed.wait(PATIENCE), "the paused source was never closed"
    assert run.pauses.pending == []
    assert t.tool_calls[0].result is None  # the tool never ran


def test_a_thread_producer_waits_the_same_way() -> None:
    holder: dict[str, Run] = {}
    answers: list[Answer] = []

    def source() -> Iterator[Event]:
        yield ToolCallStart(tool_call_id="c1", name="lookup")
        answer = holder["run"].pauses.wait_before_tool(
            PauseRequest("c1", "lookup"), timeout=PATIENCE
        )
        answers.append(answer)
        yield ToolResult(tool_call_id="c1", content=answer.result)

    run = started(source(), holder)
    Paused(run.pauses).wait()
    run.pauses.answer("c1", Answer("mock", result="found"))
    assert run.wait(PATIENCE).tool_calls[0].result == "found"
    assert answers == [Answer("mock", result="found")]


def test_after_the_end_a_pause_is_cancelled_at_once() -> None:
    pauses = Pauses()
    pauses.cancel_all("the run has ended")
    answer = aio.run(pauses.before_tool(PauseRequest("c1", "x")))
    assert answer == Answer("cancel", reason="the run has ended")
    assert pauses.wait_before_tool(PauseRequest("c2", "x")).action == "cancel"


def test_a_timed_out_wait_is_forgotten() -> None:
    pauses = Pauses()
    answer = pauses.wait_before_tool(PauseRequest("c1", "x"), timeout=0.01)
    assert answer.action == "cancel"
    assert pauses.pending == []
    assert not pauses.answer("c1", Answer("run"))


def test_one_call_pauses_once() -> None:
    pauses = Pauses()

    async def twice() -> None:
        first = asyncio.ensure_future(pauses.before_tool(PauseRequest("c1", "x")))
        await asyncio.sleep(0)  # let it pause
        with pytest.raises(ValueError, match="paused already"):
            await pauses.before_tool(PauseRequest("c1", "x"))
        pauses.answer("c1", Answer("run"))
        assert (await first).action == "run"

    aio.run(twice())


# -- the reducer: a paused call on its block ---------------------------------------------

_ASK = {"actions": ["run", "edit", "mock", "deny"], "origin": "breakpoint", "hint": None}


def _paused_events(*answer: Event) -> list[Event]:
    return [
        ToolCallStart(tool_call_id="c1", name="search"),
        ToolCallEnd(tool_call_id="c1", arguments='{"q": "cats"}'),
        Status(state="awaiting_approval", tool_call_id="c1", detail=_ASK),
        *answer,
    ]


def test_a_paused_call_is_folded_on_its_block_not_the_runs_activity() -> None:
    t = Transcript.from_events(_paused_events())
    [tool] = t.tool_calls
    assert (tool.state, tool.paused, t.activity) == ("paused", True, None)
    assert tool.pause == {**_ASK, "schema": None}
    assert "paused · waiting for an answer" in t.to_text()
    again = Transcript.from_dict(t.to_dict())
    assert again.tool_calls[0].pause == tool.pause
    assert again.to_dict() == t.to_dict()
    other = Transcript.from_events([Status(state="awaiting_approval", text="approve?")])
    assert other.activity == "approve?"


def test_an_edited_answer_keeps_what_the_model_asked() -> None:
    edited = {"action": "run", "args": {"q": "dogs"}, "reason": None}
    t = Transcript.from_events(
        _paused_events(
            Status(state="approval_answered", tool_call_id="c1", detail=edited),
            ToolResult(tool_call_id="c1", content="3 dogs"),
        )
    )
    d = t.to_dict()["blocks"][0]
    assert (d["state"], d["args"], d["asked_args"]) == ("done", {"q": "dogs"}, {"q": "cats"})
    assert d["answer"] == {"action": "run", "edited": True}
    assert "pause" not in d
    assert Transcript.from_dict(t.to_dict()).tool_calls[0].asked_args == {"q": "cats"}
    html = t.to_html()
    assert "edited arguments" in html
    assert "Arguments the model asked for" in html


def test_mocked_and_denied_results_are_marked_and_said_plainly() -> None:
    mocked = Transcript.from_events(
        _paused_events(
            Status(state="approval_answered", tool_call_id="c1", detail={"action": "mock"}),
            ToolResult(tool_call_id="c1", content="fake", meta={"mocked": True}),
        )
    )
    assert (mocked.tool_calls[0].mocked, mocked.tool_calls[0].state) == (True, "done")
    assert "done · mocked" in mocked.to_markdown()
    denied = Transcript.from_events(
        _paused_events(
            Status(
                state="approval_answered",
                tool_call_id="c1",
                detail={"action": "deny", "reason": "too slow"},
            ),
            ToolResult(tool_call_id="c1", content="The user denied", meta={"denied": True}),
        )
    )
    assert denied.tool_calls[0].denied is True
    assert "denied · reason: too slow" in denied.to_text()


def test_a_run_that_ends_while_a_call_is_paused_cancels_it() -> None:
    t = Transcript.from_events([*_paused_events(), RunEnd(reason="cancelled")])
    assert t.tool_calls[0].state == "cancelled"
    cancel = Status(state="approval_answered", tool_call_id="c1", detail={"action": "cancel"})
    t = Transcript.from_events(_paused_events(cancel))
    assert (t.tool_calls[0].state, t.tool_calls[0].answer) == (
        "cancelled",
        {"action": "cancel", "edited": False},
    )


# -- answers from the widget ------------------------------------------------------------


def test_a_refused_answer_from_the_view_leaves_the_call_paused_with_the_error() -> None:
    holder: dict[str, Run] = {}

    def check(args: dict[str, Any]) -> None:
        if not isinstance(args.get("x"), int):
            raise ValueError("x: Input should be a valid integer")

    async def events() -> AsyncIterator[Event]:
        yield ToolCallStart(tool_call_id="c1", name="f")
        yield ToolCallEnd(tool_call_id="c1", arguments='{"x": 1}')
        yield Status(state="awaiting_approval", tool_call_id="c1", detail=_ASK)
        request = PauseRequest("c1", "f", {"x": 1}, validate=check)
        answer = await holder["run"].pauses.before_tool(request)
        detail = {"action": answer.action, "args": answer.args}
        yield Status(state="approval_answered", tool_call_id="c1", detail=detail)
        yield ToolResult(tool_call_id="c1", content=f"ran with {answer.args}")

    run = started(events(), holder)
    Paused(run.pauses).wait()
    until(lambda: run.transcript.tool_calls and run.transcript.tool_calls[0].paused)
    run.handle_message({"type": "pause_answer", "id": "c1", "action": "run", "args": {"x": "a"}})
    until(lambda: "error" in (run.transcript.tool_calls[0].pause or {}))
    assert "x: Input should be a valid integer" in run.transcript.tool_calls[0].pause["error"]
    assert [p.tool_call_id for p in run.pending] == ["c1"]
    run.handle_message({"type": "pause_answer", "id": "c1", "action": "run", "args": {"x": 2}})
    t = run.wait(PATIENCE)
    assert (t.tool_calls[0].result, t.tool_calls[0].pause) == ("ran with {'x': 2}", None)


def until(check: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_printed_outside_a_notebook_a_paused_call_says_how_to_answer_it() -> None:
    import io

    from nbagent.core.events import Status, ToolCallEnd, ToolCallStart, ToolResult
    from nbagent.widget.terminal import Printer

    def pause(call_id: str, detail: dict[str, object]) -> list[object]:
        return [
            ToolCallStart(tool_call_id=call_id, name="delete_file"),
            ToolCallEnd(tool_call_id=call_id, arguments='{"path": "a.txt"}'),
            Status(state="awaiting_approval", tool_call_id=call_id, detail=detail),
        ]

    out = io.StringIO()
    denied = {"denied": True}
    Printer(out, colour=False).feed(
        [
            *pause("c1", {"actions": ["run", "deny"]}),
            ToolResult(tool_call_id="c1", content="The user denied this call", meta=denied),
            *pause("c2", {"actions": [], "hint": "graph.stream(Command(resume=True), config)"}),
            ToolResult(tool_call_id="c2", content="{}", meta={"mocked": True}),
        ]  # type: ignore[list-item]
    )
    assert out.getvalue().splitlines() == [
        'paused before delete_file({"path": "a.txt"}): run.approve(i) / run.mock(i, result)'
        " / run.deny(i, reason=...); run.pending",
        '✗ denied delete_file({"path": "a.txt"}) → The user denied this call',
        'paused before delete_file({"path": "a.txt"}): graph.stream(Command(resume=True), config)',
        '✓ mocked delete_file({"path": "a.txt"}) → {}',
    ]
