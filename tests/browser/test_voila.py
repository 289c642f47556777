"""End to end: nbagent in a Voilà dashboard (a real Voilà 0.5 server, Debian Chromium).

Voilà executes the notebook on the server (nbclient), streams the page, then the page
connects to the same kernel for the widgets' comms. An nbagent run still streaming when
the execution ends must keep streaming in the page (its updates are comm messages, sent by
nbagent's thread or by a task without the cell's context), its Stop must work, and a chat
turn typed in the page runs in the kernel: the offline demo agent (``nbagent.demo``: its
scripted model on 127.0.0.1). One Voilà server and one page for the module.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.lab import require_bundle
from tests.browser.voila_app import EXECUTED_JS, VoilaPage, VoilaServer

pytestmark = pytest.mark.browser

CHAT = """\
import nbagent, nbtest_sources
from nbagent import demo

llm = demo.connect()
agent = nbagent.Agent(
    llm.model, tools=demo.TOOLS, instructions=demo.INSTRUCTIONS, client=llm.client
)
chat = nbagent.Chat(agent, title="Ask the demo agent")
"""
# Runs that outlive Voilà's execution (by ten minutes, far longer than the tests: only Stop
# ends them): an async source (a task on the kernel's loop) and, in the last cell, a sync one
# (read on nbagent's thread).
WORDS = 12_000
ASYNC_RUN = f"""\
import asyncio

async def slow_words(n, delay):
    for i in range(n):
        yield f"a{{i}} "
        await asyncio.sleep(delay)

task_run = nbagent.show(slow_words({WORDS}, 0.05), title="Async words")
"""
THREAD_RUN = f"run = nbagent.show(nbtest_sources.words({WORDS}, 0.05), title='Thread words')"

# The live widget titled `title`: its status label and answer length.
STATE_JS = """(title) => {
    const root = [...document.querySelectorAll('.nba-live .nbagent')]
        .find((r) => r.querySelector('.nba-title')?.textContent === title);
    return {
        status: root?.querySelector('.nba-status-label')?.textContent ?? null,
        text: root?.querySelector('.nba-text')?.textContent.length ?? 0,
    };
}"""
RUNS = ["Async words", "Thread words"]


def state(page: VoilaPage, title: str) -> dict[str, Any]:
    return dict(page.js(STATE_JS, title))


@pytest.fixture(scope="module")
def voila(chromium_browser: Any) -> Iterator[tuple[VoilaPage, dict[str, float]]]:
    """The dashboard's page, loaded once: the page and what its load took."""
    require_bundle()
    with VoilaServer() as server:
        cells = [("markdown", "# nbagent in Voilà"), CHAT, ASYNC_RUN, THREAD_RUN]
        server.write_notebook("dashboard.ipynb", cells)
        page = VoilaPage(chromium_browser, server)
        try:
            start = time.monotonic()
            executed, live = page.open("dashboard.ipynb")
            page.wait_js(f"() => ({STATE_JS})({RUNS[-1]!r}).text > 0")
            timings = {"executed": executed, "live": live, "text": time.monotonic() - start}
            yield page, timings
        finally:
            page.close()


def test_a_run_keeps_streaming_after_voila_executed_the_notebook(
    voila: tuple[VoilaPage, dict[str, float]],
) -> None:
    page, timings = voila
    assert page.js(EXECUTED_JS), "Voilà has not reported the notebook executed"
    # Several samples, each after the page reported the notebook executed: the text grows
    # while the run is running (comm messages of a run whose cell ended long ago).
    for title in RUNS:
        samples = [state(page, title)]
        for _ in range(4):
            page.wait_js(f"(n) => ({STATE_JS})({title!r}).text > n", samples[-1]["text"])
            samples.append(state(page, title))
        assert all(s["status"].startswith("running") for s in samples), (title, samples)
        lengths = [s["text"] for s in samples]
        assert lengths == sorted(set(lengths)), (title, lengths)
    # One copy per output, the live widget's: not the saved transcript, not the static HTML.
    shown = page.js(
        """() => ({
            outputs: [...document.querySelectorAll('.jp-OutputArea-output')]
                .map((o) => o.querySelectorAll('.nbagent').length),
            saved: [...document.querySelectorAll('.nba-saved')]
                .filter((s) => s.offsetParent !== null || s.childElementCount > 0).length,
            statics: document.querySelectorAll('.nbagent-static').length,
        })"""
    )
    assert shown == {"outputs": [1, 1, 1], "saved": 0, "statics": 0}, shown
    # The page missed the ops sent while Voilà executed: each running run asks once.
    sent = [m["type"] for m in page.js("window.__nbaSent")]
    assert sent == ["sync", "sync"], sent
    print(
        f"\nVoilà: executed after {timings['executed']:.2f} s, widget live after "
        f"{timings['live']:.2f} s, its text after {timings['text']:.2f} s; "
        f"requests sent: {page.js('window.__nbaSent')}"
    )


def test_stop_in_the_page_cancels_the_runs(voila: tuple[VoilaPage, dict[str, float]]) -> None:
    page, _ = voila
    for title in RUNS:
        assert state(page, title)["status"].startswith("running"), title
        page.page.locator(".nba-live .nbagent", has_text=title).locator(".nba-stop").click()
        page.wait_js(f"() => ({STATE_JS})({title!r}).status?.startsWith('cancelled')")
        assert state(page, title)["text"] < len("".join(f"w{i} " for i in range(WORDS)))
    assert [m["type"] for m in page.js("window.__nbaSent")].count("stop") == len(RUNS)
    assert page.foreign_requests() == []


def test_a_chat_turn_typed_in_the_page_streams_and_completes(
    voila: tuple[VoilaPage, dict[str, float]],
) -> None:
    page, _ = voila
    box = page.page.locator(".nba-chat-text")
    page.wait_js("() => document.querySelector('.nba-chat-text')?.disabled === false")
    # Every 20 ms: the turn's status and answer length (to see the answer grow).
    page.js(
        """() => {
            window.__turn = [];
            window.__turnId = setInterval(() => {
                const t = document.querySelector('.nba-turns > .nba-turn');
                if (!t) return;
                window.__turn.push([
                    t.querySelector('.nba-status-label')?.textContent ?? '',
                    t.querySelector('.nba-text .nba-md')?.textContent.length ?? 0,
                ]);
            }, 20);
        }"""
    )
    box.click()
    box.press_sequentially("What is the weather in Paris?")
    box.press("Enter")
    turn = page.page.locator(".nba-turns > .nba-turn").first
    turn.locator(".nba-prompt").wait_for()
    assert turn.locator(".nba-prompt").inner_text() == "What is the weather in Paris?"
    page.wait_js(
        "() => document.querySelector('.nba-turn .nba-status-label')"
        "?.textContent.startsWith('completed')",
        timeout=60,
    )
    samples: list[list[Any]] = page.js("() => { clearInterval(window.__turnId); return __turn; }")
    streaming = {n for status, n in samples if n > 0 and not status.startswith("completed")}
    assert len(streaming) >= 2, samples[-20:]  # the answer grew while the turn ran
    text = turn.inner_text()
    assert "get_weather" in text
    assert "Paris" in text
    page.wait_js("() => document.querySelector('.nba-chat-text')?.disabled === false")
    assert page.foreign_requests() == []
    assert [m for m in page.console if m.startswith("pageerror")] == []
