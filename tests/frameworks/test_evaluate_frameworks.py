"""``nbagent.evaluate()`` with a framework's agent or graph as its task (each framework's
``task_run``, ``nbagent/frameworks/``): every case is the framework's own run on the case's
input, read as ``show()`` reads it, on the framework's test model: the Agents SDK's
``ScriptedModel``, LangChain's ``GenericFakeChatModel`` in a LangGraph graph, LlamaIndex's
``MockFunctionCallingLLM``. (pydantic-ai's: ``tests/test_evaluate.py``.)"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tests.frameworks.conftest import need

need("agents")
need("langgraph")
need("llama_index.core")

from agents import Agent, set_tracing_disabled  # noqa: E402
from agents.testing import ScriptedModel, assistant_message  # noqa: E402
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel  # noqa: E402
from langchain_core.messages import AIMessage  # noqa: E402
from langgraph.graph import END, START, MessagesState, StateGraph  # noqa: E402
from llama_index.core.agent.workflow import FunctionAgent  # noqa: E402
from llama_index.core.base.llms.types import ChatMessage  # noqa: E402
from llama_index.core.llms import MockFunctionCallingLLM  # noqa: E402

import nbagent  # noqa: E402
from tests.frameworks.test_llama_index import streamed  # noqa: E402
from tests.wait import PATIENCE  # noqa: E402

set_tracing_disabled(True)  # no trace export (it would want an API key)

QUESTION = "what is six times seven?"


def evaluated(task: Any, cases: list[Any]) -> list[tuple[str, str]]:
    """Each case's status and output, the cases one after the other."""
    ev = nbagent.evaluate(task, cases, concurrency=1, progress=False).wait(PATIENCE * 3)
    df = ev.to_pandas()
    return list(zip(df["status"], df["output"], strict=True))


def test_an_agents_sdk_agent_runs_each_case() -> None:
    """A str is the prompt; a list, the SDK's input items."""
    cases = [QUESTION, [{"role": "user", "content": QUESTION}]]
    answers = [{"output": [assistant_message("forty-two")]} for _ in cases]
    agent = Agent(name="Answerer", model=ScriptedModel(answers))
    assert evaluated(agent, cases) == [("completed", "forty-two")] * len(cases)


def test_a_langgraph_graph_runs_each_case() -> None:
    """A str is the user's message; a mapping, the graph's state."""
    cases = [QUESTION, {"messages": [("user", QUESTION)]}]
    model = GenericFakeChatModel(messages=iter([AIMessage("forty two") for _ in cases]))

    def answer(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("answer", answer)
    graph.add_edge(START, "answer")
    graph.add_edge("answer", END)
    assert evaluated(graph.compile(), cases) == [("completed", "forty two")] * len(cases)


def test_a_llama_index_agent_runs_each_case() -> None:
    """A str is the ``user_msg``; a mapping, the keyword arguments of ``run``."""
    cases = [QUESTION, {"user_msg": QUESTION}]

    def answer(messages: Sequence[ChatMessage], **_: Any) -> Any:
        return streamed("forty", "-two")

    agent = FunctionAgent(tools=[], llm=MockFunctionCallingLLM(response_generator=answer))
    assert evaluated(agent, cases) == [("completed", "forty-two")] * len(cases)
