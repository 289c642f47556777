"""LiteLLM and Ollama streams through ``nbagent.show`` in a real kernel, with no ``format=``:
the final widget state, and Stop (``run.cancel()``) closing Ollama's HTTP stream."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.frameworks.conftest import need

need("litellm")
need("ollama")

from tests.kernel import Kernel, final_state  # noqa: E402
from tests.servers import OpenAIServer, chunk, usage_chunk  # noqa: E402
from tests.sse_servers import SSEServer  # noqa: E402
from tests.wait import PATIENCE  # noqa: E402

pytestmark = pytest.mark.kernel

KERNEL_SETUP = """
import os
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
import asyncio, time
import litellm, ollama, nbagent

async def until(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)
"""


def blocks_text(state: dict[str, Any], kind: str) -> str:
    return "".join(b.get("text", "") for b in state["blocks"] if b["type"] == kind)


def test_litellm_stream(kernel: Kernel) -> None:
    script = [
        chunk("", role="assistant"),
        chunk(reasoning_content="Weighing it."),
        chunk("Calling "),
        chunk("the tool."),
        chunk(
            tool_calls=[
                {
                    "index": 0,
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "lookup", "arguments": '{"q": "x"}'},
                }
            ]
        ),
        chunk(finish_reason="tool_calls"),
        usage_chunk(11, 22),
    ]
    with OpenAIServer(script=script, delay=0.002) as srv:
        since = len(kernel.messages())
        kernel.execute(
            f"stream = litellm.completion(model='openai/x', api_base={srv.base_url!r}, "
            "api_key='test', messages=[{'role': 'user', 'content': 'hi'}], stream=True, "
            "stream_options={'include_usage': True})\n"
            "run = nbagent.show(stream)\n"
            "t = await run"
        )
    state = final_state(kernel, since)
    assert blocks_text(state, "text") == "Calling the tool."
    assert blocks_text(state, "thinking") == "Weighing it."
    (tool,) = [b for b in state["blocks"] if b["type"] == "tool"]
    assert (tool["name"], tool["args"]) == ("lookup", {"q": "x"})
    assert (state["status"], state["end_reason"]) == ("completed", "tool_calls")
    assert (state["usage"]["input_tokens"], state["usage"]["output_tokens"]) == (11, 22)


def ollama_line(content: str = "", **kw: Any) -> bytes:
    message = {"role": "assistant", "content": content}
    if "thinking" in kw:
        message["thinking"] = kw.pop("thinking")
    line = {"model": "qwen3", "created_at": "2026-01-05T10:00:00Z", "message": message}
    line.update({"done": False, **kw})
    return (json.dumps(line) + "\n").encode()


def ollama_server(lines: list[bytes], delay: float = 0.0) -> SSEServer:
    return SSEServer(lines, delay=delay, content_type="application/x-ndjson")


OLLAMA = (
    "client = ollama.Client(host={host!r})\n"
    "run = nbagent.show(client.chat(model='qwen3', messages=[{{'role': 'user', "
    "'content': 'hi'}}], stream=True, think=True))\n"
)


def test_ollama_stream(kernel: Kernel) -> None:
    lines = [
        ollama_line(thinking="Short question."),
        *(ollama_line(f"w{i} ") for i in range(50)),
        ollama_line(
            done=True,
            done_reason="stop",
            prompt_eval_count=7,
            eval_count=50,
            eval_duration=500_000_000,
            total_duration=700_000_000,
        ),
    ]
    with ollama_server(lines, delay=0.001) as srv:
        since = len(kernel.messages())
        kernel.execute(OLLAMA.format(host=f"http://127.0.0.1:{srv.port}") + "t = await run")
    state = final_state(kernel, since)
    assert blocks_text(state, "text") == "".join(f"w{i} " for i in range(50))
    assert blocks_text(state, "thinking") == "Short question."
    assert (state["status"], state["end_reason"]) == ("completed", "completed")
    assert (state["usage"]["input_tokens"], state["usage"]["output_tokens"]) == (7, 50)


def test_ollama_stop_closes_the_stream(kernel: Kernel) -> None:
    lines = [ollama_line(f"o{i} ") for i in range(3000)]
    with ollama_server(lines, delay=0.005) as srv:
        since = len(kernel.messages())
        kernel.execute(
            OLLAMA.format(host=f"http://127.0.0.1:{srv.port}")
            + "await until(lambda: 'o1 ' in run.transcript.text)\nrun.cancel()\nawait run"
        )
        assert srv.wait_disconnect(PATIENCE), "the server never saw the client go"
    state = final_state(kernel, since)
    assert state["status"] == "cancelled"
    assert blocks_text(state, "text").startswith("o0 o1 ")
