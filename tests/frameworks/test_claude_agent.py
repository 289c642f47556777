"""claude-agent-sdk: ``query()`` and ``ClaudeSDKClient`` with the SDK's own ``Transport``
interface replaying recorded lines of the CLI's ``stream-json`` output (the ``claude`` CLI is
not run), so that the SDK's real control protocol, parsing and message types run."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import nbagent
from nbagent.adapters import ClaudeAgentAdapter, detect_format
from nbagent.adapters.base import BadItemError
from nbagent.core.events import (
    Event,
    RunEnd,
    RunStart,
    Status,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolResult,
    Usage,
)
from tests import aio
from tests.adapter_harness import fold
from tests.frameworks.conftest import need
from tests.wait import PATIENCE, wait_for

sdk = need("claude_agent_sdk")
from claude_agent_sdk import Transport  # noqa: E402 - after the skip

FIXTURES = Path(__file__).parent.parent / "fixtures" / "claude-agent"
PAUSE = {"type": "nbagent-test-pause"}
"""In a script: the transport stops there until it is closed (a run that goes on)."""


def lines(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (FIXTURES / f"{name}.jsonl").read_text().splitlines()]


class ReplayTransport(Transport):
    """The CLI's side of the SDK's transport: answers the ``initialize`` control request as
    the CLI does, then answers the user's prompt with the recorded lines."""

    def __init__(self, script: list[dict[str, Any]]) -> None:
        self.script = script
        self.written: list[dict[str, Any]] = []
        self.closed = False
        self.interrupted = False
        self._queue: asyncio.Queue[dict[str, Any] | None] | None = None
        self._replay: asyncio.Task[None] | None = None

    def _q(self) -> asyncio.Queue[dict[str, Any] | None]:
        if self._queue is None:  # made on the loop that runs the query
            self._queue = asyncio.Queue()
        return self._queue

    async def connect(self) -> None:
        self._q()

    async def write(self, data: str) -> None:
        message = json.loads(data)
        self.written.append(message)
        if message.get("type") == "control_request":
            request = message["request"]
            if request["subtype"] == "interrupt":
                self.interrupted = True
            # the CLI answers every request of the control protocol with a control_response
            answer = {"commands": [], "output_style": "default"}
            if request["subtype"] != "initialize":
                answer = {}
            response = {"subtype": "success", "request_id": message["request_id"]}
            await self._q().put(
                {"type": "control_response", "response": {**response, "response": answer}}
            )
        elif message.get("type") == "user" and self._replay is None:
            self._replay = asyncio.get_running_loop().create_task(self._play())

    async def _play(self) -> None:
        for line in self.script:
            if line == PAUSE:
                await asyncio.Event().wait()  # until cancelled by close()
            await self._q().put(line)
            await asyncio.sleep(0)
        await self._q().put(None)

    async def read_messages(self) -> AsyncIterator[dict[str, Any]]:
        while (line := await self._q().get()) is not None:
            yield line

    async def close(self) -> None:
        self.closed = True
        if self._replay is not None:
            self._replay.cancel()
        await self._q().put(None)

    def is_ready(self) -> bool:
        return not self.closed

    async def end_input(self) -> None:
        pass


def run_query(name: str, **options: Any) -> tuple[list[Event], list[Any], ReplayTransport]:
    """``query()`` over a replayed stream: (nbagent's events, the SDK's messages, transport)."""
    transport = ReplayTransport(lines(name))

    async def main() -> tuple[list[Event], list[Any]]:
        messages: list[Any] = []

        async def tee() -> AsyncIterator[Any]:
            opts = sdk.ClaudeAgentOptions(**options)
            async for message in sdk.query(prompt="Review a.py", options=opts, transport=transport):
                messages.append(message)
                yield message

        return [e async for e in nbagent.aiter_events(tee())], messages

    events, messages = aio.run(main())
    return events, messages, transport


def top(events: list[Event], kind: type[Event]) -> list[Any]:
    return [e for e in events if isinstance(e, kind) and e.parent is None]


def test_query_with_a_task_sub_agent() -> None:
    events, messages, transport = run_query("subagent_task")
    assert transport.written[0]["request"]["subtype"] == "initialize"
    assert detect_format(messages[0]) == "claude-agent"
    assert type(messages[0]).__name__ == "SystemMessage"
    result = messages[-1]
    assert isinstance(result, sdk.ResultMessage)
    start = events[0]
    assert isinstance(start, RunStart)
    assert (start.model, start.thread_id) == (messages[0].data["model"], result.session_id)
    # top level: the answer, thinking and the calls; the sub-agent's events are nested
    texts = [
        b.text
        for m in messages
        if isinstance(m, sdk.AssistantMessage) and m.parent_tool_use_id is None
        for b in m.content
        if isinstance(b, sdk.TextBlock)
    ]
    assert "".join(e.delta for e in top(events, TextDelta)) == "".join(texts)
    assert texts[-1] == result.result == "Done: a.py prints 42."
    thinking = "".join(e.delta for e in top(events, ThinkingDelta))
    assert thinking == "The user wants a review of a.py. First list the files."
    assert thinking not in "".join(texts)
    t = nbagent.Transcript.from_events(events)
    calls = {c.id: c for c in t.tool_calls}
    uses = {
        b.id: b
        for m in messages
        if isinstance(m, sdk.AssistantMessage)
        for b in m.content
        if isinstance(b, sdk.ToolUseBlock)
    }
    assert set(calls) == set(uses) == {"toolu_01Bash", "toolu_02Task", "toolu_03Read"}
    for call_id, use in uses.items():
        assert (calls[call_id].name, calls[call_id].args) == (use.name, use.input)
        assert calls[call_id].state == "done"
    assert calls["toolu_01Bash"].result == "a.py\nb.py"
    assert calls["toolu_02Task"].result == "a.py prints 42."
    # the sub-agent: every event of its messages is under the Task call
    nested = [e for e in events if e.parent == "toolu_02Task"]
    assert {type(e).__name__ for e in nested} >= {
        "StepStart",
        "ToolCallStart",
        "ToolResult",
        "TextDelta",
        "Usage",
        "StepEnd",
    }
    assert "".join(e.delta for e in nested if isinstance(e, TextDelta)) == "a.py prints 42."
    sub_steps = [e.step_id for e in nested if isinstance(e, StepStart)]
    assert sub_steps == ["msg_03C", "msg_04D"]
    assert [e.step_id for e in top(events, StepStart)] == ["msg_01A", "msg_02B", "msg_05E"]
    (task_started,) = [e for e in events if isinstance(e, Status) and e.state == "task_started"]
    assert task_started.tool_call_id == "toolu_02Task"
    # the run: usage and cost as the result reports them
    (run_usage,) = [e for e in events if isinstance(e, Usage) and e.scope == "run"]
    assert run_usage.meta is not None
    assert run_usage.cost_usd == result.total_cost_usd == 0.0419
    assert t.cost_usd == 0.0419  # the transcript's cost, shown in the status line
    assert "$0.042" in t.to_text()
    assert run_usage.meta["num_turns"] == result.num_turns
    assert (t.usage.input_tokens, t.usage.output_tokens) == (
        result.usage["input_tokens"],
        result.usage["output_tokens"],
    )
    assert t.usage.cached_input_tokens == result.usage["cache_read_input_tokens"]
    end = events[-1]
    assert isinstance(end, RunEnd)
    assert (end.reason, end.raw_reason, end.result) == ("completed", "success", result.result)


def test_partial_messages_stream_and_are_not_repeated() -> None:
    events, messages, _ = run_query("partial_messages", include_partial_messages=True)
    assert any(isinstance(m, sdk.StreamEvent) for m in messages)
    t = nbagent.Transcript.from_events(events)
    whole = [
        b.text
        for m in messages
        if isinstance(m, sdk.AssistantMessage)
        for b in m.content
        if isinstance(b, sdk.TextBlock)
    ]
    # The model's two texts, two paragraphs: its Bash call stands between them.
    assert t.text == "\n\n".join(whole) == "Let me count.\n\na.py has 1 line."
    assert t.thinking == "Count the lines with wc."
    assert len([e for e in events if isinstance(e, TextDelta)]) == 4  # the deltas, once
    assert [e.delta for e in events if isinstance(e, ToolCallArgsDelta)]
    (call,) = t.tool_calls
    assert (call.name, call.args, call.result) == (
        "Bash",
        {"command": "wc -l a.py", "description": "Count lines"},
        "1 a.py",
    )
    assert [s["id"] for s in t.to_dict()["steps"]] == ["msg_11P", "msg_12Q"]
    step_usage = [e for e in events if isinstance(e, Usage) and e.scope == "step"]
    assert {u.step_id for u in step_usage} == {"msg_11P", "msg_12Q"}
    assert sum(isinstance(e, RunStart) for e in events) == 1
    assert sum(isinstance(e, RunEnd) for e in events) == 1
    assert events[-1].result == messages[-1].result  # type: ignore[attr-defined]


def test_max_turns_and_tool_errors() -> None:
    events, messages, _ = run_query("max_turns_error")
    t = nbagent.Transcript.from_events(events)
    assert [c.state for c in t.tool_calls] == ["error", "error"]
    assert [e.is_error for e in events if isinstance(e, ToolResult)] == [True, True]
    end = events[-1]
    assert isinstance(end, RunEnd)
    assert (end.reason, end.raw_reason) == ("max_steps", "error_max_turns")
    assert end.message == messages[-1].errors[0]
    assert any(isinstance(e, Status) and e.state == "rate_limit" for e in events)


def test_sdk_client_receive_response() -> None:
    transport = ReplayTransport(lines("subagent_task"))

    async def main() -> list[Event]:
        async with sdk.ClaudeSDKClient(transport=transport) as client:
            await client.query("Review a.py")
            return [e async for e in nbagent.aiter_events(client.receive_response())]

    events = aio.run(main())
    t = nbagent.Transcript.from_events(events)
    assert [c.id for c in t.tool_calls] == ["toolu_01Bash", "toolu_02Task", "toolu_03Read"]
    assert events[-1].reason == "completed"  # type: ignore[attr-defined]


def test_cli_stream_json_lines_read_the_same() -> None:
    events, _, _ = run_query("subagent_task")
    raw = list(nbagent.iter_events(json.dumps(line) for line in lines("subagent_task")))

    def plain(evs: list[Event]) -> list[dict[str, Any]]:
        return [{k: v for k, v in e.to_dict().items() if k not in ("ts", "run_id")} for e in evs]

    assert plain(raw) == plain(events)


def test_show_and_stop_closes_the_transport() -> None:
    transport = ReplayTransport(lines("subagent_task"))
    run = nbagent.show(sdk.query(prompt="hi", transport=transport))
    t = run.wait(PATIENCE)
    assert run.format == "claude-agent"
    assert t.to_dict()["end_reason"] == "completed"

    script = lines("subagent_task")
    paused = ReplayTransport([*script[:4], PAUSE, *script[4:]])
    run = nbagent.show(sdk.query(prompt="hi", transport=paused))
    wait_for(lambda: run.transcript.tool_calls, what="the tool call, before the pause")
    run.cancel()
    t = run.wait(PATIENCE)
    assert t.to_dict()["status"] == "cancelled"
    # closing the query closed the transport (the CLI's process)
    wait_for(lambda: paused.closed, what="the transport closed")


@pytest.mark.parametrize("bad", [None, 3, [1], "not json", {"type": "nope"}, object()])
def test_bad_items_raise_bad_item_error(bad: Any) -> None:
    with pytest.raises(BadItemError):
        ClaudeAgentAdapter().feed(bad)


def test_an_unknown_sdk_object_names_the_library_and_its_version() -> None:
    with pytest.raises(BadItemError) as info:
        ClaudeAgentAdapter().feed(sdk.TextBlock(text="hi"))
    message = str(info.value)
    assert "claude-agent-sdk" in message
    assert sdk.__version__ in message


def test_a_stream_without_a_result_is_incomplete() -> None:
    _, out = fold(ClaudeAgentAdapter(), lines("subagent_task")[:5])
    end = out[-1]
    assert isinstance(end, RunEnd)
    assert end.reason == "incomplete"


def test_steps_are_priced_and_the_result_cost_is_the_runs() -> None:
    """Each model call is priced from its tokens (genai-prices' Anthropic table: cache reads and
    writes at their rates, apart from the input as Anthropic counts them); the run's cost is
    the one ``ResultMessage.total_cost_usd`` reports."""
    from datetime import datetime, timezone

    genai_prices = pytest.importorskip("genai_prices")
    events, messages, _ = run_query("subagent_task")
    t = nbagent.Transcript.from_events(events)
    model = messages[0].data["model"]
    for step in t.steps:
        u = step["usage"]
        when = datetime.fromtimestamp(step["started_at"], tz=timezone.utc)
        usage = genai_prices.Usage(
            input_tokens=u["input_tokens"] + u["cached_input_tokens"] + u["cache_write_tokens"],
            cache_read_tokens=u["cached_input_tokens"],
            cache_write_tokens=u["cache_write_tokens"],
            output_tokens=u["output_tokens"],
        )
        want = genai_prices.calc_price(
            usage, model, provider_id="anthropic", genai_request_timestamp=when
        )
        assert (step["model"], step["cost_source"]) == (model, "price table")
        assert step["cost_usd"] == pytest.approx(float(want.total_price))
    task = next(b for b in t.blocks if b["id"] == "toolu_02Task")
    nested = [s["cost_usd"] for s in t.steps if s.get("parent") == "toolu_02Task"]
    assert task["cost_usd"] == pytest.approx(sum(nested))
    assert t.cost_usd == messages[-1].total_cost_usd  # reported: it wins over the steps' sum


@pytest.mark.parametrize(
    ("stop", "finish"),
    [
        ("stop_sequence", "completed"),
        ("model_context_window_exceeded", "max_tokens"),
        ("end_turn", "completed"),
        ("refusal", "refusal"),
    ],
)
def test_a_steps_finish_reads_the_messages_apis_stop_words(stop: str, finish: str) -> None:
    script = lines("subagent_task")
    last = next(
        line
        for line in reversed(script)
        if line["type"] == "assistant" and not line.get("parent_tool_use_id")
    )
    last["message"] = {**last["message"], "stop_reason": stop}
    events = list(nbagent.iter_events(json.dumps(line) for line in script))
    ends = [e for e in events if isinstance(e, StepEnd) and e.step_id == last["message"]["id"]]
    assert [(e.finish_reason, e.raw_finish_reason) for e in ends] == [(finish, stop)]
