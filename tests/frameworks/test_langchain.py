"""LangChain (langchain-core): a chat model's own ``stream()``/``astream()`` and
``astream_events(version="v2")`` of a real LangGraph agent, made by LangChain's shipped fake
chat models, read with no ``format=``."""

from __future__ import annotations

import json
import operator
from collections.abc import AsyncIterator, Iterator
from functools import reduce
from typing import Any

import pytest

from tests.frameworks.conftest import need

langchain_core = need("langchain_core")

from langchain_core.language_models.fake_chat_models import (  # noqa: E402
    FakeMessagesListChatModel,
    GenericFakeChatModel,
)
from langchain_core.messages import AIMessage, AIMessageChunk  # noqa: E402
from langchain_core.outputs import ChatGenerationChunk  # noqa: E402
from langchain_core.tools import tool  # noqa: E402

import nbagent  # noqa: E402
from nbagent.core.events import Event, RunEnd, StepStart, ToolCallEnd  # noqa: E402
from tests import aio  # noqa: E402


class ToolFake(GenericFakeChatModel):
    """``GenericFakeChatModel`` that can be bound to tools and streams a message's tool calls
    as ``tool_call_chunks`` (two fragments each) and its usage and finish reason in a last
    chunk, after the text the base class streams word by word."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self

    def _stream(
        self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        message = next(self.messages)
        if isinstance(message, str):
            message = AIMessage(content=message)
        calls, usage = message.tool_calls, message.usage_metadata
        rest = message.model_copy(update={"tool_calls": [], "usage_metadata": None})
        if rest.content or rest.additional_kwargs:
            script, self.messages = self.messages, iter([rest])
            try:
                for chunk in super()._stream(messages, stop, run_manager, **kwargs):
                    chunk.message.chunk_position = None  # the last chunk comes below
                    yield chunk
            finally:
                self.messages = script
        for index, call in enumerate(calls):
            args = json.dumps(call["args"])
            for part, fragment in enumerate((args[: len(args) // 2], args[len(args) // 2 :])):
                tool_chunk = {
                    "name": call["name"] if part == 0 else None,
                    "args": fragment,
                    "id": call["id"] if part == 0 else None,
                    "index": index,
                }
                yield self._emit(
                    AIMessageChunk(content="", id=message.id, tool_call_chunks=[tool_chunk]),
                    run_manager,
                )
        last = AIMessageChunk(
            content="",
            id=message.id,
            usage_metadata=usage,
            response_metadata=message.response_metadata,
            chunk_position="last",
        )
        yield self._emit(last, run_manager)

    @staticmethod
    def _emit(message: AIMessageChunk, run_manager: Any) -> ChatGenerationChunk:
        chunk = ChatGenerationChunk(message=message)
        if run_manager:
            run_manager.on_llm_new_token("", chunk=chunk)
        return chunk


def usage(i: int, o: int, reasoning: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"input_tokens": i, "output_tokens": o, "total_tokens": i + o}
    if reasoning is not None:
        out["output_token_details"] = {"reasoning": reasoning}
    return out


def script(tool_name: str = "add") -> Iterator[AIMessage]:
    """An agent's two model calls: a tool call, then the answer with its reasoning."""
    return iter(
        [
            AIMessage(
                content="Let me add.",
                tool_calls=[{"name": tool_name, "args": {"a": 1, "b": 2}, "id": "call_add"}],
                usage_metadata=usage(10, 5),  # type: ignore[arg-type]
                response_metadata={"finish_reason": "tool_calls", "model_name": "fake-1"},
            ),
            AIMessage(
                content="The sum is 3",
                additional_kwargs={"reasoning_content": "1 plus 2 is 3"},
                usage_metadata=usage(20, 6, reasoning=2),  # type: ignore[arg-type]
                response_metadata={"finish_reason": "stop", "model_name": "fake-1"},
            ),
        ]
    )


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def tools_of(t: nbagent.Transcript) -> list[tuple[str, Any, Any, bool]]:
    return [(c.name, c.args, c.result, c.is_error) for c in t.tool_calls]


# -- a chat model's own stream ----------------------------------------------------------------


def test_model_stream_text_tool_call_usage() -> None:
    model = ToolFake(messages=script())
    chunks = list(model.stream("add 1 and 2"))
    merged = reduce(operator.add, chunks)  # LangChain's own view of the whole message
    events = list(nbagent.iter_events(iter(chunks)))
    t = nbagent.Transcript.from_events(events)
    assert t.text == merged.content == "Let me add."
    assert [(c.name, c.args) for c in t.tool_calls] == [
        (tc["name"], tc["args"]) for tc in merged.tool_calls
    ]
    assert t.tool_calls[0].id == merged.tool_calls[0]["id"]
    state = t.to_dict()
    assert merged.usage_metadata is not None
    assert state["usage"]["input_tokens"] == merged.usage_metadata["input_tokens"]
    assert state["usage"]["output_tokens"] == merged.usage_metadata["output_tokens"]
    assert [s["finish_reason"] for s in state["steps"]] == ["tool_calls"]
    (end,) = [e for e in events if isinstance(e, RunEnd)]
    assert (end.reason, end.raw_reason) == ("tool_calls", "tool_calls")
    assert any(isinstance(e, ToolCallEnd) and e.args == {"a": 1, "b": 2} for e in events)


def test_model_stream_cache_writes_as_langchain_anthropic_reports_them() -> None:
    """A stream's usage with prompt-cache writes as langchain-anthropic reports them: the
    input counting the cache, ``cache_creation`` 0 beside the TTL breakdown
    (``ephemeral_5m_input_tokens``, ``ephemeral_1h_input_tokens``) that stands for it."""
    details = {
        "cache_read": 1200,
        "cache_creation": 0,
        "ephemeral_5m_input_tokens": 30_000,
        "ephemeral_1h_input_tokens": 20_000,
    }
    answer = AIMessage(
        content="Cached.",
        usage_metadata=usage(51_203, 10) | {"input_token_details": details},  # type: ignore[arg-type]
        response_metadata={"stop_reason": "end_turn", "model_name": "claude-sonnet-4-5"},
    )
    chunks = list(ToolFake(messages=iter([answer])).stream("hi"))
    merged = reduce(operator.add, chunks)
    assert merged.usage_metadata is not None
    t = nbagent.Transcript.from_events(nbagent.iter_events(iter(chunks)))
    u = t.usage
    assert (u.input_tokens, u.cached_input_tokens) == (merged.usage_metadata["input_tokens"], 1200)
    assert (u.cache_write_tokens, u.cache_write_1h_tokens) == (50_000, 20_000)
    assert u.total_tokens == merged.usage_metadata["total_tokens"] == 51_213


def test_model_astream_reasoning_is_thinking_not_text() -> None:
    model = ToolFake(messages=iter(list(script())[1:]))

    async def go() -> tuple[list[Event], list[Any]]:
        chunks = [c async for c in model.astream("hi")]

        async def replay() -> AsyncIterator[Any]:
            for c in chunks:
                yield c

        return [e async for e in nbagent.aiter_events(replay())], chunks

    events, chunks = aio.run(go())
    merged = reduce(operator.add, chunks)
    t = nbagent.Transcript.from_events(events)
    assert t.text == merged.content == "The sum is 3"
    assert t.thinking == merged.additional_kwargs["reasoning_content"]
    assert "1 plus 2" not in t.text
    state = t.to_dict()
    assert (state["usage"]["reasoning_tokens"], state["end_reason"]) == (2, "completed")


def test_model_that_does_not_stream_gives_content_blocks() -> None:
    reply = AIMessage(
        content=[
            {"type": "reasoning", "reasoning": "thinking it over"},
            {"type": "text", "text": "Hello there"},
        ],
        usage_metadata=usage(3, 4),  # type: ignore[arg-type]
    )
    model = FakeMessagesListChatModel(responses=[reply])
    items = list(model.stream("hi"))
    t = nbagent.Transcript.from_events(nbagent.iter_events(iter(items)))
    assert (t.text, t.thinking) == ("Hello there", "thinking it over")
    assert items[0].content_blocks[1] == {"type": "text", "text": "Hello there"}
    state = t.to_dict()
    assert (state["usage"]["output_tokens"], state["end_reason"]) == (4, "completed")


def test_model_stream_cut_short_is_incomplete() -> None:
    chunks = list(GenericFakeChatModel(messages=iter(["one two three"])).stream("hi"))
    assert chunks[-1].chunk_position == "last"
    t = nbagent.Transcript.from_events(nbagent.iter_events(iter(chunks[:3])))
    assert t.text == "one two"
    assert t.to_dict()["end_reason"] == "incomplete"


# -- astream_events(version="v2") of a real agent ---------------------------------------------


def agent(model: Any) -> Any:
    import warnings

    from langgraph.prebuilt import create_react_agent

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # moved to langchain.agents in LangGraph 1.0
        return create_react_agent(model, [add])


def test_astream_events_of_an_agent() -> None:
    graph = agent(ToolFake(messages=script()))

    async def go() -> list[Any]:
        return [
            e async for e in graph.astream_events({"messages": [("user", "add")]}, version="v2")
        ]

    items = aio.run(go())
    final = items[-1]["data"]["output"]["messages"]  # the graph's own final state
    events = list(nbagent.iter_events(iter(items)))
    t = nbagent.Transcript.from_events(events)
    # The model's two answers, two paragraphs: the add call (final[1..2]) stands between.
    assert t.text == f"{final[1].content}\n\n{final[3].content}"
    assert t.thinking == final[3].additional_kwargs["reasoning_content"]
    assert tools_of(t) == [("add", final[1].tool_calls[0]["args"], final[2].content, False)]
    state = t.to_dict()
    assert state["usage"]["input_tokens"] == sum(
        m.usage_metadata["input_tokens"] for m in final if getattr(m, "usage_metadata", None)
    )
    assert state["end_reason"] == "completed"
    running = [e for e in events if getattr(e, "state", None) == "tool_running"]
    assert [e.tool_call_id for e in running] == ["call_add"]  # type: ignore[attr-defined]


def test_astream_events_subgraph_is_a_scope_and_node_messages_show() -> None:
    from langgraph.graph import END, START, MessagesState, StateGraph

    def planner(state: Any) -> dict[str, Any]:
        return {"messages": [AIMessage(content="plan: delegate")]}

    builder = StateGraph(MessagesState)
    builder.add_node("planner", planner)
    builder.add_node("math", agent(ToolFake(messages=script())))
    builder.add_edge(START, "planner")
    builder.add_edge("planner", "math")
    builder.add_edge("math", END)
    graph = builder.compile()

    async def go() -> list[Any]:
        return [
            e async for e in graph.astream_events({"messages": [("user", "add")]}, version="v2")
        ]

    events = list(nbagent.iter_events(iter(aio.run(go()))))
    scopes = [e for e in events if isinstance(e, StepStart) and e.step_type == "subagent"]
    assert [(s.name, s.parent) for s in scopes] == [("math", None)]
    scope = scopes[0].step_id
    nodes = [e.name for e in events if isinstance(e, StepStart) and e.step_type == "node"]
    assert nodes == ["planner", "math", "agent", "tools", "agent"]  # math once
    inside = [e for e in events if e.parent == scope]
    assert {type(e).__name__ for e in inside} >= {"TextDelta", "ToolCallStart", "ToolResult"}
    t = nbagent.Transcript.from_events(events)
    assert t.text.startswith("plan: delegate")
    assert t.to_dict()["end_reason"] == "completed"


# -- astream_events(version="v2") of a chat model that does not stream -------------------------

WHOLE_REPLIES = [
    AIMessage(
        content=[
            {"type": "reasoning", "reasoning": "thinking it over"},
            {"type": "text", "text": "Hello there"},
        ]
    ),
    AIMessage(content="Hello there", additional_kwargs={"reasoning_content": "thinking it over"}),
    AIMessage(
        content=[
            {"type": "thinking", "thinking": "thinking it over", "signature": "sig"},
            {"type": "text", "text": "Hello there"},
        ],
        response_metadata={"model_provider": "anthropic"},
    ),
]


@pytest.mark.parametrize("reply", WHOLE_REPLIES)
def test_astream_events_of_a_model_that_does_not_stream_keeps_its_thinking(reply: Any) -> None:
    """A chat model with no ``_stream`` (langchain-core's ``FakeMessagesListChatModel``):
    ``astream_events`` has no ``on_chat_model_stream``, only the whole message at
    ``on_chat_model_end``; its thinking and its text both come from it, thinking first."""
    from langchain_core.language_models import BaseChatModel

    model = FakeMessagesListChatModel(responses=[reply])
    assert type(model)._stream is BaseChatModel._stream  # the base's: it does not stream

    async def go() -> list[Any]:
        return [e async for e in model.astream_events("hi", version="v2")]

    items = aio.run(go())
    assert "on_chat_model_stream" not in [e["event"] for e in items]
    t = nbagent.Transcript.from_events(nbagent.iter_events(iter(items)))
    assert (t.text, t.thinking) == ("Hello there", "thinking it over")
    assert [b["type"] for b in t.to_dict()["blocks"]] == ["thinking", "text"]
    assert t.to_dict()["end_reason"] == "completed"
