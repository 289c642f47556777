"""Sources: what a run reads from, and the helpers the pipeline and controller share.

A source is any iterable or async iterable of wire items: an OpenAI ``Stream`` or
``AsyncStream``, a generator of ``str``, a list of events, an async generator, ...
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from nbagent.core.events import NbagentError
from nbagent.sources.openai_stream import openai_stream_format, watch_done
from nbagent.sources.results import resolve_source
from nbagent.sources.tool_servers import tool_servers

__all__ = [
    "SourceTypeError",
    "aclose_source",
    "check_source",
    "close_source",
    "is_async_source",
    "resolve_source",
    "source_format",
    "tool_servers",
    "watch_done",
]


class SourceTypeError(NbagentError, TypeError):
    """The object given as a source cannot be read as a stream: not an iterable or async
    iterable, nor an object nbagent knows how to read (raised by ``show`` at once)."""


_ACCEPTED = (
    "an iterable or async iterable of wire items: an OpenAI Stream or AsyncStream, "
    "a generator or list of str / dict / nbagent.Event, an async generator"
)


def is_async_source(obj: Any) -> bool:
    """True when the source is read with ``async for``: it has ``__aiter__``, unless it says
    otherwise (``nbagent_async``: a source of both kinds built on a sync client is read with
    ``for``)."""
    return bool(getattr(obj, "nbagent_async", hasattr(obj, "__aiter__")))


def check_source(obj: Any) -> None:
    """Raise ``SourceTypeError`` unless ``obj`` can be read as a stream of items.

    A ``str``, ``bytes`` or mapping is iterable but is not a stream (iterating it would
    yield characters or keys): it is refused with a hint.
    """
    if isinstance(obj, (str, bytes, bytearray)):
        raise SourceTypeError(
            f"a {type(obj).__name__} is not a stream; wrap it in a list ([text]) to show it "
            f"as one piece, or pass {_ACCEPTED}"
        )
    if isinstance(obj, Mapping):
        raise SourceTypeError(
            "a dict is not a stream; wrap one item in a list ([item]), or pass " + _ACCEPTED
        )
    if hasattr(obj, "__aiter__") or hasattr(obj, "__iter__"):
        return
    if hasattr(obj, "__getitem__"):  # the old sequence protocol
        return
    if inspect.isawaitable(obj):  # astream_events(version="v3"), client.aio.*.create(...)
        raise SourceTypeError(
            f"a {type(obj).__name__} is not a stream yet: await it for its stream, "
            "nbagent.show(await ...)"
        )
    raise SourceTypeError(
        f"cannot read an object of type {type(obj).__name__} as a stream; pass {_ACCEPTED}"
    )


def close_source(obj: Any) -> None:
    """Call ``obj.close()`` if it has one; never raises (closing is best-effort cleanup).

    A coroutine returned by an async ``close`` is closed unawaited (use ``aclose_source``).
    """
    close = getattr(obj, "close", None)
    if not callable(close):
        return
    try:
        result = close()
    except Exception:  # noqa: BLE001 - closing is best-effort cleanup
        return
    if inspect.iscoroutine(result):
        result.close()


async def aclose_source(obj: Any) -> None:
    """Close an async source: ``await obj.aclose()``, else ``obj.close()`` (awaited when it
    returns an awaitable, as openai's ``AsyncStream.close`` does). Never raises ``Exception``.
    """
    for name in ("aclose", "close"):
        method = getattr(obj, name, None)
        if not callable(method):
            continue
        try:
            result = method()
            if inspect.isawaitable(result):
                await result
        except Exception:  # noqa: BLE001 - closing is best-effort cleanup
            pass
        return


def source_format(source: Any, format: str) -> str:  # noqa: A002 - the public API's name
    """The format to read ``source`` in: the caller's, else the one the source declares.

    Transports that know their wire format (``nbagent.sse(url, format=...)``) carry it
    as ``nbagent_format``, so ``show(nbagent.sse(...))`` needs no second ``format=``.
    """
    if format != "auto":
        return format
    declared = getattr(source, "nbagent_format", None)
    if isinstance(declared, str) and declared:
        return declared
    return openai_stream_format(source) or "auto"
