"""End to end: an nbagent.Agent in JupyterLab, against a scripted OpenAI-compatible server.

The kernel runs the agent (the real ``openai`` client, the tool in Python); the page is
driven by Playwright. Tool debugging: Re-run with edited arguments, computed by the kernel.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.lab import LabPage, lab_fixture, lab_server_fixture  # noqa: F401
from tests.servers import OpenAIServer, chunk, text_chunks

pytestmark = pytest.mark.browser

AGENT = '''\
import nbagent, openai

def get_weather(city: str, unit: str = "C") -> dict:
    """Current weather for a city."""
    print("looking up", city)
    return {{"city": city, "temp": len(city) * 3, "unit": unit}}

client = openai.AsyncOpenAI(base_url={url!r}, api_key="test", max_retries=0)
agent = nbagent.Agent("m", tools=[get_weather], client=client)
run = agent.run("Weather in Paris?", title="Agent")
'''


def call_step() -> list[Any]:
    call = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
    }
    return [
        chunk(None, role="assistant"),
        chunk(tool_calls=[call]),
        chunk(finish_reason="tool_calls"),
    ]


def test_rerun_with_edited_arguments_shows_the_kernels_result(lab: LabPage) -> None:
    with OpenAIServer(scripts=[call_step(), text_chunks(["Paris: 15°C."])]) as srv:
        lab.open("agent_rerun.ipynb", [AGENT.format(url=srv.base_url)])
        lab.wait_status("completed")
    panel = lab.widget().locator(".nba-tool")
    assert "Paris: 15°C." in lab.widget().inner_text()
    panel.locator(".nba-summary").click()  # a finished tool panel is collapsed
    result = panel.locator(":scope > .nba-panel-body > .nba-result")
    assert '"temp": 15' in result.inner_text()
    assert panel.locator(":scope > .nba-panel-body > .nba-output").inner_text() == (
        "looking up Paris\n"
    )

    panel.get_by_role("button", name="Re-run").click()
    editor = panel.locator(".nba-rerun-args")
    assert '"city": "Paris"' in editor.input_value()
    editor.fill('{"city": "Oslo", "unit": "F"}')
    panel.get_by_role("button", name="Run", exact=True).click()

    rerun = panel.locator(".nba-rerun")
    rerun.locator(".nba-result").wait_for()
    assert '"temp": 12' in rerun.locator(".nba-result").inner_text()
    assert '"unit": "F"' in rerun.locator(".nba-result").inner_text()
    assert rerun.locator(".nba-output").inner_text() == "looking up Oslo\n"
    assert rerun.locator(".nba-rerun-head").inner_text().startswith('Re-run 1 · city="Oslo"')
    assert '"temp": 15' in result.inner_text()  # the original result stays above
