"""MCP Apps on the kernel's side (no kernel, no page): nbagent declares the ui extension to the
server (tests/mcp_servers/apps.py, written with the SDK's ``mcp.server.apps``), reads a tool's
``_meta.ui``, reads each app's ``ui://`` resource once per run through the server's session
and checks it, and a call's run carries what the page needs: the app's HTML once in the
run's ``apps``, the call's ``meta.app`` with its result as it came. Hostile servers (a resource
of another type, one too large, one missing, a uri that is not ``ui://``, a ``_meta.ui`` of
the wrong types) end in a one-line error in the call's ``meta.app`` or no app, never a crash."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp.server import apps as sdk_apps

import nbagent
from nbagent import McpError, McpServer
from nbagent.agent.agent import Agent
from nbagent.apps.inspector import McpInspector
from nbagent.core.events import Custom, ToolCallEnd, ToolCallStart, ToolResult
from nbagent.mcp_client import McpApp, McpResult
from nbagent.mcp_client._apps import (
    APP_MIME,
    MAX_APP_BYTES,
    MAX_RESULT_BYTES,
    UI,
    AppResources,
    app_key,
    app_result,
    read_app,
    tool_app,
)
from nbagent.transcript.transcript import Transcript
from nbagent.widget.chunks import mentions_app, mentions_math
from tests.mcp_servers import ROOT, call_log, logged
from tests.mcp_servers.apps import APP_HTML, APP_URI
from tests.servers import OpenAIServer, text_chunks
from tests.test_agent import calls_step, client_for, off_loop
from tests.wait import PATIENCE, wait_for

pytestmark = pytest.mark.mcp

APPS = [sys.executable, "-m", "tests.mcp_servers.apps"]


@pytest.fixture(scope="module")
def built() -> None:
    if not APP_HTML.is_file():
        pytest.fail(f"{APP_HTML} is missing: `make tests/mcp_apps/dist/app.html`", pytrace=False)


@pytest.fixture
def server(built: None, tmp_path: Path) -> Iterator[McpServer]:
    log = call_log(tmp_path)
    with nbagent.mcp([*APPS, "--hostile", "--log", str(log)], cwd=ROOT, timeout_s=30) as s:
        s.test_log = log  # type: ignore[attr-defined]
        yield s


def test_the_names_are_the_sdks() -> None:
    assert UI == sdk_apps.EXTENSION_ID
    assert APP_MIME == sdk_apps.APP_MIME_TYPE


def test_the_server_sees_the_extension_and_its_tools_apps(server: McpServer) -> None:
    tools = {t.name: t for t in server.tools}
    assert tools["chart"].app == McpApp(APP_URI, ("model", "app"))
    assert tools["bump"].app == McpApp(APP_URI, ("app",))
    assert tools["not_ui"].app == McpApp("https://example.com/app.html")  # refused when read
    assert tools["odd_meta"].app is None  # a resourceUri that is no string: no app
    server.call("chart", values=[1, 2])
    # The SDK's own check of the client: nbagent declared ui with the app mimeType.
    assert logged(server.test_log) == ["chart [1.0, 2.0] apps=True"]  # type: ignore[attr-defined]


def test_tool_app_reads_meta_field_by_field() -> None:
    assert tool_app(None) is None
    assert tool_app({"ui": "ui://x"}) is None
    assert tool_app({"ui": {"resourceUri": ""}}) is None
    assert tool_app({"ui": {"resourceUri": "ui://a", "visibility": "app"}}) == McpApp("ui://a")
    odd = {"ui": {"resourceUri": "ui://a", "visibility": ["app", 3, "app", "everyone"]}}
    assert tool_app(odd) == McpApp("ui://a", ("app",))
    assert len(tool_app({"ui": {"resourceUri": "ui://" + "a" * 10**6}}).uri) == 2048  # type: ignore[union-attr]


def test_a_call_carries_its_app_once_per_run(server: McpServer) -> None:
    inspector = McpInspector(server)
    t = inspector.call("chart", {"values": [3, 4]}).wait(PATIENCE)
    assert t.status == "completed"
    state = t.to_dict()
    (call,) = [b for b in state["blocks"] if b["type"] == "tool"]
    app = call["meta"]["app"]
    assert app["uri"] == APP_URI
    assert app["visibility"] == ["model", "app"]
    assert app["result"] == {
        "content": [{"type": "text", "text": "2 values, total 7"}],
        "isError": False,
        "structuredContent": {"result": "2 values, total 7"},
    }
    assert call["args"] == {"values": [3, 4]}
    assert app["key"] == app_key("apps", APP_URI)  # the server's name and the uri
    shown = state["apps"][app["key"]]
    assert shown["html"] == APP_HTML.read_text(encoding="utf-8")
    assert shown["csp"] == {"connectDomains": ["https://api.example.com"]}
    assert shown["prefers_border"] is True
    # The page needs the app chunk for it; its HTML is no text of the run (no math chunk).
    assert mentions_app(state)
    assert not mentions_math(state)


def test_a_run_with_100_calls_to_one_app_holds_and_sends_its_html_once() -> None:
    html = "<p>app</p>" * 1000
    t = Transcript()
    ops: list[dict[str, Any]] = []
    for i in range(100):
        cid = f"c{i}"
        ops += t.apply(
            ToolCallStart(tool_call_id=cid, name="chart", meta={"app": {"uri": "ui://a"}})
        )
        ops += t.apply(ToolCallEnd(tool_call_id=cid, args={"i": i}))
        ops += t.apply(Custom(name="mcp_app", value={"uri": "ui://a", "html": html}))
        result = {"uri": "ui://a", "result": {"content": [], "isError": False}}
        ops += t.apply(ToolResult(tool_call_id=cid, content=str(i), meta={"app": result}))
    sent = json.dumps(ops)
    assert sent.count(html) == 1
    assert len(sent) < len(html) + 100 * 1000
    assert t.to_dict()["apps"] == {"ui://a": {"html": html}}
    assert "<p>app</p>" not in t.to_html()  # the static copy: never the app's code
    assert all(b["meta"]["app"]["uri"] == "ui://a" for b in t.to_dict()["blocks"])
    # Not an app: nothing kept.
    assert t.apply(Custom(name="mcp_app", value={"uri": 3, "html": "x"})) == []
    assert t.apply(Custom(name="mcp_app", value="ui://b")) == []


@pytest.mark.parametrize(
    ("tool", "error"),
    [
        ("wrong_type", "app ui://wrong/type.html: 'text/plain' is not an app"),
        ("huge", "app ui://huge/app.html: 9,437,184 bytes, over the 4 MB an app may be"),
        ("missing", "app ui://missing/app.html: "),
        ("not_ui", "app https://example.com/app.html: not a ui:// resource"),
    ],
)
def test_a_hostile_app_is_a_one_line_error_and_the_call_goes_on(
    server: McpServer, tool: str, error: str
) -> None:
    t = McpInspector(server).call(tool, {}).wait(PATIENCE)
    assert t.status == "completed"
    (call,) = t.tool_calls
    assert call.result == f"{tool} ran"
    assert call.meta is not None
    said = call.meta["app"]["error"]
    assert said.startswith(error)
    assert "\n" not in said
    assert "apps" not in t.to_dict()


def test_odd_meta_is_no_app(server: McpServer) -> None:
    t = McpInspector(server).call("odd_meta", {}).wait(PATIENCE)
    assert t.tool_calls[0].meta is None
    assert not mentions_app(t.to_dict())


def test_each_app_is_read_once_per_run() -> None:
    reads: list[str] = []
    item = {"uri": "ui://a", "mimeType": APP_MIME, "text": "<p>a</p>"}

    async def read(uri: str) -> list[dict[str, Any]]:
        reads.append(uri)
        await asyncio.sleep(0)
        return [item]

    async def run() -> None:
        apps = AppResources(read)
        found = await asyncio.gather(*(apps.get("ui://a") for _ in range(5)))
        assert {f.html for f in found} == {"<p>a</p>"}
        with pytest.raises(McpError, match="not a ui:// resource"):
            await apps.get("file:///etc/passwd")
        with pytest.raises(McpError, match="not a ui:// resource"):
            await apps.get("file:///etc/passwd")  # said again, not asked again

    asyncio.run(run())
    assert reads == ["ui://a"]


def test_a_read_that_fails_without_words_is_said_by_its_errors_type() -> None:
    async def read(uri: str) -> list[dict[str, Any]]:
        raise McpError("")  # a server's error with an empty message

    async def run() -> None:
        with pytest.raises(McpError, match=r"^app ui://a: McpError$"):
            await AppResources(read).get("ui://a")

    asyncio.run(run())


def test_read_app_checks_every_field() -> None:
    page = {"uri": "ui://a", "mimeType": "text/html; profile=mcp-app", "text": "<p>"}
    assert read_app("ui://a", [page]).html == "<p>"
    blob = base64.b64encode("<p>é".encode()).decode()
    assert (
        read_app("ui://a", [{"uri": "ui://a", "mimeType": APP_MIME, "blob": blob}]).html == "<p>é"
    )
    odd_meta = {
        "csp": {"connectDomains": ["https://a", 3, ""], "resourceDomains": "https://b", "x": [1]},
        "permissions": {"camera": {}, "microphone": True, "teleport": {}},
        "prefersBorder": "yes",
    }
    found = read_app("ui://a", [page | {"_meta": {"ui": odd_meta}}])
    assert found.csp == {"connectDomains": ["https://a"]}
    assert found.permissions == ["camera"]
    assert found.prefers_border is None
    cases: list[tuple[list[dict[str, Any]], str]] = [
        ([], "no contents"),
        ([page | {"mimeType": None}], "no mimeType is not an app"),
        ([page | {"mimeType": "text/html"}], "'text/html' is not an app"),
        ([{"uri": "ui://a", "mimeType": APP_MIME}], "neither text nor blob"),
        ([{"uri": "ui://a", "mimeType": APP_MIME, "blob": "%%%"}], "not base64 of UTF-8"),
        ([page | {"text": "é" * MAX_APP_BYTES}], "over the 4 MB"),
        ([{"uri": "ui://a", "mimeType": APP_MIME, "blob": "A" * (MAX_APP_BYTES * 2)}], "over"),
    ]
    for contents, said in cases:
        with pytest.raises(McpError, match=said):
            read_app("ui://a", contents)


def test_a_result_too_large_for_the_app_is_its_text_cut() -> None:
    small = McpResult(content=[{"type": "text", "text": "hi"}], structured={"n": 1})
    assert app_result(small) == {
        "content": [{"type": "text", "text": "hi"}],
        "isError": False,
        "structuredContent": {"n": 1},
    }
    big = McpResult(content=[{"type": "text", "text": "x" * MAX_RESULT_BYTES}], is_error=True)
    cut = app_result(big)
    assert cut["isError"] is True
    assert len(json.dumps(cut)) < MAX_RESULT_BYTES
    assert cut["content"][0]["text"].endswith("its text only, cut, is sent to the app]")


def test_an_agents_call_shows_its_app_and_the_apps_own_tool_is_not_the_models(
    server: McpServer,
) -> None:
    assert "bump" not in {t.name for t in server.agent_tools()}  # visibility: ["app"]
    steps = [
        calls_step(("c1", "chart", '{"values": [1, 2]}'), ("c2", "chart", '{"values": [5]}')),
        calls_step(("c3", "missing", "{}")),
        text_chunks(["Charted."]),
    ]
    with OpenAIServer(scripts=steps) as srv:
        agent = Agent("m", tools=[server], client=client_for(srv))
        t = off_loop(lambda: agent.run("Chart them.").wait(PATIENCE))
    assert t.status == "completed"
    assert "bump" not in json.dumps(srv.requests[0]["tools"])
    first, second, missing = t.tool_calls
    assert first.result == "2 values, total 3"
    assert first.meta is not None
    assert first.meta["app"]["uri"] == APP_URI
    assert first.meta["app"]["result"]["structuredContent"] == {"result": "2 values, total 3"}
    assert second.meta is not None
    assert second.meta["app"]["result"]["content"][0]["text"] == "1 values, total 5"
    assert missing.meta is not None
    assert missing.meta["app"]["error"].startswith("app ui://missing/app.html: ")
    state = t.to_dict()
    assert list(state["apps"]) == [app_key("apps", APP_URI)]  # once in the run, read once
    reads = [e for e in server.rpc if e["dir"] == "out" and '"resources/read"' in e["text"]]
    assert [APP_URI in e["text"] for e in reads] == [True, False]  # chart's, then missing's


def test_an_agents_call_shows_its_app_from_its_start_while_it_waits_paused(
    server: McpServer,
) -> None:
    """The call's ``meta.app`` comes with its start and its app is read then (before the call
    runs): a call paused before it runs shows its app, which the page sends its input."""
    steps = [calls_step(("c1", "chart", '{"values": [4]}')), text_chunks(["Charted."])]
    key = app_key("apps", APP_URI)
    with OpenAIServer(scripts=steps) as srv:
        agent = Agent("m", tools=[server], client=client_for(srv))
        run = off_loop(lambda: agent.run("Chart.", pause_before=["chart"]))
        wait_for(lambda: run.pending, what="the paused chart call")
        state = run.transcript.to_dict()
        paused = next(b for b in state["blocks"] if b.get("id") == "c1")
        assert paused["state"] == "paused"
        assert paused["meta"]["app"]["key"] == key
        assert "result" not in paused["meta"]["app"]
        assert state["apps"][key]["html"] == APP_HTML.read_text(encoding="utf-8")
        assert logged(server.test_log) == []  # type: ignore[attr-defined]
        run.approve()
        t = run.wait(PATIENCE)
    assert t.status == "completed"
    assert t.tool_calls[0].meta is not None
    assert t.tool_calls[0].meta["app"]["result"]["content"][0]["text"] == "1 values, total 4"
    assert list(t.to_dict()["apps"]) == [key]


def test_closing_cancels_the_reads_still_going() -> None:
    """A call stopped while its app is read (the inspector's run ends): the read ends too."""

    async def run() -> None:
        started = asyncio.Event()

        async def read(uri: str) -> list[dict[str, Any]]:
            started.set()
            await asyncio.Event().wait()  # a server that never answers
            return []

        apps = AppResources(read)
        waiting = asyncio.ensure_future(apps.get("ui://a"))
        await started.wait()
        apps.close()
        await asyncio.wait({waiting}, timeout=PATIENCE)
        assert waiting.cancelled()

    asyncio.run(run())
