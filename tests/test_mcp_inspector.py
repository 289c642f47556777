"""The MCP inspector's kernel side without a page: what a server asks mid-call (elicitation,
sampling) answered from code on the current protocol revision and the one before it; calls,
resource reads and prompts as runs (``McpInspector``); results as a tool panel shows them;
the log and JSON-RPC feeds the page gets, numbered and bounded."""

from __future__ import annotations

import base64
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import nbagent
from nbagent import McpError, McpResult, McpServer
from nbagent.apps.inspector import McpInspector
from nbagent.mcp_client._results import as_tool_result, log_text
from nbagent.mcp_client._rpc import RPC_CHARS, RPC_KEPT, RpcLog
from nbagent.mcp_client._types import McpLogEntry
from tests.mcp_servers import PNG_1X1, ROOT, TOOLBOX, silent_wav
from tests.wait import PATIENCE, wait_for

pytestmark = pytest.mark.mcp


@pytest.fixture(params=["auto", "legacy"])
def toolbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[McpServer]:
    """The toolbox on the newest revision (2026-07-28: input asked through a multi-round-trip
    result) and on the handshake revisions (the server sends its own requests)."""
    log = tmp_path / "calls.log"
    with nbagent.mcp(
        [*TOOLBOX, "--log", str(log)], cwd=ROOT, timeout_s=30, protocol=request.param
    ) as server:
        yield server


def toolbox_mode(server: McpServer) -> str:
    return str(server._conn.protocol)


def in_thread(fn: Any) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def asked(server: McpServer) -> nbagent.McpRequest:
    return wait_for(lambda: server.pending and server.pending[0], PATIENCE, "a request")


def test_an_elicitation_waits_for_its_answer_and_gets_it(toolbox: McpServer) -> None:
    revision = toolbox.protocol_version
    assert revision == ("2025-11-25" if toolbox_mode(toolbox) == "legacy" else "2026-07-28")
    thread, out = in_thread(lambda: toolbox.call("ask_name").text)
    request = asked(toolbox)
    assert request.kind == "elicitation"
    assert request.message == "Who is asking?"
    assert request.schema is not None
    assert request.schema["required"] == ["name"]
    assert set(request.schema["properties"]) == {"name", "age", "tea"}
    with pytest.raises(ValueError, match="required: name"):
        toolbox.answer(request, "accept", {"age": 3})
    with pytest.raises(TypeError):
        toolbox.answer(request, "accept", "Ada")
    with pytest.raises(ValueError, match="accept, decline or cancel"):
        toolbox.answer(request, "maybe")  # type: ignore[arg-type]
    assert toolbox.pending == [request]  # a refused answer leaves it waiting
    toolbox.answer(request, "accept", {"name": "Ada", "age": 36, "tea": True})
    thread.join(PATIENCE)
    assert out == {"value": "hello Ada, 36 (tea)"}, revision
    assert toolbox.pending == []
    with pytest.raises(McpError, match="no pending request"):
        toolbox.answer(request, "decline")

    for action in ("decline", "cancel"):
        thread, out = in_thread(lambda: toolbox.call("ask_name").text)
        toolbox.answer(asked(toolbox).id, action)  # type: ignore[arg-type]
        thread.join(PATIENCE)
        assert out == {"value": action}


def test_a_sampling_request_is_answered_or_refused(toolbox: McpServer) -> None:
    thread, out = in_thread(lambda: toolbox.call("summarize", text="A long text.").text)
    request = asked(toolbox)
    assert request.kind == "sampling"
    assert request.messages == [{"role": "user", "text": "A long text."}]
    assert request.system_prompt == "Summarize in one line."
    assert request.max_tokens == 50
    assert request.to_json()["messages"] == request.messages
    toolbox.answer(request, "accept", "Short.")
    thread.join(PATIENCE)
    assert out == {"value": "summary: Short."}

    thread, out = in_thread(lambda: toolbox.call("summarize", text="More.").text)
    toolbox.answer(asked(toolbox), "decline")
    thread.join(PATIENCE)
    # The refusal reaches the server as an error, and the call fails saying so.
    assert isinstance(out.get("error"), McpError)
    assert "the user declined the sampling request" in str(out["error"])


def test_calls_reads_and_prompts_are_runs_of_their_own(toolbox: McpServer) -> None:
    inspector = McpInspector(toolbox)
    assert inspector.widget is None  # no notebook: the catalog prints instead
    assert "add: Add two integers." in repr(inspector)
    assert "[open_world, read_only]" in repr(inspector)
    # What marimo shows for the server: its inspector's own display (here, without a page,
    # the catalog as text).
    assert "add: Add two integers." in toolbox._display_()

    t = inspector.call("add", {"a": 2, "b": 3}).wait(PATIENCE)
    assert t.status == "completed"
    call = t.tool_calls[0]
    assert call.result == "5"
    assert call.server == "toolbox"
    assert call.args == {"a": 2, "b": 3}
    assert call.call_as == 'server.call("add", {args})'

    t = inspector.call("slow", {"steps": 3}).wait(PATIENCE)
    assert t.tool_calls[0].result == "done in 3 steps"

    t = inspector.read("notes://readme").wait(PATIENCE)
    assert t.tool_calls[0].name == "read_resource"
    assert t.tool_calls[0].result.startswith("notes://readme:\n# Toolbox")
    assert t.tool_calls[0].call_as == "server.read_resource({args})"

    t = inspector.get_prompt("review", {"code": "x = 1"}).wait(PATIENCE)
    assert t.tool_calls[0].result == "user: Review this python code:\nx = 1"

    t = inspector.call("picture", {}).wait(PATIENCE)
    display = t.tool_calls[0].display
    assert display is not None
    assert display[0]["data"]["image/png"] == PNG_1X1

    # A sound plays in the panel: its bundle, in the run's state and its static HTML too.
    t = inspector.call("sound", {}).wait(PATIENCE)
    wav = base64.b64encode(silent_wav()).decode()
    line = f"[audio audio/wav, {len(silent_wav()):,} bytes]"
    assert t.tool_calls[0].result == line
    assert t.tool_calls[0].display == [
        {"data": {"audio/wav": wav, "text/plain": line}, "metadata": {}}
    ]
    player = '<audio class="nba-data-audio" controls preload="metadata" '
    assert f'{player}src="data:audio/wav;base64,{wav}">' in t.to_html()

    t = inspector.call("fail", {"message": "nope"}).wait(PATIENCE)
    assert t.status == "completed"  # the tool's own error: a result, not a broken run
    assert t.tool_calls[0].is_error

    t = inspector.call("no_such_tool", {}).wait(PATIENCE)
    assert t.tool_calls[0].is_error

    # Re-run from the page: the same request with the edited arguments, as a new turn.
    first = inspector.calls.runs[0]
    first.handle_message({"type": "rerun", "id": "call-1", "args": {"a": 20, "b": 1}})
    again = wait_for(lambda: len(inspector.calls.runs) == 9 and inspector.calls.runs[-1])
    assert again.wait(PATIENCE).tool_calls[0].result == "21"


def test_the_head_line_says_the_command_without_this_machines_paths(
    toolbox: McpServer,
) -> None:
    """The widget's ``server`` trait is saved with the notebook: no interpreter's path."""
    info = McpInspector(toolbox)._server_info()
    program = Path(sys.executable).name
    assert info["target"].startswith(f"{program} -m tests.mcp_servers.toolbox --log ")
    assert sys.executable not in str(info)
    assert toolbox.target.startswith(sys.executable)  # the handle keeps what it was given
    assert info["name"] == "toolbox"


def test_stop_cancels_the_request_and_a_dead_server_ends_the_run_in_error(
    tmp_path: Path,
) -> None:
    log = tmp_path / "calls.log"
    log.touch()
    with nbagent.mcp([*TOOLBOX, "--log", str(log)], cwd=ROOT, timeout_s=30) as server:
        inspector = McpInspector(server)
        run = inspector.call("hang", {})
        wait_for(lambda: "hang" in log.read_text(), PATIENCE, "the call to reach the server")
        run.cancel()
        assert run.wait(PATIENCE).status == "cancelled"
        wait_for(lambda: "hang cancelled" in log.read_text(), PATIENCE, "the cancellation")

        t = inspector.call("crash", {}).wait(PATIENCE)
        assert t.status == "error"
        assert t.tool_calls[0].is_error
        assert "crashing on purpose" in str(t.tool_calls[0].result)


def test_the_feeds_reach_the_page_numbered_once_each(toolbox: McpServer) -> None:
    sent: list[dict[str, Any]] = []

    class Page:
        def send(self, message: dict[str, Any]) -> None:
            sent.append(message)

    inspector = McpInspector(toolbox)
    inspector.widget = Page()  # type: ignore[assignment]
    toolbox.call("slow", steps=2)
    wait_for(lambda: toolbox.log_count >= 2, PATIENCE, "the log lines")
    inspector._push(everything=True)
    first = sent[-1]
    logs = [e["text"] for e in first["log"]]
    assert logs[-2:] == ["did step 1", "did step 2"]
    assert [e["n"] for e in first["rpc"]] == list(range(toolbox.rpc_count))
    assert all(e["dir"] in ("in", "out") for e in first["rpc"])
    assert any("tools/call" in e["text"] for e in first["rpc"])
    inspector._push()
    assert sent[-1]["log"] == []
    assert sent[-1]["rpc"] == []
    toolbox.call("add", a=1, b=1)
    inspector._push()
    new = [e["n"] for e in sent[-1]["rpc"]]
    assert new
    assert new[0] == first["rpc"][-1]["n"] + 1


def test_results_as_a_panel_shows_them() -> None:
    png = {"type": "image", "data": PNG_1X1, "mimeType": "image/png"}
    audio = {
        "type": "audio",
        "data": base64.b64encode(b"RIFF0000").decode(),
        "mimeType": "audio/wav",
    }
    link = {"type": "resource_link", "uri": "file:///a.txt", "name": "a.txt"}
    embedded = {"type": "resource", "resource": {"uri": "notes://x", "text": "hello"}}
    blob = {"type": "resource", "resource": {"uri": "b://1", "blob": "AAAA", "mimeType": "x/y"}}
    text, display, is_error = as_tool_result(McpResult([png, audio, link, embedded, blob]))
    assert text.splitlines() == [
        "[image image/png, 70 bytes]",
        "[audio audio/wav, 8 bytes]",
        "→ a.txt (file:///a.txt)",
        "notes://x:",
        "hello",
        "[blob x/y, 3 bytes] b://1",
    ]
    assert display is not None
    assert len(display) == 1
    assert display[0]["data"]["text/plain"] == "[image image/png, 70 bytes]"
    assert not is_error
    bad = {"type": "image", "data": "not base64!", "mimeType": "image/png"}
    assert as_tool_result(McpResult([bad]))[:2] == ("[image image/png: not valid base64]", None)

    structured = {"city": "Oslo", "temp_c": 12.5}
    same = McpResult([{"type": "text", "text": json.dumps(structured)}], structured)
    assert as_tool_result(same)[0] == structured
    wrapped = McpResult([{"type": "text", "text": "5"}], {"result": 5})
    assert as_tool_result(wrapped)[0] == "5"
    other = McpResult([{"type": "text", "text": "It is mild."}], structured)
    assert as_tool_result(other)[0] == {"content": "It is mild.", "structuredContent": structured}
    assert as_tool_result(McpResult([], structured))[0] == structured
    assert as_tool_result(McpResult([{"type": "text", "text": "x"}], None, True))[2]


def test_what_the_page_is_sent_is_bounded() -> None:
    entry = McpLogEntry("info", "x" * 10_000, "db")
    line = log_text(entry)
    assert line.startswith("info: [db] xxx")
    assert line.endswith("(10,000 characters)")
    assert len(line) < 2100
    assert log_text(McpLogEntry("debug", {"rows": 3}), level=False) == '{"rows": 3}'

    changes: list[None] = []
    rpc = RpcLog(lambda: changes.append(None))

    class Message:
        def __init__(self, text: str) -> None:
            self.text = text

        def model_dump_json(self, **_: Any) -> str:
            return self.text

    class Item:
        def __init__(self, text: str) -> None:
            self.message = Message(text)

    for i in range(RPC_KEPT + 5):
        rpc.add("in", Item(str(i) * (RPC_CHARS + 10) if i == RPC_KEPT + 4 else str(i)))
    assert rpc.count == RPC_KEPT + 5
    assert len(rpc.entries) == RPC_KEPT
    assert rpc.entries[0]["text"] == "5"
    assert rpc.entries[-1]["text"].endswith(
        f"({len(str(RPC_KEPT + 4)) * (RPC_CHARS + 10):,} characters)"
    )
    rpc.add("in", ValueError("the stream broke"))
    assert rpc.entries[-1]["text"] == "ValueError: the stream broke"
    assert len(changes) == RPC_KEPT + 6


def test_a_notebook_without_the_widget_shows_the_catalog_escaped() -> None:
    from nbagent.widget.inspector import InspectorWidget
    from nbagent.widget.widget import LanesWidget

    hostile = '<img src=x onerror="window.__pwned=1">'
    widget = InspectorWidget(
        calls=LanesWidget(arrangement="chat"),
        server={"name": hostile, "transport": "stdio"},
        catalog={
            "tools": [{"name": hostile, "description": hostile, "hints": ["destructive"]}],
            "resources": [{"uri": hostile}],
            "prompts": [{"name": "review"}],
        },
    )
    html = widget.static_html()
    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;" in html
    assert "<em>destructive</em>" in html
    assert "prompt <code>review</code>" in html
    assert repr(widget).endswith(f"1 tools ({hostile}), 1 resource, 1 prompt")
