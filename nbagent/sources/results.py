"""A library's run object that is not a stream itself, read through its stream method.

``nbagent.show(Runner.run_streamed(agent, input))`` gets the OpenAI Agents SDK's
``RunResultStreaming``: its events come from ``result.stream_events()``, and stopping the
run means ``result.cancel()``. ``resolve_source`` turns such an object into the stream to
read, wrapped so that closing it before the end (Stop, a re-run cell, an error) cancels
the library's run. Types are recognized by name and module (``nbagent.core.values.type_is``):
nothing here imports a framework.

A library's stream may also come as a context manager whose ``__enter__`` (``__aenter__``)
makes the request and returns the stream: ``nbagent.show(client.messages.stream(...))`` gets
anthropic's ``MessageStreamManager``. ``MANAGER_TYPES`` lists them; the stream is entered
when reading starts and exited when it ends or is closed (which closes the response).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from nbagent.core.values import type_is

__all__ = ["MANAGER_TYPES", "RESULT_TYPES", "ManagerType", "ResultType", "resolve_source"]


@dataclass(frozen=True, slots=True)
class ResultType:
    """A library's run object: where it is defined, how to stream it, how to stop it."""

    package: str
    """The top-level package that defines it, e.g. ``"agents"``."""
    names: tuple[str, ...]
    """Its class names (a subclass of one counts)."""
    stream: str
    """The method that returns its events (a sync or async iterator)."""
    cancel: str | None = None
    """The method that stops the library's run, called when the stream is closed early."""
    format: str = "auto"
    """The adapter that reads its events (``nbagent_format`` of the stream), or detection."""
    cancel_timeout: float | None = None
    """The ``timeout`` given to ``cancel`` where it takes one: how long the library's run may
    take to end gracefully before the library cancels it hard."""


RESULT_TYPES: tuple[ResultType, ...] = (
    # cancel_run() waits 5 s by default, then cancels the run's task: on a loaded machine a
    # graceful stop took longer, and the run ended in CancelledError, not WorkflowCancelledByUser.
    ResultType(
        "workflows", ("WorkflowHandler",), "stream_events", "cancel_run", "llama-index", 30.0
    ),
    ResultType("agents", ("RunResultStreaming",), "stream_events", "cancel", "openai-agents"),
)
"""Every run object ``resolve_source`` knows, most specific first."""


@dataclass(frozen=True, slots=True)
class ManagerType:
    """A library's context manager that makes a request and gives its stream on entering."""

    package: str
    """The top-level package that defines it, e.g. ``"anthropic"``."""
    names: tuple[str, ...]
    """Its class names (a subclass of one counts); sync (``__enter__``) or async
    (``__aenter__``) alike."""
    format: str = "auto"
    """The adapter that reads the stream it gives, or detection."""


MANAGER_TYPES: tuple[ManagerType, ...] = (
    ManagerType(
        "anthropic",
        (
            "MessageStreamManager",
            "AsyncMessageStreamManager",
            "BetaMessageStreamManager",
            "BetaAsyncMessageStreamManager",
        ),
        "anthropic",
    ),
    # agent.run_stream_events(): its events are what it enters; exiting it stops the run
    ManagerType("pydantic_ai", ("_RunStreamEventsContext",), "pydantic-ai"),
)
"""Every stream context manager ``resolve_source`` knows."""


def resolve_source(obj: Any) -> Any:
    """The stream to read for ``obj``: its events when it is a known library run object or
    stream context manager, else ``obj`` itself (checked by ``check_source`` afterwards)."""
    if hasattr(obj, "__iter__") or hasattr(obj, "__aiter__"):
        return obj
    for kind in RESULT_TYPES:
        if type_is(obj, kind.package, *kind.names):
            stream = getattr(obj, kind.stream)()
            cancel = getattr(obj, kind.cancel) if kind.cancel else None
            if cancel is not None and kind.cancel_timeout is not None and _takes_timeout(cancel):
                cancel = functools.partial(cancel, timeout=kind.cancel_timeout)
            wrapper = AsyncResultStream if hasattr(stream, "__aiter__") else ResultStream
            return wrapper(obj, stream, cancel, kind.format)
    for manager in MANAGER_TYPES:
        if type_is(obj, manager.package, *manager.names):
            if hasattr(obj, "__aenter__"):
                return AsyncManagedStream(obj, manager.format)
            if hasattr(obj, "__enter__"):
                return ManagedStream(obj, manager.format)
    return obj


def _takes_timeout(method: Any) -> bool:
    try:
        return "timeout" in inspect.signature(method).parameters
    except (TypeError, ValueError):  # no signature to read: called as it is
        return False


def _cancel(cancel: Any) -> None:
    """Call a library's cancel method; an async one is left to its loop (best effort)."""
    if cancel is None:
        return
    try:
        result = cancel()
    except Exception:  # noqa: BLE001 - stopping is best-effort cleanup
        return
    if inspect.iscoroutine(result):
        result.close()


async def _acancel(cancel: Any) -> None:
    """Call a library's cancel method and await it when it is async, shielded: a Stop that
    cancels the closing task meanwhile stops that task, and leaves the library to end its run
    (llama-index's ``cancel_run`` awaits the run's task: cancelled with it, the run would end
    in a bare ``CancelledError``, a hard cancel, not the library's own end)."""
    if cancel is None:
        return
    try:
        result = cancel()
        if inspect.isawaitable(result):
            await asyncio.shield(result)
    except Exception:  # noqa: BLE001 - stopping is best-effort cleanup
        pass


class ResultStream:
    """A sync stream of a run object; closed before its end, it cancels the run."""

    def __init__(self, result: Any, stream: Any, cancel: Any, format: str = "auto") -> None:  # noqa: A002
        self.result = result
        """The library's run object (``result.final_output`` and friends after the run)."""
        self.nbagent_format = format
        """The format to read the events in (``sources.source_format`` reads it)."""
        self._iterator: Iterator[Any] = iter(stream)
        self._cancel = cancel
        self._done = False

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        try:
            return next(self._iterator)
        except StopIteration:
            self._done = True
            raise

    def close(self) -> None:
        if not self._done:
            self._done = True
            _cancel(self._cancel)
        close = getattr(self._iterator, "close", None)
        if callable(close):
            close()


class AsyncResultStream:
    """An async stream of a run object; closed before its end, it cancels the run."""

    def __init__(self, result: Any, stream: Any, cancel: Any, format: str = "auto") -> None:  # noqa: A002
        self.result = result
        """The library's run object (``result.final_output`` and friends after the run)."""
        self.nbagent_format = format
        """The format to read the events in (``sources.source_format`` reads it)."""
        self._iterator: AsyncIterator[Any] = aiter(stream)
        self._cancel = cancel
        self._done = False

    def __aiter__(self) -> AsyncIterator[Any]:
        return self

    async def __anext__(self) -> Any:
        try:
            return await anext(self._iterator)
        except StopAsyncIteration:
            self._done = True
            raise

    async def aclose(self) -> None:
        try:
            if not self._done:
                self._done = True
                await _acancel(self._cancel)
        finally:
            aclose = getattr(self._iterator, "aclose", None)
            if callable(aclose):
                await aclose()


class ManagedStream:
    """The stream of a sync context manager: entered on the first read, exited at its end or
    when closed (a stream closed before it was read never makes its request)."""

    def __init__(self, manager: Any, format: str = "auto") -> None:  # noqa: A002
        self.result = manager
        """The library's context manager."""
        self.nbagent_format = format
        """The format to read the events in (``sources.source_format`` reads it)."""
        self._iterator: Iterator[Any] | None = None
        self._done = False

    @property
    def entered(self) -> Any:
        """The stream the manager gave on entering (None before the first read)."""
        return self._iterator

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        if self._done:
            raise StopIteration
        if self._iterator is None:
            self._iterator = iter(self.result.__enter__())
        try:
            return next(self._iterator)
        except StopIteration:
            self.close()
            raise
        except BaseException as exc:
            self._exit(exc)
            raise

    def _exit(self, exc: BaseException | None) -> None:
        if self._done:
            return
        self._done = True
        if self._iterator is not None:
            self.result.__exit__(
                type(exc) if exc else None, exc, exc.__traceback__ if exc else None
            )

    def close(self) -> None:
        self._exit(None)


class AsyncManagedStream:
    """The stream of an async context manager: entered on the first read, exited at its end
    or when closed."""

    def __init__(self, manager: Any, format: str = "auto") -> None:  # noqa: A002
        self.result = manager
        """The library's context manager."""
        self.nbagent_format = format
        """The format to read the events in (``sources.source_format`` reads it)."""
        self._iterator: AsyncIterator[Any] | None = None
        self._done = False

    @property
    def entered(self) -> Any:
        """The stream the manager gave on entering (None before the first read)."""
        return self._iterator

    def __aiter__(self) -> AsyncIterator[Any]:
        return self

    async def __anext__(self) -> Any:
        if self._done:
            raise StopAsyncIteration
        if self._iterator is None:
            self._iterator = aiter(await self.result.__aenter__())
        try:
            return await anext(self._iterator)
        except StopAsyncIteration:
            await self.aclose()
            raise
        except BaseException as exc:
            await self._exit(exc)
            raise

    async def _exit(self, exc: BaseException | None) -> None:
        if self._done:
            return
        self._done = True
        if self._iterator is not None:
            await self.result.__aexit__(
                type(exc) if exc else None, exc, exc.__traceback__ if exc else None
            )

    async def aclose(self) -> None:
        await self._exit(None)
