"""Gemini's tables and pure readers: ``finish_reason`` → ``RunEnd.reason``, a field by its
SDK or REST name, enum words, thought signatures and the gathering of streamed
``partial_args``. Nothing here keeps state but ``StreamedCall``'s own.
"""

from __future__ import annotations

import base64
import enum
import itertools
from typing import Any

from nbagent.adapters.base import field, list_or_empty, str_or_none
from nbagent.adapters.kit.finish import end_reason
from nbagent.core.events import EndReason

__all__ = [
    "CONTINUATION",
    "FINISH_REASONS",
    "NOT_FINISHED",
    "OK_OUTCOMES",
    "PAUSED",
    "StreamedCall",
    "get",
    "map_finish_reason",
    "signature_text",
    "word",
]

_CONTENT_FILTER = (
    "SAFETY",
    "RECITATION",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "IMAGE_SAFETY",
    "IMAGE_PROHIBITED_CONTENT",
    "IMAGE_RECITATION",
    "MODEL_ARMOR",
    "JAILBREAK",
)
_ERRORS = (
    "MALFORMED_FUNCTION_CALL",
    "UNEXPECTED_TOOL_CALL",
    "MISSING_THOUGHT_SIGNATURE",
    "MALFORMED_RESPONSE",
)
FINISH_REASONS: dict[str, EndReason] = {
    "STOP": "completed",
    "MAX_TOKENS": "max_tokens",
    "TOO_MANY_TOOL_CALLS": "max_steps",
    "CONTINUATION": "interrupted",  # a stream that ends there: paused, resumed by the user
    **dict.fromkeys(_CONTENT_FILTER, "content_filter"),
    **dict.fromkeys(_ERRORS, "error"),
}
"""Gemini ``FinishReason`` (and prompt ``BlockedReason``) → ``RunEnd.reason``; anything else
(``OTHER``, ``LANGUAGE``, ``NO_IMAGE``, ...) → ``"unknown"``."""

CONTINUATION = "CONTINUATION"
"""The per-request token limit reached before the answer's end: another request, with the
candidate's ``continuation_token``, continues it (the SDK does so itself unless
``automatic_continuation=False``)."""

NOT_FINISHED = ("", "FINISH_REASON_UNSPECIFIED", CONTINUATION)
"""Finish reasons that end no model call while the stream goes on."""

PAUSED = {
    "kind": "notice",
    "level": "info",
    "title": "Paused: the answer continues in a next request",
    "text": (
        "The model stopped at the per-request token limit before the end of its answer "
        "(finish reason CONTINUATION). Send the request again with the response's "
        "continuation_token to continue it (google-genai does so itself with "
        "automatic_continuation on, its default)."
    ),
}
"""The note of a stream that ended on ``CONTINUATION``."""

OK_OUTCOMES = ("OUTCOME_OK", "OUTCOME_UNSPECIFIED")


def map_finish_reason(raw: str | None, *, called: bool = False) -> EndReason:
    """``raw`` in ``FINISH_REASONS`` (any case); ``called``: the model called tools."""
    return end_reason(FINISH_REASONS, None if raw is None else raw.upper(), called=called)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def get(obj: Any, name: str) -> Any:
    """A field by its SDK (snake_case) name, or by its REST (camelCase) one."""
    value = field(obj, name)
    if value is None and "_" in name:
        value = field(obj, _camel(name))
    return value


def word(value: Any) -> str | None:
    """An enum field's value (the SDK's str enums, the REST API's strings)."""
    if isinstance(value, enum.Enum):
        value = value.value
    return value if isinstance(value, str) and value else None


def signature_text(value: Any) -> str | None:
    """A ``thought_signature`` as text: the SDK's bytes in base64, as the REST API sends it."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii") if value else None
    return str_or_none(value)


def _set_path(args: dict[str, Any], path: str, value: Any, *, append: bool) -> None:
    """Set ``value`` at a JSON path such as ``$.foo.bar[0].data`` (strings of one path that
    arrive in pieces are appended)."""
    keys: list[str | int] = []
    for piece in path.removeprefix("$").replace("[", ".[").split("."):
        if not piece:
            continue
        if piece.startswith("[") and piece.endswith("]") and piece[1:-1].isdigit():
            keys.append(int(piece[1:-1]))
        else:
            keys.append(piece.strip("[]'\""))
    if not keys:
        return
    node: Any = args
    for key, after in itertools.pairwise(keys):
        empty: Any = [] if isinstance(after, int) else {}
        if isinstance(key, int) and isinstance(node, list):
            node.extend(None for _ in range(key + 1 - len(node)))
            node[key] = node[key] if node[key] is not None else empty
            node = node[key]
        elif isinstance(key, str) and isinstance(node, dict):
            node = node.setdefault(key, empty)
        else:
            return  # a path that contradicts what came before: keep what we have
    last = keys[-1]
    if isinstance(last, int) and isinstance(node, list):
        node.extend(None for _ in range(last + 1 - len(node)))
        node[last] = _joined(node[last], value, append)
    elif isinstance(last, str) and isinstance(node, dict):
        node[last] = _joined(node.get(last), value, append)


def _joined(old: Any, value: Any, append: bool) -> Any:
    """A string piece after a continued string is appended; anything else replaces."""
    return old + value if append and isinstance(old, str) and isinstance(value, str) else value


def _partial_value(arg: Any) -> Any:
    for name in ("string_value", "number_value", "bool_value"):
        value = get(arg, name)
        if value is not None:
            return value
    return None


class StreamedCall:
    """A function call whose arguments arrive as ``partial_args`` over several parts."""

    __slots__ = ("args", "id", "name", "open_paths")

    def __init__(self, call_id: str, name: str) -> None:
        self.id = call_id
        self.name = name
        self.args: dict[str, Any] = {}
        self.open_paths: set[str] = set()  # paths whose string value continues

    def apply(self, partial_args: Any) -> None:
        for arg in list_or_empty(partial_args):
            path = str_or_none(get(arg, "json_path"))
            if path is None:
                continue
            value = _partial_value(arg)
            _set_path(self.args, path, value, append=path in self.open_paths)
            if get(arg, "will_continue") is True:
                self.open_paths.add(path)
            else:
                self.open_paths.discard(path)
