"""The read loop: a source's items through a ``Pipeline`` (``feed``) or a run's sink.

``pump`` (sync) and ``apump`` (async) are the one read loop: ``iter_events`` /
``aiter_events`` run them over a ``Pipeline``, a run's ``Driver`` (``nbagent.runtime``) over
its ``RunSink``, on a thread or a loop task so that Stop can interrupt between items. They
always end with exactly one ``run_end``; an exception raised by the source ends the run with
``error`` + ``run_end(error)`` instead of propagating; the source is closed at the end.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import Any, Protocol

from nbagent.core.events import Event, RunEnd
from nbagent.core.threads import THREADLESS, NotReady
from nbagent.pipeline.feed import Pipeline
from nbagent.sources import (
    SourceTypeError,
    aclose_source,
    check_source,
    close_source,
    is_async_source,
    resolve_source,
    source_format,
    tool_servers,
    watch_done,
)

__all__ = ["Pipeline", "Sink", "aiter_events", "apump", "iter_events", "pipeline_for", "pump"]


def _sync_iterator(source: Any) -> Iterator[Any]:
    check_source(source)
    if not hasattr(source, "__iter__") and not hasattr(source, "__getitem__"):
        raise SourceTypeError(
            f"{type(source).__name__} is an async source; use nbagent.aiter_events() "
            "(or nbagent.show(), which reads async sources on the kernel's loop)"
        )
    return iter(source)


class Sink(Protocol):
    """What the one read loop feeds: a ``Pipeline``, or a run's runtime that folds and sends
    what the pipeline returns (under the lock that makes a Stop from another thread safe)."""

    def feed(self, item: Any) -> list[Event]: ...
    def finish(self) -> list[Event]: ...
    def fail(self, exc: BaseException) -> list[Event]: ...

    @property
    def ended(self) -> bool: ...


def pump(source: Any, iterator: Iterator[Any], sink: Sink) -> Iterator[Event | NotReady]:
    """The one loop that reads a sync source: each item into ``sink``, its events out, and
    a source's ``NotReady`` as it is (without threads, where it would have blocked).

    Ends after the run's ``run_end``: the source exhausted (``finish``), raising (``fail``)
    or the sink ended by someone else (a Stop). Closes the iterator and the source.
    """
    try:
        while True:
            try:
                item = next(iterator)
            except StopIteration:
                break
            except Exception as exc:  # noqa: BLE001 - a failing source ends the run
                yield from sink.fail(exc)
                return
            if type(item) is NotReady:
                yield item
                continue
            events = sink.feed(item)
            if len(events) == 1:  # once per token: no list iterator for one event
                yield events[0]
            else:
                yield from events
            # The run ended iff its last event is the run_end (cheaper than .ended per token).
            if events:
                if type(events[-1]) is RunEnd:
                    return
            elif sink.ended:
                return
        yield from sink.finish()
    finally:
        if iterator is not source:
            close_source(iterator)
        close_source(source)


async def apump(
    source: Any, iterator: AsyncIterator[Any], sink: Sink
) -> AsyncGenerator[Event, None]:
    """``pump`` for an async source. A cancellation (``CancelledError``) is not caught: it
    goes to whoever drives the loop, after the source is closed on its own loop."""
    try:
        while True:
            try:
                item = await anext(iterator)
            except StopAsyncIteration:
                break
            except Exception as exc:  # noqa: BLE001 - a failing source ends the run
                for ev in sink.fail(exc):
                    yield ev
                return
            events = sink.feed(item)
            for ev in events:
                yield ev
            if events:
                if type(events[-1]) is RunEnd:
                    return
            elif sink.ended:
                return
        for ev in sink.finish():
            yield ev
    finally:
        # Closed here, on its loop: an async generator left to the garbage collector is
        # finalized after its loop has gone and cannot run its cleanup.
        if iterator is not source:
            await aclose_source(iterator)
        await aclose_source(source)


def pipeline_for(source: Any, format: str = "auto", **kw: Any) -> Pipeline:  # noqa: A002
    """The pipeline of a resolved source: in the format given, else the one it declares; with
    the lookup of its tools' MCP servers when it holds one (``sources.tool_servers``)."""
    return Pipeline(
        source_format(source, format),
        tool_servers=tool_servers(source),
        swallowed=watch_done(source),
        **kw,
    )


def iter_events(source: Any, format: str = "auto", **kw: Any) -> Iterator[Event]:  # noqa: A002
    """Normalized events of a sync source; always ends with one ``run_end``.

    ``kw`` goes to ``Pipeline`` (``run_id``, ``title``, ``clock``). Raises at once
    ``SourceTypeError`` for something that is not a stream and ``UnknownFormatError``
    for an unknown ``format`` name; everything later ends the run instead of raising.
    """
    source = resolve_source(source)
    pipeline = pipeline_for(source, format, **kw)
    return _blocking(pump(source, _sync_iterator(source), pipeline))


def _blocking(events: Iterator[Event | NotReady]) -> Iterator[Event]:
    """The events of ``pump``, its ``NotReady`` waited for here (a source that would be
    woken by a run's controls cannot be: there is no run)."""
    for item in events:
        if not isinstance(item, NotReady):
            yield item
        elif item.delay_s is None:
            raise RuntimeError(f"{THREADLESS}: this source waits for a run's controls; show() it")
        else:
            time.sleep(item.delay_s)


def aiter_events(source: Any, format: str = "auto", **kw: Any) -> AsyncIterator[Event]:  # noqa: A002
    """Normalized events of an async (or sync) source; always ends with one ``run_end``.

    A sync iterable is read inline on the loop (fine for lists; a blocking source such
    as an OpenAI ``Stream`` would block the loop while it waits).
    """
    source = resolve_source(source)
    pipeline = pipeline_for(source, format, **kw)
    check_source(source)
    if is_async_source(source):
        return apump(source, aiter(source), pipeline)
    return _as_async(pump(source, iter(source), pipeline))


async def _as_async(events: Iterator[Event | NotReady]) -> AsyncIterator[Event]:
    """A sync event iterator as an async one; closing it closes the source."""
    try:
        for ev in events:
            if isinstance(ev, NotReady):
                if ev.delay_s is None:
                    raise RuntimeError(f"{THREADLESS}: this source waits for a run's controls")
                import asyncio  # only here: an async consumer has loaded it

                await asyncio.sleep(ev.delay_s)
            else:
                yield ev
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()
