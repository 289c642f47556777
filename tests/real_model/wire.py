"""What the wire carried: an httpx transport that keeps the raw bytes of every response it
hands to the ``openai`` client, and the text of a Chat Completions SSE body read from those
bytes independently of ``openai`` and of nbagent."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx


class Tee(httpx.BaseTransport):
    """``httpx.HTTPTransport`` whose response bodies are also kept, as read, in ``raw``."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.raw = bytearray()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        stream = response.stream
        assert isinstance(stream, httpx.SyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_Kept(stream, self.raw),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self.inner.close()


class _Kept(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, raw: bytearray) -> None:
        self.inner = inner
        self.raw = raw

    def __iter__(self) -> Iterator[bytes]:
        for piece in self.inner:
            self.raw += piece
            yield piece

    def close(self) -> None:
        self.inner.close()


def sse_text(raw: bytes) -> str:
    """The answer's text in a Chat Completions SSE body: every ``data:`` event's
    ``choices[0].delta.content``, in order, up to ``[DONE]``."""
    text: list[str] = []
    for line in raw.decode("utf-8").splitlines():
        if not line.startswith("data:"):
            continue
        data = line[len("data:") :].strip()
        if data == "[DONE]":
            break
        for choice in json.loads(data).get("choices") or []:
            content = (choice.get("delta") or {}).get("content")
            if choice.get("index", 0) == 0 and isinstance(content, str):
                text.append(content)
    return "".join(text)
