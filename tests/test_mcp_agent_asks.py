"""What an MCP server asks while an ``Agent``'s run calls its tool (elicitation, sampling):
the call pauses with the question and is answered from code as a breakpoint is
(``run.pending``, ``approve`` / ``mock`` / ``deny``, and ``dismiss`` for a question only), on
the current protocol revision and the one before it; the agent's own model answers a sampling
request it approves."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

import nbagent
from nbagent import McpServer
from nbagent.agent.agent import Agent
from nbagent.runtime.answers import answer_from_view
from tests.mcp_servers import ROOT, TOOLBOX
from tests.servers import OpenAIServer, text_chunks
from tests.test_agent import calls_step, client_for, off_loop
from tests.wait import PATIENCE, wait_for

pytestmark = pytest.mark.mcp


@pytest.fixture(params=["auto", "legacy"])
def toolbox(request: pytest.FixtureRequest) -> Iterator[McpServer]:
    with nbagent.mcp(TOOLBOX, cwd=ROOT, timeout_s=60, protocol=request.param) as server:
        yield server


def call_of(run: Any, tool_call_id: str) -> Any:
    return next(c for c in run.transcript.tool_calls if c.id == tool_call_id)


def paused_with(run: Any) -> dict[str, Any]:
    """The paused call's pause detail, once it pauses."""

    def shown() -> Any:  # waiting in the run's pauses, and folded into its transcript
        if run.done:
            return True
        pending = run.pending
        return pending and call_of(run, pending[0].tool_call_id).state == "paused"

    wait_for(shown, PATIENCE, "the call to pause")
    assert run.pending, run.transcript.status
    call = call_of(run, run.pending[0].tool_call_id)
    assert call.pause is not None
    return dict(call.pause)


@contextlib.contextmanager
def paused_run(
    server: McpServer, calls: list[tuple[str, str, str]], *replies: list[Any]
) -> Iterator[tuple[OpenAIServer, Any, dict[str, Any]]]:
    """An agent's run on the scripted model: a step calling ``calls`` (id, tool, arguments)
    of ``server``, then ``replies``; yields the model server, the run once a call paused with
    a question, and that pause's detail."""
    with OpenAIServer(scripts=[calls_step(*calls), *replies]) as srv:
        agent = Agent("m", tools=[server], client=client_for(srv))
        run = off_loop(lambda: agent.run("Go."))
        yield srv, run, paused_with(run)


def next_question(run: Any, answered: str, server: McpServer) -> bool:
    """Wait for the next question once ``answered``'s was answered: the other call's when
    the revision says whose a question is (2026-07-28; returns True). Before it, a question
    is shown on the first call without one, so the answer may have gone to the other call's
    server-side tool: once a call has ended, the question left is shown on the call still
    running (for a moment it may still be on the call that ended)."""
    exact = server.protocol_version >= "2026-07-28"

    def asked() -> bool:
        pending = run.pending
        if not pending:
            return False
        waiting = call_of(run, pending[0].tool_call_id)
        if exact:
            return waiting.id != answered and waiting.state == "paused"
        ended = [c for c in run.transcript.tool_calls if c.result is not None]
        return bool(ended) and waiting.result is None and waiting.state == "paused"

    wait_for(asked, PATIENCE, "the next question")
    return exact


def test_an_elicitation_pauses_the_call_until_the_notebook_answers(toolbox: McpServer) -> None:
    with paused_run(toolbox, [("c1", "ask_name", "{}")], text_chunks(["Hi Ada."])) as (
        srv,
        run,
        pause,
    ):
        assert pause["actions"] == ["run", "deny", "dismiss"]
        assert pause["head"].startswith("The server asks: Who is asking? (Accept")
        assert pause["fill"] == {"name": None, "age": None, "tea": False}
        assert pause["schema"]["required"] == ["name"]
        assert run.pending[0].args == {"name": None, "age": None, "tea": False}
        run.approve(0)  # the starting point lacks the name: asked again, saying why
        call = run.transcript.tool_calls[0]
        wait_for(lambda: call.pause and call.pause.get("error"), PATIENCE, "the refusal")
        assert call.pause["error"] == "required: name"
        wait_for(lambda: run.pending, PATIENCE, "the call to wait again")
        with pytest.raises(ValueError, match="required: name"):
            run.approve(0, age=3)  # checked before it is taken: still paused
        with pytest.raises(ValueError, match="cannot be answered 'mock'"):
            run.mock(0, "Ada")  # an elicitation's answer is its fields
        run.approve(0, name="Ada", age=36)
        t = run.wait(PATIENCE)
    assert t.status == "completed"
    call = t.tool_calls[0]
    assert call.result == "hello Ada, 36"
    assert call.server == "toolbox"
    assert call.answer == {"action": "run", "edited": False, "reason": "answered"}
    assert call.args == {}  # the call's own arguments stay as the model sent them
    assert srv.requests[1]["messages"][-1]["content"] == "hello Ada, 36"


def test_a_declined_elicitation_and_one_answered_from_the_page(toolbox: McpServer) -> None:
    calls = [("c1", "ask_name", "{}"), ("c2", "ask_name", "{}")]
    with paused_run(toolbox, calls, text_chunks(["Ok."])) as (_, run, _pause):
        first = run.pending[0].tool_call_id
        run.deny(first, "not today")
        exact = next_question(run, first, toolbox)
        # The page's answer: Edit arguments sends the fields as a JSON object.
        run.handle_message(
            {
                "type": "pause_answer",
                "id": run.pending[0].tool_call_id,
                "action": "run",
                "args": {"name": "Bo", "tea": True},
            }
        )
        t = run.wait(PATIENCE)
    results = {c.id: c.result for c in t.tool_calls}
    assert sorted(results.values()) == ["decline", "hello Bo (tea)"]
    if exact:
        assert results[first] == "decline"


def test_sampling_is_answered_by_the_agents_model_typed_or_refused(toolbox: McpServer) -> None:
    calls = [("c1", "summarize", '{"text": "A long text about tea."}')]
    replies = [text_chunks(["Tea is good."]), text_chunks(["Summarized."])]
    with paused_run(toolbox, calls, *replies) as (srv, run, pause):
        assert pause["actions"] == ["run", "mock", "deny"]
        assert pause["head"].startswith("The server asks the model: A long text about tea. (Run")
        run.approve(0)
        t = run.wait(PATIENCE)
    assert t.tool_calls[0].result == "summary: Tea is good."
    sampled = srv.requests[1]
    assert sampled.get("stream") is not True
    assert sampled["messages"] == [
        {"role": "system", "content": "Summarize in one line."},
        {"role": "user", "content": "A long text about tea."},
    ]
    assert sampled["max_tokens"] == 50

    calls = [("c1", "summarize", '{"text": "x"}'), ("c2", "summarize", '{"text": "y"}')]
    with paused_run(toolbox, calls, text_chunks(["Done."])) as (srv, run, _pause):
        typed = run.pending[0].tool_call_id
        run.mock(typed, "typed by hand")
        exact = next_question(run, typed, toolbox)
        run.deny(0)
        t = run.wait(PATIENCE)
    results = sorted(str(c.result) for c in t.tool_calls)
    assert results[1] == "summary: typed by hand"
    assert "declined" in results[0]
    assert sum(c.is_error for c in t.tool_calls) == 1
    if exact:
        assert {c.id: c.result for c in t.tool_calls}[typed] == "summary: typed by hand"
    assert len(srv.requests) == 2  # no model call answered either request


def test_stop_while_the_server_asks_cancels_the_call(toolbox: McpServer) -> None:
    with paused_run(toolbox, [("c1", "ask_name", "{}")]) as (_, run, _pause):
        run.cancel()
        t = run.wait(PATIENCE)
    assert t.status == "cancelled"
    wait_for(lambda: not toolbox.pending, PATIENCE, "the request to end")


def test_a_dismissed_question_is_a_cancel_for_the_server(toolbox: McpServer) -> None:
    calls = [("c1", "ask_name", "{}"), ("c2", "ask_name", "{}")]
    with paused_run(toolbox, calls, text_chunks(["Ok."])) as (_, run, _pause):
        first = run.pending[0].tool_call_id
        run.dismiss(first)
        exact = next_question(run, first, toolbox)
        # The page's Dismiss: the same answer as a message.
        run.handle_message(
            {"type": "pause_answer", "id": run.pending[0].tool_call_id, "action": "dismiss"}
        )
        t = run.wait(PATIENCE)
    assert t.status == "completed"  # the calls went on: the tool returned what it makes of it
    assert [c.result for c in t.tool_calls] == ["cancel", "cancel"]
    assert [c.state for c in t.tool_calls] == ["done", "done"]
    dismissed = {"action": "dismiss", "edited": False, "reason": "dismissed"}
    if exact:
        assert [c.answer for c in t.tool_calls] == [dismissed, dismissed]
        assert call_of(run, first).result == "cancel"
    else:
        # Before 2026-07-28 a question names no call: the second one may show for a moment
        # on the call that has ended (next_question), which pauses it again and clears its
        # answer; each question was answered once, as a dismiss, on one of the calls.
        answers = [c.answer for c in t.tool_calls]
        assert dismissed in answers
        assert all(a in (None, dismissed) for a in answers)


def test_dismiss_is_refused_where_no_question_offers_it(toolbox: McpServer) -> None:
    calls = [("c1", "summarize", '{"text": "x"}')]
    with paused_run(toolbox, calls, text_chunks(["Done."])) as (_, run, _pause):
        with pytest.raises(ValueError, match="cannot be answered 'dismiss'"):
            run.dismiss(0)  # a sampling request: run, mock or deny
        assert run.pending
        assert call_of(run, run.pending[0].tool_call_id).state == "paused"
        run.mock(0, "typed")
        t = run.wait(PATIENCE)
    assert t.tool_calls[0].result == "summary: typed"

    # A breakpoint before an ordinary call of the server's tool: no question to dismiss.
    with OpenAIServer(
        scripts=[calls_step(("b1", "add", '{"a": 2, "b": 3}')), text_chunks(["5."])]
    ) as srv:
        agent = Agent("m", tools=[toolbox], client=client_for(srv))
        run = off_loop(lambda: agent.run("Go.", pause_before=["add"]))
        paused_with(run)
        with pytest.raises(ValueError, match="cannot be answered 'dismiss'"):
            run.dismiss(0)
        with pytest.raises(ValueError, match="cannot be answered 'dismiss'"):
            answer_from_view(run.pauses, {"id": "b1", "action": "dismiss"})  # the page's
        assert [p.tool_call_id for p in run.pending] == ["b1"]
        assert call_of(run, "b1").state == "paused"
        run.approve(0)
        t = run.wait(PATIENCE)
    assert t.tool_calls[0].result == "5"
