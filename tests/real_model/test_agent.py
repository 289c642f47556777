"""``nbagent.Agent`` against the real server: a forced tool call, its result sent back, an
answer; and the request of every step accepted (issue 49: the server refuses an assistant
message whose content is null, and streams each tool-call fragment twice)."""

from __future__ import annotations

import json
import threading
from typing import Any

import openai
import pytest

import nbagent
from tests.real_model.server import CALL_BUDGET_S, MODEL, ModelServer

CALLS: list[dict[str, Any]] = []
_lock = threading.Lock()


def get_weather(city: str) -> str:
    """The current weather in a city.

    Args:
        city: The city's name.
    """
    with _lock:
        CALLS.append({"city": city})
    return f"Sunny and 21°C in {city}."


FORCED = {"type": "function", "function": {"name": "get_weather"}}


@pytest.mark.parametrize("kind", ["OpenAI", "AsyncOpenAI"])
def test_a_forced_tool_call_runs_once_and_its_result_goes_back(
    model: ModelServer, kind: str
) -> None:
    CALLS.clear()
    client = getattr(openai, kind)(base_url=model.base_url, api_key="none", max_retries=0)
    agent = nbagent.Agent(
        MODEL, tools=[get_weather], client=client, tool_choice=FORCED, max_tokens=48
    )
    run = agent.run("What is the weather in Paris?")
    t = run.wait(2 * CALL_BUDGET_S)  # the model's two calls
    assert t.status == "completed", t.error
    assert [s["id"] for s in t.steps] == ["model-1", "tools-1", "model-2"]
    (call,) = t.tool_calls
    assert not call.is_error, call.result
    # The tool ran once, with the arguments the model sent, parsed.
    user, asked, result, answer = run.messages
    assert user == {"role": "user", "content": "What is the weather in Paris?"}
    (wire_call,) = asked["tool_calls"]
    assert wire_call["id"] == call.id
    assert wire_call["function"]["name"] == "get_weather"
    sent = json.loads(wire_call["function"]["arguments"])
    assert [sent] == CALLS
    assert call.args == sent
    # Its result went back to the model, which answered in a second step.
    told = f"Sunny and 21°C in {sent['city']}."
    assert result == {"role": "tool", "tool_call_id": call.id, "content": told}
    assert call.result == told
    assert asked["content"] == ""  # the step only called the tool: "", never null
    assert answer["role"] == "assistant"
    assert "tool_calls" not in answer
    assert answer["content"] == t.text
    assert not any(e.kind == "error" for e in run.events)
