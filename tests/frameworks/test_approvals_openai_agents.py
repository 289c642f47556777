"""The Agents SDK's tool approvals (``function_tool(needs_approval=True)``) as paused tool calls:
``nbagent.show(Runner.run_streamed(...))`` waits on the run's pauses and resumes the SDK's run
with the answer (``nbagent.frameworks.openai_agents.resume``), in the same transcript.

The model is the SDK's ``OpenAIChatCompletionsModel`` on a real ``openai`` client against
``tests.servers.OpenAIServer``: what the answer changed is asserted on the requests the
server received.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from tests.frameworks.conftest import need
from tests.wait import wait_for_async

agents = need("agents")

import openai  # noqa: E402 - after need(): skipped where the extra is absent
from agents import (  # noqa: E402
    Agent,
    OpenAIChatCompletionsModel,
    Runner,
    function_tool,
    set_tracing_disabled,
)

import nbagent  # noqa: E402
from nbagent.adapters.openai_agents.approvals import RESUME_HINT  # noqa: E402
from nbagent.core.events import Event, RunEnd, Status, ToolResult  # noqa: E402
from nbagent.runtime.pause import Answer  # noqa: E402
from tests import aio  # noqa: E402
from tests.frameworks.pausing import paused, stopped_while_paused  # noqa: E402
from tests.servers import OpenAIServer, chunk, text_chunks  # noqa: E402
from tests.wait import PATIENCE  # noqa: E402

set_tracing_disabled(True)

SCHEMA_PROPERTIES = {"path": {"title": "Path", "type": "string"}}


def call_script(call_id: str = "call_D") -> list[Any]:
    call = {"index": 0, "id": call_id, "type": "function"}
    return [
        chunk("", role="assistant"),
        chunk(tool_calls=[{**call, "function": {"name": "delete_file", "arguments": ""}}]),
        chunk(tool_calls=[{"index": 0, "function": {"arguments": '{"path": "a.txt"}'}}]),
        chunk(finish_reason="tool_calls"),
    ]


def make_agent(srv: OpenAIServer, deleted: list[str]) -> Agent[Any]:
    @function_tool(needs_approval=True)
    def delete_file(path: str) -> str:
        """Delete a file."""
        deleted.append(path)
        return f"deleted {path}"

    client = openai.AsyncOpenAI(base_url=srv.base_url, api_key="test", max_retries=0)
    model = OpenAIChatCompletionsModel("test-model", client)
    return Agent(name="Janitor", model=model, tools=[delete_file])


def tool_message(request: Any) -> dict[str, Any]:
    (message,) = [m for m in request["messages"] if m["role"] == "tool"]
    return message


def statuses(events: Any, state: str) -> list[Status]:
    return [ev for ev in events if isinstance(ev, Status) and ev.state == state]


def tool_block(run: nbagent.Run, tool_call_id: str) -> dict[str, Any]:
    with run.lock:
        (block,) = [b for b in run.transcript.to_dict()["blocks"] if b.get("id") == tool_call_id]
    return block


def run_answered(
    answer: Callable[[nbagent.Run], Any],
) -> tuple[nbagent.Run, OpenAIServer, list[str]]:
    deleted: list[str] = []
    with OpenAIServer(scripts=[call_script(), text_chunks(["All ", "done."])]) as srv:

        async def main() -> nbagent.Run:
            run = nbagent.show(Runner.run_streamed(make_agent(srv, deleted), "tidy up"))
            await paused(run)
            (request,) = run.pending
            assert (request.tool_call_id, request.name) == ("call_D", "delete_file")
            assert request.args == {"path": "a.txt"}
            block = tool_block(run, "call_D")
            assert (block["state"], block["pause"]["actions"]) == (
                "paused",
                ["run", "mock", "deny"],
            )
            assert run.transcript.status == "running"
            assert len(srv.requests) == 1  # the SDK waits: no second model call yet
            answer(run)
            await asyncio.wait_for(run.wait_async(), PATIENCE)
            return run

        return aio.run(main()), srv, deleted


def test_the_request_is_a_paused_call_with_the_sdks_actions_and_schema() -> None:
    run, _, _ = run_answered(lambda run: run.approve(0))
    (request,) = statuses(run.events, "awaiting_approval")
    assert request.tool_call_id == "call_D"
    assert request.detail["actions"] == ["run", "mock", "deny"]  # approve / reject: no edit
    assert (request.detail["origin"], request.detail["hint"]) == ("openai-agents", None)
    assert request.detail["schema"]["properties"] == SCHEMA_PROPERTIES


def test_run_approves_and_the_tool_runs_in_the_same_transcript() -> None:
    run, srv, deleted = run_answered(lambda run: run.approve(0))
    t = run.transcript
    assert deleted == ["a.txt"]
    assert tool_message(srv.requests[1])["content"] == "deleted a.txt"
    (answered,) = statuses(run.events, "approval_answered")
    assert answered.detail == {"action": "run", "args": {"path": "a.txt"}, "reason": None}
    (call,) = t.tool_calls
    assert (call.id, call.result, call.state) == ("call_D", "deleted a.txt", "done")
    assert (call.answer, call.pause) == ({"action": "run", "edited": False}, None)
    assert (t.status, t.end_reason, t.text) == ("completed", "completed", "All done.")


def test_deny_reaches_the_model_as_the_reason_and_the_tool_never_runs() -> None:
    run, srv, deleted = run_answered(lambda run: run.deny(0, reason="not on a Tuesday"))
    assert deleted == []
    assert tool_message(srv.requests[1])["content"] == "not on a Tuesday"
    (result,) = [ev for ev in run.events if isinstance(ev, ToolResult)]
    assert (result.content, result.meta) == ("not on a Tuesday", {"denied": True})
    (answered,) = statuses(run.events, "approval_answered")
    assert answered.detail["action"] == "deny"
    (call,) = run.transcript.tool_calls
    assert (call.denied, call.answer["action"], call.answer["reason"]) == (
        True,
        "deny",
        "not on a Tuesday",
    )
    assert run.transcript.status == "completed"


def test_mock_gives_the_model_exactly_the_mocked_text() -> None:
    run, srv, deleted = run_answered(lambda run: run.mock(0, "deleted a.txt (mocked)"))
    assert deleted == []
    assert tool_message(srv.requests[1])["content"] == "deleted a.txt (mocked)"
    (result,) = [ev for ev in run.events if isinstance(ev, ToolResult)]
    assert result.meta == {"mocked": True}
    (call,) = run.transcript.tool_calls
    assert (call.mocked, call.result) == (True, "deleted a.txt (mocked)")


def test_edited_arguments_are_refused_the_call_stays_paused() -> None:
    def edit_then_run(run: nbagent.Run) -> None:
        with pytest.raises(ValueError, match="no edited arguments"):
            run.approve(0, path="b.txt")
        assert [p.tool_call_id for p in run.pending] == ["call_D"]
        run.approve(0)

    _, _, deleted = run_answered(edit_then_run)
    assert deleted == ["a.txt"]


def test_stop_while_waiting_cancels_and_calls_nothing_more() -> None:
    deleted: list[str] = []
    with OpenAIServer(scripts=[call_script(), text_chunks(["never"])]) as srv:
        run = stopped_while_paused(lambda: Runner.run_streamed(make_agent(srv, deleted), "tidy up"))
    assert run.transcript.status == "cancelled"
    (call,) = run.transcript.tool_calls
    assert call.state == "cancelled"
    assert run.pauses.pending == []
    assert deleted == []
    assert len(srv.requests) == 1


def test_read_without_a_run_the_request_says_what_to_call() -> None:
    """``aiter_events`` of the stream and then ``result.interruptions`` (no Run to answer):
    no actions, the hint; the hint itself is code that resumes the SDK's run."""
    deleted: list[str] = []
    with OpenAIServer(scripts=[call_script(), text_chunks(["Gone."])]) as srv:

        async def main() -> tuple[list[Event], Any]:
            result = Runner.run_streamed(make_agent(srv, deleted), "tidy up")

            async def items() -> AsyncIterator[Any]:
                async for event in result.stream_events():
                    yield event
                for item in result.interruptions:
                    yield item

            events = [ev async for ev in nbagent.aiter_events(items(), format="openai-agents")]
            scope: dict[str, Any] = {"result": result, "Runner": Runner}
            exec(RESUME_HINT, scope)  # the hint is code the user pastes
            resumed = scope["result"]
            async for _ in resumed.stream_events():
                pass
            return events, resumed

        events, resumed = aio.run(main())
    (request,) = statuses(events, "awaiting_approval")
    assert request.tool_call_id == "call_D"
    assert (request.detail["actions"], request.detail["hint"]) == ([], RESUME_HINT)
    assert request.detail["schema"]["properties"] == SCHEMA_PROPERTIES
    (end,) = [ev for ev in events if isinstance(ev, RunEnd)]
    assert end.reason == "interrupted"
    assert deleted == ["a.txt"]
    assert resumed.final_output == "Gone."


@pytest.mark.parametrize("answer", [Answer("run"), Answer("deny", reason="no")])
def test_two_parallel_calls_wait_together(answer: Answer) -> None:
    call = {"type": "function", "function": {"name": "delete_file", "arguments": ""}}
    script = [
        chunk("", role="assistant"),
        chunk(tool_calls=[{**call, "index": 0, "id": "call_1"}]),
        chunk(tool_calls=[{"index": 0, "function": {"arguments": '{"path": "x"}'}}]),
        chunk(tool_calls=[{**call, "index": 1, "id": "call_2"}]),
        chunk(tool_calls=[{"index": 1, "function": {"arguments": '{"path": "y"}'}}]),
        chunk(finish_reason="tool_calls"),
    ]
    deleted: list[str] = []
    with OpenAIServer(scripts=[script, text_chunks(["ok"])]) as srv:

        async def main() -> None:
            run = nbagent.show(Runner.run_streamed(make_agent(srv, deleted), "tidy up"))
            await wait_for_async(lambda: len(run.pauses.pending) == 2, what="two approvals")
            assert [p.tool_call_id for p in run.pending] == ["call_1", "call_2"]
            run.approve("call_2")
            assert [p.tool_call_id for p in run.pending] == ["call_1"]
            if answer.action == "run":
                run.approve(0)
            else:
                run.deny(0, reason=answer.reason)
            await run

        aio.run(main())
    assert deleted == (["x", "y"] if answer.action == "run" else ["y"])
    assert len(srv.requests) == 2  # one resumed leg carried both answers
    outputs = {
        m["tool_call_id"]: m["content"] for m in srv.requests[1]["messages"] if m["role"] == "tool"
    }
    assert outputs["call_2"] == "deleted y"
    assert outputs["call_1"] == ("deleted x" if answer.action == "run" else "no")


def test_the_widgets_answer_message_resumes_the_sdk() -> None:
    """The paused panel's Deny sends ``pause_answer`` (JSON data) to the run."""
    message = {"type": "pause_answer", "id": "call_D", "action": "deny", "reason": "from the panel"}
    run, srv, deleted = run_answered(lambda run: run.handle_message(message))
    assert deleted == []
    assert tool_message(srv.requests[1])["content"] == "from the panel"
    (call,) = run.transcript.tool_calls
    assert call.answer == {"action": "deny", "edited": False, "reason": "from the panel"}
