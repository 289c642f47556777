"""Re-run and Copy as code for the tools of LangGraph, LlamaIndex and smolagents runs
(``nbagent.frameworks.rerun``), against the real packages and their own test models: LangChain's
``GenericFakeChatModel`` (``ToolFake``), llama-index-core's ``MockFunctionCallingLLM`` and
smolagents' real ``OpenAIModel`` against a local OpenAI-compatible server.

Each run is shown by nbagent (or watched), then a call is re-run with edited arguments through
the framework's own call path, its Copy as code is run beside the user's objects, and what
nbagent cannot reach says so: per call (a CodeAgent's code, the workflow's handoff) or for the
whole run (a stream, a watched model).
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from tests.frameworks.conftest import need

need("langgraph")
need("llama_index.core")
need("smolagents")

from langgraph.graph import END, START, MessagesState, StateGraph  # noqa: E402
from langgraph.prebuilt import create_react_agent  # noqa: E402
from llama_index.core.agent.workflow import AgentWorkflow, FunctionAgent  # noqa: E402
from smolagents import CodeAgent, OpenAIModel, ToolCallingAgent  # noqa: E402

import nbagent  # noqa: E402
from nbagent.frameworks.langchain import MODEL  # noqa: E402
from nbagent.frameworks.llama_index import HANDOFF  # noqa: E402
from nbagent.frameworks.rerun import STREAM, attach  # noqa: E402
from nbagent.frameworks.smolagents import CODE  # noqa: E402
from tests import aio  # noqa: E402
from tests.frameworks import test_llama_index as li  # noqa: E402
from tests.frameworks import test_smolagents as smol  # noqa: E402
from tests.frameworks.rerun_checks import (  # noqa: E402
    copied,
    rerun_from_view,
    rerun_ok,
    rerun_refused,
    run_copied,
    unreachable,
)
from tests.frameworks.test_langchain import ToolFake, add, script  # noqa: E402
from tests.servers import OpenAIServer  # noqa: E402

INPUT = {"messages": [("user", "add 1 and 2")]}

# -- LangGraph ------------------------------------------------------------------------------


def react() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # moved to langchain.agents in LangGraph 1.0
        return create_react_agent(ToolFake(messages=script()), [add], name="math")


def nested() -> Any:
    """The react agent as the node ``math`` of an outer graph: its tool node is a subgraph's."""
    builder = StateGraph(MessagesState)
    builder.add_node("math", react())
    builder.add_edge(START, "math")
    builder.add_edge("math", END)
    return builder.compile()


def test_langgraph_rerun_through_the_graphs_tool_node() -> None:
    run = nbagent.show(react().stream(INPUT, stream_mode="messages"))
    run.wait(30)
    assert [(c.name, c.args) for c in run.transcript.tool_calls] == [("add", {"a": 1, "b": 2})]
    assert rerun_ok(run, 0, a=40)["result"] == 42
    refused = rerun_refused(run, 0, "ValidationError", a="forty")  # the tool's args_schema
    assert "Input should be a valid integer" in refused["result"]
    assert rerun_from_view(run, 0, {"a": 7, "b": 8})["result"] == 15


def test_langgraph_a_subgraphs_tool_node_and_astream() -> None:
    async def main() -> nbagent.Run:
        graph = nested()
        run = nbagent.show(graph.astream(INPUT, stream_mode="messages", subgraphs=True))
        await run.wait_async()
        return run

    run = aio.run(main())
    (call,) = run.transcript.tool_calls
    assert call.name == "add"
    assert rerun_ok(run, 0, b=5)["result"] == 6


def test_langgraph_copy_as_code_is_the_tools_invoke() -> None:
    run = nbagent.show(react().stream(INPUT, stream_mode="messages"))
    run.wait(30)
    (call,) = run.transcript.tool_calls
    code = copied(call, {"a": 4, "b": 5})
    assert code == "add.invoke(dict(a=4, b=5))"
    assert run_copied(code, {"add": add}) == 9


def test_langgraph_watch_the_graph_reaches_its_tools() -> None:
    graph = react()
    with nbagent.watch(graph) as w:
        graph.invoke(INPUT)
    (run,) = w.runs
    assert [c.name for c in run.transcript.tool_calls] == ["add"]
    assert rerun_ok(run, 0, a=2, b=2)["result"] == 4


def test_langgraph_what_cannot_be_reached_says_why() -> None:
    items = list(react().stream(INPUT, stream_mode="messages"))
    stream = nbagent.show(iter(items))  # the graph's items, without the graph
    stream.wait(30)
    unreachable(stream, STREAM)
    model = ToolFake(messages=script())
    with nbagent.watch(model) as w:  # a model's calls: the tool calls it asks for, no tools
        model.invoke("add 1 and 2")
    (run,) = w.runs
    unreachable(run, MODEL)


def test_the_widget_and_the_lanes_carry_can_rerun(comms: Any) -> None:
    """Kernel-free: the widget's ``can_rerun`` (what the panels read) and a lane's."""
    reached = nbagent.Run(react().stream(INPUT, stream_mode="messages"), display=True)
    attach(reached, reached.source)
    streamed = nbagent.Run(iter(list(react().stream(INPUT, stream_mode="messages"))), display=True)
    attach(streamed, streamed.source)
    assert (reached.widget.can_rerun, streamed.widget.can_rerun) == (True, STREAM)
    lanes = nbagent.show({"graph": react().stream(INPUT), "stream": iter(["text"])})
    lanes.wait(30)
    assert [getattr(run.view, "can_rerun", None) for run in lanes.runs] == [True, STREAM]


# -- LlamaIndex -----------------------------------------------------------------------------


def test_llama_index_rerun_through_the_agents_tools() -> None:
    async def main() -> nbagent.Run:
        agent = FunctionAgent(tools=[li.add], llm=li.llm(li.calculator), name="calc")
        run = nbagent.show(agent.run(user_msg="add 2 and 3"))
        await run.wait_async()
        return run

    run = aio.run(main())
    (call,) = run.transcript.tool_calls
    assert (call.name, call.args, call.result) == ("add", {"a": 2, "b": 3}, "5")
    assert rerun_ok(run, 0, a=40)["result"] == "43"  # the ToolOutput's content, as in the run
    # LlamaIndex checks no arguments: a wrong one fails in the call, as it would in the run
    refused = rerun_refused(run, 0, "TypeError", b="three")
    assert "unsupported operand" in refused["result"]
    assert rerun_from_view(run, 0, {"a": 1, "b": 1})["result"] == "2"
    # Copy: the agent's tools=[add] wraps the user's function: the plain call of it
    assert call.call_as is None
    assert run_copied(copied(call, {"a": 4, "b": 5}), {"add": li.add}) == 9


def test_llama_index_a_workflows_handoff_is_not_reached_its_tools_are() -> None:
    def router(messages: Any, **_: Any) -> Any:
        return li.call("h1", "handoff", to_agent="worker", reason="math")

    def worker(messages: Any, **_: Any) -> Any:
        if len(li.tool_results(messages)) < 2:
            return li.call("a1", "add", a=40, b=2)
        return li.streamed("It is ", "42.")

    async def main() -> nbagent.Run:
        first = FunctionAgent(
            name="router", description="routes", llm=li.llm(router), can_handoff_to=["worker"]
        )
        second = FunctionAgent(
            name="worker", description="adds", llm=li.llm(worker), tools=[li.add]
        )
        workflow = AgentWorkflow(agents=[first, second], root_agent="router")
        run = nbagent.show(workflow.run(user_msg="what is 40 + 2?"))
        await run.wait_async()
        return run

    run = aio.run(main())
    handoff, addition = run.transcript.tool_calls
    assert (handoff.name, handoff.no_rerun) == ("handoff", HANDOFF)
    assert (addition.name, addition.no_rerun) == ("add", None)
    assert rerun_ok(run, 1, b=3)["result"] == "43"
    with pytest.raises(RuntimeError) as refused:
        run.rerun_tool(0)
    assert str(refused.value) == f"Re-run: nbagent cannot reach this tool ({HANDOFF})"


def test_llama_index_watch_an_agent_reaches_its_tools() -> None:
    agent = FunctionAgent(tools=[li.add], llm=li.llm(li.calculator), name="calc")

    async def main() -> None:
        await agent.run(user_msg="add 2 and 3")

    with nbagent.watch(agent) as w:
        aio.run(main())
    (run,) = w.runs
    assert [c.name for c in run.transcript.tool_calls] == ["add"]
    assert rerun_ok(run, 0, b=30)["result"] == "32"


# -- smolagents -----------------------------------------------------------------------------


def test_smolagents_rerun_through_the_agents_own_call() -> None:
    scripts = [
        smol.tool_call("c1", "add", {"a": 2, "b": 3}),
        smol.tool_call("c2", "final_answer", {"answer": "5"}),
    ]
    with OpenAIServer(scripts=scripts) as srv:
        model = OpenAIModel(model_id="m", api_base=srv.base_url, api_key="test")
        agent = ToolCallingAgent(tools=[smol.add], model=model, verbosity_level=0)
        run = smol.run_agent(agent, "add 2 and 3")
    assert [c.name for c in run.transcript.tool_calls] == ["add", "final_answer"]
    assert rerun_ok(run, 0, a=40)["result"] == 43
    # execute_tool_call checks the arguments against the tool's inputs first
    refused = rerun_refused(run, 0, "AgentToolCallError", a="forty")
    assert refused["result"].endswith("Argument a has type 'string' but should be 'integer'")
    assert rerun_from_view(run, 0, {"a": 1, "b": 1})["result"] == 2
    # Copy: @tool makes the variable the tool; calling it is the tool's own __call__
    (call, _) = run.transcript.tool_calls
    assert call.call_as is None
    assert run_copied(copied(call, {"a": 4, "b": 5}), {"add": smol.add}) == 9


def test_smolagents_a_code_agents_code_is_not_re_run() -> None:
    answer = smol.code("Thought: add.\n<code>\nfinal_answer(add(a=2, b=3))\n</code>")
    with OpenAIServer(scripts=[answer]) as srv:
        model = OpenAIModel(model_id="m", api_base=srv.base_url, api_key="test")
        agent = CodeAgent(tools=[smol.add], model=model, verbosity_level=0)
        run = smol.run_agent(agent, "add 2 and 3")
    (call,) = run.transcript.tool_calls
    assert (call.name, call.no_rerun) == ("python_interpreter", CODE)
    assert run.reruns is not None  # the agent's tools are reached; its code is not
    with pytest.raises(RuntimeError) as refused:
        run.rerun_tool(0)
    assert str(refused.value) == f"Re-run: nbagent cannot reach this tool ({CODE})"
