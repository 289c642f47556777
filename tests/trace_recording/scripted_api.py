"""A scripted model API on 127.0.0.1 for the coding agents' CLIs, answering each request by what
it holds.

``ScriptedAPI(brain)``: every request (any method and path) is recorded in ``requests``
(``{"method", "path", "headers", "body"}``, the body parsed as JSON when it is) and answered by
``brain(request)``: an ``Answer`` of JSON (``json=``) or of server-sent events (``events=``, a
list of ``(event name or None, data)``, written one HTTP chunk each, ``pace`` seconds apart,
as a model's tokens come). ``sse()`` frames them; ``event()`` makes one of the typed kind.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from nbagent.demo.model import LocalServer, send_json, start_event_stream, write_chunk


@dataclass
class Answer:
    status: int = 200
    json: Any = None
    events: list[tuple[str | None, Any]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


Brain = Callable[[dict[str, Any]], Answer]


def event(kind: str, **fields: Any) -> tuple[str, dict[str, Any]]:
    """A server-sent event named ``kind`` whose data is ``{"type": kind, **fields}`` (the form of
    Anthropic's and OpenAI's streaming APIs)."""
    return kind, {"type": kind, **fields}


def sse(event: str | None, data: Any) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                handler.rfile.readline()
                break
            parts.append(handler.rfile.read(size))
            handler.rfile.readline()
        raw = b"".join(parts)
    else:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
    encoding = handler.headers.get("Content-Encoding", "").lower()
    if encoding == "gzip":
        raw = gzip.decompress(raw)
    elif encoding == "zstd":
        import zstandard

        raw = zstandard.ZstdDecompressor().decompress(raw, max_output_size=64 << 20)
    return raw


class ScriptedAPI(LocalServer):
    """The server; ``base_url`` is ``http://127.0.0.1:PORT``."""

    def __init__(self, brain: Brain, pace: float = 0.02) -> None:
        self.brain = brain
        self.pace = pace
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        srv = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def _handle(self) -> None:
                raw = _read_body(self)
                try:
                    body: Any = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                request = {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers.items()),
                    "body": body,
                }
                with srv.lock:
                    srv.requests.append(request)
                    answer = srv.brain(request)
                if not answer.events:
                    send_json(
                        self,
                        answer.status,
                        answer.json if answer.json is not None else {},
                        answer.headers,
                    )
                    return
                start_event_stream(self)
                try:
                    for event, data in answer.events:
                        time.sleep(srv.pace)  # a model's pace: the files' times show durations
                        write_chunk(self, sse(event, data))
                    write_chunk(self, b"")
                except OSError:
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        return Handler
