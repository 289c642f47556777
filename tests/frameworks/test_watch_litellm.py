"""``nbagent.watch()`` and LiteLLM: its ``CustomLogger`` callbacks, against LiteLLM's own
``mock_response`` fakes and its OpenAI provider talking to a local Chat Completions server
(real usage, and a cost: ``gpt-4o-mini`` is in LiteLLM's price map). The expected values are
read from the response LiteLLM returned."""

from __future__ import annotations

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no fetch of the price list

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.frameworks.conftest import need

litellm = need("litellm")

import nbagent  # noqa: E402
from nbagent.apps import watch as _watch  # noqa: E402
from nbagent.core.events import MessageEnd  # noqa: E402
from nbagent.sources.hooks.litellm import LISTS, LiteLLMHook  # noqa: E402
from tests import aio  # noqa: E402
from tests.servers import OpenAIServer, Reply, chunk, usage_chunk  # noqa: E402
from tests.wait import PATIENCE, wait_for  # noqa: E402

litellm.telemetry = False
pytestmark = pytest.mark.filterwarnings(
    # LiteLLM's async logging worker drops what a finished loop left queued (aio.run's loops)
    "ignore:coroutine 'Logging.async_success_handler' was never awaited:RuntimeWarning"
)
MESSAGES = [{"role": "user", "content": "Weather in Oslo?"}]
CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
}


def registry() -> dict[str, Any]:
    """Every list LiteLLM keeps callbacks in (copies), and the one list object a hook may put
    back (``litellm.utils.callback_list``). The others are compared by what they hold: a hook
    only appends to them and removes from them, while LiteLLM itself may put new lists in
    their place (seen once under load: seven new, empty lists at once, with no hook's
    callback in them)."""
    from litellm.litellm_core_utils import litellm_logging

    lists = {name: getattr(litellm, name) for name in LISTS}
    return {
        "ids": {"utils.callback_list": id(litellm.utils.callback_list)},
        "items": {name: list(value) for name, value in lists.items()}
        | {"utils.callback_list": list(litellm.utils.callback_list)},
        "customLogger": litellm_logging.customLogger,
    }


@pytest.fixture(autouse=True)
def untouched() -> Iterator[dict[str, Any]]:
    """LiteLLM's registry is exactly as before each test, after it. One exception: LiteLLM
    makes its own default ``customLogger`` (a plain ``CustomLogger``) lazily, in the worker
    thread that logs a call's success, which may finish after the block has put the registry
    back (seen on a loaded machine); that object is LiteLLM's, not a hook's."""
    from litellm.integrations.custom_logger import CustomLogger

    before = registry()
    yield before
    after = registry()
    if before["customLogger"] is None and type(after["customLogger"]) is CustomLogger:
        after["customLogger"] = None
    assert after == before


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    script = [
        chunk("", role="assistant"),
        chunk("Sunny, "),
        chunk("18 °C."),
        chunk(finish_reason="stop"),
        usage_chunk(11, 7),
    ]
    with OpenAIServer(script) as srv:
        yield srv


def via(srv: OpenAIServer) -> dict[str, Any]:
    return {"model": "openai/gpt-4o-mini", "api_base": srv.base_url, "api_key": "test"}


def step_of(run: nbagent.Run, i: int = 0) -> dict[str, Any]:
    steps = run.transcript.to_dict()["steps"]
    step: dict[str, Any] = steps[i]
    return step


@contextlib.contextmanager
def counting_logger() -> Iterator[Any]:
    """A user's own ``CustomLogger``, registered after any other, counting the successes
    LiteLLM reports to it (``.calls``); taken out of every list after, LiteLLM's copies too."""
    from litellm.integrations.custom_logger import CustomLogger

    class Counting(CustomLogger):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.calls = 0

        def log_success_event(
            self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
        ) -> None:  # LiteLLM passes these by name
            self.calls += 1

    mine = Counting()
    callback_list = litellm.utils.callback_list
    litellm.callbacks.append(mine)
    try:
        yield mine
    finally:
        for name in LISTS:
            items = getattr(litellm, name)
            while mine in items:
                items.remove(mine)
        litellm.utils.callback_list = callback_list


def test_completion_text_usage_cost_and_times(server: OpenAIServer) -> None:
    with nbagent.watch(title="Weather") as run:
        response = litellm.completion(messages=MESSAGES, **via(server))
    t = run.transcript
    assert t.status == "completed"
    assert t.text == response.choices[0].message.content == "Sunny, 18 °C."
    state = t.to_dict()
    (step,) = state["steps"]
    assert step["name"] == "gpt-4o-mini"
    assert step["finish_reason"] == "completed"
    assert step["started_at"] <= step["ended_at"]
    usage = response.usage
    assert step["usage"]["input_tokens"] == usage.prompt_tokens == 11
    assert step["usage"]["output_tokens"] == usage.completion_tokens == 7
    cost = response._hidden_params["response_cost"]
    assert cost > 0
    assert state["cost_usd"] == pytest.approx(cost)
    assert state["whole"] is True  # LiteLLM shows a response only once it is complete
    (text,) = [b for b in state["blocks"] if b["type"] == "text"]
    assert text["text"] == response.choices[0].message.content


def test_the_success_reported_after_completion_returned_lands_in_the_run() -> None:
    hooks: list[LiteLLMHook] = []
    original_ended, original_busy = LiteLLMHook.ended, LiteLLMHook.busy
    leaving = threading.Event()

    def busy(self: LiteLLMHook) -> bool:
        leaving.set()  # asked once the block's code is done: the block is leaving
        return original_busy(self)

    def late(self: LiteLLMHook, *args: Any, **kwargs: Any) -> None:
        hooks.append(self)
        # LiteLLM's thread pool, slow: the block has begun to leave, whatever the scheduling.
        leaving.wait(PATIENCE)
        original_ended(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(LiteLLMHook, "ended", late)
        mp.setattr(LiteLLMHook, "busy", busy)
        mp.setattr(_watch, "SETTLE_S", PATIENCE)  # the wait is the test, not its length
        with nbagent.watch() as run:
            r1 = litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="one")
            r2 = litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="two")
            returned = time.time()
    assert hooks  # the pool's thread reported through the hook
    t = run.transcript
    assert t.status == "completed"
    steps = t.to_dict()["steps"]
    assert len(steps) == 2  # two calls, two steps
    assert all(s["ended_at"] is not None and s["usage"] for s in steps)
    assert t.text.replace("\n", "") == (
        r1.choices[0].message.content + r2.choices[0].message.content
    )
    texts = [b for b in t.to_dict()["blocks"] if b["type"] == "text"]
    assert [b["text"] for b in texts] == ["one", "two"]
    assert t.to_dict()["ended_at"] >= returned


def test_tool_calls_and_their_results_from_the_next_call() -> None:
    with nbagent.watch() as run:
        asked = litellm.completion(
            model="gpt-4o-mini", messages=MESSAGES, mock_response="", mock_tool_calls=[CALL]
        )
        (call,) = asked.choices[0].message.tool_calls
        followup = [
            *MESSAGES,
            asked.choices[0].message.model_dump(),
            {"role": "tool", "tool_call_id": call.id, "content": "sunny, 18 °C"},
        ]
        final = litellm.completion(
            model="gpt-4o-mini", messages=followup, mock_response="It is sunny."
        )
    t = run.transcript
    assert t.status == "completed"
    (tool,) = t.tool_calls
    assert (tool.id, tool.name) == (call.id, call.function.name)
    assert tool.args == json.loads(call.function.arguments)
    assert tool.result == "sunny, 18 °C"
    assert t.text == final.choices[0].message.content
    assert len(t.to_dict()["steps"]) == 2


def test_thinking_and_reasoning_tokens_are_not_answer_text() -> None:
    body = {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "o-test",
        "choices": [{
            "index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": "42.", "reasoning_content": "6 x 7"},
        }],
        "usage": {
            "prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14,
            "completion_tokens_details": {"reasoning_tokens": 4},
        },
    }  # fmt: skip
    with OpenAIServer(scripts=[Reply(200, body)]) as srv, nbagent.watch() as run:
        response = litellm.completion(
            model="openai/o-test", messages=MESSAGES, api_base=srv.base_url, api_key="test"
        )
    t = run.transcript
    message = response.choices[0].message
    assert t.text == message.content == "42."
    assert t.thinking == message.reasoning_content == "6 x 7"
    usage = step_of(run)["usage"]
    assert usage["reasoning_tokens"] == response.usage.completion_tokens_details.reasoning_tokens
    assert usage["reasoning_tokens"] == 4


def test_a_stream_shows_whole_at_its_end(server: OpenAIServer) -> None:
    with nbagent.watch() as run:
        pieces = [
            c.choices[0].delta.content or ""
            for c in litellm.completion(messages=MESSAGES, stream=True, **via(server))
        ]
    t = run.transcript
    assert t.status == "completed"
    assert t.text == "".join(pieces) == "Sunny, 18 °C."
    assert t.to_dict()["whole"] is True
    assert len(t.to_dict()["steps"]) == 1


def test_async_calls_in_async_with(server: OpenAIServer) -> None:
    async def main() -> tuple[Any, Any, nbagent.Run]:
        async with nbagent.watch() as run:
            first = await litellm.acompletion(messages=MESSAGES, **via(server))
            second = await litellm.acompletion(
                model="gpt-4o-mini", messages=MESSAGES, mock_response="Second."
            )
        return first, second, run

    first, second, run = aio.run(main())
    t = run.transcript
    assert t.status == "completed"
    texts = [b["text"] for b in t.to_dict()["blocks"] if b["type"] == "text"]
    assert texts == [first.choices[0].message.content, second.choices[0].message.content]
    steps = t.to_dict()["steps"]
    assert len(steps) == 2
    assert steps[0]["usage"]["input_tokens"] == first.usage.prompt_tokens
    assert t.to_dict()["cost_usd"] > 0


def test_an_await_inside_a_sync_with_on_the_same_loop() -> None:
    """A cell's top-level ``await`` in a ``with`` block: the block's end blocks the loop that
    would report the success; the hook gets it from LiteLLM's thread pool instead."""

    async def main() -> tuple[Any, nbagent.Run]:
        with nbagent.watch() as run:
            response = await litellm.acompletion(
                model="gpt-4o-mini", messages=MESSAGES, mock_response="From the pool."
            )
        return response, run

    # A block that waited for a success only this (blocked) loop could report would give up
    # at the settle deadline without it: the text would be missing, however long the wait.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_watch, "SETTLE_S", PATIENCE)
        response, run = aio.run(main())
    assert run.transcript.status == "completed"
    assert run.transcript.text == response.choices[0].message.content


def test_a_failing_call_raises_the_same_exception_and_ends_the_run_error() -> None:
    seen: list[BaseException] = []

    def block() -> nbagent.Run:
        with nbagent.watch() as run:
            runs.append(run)
            try:
                litellm.completion(
                    model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("boom")
                )
            except BaseException as exc:
                seen.append(exc)
                raise
        return run

    runs: list[nbagent.Run] = []
    with pytest.raises(litellm.exceptions.InternalServerError) as info:
        block()
    (run,) = runs
    assert info.value is seen[0]
    assert "boom" in str(info.value)
    t = run.transcript
    assert t.status == "error"
    assert t.to_dict()["error"]["error_type"] == "InternalServerError"
    (step,) = t.to_dict()["steps"]
    assert step["finish_reason"] == "error"
    assert any("boom" in w["message"] for w in t.to_dict()["warnings"])


def test_an_async_failure_ends_the_run_error() -> None:
    runs: list[nbagent.Run] = []
    seen: list[BaseException] = []

    async def main() -> None:
        async with nbagent.watch() as run:
            runs.append(run)
            try:
                await litellm.acompletion(
                    model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("async boom")
                )
            except BaseException as exc:
                seen.append(exc)
                raise

    with pytest.raises(litellm.exceptions.InternalServerError, match="async boom") as info:
        aio.run(main())
    assert info.value is seen[0]
    (run,) = runs
    assert run.transcript.status == "error"
    assert run.transcript.to_dict()["steps"][0]["finish_reason"] == "error"


def test_a_caught_failure_is_a_warning_and_the_block_goes_on() -> None:
    with nbagent.watch() as run:
        with pytest.raises(litellm.exceptions.InternalServerError):
            litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("x"))
        ok = litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="fine")
    t = run.transcript
    assert t.status == "completed"
    assert t.text == ok.choices[0].message.content
    assert [s["finish_reason"] for s in t.to_dict()["steps"]] == ["error", "completed"]


def test_hooks_removed_also_when_the_block_raises(untouched: dict[str, Any]) -> None:
    runs: list[nbagent.Run] = []

    def block() -> None:
        with nbagent.watch() as run:
            runs.append(run)
            litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="a")
            assert registry() != untouched  # installed, and copied by LiteLLM's first call
            raise ValueError("mine")

    with pytest.raises(ValueError, match="mine"):
        block()
    (run,) = runs
    assert registry() == untouched
    assert run.transcript.status == "error"
    events = len(run.events)
    with counting_logger() as last:
        litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="after")
        # LiteLLM tells its loggers of a success one after the other, in the order they were
        # registered: once the last one has heard of the call, a hook left behind had too.
        wait_for(lambda: last.calls == 1, what="the later call's success, logged")
    assert len(run.events) == events
    assert len(run.transcript.to_dict()["steps"]) == 1


def test_a_users_own_logger_stays_registered() -> None:
    with counting_logger() as mine:
        litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="warm")
        # LiteLLM reports a call's success from its logging threads, after the call returned:
        # once the last logger heard of it, a watch started now cannot (run 24 saw it late).
        wait_for(lambda: mine.calls == 1, what="the warm call's success, logged")
        before = registry()
        with nbagent.watch() as run:
            litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="in")
        assert registry() == before
        assert run.transcript.text == "in"
        wait_for(lambda: mine.calls >= 2, what="both calls, logged by the user's logger")
        assert mine.calls == 2


def test_two_blocks_in_two_threads_keep_their_calls_apart() -> None:
    import threading

    runs: dict[str, nbagent.Run] = {}

    def block(word: str) -> None:
        with nbagent.watch() as run:
            for _ in range(3):
                litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response=word)
                time.sleep(0.01)
        runs[word] = run

    threads = [threading.Thread(target=block, args=(w,)) for w in ("alpha", "beta")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for word, run in runs.items():
        texts = [b["text"] for b in run.transcript.to_dict()["blocks"] if b["type"] == "text"]
        assert texts == [word] * 3


def test_overlapping_blocks_put_the_registry_back_whichever_leaves_first() -> None:
    """The interleaving that left a logger behind on a loaded machine, in a fixed order: the
    first block's call makes LiteLLM build ``utils.callback_list``, the second block starts,
    the first leaves, the second calls and leaves (the autouse ``untouched`` checks)."""
    called, second_entered, first_left = threading.Event(), threading.Event(), threading.Event()
    runs: dict[str, nbagent.Run] = {}

    def first() -> None:
        with nbagent.watch() as run:
            litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="a")
            called.set()
            second_entered.wait(PATIENCE)
        runs["first"] = run
        first_left.set()

    def second() -> None:
        called.wait(PATIENCE)
        with nbagent.watch() as run:
            second_entered.set()
            first_left.wait(PATIENCE)
            litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="b")
        runs["second"] = run

    threads = [threading.Thread(target=f) for f in (first, second)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(PATIENCE)
    texts = {
        name: [b["text"] for b in run.transcript.to_dict()["blocks"] if b["type"] == "text"]
        for name, run in runs.items()
    }
    assert texts == {"first": ["a"], "second": ["b"]}


@pytest.fixture
def routers() -> Iterator[None]:
    """A ``Router`` registers callbacks of its own in LiteLLM's lists: put them back after."""
    from litellm.litellm_core_utils import litellm_logging

    lists = {name: list(getattr(litellm, name)) for name in LISTS}
    callback_list, custom = litellm.utils.callback_list, litellm_logging.customLogger
    yield
    for name, items in lists.items():
        getattr(litellm, name)[:] = items
    litellm.utils.callback_list, litellm_logging.customLogger = callback_list, custom


def test_watch_of_an_object_is_not_offered(routers: None) -> None:
    router = litellm.Router(
        model_list=[{"model_name": "m", "litellm_params": {"model": "gpt-4o-mini"}}]
    )
    assert not LiteLLMHook.can_watch(router)
    with pytest.raises(TypeError, match=r"with nbagent\.watch"):
        nbagent.watch(router)


def test_a_router_call_shows_in_a_block(routers: None) -> None:
    router = litellm.Router(
        model_list=[
            {"model_name": "m", "litellm_params": {"model": "gpt-4o-mini", "mock_response": "R"}}
        ]
    )
    before = registry()

    async def main() -> tuple[Any, nbagent.Run]:
        async with nbagent.watch() as run:
            response = await router.acompletion(model="m", messages=MESSAGES)
        return response, run

    response, run = aio.run(main())
    assert registry() == before
    assert run.transcript.text == response.choices[0].message.content == "R"


def test_thinking_blocks_with_signatures_and_redacted_ones() -> None:
    """Anthropic's thinking as LiteLLM gives it (``thinking_blocks``), read off LiteLLM's own
    response type: a thinking message per block, the signature kept, a redacted block empty."""
    from nbagent.adapters.hooks import HookRecord, HooksAdapter

    response = litellm.ModelResponse(
        model="claude-test",
        choices=[
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {
                    "role": "assistant",
                    "content": "Paris.",
                    "reasoning_content": "The capital of France.",
                    "thinking_blocks": [
                        {
                            "type": "thinking",
                            "thinking": "The capital of France.",
                            "signature": "sig",
                        },
                        {"type": "redacted_thinking", "data": "opaque"},
                    ],
                },
            }
        ],
    )
    adapter = HooksAdapter()
    data = {"call_id": "c1", "model": "claude-test", "response": response, "end_time": 2.0}
    events = adapter.feed(HookRecord("litellm", "success", data, 3.0, "c1", True))
    t = nbagent.Transcript.from_events(list(nbagent.iter_events(iter(events), format="events")))
    message = response.choices[0].message
    assert t.text == message.content
    assert t.thinking == message.reasoning_content
    thinking = [b for b in t.to_dict()["blocks"] if b["type"] == "thinking"]
    assert [b.get("redacted", False) for b in thinking] == [False, True]
    ends = [e for e in events if isinstance(e, MessageEnd) and e.channel == "thinking"]
    assert [(e.signature, e.encrypted_value) for e in ends] == [("sig", None), (None, "opaque")]


def test_stop_cancels_the_awaited_call_at_once() -> None:
    asked, answer = threading.Event(), threading.Event()

    def slow(body: dict[str, Any]) -> list[Any]:
        asked.set()
        answer.wait(PATIENCE)  # answers only once the test is over (or gave up)
        return [chunk("late", role="assistant"), chunk(finish_reason="stop")]

    async def main(srv: OpenAIServer) -> tuple[nbagent.Run, bool]:
        async def stop(run: nbagent.Run) -> None:
            await asyncio.to_thread(asked.wait, PATIENCE)  # the call is in flight
            run.cancel()

        returned = False
        async with nbagent.watch() as run:
            stopper = asyncio.get_running_loop().create_task(stop(run))
            await litellm.acompletion(messages=MESSAGES, **via(srv))
            returned = True  # only if the Stop did not cut the call: its answer came
        await stopper
        return run, returned

    with OpenAIServer(slow) as srv:
        try:
            run, returned = aio.run(main(srv))
        finally:
            answer.set()
    assert run.transcript.status == "cancelled"
    assert not returned  # cut, not waited for


def test_each_calls_reported_cost_is_its_steps_and_the_run_is_their_sum(
    server: OpenAIServer,
) -> None:
    """LiteLLM's ``response_cost`` wins over nbagent's price table, per call (issue 19)."""
    from nbagent.transcript.export.formats import format_cost
    from nbagent.transcript.export.status import step_lines

    with nbagent.watch() as run:
        responses = [litellm.completion(messages=MESSAGES, **via(server)) for _ in range(2)]
    state = run.transcript.to_dict()
    costs = [r._hidden_params["response_cost"] for r in responses]
    assert all(c > 0 for c in costs)
    steps = state["steps"]
    assert [s["cost_usd"] for s in steps] == pytest.approx(costs)
    assert [s["cost_source"] for s in steps] == ["reported", "reported"]
    assert state["cost_usd"] == pytest.approx(sum(costs))
    assert [line.split(" · ")[-2] for line in step_lines(state)] == [format_cost(c) for c in costs]
