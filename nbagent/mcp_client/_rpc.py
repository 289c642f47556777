"""The connection's JSON-RPC messages as they pass, for the inspector's raw view: the SDK's
transport wrapped (``Traced``) so that each message read or written is also kept, as text,
in a bounded log (``RpcLog``). The SDK's own objects pass through unchanged."""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

__all__ = ["RpcLog", "traced"]

RPC_KEPT = 300
"""Messages kept (the newest)."""
RPC_CHARS = 4000
"""Characters of a message kept (a 10 MB image result shows its start)."""


class RpcLog:
    """The newest messages: ``{"dir": "out" | "in", "at": epoch seconds, "text": JSON}``."""

    def __init__(self, changed: Callable[[], None]) -> None:
        self.entries: deque[dict[str, Any]] = deque(maxlen=RPC_KEPT)
        self.count = 0
        """Messages logged in all (``entries`` keeps the newest)."""
        self.changed = changed

    def add(self, direction: str, item: Any) -> None:
        message = getattr(item, "message", None)
        if message is None:  # an exception the transport passes on
            text = f"{type(item).__name__}: {item}"
        else:
            try:
                text = message.model_dump_json(by_alias=True, exclude_none=True)
            except Exception as exc:  # noqa: BLE001 - shown, never raised into the SDK
                text = f"(not shown: {type(exc).__name__})"
        if len(text) > RPC_CHARS:
            text = f"{text[:RPC_CHARS]}… ({len(text):,} characters)"
        self.entries.append({"dir": direction, "at": time.time(), "text": text})
        self.count += 1
        self.changed()


class _Stream:
    """One of the transport's two streams, each message also given to the log."""

    def __init__(self, stream: Any, log: RpcLog, direction: str) -> None:
        self._stream = stream
        self._log = log
        self._direction = direction

    async def __aenter__(self) -> _Stream:
        await self._stream.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> Any:
        return await self._stream.__aexit__(*exc)

    def __aiter__(self) -> _Stream:
        return self

    async def __anext__(self) -> Any:
        item = await self._stream.__anext__()
        self._log.add(self._direction, item)
        return item

    async def receive(self) -> Any:
        item = await self._stream.receive()
        self._log.add(self._direction, item)
        return item

    async def send(self, item: Any) -> None:
        self._log.add(self._direction, item)
        await self._stream.send(item)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.asynccontextmanager
async def traced(transport: Any, log: RpcLog) -> AsyncIterator[tuple[Any, Any]]:
    """``transport`` (the SDK's: an async context manager of its read and write streams)
    with its messages logged."""
    async with transport as (read, write):
        yield _Stream(read, log, "in"), _Stream(write, log, "out")
