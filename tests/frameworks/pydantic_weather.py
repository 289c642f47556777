"""A pydantic-ai agent on the library's own ``FunctionModel``: it thinks, calls ``weather`` with
streamed arguments, then answers from the result. What pydantic-ai's AG-UI and Vercel AI
encoders are tested with (import it after ``need("pydantic_ai")``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from pydantic_ai import Agent
from pydantic_ai.messages import ModelMessage, ModelRequest, ToolReturnPart
from pydantic_ai.models.function import (
    AgentInfo,
    DeltaThinkingPart,
    DeltaToolCall,
    DeltaToolCalls,
    FunctionModel,
)


async def weather_model(
    messages: list[ModelMessage], info: AgentInfo
) -> AsyncIterator[str | DeltaToolCalls | dict[int, DeltaThinkingPart]]:
    """Thinks, calls ``weather`` with streamed arguments, then answers from its result."""
    last = messages[-1]
    if isinstance(last, ModelRequest) and any(isinstance(p, ToolReturnPart) for p in last.parts):
        yield "The weather "
        yield "is sunny."
        return
    yield {0: DeltaThinkingPart(content="I should check the tool.")}
    yield {1: DeltaToolCall(name="weather", json_args='{"city": ')}
    yield {1: DeltaToolCall(json_args='"Paris"}')}


def weather_agent() -> Agent[None, str]:
    agent: Agent[None, str] = Agent(FunctionModel(stream_function=weather_model))

    @agent.tool_plain
    def weather(city: str) -> str:
        return f"sunny in {city}"

    return agent
