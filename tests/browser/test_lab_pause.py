"""End to end: breakpoints (``pause_before``) of an nbagent.Agent in JupyterLab, against a
scripted OpenAI-compatible server: the paused panel's Edit arguments (bad JSON kept in the
page, arguments the tool refuses shown from the kernel), Run, a reload while paused, Deny from
the reloaded page, and a re-run of the paused cell."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.browser.lab import LabPage, lab_fixture, lab_server_fixture  # noqa: F401
from tests.browser.test_lab_agent import call_step
from tests.servers import OpenAIServer, text_chunks

pytestmark = pytest.mark.browser

SETUP = '''\
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
        cells = [SETUP.format(url=srv.base_url), "", "", ""]
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
    print(f"\ntest_lab_pause: {time.monotonic() - started:.1f} s")
