"""End to end: an nbagent.Agent in JupyterLab, against a scripted OpenAI-compatible server.

The kernel runs the agent (the real ``openai`` client, the tool in Python); the page is
driven by Playwright. Tool debugging: Re-run with edited arguments, computed by the kernel.
Breakpoints (``pause_before``): the paused panel's Edit arguments (bad JSON kept in the page,
arguments the tool refuses shown from the kernel), Run, a reload while paused, Deny from the
reloaded page, and a re-run of the paused cell. Forks (issue 19 K): the scripted model asks for
``get_weather`` after a user message and answers with the tool's result after a tool message,
so a fork's answer says which result its model read; Fork here on the tool panel (an edited
result) and ``run.fork(...)`` from a later cell both add a lane beside the original, each a run
of its own in the kernel; a reloaded page shows them again.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.browser.lab import LabPage
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


# -- breakpoints ----------------------------------------------------------------------

PAUSE_AGENT = '''\
import nbagent, openai
from typing import Literal

def get_weather(city: str, unit: Literal["C", "F"] = "C") -> dict:
    """Current weather for a city."""
    return {{"city": city, "temp": len(city) * 3, "unit": unit}}

client = openai.AsyncOpenAI(base_url={url!r}, api_key="test", max_retries=0)
agent = nbagent.Agent("m", tools=[get_weather], client=client)
run = agent.run("Weather in Paris?", title="A", pause_before=["get_weather"])
'''


def wait_paused(lab: LabPage, nth: int) -> Any:
    """The nth widget's tool panel, once its call waits with live buttons."""
    panel = lab.widget(nth).locator(".nba-tool")
    try:
        panel.locator(".nba-pause-bar .nba-pause-run").wait_for(state="visible")
    except Exception as exc:
        raise AssertionError(lab.diagnose()) from exc
    return panel


def test_edit_run_reload_deny_and_rerun_while_paused(lab: LabPage) -> None:
    started = time.monotonic()
    scripts = [call_step(), text_chunks(["A done."]), call_step(), text_chunks(["B done."])]
    scripts += [call_step(), call_step()]
    with OpenAIServer(scripts=scripts) as srv:
        cells = [PAUSE_AGENT.format(url=srv.base_url), "", "", ""]
        lab.open("pause.ipynb", cells)
        panel = wait_paused(lab, 0)
        assert "paused — waiting for you" in panel.locator(".nba-meta").inner_text()
        assert len(srv.requests) == 1

        # Edit arguments: bad JSON stays in the page; arguments the tool refuses come back.
        panel.get_by_role("button", name="Edit arguments").click()
        editor = panel.get_by_role("textbox", name="Arguments (JSON)")
        assert json.loads(editor.input_value()) == {"city": "Paris"}
        editor.fill("{city: Oslo}")
        error = panel.locator(".nba-pause-error")
        assert "Not valid JSON" in error.inner_text()
        editor.fill('{"city": "Oslo", "unit": "K"}')
        panel.get_by_role("button", name="Run with these arguments").click()
        lab.page.wait_for_function(
            "(el) => el.textContent.includes('unit')", arg=error.element_handle()
        )
        assert "get_weather" in error.inner_text()
        editor.fill('{"city": "Oslo"}')
        panel.get_by_role("button", name="Run with these arguments").click()
        lab.wait_status("completed", 0)
        panel.locator(".nba-summary").click()  # a finished tool panel is collapsed
        assert '"temp": 12' in panel.locator(".nba-result").first.inner_text()
        assert "edited arguments" in panel.locator(".nba-pause-answer").inner_text()
        sent = srv.requests[1]["messages"]
        assert json.loads(sent[-1]["content"]) == {"city": "Oslo", "temp": 12, "unit": "C"}

        # A second run, paused; the page reloads; Deny from the reloaded page.
        lab.run_source(1, 'run2 = agent.run("Again?", title="B", pause_before=True)')
        wait_paused(lab, 1)
        lab.save()  # the reloaded page reads the notebook: its outputs name the live widgets
        lab.reload()
        panel = wait_paused(lab, 1)
        panel.get_by_role("button", name="Deny").click()
        panel.get_by_role("textbox", name="Reason for the model (optional)").fill("not now")
        panel.locator(".nba-pause-submit").click()
        lab.wait_status("completed", 1)
        assert srv.requests[3]["messages"][-1]["content"] == "The user denied this call: not now"
        assert "Denied: not now" in str(panel.locator(".nba-pause-answer").text_content())

        # Re-running the cell of a paused run cancels it; the kernel goes on.
        lab.run_source(2, 'run3 = agent.run("Third?", title="C", pause_before=True)')
        wait_paused(lab, 2)
        lab.run_source(3, "old = run3")
        lab.wait_kernel_idle()
        lab.run_cell(2)
        wait_paused(lab, 2)
        lab.run_source(3, "print(old.status, old.transcript.tool_calls[0].state, run3.status)")
        out = lab.wait_cell_output(3, "cancelled")
        assert out.strip() == "cancelled cancelled running", out
        lab.run_source(3, "run3.cancel(); print(run3.wait(10).tool_calls[0].state)")
        assert lab.wait_cell_output(3, "cancelled").strip() == "cancelled"
        lab.wait_status("cancelled", 2)
        assert len(srv.requests) == 6
    print(f"\nbreakpoints: {time.monotonic() - started:.1f} s")


# -- forks ----------------------------------------------------------------------------

FORK_AGENT = '''\
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
        lab.open("agent_fork.ipynb", [FORK_AGENT.format(url=srv.base_url), "# forks from code"])
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
