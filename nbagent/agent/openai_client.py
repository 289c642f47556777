"""The ``openai`` client an ``Agent`` calls, always used from async code."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

from nbagent.core.threads import off_the_loop

__all__ = ["as_async_client", "default_client"]


def default_client(*, sync: bool = False) -> Any:
    """An ``AsyncOpenAI`` (``sync=True``: an ``OpenAI``) from ``OPENAI_API_KEY`` and
    ``OPENAI_BASE_URL``."""
    import openai

    # OPENAI_BASE_URL alone (Ollama, vLLM, a llama.cpp server) needs no real key.
    local = "none" if os.environ.get("OPENAI_BASE_URL") else None
    make = openai.OpenAI if sync else openai.AsyncOpenAI
    return make(api_key=os.environ.get("OPENAI_API_KEY") or local)


def as_async_client(client: Any) -> Any:
    """``client`` for ``await client.chat.completions.create(...)``: an ``AsyncOpenAI`` as it
    is, a sync ``OpenAI`` behind threads."""
    import openai

    return _SyncClient(client) if isinstance(client, openai.OpenAI) else client


class _SyncClient:
    """An ``openai.OpenAI`` used from async code: each blocking call runs in a thread (without
    threads, on the loop: ``core.threads.off_the_loop``)."""

    def __init__(self, client: Any) -> None:
        self.chat = self
        self.completions = self
        self._client = client

    async def create(self, **kwargs: Any) -> AsyncIterator[Any]:
        stream = await off_the_loop(self._client.chat.completions.create, **kwargs)
        return _thread_iter(stream)


async def _thread_iter(stream: Any) -> AsyncIterator[Any]:
    iterator = iter(stream)
    done = object()
    try:
        while True:
            item = await off_the_loop(next, iterator, done)
            if item is done:
                return
            yield item
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            await off_the_loop(close)
