"""LangChain refusals, from langchain-core's own message objects and stream machinery: a
``{"type": "refusal"}`` content block (the standard form since langchain-core 1.7.5) or
``additional_kwargs["refusal"]`` (where ``ChatOpenAI`` puts OpenAI's refusal): the refusal's
words shown, the run ended as a refusal (not an empty "completed" answer), through a model's
own ``stream()``, ``astream_events(version="v2")``, a model that does not stream, and
``nbagent.watch()``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.frameworks.conftest import need

langchain_core = need("langchain_core")

from langchain_core.language_models import BaseChatModel  # noqa: E402
from langchain_core.language_models.fake_chat_models import (  # noqa: E402
    FakeMessagesListChatModel,
)
from langchain_core.messages import AIMessage, AIMessageChunk  # noqa: E402
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult  # noqa: E402

import nbagent  # noqa: E402
from tests import aio  # noqa: E402

WORDS = ["I'm sorry, ", "I can't help ", "with that."]
REFUSAL = "".join(WORDS)


def piece(form: str, words: str) -> AIMessageChunk:
    """A streamed piece of the refusal in ``form``: content blocks, or additional_kwargs."""
    if form == "blocks":
        return AIMessageChunk(content=[{"type": "refusal", "refusal": words, "index": 0}])
    return AIMessageChunk(content="", additional_kwargs={"refusal": words})


class Refusing(BaseChatModel):
    """A chat model that refuses, in pieces when streamed, whole when invoked."""

    form: str = "blocks"

    @property
    def _llm_type(self) -> str:
        return "refusing"

    def _generate(self, messages: Any, stop: Any = None, **kwargs: Any) -> ChatResult:
        message = AIMessage(**piece(self.form, REFUSAL).model_dump(exclude={"type"}))
        message.response_metadata = {"finish_reason": "stop"}
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        for words in WORDS:
            yield ChatGenerationChunk(message=piece(self.form, words))
        last = AIMessageChunk(content="", response_metadata={"finish_reason": "stop"})
        last.chunk_position = "last"
        yield ChatGenerationChunk(message=last)


FORMS = ["blocks", "additional_kwargs"]


def refused(t: nbagent.Transcript) -> None:
    d = t.to_dict()
    refusals = [b for b in d["blocks"] if b["type"] == "text" and b["refusal"]]
    assert "".join(b["text"] for b in refusals) == REFUSAL
    assert (d["status"], d["end_reason"]) == ("completed", "refusal")


def test_the_standard_block_is_langchain_cores_own() -> None:
    """langchain-core reads ChatOpenAI's ``additional_kwargs["refusal"]`` as the block."""
    openai = {"model_provider": "openai"}
    extra = {"refusal": REFUSAL}
    message = AIMessage(content="", additional_kwargs=extra, response_metadata=openai)
    assert message.content_blocks == [{"type": "refusal", "refusal": REFUSAL}]


@pytest.mark.parametrize("form", FORMS)
def test_a_models_own_stream(form: str) -> None:
    items = list(Refusing(form=form).stream("hi"))
    assert any(i.additional_kwargs or i.content for i in items)
    refused(nbagent.Transcript.from_events(nbagent.iter_events(iter(items))))


@pytest.mark.parametrize("form", FORMS)
def test_astream_events(form: str) -> None:
    async def go() -> list[Any]:
        return [e async for e in Refusing(form=form).astream_events("hi", version="v2")]

    refused(nbagent.Transcript.from_events(nbagent.iter_events(iter(aio.run(go())))))


@pytest.mark.parametrize("form", FORMS)
def test_a_model_that_does_not_stream(form: str) -> None:
    reply = AIMessage(**piece(form, REFUSAL).model_dump(exclude={"type"}))
    model = FakeMessagesListChatModel(responses=[reply])

    async def go() -> list[Any]:
        return [e async for e in model.astream_events("hi", version="v2")]

    refused(nbagent.Transcript.from_events(nbagent.iter_events(iter(aio.run(go())))))


@pytest.mark.parametrize("form", FORMS)
def test_watch_shows_the_refusal(form: str) -> None:
    with nbagent.watch() as run:
        Refusing(form=form).invoke("hi")
    blocks = run.transcript.to_dict()["blocks"]
    refusals = [b for b in blocks if b["type"] == "text" and b["refusal"]]
    assert "".join(b["text"] for b in refusals) == REFUSAL


def test_a_graph_nodes_refusal() -> None:
    """A LangGraph node that returns a refusal no model run said (astream_events v2)."""
    need("langgraph")
    from langgraph.graph import END, START, MessagesState, StateGraph

    def node(state: Any) -> dict[str, Any]:
        return {
            "messages": [AIMessage(id="m1", content="", additional_kwargs={"refusal": REFUSAL})]
        }

    graph = StateGraph(MessagesState)
    graph.add_node("agent", node)
    graph.add_edge(START, "agent")
    graph.add_edge("agent", END)
    app = graph.compile()

    async def go() -> list[Any]:
        return [e async for e in app.astream_events({"messages": []}, version="v2")]

    refused(nbagent.Transcript.from_events(nbagent.iter_events(iter(aio.run(go())))))
