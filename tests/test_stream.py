"""The pipeline (Pipeline, iter_events, aiter_events), the text and events adapters,
format detection and the source helpers."""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbagent.adapters import (
    ADAPTERS,
    DETECTION_ORDER,
    EventsAdapter,
    TextAdapter,
    UnknownFormatError,
    adapter_for,
    detect_format,
)
from nbagent.core.events import (
    ErrorEvent,
    Event,
    NbagentError,
    RunEnd,
    RunStart,
    TextDelta,
    ToolCallArgsDelta,
    ToolCallStart,
    event_from_dict,
)
from nbagent.pipeline.stream import Pipeline, aiter_events, iter_events
from nbagent.sources import (
    SourceTypeError,
    aclose_source,
    check_source,
    close_source,
    is_async_source,
    source_format,
)
from nbagent.transcript.transcript import Transcript
from tests import aio


def kinds(events: list[Event]) -> list[str]:
    return [e.kind for e in events]


def arun(coro: Any) -> Any:
    return aio.run(coro)


async def collect(source: Any, **kw: Any) -> list[Event]:
    return [ev async for ev in aiter_events(source, **kw)]


def check_run(events: list[Event]) -> None:
    assert isinstance(events[0], RunStart)
    assert isinstance(events[-1], RunEnd)
    assert sum(isinstance(e, RunEnd) for e in events) == 1
    assert [e.seq for e in events] == list(range(1, len(events) + 1))


class Boom(RuntimeError):
    pass


# -- detection --------------------------------------------------------------------------------


def test_detect_format() -> None:
    assert detect_format("hi") == "text"
    assert detect_format(TextDelta(message_id="m", delta="x")) == "events"
    assert detect_format({"kind": "text_delta", "message_id": "m", "delta": "x"}) == "events"
    assert detect_format({"object": "chat.completion.chunk", "choices": []}) == "openai-chat"
    assert detect_format({"id": "", "object": "", "choices": [], "prompt_filter_results": []}) == (
        "openai-chat"
    )

    class Duck:
        object = "chat.completion.chunk"

    assert detect_format(Duck()) == "openai-chat"


def test_detect_unknown_names_the_item_and_the_formats() -> None:
    with pytest.raises(UnknownFormatError) as info:
        detect_format({"type": "mystery", "payload": 1})
    message = str(info.value)
    assert "dict" in message
    assert "mystery" in message
    for name in ADAPTERS:
        assert name in message
    assert "format=" in message
    assert isinstance(info.value, NbagentError)
    with pytest.raises(UnknownFormatError, match="int"):
        detect_format(3)


def test_registry_and_detection_order() -> None:
    assert {"events", "openai-chat", "text"} <= set(ADAPTERS)
    assert {cls.name for cls in DETECTION_ORDER} == set(ADAPTERS)
    assert DETECTION_ORDER[0] is EventsAdapter  # nbagent's own events before any wire format
    assert DETECTION_ORDER[-1] is TextAdapter  # any str: last
    with pytest.raises(UnknownFormatError, match="known formats"):
        adapter_for("nope")


# -- text and events adapters ----------------------------------------------------------------


def test_text_adapter() -> None:
    a = TextAdapter()
    assert a.feed("") == []
    out = a.feed("Hel")
    assert [(e.message_id, e.delta) for e in out if isinstance(e, TextDelta)] == [
        ("run:text1", "Hel")
    ]
    # bytes split inside a UTF-8 sequence
    data = "é!".encode()
    assert a.feed(data[:1]) == []
    out = a.feed(data[1:])
    assert isinstance(out[0], TextDelta)
    assert out[0].delta == "é!"
    assert a.end() == []
    with pytest.raises(NbagentError, match="str items"):
        a.feed(1.5)


def test_events_adapter_copies_objects_and_decodes_dicts_and_lines() -> None:
    a = EventsAdapter()
    ev = TextDelta(message_id="m", delta="x")
    (copied,) = a.feed(ev)
    assert copied == ev
    assert copied is not ev
    assert a.feed(ev.to_dict()) == [ev]
    assert a.feed(ev.to_json()) == [ev]
    assert a.feed(ev.to_json().encode()) == [ev]
    assert a.feed("   ") == []
    assert a.end() == []
    with pytest.raises(NbagentError):
        a.feed({"kind": "nope"})
    with pytest.raises(NbagentError, match="JSON lines"):
        a.feed(3)


# -- Pipeline -----------------------------------------------------------------------------------


def test_pipeline_detects_feeds_and_finishes() -> None:
    clock = iter(range(100, 1000)).__next__
    p = Pipeline(run_id="r1", title="My run", clock=lambda: float(clock()))
    assert p.format is None
    assert not p.ended
    first = p.feed("Hello")
    assert p.format == "text"
    assert kinds(first) == ["run_start", "message_start", "text_delta"]
    start = first[0]
    assert isinstance(start, RunStart)
    assert (start.title, start.run_id, start.source) == ("My run", "r1", "text")
    assert all(e.run_id == "r1" and e.ts >= 100 for e in first)
    p.feed(", world")
    end = p.finish()
    assert kinds(end) == ["message_end", "run_end"]
    assert p.ended
    assert p.feed("late") == []
    assert p.finish() == []
    assert p.fail(Boom()) == []
    assert p.cancel() == []


def test_pipeline_title_on_an_adapter_run_start() -> None:
    p = Pipeline("openai-chat", title="T")
    assert p.format == "openai-chat"
    out = p.feed({"id": "c1", "model": "m", "choices": []})
    start = out[0]
    assert isinstance(start, RunStart)
    assert (start.title, start.run_id, start.model) == ("T", "c1", "m")


def test_pipeline_unknown_format_name_raises_at_once() -> None:
    with pytest.raises(UnknownFormatError):
        Pipeline("nope")


def test_pipeline_detection_error_ends_the_run() -> None:
    p = Pipeline(title="T")
    out = p.feed(object())
    assert kinds(out) == ["run_start", "error", "run_end"]
    assert isinstance(out[0], RunStart)
    assert out[0].title == "T"
    assert isinstance(out[1], ErrorEvent)
    assert "UnknownFormatError" in out[1].message
    assert "format=" in out[1].message
    end = out[-1]
    assert isinstance(end, RunEnd)
    assert end.reason == "error"
    assert p.ended
    assert p.format is None


def test_pipeline_adapter_exception_ends_the_run_keeping_the_text() -> None:
    p = Pipeline()
    events = p.feed("kept")
    events += p.feed(42)  # the text adapter refuses an int
    t = Transcript.from_events(events)
    assert (t.text, t.status, t.end_reason) == ("kept", "error", "error")
    assert p.ended


def test_pipeline_cancel() -> None:
    p = Pipeline()
    events = p.feed("partial")
    events += p.cancel("stopped by user")
    t = Transcript.from_events(events)
    assert (t.text, t.status, t.end_reason) == ("partial", "cancelled", "cancelled")
    assert p.cancel() == []


def test_pipeline_fail_before_any_item() -> None:
    p = Pipeline(title="x")
    out = p.fail(Boom("no connection"))
    assert kinds(out) == ["run_start", "error", "run_end"]
    assert isinstance(out[1], ErrorEvent)
    assert "no connection" in out[1].message


def test_pipeline_finish_with_no_items() -> None:
    p = Pipeline()
    out = p.finish()
    assert kinds(out) == ["run_start", "run_end"]
    assert isinstance(out[-1], RunEnd)
    assert out[-1].reason == "completed"


def test_pipeline_stops_at_the_source_run_end() -> None:
    p = Pipeline()
    out = p.feed({"kind": "run_end", "reason": "tool_calls"})
    assert p.ended
    assert kinds(out) == ["run_start", "run_end"]
    assert p.feed({"kind": "text_delta", "message_id": "m", "delta": "x"}) == []


# -- iter_events ------------------------------------------------------------------------------


def test_iter_events_list_of_str() -> None:
    events = list(iter_events(["Hel", "", "lo"], title="T"))
    check_run(events)
    t = Transcript.from_events(events)
    assert (t.text, t.status, t.end_reason, t.title) == ("Hello", "completed", "completed", "T")


def test_iter_events_generator_of_str_is_closed() -> None:
    closed = []

    def gen() -> Iterator[str]:
        try:
            yield "a"
            yield "b"
        finally:
            closed.append(True)

    g = gen()
    events = list(iter_events(g))
    assert Transcript.from_events(events).text == "ab"
    assert closed == [True]


def test_iter_events_consumer_stopping_early_closes_the_source() -> None:
    closed = []

    def gen() -> Iterator[str]:
        try:
            while True:
                yield "x"
        finally:
            closed.append(True)

    it = iter_events(gen())
    next(it)
    next(it)
    it.close()  # type: ignore[attr-defined]
    assert closed == [True]


def test_iter_events_of_events_and_dicts_and_jsonl() -> None:
    evs: list[Event] = [
        RunStart(run_id="rec", model="m"),
        ToolCallStart(tool_call_id="t1", name="f"),
        ToolCallArgsDelta(tool_call_id="t1", delta='{"a":'),
        ToolCallArgsDelta(tool_call_id="t1", delta="1}"),
        TextDelta(message_id="m1", delta="done"),
        RunEnd(reason="completed"),
    ]
    for source, fmt in [
        (evs, "auto"),
        ([e.to_dict() for e in evs], "auto"),
        ([e.to_json() for e in evs], "events"),
    ]:
        events = list(iter_events(source, format=fmt))
        check_run(events)
        t = Transcript.from_events(events)
        assert t.text == "done"
        assert [(c.name, c.args) for c in t.tool_calls] == [("f", {"a": 1})]
        assert t.run_id == "rec"
    assert evs[2].seq == 0, "the caller's events are not stamped"


def test_iter_events_source_raising_mid_stream() -> None:
    closed = []

    def gen() -> Iterator[str]:
        try:
            yield "before "
            yield "the error"
            raise Boom("connection reset")
        finally:
            closed.append(True)

    events = list(iter_events(gen()))
    check_run(events)
    assert kinds(events)[-3:] == ["message_end", "error", "run_end"]
    t = Transcript.from_events(events)
    assert (t.text, t.status, t.end_reason) == ("before the error", "error", "error")
    assert t.error is not None
    assert "connection reset" in t.error["message"]
    assert closed == [True]


def test_iter_events_source_raising_at_once() -> None:
    def gen() -> Iterator[str]:
        raise Boom("401")
        yield ""  # pragma: no cover

    events = list(iter_events(gen()))
    assert kinds(events) == ["run_start", "error", "run_end"]


def test_iter_events_bad_sources_raise_at_call_time() -> None:
    with pytest.raises(SourceTypeError, match="iterable"):
        iter_events(42)
    with pytest.raises(SourceTypeError, match=r"\[text\]"):
        iter_events("hello")
    with pytest.raises(SourceTypeError, match="dict"):
        iter_events({"a": 1})

    async def agen() -> AsyncGenerator[str, None]:
        yield "x"

    a = agen()
    with pytest.raises(SourceTypeError, match="aiter_events"):
        iter_events(a)
    arun(a.aclose())
    with pytest.raises(UnknownFormatError):
        iter_events(["x"], format="nope")
    assert issubclass(SourceTypeError, TypeError)
    assert issubclass(SourceTypeError, NbagentError)


def test_iter_events_unknown_first_item() -> None:
    events = list(iter_events([object(), "x"]))
    t = Transcript.from_events(events)
    assert (t.status, t.end_reason) == ("error", "error")
    assert t.error is not None
    assert "format=" in t.error["message"]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=5),
            st.sampled_from(["RAISE", "EVENT_END", "BAD"]),
        ),
        max_size=12,
    )
)
def test_always_exactly_one_run_end(script: list[str]) -> None:
    def gen() -> Iterator[Any]:
        for item in script:
            if item == "RAISE":
                raise Boom("x")
            if item == "BAD":
                yield 7
            elif item == "EVENT_END":
                yield RunEnd(reason="completed")
            else:
                yield item

    events = list(iter_events(gen()))
    check_run(events)
    events = arun(collect(gen()))
    check_run(events)


# -- aiter_events ------------------------------------------------------------------------------


def test_aiter_events_async_generator() -> None:
    closed = []

    async def agen() -> AsyncIterator[str]:
        try:
            for piece in ["a", "b", "c"]:
                await asyncio.sleep(0)
                yield piece
        finally:
            closed.append(True)

    events = arun(collect(agen(), title="T"))
    check_run(events)
    t = Transcript.from_events(events)
    assert (t.text, t.status, t.title) == ("abc", "completed", "T")
    assert closed == [True]


def test_aiter_events_async_iterable_of_events_with_async_close() -> None:
    class Source:
        def __init__(self) -> None:
            self.closed = False
            self.items: list[Event] = [
                TextDelta(message_id="m", delta="x"),
                RunEnd(reason="max_tokens"),
            ]

        def __aiter__(self) -> Source:
            return self

        async def __anext__(self) -> Event:
            if not self.items:
                raise StopAsyncIteration
            return self.items.pop(0)

        async def close(self) -> None:  # like openai.AsyncStream.close
            self.closed = True

    src = Source()
    assert is_async_source(src)
    events = arun(collect(src))
    check_run(events)
    assert Transcript.from_events(events).end_reason == "max_tokens"
    assert src.closed


def test_aiter_events_source_raising_keeps_the_text() -> None:
    async def agen() -> AsyncIterator[str]:
        yield "partial"
        raise Boom("reset")

    events = arun(collect(agen()))
    check_run(events)
    t = Transcript.from_events(events)
    assert (t.text, t.status) == ("partial", "error")


def test_aiter_events_accepts_sync_iterables() -> None:
    closed = []

    def gen() -> Iterator[str]:
        try:
            yield "s"
        finally:
            closed.append(True)

    events = arun(collect(gen()))
    assert Transcript.from_events(events).text == "s"
    assert closed == [True]
    with pytest.raises(SourceTypeError):
        aiter_events(42)


def test_aiter_events_cancelled_task_closes_the_source() -> None:
    closed = []
    started = asyncio.Event

    async def main() -> None:
        ready = started()

        async def agen() -> AsyncIterator[str]:
            try:
                yield "a"
                ready.set()
                await asyncio.sleep(60)
                yield "never"
            finally:
                closed.append(True)

        async def consume() -> None:
            async for _ in aiter_events(agen()):
                pass

        task = asyncio.create_task(consume())
        await ready.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    arun(main())
    assert closed == [True]


# -- source helpers ------------------------------------------------------------------------------


def test_close_source_closes_a_generator() -> None:
    def gen() -> Generator[int, None, None]:
        yield 1
        yield 2

    g = gen()
    next(g)
    close_source(g)
    assert inspect.getgeneratorstate(g) == inspect.GEN_CLOSED
    close_source(object())  # nothing to close
    close_source([1, 2])

    class Broken:
        def close(self) -> None:
            raise OSError("already closed")

    close_source(Broken())  # swallowed


def test_close_source_on_an_async_close_does_not_leak_a_coroutine() -> None:
    made: list[Any] = []

    class A:
        def close(self) -> Any:  # an ``async def close``, keeping the coroutine it returns
            coro = self._close()
            made.append(coro)
            return coro

        async def _close(self) -> None:
            raise AssertionError("not awaited")

    close_source(A())
    # Closed unawaited: never run, and no "coroutine was never awaited" when it is collected.
    (coro,) = made
    assert inspect.getcoroutinestate(coro) == inspect.CORO_CLOSED


def test_aclose_source_variants() -> None:
    log: list[str] = []

    class WithAclose:
        async def aclose(self) -> None:
            log.append("aclose")

        async def close(self) -> None:
            log.append("close")

    class WithAsyncClose:
        async def close(self) -> None:
            log.append("async close")

    class WithSyncClose:
        def close(self) -> None:
            log.append("sync close")

    class Failing:
        async def aclose(self) -> None:
            raise OSError("boom")

    async def main() -> None:
        for obj in (WithAclose(), WithAsyncClose(), WithSyncClose(), Failing(), object()):
            await aclose_source(obj)

        async def agen() -> AsyncGenerator[int, None]:
            yield 1

        g = agen()
        await g.__anext__()
        await aclose_source(g)
        with pytest.raises(StopAsyncIteration):
            await g.__anext__()

    arun(main())
    assert log == ["aclose", "async close", "sync close"]


def test_check_source_and_is_async_source() -> None:
    check_source([1])
    check_source(iter([]))

    async def agen() -> AsyncGenerator[int, None]:
        yield 1

    a = agen()
    check_source(a)
    assert is_async_source(a)
    assert not is_async_source([1])
    arun(a.aclose())
    for bad in (None, 3, b"x", {"k": 1}):
        with pytest.raises(SourceTypeError, match="iterable"):
            check_source(bad)


def test_jsonl_recording_round_trip() -> None:
    events = list(iter_events(["Hi", " there"]))
    recording = [json.loads(e.to_json()) for e in events]
    replayed = list(iter_events(recording))
    assert Transcript.from_events(replayed).text == "Hi there"
    assert [e.kind for e in replayed] == [e.kind for e in events]


class _Declared(list):  # type: ignore[type-arg]
    """A source that knows its wire format, like nbagent.sse(url, format=...)."""

    nbagent_format = "events"


def test_a_source_may_declare_its_format() -> None:
    # JSON lines of events: detection alone would take the strings for answer text.
    lines = _Declared(
        [TextDelta(message_id="m", delta=w).to_json() for w in ("declared ", "events")]
    )
    events = list(iter_events(lines))
    assert "".join(e.delta for e in events if isinstance(e, TextDelta)) == "declared events"
    assert source_format(lines, "text") == "text"  # the caller's word wins
    assert source_format(object(), "auto") == "auto"


_INVALID_UTF8 = {
    "text": [b"ok \xff", b"\xe2\x82", b"\xac"],
    "events": [b'{"kind": "text_delta", "message_id": "m", "delta": "ok \xff\xe2\x82\xac"}'],
    "openai-chat": [
        b'data: {"id": "c", "object": "chat.completion.chunk", "choices": [{"index": 0, '
        b'"delta": {"content": "ok \xff\xe2\x82\xac"}, "finish_reason": "stop"}]}',
        b"data: [DONE]",
    ],
    "chunk-sse": [b'data: {"chunk": "ok \xff\xe2\x82\xac"}', b"[DONE]"],
}


@pytest.mark.parametrize("fmt", sorted(_INVALID_UTF8))
def test_invalid_utf8_in_bytes_items_becomes_replacement_characters(fmt: str) -> None:
    t = Transcript.from_events(iter_events(_INVALID_UTF8[fmt], format=fmt))
    assert t.text == "ok \ufffd€"
    assert t.status == "completed"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_json_with_no_json_value_is_an_unreadable_chunk(constant: str) -> None:
    # Python's json reads NaN and friends; the browser cannot be sent them.
    lines = ['{"chunk": "a"}', f'{{"chunk": "x", "n": {constant}}}', '{"chunk": "b"}', "[DONE]"]
    t = Transcript.from_events(iter_events(lines, format="chunk-sse"))
    assert (t.text, t.status, len(t.warnings)) == ("ab", "completed", 1)
    json.dumps(t.to_dict(), allow_nan=False)
    with pytest.raises(NbagentError, match="not valid JSON"):
        list(EventsAdapter().feed(f'{{"kind": "run_end", "ts": {constant}}}'))


def test_a_lone_surrogate_escape_is_read_as_a_replacement_character() -> None:
    lines = ['{"chunk": "a\\ud800b"}', '{"chunk": " \\ud83d\\ude00"}', "[DONE]"]
    t = Transcript.from_events(iter_events(lines, format="chunk-sse"))
    assert t.text == "a\ufffdb 😀"


def test_a_lone_surrogate_escape_in_tool_arguments_is_read_as_a_replacement_character() -> None:
    """Found by tests/fuzz: arguments parsed with ``json.loads`` kept a lone surrogate, which
    no message to the browser can carry."""
    call = {"name": "add", "arguments": '{"delta": "\\ud800"}', "id": "c1"}
    t = Transcript.from_events(iter_events([call], format="smolagents"))
    assert t.tool_calls[0].args == {"delta": "\ufffd"}


@pytest.mark.parametrize(
    ("record", "complaint"),
    [
        ({"kind": "text_delta", "message_id": "m", "delta": 5}, "delta must be str, got 5"),
        ({"kind": "usage", "input_tokens": True}, "input_tokens must be int | None"),
        ({"kind": "run_end", "ts": float("nan")}, "ts must be float, got nan"),
        ({"kind": "message_start", "message_id": ["m"]}, "message_id must be str"),
    ],
)
def test_event_records_of_the_wrong_types_are_refused_and_skipped(
    record: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(NbagentError, match=re.escape(complaint)):
        event_from_dict(record)
    # In a stream of events (a recording, a WebSocket) such a record is skipped with a warning.
    ok = TextDelta(message_id="m", delta="kept").to_dict()
    t = Transcript.from_events(iter_events([ok, record, ok], format="events"))
    assert (t.text, t.status, len(t.warnings)) == ("keptkept", "completed", 1)
    assert complaint in t.warnings[0]["message"]


@pytest.mark.parametrize("kind", [[], {}, 3, None])
def test_a_first_item_with_an_odd_kind_is_no_format_and_nothing_raises(kind: Any) -> None:
    # Found by fuzzing: {"kind": []} made detection raise TypeError out of Pipeline.feed.
    with pytest.raises(UnknownFormatError):
        detect_format({"kind": kind})
    t = Transcript.from_events(iter_events([{"kind": kind}]))
    assert (t.status, t.end_reason) == ("error", "error")
