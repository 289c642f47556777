"""What nbagent reads of an ``openai.Stream`` / ``AsyncStream`` beside its items: the format
its items are made in, and what its client consumes without yielding it (the end-of-stream
marker; an error chunk it raises on, whose usage it drops); and the keep-alives it keeps from
the client, which would fail on them.

Both look at the SDK's stream object without importing the SDK; both fall back to reading
the items alone where a version of the SDK has other internals.
"""

from __future__ import annotations

import json
import typing
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

__all__ = ["openai_stream_format", "watch_done"]

_DONE = "[DONE]"
_ERROR_KEY = '"error"'
"""What an error chunk's data holds: a cheap test on every event before it is parsed."""


def _is_openai_stream(source: Any) -> bool:
    kind = type(source)
    return kind.__module__.split(".")[0] == "openai" and kind.__name__ in ("Stream", "AsyncStream")


def openai_stream_format(source: Any) -> str | None:
    """The format of an ``openai.Stream`` / ``AsyncStream``, from the type its items are
    made as (``ChatCompletionChunk``, Responses' event union): its first item may be a
    keep-alive that looks like neither. None for any other source."""
    if not _is_openai_stream(source):
        return None
    made_as = getattr(source, "_cast_to", None)
    while args := typing.get_args(made_as):  # Annotated[Union[...], ...] → its first member
        made_as = args[0]
    module = getattr(made_as, "__module__", "")
    if module.startswith("openai.types.chat."):
        return "openai-chat"
    if module.startswith("openai.types.responses."):
        return "openai-responses"
    return None


class _DoneWatch:
    """The stream's SSE decoder, noting a ``[DONE]`` and the last error chunk (the client
    raises ``APIError`` on it with its ``error`` alone: the usage beside it, OpenRouter's
    tokens spent, would be lost), and leaving out events that carry no data: a keep-alive (an
    ``id:`` line before a comment, a comment a proxy relayed as ``data: : ...``) the client
    would try to decode as JSON and fail the whole stream on."""

    def __init__(self, decoder: Any) -> None:
        self.decoder = decoder
        self.done = False
        self.error: str | None = None  # the data of the last error chunk

    def __getattr__(self, name: str) -> Any:
        return getattr(self.decoder, name)

    def _note(self, sse: Any) -> bool:
        """Note what ``sse`` says; whether the client may see it (it carries data)."""
        self.done = self.done or _is_done(sse)
        data = getattr(sse, "data", None)
        if isinstance(data, str) and _ERROR_KEY in data and _raised_on(data):
            self.error = data
        return not _no_data(sse)

    def consumed(self) -> list[Any]:
        """What the client consumed without yielding it: the error chunk, ``[DONE]``."""
        return [x for x in (self.error, _DONE if self.done else None) if x is not None]

    def iter_bytes(self, chunks: Iterable[bytes]) -> Iterator[Any]:
        for sse in self.decoder.iter_bytes(chunks):
            if self._note(sse):
                yield sse

    async def aiter_bytes(self, chunks: Any) -> AsyncIterator[Any]:
        async for sse in self.decoder.aiter_bytes(chunks):
            if self._note(sse):
                yield sse


def _raised_on(data: str) -> bool:
    """Whether the client raises on this data rather than yield it: a JSON object with a
    truthy ``error`` (as the client tests it)."""
    try:
        value = json.loads(data)
    except ValueError:
        return False
    return isinstance(value, dict) and bool(value.get("error"))


def _no_data(sse: Any) -> bool:
    data = getattr(sse, "data", None)
    return isinstance(data, str) and (not data.strip() or data.lstrip().startswith(":"))


def _is_done(sse: Any) -> bool:
    data = getattr(sse, "data", None)
    return isinstance(data, str) and data.startswith(_DONE)


def watch_done(source: Any) -> Callable[[], list[Any]] | None:
    """For a Chat Completions ``openai.Stream`` not yet read: what its client consumed at the
    end, as items for the adapter (``"[DONE]"`` once the server sent it; before it the data of
    an error chunk the client raised on). The client stops at ``[DONE]`` without yielding it,
    and a stream that simply stops looks the same to its reader; a server that sends
    ``[DONE]`` but no ``finish_reason`` (several gateways) has ended a complete answer all
    the same. None for any other source."""
    if openai_stream_format(source) != "openai-chat":
        return None
    decoder = getattr(source, "_decoder", None)
    if decoder is None or not hasattr(decoder, "iter_bytes"):
        return None
    watch = _DoneWatch(decoder)
    source._decoder = watch  # read when the stream's first item is asked for
    return watch.consumed
