"""An exception as the run's one-line error: ``error_message`` (``"Type: text"``) and
``error_text`` (the text alone), naming the server it was talking to.

Transport libraries say "Connection error." (openai) or "All connection attempts failed"
(httpx) without saying where. The place is in the exception chain: an httpx (or requests)
error carries ``.request.url``, openai's ``APIConnectionError`` its ``.request``, and a
source that knows its URL but whose library forgets it (``websockets``) marks the exceptions
it lets through with ``at_url``. A failure to connect becomes "cannot connect to
127.0.0.1:8765: connection refused"; another transport error keeps its words and says
"(from 127.0.0.1:8765)". Anything else is said as it always was. Classes are recognised by
name, so nbagent needs none of httpx, openai, websockets or requests to know them.

``first_line`` is an error where one line fits (a table's cell, a one-line ``McpError``): a
server's or a worker's error often opens with a blank line or goes on for a traceback.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

__all__ = ["at_url", "chain", "error_message", "error_text", "first_line", "place_of"]

CHAIN_DEPTH = 8
"""How many causes (``__cause__`` or ``__context__``) are followed: SDKs wrap a transport
error two or three times (openai → httpx → httpcore → OSError)."""

_URL_ATTR = "_nbagent_url"

# A failure to open the connection (nothing was sent): httpx's and httpcore's, the socket's,
# urllib3's.
_CONNECT_NAMES = frozenset(
    {"ConnectError", "ConnectTimeout", "ConnectionRefusedError", "gaierror", "NewConnectionError"}
)
# Errors of the transport, not of the server's answer (an HTTP status is its own message).
_TRANSPORT_NAMES = frozenset(
    {
        "TransportError",  # httpx: connect, read, write, protocol errors and timeouts
        "APIConnectionError",  # openai (APITimeoutError too), anthropic
        "ConnectionClosed",  # websockets
        "InvalidHandshake",  # websockets: the server refused the upgrade
        "RequestException",  # requests
    }
)
_DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}


def chain(exc: BaseException | None) -> Iterator[BaseException]:
    """``exc`` and what caused it, outermost first, at most ``CHAIN_DEPTH`` deep. A context
    suppressed (``raise ... from None``) is followed too: httpcore raises its ``ConnectError``
    so, over the ``OSError`` that says why."""
    depth = 0
    while exc is not None and depth <= CHAIN_DEPTH:
        yield exc
        exc = exc.__cause__ or exc.__context__
        depth += 1


@contextlib.contextmanager
def at_url(url: str) -> Iterator[None]:
    """Exceptions raised inside were raised talking to ``url``: ``error_text`` names it.

    For a source whose library does not keep the URL in its exceptions (websockets' refused
    connection is a bare ``ConnectionRefusedError``). The exception itself is re-raised."""
    try:
        yield
    except Exception as exc:
        if getattr(exc, _URL_ATTR, None) is None:
            with contextlib.suppress(AttributeError, TypeError):  # a class with __slots__
                setattr(exc, _URL_ATTR, url)
        raise


def place_of(exc: BaseException) -> str | None:
    """``host:port`` of the server the exception (or one it came from) was talking to, the
    scheme's port when the URL has none; None when none says."""
    for e in chain(exc):
        url = getattr(e, _URL_ATTR, None) or _request_url(e)
        if url:
            return _host_port(url)
    return None


def error_text(exc: BaseException) -> str:
    """What ``exc`` says, in words that name the server of a transport error (the module
    docstring); its own text otherwise ("" when it has none)."""
    text = str(exc)
    own = {cls.__name__ for cls in type(exc).__mro__}
    if not own & (_CONNECT_NAMES | _TRANSPORT_NAMES) and not isinstance(exc, OSError):
        return text  # not the transport's (a wrapper of it says what it means to)
    place = place_of(exc)
    if place is None:
        return text
    if _names(exc) & _CONNECT_NAMES:
        return f"cannot connect to {place}: {_reason(exc) or text or 'failed'}"
    host = place.rpartition(":")[0].strip("[]")
    if host in text:
        return text
    return f"{text} (from {place})" if text else f"from {place}"


def error_message(exc: BaseException) -> str:
    """The run's error message for ``exc``: ``"Type: text"`` (``error_text``), or the type's
    name alone when the exception says nothing."""
    name = type(exc).__name__
    text = error_text(exc)
    return f"{name}: {text}" if text else name


def first_line(exc: BaseException, *, typed: bool = False) -> str:
    """``exc`` in one line: the first line of its text that says something, stripped (after
    its type's name if ``typed``), else its type's name (an error with an empty message)."""
    line = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    name = type(exc).__name__
    return (f"{name}: {line}" if typed else line) if line else name


# -- reading the chain ------------------------------------------------------------------------


def _names(exc: BaseException) -> set[str]:
    """The class names of every exception of the chain and of their bases."""
    return {cls.__name__ for e in chain(exc) for cls in type(e).__mro__}


def _request_url(exc: BaseException) -> str | None:
    try:  # httpx's ``request`` is a property that raises RuntimeError when it was never set
        request: Any = getattr(exc, "request", None)
    except Exception:  # noqa: BLE001 - no request known is the answer
        return None
    url = getattr(request, "url", None)
    return str(url) if url else None


def _host_port(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number
        return None
    host = parts.hostname
    if not host:
        return None
    port = port or _DEFAULT_PORTS.get(parts.scheme.lower())
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{port}" if port else host


def _reason(exc: BaseException) -> str | None:
    """Why the connection failed, as the system says it ("connection refused", "name or
    service not known"), from the innermost error that has a system error number; "timed
    out" for a timeout."""
    reason: str | None = None
    for e in chain(exc):
        errno = getattr(e, "errno", None)
        if isinstance(e, socket.gaierror) and e.strerror:
            reason = e.strerror
        elif isinstance(errno, int) and errno > 0:
            reason = os.strerror(errno)
        elif isinstance(e, TimeoutError) or "Timeout" in type(e).__name__:
            reason = reason or "timed out"
    if not reason:
        return None
    return reason[:1].lower() + reason[1:]
