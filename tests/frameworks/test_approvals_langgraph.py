"""LangGraph interrupts that ask about a tool call (langgraph-prebuilt's ``HumanInterrupt``,
langchain's ``HumanInTheLoopMiddleware`` request) pause that call in the transcript, with no
actions (``graph.stream()`` gives nbagent neither the graph nor its config) and the hint of
what to stream to resume it: the hint is run here against the real graph."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.frameworks.conftest import need

need("langgraph")

from langgraph.checkpoint.memory import InMemorySaver  # noqa: E402
from langgraph.graph import START, MessagesState, StateGraph  # noqa: E402
from langgraph.prebuilt import ToolNode  # noqa: E402
from langgraph.types import interrupt  # noqa: E402

import nbagent  # noqa: E402
from nbagent.core.events import Event, RunEnd, Status  # noqa: E402
from tests.frameworks.test_langchain import ToolFake, add, script  # noqa: E402

INPUT = {"messages": [("user", "add 1 and 2")]}


def human_interrupt(call: dict[str, Any]) -> bool:
    """langgraph-prebuilt's ``HumanInterrupt`` shape; True: accepted."""
    request = {
        "action_request": {"action": call["name"], "args": call["args"]},
        "config": {
            "allow_accept": True,
            "allow_edit": True,
            "allow_respond": True,
            "allow_ignore": False,
        },
        "description": "Add these?",
    }
    (response,) = interrupt([request])
    return bool(response["type"] == "accept")


def hitl_request(call: dict[str, Any]) -> bool:
    """langchain's ``HumanInTheLoopMiddleware`` shape; True: approved."""
    request = {
        "action_requests": [{"name": call["name"], "args": call["args"], "description": "Add?"}],
        "review_configs": [
            {"action_name": call["name"], "allowed_decisions": ["approve", "reject"]}
        ],
    }
    (decision,) = interrupt(request)["decisions"]
    return bool(decision["type"] == "approve")


def graph_asking(ask: Callable[[dict[str, Any]], bool]) -> Any:
    """model → review (interrupts about the model's tool call) → tools → model."""
    model = ToolFake(messages=script())

    def call_model(state: Any) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    def review(state: Any) -> Any:
        (call,) = state["messages"][-1].tool_calls
        return {} if ask(call) else {"messages": []}

    def after_model(state: Any) -> str:
        return "review" if state["messages"][-1].tool_calls else "__end__"

    builder = StateGraph(MessagesState)
    builder.add_node("model", call_model)
    builder.add_node("review", review)
    builder.add_node("tools", ToolNode([add]))
    builder.add_edge(START, "model")
    builder.add_conditional_edges("model", after_model)
    builder.add_edge("review", "tools")
    builder.add_edge("tools", "model")
    return builder.compile(checkpointer=InMemorySaver())


def paused(events: list[Event]) -> Status:
    (status,) = [e for e in events if isinstance(e, Status) and e.state == "awaiting_approval"]
    return status


@pytest.mark.parametrize(
    ("ask", "allowed", "kwargs"),
    [
        (human_interrupt, ["accept", "edit", "respond"], {"stream_mode": "updates"}),
        (hitl_request, ["approve", "reject"], {"stream_mode": ["messages", "updates"]}),
        (hitl_request, ["approve", "reject"], {"stream_mode": ["values"], "version": "v2"}),
    ],
)
def test_the_interrupt_pauses_its_call_and_the_hint_resumes_the_graph(
    ask: Callable[[dict[str, Any]], bool], allowed: list[str], kwargs: dict[str, Any]
) -> None:
    graph = graph_asking(ask)
    config = {"configurable": {"thread_id": f"{ask.__name__}-{kwargs}"}}
    events = list(nbagent.iter_events(graph.stream(INPUT, config, **kwargs)))
    status = paused(events)
    assert status.tool_call_id == "call_add"
    detail = status.detail
    assert (detail["actions"], detail["origin"], detail["schema"]) == ([], "langgraph", None)
    assert (detail["args"], detail["allowed"]) == ({"a": 1, "b": 2}, allowed)
    assert detail["interrupt_id"] == graph.get_state(config).interrupts[0].id
    (end,) = [e for e in events if isinstance(e, RunEnd)]
    assert end.reason == "interrupted"
    t = nbagent.Transcript.from_events(events)
    (call,) = t.tool_calls
    assert call.result is None  # the call did not run

    scope: dict[str, Any] = {"graph": graph, "config": config}
    exec(detail["hint"].replace("graph.stream(", "resumed = graph.stream(", 1), scope)
    list(scope["resumed"])
    final = graph.get_state(config).values["messages"]
    assert [m.content for m in final if m.type == "tool"] == ["3"]  # approved: it ran
    assert final[-1].content == "The sum is 3"


def test_an_interrupt_about_a_call_the_stream_never_showed_stays_interrupted() -> None:
    def ask(state: Any) -> dict[str, Any]:
        interrupt({"action_requests": [{"name": "rm", "args": {}}], "review_configs": []})
        return {}

    builder = StateGraph(MessagesState)
    builder.add_node("ask", ask)
    builder.add_edge(START, "ask")
    graph = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "unseen"}}
    events = list(nbagent.iter_events(graph.stream(INPUT, config, stream_mode="updates")))
    states = [e.state for e in events if isinstance(e, Status)]
    assert states == ["interrupted"]
