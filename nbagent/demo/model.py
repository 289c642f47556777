"""A scripted model for the tutorials: an OpenAI-compatible Chat Completions server on
127.0.0.1, and ``connect()``, which gives an ``openai`` client for it, or for a live model.

    from nbagent import demo
    llm = demo.connect()       # a live model if OPENAI_API_KEY or OPENAI_BASE_URL is set
    print(llm)                 # says which
    agent = nbagent.Agent(llm.model, tools=[...], client=llm.client)

The scripted model is not a language model: a demo's prompt gets that demo's script
(``nbagent.demo.scripts``: the recorded runs), anything else the rules of
``nbagent.demo.rules`` (call the tools the question names, answer from their results, else say
what it was sent).
What it does do is what a real server does on the wire: ``POST /v1/chat/completions``
streams ``chat.completion.chunk`` server-sent events (reasoning, text and tool calls, the
usage when ``stream_options.include_usage`` asks for it, then ``[DONE]``) at a model's pace,
or answers one ``chat.completion`` when ``stream`` is false; ``GET /v1/models`` lists it.
It runs on a daemon thread of the process (stdlib ``http.server``), and it needs no network.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

from nbagent.core.threads import threads_available
from nbagent.demo.answers import MODEL, Answer, answer_request, sse_data
from nbagent.demo.chunks import Reply, ReplyItem
from nbagent.demo.scripts import respond

__all__ = [
    "Brain",
    "Connection",
    "LocalServer",
    "QuietServer",
    "ScriptedModel",
    "connect",
    "send_json",
    "start_event_stream",
    "write_chunk",
]

Brain = Callable[[Reply], list[ReplyItem]]
"""Makes the answer to one request: ``Reply(body)`` in, ``reply.finish(...)``'s items out."""

LIVE_MODEL = "gpt-4.1-mini"


class QuietServer(ThreadingHTTPServer):
    """Threaded, and quiet about clients that hang up (a Stop button does)."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):  # a client that went away: expected
            return
        super().handle_error(request, client_address)


def send_json(
    handler: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None
) -> None:
    """A whole JSON response."""
    data = json.dumps(body).encode()
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def start_event_stream(handler: BaseHTTPRequestHandler) -> None:
    """The head of a server-sent events response, its body sent in chunks (HTTP/1.1)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Cache-Control", "no-cache")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    handler.wfile.flush()


def write_chunk(handler: BaseHTTPRequestHandler, data: bytes) -> None:
    """One HTTP chunk, flushed (``b""`` ends the body); OSError when the client has gone."""
    handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
    handler.wfile.flush()


ServerT = TypeVar("ServerT", bound="LocalServer")


class LocalServer:
    """An HTTP server on a free port of 127.0.0.1, served by a daemon thread; a context
    manager (or ``start()`` and ``stop()``). Subclasses give the request handler."""

    _server: QuietServer | None = None

    def handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def start(self: ServerT) -> ServerT:
        self._server = QuietServer(("127.0.0.1", 0), self.handler())
        threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"nbagent-{type(self).__name__}",
            daemon=True,
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self: ServerT) -> ServerT:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"the {type(self).__name__} is not started")
        return int(self._server.server_address[1])


class ScriptedModel(LocalServer):
    """The server. ``brain`` makes each answer (``nbagent.demo.scripts.respond`` by default);
    ``speed`` divides its pauses (0: none). ``requests`` holds the bodies it was sent."""

    def __init__(
        self,
        brain: Brain | None = None,
        *,
        speed: float = 1.0,
        id_prefix: str = "chatcmpl-scripted",
    ) -> None:
        if not speed >= 0:
            raise ValueError(f"speed must be >= 0, got {speed!r}")
        self.brain: Brain = brain or respond
        self.speed = speed
        self.id_prefix = id_prefix
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    @property
    def base_url(self) -> str:
        """For ``openai.OpenAI(base_url=...)``: ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def answer(self, body: dict[str, Any]) -> list[ReplyItem]:
        """The items of the answer to one request (recorded in ``requests``)."""
        with self._lock:
            self.requests.append(body)
            number = len(self.requests)
        return self.brain(Reply(body, f"{self.id_prefix}-{number}", speed=self.speed))


def _handler_for(model: ScriptedModel) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            pass

        def do_GET(self) -> None:
            self._send(answer_request(model, "GET", self.path, b""))

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._send(answer_request(model, "POST", self.path, raw))

        def _send(self, answer: Answer) -> None:
            if answer.items is None:
                send_json(self, answer.status, answer.body)
                return
            try:
                start_event_stream(self)
                for item in answer.items:
                    if isinstance(item, float):
                        time.sleep(item)
                    else:
                        write_chunk(self, sse_data(item))
                write_chunk(self, sse_data("[DONE]"))
                write_chunk(self, b"")
            except OSError:  # the client went away (Stop): nothing more to send
                self.close_connection = True

    return Handler


# -- connect() ------------------------------------------------------------------------------

_shared: dict[bool, ScriptedModel] = {}
_shared_lock = threading.Lock()


def _shared_model(speed: float, *, serve: bool = True) -> ScriptedModel:
    """The process's one scripted model (``serve``: its server, started on first use; else
    the one that answers in this process); ``speed`` from now on."""
    with _shared_lock:
        shared = _shared.get(serve)
        if shared is None:
            shared = _shared[serve] = ScriptedModel(speed=speed)
            if serve:
                shared.start()
        shared.speed = speed
        return shared


@dataclass(frozen=True)
class Connection:
    """Where the tutorials' model calls go; ``str()`` says it in a sentence."""

    live: bool
    model: str
    """The model name to ask for: ``NBAGENT_MODEL`` (live, default gpt-4.1-mini) or "scripted"."""
    base_url: str
    client: Any
    """An ``openai.AsyncOpenAI`` (``nbagent.Agent(client=...)``, ``await ...create()``)."""
    sync_client: Any
    """An ``openai.OpenAI`` (a ``Stream`` for ``nbagent.show``)."""
    speed: float
    """``NBAGENT_DEMO_SPEED``: divides the scripted model's pauses (and suits replays)."""
    in_process: bool = False
    """The scripted model answers in this process (``demo.in_process``), not on a socket."""

    def __str__(self) -> str:
        if self.live:
            return (
                f"Live: the cells below ask {self.model} at {self.base_url}; "
                "the tools run in this kernel."
            )
        if self.in_process:
            return (
                "Offline: the cells below ask nbagent's scripted model, which answers in this "
                "kernel (rules, not a language model; no network, no key); the tools run here "
                "too."
            )
        return (
            "Offline: no OPENAI_API_KEY or OPENAI_BASE_URL is set, so the cells below ask "
            "nbagent's scripted model on 127.0.0.1 (rules, not a language model; no network, "
            "no key); the tools run in this kernel."
        )


def connect(
    *, model: str | None = None, speed: float | None = None, in_process: bool | None = None
) -> Connection:
    """A live model when ``OPENAI_API_KEY`` or ``OPENAI_BASE_URL`` is set (OpenAI, Ollama,
    vLLM, llama.cpp server), else the scripted model, started once per process: on
    127.0.0.1, or (``in_process``; by default where threads cannot start, as in JupyterLite)
    answering in this process, no socket, no thread (``demo.in_process``)."""
    import openai

    from nbagent.agent.openai_client import default_client

    if speed is None:
        speed = float(os.environ.get("NBAGENT_DEMO_SPEED") or 1)
    if os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL"):
        client = default_client()
        return Connection(
            live=True,
            model=model or os.environ.get("NBAGENT_MODEL") or LIVE_MODEL,
            base_url=str(client.base_url).rstrip("/"),
            client=client,
            sync_client=default_client(sync=True),
            speed=speed,
        )
    if in_process if in_process is not None else not threads_available():
        from nbagent.demo.in_process import IN_PROCESS_URL, clients

        remake = functools.partial(_shared_model, speed, serve=False)  # a Ray worker's own
        client, sync_client = clients(remake(), remake)
        return Connection(False, model or MODEL, IN_PROCESS_URL, client, sync_client, speed, True)
    url = _shared_model(speed).base_url
    return Connection(
        live=False,
        model=model or MODEL,
        base_url=url,
        client=openai.AsyncOpenAI(base_url=url, api_key="scripted"),
        sync_client=openai.OpenAI(base_url=url, api_key="scripted"),
        speed=speed,
    )
