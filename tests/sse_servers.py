"""A scripted raw-SSE HTTP server on 127.0.0.1 for transport and end-to-end tests.

    from tests.sse_servers import SSEServer, Pause, Drop, frame

    with SSEServer([frame({"chunk": "Hel"}), Pause(0.1), b"data: [DONE]\\n\\n"]) as srv:
        for ev in nbagent.sources.http.sse(srv.url): ...
        srv.requests[-1]      # {"method", "path", "headers", "body"} of the last request

Script items: ``bytes`` (written as they are, as one HTTP chunk, so a test controls the
exact split), ``str`` (UTF-8 encoded), ``Pause(s)`` (wait; with ``keepalive=True`` send
``: keep-alive`` comments every 50 ms, which also notices a client that went away; a
pause ends early when the server stops), ``Drop()`` (cut the connection abruptly: the
chunked body is never terminated), ``Reset()`` (reset it: a TCP RST, the client's read
fails with ECONNRESET). Any method and path get the script. ``delay`` waits before every
bytes item. ``fixture_frames(fmt, name)``: a recorded stream of ``tests/fixtures`` as frames.

``routes={"/path": script, ...}``: the script for a request to that path (the query string
aside); other paths get ``script``. ``status=500`` (or 429, ...) answers with that status
and ``error_body`` as JSON instead. ``chunked=False`` sends the body without chunked
encoding, ending it by closing the connection. Observations: ``requests``, ``disconnected``
(a ``threading.Event`` set when a write failed because the client went away; with
``poll=True`` the server probes with keep-alives after the script until the client goes,
or the server stops: only the client's close can set ``disconnected`` then), ``finished``.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from nbagent.demo.model import LocalServer

__all__ = [
    "ClientGone",
    "Drop",
    "Pause",
    "Reset",
    "SSEServer",
    "drop_connection",
    "fixture_frames",
    "frame",
]

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Pause:
    """Wait ``seconds`` mid-stream (sending keep-alive comments when ``keepalive``)."""

    seconds: float
    keepalive: bool = True


@dataclass(frozen=True)
class Drop:
    """Cut the connection here, without ending the body."""


@dataclass(frozen=True)
class Reset:
    """Reset the connection here (SO_LINGER 0, then close: the peer gets an RST)."""


def frame(data: Any, *, event: str | None = None, id: str | None = None) -> bytes:  # noqa: A002
    """One SSE event as bytes; ``data`` that is not a str is JSON-encoded."""
    text = data if isinstance(data, str) else json.dumps(data)
    lines = []
    if event is not None:
        lines.append(f"event: {event}")
    if id is not None:
        lines.append(f"id: {id}")
    lines.extend(f"data: {line}" for line in text.split("\n"))
    return ("\n".join(lines) + "\n\n").encode()


def _fixture_frame(line: str) -> bytes | None:
    """One recorded line as an SSE frame; None for a raw text line (Vercel's v4 data stream)."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError:
        return f"data: {line}\n\n".encode()  # a sentinel such as [DONE]
    if not isinstance(item, dict):
        return None
    if set(item) == {"sse_event", "data"}:
        return frame(item["data"], event=item["sse_event"])
    return frame(item)


def fixture_frames(fmt: str, name: str) -> list[bytes] | None:
    """The recorded stream ``tests/fixtures/<fmt>/<name>`` as SSE frames, one per event;
    None when a line of it cannot travel as SSE."""
    sse = FIXTURES / fmt / f"{name}.sse"
    if sse.exists():
        blocks = sse.read_bytes().replace(b"\r\n", b"\n").split(b"\n\n")
        return [block + b"\n\n" for block in blocks if block.strip()]
    lines = (FIXTURES / fmt / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    frames = [_fixture_frame(line) for line in lines if line.strip()]
    return None if any(f is None for f in frames) else [f for f in frames if f is not None]


class ClientGone(Exception):
    """The client went away mid-write."""


def reset_connection(handler: BaseHTTPRequestHandler) -> None:
    """Reset the connection: close with SO_LINGER 0, so the peer's next read gets an RST."""
    try:
        handler.wfile.flush()
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
    except OSError:
        pass
    handler.close_connection = True


def drop_connection(handler: BaseHTTPRequestHandler) -> None:
    """Cut the connection abruptly: the response body is never completed."""
    try:
        handler.wfile.flush()
        handler.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    handler.close_connection = True


class SSEServer(LocalServer):
    """See the module docstring. Use as a context manager (or ``start()``/``stop()``)."""

    def __init__(
        self,
        script: Sequence[Any] = (),
        *,
        delay: float = 0.0,
        status: int = 200,
        error_body: Any = None,
        chunked: bool = True,
        poll: bool = False,
        content_type: str = "text/event-stream",
        routes: Mapping[str, Sequence[Any]] | None = None,
    ) -> None:
        self.script = list(script)
        self.routes = {path: list(items) for path, items in (routes or {}).items()}
        self.delay = delay
        self.status = status
        self.error_body = error_body
        self.chunked = chunked
        self.poll = poll
        self.content_type = content_type
        self.requests: list[dict[str, Any]] = []
        self.disconnected = threading.Event()
        self.disconnected_at: float | None = None
        self.finished = threading.Event()
        self.stopping = threading.Event()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    def stop(self) -> None:
        self.stopping.set()  # pauses end: no handler thread outlives the test by seconds
        super().stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/stream"

    def wait_disconnect(self, timeout: float = 5.0) -> bool:
        return self.disconnected.wait(timeout)

    def _gone(self) -> None:
        if not self.disconnected.is_set():
            self.disconnected_at = time.monotonic()
            self.disconnected.set()


def _handler_for(srv: SSEServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw
            srv.requests.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers.items()),
                    "body": body,
                }
            )
            if srv.status >= 400:
                data = json.dumps(srv.error_body).encode()
                self.send_response(srv.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            self._stream()

        do_GET = do_POST = do_PUT = _handle

        def _write(self, data: bytes) -> None:
            try:
                if srv.chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                else:
                    self.wfile.write(data)
                self.wfile.flush()
            except OSError as exc:  # BrokenPipe, ConnectionReset
                srv._gone()
                raise ClientGone from exc

        def _pause(self, seconds: float, keepalive: bool) -> None:
            deadline = time.monotonic() + seconds
            while (remaining := deadline - time.monotonic()) > 0:
                if srv.stopping.wait(min(0.05, remaining)):
                    raise ClientGone("the server is stopping")
                if keepalive:
                    self._write(b": keep-alive\n\n")

        def _drop(self) -> None:
            drop_connection(self)

        def _stream(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", srv.content_type)
            self.send_header("Cache-Control", "no-cache")
            if srv.chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            try:
                self.wfile.flush()
                for item in srv.routes.get(self.path.split("?")[0], srv.script):
                    if isinstance(item, Drop):
                        self._drop()
                        return
                    if isinstance(item, Reset):
                        reset_connection(self)
                        return
                    if isinstance(item, Pause):
                        self._pause(item.seconds, item.keepalive)
                        continue
                    if srv.delay:
                        time.sleep(srv.delay)
                    self._write(item.encode() if isinstance(item, str) else bytes(item))
                while srv.poll:  # until the client goes away (or the server stops)
                    self._pause(0.05, True)
                if srv.chunked:
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                else:
                    self.close_connection = True
                srv.finished.set()
            except ClientGone:
                self.close_connection = True
            except OSError:
                srv._gone()
                self.close_connection = True

    return Handler
