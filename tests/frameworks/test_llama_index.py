"""LlamaIndex agent workflows through nbagent, against llama-index-core's own mock LLMs.

The streams are made by the library: a ``FunctionAgent`` / ``ReActAgent`` / ``AgentWorkflow``
run by ``llama_index.core.llms.MockFunctionCallingLLM`` (its ``response_generator`` scripts
each LLM call). Only the thinking-and-usage test subclasses the mock, minimally: the shipped
one fills neither ``additional_kwargs["thinking_delta"]`` nor ``raw``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncGenerator, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.frameworks.conftest import need

llama_core = need("llama_index.core")

from llama_index.core.agent.workflow import (  # noqa: E402
    AgentInput,
    AgentWorkflow,
    FunctionAgent,
    ReActAgent,
)
from llama_index.core.base.llms.types import (  # noqa: E402
    ChatMessage,
    ChatResponse,
    TextBlock,
    ToolCallBlock,
)
from llama_index.core.llms import MockFunctionCallingLLM  # noqa: E402
from llama_index.core.llms.callbacks import llm_chat_callback  # noqa: E402
from llama_index.core.tools import FunctionTool  # noqa: E402

import nbagent  # noqa: E402
from nbagent.adapters import detect_format  # noqa: E402
from nbagent.adapters.base import BadItemError  # noqa: E402
from nbagent.adapters.llama_index import LlamaIndexAdapter  # noqa: E402
from nbagent.core.events import Event, RunEnd, StepStart  # noqa: E402
from nbagent.sources.results import resolve_source  # noqa: E402
from tests import aio  # noqa: E402
from tests.wait import PATIENCE, wait_for_async  # noqa: E402

Generator = Callable[..., Any]


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def boom(x: int) -> int:
    """A tool that fails."""
    raise ValueError(f"no luck with {x}")


def tool_results(messages: Sequence[ChatMessage]) -> list[str]:
    return [m.content or "" for m in messages if m.role == "tool"]


def streamed(*pieces: str) -> Any:
    """An LLM answer streamed in pieces, each chunk with the text so far (as real LLMs do)."""

    async def chunks() -> AsyncGenerator[ChatMessage, None]:
        text = ""
        for piece in pieces:
            text += piece
            yield ChatMessage(role="assistant", content=text)

    return chunks()


def call(call_id: str, name: str, text: str = "", **kwargs: Any) -> ChatMessage:
    blocks: list[Any] = [TextBlock(text=text)] if text else []
    blocks.append(ToolCallBlock(tool_call_id=call_id, tool_name=name, tool_kwargs=kwargs))
    return ChatMessage(role="assistant", blocks=blocks)


def calculator(messages: Sequence[ChatMessage], **_: Any) -> Any:
    if not tool_results(messages):
        return call("call_1", "add", "Let me add.", a=2, b=3)
    return streamed("The ", "sum ", "is 5.")


def llm(generator: Generator) -> MockFunctionCallingLLM:
    return MockFunctionCallingLLM(response_generator=generator)


async def show(handler: Any) -> tuple[nbagent.Run, Any]:
    """``nbagent.show(handler)`` awaited, then the workflow's own result (or exception)."""
    run = nbagent.show(handler)
    await run
    try:
        result = await handler
    except Exception as exc:  # noqa: BLE001 - the test compares the failure
        result = exc
    return run, result


def steps(run: nbagent.Run) -> list[tuple[str, str | None]]:
    return [(s["name"], s["finish_reason"]) for s in run.transcript.steps]


def test_function_agent_streams_text_and_a_tool_call_with_its_result() -> None:
    async def main() -> tuple[nbagent.Run, Any]:
        agent = FunctionAgent(tools=[add], llm=llm(calculator), name="calc")
        return await show(agent.run(user_msg="add 2 and 3"))

    run, result = aio.run(main())
    t = run.transcript
    assert run.format == "llama-index"
    assert t.status == "completed"
    (tool,) = t.tool_calls
    (done,) = result.tool_calls  # the workflow's own record of the calls it made
    assert (tool.id, tool.name, tool.args) == (done.tool_id, done.tool_name, done.tool_kwargs)
    assert tool.result == done.tool_output.content == "5"
    assert not tool.is_error
    assert t.text == f"Let me add.\n\n{result}"  # two paragraphs: the add call between
    assert str(result) == "The sum is 5."
    assert steps(run) == [("calc", "tool_calls"), ("calc", "stop")]
    deltas = [e.delta for e in run.events if e.kind == "text_delta"]
    assert deltas == ["Let me add.", "The ", "sum ", "is 5."]  # streamed, not the whole again
    assert run.events[-1].result == "The sum is 5."  # type: ignore[attr-defined]


def test_a_failing_tool_is_an_error_result_and_the_agent_goes_on() -> None:
    def script(messages: Sequence[ChatMessage], **_: Any) -> Any:
        results = tool_results(messages)
        if not results:
            return call("b1", "boom", x=7)
        return ChatMessage(role="assistant", content=f"It failed: {results[-1]}")

    async def main() -> tuple[nbagent.Run, Any]:
        agent = FunctionAgent(tools=[boom], llm=llm(script), name="fragile")
        return await show(agent.run(user_msg="try"))

    run, result = aio.run(main())
    t = run.transcript
    (tool,) = t.tool_calls
    (done,) = result.tool_calls
    assert done.tool_output.is_error
    assert tool.is_error
    assert tool.result == done.tool_output.content == "no luck with 7"
    assert t.status == "completed"
    assert t.text == str(result) == "It failed: no luck with 7"


def test_an_agent_workflow_hands_off_and_each_agent_names_its_steps() -> None:
    def router(messages: Sequence[ChatMessage], **_: Any) -> Any:
        return call("h1", "handoff", to_agent="worker", reason="math")

    def worker(messages: Sequence[ChatMessage], **_: Any) -> Any:
        if len(tool_results(messages)) < 2:
            return call("a1", "add", a=40, b=2)
        return streamed("It is ", "42.")

    async def main() -> tuple[nbagent.Run, Any]:
        first = FunctionAgent(
            name="router",
            description="routes",
            llm=llm(router),
            tools=[],
            can_handoff_to=["worker"],
        )
        second = FunctionAgent(name="worker", description="adds", llm=llm(worker), tools=[add])
        workflow = AgentWorkflow(agents=[first, second], root_agent="router")
        return await show(workflow.run(user_msg="what is 40 + 2?"))

    run, result = aio.run(main())
    t = run.transcript
    assert steps(run) == [
        ("router", "tool_calls"),
        ("worker", "tool_calls"),
        ("worker", "stop"),
    ]
    assert result.current_agent_name == "worker"
    handoff, addition = t.tool_calls
    assert (handoff.name, handoff.args) == ("handoff", {"to_agent": "worker", "reason": "math"})
    assert "worker" in handoff.result
    assert (addition.name, addition.args, addition.result) == ("add", {"a": 40, "b": 2}, "42")
    assert [c.tool_id for c in result.tool_calls] == [handoff.id, addition.id]
    assert t.text == str(result) == "It is 42."
    starts = [e for e in run.events if isinstance(e, StepStart)]
    assert starts[1].meta == {"agent": "worker", "handoff_from": "router"}


class ThinkingMock(MockFunctionCallingLLM):
    """The mock, streaming what real integrations add to a chunk: ``thinking_delta`` in
    ``additional_kwargs`` and the provider's chunk (with its usage) in ``raw``; decorated
    as real integrations are (the decorator sends the instrumentation events that
    ``nbagent.watch()`` reads: tests/frameworks/test_watch_llama_index.py)."""

    @llm_chat_callback()
    async def astream_chat(  # type: ignore[override]
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> AsyncGenerator[ChatResponse, None]:
        async def chunks() -> AsyncGenerator[ChatResponse, None]:
            for thought in ("The user ", "wants a greeting."):
                yield ChatResponse(
                    message=ChatMessage(role="assistant", content=""),
                    delta="",
                    additional_kwargs={"thinking_delta": thought},
                )
            text = ""
            for piece in ("Hello", " there"):
                text += piece
                yield ChatResponse(message=ChatMessage(role="assistant", content=text), delta=piece)
            usage = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
            yield ChatResponse(
                message=ChatMessage(role="assistant", content=text),
                delta="",
                raw={"model": "mock-1", "choices": [], "usage": usage},
            )

        return chunks()


def test_thinking_and_the_usage_an_llm_puts_in_raw() -> None:
    async def main() -> tuple[nbagent.Run, Any]:
        agent = FunctionAgent(tools=[add], llm=ThinkingMock(), name="greeter")
        return await show(agent.run(user_msg="hi"))

    run, result = aio.run(main())
    t = run.transcript
    assert t.text == str(result) == "Hello there"
    assert t.thinking == "The user wants a greeting."
    assert "user" not in t.text
    assert (t.usage.input_tokens, t.usage.output_tokens) == (11, 7)
    assert t.steps[0]["usage"] is not None
    usage = [e for e in run.events if e.kind == "usage"]
    assert usage[0].model == "mock-1"  # type: ignore[attr-defined]


def test_an_agent_that_does_not_stream_shows_its_whole_answer() -> None:
    def script(messages: Sequence[ChatMessage], **_: Any) -> Any:
        if not tool_results(messages):
            return call("call_1", "add", "Let me add.", a=2, b=3)
        return ChatMessage(role="assistant", content="The sum is 5.")

    async def main() -> tuple[nbagent.Run, Any]:
        agent = FunctionAgent(tools=[add], llm=llm(script), name="calc", streaming=False)
        return await show(agent.run(user_msg="add 2 and 3"))

    run, result = aio.run(main())
    # Two paragraphs: the add call stands between the model's two texts.
    assert run.transcript.text == f"Let me add.\n\n{result}" == "Let me add.\n\nThe sum is 5."
    assert run.transcript.tool_calls[0].result == "5"


def test_a_return_direct_tool_gives_the_answer() -> None:
    def script(messages: Sequence[ChatMessage], **_: Any) -> Any:
        return call("d1", "lookup", key="pi")

    def lookup(key: str) -> str:
        """Look a constant up."""
        return {"pi": "3.14159"}[key]

    async def main() -> tuple[nbagent.Run, Any]:
        tool = FunctionTool.from_defaults(fn=lookup, return_direct=True)
        agent = FunctionAgent(tools=[tool], llm=llm(script), name="direct")
        return await show(agent.run(user_msg="pi?"))

    run, result = aio.run(main())
    assert str(result) == "3.14159"
    assert run.transcript.text == "3.14159"
    assert run.transcript.status == "completed"


def test_a_react_agent_streams_its_reasoning_and_answer() -> None:
    def script(messages: Sequence[ChatMessage], **_: Any) -> Any:
        if "Observation" not in (messages[-1].content or ""):
            return streamed(
                "Thought: I need to add.\n", 'Action: add\nAction Input: {"a": 1, "b": 2}'
            )
        return streamed("Thought: I can answer.\n", "Answer: 3")

    async def main() -> tuple[nbagent.Run, Any]:
        agent = ReActAgent(tools=[add], llm=llm(script), name="react")
        return await show(agent.run(user_msg="1 + 2?"))

    run, result = aio.run(main())
    t = run.transcript
    (tool,) = t.tool_calls
    assert (tool.name, tool.args, tool.result) == ("add", {"a": 1, "b": 2}, "3")
    assert str(result) == "3"
    assert t.status == "completed"
    assert steps(run) == [("react", "tool_calls"), ("react", "stop")]


def test_a_workflow_that_fails_ends_the_run_with_its_error() -> None:
    def loop(messages: Sequence[ChatMessage], **_: Any) -> Any:
        return call(f"c{len(messages)}", "add", a=1, b=1)

    async def main() -> tuple[nbagent.Run, Any]:
        agent = FunctionAgent(tools=[add], llm=llm(loop), name="looper")
        return await show(agent.run(user_msg="loop", max_iterations=2))

    run, result = aio.run(main())
    t = run.transcript
    assert isinstance(result, Exception)
    assert t.status == "error"
    assert t.error is not None
    assert "Max iterations of 2" in t.error["message"]
    assert str(result) in t.error["message"]
    assert steps(run)[0] == ("looper", "tool_calls")


def test_stop_cancels_the_workflow() -> None:
    async def slow(x: int) -> int:
        """Wait a long time."""
        import asyncio

        await asyncio.sleep(30)
        return x

    def script(messages: Sequence[ChatMessage], **_: Any) -> Any:
        return call("s1", "slow", x=1)

    async def main() -> tuple[nbagent.Run, Any]:
        import asyncio

        agent = FunctionAgent(tools=[slow], llm=llm(script), name="sleepy")
        handler = agent.run(user_msg="wait")
        run = nbagent.show(handler)
        await wait_for_async(lambda: run.transcript.tool_calls, what="the tool call")
        run.cancel()
        await run
        try:
            await asyncio.wait_for(handler.stop_event_result(), PATIENCE)
        except Exception as exc:  # noqa: BLE001 - the test names the outcome
            return run, exc
        return run, None

    run, outcome = aio.run(main())
    assert run.transcript.status == "cancelled"
    assert type(outcome).__name__ == "WorkflowCancelledByUser"  # the library's run stopped


def test_a_stop_landing_while_the_stream_closes_leaves_the_library_to_end_its_run() -> None:
    # Stop is a cancel of the task that reads the run; when the source's last item has just
    # ended that read, the task is already in cancel_run, awaiting the library's run: the
    # cancel must not reach that run (a hard cancel), only the task (CI saw CancelledError).
    import asyncio

    closers: list[asyncio.Future[None]] = []

    async def slow(x: int) -> int:
        """Wait a long time."""
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            # The library is stopping its run, not done yet: the Stop lands now.
            closers[0].cancel()
            raise
        return x

    def script(messages: Sequence[ChatMessage], **_: Any) -> Any:
        return call("s1", "slow", x=1)

    async def main() -> tuple[bool, Any]:
        handler = FunctionAgent(tools=[slow], llm=llm(script), name="sleepy").run(user_msg="w")
        source = resolve_source(handler)
        events = aiter(source)
        async for event in events:
            if type(event).__name__ == "ToolCall":
                break
        closing = asyncio.ensure_future(source.aclose())
        closers.append(closing)
        outcome: Any = None
        try:
            await asyncio.wait_for(handler.stop_event_result(), PATIENCE)
        except Exception as exc:  # noqa: BLE001 - the test names the outcome
            outcome = exc
        await asyncio.gather(closing, return_exceptions=True)
        return closing.cancelled(), outcome

    closer_cancelled, outcome = aio.run(main())
    assert type(outcome).__name__ == "WorkflowCancelledByUser"
    assert closer_cancelled  # the task stops at once; the library's run ends on its own


def test_detection_reads_the_type_and_nbagent_imports_no_llama_index() -> None:
    event = AgentInput(input=[], current_agent_name="a")
    assert detect_format(event) == "llama-index"
    assert not LlamaIndexAdapter.detect({"current_agent_name": "a"})
    with pytest.raises(BadItemError, match=r"handler\.stream_events"):
        LlamaIndexAdapter().feed({"delta": "x"})
    adapter_module = sys.modules["nbagent.adapters.llama_index"]
    assert "llama_index" not in adapter_module.__dict__


def test_a_stream_with_no_stop_event_is_incomplete() -> None:
    adapter = LlamaIndexAdapter()
    events: list[Event] = adapter.feed(AgentInput(input=[], current_agent_name="a"))
    events += adapter.end()
    end = events[-1]
    assert isinstance(end, RunEnd)
    assert end.reason == "incomplete"


FIXTURES = Path(__file__).parents[1] / "fixtures" / "llama-index"


def test_serialized_events_read_as_the_objects_do() -> None:
    """The workflows ``JsonSerializer`` form (recorded from the runs above) gives the same
    transcript as the live objects."""
    lines = (FIXTURES / "function_agent.jsonl").read_text().splitlines()
    t = nbagent.Transcript.from_events(nbagent.iter_events(lines))
    assert t.text == "Let me add.\n\nThe sum is 5."  # the add call stands between
    (tool,) = t.tool_calls
    assert (tool.name, tool.args, tool.result) == ("add", {"a": 2, "b": 3}, "5")
    assert t.status == "completed"
    failed = (FIXTURES / "max_iterations.jsonl").read_text().splitlines()
    t = nbagent.Transcript.from_events(nbagent.iter_events(failed))
    assert t.status == "error"
    assert t.error is not None
    assert "WorkflowRuntimeError: Max iterations of 2" in t.error["message"]


@pytest.mark.parametrize("message", ["", None])
def test_a_failure_without_a_message_names_the_exception_alone(message: str | None) -> None:
    lines = (FIXTURES / "max_iterations.jsonl").read_text().splitlines()
    failed = json.loads(lines[-1])
    failed["value"]["exception"]["exception_message"] = message
    t = nbagent.Transcript.from_events(nbagent.iter_events([*lines[:-1], json.dumps(failed)]))
    assert t.error is not None
    assert t.error["message"] == "step parse_agent_output failed: WorkflowRuntimeError"
