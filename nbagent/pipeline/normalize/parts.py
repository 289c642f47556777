"""What the normalizer keeps and the pure helpers it uses: the state of a message and of a
tool call, argument parsing, making free-form fields plain JSON, and ``stream_cut`` (whether
an exception is a connection broken mid-stream)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from nbagent.core.data import clean_display, to_display
from nbagent.core.errors import chain
from nbagent.core.events import (
    Custom,
    ErrorEvent,
    Event,
    RunEnd,
    State,
    Status,
    ToolCallEnd,
    ToolResult,
)
from nbagent.core.textbuf import TextBuffer
from nbagent.core.values import plain, strict_json

__all__ = [
    "_FREE_FORM",
    "_Msg",
    "_Tool",
    "_make_plain",
    "_short_id",
    "double_encoded",
    "parse_arguments",
    "stream_cut",
]


def parse_arguments(text: str) -> tuple[Any, str | None]:
    """Parse a tool call's argument text once: ``(args, None)`` or ``(None, parse_error)``.

    An empty (or all-whitespace) argument string means ``{}``. ``NaN``/``Infinity`` are
    rejected: they are not JSON and the browser could not decode them. Text that is several
    JSON values (a server that sent the arguments twice: ``{...}{...}``) is an error that
    says so, never a guess at which one was meant. Arguments encoded twice (a JSON string
    whose text is a JSON object) are decoded once more: ``double_encoded`` tells them apart.
    """
    if not text or text.isspace():
        return {}, None
    try:
        args = strict_json(text)
    except (ValueError, RecursionError) as exc:
        found = _back_to_back(text)
        return None, found or str(exc) or type(exc).__name__
    if isinstance(args, str) and args.lstrip().startswith("{"):
        try:
            inner = strict_json(args)
        except (ValueError, RecursionError):
            return args, None
        if isinstance(inner, dict):
            return inner, None
    return args, None


def double_encoded(arguments: str, args: Any) -> bool:
    """True when ``args`` (a dict) came from ``arguments`` decoded twice (``parse_arguments``)."""
    return isinstance(args, dict) and arguments.lstrip().startswith('"')


def _back_to_back(text: str) -> str | None:
    """``"2 JSON objects back to back"`` (or values) when ``text`` is several JSON values one
    after the other, else None. Linear: each value is decoded once from where the last ended."""
    decoder = json.JSONDecoder()
    count, objects = 0, True
    at, end = 0, len(text)
    while True:
        while at < end and text[at].isspace():
            at += 1
        if at == end:
            break
        try:
            value, at = decoder.raw_decode(text, at)
        except (ValueError, RecursionError):
            return None
        count, objects = count + 1, objects and isinstance(value, dict)
    if count < 2:
        return None
    return f"{count} JSON {'objects' if objects else 'values'} back to back"


class _Msg:
    """A text or thinking message the normalizer has seen."""

    __slots__ = ("channel", "id", "open", "order", "parent", "refusal", "text")

    def __init__(self, message_id: str, channel: str, parent: str | None = None) -> None:
        self.id = message_id
        self.channel = channel
        self.parent = parent  # the scope of its first event: what synthesized events carry
        self.text = TextBuffer()  # for a final_text to reconcile with
        self.open = False
        self.order = 0
        self.refusal: bool | None = None  # from the first delta


class _Tool:
    """A tool call the normalizer has seen."""

    __slots__ = ("id", "open", "order", "parent", "server", "text")

    def __init__(self, tool_call_id: str, parent: str | None = None) -> None:
        self.id = tool_call_id
        self.parent = parent  # the scope of its first event: what synthesized events carry
        self.text = TextBuffer()
        self.open = False
        self.order = 0
        self.server: str | None = None  # the MCP server its start named


def _short_id() -> str:
    return "run_" + uuid.uuid4().hex[:12]


_FREE_FORM: dict[type[Event], tuple[str, ...]] = {
    Custom: ("value",),
    ToolResult: ("content",),
    ToolCallEnd: ("args",),
    State: ("value", "patch"),
    Status: ("detail",),
    ErrorEvent: ("details",),
    RunEnd: ("result",),
}
"""The fields of each kind that may hold any value: what ``plain`` makes JSON-ready."""


def _make_plain(ev: Event) -> None:
    if type(ev) is ToolResult:
        _tool_data(ev)
    for name in _FREE_FORM.get(type(ev), ()):
        value = getattr(ev, name)
        if value is not None and not isinstance(value, str):
            setattr(ev, name, plain(value))
    if ev.meta is not None:
        ev.meta = plain(ev.meta)


def _tool_data(ev: ToolResult) -> None:
    """A data object as a result becomes its bundles and text; bundles a source sent are
    checked again (they are shown in the browser and saved)."""
    if ev.display is not None:
        ev.display = clean_display(ev.display)
    elif ev.content is not None and not isinstance(ev.content, str) and not ev.is_error:
        shown = to_display(ev.content)
        if shown is not None:
            ev.content, ev.display = shown.text, shown.bundles


# Exceptions that mean "the connection broke while the stream was being read", by class
# name so that nbagent needs none of httpx, openai, websockets or requests to know them.
_STREAM_CUT_NAMES = frozenset(
    {
        "RemoteProtocolError",  # httpx: peer closed without completing the body
        "ReadError",  # httpx
        "IncompleteRead",  # http.client
        "ChunkedEncodingError",  # requests
        "ConnectionClosedError",  # websockets: closed without a close frame
        "ProtocolError",  # urllib3 (botocore's event streams): "Connection broken"
    }
)


def stream_cut(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what caused it) is a connection broken mid-stream.

    A refused connection is not: nothing was streamed. SDKs wrap transport errors
    (``openai.APIConnectionError`` from an ``httpx`` error), so causes are followed.
    """
    broken = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
    return any(
        isinstance(e, broken) or any(cls.__name__ in _STREAM_CUT_NAMES for cls in type(e).__mro__)
        for e in chain(exc)
    )
