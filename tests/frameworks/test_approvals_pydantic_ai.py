"""pydantic-ai's deferred tool calls as paused tool calls: ``nbagent.with_approvals(agent,
prompt)`` answers them from ``run.pauses`` through a ``HandleDeferredToolCalls`` capability,
and the same pydantic-ai run goes on (``nbagent.frameworks.pydantic_ai.resume``). The model is
``FunctionModel``: what each answer changed is asserted on the messages it was sent next.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from tests.frameworks.conftest import need

need("pydantic_ai")

from pydantic_ai import Agent, CallDeferred, DeferredToolRequests  # noqa: E402
from pydantic_ai.messages import ModelMessage, ModelRequest, ToolReturnPart  # noqa: E402
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, FunctionModel  # noqa: E402

import nbagent  # noqa: E402
from nbagent.adapters.pydantic_ai.tools import deferred_hint  # noqa: E402
from nbagent.core.events import Event, RunEnd, Status, ToolResult  # noqa: E402
from tests import aio  # noqa: E402
from tests.frameworks.pausing import paused, stopped_while_paused  # noqa: E402
from tests.wait import PATIENCE  # noqa: E402


class Script:
    """A model that calls ``tool`` once, then says what the call's return was."""

    def __init__(self, tool: str = "delete") -> None:
        self.tool = tool
        self.requests: list[list[ModelMessage]] = []

    async def stream(self, messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[Any]:
        self.requests.append(list(messages))
        if len(self.requests) == 1:
            args = '{"path": "a.txt"}'
            yield {0: DeltaToolCall(name=self.tool, json_args=args, tool_call_id="c1")}
            return
        yield f"the tool said: {returned(messages).content}"


def returned(messages: list[ModelMessage]) -> ToolReturnPart:
    last = messages[-1]
    assert isinstance(last, ModelRequest)
    (part,) = [p for p in last.parts if isinstance(p, ToolReturnPart)]
    return part


def make_agent(script: Script, ran: list[str]) -> Agent[None, Any]:
    agent: Agent[None, Any] = Agent(
        FunctionModel(stream_function=script.stream), output_type=[str, DeferredToolRequests]
    )

    @agent.tool_plain(requires_approval=True)
    def delete(path: str) -> str:
        ran.append(path)
        return f"deleted {path}"

    @agent.tool_plain
    def lookup(path: str) -> str:
        raise CallDeferred  # its result comes from outside the run

    return agent


def answered(
    answer: Callable[[nbagent.Run], Any], tool: str = "delete"
) -> tuple[nbagent.Run, Script, list[str]]:
    script, ran = Script(tool), []

    async def main() -> nbagent.Run:
        run = nbagent.show(nbagent.with_approvals(make_agent(script, ran), "tidy up"))
        await paused(run)
        (request,) = run.pending
        assert (request.tool_call_id, request.name, request.args) == ("c1", tool, {"path": "a.txt"})
        with run.lock:
            (block,) = [b for b in run.transcript.to_dict()["blocks"] if b.get("id") == "c1"]
        assert (block["state"], block["pause"]["origin"]) == ("paused", "pydantic-ai")
        assert len(script.requests) == 1
        answer(run)
        await asyncio.wait_for(run.wait_async(), PATIENCE)
        return run

    return aio.run(main()), script, ran


def statuses(events: Any, state: str) -> list[Status]:
    return [ev for ev in events if isinstance(ev, Status) and ev.state == state]


def test_an_approval_is_a_paused_call_with_pydantic_ais_actions_and_schema() -> None:
    run, _, _ = answered(lambda run: run.approve(0))
    (request,) = statuses(run.events, "awaiting_approval")
    assert request.tool_call_id == "c1"
    detail = request.detail
    assert (detail["actions"], detail["origin"], detail["hint"]) == (
        ["run", "edit", "deny"],
        "pydantic-ai",
        None,
    )
    assert detail["schema"]["properties"] == {"path": {"type": "string"}}
    assert (detail["kind"], detail["args"]) == ("approval", '{"path": "a.txt"}')


def test_run_approves_within_the_same_run() -> None:
    run, script, ran = answered(lambda run: run.approve(0))
    assert ran == ["a.txt"]
    assert returned(script.requests[1]).content == "deleted a.txt"
    (answer,) = statuses(run.events, "approval_answered")
    assert answer.detail == {"action": "run", "args": None, "reason": None}
    t = run.transcript
    assert (t.status, t.end_reason, t.text) == (
        "completed",
        "completed",
        "the tool said: deleted a.txt",
    )
    assert [c.result for c in t.tool_calls] == ["deleted a.txt"]


def test_edited_arguments_are_what_the_tool_runs_with() -> None:
    run, script, ran = answered(lambda run: run.approve(0, path="b.txt"))
    assert ran == ["b.txt"]
    assert returned(script.requests[1]).content == "deleted b.txt"
    (answer,) = statuses(run.events, "approval_answered")
    assert answer.detail["args"] == {"path": "b.txt"}
    (call,) = run.transcript.tool_calls
    assert (call.args, call.asked_args, call.answer) == (
        {"path": "b.txt"},
        {"path": "a.txt"},
        {"action": "run", "edited": True},
    )


def test_arguments_the_tool_refuses_leave_the_call_paused() -> None:
    def edit(run: nbagent.Run) -> None:
        with pytest.raises(ValueError, match="path"):
            run.approve(0, path=3)
        assert [p.tool_call_id for p in run.pending] == ["c1"]
        run.approve(0, path="c.txt")

    _, _, ran = answered(edit)
    assert ran == ["c.txt"]


def test_deny_gives_the_model_the_reason_and_the_tool_never_runs() -> None:
    run, script, ran = answered(lambda run: run.deny(0, reason="keep a.txt"))
    assert ran == []
    part = returned(script.requests[1])
    assert (part.content, part.outcome) == ("keep a.txt", "denied")
    (result,) = [ev for ev in run.events if isinstance(ev, ToolResult)]
    assert result.meta is not None
    assert result.meta["denied"] is True
    (answer,) = statuses(run.events, "approval_answered")
    assert answer.detail == {"action": "deny", "args": None, "reason": "keep a.txt"}
    (call,) = run.transcript.tool_calls
    assert (call.denied, call.answer) == (
        True,
        {"action": "deny", "edited": False, "reason": "keep a.txt"},
    )


def test_an_outside_call_is_answered_with_a_mock_result() -> None:
    run, script, _ = answered(lambda run: run.mock(0, "a.txt: 12 bytes"), tool="lookup")
    (request,) = statuses(run.events, "awaiting_approval")
    assert (request.detail["kind"], request.detail["actions"]) == ("external", ["mock", "deny"])
    assert returned(script.requests[1]).content == "a.txt: 12 bytes"
    (result,) = [ev for ev in run.events if isinstance(ev, ToolResult)]
    assert (result.content, result.meta) == ("a.txt: 12 bytes", {"mocked": True})
    (call,) = run.transcript.tool_calls
    assert (call.mocked, call.result, call.answer["action"]) == (True, "a.txt: 12 bytes", "mock")


def test_stop_while_waiting_cancels_and_nothing_runs() -> None:
    script, ran = Script(), []
    run = stopped_while_paused(lambda: nbagent.with_approvals(make_agent(script, ran), "tidy up"))
    assert run.transcript.status == "cancelled"
    assert [c.state for c in run.transcript.tool_calls] == ["cancelled"]
    assert run.pauses.pending == []
    assert (ran, len(script.requests)) == ([], 1)


def test_shown_as_it_is_the_call_says_what_to_call_and_that_code_resumes() -> None:
    script, ran = Script(), []
    agent = make_agent(script, ran)

    async def main() -> tuple[list[Event], Any]:
        seen: list[Any] = []

        async def items() -> AsyncIterator[Any]:
            async with agent.run_stream_events("tidy up") as stream:
                async for event in stream:
                    seen.append(event)
                    yield event

        events = [ev async for ev in nbagent.aiter_events(items())]
        (request,) = statuses(events, "awaiting_approval")
        assert request.detail["actions"] == []
        scope: dict[str, Any] = {"agent": agent, "result": seen[-1].result}
        exec(request.detail["hint"], scope)  # the hint is code the user pastes
        async with agent.run_stream_events(
            message_history=scope["result"].all_messages(),
            deferred_tool_results=scope["results"],
        ) as stream:
            resumed = [event async for event in stream]
        return events, resumed[-1].result

    events, resumed = aio.run(main())
    (request,) = statuses(events, "awaiting_approval")
    assert request.detail["hint"] == deferred_hint("approval", "c1")
    (end,) = [ev for ev in events if isinstance(ev, RunEnd)]
    assert end.reason == "interrupted"
    assert ran == ["a.txt"]
    assert resumed.output == "the tool said: deleted a.txt"


def test_with_approvals_refuses_what_it_cannot_resume() -> None:
    with pytest.raises(TypeError, match="pydantic-ai Agent"):
        nbagent.with_approvals(object(), "hi")
