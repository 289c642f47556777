"""End to end in JupyterLab: a Chat typed into its input box, a reloaded chat, hostile lane
names, titles and prompts. (Lanes side by side, then stacked: tests/browser/test_recorded_runs.py.)

The chat's kernel runs a real ``nbagent.Agent`` (the ``openai`` client, two Python tools) against
a scripted OpenAI-compatible server on 127.0.0.1; the page is driven by Playwright.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.browser.lab import LabPage
from tests.servers import Gate, OpenAIServer, chunk, text_chunks

sys.path.insert(0, str(Path(__file__).parent / "notebooks"))
import nbtest_sources as sources

pytestmark = pytest.mark.browser

CHAT = '''\
import nbagent, openai

def double(x: int) -> int:
    """Twice x."""
    return 2 * x

async def shout(text: str) -> str:
    """The text in capitals."""
    return text.upper()

client = openai.AsyncOpenAI(base_url={url!r}, api_key="test", max_retries=0)
agent = nbagent.Agent("m", tools=[double, shout], client=client)
chat = nbagent.Chat(agent, title="Chat")
'''


def call_step() -> list[Any]:
    """Two tool calls at once: ``double(x=21)`` and ``shout(text="hi")``."""
    calls = [
        {
            "index": i,
            "id": f"call_{i}",
            "type": "function",
            "function": {"name": name, "arguments": args},
        }
        for i, (name, args) in enumerate([("double", '{"x": 21}'), ("shout", '{"text": "hi"}')])
    ]
    return [
        chunk(None, role="assistant"),
        chunk(tool_calls=calls),
        chunk(finish_reason="tool_calls"),
    ]


def test_a_chat_turn_typed_into_the_input_box_streams(lab: LabPage) -> None:
    gate = Gate()
    head, *rest = text_chunks(["Hello ", "from the ", "model."])
    first = [head, *rest[:2], gate, *rest[2:]]
    with OpenAIServer(scripts=[first, call_step(), text_chunks(["It is 42."])]) as srv:
        lab.open("chat.ipynb", [CHAT.format(url=srv.base_url)])
        box = lab.page.locator(".nba-chat-text")
        box.wait_for()
        executed = lab.js("jupyterapp.shell.currentWidget.content.widgets[0].model.executionCount")
        box.click()
        box.press_sequentially("Hi")
        box.press("Enter")
        turn = lab.page.locator(".nba-turns > .nba-turn").first
        turn.locator(".nba-prompt").wait_for()
        assert turn.locator(".nba-prompt").inner_text() == "Hi"
        lab.wait_js(
            "() => document.querySelector('.nba-turn .nba-text .nba-md')"
            "?.textContent.includes('from the')"
        )
        # While the turn streams: the box is disabled and the turn's Stop is there.
        assert box.is_disabled()
        assert turn.get_by_role("button", name="Stop").is_visible()
        srv.release()
        lab.wait_js(
            "() => document.querySelector('.nba-turn .nba-status-label')"
            "?.textContent.startsWith('completed')"
        )
        assert "Hello from the model." in turn.inner_text()
        lab.wait_js("() => document.querySelector('.nba-chat-text')?.disabled === false")
        # Shift+Enter is a newline in the box, not "run the cell".
        box.click()
        box.press_sequentially("Double")
        box.press("Shift+Enter")
        box.press_sequentially("21?")
        assert box.input_value() == "Double\n21?"
        box.press("Enter")
        second = lab.page.locator(".nba-turns > .nba-turn").nth(1)
        second.locator(".nba-prompt").wait_for()
        lab.wait_js(
            "() => document.querySelectorAll('.nba-turn .nba-status-label')[1]"
            "?.textContent.startsWith('completed')",
        )
    assert second.locator(".nba-prompt").inner_text() == "Double\n21?"
    assert "It is 42." in second.inner_text()
    tools = second.locator(".nba-tool")
    assert tools.count() == 2
    assert "double" in tools.nth(0).inner_text()
    assert "shout" in tools.nth(1).inner_text()
    # Both ran in the kernel: their results went back to the model.
    results = [m["content"] for m in srv.requests[2]["messages"] if m["role"] == "tool"]
    assert results == ["42", "HI"]
    after = lab.js("jupyterapp.shell.currentWidget.content.widgets[0].model.executionCount")
    assert after == executed, "a key in the chat box ran the cell"
    # The kernel kept the conversation: the second request carried the first turn.
    roles = [m["role"] for m in srv.requests[1]["messages"]]
    assert roles == ["user", "assistant", "user"]
    assert lab.foreign_requests() == []
    assert [m for m in lab.console if m.startswith("pageerror")] == []


ECHO_CHAT = """\
import nbagent, nbtest_sources as S
chat = nbagent.Chat(lambda prompt, turns: S.sliced('Echo: ' + prompt, 3, 0.005), title='Echo')
"""

# Each turn's prompt, answer and status, under the root selector given (the page's whole body,
# or the live widget's output only: after a reload the saved transcript shows until it is live).
LIVE = ".nba-live:not(.lm-mod-hidden)"
TURNS_JS = """(root) => [...document.querySelectorAll(root + ' .nba-turn')].map((t) =>
    [t.querySelector('.nba-prompt').textContent,
     (t.querySelector('.nba-text .nba-md')?.textContent ?? '').trim(),
     t.querySelector('.nba-status-label').textContent.split(' ')[0]])"""


def test_a_reloaded_chat_reads_its_turns_from_their_models(lab: LabPage) -> None:
    """Turns typed into the box, then the page reloaded with the kernel alive: each turn's
    state comes from its own model (the kernel's), and nothing finished asks for a sync."""
    lab.open("chat_reload.ipynb", [ECHO_CHAT])
    box = lab.page.locator(".nba-chat-text")
    for n, text in enumerate(["one", "two"]):
        lab.wait_js("() => document.querySelector('.nba-chat-text')?.disabled === false")
        box.click()
        box.press_sequentially(text)
        box.press("Enter")
        lab.wait_js(
            "(n) => document.querySelectorAll('.nba-turn .nba-status-label')[n]"
            "?.textContent.startsWith('completed')",
            n,
        )
    before = lab.js(TURNS_JS, "body")
    assert before == [["one", "Echo: one", "completed"], ["two", "Echo: two", "completed"]]
    lab.save()
    lab.reload()
    shown = json.dumps(before, separators=(",", ":"))
    lab.wait_js(f"(shown) => JSON.stringify(({TURNS_JS})({LIVE!r})) === shown", shown)
    assert [m for m in lab.js("window.__nbaSent") if m["type"] == "sync"] == []
    assert lab.js(f"() => document.querySelector('{LIVE} .nba-chat-text').disabled") is False
    assert [m for m in lab.console if m.startswith("pageerror")] == []


HOSTILE_LANES = """\
import nbagent, nbtest_sources as S
names = [S.HOSTILE[i] for i in (0, 8, 27, 37)]
lanes = nbagent.show({n: S.sliced(S.HOSTILE[9], 3, 0.01) for n in names}, title=S.HOSTILE[6])
chat = nbagent.Chat(lambda prompt, turns: S.sliced(prompt, 3, 0.01), title=S.HOSTILE[1])
turn = chat.send(S.HOSTILE[4])
await lanes
await chat
"""


def test_hostile_lane_names_titles_and_prompts_stay_text(lab: LabPage) -> None:
    lab.open("hostile_lanes.ipynb", [HOSTILE_LANES], run=False)
    lab.js("__nbaWatch()")
    lab.run_all()
    lab.wait_js(
        """() => {
            const labels = document.querySelectorAll('.nba-lane .nba-status-label, '
                + '.nba-turn .nba-status-label');
            return labels.length === 5 &&
                [...labels].every((l) => l.textContent.startsWith('completed'));
        }""",
        timeout=60,
    )
    watch = lab.js(
        "(() => { const w = window.__nbaWatchState; w.stop(); "
        "return {checks: w.checks, violations: w.violations, pwned: w.pwned}; })()"
    )
    assert watch["violations"] == [], "\n".join(watch["violations"])
    assert not watch["pwned"]
    assert lab.js("window.__pwned") is None
    assert lab.foreign_requests() == []
    titles = lab.js(
        "() => [...document.querySelectorAll('.nba-lane .nba-title')].map((t) => t.textContent)"
    )
    assert titles == [sources.HOSTILE[i] for i in (0, 8, 27, 37)]
    groups = lab.js(
        "() => [...document.querySelectorAll('.nba-group > .nba-title')].map((t) => t.textContent)"
    )
    assert groups == [sources.HOSTILE[6], sources.HOSTILE[1]]
    prompt = lab.js("() => document.querySelector('.nba-turn .nba-prompt').textContent")
    assert prompt == sources.HOSTILE[4]
