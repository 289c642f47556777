"""The scripted model answering in this process, with no socket and no thread: an ``httpx2``
transport that the ``openai`` client sends its requests to, for where a server cannot run
(Pyodide: JupyterLite's kernel, marimo's WASM export, where ``connect()`` uses it).

    client, sync_client = clients(demo.ScriptedModel())   # openai.AsyncOpenAI, openai.OpenAI

The answers are the server's own (``demo.answers``); a stream's pauses are awaited
on the loop, so the page's Stop and the widget's flushes go on between two chunks.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx2

from nbagent.demo.answers import Answers, answer_request, sse_data
from nbagent.demo.chunks import ReplyItem

__all__ = ["IN_PROCESS_URL", "InProcess", "InProcessSync", "clients"]

IN_PROCESS_URL = "http://scripted.nbagent.invalid/v1"
"""The base URL of the in-process model: a reserved name (``.invalid``) that no request to
the network could reach, were one ever made."""


Remake = Callable[[], Answers]
"""Gives the model to answer where a transport is unpickled (a Ray worker: its own)."""


class InProcess(httpx2.AsyncBaseTransport):
    """Answers each request with the scripted ``model``, in this process; pickled as
    ``remake`` (where given), which gives the model in the process that unpickles it."""

    def __init__(self, model: Answers, remake: Remake | None = None) -> None:
        self.model = model
        self.remake = remake

    def __reduce__(self) -> Any:
        if self.remake is None:
            return super().__reduce__()
        return _remade, (self.remake, False)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        return _response(self.model, request, await request.aread(), _Events)


class InProcessSync(httpx2.BaseTransport):
    """``InProcess`` for a sync ``openai.OpenAI``: its pauses block the caller (a stream read
    without threads blocks the loop between two chunks)."""

    def __init__(self, model: Answers, remake: Remake | None = None) -> None:
        self.model = model
        self.remake = remake

    def __reduce__(self) -> Any:
        if self.remake is None:
            return super().__reduce__()
        return _remade, (self.remake, True)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        return _response(self.model, request, request.read(), _SyncEvents)


def _response(
    model: Answers,
    request: httpx2.Request,
    raw: bytes,
    events: Callable[[list[ReplyItem]], httpx2.SyncByteStream | httpx2.AsyncByteStream],
) -> httpx2.Response:
    """The model's answer to ``request`` (body ``raw``): JSON, or ``events`` of its stream."""
    answer = answer_request(model, request.method, request.url.raw_path.decode(), raw)
    if answer.items is None:
        return httpx2.Response(answer.status, json=answer.body, request=request)
    stream = events(answer.items)
    return httpx2.Response(answer.status, headers=_STREAM_HEADERS, stream=stream, request=request)


class _SyncEvents(httpx2.SyncByteStream):
    def __init__(self, items: list[ReplyItem]) -> None:
        self._items = items

    def __iter__(self) -> Iterator[bytes]:
        for item in self._items:
            if isinstance(item, float):
                time.sleep(item)
            else:
                yield sse_data(item)
        yield sse_data("[DONE]")


class _Events(httpx2.AsyncByteStream):
    """A stream's body: its chunks as server-sent events, its pauses awaited."""

    def __init__(self, items: list[ReplyItem]) -> None:
        self._items = items

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for item in self._items:
            if isinstance(item, float):
                await asyncio.sleep(item)
            else:
                yield sse_data(item)
        yield sse_data("[DONE]")


def _remade(remake: Remake, sync: bool) -> InProcess | InProcessSync:
    """An unpickled transport: ``remake``'s model, in this process."""
    return InProcessSync(remake(), remake) if sync else InProcess(remake(), remake)


def clients(model: Answers, remake: Remake | None = None) -> tuple[Any, Any]:
    """An ``openai.AsyncOpenAI`` and an ``openai.OpenAI`` whose requests ``model`` answers in
    this process (their transports pickled as ``remake``, where given)."""
    import openai

    return (
        openai.AsyncOpenAI(
            base_url=IN_PROCESS_URL,
            api_key="scripted",
            http_client=httpx2.AsyncClient(transport=InProcess(model, remake)),
        ),
        openai.OpenAI(
            base_url=IN_PROCESS_URL,
            api_key="scripted",
            http_client=httpx2.Client(transport=InProcessSync(model, remake)),
        ),
    )


_STREAM_HEADERS = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
