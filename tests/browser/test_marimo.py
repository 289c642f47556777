"""End to end: nbagent in marimo 0.25 (``marimo edit`` and ``marimo run``), in Chromium.

Each server runs one notebook whose cells all run as the page opens (``marimo_app``); the
tests share its page and look at its widgets by title. The runs that must be seen streaming
wait for a file (a gate the test opens). The agent is ``nbagent.Agent`` on the offline demo
model (``nbagent.demo.connect()``, no key in the kernel's environment).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import require_bundle
from tests.browser.lab import rerun
from tests.browser.look import look_of
from tests.browser.marimo_app import MarimoPage, MarimoServer
from tests.wait import PAGE_PATIENCE

pytestmark = pytest.mark.browser

IMPORTS = """
import marimo as mo
import nbagent, nbtest_sources
from nbagent import demo
"""

EDIT_CELLS = [
    IMPORTS,
    'again = mo.ui.button(value=0, on_click=lambda n: n + 1, label="Again")\nagain',
    "restarts = []",
    # The first widget of the session: the code model (every widget's code) is made here.
    """
    again.value
    previous = restarts[-1].status if restarts else "none"
    restarts.append(
        nbagent.show(
            nbtest_sources.words_until_file("never", 0.05), title=f"Restart after {previous}"
        )
    )
    """,
    # The gates are files in the notebook's directory (the kernel's cwd).
    'live = nbagent.show(nbtest_sources.words_until_file("open-live", 0.05), title="Live")',
    """
    arun = nbagent.show(nbtest_sources.awords_until_file("open-async", 0.05), title="Async")
    arun
    """,
    """
    stoppable = nbagent.show(nbtest_sources.words_until_file("never", 0.05), title="Stoppable")
    stoppable
    """,
    'after_stop = mo.ui.run_button(label="After stop")\nafter_stop',
    """
    mo.stop(not after_stop.value)
    nbagent.show(nbtest_sources.words(5, 0.02), title="After")
    """,
    """
    llm = demo.connect()
    agent = nbagent.Agent(
        llm.model, tools=demo.TOOLS, client=llm.client, instructions=demo.INSTRUCTIONS
    )
    """,
    'nbagent.Chat(agent, title="Chat")',
    """
    nbagent.show(
        {"a": nbtest_sources.words(20, 0.05), "b": nbtest_sources.words(30, 0.05)},
        title="Lanes",
    )
    """,
    'nbagent.replay(demo.recording("weather"), speed=8, title="Replay")',
    'agent_run = agent.run("What is the weather in Paris?", title="Agent")',
]

RUN_CELLS = [
    IMPORTS,
    'nbagent.show(nbtest_sources.words_until_file("open-live", 0.05), title="Live")',
    'short = nbagent.show(nbtest_sources.words(20, 0.02), title="Short")',
    'nbagent.show(nbtest_sources.words_until_file("never", 0.05), title="Stoppable")',
    """
    llm = demo.connect()
    agent = nbagent.Agent(
        llm.model, tools=demo.TOOLS, client=llm.client, instructions=demo.INSTRUCTIONS
    )
    agent_run = agent.run("What is the weather in Paris?", title="Agent")
    """,
    'nbagent.Chat(agent, title="Chat")',
    'nbagent.replay(demo.recording("weather"), speed=8, title="Replay")',
]


def _server(cells: list[str], mode: str) -> Iterator[MarimoServer]:
    require_bundle()
    with MarimoServer(cells, mode=mode) as server:
        yield server


@pytest.fixture(scope="module")
def edit_server() -> Iterator[MarimoServer]:
    yield from _server(EDIT_CELLS, "edit")


@pytest.fixture(scope="module")
def run_server() -> Iterator[MarimoServer]:
    yield from _server(RUN_CELLS, "run")


def _open(browser: Any, server: MarimoServer) -> Iterator[MarimoPage]:
    context = browser.new_context()
    try:
        yield MarimoPage(context.new_page(), server)
    finally:
        context.close()


@pytest.fixture(scope="module")
def edit(chromium_browser: Any, edit_server: MarimoServer) -> Iterator[MarimoPage]:
    yield from _open(chromium_browser, edit_server)


@pytest.fixture(scope="module")
def viewer(chromium_browser: Any, run_server: MarimoServer) -> Iterator[MarimoPage]:
    yield from _open(chromium_browser, run_server)


def assert_streams_live(page: MarimoPage, title: str, gate: Path, word: str = "w") -> None:
    """The widget's text grows over several samples while the run streams; once ``gate``
    opens, the run completes with ``done.``."""
    page.wait_text(title, f"{word}3 ")
    lengths: list[int] = []
    deadline = time.monotonic() + 60
    while len(set(lengths)) < 4:
        assert time.monotonic() < deadline, f"text did not grow: {lengths} {page.diagnose()}"
        assert page.status(title).startswith("running"), page.diagnose()
        lengths.append(len(page.text(title)))
        page.page.wait_for_timeout(250)
    assert lengths == sorted(lengths), lengths
    gate.touch()
    page.wait_status(title, "completed")
    assert "done." in page.text(title)


# ---- marimo edit ----------------------------------------------------------------------------


def test_show_streams_live_and_completes(edit: MarimoPage) -> None:
    assert_streams_live(edit, "Live", edit.server.dir / "open-live")
    assert edit.errors == []


def test_async_source_streams_after_its_cell_returned(edit: MarimoPage) -> None:
    assert_streams_live(edit, "Async", edit.server.dir / "open-async", word="a")


def test_stop_cancels_and_the_kernel_goes_on(edit: MarimoPage) -> None:
    edit.wait_text("Stoppable", "w3 ")
    edit.widget("Stoppable").get_by_role("button", name="Stop").click()
    edit.wait_status("Stoppable", "cancelled")
    stopped = edit.text("Stoppable")
    edit.page.get_by_role("button", name="After stop").click()  # runs the next cell
    edit.wait_status("After", "completed")
    assert "w4" in edit.text("After")
    assert "done." not in edit.text("Stoppable")
    assert edit.text("Stoppable").split("cancelled")[0] == stopped.split("cancelled")[0]


def test_chat_box_sends_a_turn(edit: MarimoPage) -> None:
    chat = edit.widget("Chat")
    box = chat.locator(".nba-chat-text")
    box.fill("What is the weather in Oslo?")
    box.press("Enter")
    edit.wait_status("Chat", "completed")
    assert "light snow" in edit.text("Chat")  # the tool's result, in the turn
    box.fill("And in Lisbon?")
    chat.get_by_role("button", name="Send").click()
    edit.wait_status("Chat", "completed", nth=1)
    assert "Lisbon" in edit.text("Chat")


def test_lanes_both_complete(edit: MarimoPage) -> None:
    edit.wait_status("Lanes", "completed", nth=0)
    edit.wait_status("Lanes", "completed", nth=1)
    text = edit.text("Lanes")
    assert "w19" in text
    assert "w29" in text


def test_replay_completes(edit: MarimoPage) -> None:
    edit.wait_status("Replay", "completed")
    assert "get_weather" in edit.text("Replay")


def open_panel(panel: Any) -> None:
    """Open a collapsed panel by clicking its summary, again if a click missed: marimo's
    outputs move while the notebook's other cells render, and a click aimed at the summary
    can land beside it (runs 23 and 28: the panel stayed closed, its Re-run button in it)."""
    # Imported here: the other Pythons' venvs (make test-pythons) collect this module unrun.
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    for _ in range(3):
        if panel.evaluate("(d) => d.open"):
            return
        panel.locator(".nba-summary").click()
        with contextlib.suppress(PlaywrightTimeoutError):
            panel.page.wait_for_function("(d) => d.open", arg=panel.element_handle(), timeout=5000)


def test_rerun_a_tool_of_an_agent_run(edit: MarimoPage) -> None:
    edit.wait_status("Agent", "completed")
    panel = edit.widget("Agent").locator(".nba-tool").first
    open_panel(panel)  # a finished tool panel is collapsed
    try:
        panel.get_by_role("button", name="Re-run").wait_for(timeout=PAGE_PATIENCE * 1000)
    except Exception as exc:  # Playwright's TimeoutError: say what the page showed
        shown = panel.evaluate("(d) => [d.open, d.outerHTML.slice(0, 2500)]")
        raise AssertionError(f"no Re-run button; open, panel: {shown}\n{edit.diagnose()}") from exc
    done = rerun(panel, '{"city": "Oslo", "unit": "F"}')
    assert '"temp": 28' in done.locator(".nba-result").inner_text()


def test_running_a_cell_again_stops_its_run_and_the_page_reloads(edit: MarimoPage) -> None:
    """marimo closes a cell's widgets when it runs again: its run is stopped with them. The
    code model, made by that cell, serves the other cells' widgets still, after a reload."""
    edit.wait_text("Restart after none", "w3 ")
    edit.page.get_by_role("button", name="Again").click()
    edit.wait_text("Restart after cancelled", "w3 ")
    edit.page.reload()
    edit.wait_status("Lanes", "completed", nth=1)
    edit.wait_text("Restart after cancelled", "w3 ")
    edit.wait_status("Replay", "completed")


# The widget's sheets in its shadow root: one (marimo adopts its own there too), and the same
# sheet object for every widget of the page.
SHEETS_JS = """(root) => (root.getRootNode().adoptedStyleSheets ?? [])
    .filter((s) => [...s.cssRules].some((r) => r.selectorText === '.nbagent')).length"""
SHARED_SHEETS_JS = """() => {
    const hosts = [...document.querySelectorAll('*')].filter((e) => e.shadowRoot);
    const sheets = hosts.flatMap((h) => h.shadowRoot.adoptedStyleSheets ?? [])
        .filter((s) => [...s.cssRules].some((r) => r.selectorText === '.nbagent'));
    return new Set(sheets).size;
}"""


def assert_looks_like_lab_light_and_dark(page: MarimoPage, title: str, host: str) -> None:
    """The run `title` looks as in JupyterLab (tests/browser/look.py) in marimo's light theme,
    then in its dark one (marimo's body ``data-theme``, followed live)."""
    root = page.widget(title).first
    light = look_of(root, host, "light")
    assert light["shadow"] is True
    page.page.evaluate("() => { document.body.dataset.theme = 'dark'; }")
    try:
        page.page.wait_for_function(
            "([r, light]) => getComputedStyle(r).backgroundColor !== light",
            arg=[root.element_handle(), light["colors"]["background"]],
        )
        look_of(root, host, "dark")
    finally:
        page.page.evaluate("() => { document.body.dataset.theme = 'light'; }")


def test_widgets_are_styled_in_marimos_shadow_root_light_and_dark(edit: MarimoPage) -> None:
    """marimo draws each widget in a shadow root, which the document's styles do not reach:
    nbagent's sheet is adopted there (one per page, shared), and the theme follows marimo's."""
    edit.wait_status("Replay", "completed")
    edit.wait_status("Lanes", "completed")
    for title in ("Replay", "Lanes"):
        assert edit.widget(title).first.evaluate(SHEETS_JS) == 1
    assert edit.page.evaluate(SHARED_SHEETS_JS) == 1  # one sheet object for every root
    assert_looks_like_lab_light_and_dark(edit, "Replay", "marimo-edit")


# ---- marimo run -----------------------------------------------------------------------------


def test_run_mode_show_streams_live(viewer: MarimoPage) -> None:
    assert_streams_live(viewer, "Live", viewer.server.dir / "open-live")
    viewer.wait_status("Short", "completed")
    assert viewer.errors == []


def test_run_mode_looks_like_jupyterlab_light_and_dark(viewer: MarimoPage) -> None:
    viewer.wait_status("Replay", "completed")
    assert_looks_like_lab_light_and_dark(viewer, "Replay", "marimo-run")


def test_run_mode_a_viewer_stops_and_chats_but_cannot_rerun(viewer: MarimoPage) -> None:
    """What an app's viewer does: Stop a run and send a chat turn. Re-run and Fork (the
    author's tools with the viewer's input) are not offered: ``marimo run`` serves an app to
    others (``nbagent.page_role``), and the kernel would refuse them anyway
    (tests/test_audience.py; by hand in a served page: tests/browser/test_voila_viewer.py)."""
    viewer.wait_text("Stoppable", "w3 ")
    viewer.widget("Stoppable").get_by_role("button", name="Stop").click()
    viewer.wait_status("Stoppable", "cancelled")
    viewer.wait_status("Agent", "completed")
    panel = viewer.widget("Agent").locator(".nba-tool").first
    panel.locator(".nba-summary").click()
    panel.locator(".nba-copy-call").wait_for()  # the panel is open: its copy button shows
    assert panel.locator(".nba-rerun-open").is_hidden()
    assert panel.locator(".nba-fork-box").is_hidden()
    box = viewer.widget("Chat").locator(".nba-chat-text")
    box.fill("What is the weather in Oslo?")
    box.press("Enter")
    viewer.wait_status("Chat", "completed")
    assert "light snow" in viewer.text("Chat")


def test_run_mode_second_viewer_has_its_own_session(
    chromium_browser: Any, viewer: MarimoPage
) -> None:
    """Each viewer's session runs the notebook on a thread of the one server process: the
    second page gets widgets (and their code) of its own."""
    for second in _open(chromium_browser, viewer.server):
        second.wait_status("Short", "completed")
        second.wait_status("Live", "completed")  # its gate is open already
        assert "w19" in second.text("Short")
        assert second.errors == []
    assert "w19" in viewer.text("Short")
