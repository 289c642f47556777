"""What every adapter shares: the protocol, the errors, a field getter."""

from __future__ import annotations

import dataclasses
import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeAlias

from nbagent.core.events import Event, NbagentError, RunEnd
from nbagent.core.values import plain, short_repr, strict_json, type_is, type_path

__all__ = [
    "BLANK",
    "KEEPALIVE_TYPES",
    "Adapter",
    "BadItemError",
    "ServerSentEvent",
    "ToolServers",
    "UnknownFormatError",
    "as_payload",
    "data_payload",
    "field",
    "int_or_none",
    "is_keepalive",
    "is_library_object",
    "is_protobuf",
    "library_label",
    "library_version",
    "list_or_empty",
    "plain",
    "short_repr",
    "str_or_none",
    "type_is",
    "type_path",
    "unwrap",
    "unwrap_object",
]


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched SSE event, as ``nbagent.sources.sse`` decodes it (WHATWG rules).

    Adapters of formats that travel over SSE accept these as items, besides the
    decoded payloads themselves (dicts, SDK objects, JSON strings).
    """

    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None


def unwrap(item: Any) -> tuple[str | None, Any]:
    """``(sse event name or None, payload)`` of a wire item.

    A ``ServerSentEvent`` gives its event name (None for the default ``"message"``) and
    its data decoded as JSON (the string ``"[DONE]"`` stays a string); a ``str`` or
    ``bytes`` item is decoded as JSON; anything else (a dict, an SDK object) is returned
    as it is. Raises ``BadItemError`` for data that is not JSON.
    """
    name: str | None = None
    if isinstance(item, ServerSentEvent):
        name = None if item.event == "message" else item.event
        item = item.data
    if isinstance(item, (bytes, bytearray)):
        item = item.decode("utf-8", errors="replace")
    if isinstance(item, str):
        text = item.strip()
        if text == "[DONE]":
            return name, "[DONE]"
        try:
            return name, strict_json(text)
        except ValueError as exc:
            raise BadItemError(f"not JSON: {exc}: {short_repr(item)}") from None
    return name, item


BLANK: Any = object()
"""What ``data_payload`` gives for an item that carries nothing (a blank line, a comment)."""


def data_payload(item: Any) -> Any:
    """The payload of a wire item that may be a raw SSE line (``data: {...}``): a dict,
    ``"[DONE]"``, ...; ``BLANK`` for a blank line, a ``:`` comment or an event with no data.
    Raises ``BadItemError`` for data that is not JSON (as ``unwrap``)."""
    if isinstance(item, (bytes, bytearray)):
        item = bytes(item).decode("utf-8", errors="replace")
    if isinstance(item, str):
        text = item.strip()
        if text.startswith("data:"):
            text = text[5:].strip()
        if not text or text.startswith(":"):
            return BLANK
        item = text
    if isinstance(item, ServerSentEvent) and not item.data.strip():
        return BLANK
    return unwrap(item)[1]


KEEPALIVE_TYPES = frozenset(("ping", "keepalive", "keep-alive", "heartbeat"))
"""The event names (an SSE ``event:``, a payload's ``type``) of frames that only keep a
connection open."""


def is_keepalive(item: Any) -> bool:
    """True for an item that carries no data, as servers and gateways send while a model
    warms up: a blank line, an SSE comment (also relayed by a proxy as ``data: : ...``), a
    ping event, an empty object, a chunk with no choices and no usage. Format detection skips
    these and decides on the first item that carries data."""
    if isinstance(item, ServerSentEvent) and (
        item.event.lower() in KEEPALIVE_TYPES or item.data.lstrip().startswith(":")
    ):
        return True
    try:
        payload = data_payload(item)
    except BadItemError:
        return False
    if payload is BLANK:
        return True
    if not isinstance(payload, Mapping):
        return False
    kind = payload.get("type")
    if not payload or (isinstance(kind, str) and kind.lower() in KEEPALIVE_TYPES):
        return True
    carries = ("usage", "error", "prompt_filter_results", "object")
    return payload.get("choices") == [] and not any(payload.get(k) for k in carries)


class Adapter(Protocol):
    """One wire format → normalized events. Pure: no I/O, no clock, no globals.

    Adapters leave ``seq``, ``ts`` and ``run_id`` empty; the normalizer stamps them. A format
    that records each item's time (spans, session files) gives it as ``ts``, which is kept.
    """

    name: ClassVar[str]
    """The ``format=`` name, e.g. ``"openai-chat"``."""

    def __init__(self) -> None: ...

    @staticmethod
    def detect(item: Any) -> bool:
        """True when ``item`` (the first item of a source) is in this adapter's format."""
        ...

    def feed(self, item: Any) -> list[Event]:
        """One wire item → 0..n events, in order."""
        ...

    def end(self) -> list[Event]:
        """Input exhausted normally; may emit ``RunEnd`` (e.g. ``incomplete``)."""
        ...


ToolServers: TypeAlias = Callable[[str], "str | None"]
"""The MCP server of a tool, by the name the model calls it (None: not an MCP server's tool).
Where a framework's events do not say which server a tool call goes to, the source that holds
the framework's run supplies this to the adapter (``nbagent.sources.tool_servers``): it reads
the framework's objects in memory, so the adapter stays pure."""


class UnknownFormatError(NbagentError, ValueError):
    """The format of a source could not be detected, or ``format=`` names no adapter."""


def ended_before_any(what: str) -> RunEnd:
    """The end of a stream that stopped before its first ``what`` (event, chunk, response):
    ``incomplete``, saying so in the format's own word."""
    return RunEnd(reason="incomplete", message=f"the stream ended before any {what} arrived")


class BadItemError(NbagentError, ValueError):
    """An adapter got an item it cannot read (wrong type, invalid JSON)."""


def field(obj: Any, key: str) -> Any:
    """``obj[key]`` for mappings, ``obj.key`` for objects (SDK models); None when absent.

    Works for pydantic models with extra fields (``delta.reasoning_content``) without
    ``model_dump()``.
    """
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(key)
    values = getattr(obj, "__dict__", None)
    if values is not None and key in values:  # a pydantic field, a plain attribute
        return values[key]
    extra = getattr(obj, "__pydantic_extra__", None)
    if extra is not None:  # a pydantic model: an extra field or nothing (no slow __getattr__)
        return extra.get(key)
    return getattr(obj, key, None)


def list_or_empty(value: Any) -> Sequence[Any]:
    """A list field of a payload (``tool_calls``, ``content`` blocks); ``()`` for anything
    else, a string included."""
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray)):
        return value
    return ()


def int_or_none(value: Any) -> int | None:
    """An int field of a payload (token counts, indices); None for anything else, bool too."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def str_or_none(value: Any) -> str | None:
    """A non-empty str field of a payload (ids, names); None for anything else."""
    return value if isinstance(value, str) and value else None


def unwrap_object(item: Any, fmt: str, takes: str) -> tuple[str | None, Any]:
    """``unwrap`` for formats whose every item is one event object.

    Raises ``BadItemError`` naming the format: for an item of the wrong type (saying
    what the format ``takes``), for data that is not JSON, and for a payload that is
    not an object.
    """
    if item is None or isinstance(item, (int, float, bool, list, tuple)):
        raise BadItemError(f"{fmt} takes {takes}, got {type(item).__name__}: {short_repr(item)}")
    try:
        name, payload = unwrap(item)
    except BadItemError as exc:
        raise BadItemError(f"{fmt}: {exc}") from None
    if payload is None or isinstance(payload, (str, int, float, bool, list)):
        raise BadItemError(f"{fmt}: an event must be a JSON object: {short_repr(item)}")
    return name, payload


# -- a library's own objects ------------------------------------------------------------------


def is_protobuf(obj: Any) -> bool:
    """True for a protobuf message (an A2A 1.x ``Task``, a gRPC response…).

    By the base class's module and name: a generated class's own ``__module__`` is its
    ``.proto`` file's (``a2a_pb2``), not the package that ships it.
    """
    return type_is(obj, "google.protobuf.message", "Message")


def is_library_object(obj: Any) -> bool:
    """True for an object ``as_payload`` turns into data: a protobuf message, a pydantic
    model (v2), a dataclass instance."""
    if obj is None or isinstance(obj, (str, bytes, bytearray, int, float, Mapping, list, tuple)):
        return False
    if isinstance(obj, (ServerSentEvent, type)):
        return False
    return is_protobuf(obj) or _is_pydantic(obj) or dataclasses.is_dataclass(obj)


def _is_pydantic(obj: Any) -> bool:
    return callable(getattr(obj, "model_dump", None)) and hasattr(type(obj), "model_fields")


def as_payload(item: Any) -> Any:
    """A library's object as the data of its wire form, the way the library itself
    serializes it; anything else (a dict, a str, a ``ServerSentEvent``) as it is.

    - a protobuf message: ``google.protobuf.json_format.MessageToDict`` (camelCase JSON
      names, enums by name), imported only here: protobuf is loaded already since the item
      is one of its messages;
    - a pydantic model: ``model_dump(mode="json", by_alias=True, exclude_none=True)``, the
      wire's field names and what a JSON encoder of the library would send (a ``RootModel``
      gives its root's data);
    - a dataclass: its fields, nested library objects turned likewise.

    Raises ``BadItemError`` when the library's own serializer fails on the object.
    """
    if not is_library_object(item):
        return item
    try:
        if is_protobuf(item):
            json_format = sys.modules.get("google.protobuf.json_format")
            if json_format is None:
                json_format = importlib.import_module("google.protobuf.json_format")
            return json_format.MessageToDict(item)
        if _is_pydantic(item):
            return item.model_dump(mode="json", by_alias=True, exclude_none=True)
        return _dataclass_payload(item, 0)
    except Exception as exc:  # noqa: BLE001 - the library's own serializer failed: say so
        raise BadItemError(
            f"cannot serialize a {type_path(item)}: {type(exc).__name__}: {exc}"
        ) from None


def _dataclass_payload(value: Any, depth: int) -> Any:
    if depth > 32:
        return short_repr(value, 200)
    if isinstance(value, Mapping):
        return {str(k): _dataclass_payload(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_dataclass_payload(v, depth + 1) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _dataclass_payload(getattr(value, f.name, None), depth + 1)
            for f in dataclasses.fields(value)
        }
    if is_library_object(value):
        return as_payload(value)
    return value


def library_version(module: str, distribution: str) -> str | None:
    """The installed version of a library the user has imported already (``module`` in
    ``sys.modules``); None otherwise, or when its metadata cannot be read.

    For error messages about a library's objects nbagent cannot read: importing nothing, and
    reading metadata only of a library that is loaded."""
    if module not in sys.modules:
        return None
    try:
        metadata = importlib.import_module("importlib.metadata")
        version = metadata.version(distribution)
    except Exception:  # noqa: BLE001 - no metadata: no version in the message
        return None
    return version if isinstance(version, str) else None


def library_label(module: str, distribution: str) -> str:
    """``"openai-agents 0.24.0"`` for error messages: the distribution's name, with its version
    when the user imported ``module`` (nbagent never imports it)."""
    version = library_version(module, distribution)
    return f"{distribution} {version}" if version else distribution
