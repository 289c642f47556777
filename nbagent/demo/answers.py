"""The scripted model's answer to one HTTP request, however the request came: on its socket
(``demo.model``) or in this process (``demo.in_process``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from nbagent.demo.chunks import ReplyItem, completion_from_chunks

__all__ = ["MODEL", "Answer", "Answers", "answer_request", "sse_data"]

MODEL = "scripted"
"""The scripted model's name (``GET /v1/models``)."""


class Answers(Protocol):
    """What answers a chat completions request (``demo.model.ScriptedModel``)."""

    def answer(self, body: dict[str, Any]) -> list[ReplyItem]: ...


@dataclass(frozen=True)
class Answer:
    """What the scripted model answers one request: a whole JSON ``body``, or (``items``) a
    stream of chunk dicts and pauses in seconds, sent as server-sent events."""

    status: int
    body: Any = None
    items: list[ReplyItem] | None = None


def answer_request(model: Answers, method: str, path: str, raw: bytes) -> Answer:
    """The answer to one HTTP request, however it came (a socket, ``demo.in_process``)."""

    def error(status: int, message: str) -> Answer:
        kind = "server_error" if status >= 500 else "invalid_request"
        return Answer(status, {"error": {"message": message, "type": kind}})

    route = path.split("?")[0].rstrip("/")
    if method == "GET":
        if route.endswith("/models"):
            return Answer(200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})
        return error(404, f"no route {path}")
    if not route.endswith("/chat/completions"):
        return error(404, f"no route {path}: the scripted model has chat completions")
    try:
        body = json.loads(raw or b"{}")
    except ValueError as exc:
        return error(400, f"the body is not JSON: {exc}")
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return error(400, "the body needs a list of messages")
    try:
        items = model.answer(body)
    except Exception as exc:  # noqa: BLE001 - a broken brain is the client's error to see
        return error(500, f"the scripted model failed: {type(exc).__name__}: {exc}")
    if not body.get("stream"):
        return Answer(200, completion_from_chunks(items))
    return Answer(200, items=items)


def sse_data(chunk: Any) -> bytes:
    """One server-sent event of a stream (``[DONE]``: the string "[DONE]")."""
    return b"data: %s\n\n" % (
        chunk.encode() if isinstance(chunk, str) else json.dumps(chunk).encode()
    )
