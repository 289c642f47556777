"""Author and viewer (``nbagent.page_role``): a viewer's page keeps Stop, its state, a Chat's
prompt and a replay's steps; the kernel refuses its re-runs, forks, pause answers and trait
updates whatever it sends, and widgets made for it offer none of them."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest

import nbagent
from nbagent.core.events import Event, Status, ToolCallEnd, ToolCallStart, ToolResult
from nbagent.runtime.pause import PauseRequest
from nbagent.runtime.run import Run
from nbagent.widget import audience as _audience
from nbagent.widget.widget import AgentWidget
from tests.recording import RecordingComm
from tests.wait import wait_for


@pytest.fixture(autouse=True)
def auto(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with the role on "auto", in no app server."""
    monkeypatch.setattr(_audience._Setting, "role", "auto")
    monkeypatch.setattr(_audience._Setting, "served", False)
    for name in (_audience.ENV, "SERVER_SOFTWARE"):
        monkeypatch.delenv(name, raising=False)


def test_the_role_is_author_unless_an_app_server_or_a_setting_says_viewer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert nbagent.page_role() == "author"
    monkeypatch.setenv(_audience.ENV, "viewer")
    assert nbagent.page_role() == "viewer"
    monkeypatch.setenv(_audience.ENV, "Author ")
    assert nbagent.page_role() == "author"
    monkeypatch.delenv(_audience.ENV)
    monkeypatch.setenv("SERVER_SOFTWARE", "voila/0.5.13")  # what Voilà gives its kernels
    assert nbagent.page_role() == "viewer"
    assert nbagent.page_role("author") == "author"  # the author's switch wins
    assert nbagent.page_role("viewer") == "viewer"
    assert nbagent.page_role("auto") == "viewer"
    with pytest.raises(ValueError, match="page_role takes one of 'auto', 'author', 'viewer'"):
        nbagent.page_role("admin")  # type: ignore[arg-type]


def test_marimo_run_is_a_viewer_and_stays_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """marimo's context is per thread: once seen in ``run`` mode, the process stays viewer."""

    class Context:
        session_mode = "run"

    context: list[Any] = [Context()]
    monkeypatch.setattr(_audience, "marimo_context", lambda: context[0])
    assert nbagent.page_role() == "viewer"
    context[0] = None  # a thread without marimo's context
    assert nbagent.page_role() == "viewer"


def test_marimo_edit_is_the_author(monkeypatch: pytest.MonkeyPatch) -> None:
    class Context:
        session_mode = "edit"

    monkeypatch.setattr(_audience, "marimo_context", Context)
    assert nbagent.page_role() == "author"


def test_a_viewer_page_gets_only_its_messages_through(comms: list[RecordingComm]) -> None:
    nbagent.page_role("viewer")
    widget = AgentWidget()
    assert widget.page_actions is False
    heard: list[str] = []
    widget.add_handler(lambda content: heard.append(content["type"]))
    kinds = ["stop", "sync", "output", "prompt", "step", "rerun", "fork", "pause_answer", "x"]
    for kind in [*kinds, {"not": "hashable"}, None]:
        widget._dispatch(widget, {"type": kind}, [])
    assert heard == ["stop", "sync", "output", "prompt", "step"]
    nbagent.page_role("author")
    assert AgentWidget().page_actions is True
    widget._dispatch(widget, {"type": "rerun"}, [])
    assert heard[-1] == "rerun"


def test_a_viewer_page_cannot_change_a_trait(comms: list[RecordingComm]) -> None:
    widget = AgentWidget(title="the author's")
    nbagent.page_role("viewer")
    widget.set_state({"title": "the viewer's", "can_rerun": True})
    assert (widget.title, widget.can_rerun) == ("the author's", False)
    nbagent.page_role("author")
    widget.set_state({"title": "edited"})
    assert widget.title == "edited"


def test_a_viewer_cannot_rerun_or_fork_and_the_author_can(comms: list[RecordingComm]) -> None:
    from nbagent.agent.agent import Agent
    from nbagent.agent.run import AgentRun

    called: list[dict[str, Any]] = []

    def lookup(city: str) -> str:
        """Logs each call: the test's proof of what ran."""
        called.append({"city": city})
        return f"sunny in {city}"

    events = [
        ToolCallStart(tool_call_id="c1", name="lookup"),
        ToolCallEnd(tool_call_id="c1", arguments='{"city": "Oslo"}', args={"city": "Oslo"}),
        ToolResult(tool_call_id="c1", content="sunny in Oslo"),
    ]
    nbagent.page_role("viewer")
    run = AgentRun(Agent("m", tools=[lookup]).session("hi"), iter(events), display=True)
    run.start()
    run.wait(30)
    widget = run.widget
    assert widget is not None
    assert widget.page_actions is False
    for content in (
        {"type": "rerun", "id": "c1", "args": {"city": "VIEWER-CHOSE-THIS"}},
        {"type": "fork", "step": None, "edit": {"c1": "VIEWER-CHOSE-THIS"}},
    ):
        widget._dispatch(widget, content, [])
    assert run.forks == []
    nbagent.page_role("author")
    widget._dispatch(widget, {"type": "rerun", "id": "c1", "args": {"city": "Rome"}}, [])
    wait_for(
        lambda: (run.transcript.tool_calls[0].reruns or [{}])[-1].get("state") == "done",
        what="the author's re-run to finish",
    )
    # Had the viewer's re-run been taken, it would have run first (one message queue).
    assert called == [{"city": "Rome"}]
    assert [r["args"] for r in run.transcript.tool_calls[0].reruns] == [{"city": "Rome"}]


def test_a_pause_waits_for_the_author(comms: list[RecordingComm]) -> None:
    holder: dict[str, Run] = {}
    ask = {"actions": ["run", "edit", "mock", "deny"]}

    async def events() -> AsyncIterator[Event]:
        yield ToolCallStart(tool_call_id="c1", name="delete_file")
        yield ToolCallEnd(tool_call_id="c1", arguments='{"path": "a.txt"}')
        yield Status(state="awaiting_approval", tool_call_id="c1", detail=ask)
        answer = await holder["run"].pauses.before_tool(
            PauseRequest("c1", "delete_file", {"path": "a.txt"})
        )
        detail = {"action": answer.action, "args": answer.args}
        yield Status(state="approval_answered", tool_call_id="c1", detail=detail)
        yield ToolResult(tool_call_id="c1", content=f"{answer.action} {answer.args}")

    nbagent.page_role("viewer")
    run = holder["run"] = Run(events(), format="events", display=True)
    starter = threading.Thread(target=run.start)  # no loop in this thread (test_pause.started)
    starter.start()
    starter.join()
    wait_for(lambda: [p.tool_call_id for p in run.pending] == ["c1"], what="the pause")
    widget = run.widget
    assert widget is not None
    viewer = {"type": "pause_answer", "id": "c1", "action": "run", "args": {"path": "/etc"}}
    widget._dispatch(widget, viewer, [])
    assert [p.tool_call_id for p in run.pending] == ["c1"]  # answered synchronously if taken
    nbagent.page_role("author")
    author = {"type": "pause_answer", "id": "c1", "action": "mock", "result": "pretend"}
    widget._dispatch(widget, author, [])
    t = run.wait(30)
    assert t.tool_calls[0].answer == {"action": "mock", "edited": False}
