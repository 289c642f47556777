"""LangGraph: ``graph.stream()``/``astream()`` of a real ``create_react_agent`` and
``StateGraph`` (with ``ToolNode`` and a subgraph) in every shape (one mode, several modes,
``subgraphs=True``, ``version="v2"``), read with no ``format=``; one real-kernel test."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from tests.frameworks.conftest import need

langgraph = need("langgraph")

from langchain_core.messages import AIMessage  # noqa: E402
from langchain_core.tools import tool  # noqa: E402
from langgraph.config import get_stream_writer  # noqa: E402
from langgraph.graph import END, START, MessagesState, StateGraph  # noqa: E402
from langgraph.prebuilt import ToolNode, create_react_agent  # noqa: E402

import nbagent  # noqa: E402
from nbagent.adapters.langchain import LangGraphAdapter  # noqa: E402
from nbagent.core.events import Custom, Event, RunEnd, Status, StepEnd, StepStart  # noqa: E402
from tests import aio  # noqa: E402
from tests.frameworks.test_langchain import ToolFake, add, script, tools_of, usage  # noqa: E402

INPUT = {"messages": [("user", "add 1 and 2")]}


def react() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # moved to langchain.agents in LangGraph 1.0
        return create_react_agent(ToolFake(messages=script()), [add], name="math")


@tool
def progress_add(a: int, b: int) -> int:
    """Add two numbers, saying so."""
    get_stream_writer()("adding")
    get_stream_writer()({"step": "add", "a": a})
    return a + b


def nested() -> Any:
    """A planner node, then a react agent (a compiled graph) as the node ``math``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inner = create_react_agent(
            ToolFake(messages=script("progress_add")), [progress_add], name="math"
        )

    def planner(state: Any) -> dict[str, Any]:
        return {"messages": [AIMessage(content="plan: delegate. ")]}

    builder = StateGraph(MessagesState)
    builder.add_node("planner", planner)
    builder.add_node("math", inner)
    builder.add_edge(START, "planner")
    builder.add_edge("planner", "math")
    builder.add_edge("math", END)
    return builder.compile()


def check_against_state(t: nbagent.Transcript, final: list[Any]) -> None:
    """The transcript says what the graph's final state holds."""
    ai = [m for m in final if m.type == "ai"]
    # Each model call's text, one paragraph: a tool call stands between one and the next.
    assert all(m.tool_calls for m in ai[:-1])
    assert t.text == "\n\n".join(m.content for m in ai if m.content)
    assert t.thinking == "".join(m.additional_kwargs.get("reasoning_content", "") for m in ai)
    results = {m.tool_call_id: m.content for m in final if m.type == "tool"}
    calls = [(c["name"], c["args"], results[c["id"]], False) for m in ai for c in m.tool_calls]
    assert tools_of(t) == calls
    state = t.to_dict()
    for key in ("input_tokens", "output_tokens"):
        assert state["usage"][key] == sum(m.usage_metadata[key] for m in ai if m.usage_metadata)
    assert state["usage"]["reasoning_tokens"] == 2
    assert (state["status"], state["end_reason"], state["warnings"]) == (
        "completed",
        "completed",
        [],
    )


SHAPES: list[dict[str, Any]] = [
    {"stream_mode": "messages"},
    {"stream_mode": "updates"},
    {"stream_mode": "values"},
    {},
    {"stream_mode": ["messages", "updates"]},
    {"stream_mode": ["values", "updates", "custom", "tasks", "debug", "checkpoints"]},
    {"stream_mode": ["messages", "values", "tools"]},
    {"stream_mode": "messages", "subgraphs": True},
    {"stream_mode": ["messages", "updates", "custom"], "subgraphs": True},
    {"stream_mode": ["messages", "updates", "tasks"], "version": "v2"},
    {"stream_mode": ["updates", "custom"], "subgraphs": True, "version": "v2"},
]


@pytest.mark.parametrize("kwargs", SHAPES, ids=[str(s) for s in SHAPES])
def test_react_agent_in_every_shape(kwargs: dict[str, Any]) -> None:
    final = react().invoke(INPUT)["messages"]  # the same script, run to its final state
    items = list(react().stream(INPUT, **kwargs))
    events = list(nbagent.iter_events(iter(items)))
    check_against_state(nbagent.Transcript.from_events(events), final)
    steps = [e for e in events if isinstance(e, StepStart)]
    assert len(steps) == 2  # one per model call
    assert not [e for e in events if e.parent is not None]  # no subgraph


def test_astream_v2_messages_steps_and_tool_result() -> None:
    async def go() -> list[Event]:
        stream = react().astream(INPUT, stream_mode=["messages", "updates"], version="v2")
        return [e async for e in nbagent.aiter_events(stream)]

    events = aio.run(go())
    final = react().invoke(INPUT)["messages"]
    check_against_state(nbagent.Transcript.from_events(events), final)
    ends = [(e.name, e.finish_reason) for e in events if isinstance(e, StepEnd)]
    assert ends == [("agent", "tool_calls"), ("agent", "stop")]


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_subgraph_is_a_subagent_scope(version: str) -> None:
    final = nested().invoke(INPUT)["messages"]
    modes = ["messages", "updates", "custom"]
    items = list(nested().stream(INPUT, stream_mode=modes, subgraphs=True, version=version))
    events = list(nbagent.iter_events(iter(items)))
    scopes = [e for e in events if isinstance(e, StepStart) and e.step_type == "subagent"]
    assert [(s.name, s.parent) for s in scopes] == [("math", None)]
    scope = scopes[0].step_id
    assert scope.startswith("math:")
    inside = [e for e in events if e.parent == scope]
    models = [e for e in inside if isinstance(e, StepStart)]
    assert [m.name for m in models] == ["agent", "agent"]
    assert [e.text for e in inside if isinstance(e, Status)] == ["adding"]
    assert [e.value for e in inside if isinstance(e, Custom)] == [{"step": "add", "a": 1}]
    assert {type(e).__name__ for e in inside} >= {"TextDelta", "ThinkingDelta", "ToolResult"}
    # the scope closes when the parent graph's update for "math" comes, not at the end
    adapter = LangGraphAdapter()
    fed = [e for item in items for e in adapter.feed(item)]
    assert [e.step_id for e in fed if isinstance(e, StepEnd) and e.parent is None] == [
        e.step_id for e in events if isinstance(e, StepEnd) and e.parent is None
    ]
    assert not [e for e in adapter.end() if isinstance(e, StepEnd)]
    t = nbagent.Transcript.from_events(events)
    planner, *inner = [m.content for m in final if m.type == "ai"]
    # The planner's text is the top level's; the subgraph's is inside its agent block.
    top = [b for b in t.blocks if "parent" not in b]
    assert [b["type"] for b in top] == ["text", "agent"]
    assert (top[0]["text"], top[1]["id"]) == (planner, scope)
    assert t.text == planner
    assert [b["text"] for b in t.children(scope) if b["type"] == "text"] == inner
    assert [(c.name, c.result) for c in t.tool_calls] == [("progress_add", "3")]


@tool
def ask_math(question: str) -> str:
    """Ask the math agent."""
    return str(react().invoke({"messages": [("user", question)]})["messages"][-1].content)


def asking_math() -> ToolFake:
    """A model that asks ``ask_math`` (the react agent, used as a tool), then answers."""
    return ToolFake(
        messages=iter(
            [
                AIMessage(
                    content="",
                    tool_calls=[{"name": "ask_math", "args": {"question": "1+2"}, "id": "ask"}],
                    usage_metadata=usage(5, 1),  # type: ignore[arg-type]
                ),
                AIMessage(content="Math says 3"),
            ]
        )
    )


def test_agent_used_as_a_tool_runs_in_the_tool_node_scope() -> None:
    outer = asking_math()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = create_react_agent(outer, [ask_math])
    events = list(
        nbagent.iter_events(
            graph.stream(INPUT, stream_mode=["messages", "updates"], subgraphs=True)
        )
    )
    scopes = [e for e in events if isinstance(e, StepStart) and e.step_type == "subagent"]
    assert [s.name for s in scopes] == ["tools"]
    inside = [e for e in events if e.parent == scopes[0].step_id]
    assert [e.name for e in inside if isinstance(e, StepStart)] == ["agent", "agent"]
    t = nbagent.Transcript.from_events(events)
    top = [c for c in t.tool_calls if c.name == "ask_math"]
    assert [(c.args, c.result) for c in top] == [({"question": "1+2"}, "The sum is 3")]
    assert t.text.endswith("Math says 3")


def test_tool_error_is_an_error_result() -> None:
    @tool
    def divide(a: int, b: int) -> float:
        """Divide."""
        return a / b

    model = ToolFake(
        messages=iter(
            [
                AIMessage(
                    content="",
                    tool_calls=[{"name": "divide", "args": {"a": 1, "b": 0}, "id": "d"}],
                ),
                AIMessage(content="Cannot divide by zero."),
            ]
        )
    )
    builder = StateGraph(MessagesState)
    builder.add_node("model", lambda s: {"messages": [model.invoke(s["messages"])]})
    builder.add_node("tools", ToolNode([divide], handle_tool_errors=True))
    builder.add_edge(START, "model")
    builder.add_conditional_edges(
        "model", lambda s: "tools" if s["messages"][-1].tool_calls else END
    )
    builder.add_edge("tools", "model")
    graph = builder.compile()
    items = list(graph.stream(INPUT, stream_mode="messages"))
    t = nbagent.Transcript.from_events(nbagent.iter_events(iter(items)))
    (call,) = t.tool_calls
    tool_message = next(m for m, _ in items if m.type == "tool")
    assert tool_message.status == "error"
    assert (call.name, call.is_error, call.result) == ("divide", True, tool_message.content)
    assert t.text == "Cannot divide by zero."


def asking() -> Any:
    """A graph whose one node interrupts to ask "approve the plan?" (a checkpointer keeps it)."""
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.types import interrupt

    def ask(state: Any) -> dict[str, Any]:
        answer = interrupt("approve the plan?")
        return {"messages": [AIMessage(content=f"approved: {answer}")]}

    builder = StateGraph(MessagesState)
    builder.add_node("ask", ask)
    builder.add_edge(START, "ask")
    return builder.compile(checkpointer=InMemorySaver())


def test_interrupt_ends_the_run_interrupted() -> None:
    graph = asking()
    config: Any = {"configurable": {"thread_id": "t1"}}
    for kwargs in ({"stream_mode": "updates"}, {"stream_mode": ["values"], "version": "v2"}):
        config["configurable"]["thread_id"] = str(kwargs)
        events = list(nbagent.iter_events(graph.stream(INPUT, config, **kwargs)))
        (end,) = [e for e in events if isinstance(e, RunEnd)]
        assert end.reason == "interrupted"
        assert [e.text for e in events if isinstance(e, Status)] == ["approve the plan?"]


def test_values_mode_keeps_earlier_turns_out() -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = create_react_agent(
            ToolFake(messages=iter(["First answer", "Second answer"])),
            [add],
            checkpointer=InMemorySaver(),
        )
    config: Any = {"configurable": {"thread_id": "chat"}}
    graph.invoke({"messages": [("user", "one")]}, config)
    items = list(graph.stream({"messages": [("user", "two")]}, config, stream_mode="values"))
    t = nbagent.Transcript.from_events(nbagent.iter_events(iter(items)))
    assert t.text == "Second answer"


# -- a real kernel -----------------------------------------------------------------------------

KERNEL_SETUP = """
import sys, os; sys.path.insert(0, os.getcwd())
import asyncio, time, warnings, nbagent
from tests.frameworks.test_langchain import ToolFake, add, script
from langgraph.prebuilt import create_react_agent
from langgraph.graph import StateGraph, MessagesState, START, END
from langgraph.config import get_stream_writer
warnings.simplefilter("ignore")
agent = create_react_agent(ToolFake(messages=script()), [add])
started, stopped = [], []

async def slow(state):
    write = get_stream_writer()
    try:
        started.append(True)
        for i in range(30_000):  # ten minutes of ticks: only the Stop ends it
            write(f"tick {i}")
            await asyncio.sleep(0.02)
    finally:
        stopped.append(True)
    return {}

builder = StateGraph(MessagesState)
builder.add_node("slow", slow)
builder.add_edge(START, "slow")
slow_graph = builder.compile()

async def until(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)
"""


@pytest.mark.kernel
def test_kernel_shows_a_graph_stream_and_stop_closes_it(kernel: Any) -> None:
    from tests.kernel import widget_traffic

    since = len(kernel.messages())
    kernel.execute(
        "run = nbagent.show(agent.stream({'messages': [('user', 'add')]}, "
        "stream_mode=['messages', 'updates']))\nt = await run"
    )
    (widget,) = widget_traffic(kernel.messages(), since)["widgets"]
    state = widget["final"]["state"]
    assert "".join(b["text"] for b in state["blocks"] if b["type"] == "text") == (
        "Let me add.The sum is 3"
    )
    tools = [b for b in state["blocks"] if b["type"] == "tool"]
    assert [(b["name"], b["args"], b["result"]) for b in tools] == [("add", {"a": 1, "b": 2}, "3")]
    assert (state["status"], state["usage"]["output_tokens"]) == ("completed", 11)

    since = len(kernel.messages())
    kernel.execute(
        "run = nbagent.show(slow_graph.astream({'messages': []}, stream_mode='custom'))\n"
        # Stopped once the node runs: a generator stopped before it started has no cleanup.
        "await until(lambda: started)\nassert stopped == []\nrun.cancel()\nawait run\n"
        "await until(lambda: stopped == [True])"
    )
    (widget,) = widget_traffic(kernel.messages(), since)["widgets"]
    assert widget["final"]["state"]["status"] == "cancelled"
    assert kernel.value("stopped") == [True]
