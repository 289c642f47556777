"""LangChain's and LangGraph's ``version="v3"`` streams, read with no ``format=``: a chat
model's ``stream_events(version="v3")`` (``ChatModelStream``) and ``await
astream_events(...)``, a real ``create_react_agent``'s and a graph with a subgraph's
``stream_events(..., version="v3")`` (``GraphRunStream``) and ``await astream_events(...)``,
with the built-in projections and with LangGraph's other transformers; each read as the
same run's v1 / v2 stream is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.frameworks.conftest import need

need("langgraph")

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel  # noqa: E402
from langchain_core.messages import AIMessage  # noqa: E402
from langgraph.prebuilt import ToolCallTransformer  # noqa: E402
from langgraph.stream import CustomTransformer, UpdatesTransformer  # noqa: E402

import nbagent  # noqa: E402
from nbagent.adapters import detect_format  # noqa: E402
from nbagent.core.events import Custom, Event, RunEnd, Status, StepEnd, StepStart  # noqa: E402
from tests import aio  # noqa: E402
from tests.frameworks.test_langchain import ToolFake, script, tools_of  # noqa: E402
from tests.frameworks.test_langgraph import (  # noqa: E402
    INPUT,
    asking,
    check_against_state,
    nested,
    react,
)
from tests.wait import PATIENCE  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore::langchain_core._api.beta_decorator.LangChainBetaWarning"
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "langgraph"
TRANSFORMERS = [UpdatesTransformer, CustomTransformer, ToolCallTransformer]


def summary(t: nbagent.Transcript) -> tuple[Any, ...]:
    d = t.to_dict()
    steps = [(s["name"], s.get("finish_reason")) for s in d["steps"]]
    return t.text, t.thinking, tools_of(t), d["usage"], d["end_reason"], steps, d["model"]


# -- a chat model's own stream ---------------------------------------------------------------


def test_a_model_stream_reads_as_its_v1_stream() -> None:
    """Each call of the script (a tool call; then text, reasoning and usage) reads the same
    from ``stream_events(version="v3")`` as from ``stream()``."""
    v1, v3 = ToolFake(messages=script()), ToolFake(messages=script())
    for _ in range(2):
        stream = v3.stream_events("add 1 and 2", version="v3")
        assert type(stream).__name__ == "ChatModelStream"
        items = list(stream)
        assert detect_format(items[0]) == "langgraph"
        got = nbagent.Transcript.from_events(nbagent.iter_events(iter(items)))
        want = nbagent.Transcript.from_events(nbagent.iter_events(v1.stream("add 1 and 2")))
        assert summary(got) == summary(want)
    assert summary(got)[:2] == ("The sum is 3", "1 plus 2 is 3")


def test_the_stream_object_itself_is_the_source() -> None:
    model = GenericFakeChatModel(messages=iter([AIMessage(content="Hello there, world")]))
    t = nbagent.Transcript.from_events(nbagent.iter_events(model.stream_events("hi", version="v3")))
    assert (t.text, t.to_dict()["end_reason"]) == ("Hello there, world", "completed")


def test_the_async_model_stream() -> None:
    async def go() -> list[Event]:
        stream = await ToolFake(messages=script()).astream_events("add", version="v3")
        assert type(stream).__name__ == "AsyncChatModelStream"
        return [e async for e in nbagent.aiter_events(stream)]

    t = nbagent.Transcript.from_events(aio.run(go()))
    assert (t.text, [c.name for c in t.tool_calls], t.to_dict()["end_reason"]) == (
        "Let me add.",
        ["add"],
        "tool_calls",
    )


# -- a graph's stream ------------------------------------------------------------------------


@pytest.mark.parametrize("transformers", [None, TRANSFORMERS], ids=["built-in", "transformers"])
def test_react_agent(transformers: Any) -> None:
    final = react().invoke(INPUT)["messages"]
    run = react().stream_events(INPUT, version="v3", transformers=transformers)
    assert type(run).__name__ == "GraphRunStream"
    events = list(nbagent.iter_events(run))
    check_against_state(nbagent.Transcript.from_events(events), final)
    ends = [(e.name, e.finish_reason) for e in events if isinstance(e, StepEnd)]
    assert ends == [("agent", "tool_calls"), ("agent", "stop")]
    assert not [e for e in events if e.parent is not None]


def test_react_agent_async() -> None:
    async def go() -> list[Event]:
        run = await react().astream_events(INPUT, version="v3")
        assert type(run).__name__ == "AsyncGraphRunStream"
        return [e async for e in nbagent.aiter_events(run)]

    events = aio.run(go())
    check_against_state(nbagent.Transcript.from_events(events), react().invoke(INPUT)["messages"])


def v2_events(graph: Any) -> list[Event]:
    modes = ["messages", "updates", "custom"]
    return list(nbagent.iter_events(graph.stream(INPUT, stream_mode=modes, subgraphs=True)))


@pytest.mark.parametrize("transformers", [None, TRANSFORMERS], ids=["built-in", "transformers"])
def test_subgraph_is_a_subagent_scope(transformers: Any) -> None:
    """The subgraph's model calls, tool call and result are in its scope, which ends at its
    ``lifecycle`` ``completed``; what the v2 stream of the same graph shows, the v3 shows."""
    run = nested().stream_events(INPUT, version="v3", transformers=transformers)
    events = list(nbagent.iter_events(run))
    (scope,) = [e for e in events if isinstance(e, StepStart) and e.step_type == "subagent"]
    assert (scope.name, scope.parent) == ("math", None)
    inside = [e for e in events if e.parent == scope.step_id]
    assert [e.name for e in inside if isinstance(e, StepStart)] == ["agent", "agent"]
    assert {type(e).__name__ for e in inside} >= {"TextDelta", "ThinkingDelta", "ToolResult"}
    (end,) = [
        i for i, e in enumerate(events) if isinstance(e, StepEnd) and e.step_id == scope.step_id
    ]
    assert all(e.parent != scope.step_id for e in events[end:])
    if transformers:  # the tools and custom channels: the tool's run and what it wrote
        assert [e.text for e in inside if isinstance(e, Status)] == ["progress_add", "adding"]
        assert [e.value for e in inside if isinstance(e, Custom)] == [{"step": "add", "a": 1}]
    got, want = (
        nbagent.Transcript.from_events(events),
        nbagent.Transcript.from_events(v2_events(nested())),
    )
    assert (got.text, tools_of(got), got.usage) == (want.text, tools_of(want), want.usage)
    assert [b["type"] for b in got.blocks] == [b["type"] for b in want.blocks]


def test_interrupt_ends_the_run_interrupted() -> None:
    config: Any = {"configurable": {"thread_id": "v3"}}
    events = list(nbagent.iter_events(asking().stream_events(INPUT, config, version="v3")))
    (end,) = [e for e in events if isinstance(e, RunEnd)]
    assert end.reason == "interrupted"
    assert [e.text for e in events if isinstance(e, Status)] == ["approve the plan?"]


def test_show_reads_a_graph_run_stream() -> None:
    run = nbagent.show(react().stream_events(INPUT, version="v3"))
    t = run.wait(PATIENCE)
    assert run.format == "langgraph"
    d = t.to_dict()
    assert (t.text, d["status"], d["end_reason"]) == ("Let me add.\n\nThe sum is 3", "completed",
                                                     "completed")  # fmt: skip
    assert [(c.name, c.result) for c in t.tool_calls] == [("add", "3")]


# -- the same streams as JSON (tests/fixtures/langgraph/*_v3.jsonl) ------------------------


def wire(value: Any) -> Any:
    """An item as JSON would carry it: messages as their dicts, tuples as lists."""
    if hasattr(value, "model_dump"):
        return wire(value.model_dump())
    if type(value).__name__ == "Interrupt":
        return {"value": wire(value.value), "id": value.id}
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [wire(v) for v in value]
    return value


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("model_v3", lambda: ToolFake(messages=script()).stream_events("add", version="v3")),
        ("react_v3", lambda: react().stream_events(INPUT, version="v3")),
        ("subgraph_v3", lambda: nested().stream_events(INPUT, version="v3")),
    ],
)
def test_the_recorded_json_reads_as_the_live_stream(name: str, make: Any) -> None:
    """The fixtures are these streams' items as JSON: read, they say what the live ones do
    (ids and timestamps aside, which each run makes anew)."""
    live = nbagent.Transcript.from_events(nbagent.iter_events(make()))
    lines = (FIXTURES / f"{name}.jsonl").read_text().splitlines()
    recorded = nbagent.Transcript.from_events(nbagent.iter_events(lines))
    assert summary(recorded) == summary(live)
    assert [b["type"] for b in recorded.blocks] == [b["type"] for b in live.blocks]


def record(name: str, items: Any) -> None:  # pragma: no cover - re-makes a fixture by hand
    """``python -c 'from tests.frameworks.test_langgraph_v3 import *; record(...)'``."""
    text = "".join(json.dumps(wire(item), separators=(",", ":")) + "\n" for item in items)
    (FIXTURES / f"{name}.jsonl").write_text(text)


# -- a real kernel -----------------------------------------------------------------------------

KERNEL_SETUP = """
import sys, os; sys.path.insert(0, os.getcwd())
import warnings, nbagent
warnings.simplefilter("ignore")
from tests.frameworks.test_langgraph import nested, INPUT
"""


@pytest.mark.kernel
def test_kernel_shows_a_v3_graph_run(kernel: Any) -> None:
    """``show(await graph.astream_events(..., version="v3"))`` in a real kernel: the subgraph's
    agent block holds its model calls and tool call, the state its end."""
    from tests.kernel import widget_traffic

    since = len(kernel.messages())
    kernel.execute(
        "run = nbagent.show(await nested().astream_events(INPUT, version='v3'))\nt = await run"
    )
    (widget,) = widget_traffic(kernel.messages(), since)["widgets"]
    state = widget["final"]["state"]
    top = [b for b in state["blocks"] if "parent" not in b]
    assert [b["type"] for b in top] == ["text", "agent"]
    inside = [b for b in state["blocks"] if b.get("parent") == top[1]["id"]]
    tools = [(b["name"], b["result"]) for b in inside if b["type"] == "tool"]
    assert tools == [("progress_add", "3")]
    assert (state["status"], state["end_reason"], state["usage"]["output_tokens"]) == (
        "completed",
        "completed",
        11,
    )
