"""``nbagent.watch()`` around pydantic-ai runs in a real kernel: the records of its spans reach
the widget below the cell, from ``run_sync`` (which re-enters the kernel's running loop: the
kernel applies ``nest_asyncio`` as pydantic-ai asks Jupyter users to) and from ``await
agent.run()`` in ``async with``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.frameworks.conftest import need

need("pydantic_ai")
need("opentelemetry.sdk.trace")

from tests.kernel import Kernel, final_state  # noqa: E402

pytestmark = pytest.mark.kernel

KERNEL_OF_ITS_OWN = "nest_asyncio.apply() patches asyncio for the rest of the kernel's life"
KERNEL_SETUP = """
import nest_asyncio
nest_asyncio.apply()  # what pydantic-ai asks of Jupyter users for run_sync (the loop runs)
import nbagent
from pydantic_ai import Agent
from pydantic_ai.models.test import TestModel

agent = Agent(TestModel(), name="weather")

@agent.tool_plain
def weather(city: str) -> str:
    return f"sunny in {city}"
"""


def blocks(state: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [b for b in state["blocks"] if b["type"] == kind]


def test_run_sync_in_a_watch_block_shows_in_the_widget(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute(
        "with nbagent.watch(title='Weather') as run:\n"
        "    result = agent.run_sync('Weather in Oslo?')\n"
    )
    state = final_state(kernel, since)
    assert state["status"] == "completed"
    assert state["title"] == "Weather"
    answer = "".join(b["text"] for b in blocks(state, "text"))
    assert answer == kernel.value("result.output")
    (tool,) = blocks(state, "tool")
    assert tool["name"] == "weather"
    assert "sunny in" in str(tool["result"])
    assert state["whole"] is True
    assert len(state["steps"]) == kernel.value("result.usage.requests")
    assert kernel.value("run.transcript.text") == kernel.value("result.output")
    assert kernel.value("Agent._instrument_default") is False


def test_await_run_in_an_async_watch_block(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute(
        "async with nbagent.watch() as run2:\n    result2 = await agent.run('Weather in Rome?')\n"
    )
    state = final_state(kernel, since)
    assert state["status"] == "completed"
    answer = "".join(b["text"] for b in blocks(state, "text"))
    assert answer == kernel.value("result2.output")
    assert [b["name"] for b in blocks(state, "tool")] == ["weather"]
