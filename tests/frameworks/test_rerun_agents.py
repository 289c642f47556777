"""Re-run, Copy as code and Mock for the tools of OpenAI Agents SDK and pydantic-ai runs
(``nbagent.frameworks.rerun``), against the real packages and their own test models: the Agents
SDK's
``agents.testing.ScriptedModel``, pydantic-ai's ``TestModel`` and ``FunctionModel``.

Each run is shown by nbagent, then a call is re-run with edited arguments through the
framework's own call path (the result recorded under the call; arguments the framework refuses
give its error in the re-run), its Copy as code is run beside the user's objects, and a run
whose tools nbagent cannot reach says so.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.frameworks.conftest import need

need("agents")
need("pydantic_ai")

from agents import Agent, Runner, function_tool  # noqa: E402
from agents.testing import ScriptedModel, assistant_message, function_call  # noqa: E402
from pydantic_ai import Agent as PydanticAgent  # noqa: E402
from pydantic_ai import CallDeferred, RunContext  # noqa: E402
from pydantic_ai.messages import ModelMessage, ModelRequest, ToolReturnPart  # noqa: E402
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, FunctionModel  # noqa: E402
from pydantic_ai.models.test import TestModel  # noqa: E402

import nbagent  # noqa: E402
from nbagent.core.events import ToolCallStart  # noqa: E402
from nbagent.frameworks.pydantic_ai.rerun import WITH_APPROVALS  # noqa: E402
from nbagent.frameworks.rerun import STREAM, FrameworkTools, reach  # noqa: E402
from tests import aio  # noqa: E402
from tests.frameworks.pausing import paused  # noqa: E402
from tests.frameworks.rerun_checks import (  # noqa: E402
    copied,
    rerun_from_view,
    rerun_ok,
    rerun_refused,
    run_copied,
    unreachable,
)
from tests.frameworks.test_watch_openai_agents import tracing  # noqa: E402, F401 - autouse
from tests.wait import wait_for_async  # noqa: E402

# -- the Agents SDK ----------------------------------------------------------------------------


@function_tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    print(f"adding {a} and {b}")
    return a + b


def adder() -> Agent[Any]:
    """Calls ``add(2, 3)``, then answers."""
    steps: list[Any] = [
        {"output": [function_call("add", {"a": 2, "b": 3}, call_id="call_1")]},
        {"output": [assistant_message("It is 5.")]},
    ]
    return Agent(name="Adder", model=ScriptedModel(steps), tools=[add])


def shown(make: Any) -> nbagent.Run:
    """``nbagent.show(make())`` on a loop (the SDK starts a task), awaited to its end."""

    async def main() -> nbagent.Run:
        run = nbagent.show(make())
        await asyncio.wait_for(run.wait_async(), 30)
        return run

    return aio.run(main())


def test_agents_sdk_rerun_goes_through_the_function_tool() -> None:
    run = shown(lambda: Runner.run_streamed(adder(), "add 2 and 3"))
    assert run.transcript.tool_calls[0].result == 5  # what the run's own call returned
    record = rerun_ok(run, 0, a=40)
    assert (record["result"], record["output"]) == (43, "adding 40 and 3\n")
    # The SDK refuses the argument (its pydantic model) and would tell the model "An error
    # occurred while running the tool"; the re-run shows the SDK's exception itself.
    refused = rerun_refused(run, 0, "ModelBehaviorError", a="forty")
    assert refused["result"] == "ModelBehaviorError: Invalid JSON input for tool add"
    assert "_prepare_arguments" in refused["traceback"]  # raised in the SDK's own path
    assert "no running event loop" not in refused["traceback"]
    assert rerun_from_view(run, 0, {"a": 1, "b": 1})["result"] == 2


def test_agents_sdk_copy_as_code_is_the_sdks_call() -> None:
    run = shown(lambda: Runner.run_streamed(adder(), "add 2 and 3"))
    (call,) = run.transcript.tool_calls
    code = copied(call, {"a": 4, "b": 5})
    assert code == (
        "from agents.tool_context import ToolContext; import json; "
        "_args = json.dumps(dict(a=4, b=5)); "
        'await add.on_invoke_tool(ToolContext(None, tool_name="add", '
        'tool_call_id="notebook", tool_arguments=_args), _args)'
    )
    assert run_copied(code, {"add": add}) == 9


def test_agents_sdk_a_stream_of_its_events_cannot_reach_the_tools() -> None:
    run = shown(lambda: Runner.run_streamed(adder(), "add 2 and 3").stream_events())
    assert run.transcript.tool_calls[0].name == "add"
    unreachable(run, STREAM)


def test_agents_sdk_hosted_and_unknown_tools_are_not_reached() -> None:
    lookup = reach(adder())
    assert callable(lookup)
    tools = FrameworkTools(lookup)

    def stamped(name: str, **fields: Any) -> ToolCallStart:
        ev = tools.stamp(ToolCallStart(tool_call_id="c1", name=name, **fields))
        assert isinstance(ev, ToolCallStart)
        return ev

    assert stamped("add").no_rerun is None
    assert stamped("add").call_as is not None
    hosted = stamped("web_search", executor="server")  # a server tool call (the adapters')
    assert (hosted.no_rerun, hosted.call_as) == ("the model's provider runs it", None)
    assert stamped("transfer_to_billing").no_rerun == "not a function tool of the run's agents"


def test_agents_sdk_watch_an_agent_reaches_its_tools() -> None:
    agent = adder()
    with nbagent.watch(agent) as w:
        aio.run(Runner.run(agent, "add 2 and 3"))
    (run,) = w.runs
    assert [c.name for c in run.transcript.tool_calls] == ["add"]
    assert rerun_ok(run, 0, b=10)["result"] == 12


def test_agents_sdk_mock_from_the_widget_then_rerun_the_real_tool() -> None:
    deleted: list[str] = []

    @function_tool(needs_approval=True)
    def delete_file(path: str) -> str:
        """Delete a file."""
        deleted.append(path)
        return f"deleted {path}"

    steps: list[Any] = [
        {"output": [function_call("delete_file", {"path": "a.txt"}, call_id="call_D")]},
        {"output": [assistant_message("Done.")]},
    ]
    model = ScriptedModel(steps)
    agent = Agent(name="Janitor", model=model, tools=[delete_file])

    async def main() -> nbagent.Run:
        run = nbagent.show(Runner.run_streamed(agent, "tidy up"))
        await paused(run)
        mock = {"type": "pause_answer", "id": "call_D", "action": "mock"}
        run.handle_message(mock | {"result": "deleted a.txt (mocked)"})  # the widget's Mock
        await asyncio.wait_for(run.wait_async(), 30)
        return run

    run = aio.run(main())
    (call,) = run.transcript.tool_calls
    assert deleted == []  # the tool never ran
    assert (call.mocked, call.result, run.status) == (True, "deleted a.txt (mocked)", "completed")
    outputs = [i for i in model.calls[-1].input if i.get("type") == "function_call_output"]
    assert [o["output"] for o in outputs] == ["deleted a.txt (mocked)"]  # what the model read
    assert rerun_ok(run, 0, path="b.txt")["result"] == "deleted b.txt"  # Re-run: the real one
    assert deleted == ["b.txt"]


# -- pydantic-ai --------------------------------------------------------------------------------


@dataclass
class Units:
    unit: str


weather_agent: PydanticAgent[Units, str] = PydanticAgent(
    TestModel(call_tools=["weather"]), deps_type=Units, name="forecaster"
)


@weather_agent.tool
def weather(ctx: RunContext[Units], city: str, days: int = 1) -> str:
    """The weather in a city for some days."""
    return f"{city}: 20°{ctx.deps.unit} for {days} day(s)"


@weather_agent.tool_plain
def humidity(city: str) -> int:
    """The humidity in a city, in percent."""
    return len(city) * 10


def test_pydantic_ai_rerun_goes_through_the_toolset_with_the_runs_deps() -> None:
    run = shown(lambda: nbagent.with_approvals(weather_agent, "Oslo?", deps=Units("C")))
    names = [c.name for c in run.transcript.tool_calls]
    assert names == ["weather"]
    record = rerun_ok(run, 0, city="Oslo", days=3)
    assert record["result"] == "Oslo: 20°C for 3 day(s)"  # the run's deps reached the tool
    refused = rerun_refused(run, 0, "ValidationError", days="many")  # the tool's validator
    assert "days" in refused["result"]
    assert "Input should be a valid integer" in refused["result"]
    assert rerun_from_view(run, 0, {"city": "Rome"})["result"] == "Rome: 20°C for 1 day(s)"


def test_pydantic_ai_copy_as_code_calls_the_function_as_the_user_has_it() -> None:
    run = shown(lambda: nbagent.with_approvals(weather_agent, "Oslo?", deps=Units("C")))
    (call,) = run.transcript.tool_calls
    code = copied(call, {"city": "Rome", "days": 2})
    assert code == (
        "from pydantic_ai import RunContext; from pydantic_ai.usage import RunUsage; "
        "weather(RunContext(deps=deps, model=agent.model, usage=RunUsage()), "
        "city='Rome', days=2)"
    )
    scope = {"weather": weather, "deps": Units("F"), "agent": weather_agent}
    assert run_copied(code, scope) == "Rome: 20°F for 2 day(s)"
    # A tool with no RunContext copies as the plain call (nbagent's default).
    plain = shown(lambda: nbagent.with_approvals(humid(), "Oslo?", deps=Units("C")))
    (call,) = plain.transcript.tool_calls
    assert (call.name, call.call_as) == ("humidity", None)
    assert run_copied(copied(call, {"city": "Rome"}), {"humidity": humidity}) == 40


def humid() -> PydanticAgent[Units, str]:
    """An agent of the same toolset whose model calls ``humidity``."""
    agent: PydanticAgent[Units, str] = PydanticAgent(
        TestModel(call_tools=["humidity"]), deps_type=Units
    )
    agent.tool_plain(humidity)
    return agent


def test_pydantic_ai_run_stream_events_shown_as_it_is_says_how_to_reach_the_tools() -> None:
    run = shown(lambda: weather_agent.run_stream_events("Oslo?", deps=Units("C")))
    assert [c.name for c in run.transcript.tool_calls] == ["weather"]
    unreachable(run, WITH_APPROVALS)


def test_pydantic_ai_watch_an_agent_reaches_its_tools() -> None:
    need("opentelemetry.sdk.trace")  # the otel hook: pydantic-ai's own instrumentation
    with nbagent.watch(weather_agent) as w:
        aio.run(weather_agent.run("Oslo?", deps=Units("K")))
    (run,) = w.runs
    assert [c.name for c in run.transcript.tool_calls] == ["weather"]
    # watch(agent) holds no deps: a tool that reads them fails in the re-run, as it says
    refused = rerun_refused(run, 0, "AttributeError", city="Oslo")
    assert "'NoneType' object has no attribute 'unit'" in refused["result"]


class Outside:
    """A model that calls ``lookup`` (an outside tool) or ``delete`` (one that needs
    approval), then says what the call returned."""

    def __init__(self, tool: str) -> None:
        self.tool = tool
        self.requests: list[list[ModelMessage]] = []

    async def stream(self, messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[Any]:
        self.requests.append(list(messages))
        if len(self.requests) == 1:
            args = json.dumps({"path": "a.txt"})
            yield {0: DeltaToolCall(name=self.tool, json_args=args, tool_call_id="c1")}
            return
        last = messages[-1]
        assert isinstance(last, ModelRequest)
        (part,) = [p for p in last.parts if isinstance(p, ToolReturnPart)]
        yield f"the tool said: {part.content}"


def outside_agent(script: Outside, ran: list[str]) -> PydanticAgent[None, Any]:
    agent: PydanticAgent[None, Any] = PydanticAgent(FunctionModel(stream_function=script.stream))

    @agent.tool_plain
    def lookup(path: str) -> str:
        raise CallDeferred  # its result comes from outside the run

    @agent.tool_plain(requires_approval=True)
    def delete(path: str) -> str:
        ran.append(path)
        return f"deleted {path}"

    return agent


@pytest.mark.parametrize("tool", ["lookup", "delete"])
def test_pydantic_ai_mock_from_the_widget(tool: str) -> None:
    """An outside call takes the widget's Mock; a call that needs approval takes none (pydantic-ai
    takes no result for it): the mock is refused, the call stays paused, and is denied."""
    script, ran = Outside(tool), []

    async def main() -> nbagent.Run:
        run = nbagent.show(nbagent.with_approvals(outside_agent(script, ran), "look"))
        await paused(run)
        mock = {"type": "pause_answer", "id": "c1", "action": "mock", "result": "12 bytes"}
        run.handle_message(mock)
        if tool == "delete":

            def refused() -> Any:
                pause = run.transcript.tool_calls[0].pause
                return pause and pause.get("error")

            error = await wait_for_async(refused, what="the mock to be refused")
            assert error == "delete cannot be answered 'mock' here (it takes run, edit, deny)"
            assert [p.tool_call_id for p in run.pending] == ["c1"]
            run.deny(0, reason="not now")
        await asyncio.wait_for(run.wait_async(), 30)
        return run

    run = aio.run(main())
    (call,) = run.transcript.tool_calls
    assert (run.status, ran) == ("completed", [])
    if tool == "lookup":
        assert (call.mocked, call.result) == (True, "12 bytes")
        assert run.transcript.text == "the tool said: 12 bytes"
    else:
        assert (call.mocked, call.denied, call.result) == (False, True, "not now")
