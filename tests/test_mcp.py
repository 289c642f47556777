"""``nbagent.mcp()`` against real MCP servers: the toolbox (tests/mcp_servers, written with the
SDK) over stdio, Streamable HTTP and legacy SSE; its tools listed and called from sync code
and from loops, cancelled, timed out; servers that fail to start, crash mid-call or write
garbage; an ``Agent`` using a server's tools beside Python functions."""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

import nbagent
from nbagent import McpError, McpServer, Pauses, Tool, Transcript
from nbagent.agent.agent import Agent
from nbagent.agent.tool_runner import pause_names
from nbagent.core.events import Event
from nbagent.runtime.pause import Answer
from tests import aio
from tests.mcp_servers import ROOT, TOOLBOX, call_log, logged, toolbox_over
from tests.servers import OpenAIServer, text_chunks
from tests.test_agent import calls_step, client_for, collect, off_loop
from tests.wait import PATIENCE, wait_for, wait_for_async

pytestmark = pytest.mark.mcp

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return call_log(tmp_path)


@pytest.fixture
def toolbox(log: Path) -> Iterator[McpServer]:
    with nbagent.mcp([*TOOLBOX, "--log", str(log)], cwd=ROOT, timeout_s=30) as server:
        yield server


def toolbox_processes() -> list[psutil.Process]:
    me = psutil.Process()
    return [
        p
        for p in me.children(recursive=True)
        if "tests.mcp_servers.toolbox" in " ".join(p.cmdline()) and p.is_running()
    ]


def test_the_tools_are_listed_with_schemas_and_annotations(toolbox: McpServer) -> None:
    tools = {t.name: t for t in toolbox.tools}
    assert set(tools) >= {"add", "echo", "forecast", "delete_file", "fail", "picture", "slow"}
    assert toolbox.name == "toolbox"
    assert toolbox.transport == "stdio"
    add = tools["add"]
    assert add.description == "Add two integers."
    assert add.input_schema["required"] == ["a", "b"]
    assert add.input_schema["properties"]["a"]["type"] == "integer"
    assert tools["echo"].input_schema["properties"]["text"]["description"] == "What to say back"
    forecast = tools["forecast"]
    assert forecast.read_only
    assert not forecast.destructive
    assert forecast.output_schema is not None
    assert set(forecast.output_schema["properties"]) == {"city", "temp_c", "sky"}
    assert tools["delete_file"].destructive
    assert not tools["delete_file"].read_only
    assert tools["echo"].destructive  # MCP's default when a tool says nothing
    assert repr(toolbox) == f"<McpServer 'toolbox' (stdio, {len(tools)} tools)>"
    assert toolbox.refresh() == toolbox.tools == list(tools.values())


@pytest.mark.smoke  # also on the other Pythons (make test-pythons)
def test_calls_return_content_structured_results_and_errors(toolbox: McpServer, log: Path) -> None:
    added = toolbox.call("add", a=2, b=40)
    assert added.text == "42"
    assert str(added) == "42"
    assert added.structured == {"result": 42}
    assert not added.is_error
    weather = toolbox.call("forecast", city="Oslo")
    assert weather.structured == {"city": "Oslo", "temp_c": 12.5, "sky": "cloudy"}
    assert json.loads(weather.text) == weather.structured
    image = toolbox.call("picture").content
    assert [(c["type"], c["mimeType"]) for c in image] == [("image", "image/png")]
    assert base64.b64decode(image[0]["data"]).startswith(PNG_MAGIC)
    failed = toolbox.call("fail", message="boom")
    assert failed.is_error
    assert "fail" in failed.text
    unknown = toolbox.call("no_such_tool")
    assert unknown.is_error
    assert "no_such_tool" in unknown.text
    assert logged(log) == ["add 2 40", "forecast Oslo", "fail boom"]


def test_acall_from_another_loop_and_many_at_once(toolbox: McpServer) -> None:
    async def many() -> list[str]:
        results = await asyncio.gather(*(toolbox.acall("add", a=i, b=i) for i in range(20)))
        return [r.text for r in results]

    assert aio.run(many()) == [str(2 * i) for i in range(20)]


def test_a_cancelled_acall_cancels_the_request_on_the_server(toolbox: McpServer, log: Path) -> None:
    async def cancel_midway() -> None:
        task = asyncio.ensure_future(toolbox.acall("slow", steps=200))
        await asyncio.to_thread(wait_for, lambda: "slow 200" in logged(log), what="the call")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    aio.run(cancel_midway())
    wait_for(lambda: "slow cancelled" in logged(log), what="the server to see the cancel")
    assert toolbox.call("add", a=1, b=1).text == "2"  # the connection goes on


def test_a_call_past_the_timeout_raises_and_the_server_is_told(log: Path) -> None:
    with nbagent.mcp([*TOOLBOX, "--log", str(log)], cwd=ROOT, timeout_s=1) as server:
        with pytest.raises(McpError, match=r"toolbox: hang failed: .*timed out"):
            server.call("hang")
        wait_for(lambda: "hang cancelled" in logged(log), what="the server to see the cancel")
        assert server.call("echo", text="still here").text == "still here"


@pytest.mark.smoke
def test_a_server_that_crashes_mid_call_raises_with_its_stderr() -> None:
    with nbagent.mcp(TOOLBOX, cwd=ROOT) as server:
        with pytest.raises(McpError) as crash:
            server.call("crash")
        message = str(crash.value)
        assert message.startswith("toolbox: crash failed: ")
        assert message.endswith("--- the server's stderr (end) ---\ntoolbox: crashing on purpose")
        with pytest.raises(McpError, match="toolbox: add failed"):
            server.call("add", a=1, b=2)
    assert toolbox_processes() == []


def test_a_server_that_fails_to_start_raises_with_its_stderr() -> None:
    with pytest.raises(McpError) as failed:
        nbagent.mcp([*TOOLBOX, "--fail-start"], cwd=ROOT)
    assert "could not connect" in str(failed.value)
    assert str(failed.value).endswith("no config file at /nonexistent/toolbox.toml")
    with pytest.raises(McpError, match="No such file or directory"):
        nbagent.mcp("no-such-mcp-server-command --flag")
    with pytest.raises(ValueError, match="an empty command"):
        nbagent.mcp([])


def test_a_server_that_does_not_answer_raises_after_the_connect_timeout() -> None:
    silent = [sys.executable, "-c", "import time; time.sleep(600)"]
    with pytest.raises(
        McpError,
        match=r"time.sleep\(600\)': did not finish connecting: TimeoutError: no answer in 2 s",
    ):
        nbagent.mcp(silent, connect_timeout_s=2)


def test_lines_that_are_not_json_rpc_are_skipped() -> None:
    with nbagent.mcp([*TOOLBOX, "--garbage"], cwd=ROOT) as server:
        assert server.call("add", a=2, b=3).text == "5"


def test_close_with_and_garbage_collection_end_the_process() -> None:
    server = nbagent.mcp(TOOLBOX, cwd=ROOT)
    (proc,) = toolbox_processes()
    server.close()
    server.close()  # twice is fine
    assert server.closed
    assert not proc.is_running()
    with pytest.raises(McpError, match="not connected"):
        server.call("add", a=1, b=1)
    with nbagent.mcp(TOOLBOX, cwd=ROOT):
        (proc,) = toolbox_processes()
    assert not proc.is_running()
    dropped = nbagent.mcp(TOOLBOX, cwd=ROOT)
    (proc,) = toolbox_processes()
    del dropped
    gc.collect()
    wait_for(lambda: not proc.is_running(), what="the dropped server's process to end")


@pytest.mark.parametrize("transport", ["http", "sse"])
def test_http_and_legacy_sse_servers(transport: str) -> None:
    with toolbox_over(transport) as url, nbagent.mcp(url, headers={"X-Test": "1"}) as server:
        assert server.transport == transport
        assert "forecast" in {t.name for t in server.tools}
        assert server.call("add", a=20, b=22).structured == {"result": 42}
        assert server.stderr_tail() == ""


def test_an_unreachable_url_raises() -> None:
    with pytest.raises(McpError, match="could not connect"):
        nbagent.mcp("http://127.0.0.1:9/mcp", connect_timeout_s=20)


def echo(text: str) -> str:
    """A Python tool with the same name as one of the server's."""
    return f"python says {text}"


def test_an_agent_calls_the_servers_tools_beside_python_ones(toolbox: McpServer, log: Path) -> None:
    step1 = calls_step(
        ("c1", "add", '{"a": 2, "b": 3}'),
        ("c2", "toolbox_echo", '{"text": "hi"}'),
        ("c3", "echo", '{"text": "hi"}'),
        ("c4", "fail", '{"message": "nope"}'),
    )
    step2 = text_chunks(["Done."])
    with OpenAIServer(scripts=[step1, step2]) as srv:
        agent = Agent("m", tools=[toolbox, echo], client=client_for(srv))
        _, t = collect(agent, "Use the tools.")
    names = [x["function"]["name"] for x in srv.requests[0]["tools"]]
    assert names[0] == "echo"
    assert "toolbox_echo" in names
    assert "add" in names
    sent: dict[str, Any] = {
        m["tool_call_id"]: m["content"] for m in srv.requests[1]["messages"][2:]
    }
    assert sent["c1"] == "5"
    assert sent["c2"] == "hi"
    assert sent["c3"] == "python says hi"
    assert sent["c4"].startswith("Error: McpToolError: ")
    by_id = {c.id: c for c in t.tool_calls}
    assert by_id["c1"].result == "5"
    assert [by_id[i].server for i in ("c1", "c2", "c3")] == ["toolbox", "toolbox", None]
    assert by_id["c1"].to_dict()["server"] == "toolbox"
    assert "server" not in by_id["c3"].to_dict()
    # Copy as code calls the server by the tool's own name, not the name the model saw.
    assert by_id["c2"].to_dict()["call_as"] == 'server.call("echo", {args})'
    assert by_id["c3"].call_as is None
    assert "Tool: <code>add · toolbox</code>" in t.to_markdown()
    assert '<code class="nba-tool-name">add · toolbox</code>' in t.to_html()
    assert by_id["c4"].is_error
    assert t.status == "completed"
    assert t.text == "Done."
    assert "add 2 3" in logged(log)
    assert "echo hi" in logged(log)


def test_pause_before_destructive_pauses_only_the_servers_destructive_tools(
    toolbox: McpServer, log: Path
) -> None:
    step1 = calls_step(
        ("c1", "forecast", '{"city": "Oslo"}'), ("c2", "delete_file", '{"path": "/tmp/x"}')
    )
    with OpenAIServer(scripts=[step1, text_chunks(["Done."])]) as srv:
        agent = Agent("m", tools=[toolbox], client=client_for(srv))
        assert agent.tools_by_name["delete_file"].hints == {"destructive", "open_world"}
        assert agent.tools_by_name["forecast"].hints == {"read_only", "open_world"}
        assert agent.tools_by_name["forecast"].origin == "toolbox"
        pauses = Pauses()
        seen: list[list[str]] = []

        async def go() -> list[Event]:
            async def answer() -> None:
                while not pauses.pending:
                    await asyncio.sleep(0.01)
                # The read-only call runs while the destructive one waits.
                await wait_for_async(lambda: "forecast Oslo" in logged(log), what="forecast")
                seen.append([p.name for p in pauses.pending])
                seen.append(logged(log))
                pauses.answer("c2", Answer("run"))

            task = asyncio.ensure_future(answer())
            events = [
                ev async for ev in agent.stream("x", pause_before="destructive", pauses=pauses)
            ]
            await task
            return events

        t = Transcript.from_events(aio.run(go()))
    assert seen == [["delete_file"], ["forecast Oslo"]]
    assert logged(log) == ["forecast Oslo", "delete_file /tmp/x"]
    assert t.status == "completed"


def test_pause_before_hints_and_names() -> None:
    def tool(name: str, *hints: str) -> Tool:
        return Tool(name, "", {"type": "object"}, lambda: None, hints=frozenset(hints))

    tools = {t.name: t for t in (tool("rm", "destructive"), tool("ls", "read_only"), tool("cat"))}
    # The hints named stay in the set: an MCP app's call of a tool the model never sees
    # pauses by its hints (tests/test_mcp_app_calls.py).
    assert pause_names(["destructive"], tools, True) == {"rm", "destructive"}
    assert pause_names("read-only", tools, True) == {"ls", "read_only"}
    assert pause_names(["cat", "destructive"], tools, True) == {"cat", "rm", "destructive"}
    named = {**tools, "destructive": tool("destructive")}
    assert pause_names(["destructive"], named, True) == {"destructive"}  # a name wins
    with pytest.raises(ValueError, match=r"\['dangerous'\] .*or a hint: destructive, idempotent"):
        pause_names(["dangerous"], tools, True)


def test_resources_templates_prompts_and_the_servers_log(toolbox: McpServer) -> None:
    (readme,) = toolbox.list_resources()
    assert (readme.uri, readme.name, readme.mime_type) == (
        "notes://readme",
        "readme",
        "text/markdown",
    )
    assert readme.description == "What this is"
    (template,) = toolbox.list_resource_templates()
    assert (template.uri_template, template.name) == ("notes://{topic}", "note")
    [content] = toolbox.read_resource("notes://readme")
    assert content["text"].startswith("# Toolbox")
    assert content["uri"] == "notes://readme"
    assert toolbox.read_resource("notes://tides")[0]["text"] == "A note on tides."
    (review,) = toolbox.list_prompts()
    assert review.description == "Ask for a code review"
    assert [(a["name"], a.get("required")) for a in review.arguments] == [
        ("code", True),
        ("language", False),
    ]
    [message] = toolbox.get_prompt("review", code="x = 1", language="R")
    assert message["role"] == "user"
    assert message["content"] == {"type": "text", "text": "Review this R code:\nx = 1"}
    with pytest.raises(McpError, match=r"toolbox: reading nowhere://at-all: .*Unknown resource"):
        toolbox.read_resource("nowhere://at-all")
    assert toolbox.call("slow", steps=2).text == "done in 2 steps"
    entries = [(e.level, e.data) for e in toolbox.log]
    assert ("info", "did step 1") in entries
    assert ("info", "did step 2") in entries


def test_stopping_an_agent_run_cancels_the_mcp_call_on_the_server(
    toolbox: McpServer, log: Path
) -> None:
    def scenario() -> Transcript:
        with OpenAIServer(scripts=[calls_step(("c1", "slow", '{"steps": 600}'))]) as srv:
            run = Agent("m", tools=[toolbox], client=client_for(srv)).run("go")
            wait_for(lambda: "slow 600" in logged(log), what="the call to reach the server")
            run.cancel()
            return run.wait(PATIENCE)

    assert off_loop(scenario).status == "cancelled"
    wait_for(lambda: "slow cancelled" in logged(log), what="the server to see the cancel")


def test_an_agents_call_shows_the_servers_images_and_audio(toolbox: McpServer) -> None:
    """The model gets the result's text; the call's panel shows its picture and plays its
    sound (the bundles the inspector shows)."""
    step1 = calls_step(
        ("c1", "picture", "{}"), ("c2", "sound", "{}"), ("c3", "add", '{"a": 1, "b": 1}')
    )
    with OpenAIServer(scripts=[step1, text_chunks(["Done."])]) as srv:
        agent = Agent("m", tools=[toolbox], client=client_for(srv))
        _, t = collect(agent, "Show and play.")
    sent = {m["tool_call_id"]: m["content"] for m in srv.requests[1]["messages"][2:]}
    assert sent["c1"].startswith("[image image/png, ")
    assert sent["c2"].startswith("[audio audio/wav, ")
    by_id = {c.id: c for c in t.tool_calls}
    (picture,) = by_id["c1"].display or []
    assert "image/png" in picture["data"]
    (sound,) = by_id["c2"].display or []
    assert "audio/wav" in sound["data"]
    assert by_id["c3"].display is None  # text only: nothing to show beside it
    page = t.to_html()
    assert '<img class="nba-data-image" src="data:image/png;base64,' in page
    assert '<audio class="nba-data-audio" controls preload="metadata" src="data:audio/wav;' in page


def test_the_first_calls_set_up_happens_at_connect() -> None:
    """What the SDK imports on a call's first result (``jsonschema``, to check it against the
    tool's output schema: seconds on a busy machine) is imported while connecting, in a fresh
    interpreter: the first call costs what the next ones do."""
    import subprocess

    script = (
        "import sys, nbagent\n"
        f"server = nbagent.mcp({TOOLBOX!r}, cwd={str(ROOT)!r})\n"
        "print('jsonschema.validators' in sys.modules)\n"
        "server.close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
