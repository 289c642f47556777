"""google-genai, the Claude Agent SDK and anthropic's stream manager through ``nbagent.show``
in a real kernel: the final widget state, and Stop closing the library's stream."""

from __future__ import annotations

import pytest

from tests.frameworks.conftest import need
from tests.frameworks.test_anthropic_sdk import KWARGS, SCRIPT
from tests.frameworks.test_google_genai import THOUGHTFUL, GeminiServer, frames
from tests.kernel import Kernel
from tests.sse_servers import Pause, SSEServer
from tests.test_kernel_sources import UNTIL, answer, final_state

pytestmark = pytest.mark.kernel

need("google.genai")
need("claude_agent_sdk")
need("anthropic")


KERNEL_SETUP = (
    "import nbagent, time, anthropic, claude_agent_sdk\n"
    "from google import genai\nfrom google.genai import types\n"
    "from tests.frameworks.test_claude_agent import PAUSE, ReplayTransport, lines\n" + UNTIL
)


def test_google_genai_stream(kernel: Kernel) -> None:
    with GeminiServer(frames(THOUGHTFUL)) as srv:
        since = len(kernel.messages())
        kernel.execute(
            f"options = types.HttpOptions(base_url={srv.base_url!r})\n"
            "client = genai.Client(api_key='test', http_options=options)\n"
            "models = client.models\n"
            "stream = models.generate_content_stream(model='gemini-2.5-flash', contents='hi')\n"
            "run = nbagent.show(stream)\nt = await run"
        )
    assert kernel.value("run.format") == "google-genai"
    state = final_state(kernel, since)
    assert answer(state) == "Let me check."
    assert (state["status"], state["end_reason"]) == ("completed", "tool_calls")
    assert state["usage"]["reasoning_tokens"] == 5
    assert [b["name"] for b in state["blocks"] if b["type"] == "tool"] == ["get_weather"]


def test_claude_agent_query(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute(
        "tr = ReplayTransport(lines('subagent_task'))\n"
        "run = nbagent.show(claude_agent_sdk.query(prompt='Review a.py', transport=tr))\n"
        "t = await run"
    )
    assert kernel.value("run.format") == "claude-agent"
    state = final_state(kernel, since)
    assert (state["status"], state["end_reason"]) == ("completed", "completed")
    assert "Done: a.py prints 42." in answer(state)
    assert kernel.value("sorted(c.id for c in t.tool_calls)") == [
        "toolu_01Bash",
        "toolu_02Task",
        "toolu_03Read",
    ]


def test_claude_agent_stop_closes_the_transport(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute(
        "script = lines('subagent_task')\n"
        "tr = ReplayTransport([*script[:4], PAUSE, *script[4:]])\n"
        "run = nbagent.show(claude_agent_sdk.query(prompt='Review a.py', transport=tr))\n"
        "await until(lambda: run.transcript.tool_calls)\n"
        "run.cancel()\nawait run\nawait until(lambda: tr.closed)"
    )
    state = final_state(kernel, since)
    assert state["status"] == "cancelled"
    assert kernel.value("tr.closed") is True


def test_anthropic_stream_manager_and_stop(kernel: Kernel) -> None:
    client = "client = anthropic.Anthropic(base_url={url!r}, api_key='test', max_retries=0)\n"
    with SSEServer(SCRIPT) as srv:
        since = len(kernel.messages())
        kernel.execute(
            client.format(url=f"http://127.0.0.1:{srv.port}")
            + f"run = nbagent.show(client.messages.stream(**{KWARGS!r}))\nt = await run"
        )
    state = final_state(kernel, since)
    assert answer(state) == "Let me check."
    assert (state["status"], state["end_reason"]) == ("completed", "tool_calls")
    with SSEServer([*SCRIPT[:9], Pause(20)]) as srv:
        since = len(kernel.messages())
        kernel.execute(
            client.format(url=f"http://127.0.0.1:{srv.port}")
            + f"run = nbagent.show(client.messages.stream(**{KWARGS!r}))\n"
            "await until(lambda: 'Let me' in run.transcript.text)\nrun.cancel()\nawait run"
        )
        assert srv.wait_disconnect()
    assert final_state(kernel, since)["status"] == "cancelled"
