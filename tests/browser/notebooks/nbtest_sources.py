"""Sources the browser-test notebooks stream; importable in the test kernels.

``tests/browser/lab.py`` puts this folder on the kernels' PYTHONPATH, so a notebook
cell can ``import nbtest_sources``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import threading
import time
from collections.abc import AsyncIterator, Iterator

from nbagent import (
    Event,
    MessageEnd,
    RunStart,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
    Usage,
)

# The hostile inputs (rendering.md §5's ten first), shared with the other security tests.
HOSTILE: list[str] = json.loads(
    (Path(__file__).resolve().parents[2] / "fixtures" / "hostile.json").read_text()
)
# What runs end to end in JupyterLab: the ten, and every fourth of the others (the bare page
# and the vitest suite run them all, at every prefix).
LAB_SUBSET: list[str] = HOSTILE[:10] + HOSTILE[10::4]


def sliced(text: str, size: int = 3, delay: float = 0.01) -> Iterator[str]:
    """``text`` a few characters at a time (text deltas), with short sleeps."""
    for i in range(0, len(text), size):
        yield text[i : i + size]
        time.sleep(delay)


def words(n: int, delay: float) -> Iterator[str]:
    """``w0 w1 … w{n-1}`` one word per delta, ``delay`` seconds apart."""
    for i in range(n):
        yield f"w{i} "
        time.sleep(delay)


def words_text(n: int) -> str:
    return "".join(f"w{i} " for i in range(n))


def words_until(gate: threading.Event, delay: float) -> Iterator[str]:
    """``w0 w1 …`` every ``delay`` seconds until ``gate`` is set, then ``done.``"""
    i = 0
    while not gate.is_set():
        yield f"w{i} "
        i += 1
        gate.wait(delay)
    yield "done."


def words_until_file(path: str, delay: float, limit: int = 3000) -> Iterator[str]:
    """``w0 w1 …`` every ``delay`` seconds until the file ``path`` exists (a gate another
    process opens: the marimo tests' server runs the kernel), then ``done.``"""
    for i in range(limit):
        if Path(path).exists():
            break
        yield f"w{i} "
        time.sleep(delay)
    yield "done."


async def awords_until_file(path: str, delay: float, limit: int = 3000) -> AsyncIterator[str]:
    """``words_until_file`` as an async generator (``asyncio.sleep`` between words)."""
    for i in range(limit):
        if Path(path).exists():
            break
        yield f"a{i} "
        await asyncio.sleep(delay)
    yield "done."


class HostileError(RuntimeError):
    """Raised by ``hostile_events`` at the end: its message is hostile too."""


def hostile_events(size: int = 3, delay: float = 0.01) -> Iterator[Event]:
    """Hostile strings in the non-markdown places: title, thinking, tool name, arguments,
    tool result, tool error, and the message of the exception that ends the run."""
    yield RunStart(model=HOSTILE[0], title=HOSTILE[8])
    for piece in sliced(HOSTILE[7], size, delay):
        yield ThinkingDelta(message_id="think", delta=piece)
    yield ToolCallStart(tool_call_id="call_1", name=HOSTILE[0])
    yield ToolCallStart(tool_call_id="call_2", name=HOSTILE[6])
    for piece in sliced(HOSTILE[4], size, delay):
        yield ToolCallArgsDelta(tool_call_id="call_1", delta=piece)
    for piece in sliced(json.dumps({"q": HOSTILE[5]}), size, delay):
        yield ToolCallArgsDelta(tool_call_id="call_2", delta=piece)
    yield ToolCallEnd(tool_call_id="call_1")
    yield ToolCallEnd(tool_call_id="call_2")
    yield ToolResult(tool_call_id="call_1", content=HOSTILE[7], is_error=True)
    yield ToolResult(tool_call_id="call_2", content={"html": HOSTILE[0], "md": HOSTILE[4]})
    for piece in sliced(HOSTILE[9], size, delay):
        yield TextDelta(message_id="answer", delta=piece)
    raise HostileError(HOSTILE[0] + " " + HOSTILE[8])


def nested_events(
    in_tool: threading.Event, in_agent: threading.Event, delay: float = 0.01
) -> Iterator[Event]:
    """A run with two sub-agents: one a tool call started (``parent="call_1"``: thinking, text,
    a tool call of its own, usage) and one a ``subagent`` step (``parent="sg"``). Each pauses
    in the middle of its text until its gate is set (at most 20 s): the page can look at it
    while it streams."""
    yield RunStart(title="Nested run")
    for piece in sliced("Let me ask a helper.", 4, delay):
        yield TextDelta(message_id="t0", delta=piece)
    yield ToolCallStart(tool_call_id="call_1", name="ask_helper")
    yield ToolCallEnd(tool_call_id="call_1", arguments='{"q": "sizes"}', args={"q": "sizes"})
    for piece in sliced("The helper weighs the sizes.", 4, delay):
        yield ThinkingDelta(message_id="h_think", delta=piece, parent="call_1")
    yield MessageEnd(message_id="h_think", channel="thinking", parent="call_1")
    for piece in sliced("Helper streaming ", 4, delay):
        yield TextDelta(message_id="h_text", delta=piece, parent="call_1")
    in_tool.wait(20)
    for piece in sliced("nested words.", 4, delay):
        yield TextDelta(message_id="h_text", delta=piece, parent="call_1")
    yield ToolCallStart(tool_call_id="call_2", name="measure", parent="call_1")
    yield ToolCallEnd(tool_call_id="call_2", arguments='{"x": 1}', args={"x": 1}, parent="call_1")
    time.sleep(delay)
    yield ToolResult(tool_call_id="call_2", content="42 cm", parent="call_1")
    yield Usage(input_tokens=120, output_tokens=30, parent="call_1")
    yield ToolResult(tool_call_id="call_1", content="The helper says 42 cm.")
    yield StepStart(step_id="sg", name="researcher", step_type="subagent")
    for piece in sliced("Researcher reading ", 4, delay):
        yield TextDelta(message_id="r_text", delta=piece, parent="sg")
    in_agent.wait(20)
    for piece in sliced("found two sources.", 4, delay):
        yield TextDelta(message_id="r_text", delta=piece, parent="sg")
    yield Usage(input_tokens=40, output_tokens=8, parent="sg")
    yield StepEnd(step_id="sg", name="researcher")
    for piece in sliced("Final answer: 42 cm.", 4, delay):
        yield TextDelta(message_id="t9", delta=piece)


def watched_weather_graph(gate: str) -> object:
    """A LangGraph react agent on LangChain's own fake chat model (it answers whole, as
    ``invoke`` does): it says it will check, calls ``get_weather``, which waits until the file
    ``gate`` exists (the test looks at the page meanwhile), then answers from the result."""
    import warnings

    from langchain_core.language_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.tools import tool
    from langgraph.prebuilt import create_react_agent

    class ToolModel(GenericFakeChatModel):
        def bind_tools(self, tools: object, **kwargs: object) -> "ToolModel":
            return self

    @tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        deadline = time.monotonic() + 60
        while not Path(gate).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return f"Sunny and 21 °C in {city}."

    call = {"name": "get_weather", "args": {"city": "Oslo"}, "id": "call_1"}
    usage = {"input_tokens": 30, "output_tokens": 12, "total_tokens": 42}
    model = ToolModel(
        messages=iter(
            [
                AIMessage(content="Let me check Oslo.", tool_calls=[call], usage_metadata=usage),
                AIMessage(content="Oslo is sunny and 21 °C.", usage_metadata=usage),
            ]
        )
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # create_react_agent moved to langchain.agents
        return create_react_agent(model, [get_weather])
