"""``nbagent.sse(url, ...)``: stream Server-Sent Events over HTTP with httpx.

    src = sse("http://localhost:8000/api/message-stream", json={"message": "hi"},
              format="dexto")
    for ev in src: ...            # httpx.Client, streaming
    async for ev in src: ...      # httpx.AsyncClient, streaming

The source yields ``ServerSentEvent``s decoded by ``nbagent.sources.sse.SSEDecoder``
(exact WHATWG rules, lenient EOF flush). A status >= 400 raises ``HTTPStatusError``
(status, reason, the first ~300 characters of the body) before any event. Connection
errors and timeouts propagate as httpx raises them; they carry the request, so the run's
error names the server ("cannot connect to 127.0.0.1:8765: connection refused",
``nbagent.core.errors``). The content type is not checked.
``close()`` / ``aclose()`` close the response, so a Stop is a disconnect to the server.
``nbagent_format`` carries ``format`` for the pipeline.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import httpx

from nbagent.adapters.base import ServerSentEvent
from nbagent.core.events import NbagentError
from nbagent.sources.sse import SSEDecoder

__all__ = ["HTTPStatusError", "SSESource", "sse"]

BODY_EXCERPT = 300
"""Characters of an error response's body kept in ``HTTPStatusError``."""


class HTTPStatusError(NbagentError):
    """The server answered with an HTTP error status (>= 400) instead of a stream
    (``nbagent.sse``): ``status_code``, ``reason``, ``body`` and ``url``; the message quotes the
    start of the body, and the run ends ``error`` showing it."""

    def __init__(self, status_code: int, reason: str, body: str, url: str = "") -> None:
        self.status_code = status_code
        self.reason = reason
        self.body = body
        self.url = url
        excerpt = body if len(body) <= BODY_EXCERPT else body[:BODY_EXCERPT] + "…"
        where = f" from {url}" if url else ""
        text = f"HTTP {status_code} {reason}{where}".rstrip()
        super().__init__(f"{text}: {excerpt}" if excerpt else text)


def _error_from(response: httpx.Response, body: bytes) -> HTTPStatusError:
    text = body[: BODY_EXCERPT * 4].decode(response.encoding or "utf-8", errors="replace")
    return HTTPStatusError(
        response.status_code, response.reason_phrase, text.strip(), str(response.request.url)
    )


def _shutdown_socket(response: httpx.Response) -> None:
    """Shut the connection's socket down: wakes a read blocked in another thread.

    ``Response.close()`` alone does not interrupt a thread blocked in ``recv`` (a Stop
    from the kernel while a sync source waits for the next chunk).
    """
    stream = response.extensions.get("network_stream")
    get_extra = getattr(stream, "get_extra_info", None)
    if not callable(get_extra):
        return
    try:
        sock = get_extra("socket")
        if isinstance(sock, socket.socket):
            sock.shutdown(socket.SHUT_RDWR)
    except Exception:  # noqa: BLE001 - best effort: the socket may be closed already
        pass


class SSESource:
    """An SSE request, readable once with ``for`` (sync) or ``async for`` (async)."""

    def __init__(
        self,
        url: str,
        *,
        method: str = "POST",
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        format: str = "auto",  # noqa: A002 - the public API's name
        timeout: float | httpx.Timeout | None = 10.0,
        read_timeout: float | None = 300.0,
        client: httpx.Client | httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url
        self.method = method.upper()
        self.json = json
        self.headers: dict[str, str] = {
            "Accept": "text/event-stream",
            "Cache-Control": "no-store",
        }
        if headers:
            self.headers.update(headers)
        self.nbagent_format = format
        if isinstance(timeout, httpx.Timeout):
            self.timeout = timeout
        else:
            self.timeout = httpx.Timeout(timeout, read=read_timeout)
        self.client = client
        self.last_event_id: str | None = None
        self._response: httpx.Response | None = None
        self._own_client: httpx.Client | httpx.AsyncClient | None = None
        self._closed = False

    @property
    def nbagent_async(self) -> bool:
        """Read with ``async for`` unless built on your ``httpx.Client``."""
        return not isinstance(self.client, httpx.Client)

    def __repr__(self) -> str:
        return f"<SSESource {self.method} {self.url} format={self.nbagent_format!r}>"

    def _request_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"headers": self.headers}
        if self.json is not None:
            kwargs["json"] = self.json
        return kwargs

    # -- sync ----------------------------------------------------------------------

    def __iter__(self) -> Iterator[ServerSentEvent]:
        return self._iter()

    def _iter(self) -> Iterator[ServerSentEvent]:
        client = self.client
        if client is None:
            client = self._own_client = httpx.Client(timeout=self.timeout)
        elif not isinstance(client, httpx.Client):
            raise TypeError("iterate an SSESource built with an httpx.AsyncClient with async for")
        try:
            if self._closed:  # stopped before it started, or read a second time
                return
            request = client.build_request(
                self.method, self.url, timeout=self.timeout, **self._request_kwargs()
            )
            response = self._response = client.send(request, stream=True)
            if self._closed:
                return
            if response.status_code >= 400:
                raise _error_from(response, response.read())
            dec = SSEDecoder()
            with self._explained_timeout():
                for chunk in response.iter_raw():
                    for ev in dec.feed(chunk):
                        self.last_event_id = ev.id
                        yield ev
            yield from dec.flush()
        finally:
            self.close()

    @contextlib.contextmanager
    def _explained_timeout(self) -> Iterator[None]:
        """A read timeout says how long the server was silent (httpx's says nothing)."""
        try:
            yield
        except httpx.ReadTimeout as exc:
            silent = self.timeout.read
            during = "" if silent is None else f" for {silent:g} s (read_timeout)"
            message = f"no data from {self.url}{during}"
            raise httpx.ReadTimeout(message, request=exc.request) from exc

    def close(self) -> None:
        """Close the response (the server sees a disconnect) and a client we made."""
        self._closed = True
        response, self._response = self._response, None
        if response is not None:
            if not response.is_closed:
                _shutdown_socket(response)
            with contextlib.suppress(Exception):  # closing is best-effort cleanup
                response.close()
        client = self._own_client
        if isinstance(client, httpx.Client):
            self._own_client = None
            client.close()

    # -- async ---------------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[ServerSentEvent]:
        return self._aiter()

    async def _aiter(self) -> AsyncIterator[ServerSentEvent]:
        client = self.client
        if client is None:
            client = self._own_client = httpx.AsyncClient(timeout=self.timeout)
        elif not isinstance(client, httpx.AsyncClient):
            raise TypeError("iterate an SSESource built with an httpx.Client with plain for")
        try:
            if self._closed:  # stopped before it started, or read a second time
                return
            request = client.build_request(
                self.method, self.url, timeout=self.timeout, **self._request_kwargs()
            )
            response = self._response = await client.send(request, stream=True)
            if self._closed:
                return
            if response.status_code >= 400:
                raise _error_from(response, await response.aread())
            dec = SSEDecoder()
            with self._explained_timeout():
                async for chunk in response.aiter_raw():
                    for ev in dec.feed(chunk):
                        self.last_event_id = ev.id
                        yield ev
            for ev in dec.flush():
                yield ev
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Close the response (the server sees a disconnect) and a client we made."""
        self._closed = True
        response, self._response = self._response, None
        if response is not None:
            with contextlib.suppress(Exception):  # closing is best-effort cleanup
                await response.aclose()
        client = self._own_client
        if isinstance(client, httpx.AsyncClient):
            self._own_client = None
            await client.aclose()


def sse(
    url: str,
    *,
    method: str = "POST",
    json: Any = None,
    headers: Mapping[str, str] | None = None,
    format: str = "auto",  # noqa: A002 - the public API's name
    timeout: float | httpx.Timeout | None = 10.0,
    read_timeout: float | None = 300.0,
    client: httpx.Client | httpx.AsyncClient | None = None,
) -> SSESource:
    """A source of the ``ServerSentEvent``s of one HTTP request (sync or async).

    ``timeout`` is httpx's connect/write/pool timeout (or a whole ``httpx.Timeout``),
    ``read_timeout`` the longest silence between two chunks. ``client`` reuses your
    ``httpx.Client`` (read with ``for``) or ``httpx.AsyncClient`` (read with ``async
    for``); it is not closed. ``format`` is the wire format the pipeline should use.
    """
    return SSESource(
        url,
        method=method,
        json=json,
        headers=headers,
        format=format,
        timeout=timeout,
        read_timeout=read_timeout,
        client=client,
    )
