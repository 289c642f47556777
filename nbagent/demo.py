"""A scripted agent run for the offline demo and the tests: no network, no API key.

``scripted_run()`` yields nbagent events with realistic pacing: the model thinks,
calls two tools in parallel (one fails), then answers in markdown with a code
block and a table.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

from nbagent.events import (
    Event,
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

QUESTION = "Compare the weather in Paris and Oslo and suggest what to pack."

THINKING = (
    "The user wants a comparison of Paris and Oslo. I should look up the current weather "
    "in both cities: two independent calls, so I can make them in parallel. Then I'll "
    "compare temperatures and suggest clothing."
)

ANSWER = """## Paris vs Oslo today

Paris is **mild** and Oslo is *cold*; I could not reach the Oslo station, so its numbers
come from the regional forecast.

| City  | Temperature | Sky       | Wind    |
|-------|-------------|-----------|---------|
| Paris | 14 °C       | cloudy    | 12 km/h |
| Oslo  | -2 °C       | light snow | 20 km/h |

What to pack:

1. A warm, windproof coat for Oslo
2. Layers for Paris (it warms up to 16 °C in the afternoon)
3. An umbrella — both forecasts show rain or snow later this week

To check it yourself:

```python
import requests

def forecast(city: str) -> dict:
    r = requests.get("https://api.example.org/weather", params={"q": city}, timeout=10)
    r.raise_for_status()
    return r.json()
```

Have a good trip!
"""

_TOKEN = re.compile(r"\s*\S+|\s+")


def _tokens(text: str) -> list[str]:
    """Split like a tokenizer would, roughly: a word with its leading space."""
    return _TOKEN.findall(text)


def scripted_run(speed: float = 1.0, *, tokens_per_s: float = 60.0) -> Iterator[Event]:
    """Yield the demo run's events; ``speed=0`` yields them as fast as possible."""

    def pause(seconds: float) -> None:
        if speed > 0:
            time.sleep(seconds / speed)

    step = 1.0 / tokens_per_s
    yield RunStart(model="demo-model", title="Paris vs Oslo")
    yield StepStart(step_id="step-1", name="model")
    pause(0.4)
    for tok in _tokens(THINKING):
        yield ThinkingDelta(message_id="think-1", delta=tok)
        pause(step)
    calls = [
        ("call_paris", "get_weather", {"city": "Paris", "unit": "C"}),
        ("call_oslo", "get_weather", {"city": "Oslo", "unit": "C"}),
    ]
    for call_id, name, _ in calls:
        yield ToolCallStart(tool_call_id=call_id, name=name)
    for call_id, _, args in calls:
        text = json.dumps(args)
        for i in range(0, len(text), 5):
            yield ToolCallArgsDelta(tool_call_id=call_id, delta=text[i : i + 5])
            pause(step)
    for call_id, _, _ in calls:
        yield ToolCallEnd(tool_call_id=call_id)
    yield Usage(input_tokens=412, output_tokens=96, cumulative=True, scope="step")
    yield StepEnd(step_id="step-1", name="model", finish_reason="tool_calls")
    pause(0.6)
    yield ToolResult(
        tool_call_id="call_paris",
        content={"city": "Paris", "temp_c": 14, "sky": "cloudy", "wind_kmh": 12},
    )
    pause(0.5)
    yield ToolResult(
        tool_call_id="call_oslo",
        content="TimeoutError: weather station OSL-3 did not answer within 5 s",
        is_error=True,
    )
    yield StepStart(step_id="step-2", name="model")
    pause(0.3)
    for tok in _tokens(ANSWER):
        yield TextDelta(message_id="answer", delta=tok)
        pause(step)
    yield Usage(input_tokens=655, output_tokens=241, cumulative=True, scope="step")
    yield StepEnd(step_id="step-2", name="model", finish_reason="stop")
