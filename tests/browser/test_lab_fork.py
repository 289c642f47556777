"""Forks end to end (issue 19 K): an nbagent.Agent in JupyterLab against a scripted server.

The scripted model asks for ``get_weather`` after a user message and answers with the tool's
result after a tool message: a fork's answer says which result its model read. Fork here on
the tool panel (an edited result) and ``run.fork(...)`` from a later cell both add a lane
beside the original, each a run of its own in the kernel; a reloaded page shows them again.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.lab import LabPage, lab_fixture, lab_server_fixture  # noqa: F401
from tests.browser.test_lab_agent import call_step
from tests.servers import OpenAIServer, text_chunks

pytestmark = pytest.mark.browser

AGENT = '''\
import nbagent, openai

def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"15°C in {{city}}"

client = openai.AsyncOpenAI(base_url={url!r}, api_key="test", max_retries=0)
agent = nbagent.Agent("m", tools=[get_weather], client=client)
run = agent.run("Weather in Paris?", title="Agent")
'''


def scripted_model(body: dict[str, Any]) -> list[Any]:
    last = body["messages"][-1]
    if last["role"] == "tool":
        return text_chunks([f"It is {last['content']}."])
    return call_step()


def lane_texts(lane: Any) -> list[str]:
    """A lane's heading and answers (its tool panels open or not)."""
    return [lane.locator(".nba-title").inner_text(), *lane.locator(".nba-text").all_inner_texts()]


def test_fork_here_and_run_fork_add_lanes_beside_the_original(lab: LabPage) -> None:
    with OpenAIServer(scripted_model) as srv:
        lab.open("agent_fork.ipynb", [AGENT.format(url=srv.base_url), "# forks from code"])
        lab.wait_status("completed")
        original = lab.widget()
        assert "It is 15°C in Paris." in original.inner_text()
        panel = original.locator(".nba-tool")
        panel.locator(".nba-summary").click()  # a finished tool panel is collapsed
        panel.get_by_role("button", name="Fork with an edited result").click()
        editor = panel.locator(".nba-fork-result")
        assert editor.input_value() == "15°C in Paris"
        editor.fill("-40°C and a blizzard in Paris")
        panel.get_by_role("button", name="Fork", exact=True).click()

        lanes = lab.page.locator(".nba-forks > .nba-fork-lane")
        lanes.nth(1).locator(".nba-title").wait_for()
        lab.wait_status("completed", nth=1)
        fork = lanes.nth(1)
        assert fork.locator(".nba-title").inner_text() == (
            "fork after step 1 — edited: get_weather → -40°C and a blizzard in Paris"
        )
        assert "It is -40°C and a blizzard in Paris." in fork.inner_text()
        assert lanes.nth(0).locator(".nbagent").first.inner_text().count("It is") == 1
        left, right = lanes.nth(0).bounding_box(), lanes.nth(1).bounding_box()
        assert right["x"] >= left["x"] + left["width"], "the fork is beside the original"

        lab.run_source(1, 'again = run.fork(0, "Weather in Oslo?")\nagain.wait(20).text')
        lab.wait_status("completed", nth=2)
        third = lanes.nth(2)
        assert third.locator(".nba-title").inner_text() == (
            "fork of the prompt — prompt: Weather in Oslo?"
        )
        assert "It is 15°C in Paris." in third.inner_text()
        assert lab.wait_cell_output(1, "It is 15°C in Paris.")
        assert lanes.count() == 3
        shown = [lane_texts(lanes.nth(n)) for n in range(3)]

        # A reloaded page makes the views again from the kernel's models: the forks come back.
        lab.save()
        lab.reload()
        lab.wait_status("completed", nth=2)
        assert [lane_texts(lanes.nth(n)) for n in range(lanes.count())] == shown

        # Fork here on the original's last model step, with a next message typed.
        first = lanes.nth(0)
        first.locator(".nba-details-toggle").first.click()
        first.get_by_role("button", name="Fork after step 3").click()
        first.locator(".nba-details .nba-fork-result").fill("And in Oslo?")
        first.locator(".nba-details").get_by_role("button", name="Fork", exact=True).click()
        lab.wait_status("completed", nth=3)
        assert lanes.count() == 4
    # The original's two model calls, the button's fork's one (the edited result read), the
    # code's two (a new prompt), the step line's two (the message typed).
    sent = [r["messages"] for r in srv.requests]
    assert len(sent) == 7
    assert sent[5][-1] == {"role": "user", "content": "And in Oslo?"}
    assert sent[2][-1] == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": "-40°C and a blizzard in Paris",
    }
    assert sent[3] == [{"role": "user", "content": "Weather in Oslo?"}]
