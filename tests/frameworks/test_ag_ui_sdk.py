"""AG-UI from the real ``ag-ui-protocol`` SDK (1.0): its pydantic event objects, its
``EventEncoder`` SSE text (as strings and served over HTTP to ``nbagent.sse``), and the real
AG-UI stream pydantic-ai's ``AGUIAdapter`` makes from an agent driven by its ``FunctionModel``."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.frameworks.conftest import need

ag_ui = need("ag_ui")
need("pydantic_ai")

from ag_ui.core import (  # noqa: E402
    ActivityDeltaEvent,
    ActivitySnapshotEvent,
    CustomEvent,
    Event,
    EventType,
    MessagesSnapshotEvent,
    RawEvent,
    ReasoningEndEvent,
    ReasoningMessageContentEvent,
    ReasoningMessageEndEvent,
    ReasoningMessageStartEvent,
    ReasoningStartEvent,
    RunAgentInput,
    RunErrorEvent,
    RunFinishedEvent,
    RunStartedEvent,
    StateDeltaEvent,
    StateSnapshotEvent,
    StepFinishedEvent,
    StepStartedEvent,
    SubagentFinishedEvent,
    SubagentStartedEvent,
    TextMessageChunkEvent,
    TextMessageContentEvent,
    TextMessageEndEvent,
    TextMessageStartEvent,
    TokenUsage,
    ToolCallArgsEvent,
    ToolCallEndEvent,
    ToolCallResultEvent,
    ToolCallStartEvent,
    UserMessage,
)
from ag_ui.encoder import EventEncoder  # noqa: E402
from pydantic import TypeAdapter, ValidationError  # noqa: E402
from pydantic_ai import Agent  # noqa: E402
from pydantic_ai.ui.ag_ui import AGUIAdapter  # noqa: E402

import nbagent  # noqa: E402
from nbagent.adapters import detect_format  # noqa: E402
from nbagent.adapters.ag_ui import AgUiAdapter  # noqa: E402
from nbagent.core.events import Custom, ErrorEvent, State, Usage  # noqa: E402
from nbagent.core.events import Event as NbEvent  # noqa: E402
from nbagent.transcript.transcript import Transcript  # noqa: E402
from tests import aio  # noqa: E402
from tests.frameworks.pydantic_weather import weather_agent  # noqa: E402
from tests.frameworks.untimed import state  # noqa: E402
from tests.sse_servers import SSEServer  # noqa: E402

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ag-ui"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.jsonl"))
EVENTS: TypeAdapter[Any] = TypeAdapter(Event)


def dicts(name: str) -> list[dict[str, Any]]:
    text = (FIXTURES / f"{name}.jsonl").read_text()
    return [json.loads(ln) for ln in text.splitlines() if ln.strip()]


def transcript(items: Any) -> Transcript:
    return Transcript.from_events(nbagent.iter_events(items))


# -- the SDK's event objects ------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_fixture_parsed_by_the_sdk_reads_like_its_json(name: str) -> None:
    items = dicts(name)
    try:
        objects = [EVENTS.validate_python(item) for item in items]
    except ValidationError:
        if name.startswith("hostile"):  # hand-written wrong types: what the SDK refuses
            pytest.skip("a hostile fixture: the SDK refuses its shapes (nbagent reads them)")
        # 1.0 dropped the THINKING_* events: its SDK cannot build them (the JSON still reads)
        assert any(item["type"].startswith("THINKING_") for item in items)
        pytest.skip("the 1.0 SDK has no THINKING_* events")
    assert detect_format(objects[0]) == "ag-ui"
    assert all(AgUiAdapter.detect(o) for o in objects)
    assert state(transcript(objects)) == state(transcript(items))


def full_run() -> list[Any]:
    """A run of every kind of 1.0 event, built with the SDK's classes."""
    return [
        RunStartedEvent(thread_id="th", run_id="r1"),
        StateSnapshotEvent(snapshot={"city": None}),
        StepStartedEvent(step_name="plan"),
        ReasoningStartEvent(message_id="rs1"),
        ReasoningMessageStartEvent(message_id="th1", role="reasoning"),
        ReasoningMessageContentEvent(message_id="th1", delta="The user wants weather."),
        ReasoningMessageEndEvent(message_id="th1"),
        ReasoningEndEvent(message_id="rs1"),
        StepFinishedEvent(step_name="plan"),
        TextMessageStartEvent(message_id="m1", role="assistant"),
        TextMessageContentEvent(message_id="m1", delta="Checking "),
        TextMessageContentEvent(message_id="m1", delta="Paris."),
        TextMessageEndEvent(message_id="m1"),
        ToolCallStartEvent(tool_call_id="c1", tool_call_name="weather", parent_message_id="m1"),
        ToolCallArgsEvent(tool_call_id="c1", delta='{"city": '),
        ToolCallArgsEvent(tool_call_id="c1", delta='"Paris"}'),
        ToolCallEndEvent(tool_call_id="c1"),
        ToolCallResultEvent(message_id="t1", tool_call_id="c1", content="sunny", role="tool"),
        StateDeltaEvent(delta=[{"op": "replace", "path": "/city", "value": "Paris"}]),
        ActivitySnapshotEvent(message_id="a1", activity_type="search", content={"q": "x"}),
        ActivityDeltaEvent(
            message_id="a1", activity_type="search", patch=[{"op": "add", "path": "/n", "value": 1}]
        ),
        CustomEvent(name="progress", value={"pct": 50}),
        RawEvent(event={"vendor": "x"}, source="openai"),
        MessagesSnapshotEvent(messages=[UserMessage(id="u1", content="weather?")]),
        TextMessageChunkEvent(message_id="m2", delta="It is sunny."),
        RunFinishedEvent(
            thread_id="th",
            run_id="r1",
            result={"ok": True},
            usage=[TokenUsage(input_tokens=12, output_tokens=7, model="m", provider="p")],
        ),
    ]


def test_every_kind_of_sdk_event() -> None:
    items = full_run()
    events = list(nbagent.iter_events(items))
    t = Transcript.from_events(events)
    assert (t.run_id, t.status, t.end_reason) == ("r1", "completed", "completed")
    assert t.text.replace("\n", "") == "Checking Paris.It is sunny."
    assert t.thinking == "The user wants weather."
    assert "weather" not in t.text
    assert [(c.id, c.name, c.args, c.result) for c in t.tool_calls] == [
        ("c1", "weather", {"city": "Paris"}, "sunny")
    ]
    assert [s["name"] for s in t.steps] == ["plan"]
    ops = [e.op for e in events if isinstance(e, State)]
    assert ops == ["snapshot", "delta", "activity_snapshot", "activity_delta", "messages_snapshot"]
    snapshot = next(e for e in events if isinstance(e, State) and e.op == "messages_snapshot")
    assert snapshot.value == [{"id": "u1", "role": "user", "content": "weather?"}]
    assert [e.name for e in events if isinstance(e, Custom)] == ["progress", "raw"]
    usage = [e for e in events if isinstance(e, Usage)]
    assert [(u.input_tokens, u.output_tokens, u.model, u.scope) for u in usage] == [
        (12, 7, "m", "run")
    ]
    assert isinstance(items[0].type, EventType)  # read through the SDK's str enum


def test_cache_writes_in_the_sdks_token_usage() -> None:
    """``TokenUsage.cache_write_input_tokens`` (part of ``input_tokens``, as AG-UI counts):
    counted, and priced without counting the cache twice for an Anthropic model."""
    genai_prices = pytest.importorskip("genai_prices")
    usage = TokenUsage(
        provider="anthropic",
        model="claude-sonnet-4-5",
        input_tokens=51_203,
        output_tokens=10,
        total_tokens=51_213,
        cached_input_tokens=1200,
        cache_write_input_tokens=50_000,
    )
    items = [
        RunStartedEvent(thread_id="th", run_id="r1"),
        TextMessageChunkEvent(message_id="m1", delta="Cached."),
        RunFinishedEvent(thread_id="th", run_id="r1", usage=[usage]),
    ]
    t = Transcript.from_events(list(nbagent.iter_events(items)))
    assert (t.usage.input_tokens, t.usage.cache_write_tokens) == (51_203, 50_000)
    want = genai_prices.calc_price(
        genai_prices.Usage(
            input_tokens=51_203, cache_read_tokens=1200, cache_write_tokens=50_000, output_tokens=10
        ),
        "claude-sonnet-4-5",
        provider_id="anthropic",
        genai_request_timestamp=datetime.fromtimestamp(t.to_dict()["started_at"], tz=timezone.utc),
    )
    assert t.cost_usd == pytest.approx(float(want.total_price))


def test_run_error_from_the_sdk() -> None:
    items = [
        RunStartedEvent(thread_id="th", run_id="r1"),
        RunErrorEvent(message="rate limited", code="429"),
    ]
    events = list(nbagent.iter_events(items))
    t = Transcript.from_events(events)
    assert (t.status, t.end_reason) == ("error", "error")
    assert [(e.message, e.code) for e in events if isinstance(e, ErrorEvent)] == [
        ("rate limited", "429")
    ]


def test_subagent_work_carries_its_parent() -> None:
    """1.0 attributes a sub-agent's events by ``subagentRunId``; its tool calls inherit their
    message's; a sub-agent spawned by a tool call opens inside that call."""
    items = [
        RunStartedEvent(thread_id="th", run_id="r1"),
        ToolCallStartEvent(tool_call_id="c0", tool_call_name="research"),
        ToolCallEndEvent(tool_call_id="c0"),
        SubagentStartedEvent(subagent_run_id="sa1", name="researcher", parent_tool_call_id="c0"),
        TextMessageStartEvent(message_id="m1", role="assistant", subagent_run_id="sa1"),
        TextMessageContentEvent(message_id="m1", delta="Found it.", subagent_run_id="sa1"),
        TextMessageEndEvent(message_id="m1", subagent_run_id="sa1"),
        ToolCallStartEvent(tool_call_id="c1", tool_call_name="search", parent_message_id="m1"),
        ToolCallArgsEvent(tool_call_id="c1", delta="{}"),
        ToolCallEndEvent(tool_call_id="c1"),
        SubagentStartedEvent(subagent_run_id="sa2", name="reader", parent_subagent_run_id="sa1"),
        TextMessageChunkEvent(message_id="m2", delta="deep", subagent_run_id="sa2"),
        SubagentFinishedEvent(subagent_run_id="sa2"),
        SubagentFinishedEvent(subagent_run_id="sa1"),
        ToolCallResultEvent(message_id="t0", tool_call_id="c0", content="done"),
        RunFinishedEvent(thread_id="th", run_id="r1"),
    ]
    adapter = AgUiAdapter()
    raw: list[NbEvent] = [e for item in items for e in adapter.feed(item)]
    by_kind = [(e.kind, e.parent) for e in raw]
    assert ("step_start", "c0") in by_kind  # sa1 opens inside the tool call c0
    assert ("text_delta", "sa1") in by_kind
    assert ("tool_call_start", None) in by_kind  # c0: top level
    c1 = [e.parent for e in raw if getattr(e, "tool_call_id", None) == "c1"]
    assert c1 == ["sa1"] * len(c1)
    sa2 = [e for e in raw if e.kind == "step_start" and getattr(e, "step_id", None) == "sa2"]
    assert [e.parent for e in sa2] == ["sa1"]
    m2 = [(e.kind, e.parent) for e in raw if getattr(e, "message_id", None) == "m2"]
    assert m2 == [("message_start", "sa2"), ("text_delta", "sa2"), ("message_end", "sa2")]
    ends = [(e.step_id, e.parent) for e in raw if e.kind == "step_end"]  # type: ignore[attr-defined]
    assert ends == [("sa2", "sa1"), ("sa1", "c0")]
    assert all(e.parent is None for e in raw if e.kind in ("run_start", "run_end"))


# -- the SDK's encoder ------------------------------------------------------------------------


def test_event_encoder_text_as_strings_and_served_to_nbagent_sse() -> None:
    encoder = EventEncoder()
    frames = [encoder.encode(ev) for ev in full_run()]
    assert frames[0].startswith("data: {")
    want = state(transcript(full_run()))
    assert detect_format(frames[0]) == "ag-ui"
    assert state(transcript(frames)) == want
    with SSEServer([f.encode() for f in frames], content_type=encoder.get_content_type()) as srv:
        events = list(nbagent.iter_events(nbagent.sse(srv.url, json={"threadId": "th"})))
    assert events[0].source == "ag-ui"
    assert state(Transcript.from_events(events)) == want


# -- pydantic-ai's AG-UI stream ---------------------------------------------------------------


def ag_ui_adapter(agent: Agent[None, str]) -> AGUIAdapter[None, str]:
    run_input = RunAgentInput(
        thread_id="th",
        run_id="r1",
        messages=[UserMessage(id="u1", content="Weather in Paris?")],
        state=None,
        tools=[],
        context=[],
        forwarded_props=None,
    )
    return AGUIAdapter(agent=agent, run_input=run_input, include_usage=True)


def check_weather_run(t: Transcript, result: Any, events: list[NbEvent]) -> None:
    assert t.text == result.output == "The weather is sunny."
    assert t.thinking == "I should check the tool."
    assert "check the tool" not in t.text
    assert [(c.name, c.args, c.result) for c in t.tool_calls] == [
        ("weather", {"city": "Paris"}, "sunny in Paris")
    ]
    assert (t.run_id, t.status, t.end_reason) == ("r1", "completed", "completed")
    usage = result.usage
    run_usage = [e for e in events if isinstance(e, Usage) and e.scope == "run"]
    assert [(u.input_tokens, u.output_tokens) for u in run_usage] == [
        (usage.input_tokens, usage.output_tokens)
    ]


def test_pydantic_ai_ag_ui_event_objects_shown() -> None:
    results: list[Any] = []

    async def keep(result: Any) -> None:
        results.append(result)

    async def main() -> tuple[Transcript, list[NbEvent]]:
        stream = ag_ui_adapter(weather_agent()).run_stream(on_complete=keep)
        run = nbagent.show(stream)
        transcript = await run
        return transcript, list(run.events)

    t, events = aio.run(main())
    check_weather_run(t, results[0], events)


def test_pydantic_ai_ag_ui_encoded_stream() -> None:
    results: list[Any] = []

    async def keep(result: Any) -> None:
        results.append(result)

    async def main() -> list[NbEvent]:
        adapter = ag_ui_adapter(weather_agent())
        frames = adapter.encode_stream(adapter.run_stream(on_complete=keep))
        return [e async for e in nbagent.aiter_events(frames)]

    events = aio.run(main())
    check_weather_run(Transcript.from_events(events), results[0], events)
