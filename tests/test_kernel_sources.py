"""Live sources through nbagent.show() in a real kernel, against real local servers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import nbagent
from tests.kernel import Kernel, final_state
from tests.servers import Drop, OpenAIServer, Pause, chunk, text_chunks, usage_chunk
from tests.sse_servers import SSEServer, fixture_frames, frame
from tests.test_websocket import Server as WebSocketServer
from tests.test_websocket import event
from tests.wait import PATIENCE

pytestmark = pytest.mark.kernel


# In the kernel: wait (on its loop, where async sources run) until a condition holds.
UNTIL = """
import asyncio

async def until(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)
"""


KERNEL_SETUP = "import nbagent, time, openai\n" + UNTIL


def answer(state: dict[str, Any]) -> str:
    """The answer the widget's state holds, as ``Transcript.text`` reads it."""
    return nbagent.Transcript.from_dict(state).text


OPENAI = (
    "client = openai.OpenAI(base_url={url!r}, api_key='test', max_retries=0)\n"
    "stream = client.chat.completions.create(model='m', messages=[{{'role': 'user', "
    "'content': 'hi'}}], stream=True, stream_options={{'include_usage': True}})\n"
    "run = nbagent.show(stream)\n"
)


def test_openai_stream_renders_through_show(kernel: Kernel) -> None:
    words = [f"word{i} " for i in range(200)]
    script = [*text_chunks(words, usage=False), usage_chunk(12, 200)]
    with OpenAIServer(script=script, delay=0.001) as srv:
        since = len(kernel.messages())
        kernel.execute(OPENAI.format(url=srv.base_url) + "t = run.wait(30)")
    state = final_state(kernel, since)
    assert answer(state) == "".join(words)
    assert (state["status"], state["end_reason"]) == ("completed", "completed")
    assert state["usage"]["output_tokens"] == 200


def test_openai_connection_dropped_mid_stream_keeps_the_text(kernel: Kernel) -> None:
    script = [chunk("", role="assistant"), chunk("partial "), chunk("answer"), Drop()]
    with OpenAIServer(script=script) as srv:
        since = len(kernel.messages())
        kernel.execute(OPENAI.format(url=srv.base_url) + "t = run.wait(30)")
    state = final_state(kernel, since)
    assert answer(state) == "partial answer"
    assert (state["status"], state["end_reason"]) == ("error", "incomplete")
    assert state["error"]["message"]


def test_openai_stop_is_a_disconnect_the_server_sees(kernel: Kernel) -> None:
    script = [chunk("", role="assistant"), chunk("a "), chunk("b "), Pause(30)]
    with OpenAIServer(script=script) as srv:
        since = len(kernel.messages())
        kernel.execute(
            OPENAI.format(url=srv.base_url)
            + "await until(lambda: run.transcript.text == 'a b ')\nrun.cancel()"
        )
        assert srv.wait_disconnect(PATIENCE), "the server never saw the client go"
        kernel.execute("run.wait(30)")
    state = final_state(kernel, since)
    assert (state["status"], answer(state)) == ("cancelled", "a b ")


def test_websocket_renders_through_show(kernel: Kernel) -> None:
    with WebSocketServer([event(f"ws{i} ") for i in range(100)], delay=0.001) as srv:
        since = len(kernel.messages())
        kernel.execute(f"run = nbagent.show(nbagent.websocket({srv.url!r}, send={{}}))")
        kernel.execute("t = await run")
    state = final_state(kernel, since)
    assert answer(state) == "".join(f"ws{i} " for i in range(100))
    assert state["status"] == "completed"


def test_websocket_stop_is_a_disconnect_the_server_sees(kernel: Kernel) -> None:
    with WebSocketServer([event(f"w{i} ") for i in range(5000)], delay=0.005) as srv:
        since = len(kernel.messages())
        kernel.execute(f"run = nbagent.show(nbagent.websocket({srv.url!r}, send={{}}))")
        kernel.execute("await until(lambda: 'w1 ' in run.transcript.text)\nrun.cancel()\nawait run")
        assert srv.disconnected.wait(PATIENCE), "the server never saw the client go"
    state = final_state(kernel, since)
    assert state["status"] == "cancelled"
    assert answer(state).startswith("w0 w1 ")


# -- SSE servers: chunk-sse and dexto, as nbagent.sse() sources -----------------------------


def test_chunk_sse_server_renders_through_show(kernel: Kernel) -> None:
    script = [frame({"chunk": f"c{i} "}) for i in range(150)] + [b"data: [DONE]\n\n"]
    with SSEServer(script, delay=0.001) as srv:
        since = len(kernel.messages())
        kernel.execute(f"run = nbagent.show(nbagent.sse({srv.url!r}, json={{'message': 'hi'}}))")
        kernel.execute("t = await run")
        assert srv.requests[-1]["body"] == {"message": "hi"}
    state = final_state(kernel, since)
    assert answer(state) == "".join(f"c{i} " for i in range(150))
    assert (state["status"], state["end_reason"]) == ("completed", "completed")


def test_dexto_server_renders_thinking_tools_and_usage(kernel: Kernel) -> None:
    script = [
        frame({"content": "Let me check."}, event="llm:thinking"),
        frame({"content": "Looking up", "chunkType": "reasoning"}, event="llm:chunk"),
        frame(
            {"toolName": "get_time", "args": {"tz": "CET"}, "callId": "c1"}, event="llm:tool-call"
        ),
        frame(
            {"toolName": "get_time", "callId": "c1", "success": True, "result": "12:00"},
            event="llm:tool-result",
        ),
        frame({"content": "It is noon.", "chunkType": "text"}, event="llm:chunk"),
        frame({"content": "It is noon.", "tokenUsage": {"totalTokens": 42}}, event="llm:response"),
    ]
    with SSEServer(script) as srv:
        since = len(kernel.messages())
        kernel.execute(f"run = nbagent.show(nbagent.sse({srv.url!r}, json={{}}))")
        kernel.execute("t = await run")
    state = final_state(kernel, since)
    assert answer(state) == "It is noon."
    tools = [b for b in state["blocks"] if b["type"] == "tool"]
    assert [(t["name"], t["args"], t["result"]) for t in tools] == [
        ("get_time", {"tz": "CET"}, "12:00")
    ]
    assert state["usage"]["total_tokens"] == 42
    assert state["status"] == "completed"


def test_sse_server_dropping_mid_stream_ends_with_an_error(kernel: Kernel) -> None:
    script = [frame({"chunk": "Partial "}), frame({"chunk": "text"}), Drop()]
    with SSEServer(script) as srv:
        since = len(kernel.messages())
        kernel.execute(f"run = nbagent.show(nbagent.sse({srv.url!r}))")
        kernel.execute("t = await run")
    state = final_state(kernel, since)
    assert answer(state) == "Partial text"
    assert (state["status"], state["end_reason"]) == ("error", "incomplete")


def test_sse_stop_is_a_disconnect_the_server_sees(kernel: Kernel) -> None:
    script = [frame({"chunk": "a "}), frame({"chunk": "b "}), Pause(30, keepalive=True)]
    with SSEServer(script) as srv:
        since = len(kernel.messages())
        kernel.execute(f"run = nbagent.show(nbagent.sse({srv.url!r}))")
        kernel.execute(
            "await until(lambda: run.transcript.text == 'a b ')\nrun.cancel()\nawait run"
        )
        assert srv.wait_disconnect(PATIENCE), "the server never saw the client go"
    state = final_state(kernel, since)
    assert (state["status"], answer(state)) == ("cancelled", "a b ")


def test_http_error_before_the_stream_is_shown(kernel: Kernel) -> None:
    with SSEServer([], status=429, error_body={"error": "slow down"}) as srv:
        since = len(kernel.messages())
        kernel.execute(f"run = nbagent.show(nbagent.sse({srv.url!r}))")
        kernel.execute("t = await run")
    state = final_state(kernel, since)
    assert state["status"] == "error"
    assert "429" in state["error"]["message"]
    assert "slow down" in state["error"]["message"]


# -- every recorded format, served as real SSE and rendered through show() -------------------

FIXTURES = Path(__file__).parent / "fixtures"
SSE_FORMATS = [
    "openai-responses",
    "openai-assistants",
    "anthropic",
    "ag-ui",
    "vercel-ui",
    "langchain",
    "a2a",
]


def _served(fmt: str) -> list[tuple[str, str, list[bytes]]]:
    out = []
    for path in sorted((FIXTURES / fmt).glob("*.jsonl")):
        frames = fixture_frames(fmt, path.stem)
        if frames is not None:
            out.append((fmt, path.stem, frames))
    return out


SERVED = [case for fmt in SSE_FORMATS for case in _served(fmt)]


@pytest.mark.parametrize(("fmt", "name", "frames"), SERVED, ids=[f"{c[0]}/{c[1]}" for c in SERVED])
def test_recorded_stream_over_sse_renders_through_show(
    kernel: Kernel, fmt: str, name: str, frames: list[bytes]
) -> None:
    expected = json.loads((FIXTURES / fmt / f"{name}.expected.json").read_text())
    with SSEServer(frames) as srv:
        since = len(kernel.messages())
        kernel.execute(f"run = nbagent.show(nbagent.sse({srv.url!r}))\nt = await run")
        assert kernel.value("run.format") == fmt
    state = final_state(kernel, since)
    assert state["status"] == expected["status"]
    assert state["end_reason"] == expected["end_reason"]
    if not expected.get("refusal"):
        assert answer(state) == expected["text"]


AGENT = '''
def get_weather(city: str, unit: str = "C") -> dict:
    """Current weather for a city."""
    print("looking up", city)
    return {{"city": city, "temp": 18}}

agent = nbagent.Agent(
    "m", tools=[get_weather],
    client=openai.AsyncOpenAI(base_url={url!r}, api_key="test", max_retries=0),
)
run = agent.run("Weather in Paris?")
t = await run
print(repr(t.text), t.status, run.rerun_tool(0, city="Oslo"))
'''


def test_agent_runs_its_tools_in_the_kernel(kernel: Kernel) -> None:
    call = [
        chunk(None, role="assistant"),
        chunk(tool_calls=[{"index": 0, "id": "call_1", "type": "function",
                           "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]),
        chunk(finish_reason="tool_calls"),
    ]  # fmt: skip
    with OpenAIServer(scripts=[call, text_chunks(["It is 18°C in Paris."])]) as srv:
        since = len(kernel.messages())
        reply = kernel.execute(AGENT.format(url=srv.base_url))
    printed = kernel.outputs(reply["parent_header"]["msg_id"])
    assert "'It is 18°C in Paris.' completed {'city': 'Oslo', 'temp': 18}" in printed
    assert "looking up" not in printed  # the tool's print went into its panel
    state = final_state(kernel, since)
    assert answer(state) == "It is 18°C in Paris."
    (tool,) = [b for b in state["blocks"] if b["type"] == "tool"]
    assert (tool["name"], tool["args"], tool["state"]) == ("get_weather", {"city": "Paris"}, "done")
    assert tool["result"] == {"city": "Paris", "temp": 18}
    assert tool["output"] == "looking up Paris\n"
    assert srv.requests[1]["messages"][-1]["role"] == "tool"
