"""An agent step's clock starts at its request, not at its first chunk (issue 49: a local
model that read its prompt for seconds showed "first token 0.00 s"). A fake client holds each
answer until the test releases it, after it saw the request go out: the wait must be inside
each model step's time to first token. Ordering only: no duration is asserted."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from openai.types.chat import ChatCompletionChunk

from nbagent import Transcript
from nbagent.agent.agent import Agent
from nbagent.core.events import Event, StepStart
from tests import aio
from tests.servers import chunk, text_chunks
from tests.wait import PATIENCE


def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def asking_for_weather() -> list[dict[str, Any]]:
    call = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "weather", "arguments": json.dumps({"city": "Oslo"})},
    }
    return [
        chunk(None, role="assistant"),
        chunk(tool_calls=[call]),
        chunk(finish_reason="tool_calls"),
    ]


class GatedClient:
    """``client.chat.completions.create`` of an ``AsyncOpenAI``: request ``i`` is answered
    with ``scripts[i]``, whose first chunk waits until ``gates[i]`` is set."""

    def __init__(self, scripts: list[list[dict[str, Any]]]) -> None:
        self.chat = self.completions = self
        self.scripts = scripts
        self.gates = [asyncio.Event() for _ in scripts]
        self.asked = [asyncio.Event() for _ in scripts]
        self.asked_at: list[float] = []

    async def create(self, **kwargs: Any) -> AsyncIterator[ChatCompletionChunk]:
        i = len(self.asked_at)
        self.asked_at.append(time.time())
        self.asked[i].set()
        return self._answer(i)

    async def _answer(self, i: int) -> AsyncIterator[ChatCompletionChunk]:
        await self.gates[i].wait()
        for item in self.scripts[i]:
            yield ChatCompletionChunk.model_validate(item)


def test_each_model_step_is_timed_from_its_request() -> None:
    async def main() -> tuple[list[Event], GatedClient, list[float]]:
        client = GatedClient([asking_for_weather(), text_chunks(["It is ", "sunny."])])
        agent = Agent("m", tools=[weather], client=client)

        async def read() -> list[Event]:
            return [ev async for ev in agent.stream("Weather in Oslo?")]

        reader = asyncio.create_task(read())
        released: list[float] = []
        for i in range(2):
            await asyncio.wait_for(client.asked[i].wait(), PATIENCE)
            released.append(time.time())
            client.gates[i].set()
        return await asyncio.wait_for(reader, PATIENCE), client, released

    events, client, released = aio.run(main())
    t = Transcript.from_events(events)
    assert t.status == "completed", t.error
    assert t.text == "It is sunny."
    steps = {s["id"]: s for s in t.steps}
    for i, step_id in enumerate(("model-1", "model-2")):
        step = steps[step_id]
        # started before its request went out; its first token came after the answer was let go
        assert step["started_at"] <= client.asked_at[i] <= released[i] <= step["first_token_at"]
        assert step["first_token_at"] > step["started_at"]
    assert steps["tools-1"]["ended_at"] <= steps["model-2"]["started_at"]
    # one start per step: the adapter's own (at the first chunk) is not sent too
    starts = [ev.step_id for ev in events if isinstance(ev, StepStart)]
    assert starts == ["model-1", "tools-1", "model-2"]
