"""Transcripts that outlive the kernel: save a notebook, shut its kernel down, reopen it.

nbagent's renderer (js/lab, the ``application/vnd.nbagent.transcript+json`` mimetype) shows the
live widget while its model lives and the saved transcript when it is gone; the browser writes
the run's final output data into the notebook, because the kernel's display update is dropped
once the displaying cell has finished. JupyterLab and Notebook 7, with and without saved
widget state.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.browser.lab import ROOT_SEL, LabPage
from tests.browser.test_lab import DEMO_IMPORTS, summary

sys.path.insert(0, str(Path(__file__).parent / "notebooks"))
import nbtest_sources as sources

pytestmark = pytest.mark.browser

TRANSCRIPT_MIME = "application/vnd.nbagent.transcript+json"
SAVE_STATE = "@jupyter-widgets/jupyterlab-manager:saveWidgetState"
LANE = re.compile(r"lane\d+")
"""A lane's key in its widget's model (``nbagent/widget/lane_state.py``)."""
# The cell returns at once and the run ends later: JupyterLab drops the kernel's display
# update, so only the browser can put the final transcript into the saved output.
DEMO_CELL = DEMO_IMPORTS + "run = nbagent.replay(demo.recording('weather'), speed=8)"
# Where each view is: the saved transcript or the live widget (js/lab/src/index.js).
SAVED_SEL = ".nba-saved:not(.lm-mod-hidden) .nbagent"
LIVE_SEL = ".nba-live:not(.lm-mod-hidden) .nbagent"

OUTPUTS_FINAL_JS = """([i, mime]) => {
    const outputs = jupyterapp.shell.currentWidget.content.widgets[i].model.outputs.toJSON();
    const runs = outputs.filter((o) => o.data && o.data[mime]).map((o) => o.data[mime].runs[0]);
    return runs.length > 0 && runs.every((r) => r.state && r.state.status !== 'running');
}"""


def wait_output_final(lab: LabPage, cell: int = 0) -> None:
    """Wait until the cell's output models (what the notebook saves) hold finished transcripts."""
    lab.page.wait_for_function(OUTPUTS_FINAL_JS, arg=[cell, TRANSCRIPT_MIME])


def reopen_without_kernel(lab: LabPage) -> None:
    """Shut every kernel down and open the saved notebook again on a fresh kernel, in a new
    page, as its reader does another day."""
    lab.show(str(lab.name), new_page=True)


def reopen_with_widget_state(lab: LabPage) -> None:
    """``reopen_without_kernel`` for a notebook saved with its widget state, until the widget
    manager has restored it (``LabPage.show_restored``)."""
    lab.show_restored(str(lab.name), LIVE_SEL, new_page=True)


def saved_notebook(lab: LabPage) -> nbformat.NotebookNode:
    return nbformat.read(lab.server.root / str(lab.name), as_version=4)


def check_saved_output(nb: nbformat.NotebookNode) -> None:
    """The saved output carries the final transcript for every reader: JupyterLab, nbconvert."""
    data = nb.cells[0].outputs[0]["data"]
    payload = data[TRANSCRIPT_MIME]
    assert payload["runs"][0]["state"]["status"] == "completed", payload["runs"][0]["state"]
    assert payload["model_id"] == data["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert "Have a good trip!" in data["text/html"]
    assert "get_weather" in data["text/html"]
    assert "Have a good trip!" in data["text/plain"]


def check_reopened(lab: LabPage, sel: str) -> None:
    """The reopened cell shows the whole transcript (in ``sel``), with collapsible panels, and
    leaves the output as it was saved."""
    try:
        lab.page.wait_for_selector(sel)
    except Exception as exc:
        raise AssertionError(f"no transcript in {sel}\n{lab.diagnose()}") from exc
    w = summary(lab)
    assert w["title"] == "Paris vs Oslo"
    assert "Have a good trip!" in w["text"]
    assert w["table"] is not None
    assert w["table"][0][:2] == ["th:City", "th:Temperature"]
    assert [t["name"] for t in w["tools"]] == ["get_weather", "get_weather"]
    assert '"city": "Oslo"' in w["tools"][1]["body"]
    assert w["thinking"] is not None
    assert w["thinking"]["open"] is False
    assert w["label"] == "completed"
    assert not w["stopVisible"]
    page_text = lab.js("() => document.body.innerText")
    assert "Error displaying widget" not in page_text
    # Panels still open and close.
    lab.widget().locator("details.nba-thinking > summary").first.click()
    assert summary(lab)["thinking"]["open"] is True
    # Nothing was rewritten, nothing was fetched.
    outputs = lab.js(
        "() => jupyterapp.shell.currentWidget.content.widgets[0].model.outputs.toJSON()"
    )
    assert [o["data"] for o in outputs] == [o["data"] for o in saved_notebook(lab).cells[0].outputs]
    assert not lab.foreign_requests(), lab.foreign_requests()


@contextlib.contextmanager
def widget_state_saved(lab: LabPage) -> Iterator[None]:
    """JupyterLab's "Save Widget State Automatically", on for the block (the server's
    settings are shared by the session: set back afterwards)."""

    def set_to(on: bool) -> None:
        lab.page.evaluate(
            """async ([cmd, on]) => {
                const commands = jupyterapp.commands;
                if (commands.isToggled(cmd) !== on) await commands.execute(cmd);
            }""",
            [SAVE_STATE, on],
        )
        lab.page.wait_for_function(
            "([cmd, on]) => jupyterapp.commands.isToggled(cmd) === on", arg=[SAVE_STATE, on]
        )

    set_to(True)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            set_to(False)


# -- JupyterLab --------------------------------------------------------------------------


def test_reopened_without_widget_state_shows_the_saved_transcript(lab: LabPage) -> None:
    lab.open("reopen.ipynb", [DEMO_CELL])
    lab.page.wait_for_selector(LIVE_SEL)  # the live widget while the kernel has its model
    lab.wait_status("completed")
    wait_output_final(lab)
    lab.save()
    nb = saved_notebook(lab)
    assert "widgets" not in nb.metadata
    check_saved_output(nb)

    reopen_without_kernel(lab)
    check_reopened(lab, SAVED_SEL)
    assert lab.js("() => jupyterapp.shell.currentWidget.context.model.dirty") is False


def reopened_with_widget_state(page: LabPage, name: str) -> None:
    """Run the demo with "Save Widget State Automatically" on, save, reopen with no kernel:
    the widget manager restores the model from the notebook, and the widget itself shows.
    (It also marks the notebook modified as it registers the models: its own doing.)"""
    page.open(name, [DEMO_CELL], run=False)
    with widget_state_saved(page):
        page.run_all()
        page.wait_status("completed")
        wait_output_final(page)
        page.save()
        nb = saved_notebook(page)
        states = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
        snapshots = [s["state"]["snapshot"] for s in states.values() if "snapshot" in s["state"]]
        assert [s["state"]["status"] for s in snapshots] == ["completed"]
        check_saved_output(nb)

        reopen_with_widget_state(page)
        check_reopened(page, LIVE_SEL)


def test_reopened_with_widget_state_shows_the_live_widget(lab: LabPage) -> None:
    reopened_with_widget_state(lab, "reopen_state.ipynb")


HOSTILE_CELLS = [
    "import nbagent, nbtest_sources as S\n"
    "runs = [nbagent.show(S.sliced(t, 50, 0)) for t in S.LAB_SUBSET]\n"
    "runs.append(nbagent.show(S.hostile_events(50, 0)))",
    "for r in runs:\n    await r",
]


def test_reopened_hostile_transcripts_stay_text(lab: LabPage) -> None:
    lab.open("reopen_hostile.ipynb", HOSTILE_CELLS)
    n = len(sources.LAB_SUBSET) + 1
    lab.wait_cell_output(1, "")  # the second cell ran: every run has ended
    lab.page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length === n", arg=[LIVE_SEL, n]
    )
    wait_output_final(lab)
    lab.save()

    reopen_without_kernel(lab)
    lab.js("__nbaWatch()")
    lab.page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length === n", arg=[SAVED_SEL, n]
    )
    watch = lab.js("(__nbaWatchState.stop(), __nbaWatchState)")
    roots: list[Any] = lab.js(
        "(sel) => [...document.querySelectorAll(sel)].map((r) => __nbaViolations(r))", ROOT_SEL
    )
    assert len(roots) == n
    assert all(v == [] for v in roots), roots
    assert watch["violations"] == [], watch
    assert not watch["pwned"]
    assert lab.js("() => window.__pwned") is None
    assert not lab.foreign_requests(), lab.foreign_requests()
    texts = lab.js(
        "(sel) => [...document.querySelectorAll(sel)].map((r) => r.textContent)", SAVED_SEL
    )
    assert any("onerror=" in t for t in texts), "hostile markup should show as text"


# -- Notebook 7 --------------------------------------------------------------------------


def test_notebook7_reopened_without_widget_state_shows_the_saved_transcript(
    notebook7: LabPage,
) -> None:
    nb7 = notebook7
    nb7.open("reopen_nb7.ipynb", [DEMO_CELL])
    nb7.wait_status("completed")
    wait_output_final(nb7)
    nb7.save()
    check_saved_output(saved_notebook(nb7))

    reopen_without_kernel(nb7)
    check_reopened(nb7, SAVED_SEL)


GROUP_CELLS = [
    "import nbagent, nbtest_sources as S\n"
    "chat = nbagent.Chat(lambda p, turns: S.sliced('Echo: ' + p, 3, 0.01), title='Echo chat')\n"
    "chat.send('first question')",
    "await chat\n"
    "chat.send('second question')\n"
    "await chat\n"
    "lanes = nbagent.show({'left': S.sliced('Left answer', 3, 0.01),\n"
    "                      'right': S.sliced('Right answer', 3, 0.01)}, title='Two lanes')\n"
    "await lanes",
]

GROUP_OUTPUTS_FINAL_JS = """(mime) => {
    const cells = jupyterapp.shell.currentWidget.content.widgets;
    const payloads = cells.flatMap((c) => c.model.outputs.toJSON())
        .filter((o) => o.data && o.data[mime]).map((o) => o.data[mime]);
    return payloads.length === 2 && payloads.every((p) =>
        p.runs.length === 2 && p.runs.every((r) => r.state?.status === 'completed'));
}"""


def test_notebook7_reopened_with_widget_state_shows_the_live_widget(
    notebook7: LabPage,
) -> None:
    reopened_with_widget_state(notebook7, "reopen_state_nb7.ipynb")


def test_reopened_chat_and_lanes_show_every_turn_and_lane(lab: LabPage) -> None:
    lab.open("reopen_group.ipynb", GROUP_CELLS)
    lab.wait_js(GROUP_OUTPUTS_FINAL_JS, TRANSCRIPT_MIME)
    lab.save()
    nb = saved_notebook(lab)
    chat = nb.cells[0].outputs[0]["data"]
    assert chat[TRANSCRIPT_MIME]["layout"] == "chat"
    # Every turn in the static copy (HTML); the plain text is each turn's outline.
    assert "Echo: first question" in chat["text/html"]
    assert "Echo: second question" in chat["text/html"]
    assert chat["text/plain"].count("> ") == 2
    assert "> second question\nEcho: second question\ncompleted" in chat["text/plain"]

    reopen_without_kernel(lab)
    lab.wait_js(
        "() => document.querySelectorAll('.nba-saved .nba-turn').length === 2 && "
        "document.querySelectorAll('.nba-saved .nba-lane').length === 2"
    )
    turns = lab.js(
        "() => [...document.querySelectorAll('.nba-saved .nba-turn')].map((t) => "
        "[t.querySelector('.nba-prompt').textContent, "
        "t.querySelector('.nba-text .nba-md').textContent])"
    )
    assert [p for p, _ in turns] == ["first question", "second question"]
    assert "Echo: second question" in turns[1][1]
    lanes = lab.js(
        "() => [...document.querySelectorAll('.nba-saved .nba-lane')].map((l) => "
        "[l.querySelector('.nba-title').textContent, "
        "l.querySelector('.nba-text .nba-md').textContent])"
    )
    assert [name for name, _ in lanes] == ["left", "right"]
    assert "Right answer" in lanes[1][1]
    assert lab.js("() => document.querySelector('.nba-saved .nba-chat-text')") is None
    assert "Error displaying widget" not in lab.js("() => document.body.innerText")
    assert not lab.foreign_requests(), lab.foreign_requests()


TURNS_JS = """(root) => [...document.querySelectorAll(root + ' .nba-turn')].map((t) =>
    [t.querySelector('.nba-prompt').textContent, t.querySelector('.nba-text .nba-md').textContent,
     t.querySelector('.nba-status-label').textContent])"""
LANES_JS = """(root) => [...document.querySelectorAll(root + ' .nba-lane')].map((l) =>
    [l.querySelector('.nba-title').textContent,
     l.querySelector('.nba-text .nba-md').textContent])"""


def test_reopened_chat_and_lanes_with_widget_state_read_each_lane_from_its_model(
    lab: LabPage,
) -> None:
    """Each lane's saved state is a key of its widget's model (``lane{n}``), written by the
    page: the widget manager restores the models from the notebook, and the live widgets read
    their lanes from them."""
    lab.open("reopen_group_state.ipynb", GROUP_CELLS, run=False)
    with widget_state_saved(lab):
        lab.run_all()
        lab.wait_js(GROUP_OUTPUTS_FINAL_JS, TRANSCRIPT_MIME)
        lab.save()
        nb = saved_notebook(lab)
        states = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
        lanes = [v for s in states.values() for k, v in s["state"].items() if LANE.fullmatch(k)]
        assert sorted(lane["state"]["status"] for lane in lanes) == ["completed"] * 4

        reopen_with_widget_state(lab)
        live = ".nba-live:not(.lm-mod-hidden)"
        lab.wait_js(
            "(root) => document.querySelectorAll(root + ' .nba-turn').length === 2 && "
            "document.querySelectorAll(root + ' .nba-lane').length === 2",
            live,
        )
        turns = lab.js(TURNS_JS, live)
        assert [(p, s.split(" ")[0]) for p, _, s in turns] == [
            ("first question", "completed"),
            ("second question", "completed"),
        ]
        assert "Echo: second question" in turns[1][1]
        lanes_shown = lab.js(LANES_JS, live)
        assert [name for name, _ in lanes_shown] == ["left", "right"]
        assert "Right answer" in lanes_shown[1][1]
        # No kernel has these models: the chat takes no message, and says why.
        lab.wait_js(
            "(root) => document.querySelector(root + ' .nba-chat-text')?.disabled === true",
            live,
        )
        shown = lab.js(
            "(root) => document.querySelector(root + ' .nba-chat-notice:not([hidden])')"
            "?.textContent ?? ''",
            live,
        )
        assert "No kernel" in shown, shown
        # Every lane was read from the notebook: nothing was asked of the (new) kernel.
        assert [m for m in lab.js("window.__nbaSent") if m["type"] == "sync"] == []
        assert "Error displaying widget" not in lab.js("() => document.body.innerText")
        assert not lab.foreign_requests(), lab.foreign_requests()
