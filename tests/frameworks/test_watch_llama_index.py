"""``nbagent.watch()`` over LlamaIndex's instrumentation dispatcher, against llama-index-core's
own test models (``MockLLM``, ``MockFunctionCallingLLM`` scripted by ``response_generator``;
a ``CustomLLM`` where a response must carry usage, which the mocks never do).

The hook puts an event handler and a span handler on the root dispatcher for the block and
takes them off again; the run shows each model call as a step (tokens where the LLM streams
under the hood, whole messages where it does not), the tools with their arguments and
results, and an agent run inside a tool nested under that call.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

import pytest

from tests.frameworks.conftest import need

need("llama_index.core")

from llama_index.core.agent.workflow import AgentWorkflow, FunctionAgent, ReActAgent  # noqa: E402
from llama_index.core.base.llms.types import (  # noqa: E402
    ChatMessage,
    CompletionResponse,
    LLMMetadata,
)
from llama_index.core.instrumentation import get_dispatcher  # noqa: E402
from llama_index.core.llms import CustomLLM, MockLLM  # noqa: E402
from llama_index.core.llms.callbacks import (  # noqa: E402
    llm_completion_callback,
)
from llama_index.core.tools import FunctionTool  # noqa: E402

import nbagent  # noqa: E402
from nbagent.core.events import Status, StepStart  # noqa: E402
from tests import aio  # noqa: E402
from tests.frameworks.test_llama_index import (  # noqa: E402
    ThinkingMock,
    add,
    call,
    llm,
    streamed,
    tool_results,
)
from tests.wait import PATIENCE  # noqa: E402


def calculator(messages: Sequence[ChatMessage], **_: Any) -> Any:
    if not tool_results(messages):
        return call("call_1", "add", a=2, b=3)
    return streamed("The ", "sum ", "is 5.")


def handlers() -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """The root dispatcher's handler lists, and copies of what they hold now."""
    d = get_dispatcher()
    return d.event_handlers, list(d.event_handlers), d.span_handlers, list(d.span_handlers)


def assert_removed(before: tuple[list[Any], list[Any], list[Any], list[Any]]) -> None:
    events, listed_events, spans, listed_spans = before
    d = get_dispatcher()
    assert d.event_handlers is events  # the same lists, changed in place
    assert d.span_handlers is spans
    assert [id(h) for h in events] == [id(h) for h in listed_events]
    assert [id(h) for h in spans] == [id(h) for h in listed_spans]


def deltas(run: nbagent.Run) -> list[str]:
    return [e.delta for e in run.events if e.kind == "text_delta"]  # type: ignore[attr-defined]


class CountingLLM(CustomLLM):
    """A ``CustomLLM`` whose responses carry the provider's usage in ``raw`` (the mocks
    never do)."""

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="counting-1")

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        usage = {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
        return CompletionResponse(text=f"echo: {prompt}", raw={"usage": usage})

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
        raise NotImplementedError


# -- 1. sync calls: whole messages -----------------------------------------------------------


def test_chat_and_complete_show_whole_messages_as_steps() -> None:
    model = MockLLM()
    before = handlers()
    with nbagent.watch() as run:
        chat = model.chat([ChatMessage(role="user", content="hi")])
        done = model.complete("hello there")
    assert_removed(before)
    t = run.transcript
    assert t.status == "completed"
    assert t.to_dict()["whole"] is True
    texts = [b["text"] for b in t.blocks if b["type"] == "text"]
    assert texts == [chat.message.content, done.text]
    # one step each: the chat's inner ``complete`` (a CustomLLM) is the same model call
    assert [(s["name"], s["finish_reason"]) for s in t.steps] == [("MockLLM", "stop")] * 2
    assert all(s["started_at"] <= s["ended_at"] for s in t.steps)


def test_usage_the_response_reports_is_the_steps_usage() -> None:
    model = CountingLLM()
    with nbagent.watch() as run:
        done = model.complete("four")
    t = run.transcript
    assert t.text == done.text
    (step,) = t.steps
    assert step["name"] == "counting-1"
    usage = done.raw["usage"]  # type: ignore[index]
    assert step["usage"]["input_tokens"] == usage["prompt_tokens"]
    assert step["usage"]["output_tokens"] == usage["completion_tokens"]


def test_predict_and_call_runs_the_tool_the_model_asked_for() -> None:
    model = llm(lambda m, **_: call("p1", "add", a=1, b=2))
    with nbagent.watch() as run:
        answer = model.predict_and_call([FunctionTool.from_defaults(add)], user_msg="1 + 2")
    (tool,) = run.transcript.tool_calls
    (output,) = answer.sources
    assert (tool.id, tool.name) == ("p1", output.tool_name)
    assert tool.args == output.raw_input["kwargs"]
    assert tool.result == output.content == answer.response
    assert run.transcript.status == "completed"


# -- 2. async: an agent workflow streams under the hood ----------------------------------------


def test_a_function_agent_streams_its_answer_and_shows_its_tool() -> None:
    async def main() -> tuple[nbagent.Run, Any]:
        agent = FunctionAgent(tools=[add], llm=llm(calculator), name="calc")
        async with nbagent.watch(title="calc") as run:
            result = await agent.run(user_msg="add 2 and 3")
        return run, result

    before = handlers()
    run, result = aio.run(main())
    assert_removed(before)
    t = run.transcript
    assert t.status == "completed"
    assert t.text == str(result) == "The sum is 5."
    (tool,) = t.tool_calls
    (done,) = result.tool_calls  # the agent's own ToolCallResult
    assert (tool.id, tool.name, tool.args) == (done.tool_id, done.tool_name, done.tool_kwargs)
    assert tool.result == done.tool_output.content == "5"
    assert not tool.is_error
    assert deltas(run) == ["The ", "sum ", "is 5."]  # tokens, as the LLM streamed them
    assert "whole" not in t.to_dict()
    assert [s["finish_reason"] for s in t.steps] == ["tool_calls", "stop"]
    starts = [e for e in run.events if isinstance(e, StepStart)]
    assert [s.meta for s in starts] == [{"agent": "calc"}] * 2


def test_a_failing_tool_is_an_error_result_and_the_agent_goes_on() -> None:
    def boom(x: int) -> int:
        """Fails."""
        raise ValueError(f"no luck with {x}")

    def script(messages: Sequence[ChatMessage], **_: Any) -> Any:
        results = tool_results(messages)
        if not results:
            return call("b1", "boom", x=7)
        return ChatMessage(role="assistant", content=f"It failed: {results[-1]}")

    async def main() -> tuple[nbagent.Run, Any]:
        agent = FunctionAgent(tools=[boom], llm=llm(script), name="fragile")
        async with nbagent.watch() as run:
            result = await agent.run(user_msg="try")
        return run, result

    run, result = aio.run(main())
    (tool,) = run.transcript.tool_calls
    (done,) = result.tool_calls
    assert tool.is_error
    assert done.tool_output.is_error
    assert tool.result == done.tool_output.content == "no luck with 7"
    assert run.transcript.text == str(result)
    assert run.transcript.status == "completed"


def test_an_agent_inside_a_tool_is_nested_under_that_call() -> None:
    inner = FunctionAgent(
        llm=llm(lambda m, **_: ChatMessage(role="assistant", content="inner says hi")),
        name="inner",
    )

    async def ask(question: str) -> str:
        """Ask the inner agent."""
        return str(await inner.run(user_msg=question))

    def script(messages: Sequence[ChatMessage], **_: Any) -> Any:
        if not tool_results(messages):
            return call("c1", "ask", question="hello?")
        return ChatMessage(role="assistant", content="outer done")

    async def main() -> tuple[nbagent.Run, Any]:
        outer = FunctionAgent(tools=[ask], llm=llm(script), name="outer")
        async with nbagent.watch() as run:
            result = await outer.run(user_msg="go")
        return run, result

    run, result = aio.run(main())
    t = run.transcript
    assert t.text == str(result) == "outer done"
    (tool,) = [c for c in t.tool_calls if c.parent is None]
    assert (tool.id, tool.result) == ("c1", "inner says hi")
    inside = t.children("c1")
    assert [b["text"] for b in inside if b["type"] == "text"] == ["inner says hi"]
    nested = [s for s in run.events if isinstance(s, StepStart) and s.parent == "c1"]
    assert [s.meta for s in nested] == [{"agent": "inner"}]


def test_an_agent_workflow_hands_off_and_names_each_agent() -> None:
    def router(messages: Sequence[ChatMessage], **_: Any) -> Any:
        return call("h1", "handoff", to_agent="worker", reason="math")

    def worker(messages: Sequence[ChatMessage], **_: Any) -> Any:
        if len(tool_results(messages)) < 2:
            return call("a1", "add", a=40, b=2)
        return streamed("It is ", "42.")

    async def main() -> tuple[nbagent.Run, Any]:
        first = FunctionAgent(
            name="router", description="routes", llm=llm(router), can_handoff_to=["worker"]
        )
        second = FunctionAgent(name="worker", description="adds", llm=llm(worker), tools=[add])
        workflow = AgentWorkflow(agents=[first, second], root_agent="router")
        async with nbagent.watch() as run:
            result = await workflow.run(user_msg="what is 40 + 2?")
        return run, result

    run, result = aio.run(main())
    t = run.transcript
    assert t.text == str(result) == "It is 42."
    assert [c.tool_id for c in result.tool_calls] == [c.id for c in t.tool_calls]
    starts = [e for e in run.events if isinstance(e, StepStart)]
    assert [s.meta for s in starts] == [{"agent": a} for a in ("router", "worker", "worker")]
    handoffs = [e for e in run.events if isinstance(e, Status) and e.state == "handoff"]
    assert [h.detail for h in handoffs] == [{"agent": "worker", "from": "router"}]


def test_streamed_thinking_and_usage_in_raw() -> None:
    async def main() -> tuple[nbagent.Run, Any]:
        agent = FunctionAgent(tools=[add], llm=ThinkingMock(), name="greeter")
        async with nbagent.watch() as run:
            result = await agent.run(user_msg="hi")
        return run, result

    run, result = aio.run(main())
    t = run.transcript
    assert t.text == str(result) == "Hello there"
    assert t.thinking == "The user wants a greeting."
    assert (t.usage.input_tokens, t.usage.output_tokens) == (11, 7)
    (step,) = t.steps
    assert step["usage"]["input_tokens"] == 11
    usage = [e for e in run.events if e.kind == "usage"]
    assert [u.model for u in usage] == ["mock-1"]  # type: ignore[attr-defined]


def test_a_react_agents_reasoning_is_thinking_and_its_answer_the_text() -> None:
    def script(messages: Sequence[ChatMessage], **_: Any) -> Any:
        if "Observation" not in (messages[-1].content or ""):
            return streamed(
                "Thought: I need to add.\n", 'Action: add\nAction Input: {"a": 1, "b": 2}'
            )
        return streamed("Thought: I can answer.\n", "Answer: 3")

    async def main() -> tuple[nbagent.Run, Any]:
        agent = ReActAgent(tools=[add], llm=llm(script), name="react")
        async with nbagent.watch() as run:
            result = await agent.run(user_msg="1 + 2?")
        return run, result

    run, result = aio.run(main())
    t = run.transcript
    assert t.text == str(result) == "3"
    assert "Thought: I need to add." in t.thinking
    (tool,) = t.tool_calls
    (done,) = result.tool_calls
    assert (tool.name, tool.args, tool.result) == (done.tool_name, done.tool_kwargs, "3")
    assert t.status == "completed"


def test_a_return_direct_tools_output_is_the_answer() -> None:
    def lookup(key: str) -> str:
        """Look a constant up."""
        return {"pi": "3.14159"}[key]

    async def main() -> tuple[nbagent.Run, Any]:
        tool = FunctionTool.from_defaults(fn=lookup, return_direct=True)
        agent = FunctionAgent(tools=[tool], llm=llm(lambda m, **_: call("d1", "lookup", key="pi")))
        async with nbagent.watch() as run:
            result = await agent.run(user_msg="pi?")
        return run, result

    run, result = aio.run(main())
    assert run.transcript.text == str(result) == "3.14159"


def test_watching_an_llm_that_streams_ends_its_run_with_the_stream() -> None:
    model = MockLLM()
    watch = nbagent.watch(model)
    pieces = [r.delta for r in model.stream_complete("abc")]
    (run,) = watch.runs
    run.wait(timeout=PATIENCE)
    watch.stop()
    assert run.transcript.status == "completed"
    assert run.transcript.text == "".join(p or "" for p in pieces) == "abc"
    assert deltas(run) == ["a", "b", "c"]


# -- 3. hooks removed, also when the block raises; nothing after the block ----------------------


def test_the_handlers_go_when_the_block_raises_and_later_calls_are_not_shown() -> None:
    model = MockLLM()
    before = handlers()
    failure = RuntimeError("user code")

    def block() -> nbagent.Run:
        with nbagent.watch() as run:
            model.complete("one")
            runs.append(run)
            raise failure

    runs: list[nbagent.Run] = []
    with pytest.raises(RuntimeError) as caught:
        block()
    assert caught.value is failure
    (run,) = runs
    assert_removed(before)
    assert run.transcript.status == "error"
    steps, events = len(run.transcript.steps), len(run.events)
    model.complete("two")
    assert (len(run.transcript.steps), len(run.events)) == (steps, events)


# -- 4. a raising model call --------------------------------------------------------------------


def test_a_model_error_propagates_unchanged_and_the_run_fails() -> None:
    failure = KeyError("model down")

    def script(messages: Sequence[ChatMessage], **_: Any) -> Any:
        raise failure

    watch = nbagent.watch()

    async def main() -> None:
        agent = FunctionAgent(llm=llm(script), name="broken")
        async with watch:
            await agent.run(user_msg="go")

    before = handlers()
    with pytest.raises(KeyError) as caught:
        aio.run(main())
    assert caught.value is failure
    assert_removed(before)
    assert watch.run is not None
    t = watch.run.transcript
    assert t.status == "error"
    assert "model down" in t.error["message"]
    assert [s["finish_reason"] for s in t.steps] == ["error"]
    # the model call's failure is the run's: said once, not again for each span it ended
    assert [w["message"] for w in t.to_dict()["warnings"]] == [t.error["message"]]


# -- 5. watch(obj): each call of the object is a run ------------------------------------------


def test_watching_an_agent_makes_a_run_of_each_call() -> None:
    def script(messages: Sequence[ChatMessage], **_: Any) -> Any:
        question = messages[-1].content or ""
        if question == "fail":
            raise ValueError("refused")
        return ChatMessage(role="assistant", content=f"answer to {question}")

    agent = FunctionAgent(llm=llm(script), name="echo")
    other = FunctionAgent(llm=llm(script), name="other")
    before = handlers()

    async def main() -> tuple[nbagent.Watch, list[Any]]:
        with nbagent.watch(agent) as watch:
            results = [await agent.run(user_msg="one"), await agent.run(user_msg="two")]
            await other.run(user_msg="not watched")
            with pytest.raises(ValueError, match="refused"):
                await agent.run(user_msg="fail")
        return watch, results

    watch, results = aio.run(main())
    assert_removed(before)
    first, second, failed = watch.runs
    for run in watch.runs:
        run.wait(timeout=PATIENCE)
    assert (first.transcript.status, second.transcript.status) == ("completed", "completed")
    assert [first.transcript.text, second.transcript.text] == [str(r) for r in results]
    assert failed.transcript.status == "error"
    assert "refused" in failed.transcript.error["message"]


def test_watching_an_llm_makes_a_run_of_each_model_call() -> None:
    model = MockLLM()
    before = handlers()
    watch = nbagent.watch(model)
    answers = [model.complete("first"), model.complete("second")]
    MockLLM().complete("another model")
    watch.stop()
    assert_removed(before)
    for run in watch.runs:
        run.wait(timeout=PATIENCE)
    assert [r.transcript.text for r in watch.runs] == [a.text for a in answers]
    assert all(r.transcript.status == "completed" for r in watch.runs)


def test_watch_refuses_what_it_cannot_watch() -> None:
    with pytest.raises(TypeError, match="LlamaIndex agent or workflow"):
        nbagent.watch(object())


# -- 6. the framework's own threads -----------------------------------------------------------


def test_a_sync_tool_on_the_executor_thread_reports_its_model_call() -> None:
    helper = MockLLM()
    threads: list[str] = []

    def shout(word: str) -> str:
        """Shout a word (asks a model, on LlamaIndex's executor thread)."""
        threads.append(threading.current_thread().name)
        return helper.complete(word.upper()).text

    def script(messages: Sequence[ChatMessage], **_: Any) -> Any:
        if not tool_results(messages):
            return call("s1", "shout", word="hey")
        return ChatMessage(role="assistant", content=f"done: {tool_results(messages)[-1]}")

    async def main() -> tuple[nbagent.Run, Any, str]:
        agent = FunctionAgent(tools=[shout], llm=llm(script), name="loud")
        async with nbagent.watch() as run:
            result = await agent.run(user_msg="shout")
        return run, result, threading.current_thread().name

    run, result, loop_thread = aio.run(main())
    assert threads
    assert threads[0] != loop_thread
    t = run.transcript
    assert t.text == str(result) == "done: HEY"
    inside = t.children("s1")
    assert [b["text"] for b in inside if b["type"] == "text"] == ["HEY"]


# -- Stop ---------------------------------------------------------------------------------------


def test_stop_cancels_the_awaited_agent_run() -> None:
    async def slow(x: int) -> int:
        """Wait a long time."""
        await asyncio.sleep(30)
        return x

    async def main() -> tuple[nbagent.Run, bool]:
        agent = FunctionAgent(tools=[slow], llm=llm(lambda m, **_: call("w1", "slow", x=1)))
        after = False
        async with nbagent.watch() as run:
            task = asyncio.ensure_future(agent.run(user_msg="wait"))
            while not run.transcript.tool_calls:
                await asyncio.sleep(0.01)
            run.cancel()
            await task
        after = True  # the block swallowed the Stop's CancelledError
        return run, after

    run, after = aio.run(main())
    assert after
    assert run.transcript.status == "cancelled"
