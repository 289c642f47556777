"""A coroutine that gives a stream once awaited (``graph.astream_events(..., version="v3")``,
``client.aio.interactions.create(..., stream=True)``) passed as it is: the error says to await
it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

import nbagent
from nbagent.sources import SourceTypeError


async def stream_later() -> AsyncIterator[str]:
    async def items() -> AsyncIterator[str]:
        yield "hi"

    return items()


def test_an_awaitable_source_says_to_await_it() -> None:
    pending = stream_later()
    with pytest.raises(SourceTypeError, match=r"await it"):
        nbagent.show(pending)
    with pytest.raises(SourceTypeError, match=r"nbagent\.show\(await \.\.\.\)"):
        nbagent.iter_events(pending)
    pending.close()
