"""``nbagent.watch()`` over LangChain / LangGraph: the callback hook (``langchain`` family)
against the real packages, with LangChain's own fake chat models: ``model.invoke``,
``graph.invoke`` / ``ainvoke`` of a prebuilt react agent, models streaming under the hood,
subgraphs and agents used as tools, failures, ``watch(model)`` / ``watch(graph)``, threads;
one real-kernel test."""

from __future__ import annotations

import contextvars
import threading
import warnings
from typing import Any

import pytest

from tests.frameworks.conftest import need

langchain_core = need("langchain_core")
need("langgraph")

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel  # noqa: E402
from langchain_core.messages import AIMessage  # noqa: E402
from langchain_core.runnables import RunnableLambda, RunnableParallel  # noqa: E402
from langchain_core.tools import tool  # noqa: E402
from langchain_core.tracers import context as lc_context  # noqa: E402
from langgraph.graph import END, START, MessagesState, StateGraph  # noqa: E402
from langgraph.prebuilt import ToolNode, create_react_agent  # noqa: E402

import nbagent  # noqa: E402
from nbagent.core.events import StepStart, TextDelta  # noqa: E402
from tests import aio  # noqa: E402
from tests.frameworks.test_langchain import ToolFake, add, script, tools_of  # noqa: E402
from tests.frameworks.test_langgraph import ask_math, asking_math, nested  # noqa: E402
from tests.wait import PATIENCE  # noqa: E402

INPUT = {"messages": [("user", "add 1 and 2")]}


class StreamingFake(ToolFake):
    """A model configured to stream, as ``ChatOpenAI(streaming=True)``: ``invoke`` streams
    under the hood (``BaseChatModel._should_stream``) and the callbacks see the tokens."""

    streaming: bool = False


class Broken(GenericFakeChatModel):
    """A chat model whose call fails, as a provider's error would."""

    error: Any = None

    def _generate(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error


def agent(model: Any = None, tools: Any = (add,)) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # moved to langchain.agents in LangGraph 1.0
        tools = tools if isinstance(tools, ToolNode) else list(tools)
        return create_react_agent(model or ToolFake(messages=script()), tools)


def hooks() -> list[Any]:
    return list(lc_context._configure_hooks)


def check(run: Any, messages: list[Any], *, whole: bool) -> None:
    """The run shows what the graph's own result holds."""
    t = run.transcript
    ai = [m for m in messages if m.type == "ai"]
    assert t.text == "\n\n".join(m.content for m in ai if m.content)
    assert t.text.endswith(messages[-1].content)
    assert t.thinking == "".join(m.additional_kwargs.get("reasoning_content", "") for m in ai)
    results = {
        m.tool_call_id: (m.content, m.status == "error") for m in messages if m.type == "tool"
    }
    calls = [(c["name"], c["args"], *results[c["id"]]) for m in ai for c in m.tool_calls]
    assert tools_of(t) == calls
    assert [c.id for c in t.tool_calls] == [c["id"] for m in ai for c in m.tool_calls]
    state = t.to_dict()
    for key in ("input_tokens", "output_tokens"):
        assert (state["usage"][key] or 0) == sum(
            m.usage_metadata[key] for m in ai if m.usage_metadata
        )
    reasoning = sum(
        m.usage_metadata.get("output_token_details", {}).get("reasoning", 0)
        for m in ai
        if m.usage_metadata
    )
    assert (state["usage"]["reasoning_tokens"] or 0) == reasoning
    steps = state["steps"]
    assert len(steps) == len(ai)
    assert all(s["started_at"] <= s["ended_at"] for s in steps)
    assert [s["finish_reason"] for s in steps] == [
        m.response_metadata.get("finish_reason") for m in ai
    ]
    assert state["status"] == "completed"
    assert state.get("whole", False) is whole


# -- a block ----------------------------------------------------------------------------------


def test_react_agent_invoke_shows_whole_messages_tools_and_usage() -> None:
    graph = agent()
    before = hooks()
    with nbagent.watch() as run:
        result = graph.invoke(INPUT)
    assert hooks() == before  # our configure hook is out again
    check(run, result["messages"], whole=True)
    assert [s.name for s in run.events if isinstance(s, StepStart)] == ["ToolFake", "ToolFake"]
    assert all("parent" not in b for b in run.transcript.blocks)
    # after the block: nothing more in the finished run, no new run
    count = len(run.events)
    agent().invoke(INPUT)
    assert len(run.events) == count


def test_model_invoke_is_one_whole_step() -> None:
    model = ToolFake(messages=script())
    with nbagent.watch() as run:
        message = model.invoke("add 1 and 2")
    t = run.transcript
    assert t.text == message.content
    assert [(c.name, c.args, c.id) for c in t.tool_calls] == [
        (c["name"], c["args"], c["id"]) for c in message.tool_calls
    ]
    state = t.to_dict()
    assert (state["whole"], state["status"], len(state["steps"])) == (True, "completed", 1)
    assert state["usage"]["output_tokens"] == message.usage_metadata["output_tokens"]


def test_a_model_streaming_under_the_hood_streams_tokens() -> None:
    graph = agent(StreamingFake(messages=script(), streaming=True))
    with nbagent.watch() as run:
        result = graph.invoke(INPUT)
    check(run, result["messages"], whole=False)
    deltas = [e for e in run.events if isinstance(e, TextDelta)]
    assert len(deltas) > 4  # word by word, as GenericFakeChatModel streams


def test_a_node_calling_model_stream_inside_invoke_streams_tokens() -> None:
    model = GenericFakeChatModel(messages=iter(["one two three four"]))

    def node(state: Any) -> dict[str, Any]:
        text = "".join(str(chunk.content) for chunk in model.stream(state["messages"]))
        return {"messages": [AIMessage(content=text)]}

    builder = StateGraph(MessagesState)
    builder.add_node("talk", node)
    builder.add_edge(START, "talk")
    graph = builder.compile()
    with nbagent.watch() as run:
        result = graph.invoke(INPUT)
    assert run.transcript.text == result["messages"][-1].content == "one two three four"
    assert len([e for e in run.events if isinstance(e, TextDelta)]) == 7
    assert "whole" not in run.transcript.to_dict()


def test_an_lcel_chain_and_its_batch() -> None:
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    model = ToolFake(messages=iter(["Oslo: rain", "Paris: sun", "Rome: hot"]))
    chain = ChatPromptTemplate.from_messages([("user", "weather in {city}?")]) | model
    chain = chain | StrOutputParser()
    with nbagent.watch() as run:
        one = chain.invoke({"city": "Oslo"})
        many = chain.batch([{"city": "Paris"}, {"city": "Rome"}])  # on a thread pool
    texts = [b["text"] for b in run.transcript.blocks if b["type"] == "text"]
    assert texts[0] == one
    assert sorted(texts[1:]) == sorted(many)
    assert len(run.transcript.to_dict()["steps"]) == 3


def test_an_llm_invoke() -> None:
    from langchain_core.language_models.fake import FakeListLLM

    llm = FakeListLLM(responses=["a completion"])
    with nbagent.watch() as run:
        text = llm.invoke("hi")
    assert run.transcript.text == text == "a completion"
    assert run.transcript.to_dict()["whole"] is True


def test_async_ainvoke_streaming_under_the_hood() -> None:
    graph = agent(StreamingFake(messages=script(), streaming=True))

    async def main() -> tuple[Any, Any]:
        async with nbagent.watch() as run:
            result = await graph.ainvoke(INPUT)
        return run, result

    run, result = aio.run(main())
    check(run, result["messages"], whole=False)
    assert len([e for e in run.events if isinstance(e, TextDelta)]) > 4


def test_async_ainvoke() -> None:
    graph = agent()
    before = hooks()

    async def main() -> tuple[Any, Any]:
        async with nbagent.watch() as run:
            result = await graph.ainvoke(INPUT)
        return run, result

    run, result = aio.run(main())
    assert hooks() == before
    check(run, result["messages"], whole=True)


def test_a_raising_tool_propagates_and_ends_the_run_error() -> None:
    boom = ValueError("the tool broke")

    @tool
    def explode(a: int) -> int:
        """Explode."""
        raise boom

    model = ToolFake(
        messages=iter(
            [AIMessage(content="", tool_calls=[{"name": "explode", "args": {"a": 1}, "id": "x"}])]
        )
    )
    builder = StateGraph(MessagesState)
    builder.add_node("model", lambda s: {"messages": [model.invoke(s["messages"])]})
    builder.add_node("tools", ToolNode([explode], handle_tool_errors=False))
    builder.add_edge(START, "model")
    builder.add_edge("model", "tools")
    builder.add_edge("tools", END)
    graph = builder.compile()
    before = hooks()
    with pytest.raises(ValueError, match="the tool broke") as caught, nbagent.watch() as run:
        graph.invoke(INPUT)
    assert caught.value is boom
    assert hooks() == before  # removed although the block raised
    assert run.status == "error"
    (call,) = run.transcript.tool_calls
    assert (call.name, call.is_error, call.result) == (
        "explode",
        True,
        "ValueError: the tool broke",
    )


def test_a_handled_tool_error_is_an_error_result() -> None:
    @tool
    def divide(a: int, b: int) -> float:
        """Divide."""
        return a / b

    model = ToolFake(
        messages=iter(
            [
                AIMessage(
                    content="", tool_calls=[{"name": "divide", "args": {"a": 1, "b": 0}, "id": "d"}]
                ),
                AIMessage(content="Cannot divide by zero."),
            ]
        )
    )
    graph = agent(model, ToolNode([divide], handle_tool_errors=True))
    with nbagent.watch() as run:
        result = graph.invoke(INPUT)
    check(run, result["messages"], whole=True)
    assert run.transcript.tool_calls[0].is_error


def test_a_failing_model_call_is_an_error() -> None:
    error = RuntimeError("rate limited")
    with pytest.raises(RuntimeError) as caught, nbagent.watch() as run:
        Broken(messages=iter([]), error=error).invoke("hi")
    assert caught.value is error
    assert run.status == "error"
    (step,) = run.transcript.to_dict()["steps"]
    assert step["finish_reason"] == "error"


# -- nesting ----------------------------------------------------------------------------------


def test_a_subgraph_is_a_subagent_scope() -> None:
    with nbagent.watch() as run:
        result = nested().invoke(INPUT)
    t = run.transcript
    top = [b for b in t.blocks if "parent" not in b]
    assert [b["type"] for b in top] == ["agent"]  # the planner node said its text itself
    (scope,) = top
    assert (scope["name"], scope["ended_at"] is not None) == ("math", True)
    inner = [m for m in result["messages"] if m.type == "ai" and m.content][1:]
    assert [b["text"] for b in t.children(scope["id"]) if b["type"] == "text"] == [
        m.content for m in inner
    ]
    assert [(c.name, c.result, c.parent) for c in t.tool_calls] == [
        ("progress_add", "3", scope["id"])
    ]
    assert t.to_dict()["usage"]["output_tokens"] == 11


def test_an_agent_used_as_a_tool_runs_in_its_call() -> None:
    outer = asking_math()
    with nbagent.watch() as run:
        result = agent(outer, [ask_math]).invoke(INPUT)
    t = run.transcript
    assert t.text == result["messages"][-1].content == "Math says 3"
    ask, inner = t.tool_calls
    assert (ask.name, ask.args, ask.result, ask.parent) == (
        "ask_math",
        {"question": "1+2"},
        "The sum is 3",
        None,
    )
    assert (inner.name, inner.result, inner.parent) == ("add", "3", "ask")
    texts = [b["text"] for b in t.children("ask") if b["type"] == "text"]
    assert texts == ["Let me add.", "The sum is 3"]
    assert t.to_dict()["usage"]["output_tokens"] == 1 + 11


# -- threads ----------------------------------------------------------------------------------


def test_calls_on_langchains_own_threads_arrive() -> None:
    # two sync tools at once: ToolNode runs them on its executor's threads
    two = AIMessage(
        content="",
        tool_calls=[
            {"name": "add", "args": {"a": 1, "b": 2}, "id": "c1"},
            {"name": "add", "args": {"a": 3, "b": 4}, "id": "c2"},
        ],
    )
    graph = agent(ToolFake(messages=iter([two, AIMessage(content="3 and 7")])))
    a = ToolFake(messages=iter(["left"]))
    b = ToolFake(messages=iter(["right"]))
    parallel = RunnableParallel(left=a, right=b)  # each branch on a thread of its own
    with nbagent.watch() as run:
        result = graph.invoke(INPUT)
        both = parallel.invoke("hi")
        batch = RunnableLambda(lambda x: x * 2).batch([1, 2, 3])
    check_tools = [(c.id, c.result) for c in run.transcript.tool_calls]
    assert check_tools == [("c1", "3"), ("c2", "7")]
    texts = [b["text"] for b in run.transcript.blocks if b["type"] == "text"]
    assert texts[0] == result["messages"][-1].content
    assert sorted(texts[1:]) == sorted([both["left"].content, both["right"].content])
    assert batch == [2, 4, 6]


def test_a_thread_the_user_starts_needs_the_context() -> None:
    model = ToolFake(messages=iter(["bare", "copied"]))
    with nbagent.watch() as run:
        bare = threading.Thread(target=model.invoke, args=("hi",))  # a fresh context
        bare.start()
        bare.join()
        ctx = contextvars.copy_context()
        copied = threading.Thread(target=ctx.run, args=(model.invoke, "hi"))
        copied.start()
        copied.join()
    assert run.transcript.text == "copied"


# -- watch(obj) -------------------------------------------------------------------------------


def test_watch_a_model_two_calls_two_runs() -> None:
    model = ToolFake(messages=iter(["first", "second"]))
    w = nbagent.watch(model)
    assert len(model.callbacks) == 1
    one = model.invoke("hi")
    two = model.invoke("hi")
    w.stop()
    assert model.callbacks is None  # as before
    done = [r.wait(PATIENCE) for r in w.runs]
    assert [t.text for t in done] == [one.content, two.content]
    assert [t.status for t in done] == ["completed", "completed"]
    model.messages = iter(["third"])
    model.invoke("hi")
    assert len(w.runs) == 2


def test_watch_a_model_keeps_the_users_callbacks() -> None:
    from langchain_core.callbacks import StdOutCallbackHandler

    mine = StdOutCallbackHandler()
    callbacks = [mine]
    model = ToolFake(messages=iter(["x"]), callbacks=callbacks)
    held = model.callbacks
    with nbagent.watch(model) as w:
        model.invoke("hi")
    assert model.callbacks == [mine]  # the very list the model holds, as it was
    assert model.callbacks is held
    assert w.runs[0].wait(PATIENCE).text == "x"


def test_watch_a_failing_model_call_ends_its_run_error() -> None:
    error = RuntimeError("overloaded")
    model = Broken(messages=iter([]), error=error)
    with nbagent.watch(model) as w, pytest.raises(RuntimeError) as caught:
        model.invoke("hi")
    assert caught.value is error
    (run,) = w.runs
    assert run.wait(PATIENCE).status == "error"


def test_watch_a_graph_two_calls_two_runs() -> None:
    graph = agent(ToolFake(messages=iter([*script(), *script()])))
    config = graph.config
    w = nbagent.watch(graph)
    first = graph.invoke(INPUT)
    second = graph.invoke(INPUT, {"callbacks": []})
    w.stop()
    assert graph.config is config  # the very same object again
    assert len(w.runs) == 2
    for run, result in zip(w.runs, (first, second), strict=True):
        run.wait(PATIENCE)
        check(run, result["messages"], whole=True)


def test_watch_a_graph_whose_call_fails() -> None:
    boom = KeyError("missing")

    def node(state: Any) -> dict[str, Any]:
        raise boom

    builder = StateGraph(MessagesState)
    builder.add_node("n", node)
    builder.add_edge(START, "n")
    graph = builder.compile()
    with nbagent.watch(graph) as w, pytest.raises(KeyError) as caught:
        graph.invoke(INPUT)
    assert caught.value is boom
    (run,) = w.runs
    assert run.wait(PATIENCE).status == "error"
    assert graph.config is None


def test_watch_a_binding() -> None:
    model = ToolFake(messages=iter(["bound"]))
    bound = model.bind(stop=["\n"])
    config = bound.config
    with nbagent.watch(bound) as w:
        bound.invoke("hi")
    assert bound.config is config
    assert [r.wait(PATIENCE).text for r in w.runs] == ["bound"]


def test_watch_refuses_other_runnables() -> None:
    with pytest.raises(TypeError, match="LangGraph graph"):
        nbagent.watch(RunnableLambda(lambda x: x))


# -- a real kernel ----------------------------------------------------------------------------


# The deprecation of create_react_agent (langgraph 1.0) silenced for this call only: the kernel
# is shared with the modules after this one.
KERNEL_SETUP = (
    "import sys, os, warnings; sys.path.insert(0, os.getcwd())\n"
    "import nbagent\n"
    "from tests.frameworks.test_langchain import ToolFake, add, script\n"
    "from langgraph.prebuilt import create_react_agent\n"
    "with warnings.catch_warnings():\n"
    "    warnings.simplefilter('ignore')\n"
    "    graph = create_react_agent(ToolFake(messages=script()), [add])\n"
)


@pytest.mark.kernel
def test_kernel_watch_block_shows_the_graph(kernel: Any) -> None:
    from tests.kernel import final_state

    since = len(kernel.messages())
    kernel.execute(
        "with nbagent.watch(title='math') as run:\n"
        "    result = graph.invoke({'messages': [('user', 'add 1 and 2')]})\n"
    )
    state = final_state(kernel, since)
    assert nbagent.Transcript.from_dict(state).text == "Let me add.\n\nThe sum is 3"
    tools = [b for b in state["blocks"] if b["type"] == "tool"]
    assert [(b["name"], b["args"], b["result"]) for b in tools] == [("add", {"a": 1, "b": 2}, "3")]
    assert (state["status"], state["whole"], state["usage"]["output_tokens"]) == (
        "completed",
        True,
        11,
    )
    assert kernel.value("run.transcript.text") == kernel.value(
        "'\\n\\n'.join(m.content for m in result['messages'] if m.type == 'ai')"
    )
