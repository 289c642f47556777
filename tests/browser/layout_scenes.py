"""Kernel code for the layout tests and screenshots (tests/browser/test_lab_layout.py,
tests/browser/make_layout_shots.py): scripted streams, no network.

``LANES``: two lanes answering with a table whose words ("city", "Paris") must not break at
800 px. ``LONG``: one long answer streamed slowly (``LONG_SECONDS``), long enough to
scroll the notebook while it streams, with thinking and tool panels above it.
"""

from __future__ import annotations

from pathlib import Path

LONG_SECONDS = 8.0

MODULE = "layout_scene"
"""The name ``SOURCE`` is saved as in the server's root (the kernels' working directory)."""

SOURCE = '''
import time
import nbagent
from nbagent import MessageEnd, TextDelta, ThinkingDelta, ToolCallEnd, ToolCallStart, ToolResult

TABLE = (
    "| city | country | temperature | humidity | wind | conditions |\\n"
    "|---|---|---|---|---|---|\\n"
    "| Paris | France | 18 °C | 64 % | 12 km/h west | partly cloudy, light westerly breeze |\\n"
    "| Oslo | Norway | 7 °C | 81 % | 20 km/h south | rain showers through the afternoon |\\n"
    "| Reykjavík | Iceland | 4 °C | 77 % | 41 km/h north | overcast, strong northerly wind |\\n"
)

def drip(text, seconds, pieces=None):
    """``text`` in small deltas over ``seconds``."""
    n = pieces or max(1, len(text) // 6)
    step = -(-len(text) // n)
    for i in range(0, len(text), step):
        time.sleep(seconds / n)
        yield text[i:i + step]

def lane(name, seconds, wait=0.0):
    time.sleep(wait)
    intro = f"Here is the weather {name} found for three cities in Europe.\\n\\n"
    outro = "\\n\\nAll three readings are from this morning; expect changes by the evening.\\n"
    yield from drip(intro + TABLE + outro, seconds)

PARAGRAPH = (
    "The agent compared the three forecasts line by line and kept the warmest city first. "
    "Each reading comes from the same public feed, sampled within the same hour, so the "
    "numbers are comparable. "
)

def long_answer(seconds, paragraphs=40):
    yield ThinkingDelta(message_id="t", delta="Three cities, one table; then city by city.")
    yield MessageEnd(message_id="t", channel="thinking")
    yield ToolCallStart(tool_call_id="c1", name="get_weather")
    yield ToolCallEnd(tool_call_id="c1", arguments='{"city": "Paris"}', args={"city": "Paris"})
    yield ToolResult(tool_call_id="c1", content={"city": "Paris", "temperature": 18})
    text = "".join(f"{i + 1}. {PARAGRAPH * 2}\\n\\n" for i in range(paragraphs))
    for piece in drip(text, seconds, pieces=int(seconds * 20)):
        yield TextDelta(message_id="m", delta=piece)
'''


def lanes_cell(seconds: float) -> str:
    """Two lanes, each streaming its table over ``seconds``, the second one starting a
    quarter of that later (mid-stream, one status line has numbers, the other does not)."""
    lanes = f'"north": lane("north", {seconds}), "south": lane("south", {seconds}, {seconds / 4})'
    return f"lanes = nbagent.show({{{lanes}}})"


def long_cell(seconds: float) -> str:
    """The long run, streaming its answer over ``seconds``."""
    return f"run = nbagent.show(long_answer({seconds}))"


def install(root: Path) -> str:
    """Save the scene module in a server's ``root``; returns the cell that imports it."""
    (root / f"{MODULE}.py").write_text(SOURCE)
    return f"from {MODULE} import *"
