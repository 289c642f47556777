"""smolagents through nbagent: its real ``OpenAIModel`` against a local OpenAI-compatible
server (``tests.servers.OpenAIServer``, one script per model call)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.frameworks.conftest import need
from tests.wait import PATIENCE, wait_for

smolagents = need("smolagents")

from smolagents import ActionStep, CodeAgent, OpenAIModel, ToolCallingAgent, tool  # noqa: E402

import nbagent  # noqa: E402
from nbagent.adapters import detect_format  # noqa: E402
from nbagent.adapters.base import BadItemError  # noqa: E402
from nbagent.adapters.smolagents import SmolagentsAdapter  # noqa: E402
from tests.servers import OpenAIServer, chunk, usage_chunk  # noqa: E402


@tool
def add(a: int, b: int) -> int:
    """Add two numbers.

    Args:
        a: the first number
        b: the second number
    """
    return a + b


@tool
def explode(x: int) -> int:
    """A tool that fails.

    Args:
        x: any number
    """
    raise ValueError(f"no luck with {x}")


def tool_call(call_id: str, name: str, args: dict[str, Any], text: str = "") -> list[Any]:
    """One model answer: some text, a tool call streamed in two fragments, usage."""
    head = [chunk(text, role="assistant")] if text else []
    fragment = json.dumps(args)
    opening = {"index": 0, "id": call_id, "type": "function"}
    return [
        *head,
        chunk(None, tool_calls=[opening | {"function": {"name": name, "arguments": ""}}]),
        chunk(None, tool_calls=[{"index": 0, "function": {"arguments": fragment[:5]}}]),
        chunk(None, tool_calls=[{"index": 0, "function": {"arguments": fragment[5:]}}]),
        chunk(finish_reason="tool_calls"),
        usage_chunk(10, 5),
    ]


def code(text: str, prompt: int = 20) -> list[Any]:
    return [chunk(text, role="assistant"), chunk(finish_reason="stop"), usage_chunk(prompt, 8)]


def run_agent(agent: Any, task: str) -> nbagent.Run:
    run = nbagent.show(agent.run(task, stream=True))
    run.wait(timeout=20)
    return run


def action_steps(agent: Any) -> list[Any]:
    return [s for s in agent.memory.steps if isinstance(s, ActionStep)]


@pytest.mark.parametrize("stream_outputs", [True, False])
def test_tool_calling_agent(stream_outputs: bool) -> None:
    scripts = [
        tool_call("c1", "add", {"a": 2, "b": 3}, text="I will add."),
        tool_call("c2", "explode", {"x": 7}),
        tool_call("c3", "final_answer", {"answer": "The sum is 5."}),
    ]
    with OpenAIServer(scripts=scripts) as srv:
        model = OpenAIModel(model_id="m", api_base=srv.base_url, api_key="test")
        agent = ToolCallingAgent(
            tools=[add, explode], model=model, stream_outputs=stream_outputs, verbosity_level=0
        )
        run = run_agent(agent, "add 2 and 3")
    t = run.transcript
    steps = action_steps(agent)
    assert run.format == "smolagents"
    assert t.status == "completed"
    assert t.text == steps[-1].observations == "The sum is 5."  # the final_answer tool's
    assert t.thinking == "I will add." == steps[0].model_output
    assert "add" not in t.text
    calls = [c for s in steps for c in s.model_output_message.tool_calls]
    assert [(c.id, c.name, c.args) for c in t.tool_calls] == [
        (c.id, c.function.name, c.function.arguments) for c in calls
    ]
    first, failed, final = t.tool_calls
    assert (first.result, first.is_error) == (steps[0].observations, False)
    assert failed.is_error
    assert str(steps[1].error) == failed.result
    assert "no luck with 7" in failed.result
    assert final.result == "The sum is 5."
    assert [s["name"] for s in t.steps] == ["Step 1", "Step 2", "Step 3"]
    for mine, theirs in zip(t.steps, steps, strict=True):
        assert mine["usage"]["input_tokens"] == theirs.token_usage.input_tokens
        assert mine["usage"]["output_tokens"] == theirs.token_usage.output_tokens
    assert t.usage.input_tokens == sum(s.token_usage.input_tokens for s in steps)
    if stream_outputs:  # the arguments came in fragments
        deltas = [e.delta for e in run.events if e.kind == "tool_call_args_delta"]
        assert deltas[:2] == ['{"a":', ' 2, "b": 3}']


@pytest.mark.parametrize("stream_outputs", [True, False])
def test_code_agent(stream_outputs: bool) -> None:
    scripts = [
        code("Thought: compute.\n<code>\nx = 2 + 3\nprint(x)\n</code>"),
        code("Thought: divide.\n<code>\n1/0\n</code>"),
        code("Thought: done.\n<code>\nfinal_answer(x)\n</code>", prompt=30),
    ]
    with OpenAIServer(scripts=scripts) as srv:
        model = OpenAIModel(model_id="m", api_base=srv.base_url, api_key="test")
        agent = CodeAgent(tools=[], model=model, stream_outputs=stream_outputs, verbosity_level=0)
        run = run_agent(agent, "compute")
    t = run.transcript
    steps = action_steps(agent)
    assert t.status == "completed"
    assert t.text == str(steps[-1].action_output) == "5"
    assert t.thinking.startswith("Thought: compute.")
    assert "Thought" not in t.text
    assert [(c.name, c.args) for c in t.tool_calls] == [
        ("python_interpreter", {"code": s.code_action}) for s in steps
    ]
    ok, failed, final = t.tool_calls
    assert ok.result == steps[0].observations
    assert "5" in ok.result
    assert failed.is_error
    assert "division by zero" in failed.result == str(steps[1].error)
    assert final.result == steps[2].observations
    assert [s["usage"]["input_tokens"] for s in t.steps] == [20, 20, 30]
    assert all(e.meta and e.meta["duration_s"] >= 0 for e in run.events if e.kind == "step_end")


def test_max_steps_ends_with_the_forced_answer() -> None:
    scripts = [tool_call("c1", "add", {"a": 1, "b": 1}), code("I give up: 2")]
    with OpenAIServer(scripts=scripts) as srv:
        model = OpenAIModel(model_id="m", api_base=srv.base_url, api_key="test")
        agent = ToolCallingAgent(tools=[add], model=model, max_steps=1, verbosity_level=0)
        run = run_agent(agent, "add")
    t = run.transcript
    assert t.end_reason == "max_steps"
    assert t.text == agent.memory.steps[-1].action_output == "I give up: 2"
    assert len(t.steps) == 1  # the step yielded again after max_steps is not a new one


def test_stopping_closes_the_agent_run() -> None:
    scripts = [tool_call(f"c{i}", "add", {"a": i, "b": 1}) for i in range(50)]
    with OpenAIServer(scripts=scripts, delay=0.05) as srv:
        model = OpenAIModel(model_id="m", api_base=srv.base_url, api_key="test")
        agent = ToolCallingAgent(tools=[add], model=model, max_steps=50, verbosity_level=0)
        stream = agent.run("add forever", stream=True)
        run = nbagent.show(stream)
        wait_for(lambda: run.transcript.tool_calls, what="the first tool call")
        run.cancel()
        run.wait(timeout=PATIENCE)
    assert run.transcript.status == "cancelled"
    assert len(action_steps(agent)) < 50


def test_detection_and_bad_items() -> None:
    delta = smolagents.ChatMessageStreamDelta(content="hi")
    assert detect_format(delta) == "smolagents"
    assert not SmolagentsAdapter.detect({"output": 1})
    with pytest.raises(BadItemError, match="smolagents takes"):
        SmolagentsAdapter().feed(42)


def test_the_dict_form_reads_as_the_objects_do() -> None:
    """``dataclasses.asdict`` / ``ActionStep.dict()`` of each item (recorded from the runs
    above): the same transcript."""
    fixtures = Path(__file__).parents[1] / "fixtures" / "smolagents"
    lines = (fixtures / "tool_calling.jsonl").read_text().splitlines()
    t = nbagent.Transcript.from_events(nbagent.iter_events(lines))
    assert t.text == "The sum is 5."
    assert t.thinking == "I will add."
    assert [(c.name, c.is_error) for c in t.tool_calls] == [
        ("add", False),
        ("explode", True),
        ("final_answer", False),
    ]
    lines = (fixtures / "code_agent.jsonl").read_text().splitlines()
    t = nbagent.Transcript.from_events(nbagent.iter_events(lines))
    assert t.text == "5"
    assert [c.is_error for c in t.tool_calls] == [False, True, False]
    assert t.usage.input_tokens == 60
