"""The demo runs' scripts: each demo's prompt and title (``DEMOS``), and how the scripted model
answers it, step by step, quoting what the tools really returned.

``respond`` is the scripted model's brain (``nbagent.demo.model.ScriptedModel``): a
conversation whose only question is a demo's prompt gets that demo's script (what
``tests/record_demos.py`` recorded into ``nbagent/demo/*.jsonl``), anything else the general
rules of ``nbagent.demo.rules``. So the quickstart's agent, live on ``demo.connect()``, runs
the recorded runs again with its tools running in the kernel; a fork with an edited result
or a question of its own gets the general rules.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nbagent.demo import rules
from nbagent.demo.chunks import Reply, ReplyItem

__all__ = ["DEMOS", "SCRIPTS", "Demo", "respond", "script_for"]


@dataclass(frozen=True)
class Demo:
    """One recorded run: its name (the recording's file stem), title and prompt."""

    name: str
    title: str
    prompt: str
    shows: str
    """What it demonstrates, in a few words."""


DEMOS: dict[str, Demo] = {
    d.name: d
    for d in (
        Demo(
            "weather",
            "Paris vs Oslo",
            "Compare the weather in Paris and Oslo today and tell me what to pack.",
            "thinking, two tool calls in parallel, an answer with a table and code",
        ),
        Demo(
            "failing_tool",
            "Q3 revenue by region",
            "What was our revenue per region in Q3? The numbers are in sales_q3.csv.",
            "a tool that fails, and the agent finding its way around it",
        ),
        Demo(
            "markdown",
            "gather or TaskGroup?",
            "When should I use asyncio.gather and when asyncio.TaskGroup? "
            "Show code and compare them in a table.",
            "a long markdown answer: headings, code blocks, a table, lists",
        ),
    )
}


def tool_results(body: dict[str, Any]) -> list[str]:
    """What the conversation's tool calls returned, in order (as the model reads them)."""
    return [m["content"] for m in body["messages"] if m.get("role") == "tool"]


def weather(reply: Reply) -> list[ReplyItem]:
    results = tool_results(reply.body)
    if not results:
        reply.think(
            "The user wants the weather in Paris and Oslo compared, and packing advice. "
            "I need current conditions for both cities: two independent lookups, so I can "
            "call get_weather for both at once. Then compare temperature, sky and wind."
        )
        reply.call(0, "call_paris", "get_weather", {"city": "Paris", "unit": "C"})
        reply.call(1, "call_oslo", "get_weather", {"city": "Oslo", "unit": "C"})
        return reply.finish("tool_calls")
    paris, oslo = (json.loads(r) for r in results)
    reply.think("Paris is mild and cloudy, Oslo below freezing with snow and wind.")

    def feel(w: dict[str, Any]) -> str:
        return "*cold*" if w["temp"] < 5 else "**mild**" if w["temp"] < 20 else "**warm**"

    rows = "\n".join(
        f"| {w['city']} | {w['temp']} °{w['unit']} | {w['sky']} | {w['wind_kmh']} km/h "
        f"| {round(w['rain_chance'] * 100)} % |"
        for w in (paris, oslo)
    )
    reply.say(
        "## Paris vs Oslo today\n\n"
        f"Paris is {feel(paris)} ({paris['temp']} °C, {paris['sky']}) and Oslo is {feel(oslo)} "
        f"({oslo['temp']} °C, {oslo['sky']}, wind {oslo['wind_kmh']} km/h).\n\n"
        "| City | Temperature | Sky | Wind | Chance of rain |\n"
        "|------|-------------|-----|------|----------------|\n"
        f"{rows}\n\n"
        "What to pack:\n\n"
        "1. **Oslo**: a warm, windproof coat, gloves and boots with grip\n"
        "2. **Paris**: layers and a light jacket\n"
        "3. An umbrella for both: rain or snow is likely\n\n"
        "You can ask the same weather service yourself:\n\n"
        "```python\n"
        "from nbagent.demo import get_weather\n\n"
        'for city in ("Paris", "Oslo"):\n'
        "    print(get_weather(city))\n"
        "```\n\n"
        "Have a good trip!"
    )
    return reply.finish("stop")


def failing_tool(reply: Reply) -> list[ReplyItem]:
    results = tool_results(reply.body)
    if not results:
        reply.think(
            "The user wants Q3 revenue per region. revenue_by_region computes exactly that "
            "from a sales file, so I'll run it on the file they named."
        )
        reply.call(0, "call_revenue_1", "revenue_by_region", {"path": "sales_q3.csv"})
        return reply.finish("tool_calls")
    if len(results) == 1 and results[0].startswith("Error:"):
        reply.think("That file does not exist. Listing the sales files should show the Q3 one.")
        reply.say("`sales_q3.csv` is not there; let me look for the Q3 file.")
        reply.call(0, "call_files", "list_files", {"pattern": "sales*"})
        return reply.finish("tool_calls")
    if len(results) == 2:
        files = json.loads(results[1])
        q3 = next(f for f in files if "q3" in f)
        reply.think(f"{q3} is the Q3 file. Run the revenue tool on it.")
        reply.call(0, "call_revenue_2", "revenue_by_region", {"path": q3})
        return reply.finish("tool_calls")
    files = json.loads(results[1])
    q3 = next(f for f in files if "q3" in f)
    totals: dict[str, float] = json.loads(results[-1])
    total = sum(totals.values())
    rows = "\n".join(
        f"| {region} | {amount:,.2f} | {amount / total:.0%} |"
        for region, amount in sorted(totals.items(), key=lambda kv: -kv[1])
    )
    best = max(totals, key=lambda r: totals[r])
    reply.say(
        f"\n\nThere is no `sales_q3.csv`; the Q3 numbers are in `{q3}`. Revenue per region "
        "(units times unit price):\n\n"
        "| Region | Revenue | Share |\n"
        "|--------|--------:|------:|\n"
        f"{rows}\n"
        f"| **Total** | **{total:,.2f}** | |\n\n"
        f"**{best}** brought in the most. Want the same for Q2 (`sales_2024_q2.csv`) to compare?"
    )
    return reply.finish("stop")


MARKDOWN_ANSWER = """\
## `asyncio.gather` or `asyncio.TaskGroup`?

Both run coroutines **concurrently**; they differ in what happens when one of them fails.

### `asyncio.gather`

`gather` returns the results in the order you passed the awaitables. By default the first \
exception propagates to the caller, **but the other tasks keep running**:

```python
import asyncio

async def fetch(i: int) -> int:
    await asyncio.sleep(0.1 * i)
    return i * i

async def main() -> None:
    results = await asyncio.gather(*(fetch(i) for i in range(5)))
    print(results)  # [0, 1, 4, 9, 16]

asyncio.run(main())
```

With `return_exceptions=True` the failures come back as values, so you can handle each one:

```python
results = await asyncio.gather(*tasks, return_exceptions=True)
errors = [r for r in results if isinstance(r, Exception)]
```

### `asyncio.TaskGroup` (Python 3.11+)

A `TaskGroup` is *structured concurrency*: when one task fails, the group **cancels the \
others**, waits for them, and raises an `ExceptionGroup` holding every failure.

```python
async def main() -> None:
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(fetch(i)) for i in range(5)]
    print([t.result() for t in tasks])  # every task is done here
```

Handle the failures with `except*`:

```python
async def fails() -> None:
    raise ValueError("boom")

try:
    async with asyncio.TaskGroup() as tg:
        tg.create_task(fetch(1))
        tg.create_task(fails())
except* ValueError as group:
    for exc in group.exceptions:
        print("failed:", exc)
```

### Side by side

| | `gather` | `TaskGroup` |
|---|---|---|
| Python | 3.4+ | 3.11+ |
| Results | one list, in order | `task.result()` per task |
| One task fails | the others keep running | the others are cancelled |
| Errors reported | the first (or all, as values) | all, in an `ExceptionGroup` |
| Adding tasks later | no | yes, inside the `async with` |
| The caller is cancelled | the children are cancelled | the children are cancelled |

### Which one?

- Use **`TaskGroup`** by default on Python 3.11+: no task outlives the block and no error \
goes unnoticed.
- Use **`gather`** when you want the results as one ordered list with failures as values \
(`return_exceptions=True`), or when you support Python before 3.11.
- Either way, bound the whole thing with `asyncio.timeout()`:

```python
async with asyncio.timeout(10):
    async with asyncio.TaskGroup() as tg:
        ...
```

> A task made with `asyncio.create_task()` and never awaited can be garbage-collected \
mid-flight: keep a reference to it, or let a `TaskGroup` keep it for you."""


def markdown(reply: Reply) -> list[ReplyItem]:
    reply.think(
        "Compare gather and TaskGroup: results, failure behaviour, cancellation, version. "
        "Code for each, a comparison table, then a recommendation."
    )
    reply.say(MARKDOWN_ANSWER)
    return reply.finish("stop")


SCRIPTS: dict[str, Callable[[Reply], list[ReplyItem]]] = {
    "weather": weather,
    "failing_tool": failing_tool,
    "markdown": markdown,
}
"""Each demo's script, by its name in ``DEMOS``."""


def script_for(body: dict[str, Any]) -> Callable[[Reply], list[ReplyItem]] | None:
    """The script of the demo whose prompt is the request's only user message, else None."""
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    asked = [m.get("content") for m in messages if m.get("role") == "user"]
    if len(asked) != 1:
        return None
    return next((SCRIPTS[d.name] for d in DEMOS.values() if d.prompt == asked[0]), None)


def respond(reply: Reply) -> list[ReplyItem]:
    """A demo's script for its prompt, else the general rules (``nbagent.demo.rules``); also
    when the script cannot read what the tools returned (a fork's edited result)."""
    script = script_for(reply.body)
    if script is not None:
        try:
            return script(reply)
        except (ValueError, KeyError, TypeError, StopIteration):
            reply = Reply(reply.body, reply.id, speed=reply.speed)  # without what it wrote
    return rules.respond(reply)
