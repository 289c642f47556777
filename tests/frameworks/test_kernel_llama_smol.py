"""LlamaIndex and smolagents through ``nbagent.show`` in a real kernel: the final widget
state, and Stop cancelling the library's run."""

from __future__ import annotations

from typing import Any

import pytest

from tests.frameworks.conftest import need
from tests.kernel import Kernel, final_state
from tests.servers import OpenAIServer, chunk, usage_chunk

need("llama_index.core")
need("smolagents")

pytestmark = pytest.mark.kernel

KERNEL_SETUP = """
import asyncio, time, nbagent
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import ChatMessage, ToolCallBlock
from llama_index.core.llms import MockFunctionCallingLLM
from smolagents import OpenAIModel, ToolCallingAgent, tool

def add(a: int, b: int) -> int:
    '''Add two numbers.'''
    return a + b

async def slow(x: int) -> int:
    '''Wait a long time.'''
    await asyncio.sleep(60)
    return x

def script(messages, **_):
    if any(m.role == 'tool' for m in messages):
        return ChatMessage(role='assistant', content='The sum is 5.')
    block = ToolCallBlock(tool_call_id='c1', tool_name='add', tool_kwargs={'a': 2, 'b': 3})
    return ChatMessage(role='assistant', blocks=[block])

def sleepy(messages, **_):
    block = ToolCallBlock(tool_call_id='s1', tool_name='slow', tool_kwargs={'x': 1})
    return ChatMessage(role='assistant', blocks=[block])

@tool
def smol_add(a: int, b: int) -> int:
    '''Add two numbers.

    Args:
        a: the first number
        b: the second number
    '''
    return a + b

async def until(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)
"""


def answer(state: dict[str, Any]) -> str:
    return "".join(b["text"] for b in state["blocks"] if b["type"] == "text")


def test_a_llama_index_handler_renders_through_show(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute(
        "agent = FunctionAgent(tools=[add], llm=MockFunctionCallingLLM(response_generator=script),"
        " name='calc')\n"
        "handler = agent.run(user_msg='add 2 and 3')\n"
        "run = nbagent.show(handler)\n"
        "await run\n"
        "result = await handler"
    )
    state = final_state(kernel, since)
    assert state["status"] == "completed"
    assert answer(state) == kernel.value("str(result)") == "The sum is 5."
    (call,) = [b for b in state["blocks"] if b["type"] == "tool"]
    assert call["name"] == "add"


def test_stop_cancels_the_llama_index_workflow(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute(
        "agent = FunctionAgent(tools=[slow], llm=MockFunctionCallingLLM(response_generator=sleepy),"
        " name='sleepy')\n"
        "handler = agent.run(user_msg='wait')\n"
        "run = nbagent.show(handler)\n"
        "await until(lambda: run.transcript.tool_calls)\n"
        "run.cancel()\n"
        "await run\n"
        "try:\n"
        "    await asyncio.wait_for(handler.stop_event_result(), 5)\n"
        "    outcome = None\n"
        "except (Exception, asyncio.CancelledError) as exc:\n"
        "    outcome = type(exc).__name__"
    )
    state = final_state(kernel, since)
    assert state["status"] == "cancelled"
    # The workflow's own word for it, or (a loaded machine: the cancel reaches the workflow's
    # task before its stop event is written) its future cancelled.
    assert kernel.value("outcome") in ("WorkflowCancelledByUser", "CancelledError")


def test_a_smolagents_run_renders_through_show(kernel: Kernel) -> None:
    def call(call_id: str, name: str, arguments: str) -> list[Any]:
        opening = {"index": 0, "id": call_id, "type": "function"}
        function = {"name": name, "arguments": arguments}
        return [
            chunk(None, role="assistant", tool_calls=[opening | {"function": function}]),
            chunk(finish_reason="tool_calls"),
            usage_chunk(10, 5),
        ]

    scripts = [
        call("c1", "smol_add", '{"a": 2, "b": 3}'),
        call("c2", "final_answer", '{"answer": "5"}'),
    ]
    with OpenAIServer(scripts=scripts) as srv:
        since = len(kernel.messages())
        kernel.execute(
            f"model = OpenAIModel(model_id='m', api_base={srv.base_url!r}, api_key='test')\n"
            "agent = ToolCallingAgent(tools=[smol_add], model=model, stream_outputs=True,"
            " verbosity_level=0)\n"
            "run = nbagent.show(agent.run('add 2 and 3', stream=True))\n"
            "t = run.wait(30)"
        )
    state = final_state(kernel, since)
    assert state["status"] == "completed"
    assert answer(state) == "5"
    assert [b["name"] for b in state["blocks"] if b["type"] == "tool"] == [
        "smol_add",
        "final_answer",
    ]
    assert state["usage"]["input_tokens"] == 20
