"""Framework runs whose agents call MCP servers: each call of a server's tool names the server
(``ToolCall.server``, the panel's "add · toolbox"), a plain function tool of the same run none.

The servers are the toolbox (``tests/mcp_servers/toolbox.py``, written with the SDK) over stdio
and Streamable HTTP, each call logged by the server itself; the agents are the frameworks' own,
on their test models: pydantic-ai's ``MCPToolset`` (read through ``show()`` of
``run_stream_events``, its entered events, an ``agent.iter()`` run and ``with_approvals``) and
the Agents SDK's ``MCPServerStdio`` (``show()`` of ``Runner.run_streamed``, its approvals, and
``nbagent.watch()``'s trace processor).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest

from tests.frameworks.conftest import need

need("pydantic_ai")
need("agents")

import openai  # noqa: E402 - after need(): skipped where the extra is absent
from agents import Agent as AgentsAgent  # noqa: E402
from agents import OpenAIChatCompletionsModel, Runner, function_tool  # noqa: E402
from agents.mcp import MCPServerStdio  # noqa: E402
from agents.testing import ScriptedModel, assistant_message, function_call  # noqa: E402
from pydantic_ai import Agent, DeferredToolRequests  # noqa: E402
from pydantic_ai.models.test import TestModel  # noqa: E402

import nbagent  # noqa: E402
from nbagent.core.events import ToolCallStart  # noqa: E402
from tests import aio  # noqa: E402
from tests.frameworks.test_watch_openai_agents import call, tracing  # noqa: E402, F401 - a fixture
from tests.mcp_servers import ROOT, TOOLBOX, call_log, logged, toolbox_over  # noqa: E402
from tests.servers import OpenAIServer, text_chunks  # noqa: E402
from tests.wait import PATIENCE  # noqa: E402

pytestmark = pytest.mark.mcp


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return call_log(tmp_path)


def servers(run: nbagent.Run) -> dict[str, str | None]:
    """Each tool call's MCP server, by the tool's name."""
    return {c.name: c.server for c in run.transcript.tool_calls}


def shown(make: Callable[[], Any]) -> nbagent.Run:
    """``nbagent.show(make())`` on a loop, awaited to its end."""

    async def main() -> nbagent.Run:
        run = nbagent.show(make())
        await asyncio.wait_for(run.wait_async(), PATIENCE)
        return run

    return aio.run(main())


def shown_inside(enter: Callable[[], AbstractAsyncContextManager[Any]]) -> nbagent.Run:
    """``nbagent.show()`` of what ``async with enter()`` gives, awaited to its end inside."""

    async def main() -> nbagent.Run:
        async with enter() as source:
            run = nbagent.show(source)
            await asyncio.wait_for(run.wait_async(), PATIENCE)
        return run

    return aio.run(main())


def started_with_server(run: nbagent.Run, name: str) -> bool:
    """Whether the call's first start already named its server (no later start needed)."""
    calls = {c.name: c.id for c in run.transcript.tool_calls}
    starts = [ev for ev in run.events if isinstance(ev, ToolCallStart)]
    return [ev.server for ev in starts if ev.tool_call_id == calls[name]][:1] != [None]


# -- pydantic-ai: MCPToolset ------------------------------------------------------------------


def mcp_toolset(target: str | list[str], **kw: Any) -> Any:
    """pydantic-ai's toolset of the toolbox: a URL, or a stdio command (its process ends with
    the run: ``keep_alive=False``). Its connection waits a loaded machine's budget (pydantic-ai's
    default is 5 s, which a Python server's start can take under load)."""
    mcp = need("pydantic_ai.mcp")  # pydantic-ai's MCP needs fastmcp's client (its mcp extra)
    kw.setdefault("init_timeout", PATIENCE)
    if isinstance(target, str):
        return mcp.MCPToolset(target, **kw)
    from fastmcp.client.transports import StdioTransport

    command, *args = target
    transport = StdioTransport(command, args, cwd=str(ROOT), keep_alive=False)
    return mcp.MCPToolset(transport, **kw)


def add_local(a: int, b: int) -> int:
    """Add two integers here, not on a server."""
    return a + b


def pydantic_agent(toolset: Any, *calls: str, **kw: Any) -> Agent[None, Any]:
    """An agent on pydantic-ai's ``TestModel`` that calls ``calls`` once each."""
    return Agent(TestModel(call_tools=list(calls)), toolsets=[toolset], tools=[add_local], **kw)


def test_pydantic_ai_stdio_server_given_no_id_is_named_by_its_server_info(log: Path) -> None:
    toolset = mcp_toolset([*TOOLBOX, "--log", str(log)])
    agent = pydantic_agent(toolset, "add", "echo", "add_local")
    run = shown(lambda: agent.run_stream_events("add and echo"))
    assert run.status == "completed"
    assert servers(run) == {"add": "toolbox", "echo": "toolbox", "add_local": None}
    # TestModel's arguments, run by the server (pydantic-ai runs the two calls at once: the
    # server may take either first)
    assert sorted(logged(log)) == ["add 0 0", "echo a"]
    assert started_with_server(run, "add")  # named from the call's first start
    (add,) = [c for c in run.transcript.tool_calls if c.name == "add"]
    assert add.result == 0


def test_pydantic_ai_streamable_http_server_is_named_by_its_id_through_a_prefix() -> None:
    """A toolset's ``id`` names its server; a prefix changes the tools' names, not it. The
    events entered by the user are the source."""
    with toolbox_over("http") as url:
        toolset = mcp_toolset(url, id="toolbox-http").prefixed("web")
        agent = pydantic_agent(toolset, "web_forecast", "add_local")
        run = shown_inside(lambda: agent.run_stream_events("weather"))
    assert run.status == "completed"
    assert servers(run) == {"web_forecast": "toolbox-http", "add_local": None}
    (forecast,) = [c for c in run.transcript.tool_calls if c.name == "web_forecast"]
    assert forecast.result == {"city": "a", "temp_c": 12.5, "sky": "cloudy"}


def test_pydantic_ai_iter_run_and_two_servers(log: Path) -> None:
    """``agent.iter()``'s run shown as it is: its whole steps name each call's own server."""
    stdio = mcp_toolset([*TOOLBOX, "--log", str(log)], id="local")
    with toolbox_over("http") as url:
        remote = mcp_toolset(url).prefixed("remote")  # a URL's toolset: its host is its id
        agent = Agent(
            TestModel(call_tools=["add", "remote_echo", "add_local"]),
            toolsets=[stdio, remote],
            tools=[add_local],
        )
        run = shown_inside(lambda: agent.iter("add"))
    assert run.status == "completed"
    assert servers(run) == {"add": "local", "remote_echo": "127.0.0.1", "add_local": None}
    assert logged(log) == ["add 0 0"]


def test_pydantic_ai_with_approvals_names_the_paused_calls_server(log: Path) -> None:
    toolset = mcp_toolset([*TOOLBOX, "--log", str(log)]).approval_required(
        lambda ctx, tool_def, args: tool_def.name == "delete_file"
    )
    agent = pydantic_agent(
        toolset, "delete_file", "add_local", output_type=[str, DeferredToolRequests]
    )

    async def main() -> nbagent.Run:
        run = nbagent.show(nbagent.with_approvals(agent, "tidy up"))
        assert await run.until_paused(timeout=PATIENCE), run.transcript.status
        (request,) = run.pending
        assert request.name == "delete_file"
        assert servers(run)["delete_file"] == "toolbox"  # while it waits
        assert logged(log) == []
        run.approve(0)
        await asyncio.wait_for(run.wait_async(), PATIENCE)
        return run

    run = aio.run(main())
    assert run.status == "completed"
    assert servers(run) == {"delete_file": "toolbox", "add_local": None}
    assert logged(log) == ["delete_file a"]


# -- the Agents SDK: mcp_servers= -------------------------------------------------------------


@function_tool
def add_here(a: int, b: int) -> int:
    """Add two integers here, not on a server."""
    return a + b


def stdio_server(log: Path, **kw: Any) -> MCPServerStdio:
    """The SDK's stdio server of the toolbox, waiting a loaded machine's budget (the SDK's
    default is 5 s)."""
    params = {"command": sys.executable, "args": [*TOOLBOX[1:], "--log", str(log)]}
    return MCPServerStdio(
        params={**params, "cwd": str(ROOT)}, client_session_timeout_seconds=PATIENCE, **kw
    )


def with_server(server: MCPServerStdio, main: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """``main()`` while the SDK's server is connected (on the loop that connects it)."""

    async def connected() -> Any:
        async with server:
            return await main()

    return aio.run(connected())


def scripted(server: MCPServerStdio, *calls: tuple[str, dict[str, Any]]) -> AgentsAgent[Any]:
    """An agent on the SDK's ``ScriptedModel``: one model turn of ``calls``, then an answer."""
    turn = [function_call(name, args, call_id=f"call_{name}") for name, args in calls]
    model = ScriptedModel([{"output": turn}, {"output": [assistant_message("Done.")]}])
    return AgentsAgent(name="Helper", model=model, tools=[add_here], mcp_servers=[server])


def test_openai_agents_stdio_server_is_named_by_its_name(log: Path) -> None:
    server = stdio_server(log, name="toolbox-stdio")
    agent = scripted(server, ("add", {"a": 2, "b": 40}), ("add_here", {"a": 1, "b": 1}))

    async def main() -> nbagent.Run:
        run = nbagent.show(Runner.run_streamed(agent, "add"))
        await asyncio.wait_for(run.wait_async(), PATIENCE)
        return run

    run = with_server(server, main)
    assert run.status == "completed"
    assert servers(run) == {"add": "toolbox-stdio", "add_here": None}
    assert logged(log) == ["add 2 40"]
    # the model's call shows as it streams; the SDK's run item then names the server
    assert not started_with_server(run, "add")


def test_openai_agents_approval_of_an_mcp_tool_names_the_server(log: Path) -> None:
    """A server given no name is named as the SDK names it (after its command)."""
    server = stdio_server(log, require_approval={"delete_file": "always"})
    agent = scripted(server, ("delete_file", {"path": "a.txt"}), ("add_here", {"a": 1, "b": 2}))

    async def main() -> nbagent.Run:
        run = nbagent.show(Runner.run_streamed(agent, "tidy up"))
        assert await run.until_paused(timeout=PATIENCE), run.transcript.status
        assert servers(run)["delete_file"] == server.name  # while it waits
        assert logged(log) == []
        run.approve(0)
        await asyncio.wait_for(run.wait_async(), PATIENCE)
        return run

    run = with_server(server, main)
    assert server.name == f"stdio: {sys.executable}"
    assert run.status == "completed"
    assert servers(run) == {"delete_file": server.name, "add_here": None}
    assert logged(log) == ["delete_file a.txt"]


@pytest.mark.parametrize("watched", ["block", "agent"])
def test_openai_agents_watch_names_the_server_from_its_tool_span(log: Path, watched: str) -> None:
    """``nbagent.watch()`` (a block, or the agent): the model's calls come with its span, the
    server with the tool's."""
    server = stdio_server(log, name="toolbox-stdio")
    scripts = [
        call("add", {"a": 2, "b": 40}, "call_m"),
        call("add_here", {"a": 1, "b": 2}, "call_f"),
        text_chunks(["Done."]),
    ]
    with OpenAIServer(scripts=scripts) as srv:
        client = openai.AsyncOpenAI(base_url=srv.base_url, api_key="test", max_retries=0)
        model = OpenAIChatCompletionsModel("test-model", client)
        agent = AgentsAgent(name="Helper", model=model, tools=[add_here], mcp_servers=[server])

        async def main() -> nbagent.Run:
            if watched == "block":
                async with nbagent.watch() as run:
                    await Runner.run(agent, "add")
                return run
            async with nbagent.watch(agent) as watcher:
                await Runner.run(agent, "add")
            (run,) = watcher.runs
            return run

        run = with_server(server, main)
    assert run.status == "completed"
    assert [(c.id, c.name, c.server) for c in run.transcript.tool_calls] == [
        ("call_m", "add", "toolbox-stdio"),
        ("call_f", "add_here", None),
    ]
    assert logged(log) == ["add 2 40"]
