"""A tiny scripted OpenAI-compatible HTTP server for tests (kernel, browser and unit tests).

    from tests.servers import OpenAIServer

    with OpenAIServer(script=[chunk_dict, ...], delay=0.01) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test")
        stream = client.chat.completions.create(model="m", messages=[...], stream=True)
        ...
        srv.requests[-1]          # the JSON body the client sent

``POST /v1/chat/completions`` with ``"stream": true`` answers with real SSE over HTTP/1.1
chunked transfer: ``data: {json}\\n\\n`` per script item, then ``data: [DONE]\\n\\n``.
Script items are dicts (sent as JSON) or str (sent verbatim after ``data: ``, e.g. a
malformed line or ``"[DONE]"``); ``Pause(s)`` waits ``s`` seconds (sending SSE comments,
which also notices a client that went away); ``Gate()`` waits until the test calls
``srv.release()``; ``Drop()`` cuts the connection abruptly (no terminating chunk: the
client sees a protocol error).

Options: ``delay`` (seconds before each item), ``done=False`` (end the body cleanly with
no ``[DONE]``: a stream cut off at a message boundary), ``drop_after=n`` (cut the
connection after ``n`` items), ``status``/``error_body`` (answer with an HTTP error
instead), ``scripts=[s1, s2, ...]`` (one script per successive request, the last one
repeated: for agent loops; a ``Reply(429, body, headers)`` there answers that request
with a plain HTTP response), or ``script`` as a callable ``body -> list`` (dynamic).

A non-streaming request gets one ``chat.completion`` assembled from the script.
Observations: ``requests`` (parsed bodies), ``headers`` (their headers),
``disconnected`` (a ``threading.Event`` set when a write failed because the client went
away), ``finished`` (set when a whole script was sent), ``sent`` (items sent, last
response). Helpers to build chunks: ``chunk()``, ``text_chunks()``, ``usage_chunk()``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from nbagent.demo import chunks
from nbagent.demo.model import LocalServer, send_json, start_event_stream, write_chunk
from tests.sse_servers import ClientGone, Drop, Pause, drop_connection

__all__ = [
    "Drop",
    "Gate",
    "OpenAIServer",
    "Pause",
    "Reply",
    "chunk",
    "text_chunks",
    "usage_chunk",
]


@dataclass(frozen=True)
class Reply:
    """A whole (non-streamed) answer for one request of ``scripts``: e.g. an HTTP 429."""

    status: int
    body: Any = None
    headers: dict[str, str] | None = None


@dataclass(frozen=True)
class Gate:
    """Wait until ``srv.release()`` (or ``timeout`` s), sending keep-alive comments."""

    timeout: float = 30.0


ScriptItem = Any  # dict | str | Pause | Gate | Drop
Script = Sequence[ScriptItem]


def chunk(
    content: Any = None,
    *,
    id: str = "chatcmpl-test",  # noqa: A002 - the chunk field's name
    model: str = "test-model",
    **kw: Any,
) -> dict[str, Any]:
    """One ``chat.completion.chunk`` dict; extra keywords go into the delta."""
    return chunks.chunk(content, id=id, model=model, **kw)


def usage_chunk(
    prompt: int = 9,
    completion: int = 12,
    *,
    id: str = "chatcmpl-test",  # noqa: A002 - the chunk field's name
    model: str = "test-model",
) -> dict[str, Any]:
    """The ``include_usage`` chunk: ``choices: []`` and a usage."""
    return chunks.usage_chunk(prompt, completion, id=id, model=model)


def text_chunks(
    pieces: Iterable[str], *, finish_reason: str = "stop", usage: bool = True, **kw: Any
) -> list[dict[str, Any]]:
    """A plain answer: a role chunk, one chunk per piece, a finish chunk, a usage chunk."""
    out = [chunk("", role="assistant", **kw)]
    out.extend(chunk(p, **kw) for p in pieces)
    out.append(chunk(finish_reason=finish_reason, **kw))
    if usage:
        out.append(usage_chunk(**{k: v for k, v in kw.items() if k in ("id", "model")}))
    return out


class OpenAIServer(LocalServer):
    """See the module docstring. Use as a context manager (or ``start()``/``stop()``)."""

    def __init__(
        self,
        script: Script | Callable[[dict[str, Any]], Script] | None = None,
        *,
        scripts: Sequence[Script] | None = None,
        delay: float = 0.0,
        done: bool = True,
        drop_after: int | None = None,
        status: int = 200,
        error_body: Any = None,
    ) -> None:
        self.script = script if script is not None else text_chunks(["Hello", ", world", "!"])
        self.scripts = list(scripts) if scripts is not None else None
        self.delay = delay
        self.done = done
        self.drop_after = drop_after
        self.status = status
        self.error_body = error_body
        self.requests: list[Any] = []
        self.headers: list[dict[str, str]] = []
        self.paths: list[str] = []
        self.disconnected = threading.Event()
        self.finished = threading.Event()
        self.sent = 0
        self._gate = threading.Event()
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    def stop(self) -> None:
        self._gate.set()
        super().stop()

    @property
    def base_url(self) -> str:
        """For ``openai.OpenAI(base_url=...)``: ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def url(self) -> str:
        """The chat completions endpoint itself (for raw SSE clients)."""
        return f"{self.base_url}/chat/completions"

    def release(self) -> None:
        """Open every ``Gate()`` of the scripts."""
        self._gate.set()

    def wait_disconnect(self, timeout: float = 5.0) -> bool:
        return self.disconnected.wait(timeout)

    # -- scripts -----------------------------------------------------------------------

    def _script_for(self, body: dict[str, Any]) -> Script:
        with self._lock:
            n = len(self.requests)
        if self.scripts:
            return self.scripts[min(n - 1, len(self.scripts) - 1)]
        if callable(self.script):
            return self.script(body)
        return self.script


def _handler_for(srv: OpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            pass

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                send_json(
                    self, 200, {"object": "list", "data": [{"id": "test-model", "object": "model"}]}
                )
            else:
                send_json(
                    self, 404, {"error": {"message": f"no route {self.path}", "type": "not_found"}}
                )

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = raw.decode("utf-8", "replace")
            with srv._lock:
                srv.requests.append(body)
                srv.headers.append(dict(self.headers.items()))
                srv.paths.append(self.path)
            if not self.path.rstrip("/").endswith("/chat/completions"):
                send_json(
                    self, 404, {"error": {"message": f"no route {self.path}", "type": "not_found"}}
                )
                return
            if srv.status != 200:
                err = srv.error_body or {
                    "error": {"message": f"scripted {srv.status}", "type": "server_error"}
                }
                send_json(self, srv.status, err)
                return
            found = srv._script_for(body if isinstance(body, dict) else {})
            if isinstance(found, Reply):
                send_json(
                    self,
                    found.status,
                    found.body or {"error": {"message": "scripted"}},
                    found.headers,
                )
                return
            script = list(found)
            if isinstance(body, dict) and body.get("stream"):
                self._stream(script)
            else:
                send_json(self, 200, chunks.completion_from_chunks(script))

        # -- streaming -----------------------------------------------------------------

        def _write_chunk(self, data: bytes) -> None:
            try:
                write_chunk(self, data)
            except OSError as exc:  # BrokenPipe, ConnectionReset
                srv.disconnected.set()
                raise ClientGone from exc

        def _wait(
            self, seconds: float | None, gate: threading.Event | None = None, keepalive: bool = True
        ) -> None:
            deadline = time.monotonic() + (seconds or 0.0)
            while True:
                if gate is not None and gate.is_set():
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                time.sleep(min(0.05, remaining))
                if keepalive:
                    self._write_chunk(b": keep-alive\n\n")

        def _drop(self) -> None:
            drop_connection(self)

        def _stream(self, script: list[Any]) -> None:
            start_event_stream(self)
            sent = 0
            srv.sent = 0
            try:
                for item in script:
                    if srv.drop_after is not None and sent >= srv.drop_after:
                        self._drop()
                        return
                    if isinstance(item, Drop):
                        self._drop()
                        return
                    if isinstance(item, Pause):
                        self._wait(item.seconds, keepalive=item.keepalive)
                        continue
                    if isinstance(item, Gate):
                        self._wait(item.timeout, srv._gate)
                        continue
                    if srv.delay:
                        self._wait(srv.delay)
                    data = item if isinstance(item, str) else json.dumps(item)
                    self._write_chunk(b"data: " + data.encode() + b"\n\n")
                    sent += 1
                    srv.sent = sent
                if srv.done and not (script and script[-1] == "[DONE]"):
                    self._write_chunk(b"data: [DONE]\n\n")
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                srv.finished.set()
            except ClientGone:
                self.close_connection = True
            except OSError:
                srv.disconnected.set()
                self.close_connection = True

    return Handler
