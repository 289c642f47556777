"""Notebook 7 live: the same extension and widget manager as JupyterLab, in Notebook 7's own
page. A run streams and Stop cancels it, a chat turn typed into the box streams, a tool call
is re-run with edited arguments, the look is JupyterLab's (tests/browser/look.py), light and
dark (tests/browser/test_reopen.py reopens saved runs there)."""

from __future__ import annotations

import pytest

from tests.browser.lab import ROOT_SEL, LabPage, rerun
from tests.browser.look import LOOK_RUN, lab_looks_light_and_dark
from tests.browser.test_lab import DEMO_IMPORTS, ENDLESS
from tests.browser.test_lab_agent import AGENT, call_step
from tests.browser.test_lab_lanes import ECHO_CHAT
from tests.servers import OpenAIServer, text_chunks

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def nb7(notebook7: LabPage) -> LabPage:
    return notebook7


def test_a_run_streams_and_stop_cancels_it(nb7: LabPage) -> None:
    nb7.open("nb7_stop.ipynb", [ENDLESS])
    nb7.page.wait_for_function(
        "(sel) => /tick10\\b/.test(document.querySelector(sel)?.textContent ?? '')", arg=ROOT_SEL
    )
    nb7.widget().get_by_role("button", name="Stop").click()
    nb7.wait_status("cancelled")
    assert not nb7.foreign_requests()


def test_a_chat_turn_typed_into_the_box_streams(nb7: LabPage) -> None:
    nb7.open("nb7_chat.ipynb", [ECHO_CHAT])
    box = nb7.page.locator(".nba-chat-text")
    box.wait_for()
    box.click()
    box.press_sequentially("Hello there")
    box.press("Enter")
    nb7.wait_js(
        "() => document.querySelector('.nba-turn .nba-status-label')"
        "?.textContent.startsWith('completed')",
    )
    turn = nb7.page.locator(".nba-turns > .nba-turn").first
    assert turn.locator(".nba-prompt").inner_text() == "Hello there"
    assert "Echo: Hello there" in turn.inner_text()


def test_rerun_with_edited_arguments(nb7: LabPage) -> None:
    with OpenAIServer(scripts=[call_step(), text_chunks(["Paris: 15°C."])]) as srv:
        nb7.open("nb7_rerun.ipynb", [AGENT.format(url=srv.base_url)])
        nb7.wait_status("completed")
    panel = nb7.widget().locator(".nba-tool")
    panel.locator(".nba-summary").click()
    done = rerun(panel, '{"city": "Oslo"}')
    assert '"temp": 12' in done.locator(".nba-result").inner_text()


def test_the_look_is_jupyterlabs_light_and_dark(nb7: LabPage) -> None:
    nb7.open("nb7_look.ipynb", [DEMO_IMPORTS + LOOK_RUN])
    nb7.wait_status("completed")
    lab_looks_light_and_dark(nb7, "notebook7")
