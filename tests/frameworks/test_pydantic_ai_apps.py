"""A pydantic-ai run's MCP apps, shown as nbagent's own Agent shows them: pydantic-ai's
``MCPToolset`` over stdio runs the SDK's test server with an app (``tests/mcp_servers/apps.py``,
its app built by ``make tests/mcp_apps/dist/app.html``), pydantic-ai's own test models call
``chart``, and ``nbagent.show(agent.run_stream_events(...))`` shows the run: the call's
``meta.app`` (uri, key, result), the app's HTML in the run's ``apps`` (read through the run's
toolset, checked by ``read_app``), a hostile resource's one-line error, and the app's own call
paused for the author, then run through the toolset (``call_tool_for_app``).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.frameworks.conftest import need

need("pydantic_ai")
need("pydantic_ai.mcp")  # pydantic-ai's MCP needs fastmcp's client (its mcp extra)

from pydantic_ai import Agent  # noqa: E402
from pydantic_ai.messages import (  # noqa: E402
    ModelMessage,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, FunctionModel  # noqa: E402

import nbagent  # noqa: E402
from nbagent.adapters.pydantic_ai import PydanticAiAdapter  # noqa: E402
from nbagent.core.events import Custom, RunEnd, ToolResult  # noqa: E402
from nbagent.core.values import app_key  # noqa: E402
from nbagent.mcp_client._app_calls import AppCalls  # noqa: E402
from nbagent.widget.messages import AppCallRequest  # noqa: E402
from tests import aio  # noqa: E402
from tests.frameworks.test_framework_mcp import mcp_toolset  # noqa: E402
from tests.mcp_servers import call_log, logged  # noqa: E402
from tests.mcp_servers.apps import APP_HTML, APP_URI  # noqa: E402
from tests.wait import PATIENCE, wait_for, wait_for_async  # noqa: E402

pytestmark = pytest.mark.mcp

APPS = [sys.executable, "-m", "tests.mcp_servers.apps"]
KEY = app_key("apps", APP_URI)
"""The chart app's key: the server names itself "apps" (a stdio toolset given no id)."""


@pytest.fixture
def log(tmp_path: Path) -> Path:
    if not APP_HTML.is_file():
        pytest.fail(f"{APP_HTML} is missing: `make tests/mcp_apps/dist/app.html`", pytrace=False)
    return call_log(tmp_path)


def calling(*calls: tuple[str, str], wait: Any = None) -> FunctionModel:
    """A model that calls each ``(tool, JSON arguments)`` at once, then (after ``await
    wait()`` when given) answers "Done."."""

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[Any]:
        if len(messages) == 1:
            for i, (name, args) in enumerate(calls):
                yield {i: DeltaToolCall(name=name, json_args=args, tool_call_id=f"c{i + 1}")}
            return
        if wait is not None:
            await wait()
        yield "Done."

    async def whole(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        """The same, not streamed (``agent.iter()`` whose nodes are not streamed)."""
        if len(messages) == 1:
            parts = [ToolCallPart(n, a, f"c{i + 1}") for i, (n, a) in enumerate(calls)]
            return ModelResponse(parts=list(parts))
        if wait is not None:
            await wait()
        return ModelResponse(parts=[TextPart("Done.")])

    return FunctionModel(whole, stream_function=stream)


def shown(
    agent: Agent[None, str], *, until: Any = None, box: dict[str, Any] | None = None
) -> nbagent.Run:
    """``nbagent.show(agent.run_stream_events(...))`` on a loop (in ``box["run"]`` as it
    starts, for the model's own code), awaited to its end and then (on the same loop: the
    run's toolset reads there) until ``until(run)``."""

    async def main() -> nbagent.Run:
        run = nbagent.show(agent.run_stream_events("Chart it."))
        if box is not None:
            box["run"] = run
        await asyncio.wait_for(run.wait_async(), PATIENCE)
        if until is not None:
            await wait_for_async(lambda: until(run), what="the run's apps")
        return run

    return aio.run(main())


def app_of(run: nbagent.Run, name: str) -> dict[str, Any]:
    (call,) = [c for c in run.transcript.tool_calls if c.name == name]
    app = (call.meta or {}).get("app")
    assert isinstance(app, dict), call.meta
    return app


def test_a_chart_call_shows_its_app_read_through_the_runs_toolset(log: Path) -> None:
    toolset = mcp_toolset([*APPS, "--log", str(log)])
    agent = Agent(calling(("chart", '{"values": [1, 2]}')), toolsets=[toolset])
    run = shown(agent, until=lambda r: KEY in (r.transcript.apps or {}))
    assert run.status == "completed"
    app = app_of(run, "chart")
    assert (app["uri"], app["key"]) == (APP_URI, KEY)
    assert app["result"]["content"] == [{"type": "text", "text": "2 values, total 3"}]
    assert app["result"]["isError"] is False
    assert "error" not in app
    entry = (run.transcript.apps or {})[KEY]
    assert entry["html"] == APP_HTML.read_text(encoding="utf-8")
    # Its CSP domains were asked for; none allowed (pydantic-ai's runs have no app_domains=).
    assert entry["csp"] == {"connectDomains": ["https://api.example.com"]}
    assert "policy" not in entry
    assert logged(log)[0].startswith("chart [1.0, 2.0]")
    assert run.transcript.to_dict()["apps"][KEY]["html"] == entry["html"]  # the page's state


@pytest.mark.parametrize("how", ["iter", "with_approvals"])
def test_the_other_ways_of_showing_a_run_show_its_app(log: Path, how: str) -> None:
    """``agent.iter()``'s run (its nodes: the tool's return comes in the next request) and
    ``nbagent.with_approvals(agent, ...)`` reach the run's toolset too."""
    toolset = mcp_toolset([*APPS, "--log", str(log)])
    agent = Agent(calling(("chart", '{"values": [2]}')), toolsets=[toolset])

    async def main() -> nbagent.Run:
        if how == "iter":
            async with agent.iter("Chart it.") as source:
                run = nbagent.show(source)
                await asyncio.wait_for(run.wait_async(), PATIENCE)
        else:
            run = nbagent.show(nbagent.with_approvals(agent, "Chart it."))
            await asyncio.wait_for(run.wait_async(), PATIENCE)
        await wait_for_async(lambda: KEY in (run.transcript.apps or {}), what="the app")
        return run

    run = aio.run(main())
    assert app_of(run, "chart")["result"]["content"][0]["text"] == "1 values, total 2"
    assert (run.transcript.apps or {})[KEY]["html"] == APP_HTML.read_text(encoding="utf-8")
    assert isinstance(run.app_calls, AppCalls)


def test_the_app_read_while_the_run_is_live_is_one_of_its_events(log: Path) -> None:
    """The model's next step waits until the app is in the run: it came as the run's event
    (logged before its end), once for two calls of one app."""
    box: dict[str, nbagent.Run] = {}

    async def app_shown() -> None:
        await wait_for_async(lambda: KEY in (box["run"].transcript.apps or {}), what="the app")

    toolset = mcp_toolset([*APPS, "--log", str(log)])
    model = calling(("chart", '{"values": [1]}'), ("chart", '{"values": [5]}'), wait=app_shown)
    agent = Agent(model, toolsets=[toolset])

    run = shown(agent, box=box)
    assert run.status == "completed"
    kinds = [type(ev) for ev in run.events]
    added = [ev for ev in run.events if isinstance(ev, Custom) and ev.name == "mcp_app"]
    assert [ev.value["key"] for ev in added] == [KEY]  # once for both calls
    assert kinds.index(Custom) < kinds.index(RunEnd)
    keys = [(c.meta or {}).get("app", {}).get("key") for c in run.transcript.tool_calls]
    assert keys == [KEY, KEY]


def test_a_hostile_resource_is_a_one_line_error_on_its_call(log: Path) -> None:
    toolset = mcp_toolset([*APPS, "--hostile", "--log", str(log)])
    agent = Agent(calling(("wrong_type", "{}"), ("huge", "{}")), toolsets=[toolset])

    def said(run: nbagent.Run) -> bool:
        return all("error" in app_of(run, n) for n in ("wrong_type", "huge"))

    run = shown(agent, until=said)
    assert run.status == "completed"
    wrong, huge = app_of(run, "wrong_type")["error"], app_of(run, "huge")["error"]
    assert wrong == (
        "app ui://wrong/type.html: 'text/plain' is not an app (text/html;profile=mcp-app)"
    )
    assert huge.startswith("app ui://huge/app.html: ")
    assert "over the 4 MB" in huge
    assert "\n" not in wrong + huge
    assert not run.transcript.apps  # neither app shows


def test_the_apps_own_call_pauses_then_runs_through_the_toolset(log: Path) -> None:
    toolset = mcp_toolset([*APPS, "--log", str(log)])
    agent = Agent(calling(("chart", '{"values": [1, 2]}')), toolsets=[toolset])
    run = shown(agent, until=lambda r: KEY in (r.transcript.apps or {}))
    calls = run.app_calls
    assert isinstance(calls, AppCalls)  # no longer refused: nbagent reaches the toolset
    (chart,) = run.transcript.tool_calls
    ask = AppCallRequest(type="app_call", id=chart.id, request=1, name="bump")
    run.handle_message(ask | {"arguments": {"by": 3}})
    pending = wait_for(lambda: calls.pending, what="the paused app call")
    assert [(c.name, c.arguments) for c in pending] == [("bump", {"by": 3})]
    assert not any(line.startswith("bump") for line in logged(log))
    assert calls.answer(1, "run")

    def record() -> dict[str, Any] | None:
        found = [r for r in run.transcript.tool_calls[0].reruns if r.get("by") == "app"]
        return found[0] if found and found[0].get("state") == "done" else None

    done = wait_for(record, what="the app call's result")
    assert done is not None
    assert (done["name"], done["result"], done["is_error"]) == ("bump", "bumped by 3", False)
    assert done["answer"]["result"]["content"] == [{"type": "text", "text": "bumped by 3"}]
    assert "bump 3" in logged(log)
    # Copied as the toolset's call nbagent made, not as an nbagent server's.
    assert done["call_as"] == 'await toolset.call_tool_for_app("bump", dict({args}))'
    # A tool the app may not see (the server's tools, listed through the toolset): refused.
    run.handle_message(ask | {"request": 2, "name": "secret"})
    (refused,) = [r for r in run.transcript.tool_calls[0].reruns if r.get("request") == 2]
    assert refused["state"] == "refused"
    assert refused["answer"]["error"]["message"] == (
        "the tool 'secret' is not visible to apps (its visibility)"
    )


def test_an_app_call_while_the_run_holds_its_toolset_goes_on_the_runs_loop(log: Path) -> None:
    """The model's next step waits while the app calls ``bump`` and the author runs it: the
    toolset's connection is the run's (entered on its loop), and the call goes there from
    nbagent's own loop."""
    box: dict[str, nbagent.Run] = {}

    def record(run: nbagent.Run) -> dict[str, Any] | None:
        calls = [c for c in run.transcript.tool_calls if c.name == "chart"]
        found = [r for c in calls for r in c.reruns if r.get("by") == "app"]
        return found[0] if found and found[0].get("state") in ("done", "error") else None

    async def app_calls() -> None:
        run = box["run"]
        await wait_for_async(lambda: KEY in (run.transcript.apps or {}), what="the app")
        assert run.app_calls is not None
        (chart,) = run.transcript.tool_calls
        run.handle_message(
            {"type": "app_call", "id": chart.id, "request": 7, "name": "bump", "arguments": {}}
        )
        calls = run.app_calls
        assert isinstance(calls, AppCalls)
        await wait_for_async(lambda: calls.pending, what="the paused app call")
        assert calls.answer(7, "run")
        await wait_for_async(lambda: record(run), what="the app call's result")

    toolset = mcp_toolset([*APPS, "--log", str(log)])
    agent = Agent(calling(("chart", '{"values": [4]}'), wait=app_calls), toolsets=[toolset])

    run = shown(agent, box=box)
    assert run.status == "completed"
    done = record(run)
    assert done is not None
    assert (done["state"], done["result"]) == ("done", "bumped by 1")
    assert [line.split(" apps=")[0] for line in logged(log)] == ["chart [4.0]", "bump 1"]


def test_the_adapter_reads_the_toolsets_record_into_the_calls_meta() -> None:
    """Pure: the return's ``metadata["mcp_app"]`` → ``meta.app``, keyed by the call's server
    (the run's lookup), else the record's toolset id; a record of the wrong types is none."""
    record = {
        "resource_uri": APP_URI,
        "tool_input": {"values": [1]},
        "result": {"content": [{"type": "text", "text": "1 values, total 1"}], "isError": False},
        "toolset_id": "charts",
    }

    def result_of(adapter: PydanticAiAdapter, metadata: Any) -> ToolResult:
        part = ToolReturnPart("chart", "1 values, total 1", "c1", metadata=metadata)
        item = {"event_kind": "function_tool_result", "part": part}
        (found,) = [ev for ev in adapter.feed(item) if isinstance(ev, ToolResult)]
        return found

    named = result_of(PydanticAiAdapter(tool_servers=lambda name: "apps"), {"mcp_app": record})
    assert named.meta is not None
    assert named.meta["app"] == {"uri": APP_URI, "key": KEY, "result": record["result"]}
    by_id = result_of(PydanticAiAdapter(), {"mcp_app": record})
    assert by_id.meta is not None
    assert by_id.meta["app"]["key"] == app_key("charts", APP_URI)
    odd = result_of(PydanticAiAdapter(), {"mcp_app": {**record, "resource_uri": 42}})
    assert "app" not in (odd.meta or {})
    huge = {"content": [{"type": "text", "text": "x" * 2_000_000}], "isError": False}
    cut = result_of(PydanticAiAdapter(), {"mcp_app": {**record, "result": huge}})
    assert cut.meta is not None
    (block,) = cut.meta["app"]["result"]["content"]
    assert len(block["text"]) < 300_000
    assert "its text only, cut" in block["text"]
