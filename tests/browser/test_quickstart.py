"""The quickstart's first run in JupyterLab, offline as `make demo` opens it: a live run of an
nbagent.Agent on ``demo.connect()`` (the scripted model, the tools in the kernel), so its tool
panels' Re-run calls the tool again and its steps' Fork here is offered. A replay of that run
offers neither action: its panels say why there is no Re-run, and its Fork here buttons are
disabled with the reason under them (the kernel's ``Run.fork`` would raise).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.lab import LabPage, rerun

pytestmark = pytest.mark.browser

QUICKSTART = Path(__file__).resolve().parents[2] / "notebooks" / "quickstart.ipynb"
# Offline whatever this machine's environment holds; the scripted model four times as fast.
OFFLINE = (
    "import os\n"
    "for name in ('OPENAI_API_KEY', 'OPENAI_BASE_URL'):\n"
    "    os.environ.pop(name, None)\n"
    "os.environ['NBAGENT_DEMO_SPEED'] = '4'"
)
FORK_NOTE = ".nba-details .nba-fork-note"


def quickstart_code() -> list[str]:
    cells = json.loads(QUICKSTART.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def details(lab: LabPage, nth: int) -> tuple[list[bool], bool, str]:
    """Open the nth widget's details: each Fork here button's disabled state, whether the
    reason line shows, and its text."""
    root = lab.widget(nth)
    root.locator(".nba-details-toggle").click()
    root.locator(".nba-steps .nba-step-fork").first.wait_for()
    buttons = root.locator(".nba-steps .nba-step-fork")
    disabled = [buttons.nth(i).is_disabled() for i in range(buttons.count())]
    note = root.locator(FORK_NOTE)
    return disabled, note.is_visible(), note.text_content() or ""


def test_the_first_run_reruns_its_tools_and_a_replay_of_it_cannot_fork(lab: LabPage) -> None:
    setup, first = quickstart_code()[:2]
    assert "weather = agent.run(" in first
    replayed = "await weather\nreplayed = nbagent.replay(weather, speed=0)"
    lab.open("quickstart_live.ipynb", [OFFLINE, setup, first, replayed])
    assert lab.wait_cell_output(1, "Offline: no OPENAI_API_KEY").startswith("Offline")
    lab.wait_status("completed", 0)
    lab.wait_status("completed", 1)

    # The live run: Re-run calls get_weather in the kernel with the arguments typed.
    live = lab.widget(0)
    oslo = live.locator(".nba-tool").filter(has_text="Oslo")
    if oslo.get_attribute("open") is None:
        oslo.locator(":scope > summary").click()
    assert oslo.locator(".nba-rerun-note").text_content() == ""
    done = rerun(oslo, '{"city": "Lisbon", "unit": "C"}')
    result = done.locator(".nba-result").inner_text()
    assert '"city": "Lisbon"' in result
    assert '"sky": "sunny"' in result
    disabled, noted, _ = details(lab, 0)
    assert disabled
    assert not any(disabled)
    assert not noted

    # The replay: no Re-run (the reason instead), Fork here disabled with its reason.
    replay = lab.widget(1)
    panel = replay.locator(".nba-tool").filter(has_text="Oslo")
    if panel.get_attribute("open") is None:
        panel.locator(":scope > summary").click()
    note = panel.locator(".nba-rerun-note")
    assert (
        note.text_content() == "Re-run: nbagent cannot reach this tool (replayed from a recording)"
    )
    assert panel.get_by_role("button", name="Re-run").is_hidden()
    disabled, noted, reason = details(lab, 1)
    assert disabled
    assert all(disabled)
    assert noted
    assert reason == "Fork here needs a run of nbagent.Agent: a replay has no model to ask again"
    first_button = replay.locator(".nba-steps .nba-step-fork").first
    assert first_button.get_attribute("title") == reason
    first_button.click(force=True)  # a disabled button: nothing opens, nothing is sent
    assert replay.locator(".nba-details .nba-fork-editor").is_hidden()
