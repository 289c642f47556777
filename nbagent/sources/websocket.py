"""A WebSocket endpoint as a source: one JSON payload (or text delta) per message.

``nbagent.websocket(url, send=..., format=...)`` connects, sends ``send`` (a dict
goes as JSON), then yields each message: a JSON object decoded to a dict (so
format detection sees ``{"chunk": ...}``, ``{"type": ...}``), anything else as the
text it is. The stream ends when the server closes the connection. The source is
both iterable (a thread reads it) and async-iterable (the kernel's loop reads it,
which ``nbagent.show`` prefers); ``close()``/``aclose()`` close the connection, so
a Stop is a disconnect the server sees. Its errors name the server (``at_url``): the run's
error says "cannot connect to 127.0.0.1:8765: connection refused".
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from nbagent.core.errors import at_url
from nbagent.core.values import strict_json

__all__ = ["WebSocketSource", "websocket"]


def _decode(message: str | bytes) -> Any:
    text = message.decode("utf-8", errors="replace") if isinstance(message, bytes) else message
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            return strict_json(stripped)
        except ValueError:
            pass  # not JSON after all: the adapter decides what plain text means
    return text


def _encode(payload: Any) -> str | bytes:
    return payload if isinstance(payload, (str, bytes)) else json.dumps(payload)


class WebSocketSource:
    """One connection's messages; iterate once, sync or async."""

    def __init__(
        self,
        url: str,
        *,
        send: Any = None,
        format: str = "auto",  # noqa: A002 - the public API's name
        headers: dict[str, str] | None = None,
        open_timeout: float = 10.0,
    ) -> None:
        self.url = url
        self.send = send
        self.nbagent_format = format
        """Read by the pipeline: the wire format of the messages (``"auto"`` detects it)."""
        self.headers = headers
        self.open_timeout = open_timeout
        self._sync: Any = None
        self._async: Any = None

    def __iter__(self) -> Iterator[Any]:
        from websockets.exceptions import ConnectionClosedOK
        from websockets.sync.client import connect

        with (
            at_url(self.url),
            connect(
                self.url, additional_headers=self.headers, open_timeout=self.open_timeout
            ) as connection,
        ):
            self._sync = connection
            if self.send is not None:
                connection.send(_encode(self.send))
            while True:
                try:
                    message = connection.recv()
                except ConnectionClosedOK:
                    return
                yield _decode(message)

    async def __aiter__(self) -> AsyncIterator[Any]:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosedOK

        with at_url(self.url):  # websockets' errors do not say where
            self._async = await connect(
                self.url, additional_headers=self.headers, open_timeout=self.open_timeout
            )
            try:
                if self.send is not None:
                    await self._async.send(_encode(self.send))
                while True:
                    try:
                        message = await self._async.recv()
                    except ConnectionClosedOK:
                        return
                    yield _decode(message)
            finally:
                await self.aclose()

    def close(self) -> None:
        """Close the connection (from any thread): a blocked read ends at once."""
        if self._sync is not None:
            self._sync.close()

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.close()
        self.close()


def websocket(
    url: str,
    *,
    send: Any = None,
    format: str = "auto",  # noqa: A002 - the public API's name
    headers: dict[str, str] | None = None,
) -> WebSocketSource:
    """A WebSocket endpoint as a source for ``nbagent.show`` / ``iter_events``.

    Connects to ``url`` (with ``headers``), sends ``send`` first (a dict goes as JSON), then
    yields each message: a JSON object as a dict, anything else as its text; ``format`` names
    the wire format (``"auto"``: recognised from the first message). The stream ends when the
    server closes; Stop closes the connection."""
    return WebSocketSource(url, send=send, format=format, headers=headers)
