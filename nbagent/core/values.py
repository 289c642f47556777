"""JSON values as nbagent reads and keeps them: strict JSON in (``strict_json``), plain data
in every event (``plain``), values checked against a field's type (``type_check``), short
reprs for messages.

The bottom layer: it imports nothing of nbagent.
"""

from __future__ import annotations

import json
import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "APP_RESULT_BYTES",
    "APP_URI_CHARS",
    "app_key",
    "app_result_bounded",
    "plain",
    "scrubbed",
    "short_repr",
    "strict_json",
    "type_check",
    "type_is",
    "type_path",
]

APP_RESULT_BYTES = 1024 * 1024
"""The largest call result sent to an MCP app as it came (larger: its text only, cut)."""
APP_URI_CHARS = 2048
"""The longest ``ui://`` uri of an MCP app read (longer: cut), whoever reads it."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text} is out of the range of a float")
    return value


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def scrubbed(value: Any) -> Any:
    """A copy of a JSON-like value that strict UTF-8 JSON can carry: a lone surrogate (half
    a character, from a ``\\ud800`` escape or a Python string) becomes U+FFFD, NaN and the
    infinities None, tuples lists."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {scrubbed(k): scrubbed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrubbed(v) for v in value]
    return value


def strict_json(text: str | bytes) -> Any:
    """``json.loads`` that refuses what JSON has no value for (ValueError): ``NaN``,
    ``Infinity`` and numbers too large for a float; and reads a lone surrogate escape
    (``"\\ud800"``, half of a character) as U+FFFD. Python's ``json`` takes them as they
    are, but a value holding one cannot be sent to the browser (jupyter_client packs
    messages as strict UTF-8 JSON) nor saved as UTF-8."""
    value = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    if isinstance(text, str):
        escaped = "\\ud" in text or "\\uD" in text
    else:
        escaped = b"\\ud" in text or b"\\uD" in text
    # A surrogate escape (json joins the pairs, which make one character).
    return scrubbed(value) if escaped else value


def short_repr(item: Any, limit: int = 80) -> str:
    """``repr(item)`` cut to ``limit`` characters, for error messages."""
    try:
        text = repr(item)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the real error
        text = f"<{type(item).__name__} object>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(value: Any, depth: int = 0) -> Any:
    """A JSON-ready copy of a wire value: SDK (pydantic) models dumped, odd objects as text,
    NaN and infinities as None.

    Events must stay pure data (they are saved as JSONL and sent to the browser), and
    adapters meet SDK objects inside payloads (tool results, content blocks, state).
    """
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None  # NaN and infinities are no JSON
    if depth > 32:
        return short_repr(value, 200)
    if isinstance(value, Mapping):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, depth + 1) for v in value]
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        try:
            return plain(dump(mode="json", by_alias=True, exclude_none=True), depth + 1)
        except Exception:  # noqa: BLE001 - a model that cannot dump itself: keep its repr
            return short_repr(value, 200)
    return str(value)


Check = Callable[[Any], bool]


def type_check(hint: Any) -> Check:
    """Whether a decoded JSON value fits a field typed ``hint`` (an evaluated annotation).

    A bool is no int, a float must be finite, and a ``Literal`` of strings takes any string
    (a word of a newer nbagent: the normalizer maps what it does not know). Raises
    TypeError for a kind of hint it has no check for, so a new field cannot go unchecked.
    """
    if hint is Any:
        return lambda value: True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        if all(isinstance(a, str) for a in args):
            return lambda value: isinstance(value, str)
        return lambda value: value in args
    if origin in (typing.Union, types.UnionType):
        checks = [type_check(a) for a in args]
        return lambda value: any(check(value) for check in checks)
    if hint is type(None):
        return lambda value: value is None
    if hint is bool:
        return lambda value: isinstance(value, bool)
    if hint is int:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return lambda value: _is_number(value) and math.isfinite(value)
    if hint is str:
        return lambda value: isinstance(value, str)
    if hint is dict or origin is dict:
        return lambda value: isinstance(value, dict)
    if hint is list or origin is list:
        return lambda value: isinstance(value, list)
    raise TypeError(f"no check for values of type {hint!r}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def type_path(obj: Any) -> str:
    """``"module.QualName"`` of an object's type, e.g. ``"agents.items.ToolCallItem"``.

    Detection reads a library's objects by this name and their fields, never by importing the
    library (importing langchain or llama-index costs seconds, and nbagent imports none of
    them unless the user did).
    """
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def type_is(obj: Any, package: str, *names: str) -> bool:
    """True when ``obj``'s type, or one of its base classes, is defined in ``package`` (the
    package itself or a module under it) and, when ``names`` are given, is named one of them.

    ``type_is(ev, "agents", "RunItemStreamEvent")``. Base classes count, so that a user's
    subclass of a library's type is still read as that type.
    """
    for cls in type(obj).__mro__:
        module = cls.__module__
        if (module == package or module.startswith(package + ".")) and (
            not names or cls.__name__ in names
        ):
            return True
    return False


def app_key(server: str, uri: str) -> str:
    """The key of an MCP app in its run's ``apps`` and its calls' ``meta.app``: its server's
    name and its uri (the same ``ui://`` uri of two servers is two apps), one string for any
    two."""
    return json.dumps([server, uri])


def app_result_bounded(result: dict[str, Any], text: str, is_error: bool) -> dict[str, Any]:
    """A call's result as its MCP app is sent it (a ``CallToolResult``), as it came when it is
    within ``APP_RESULT_BYTES`` as JSON; else its ``text`` only, cut."""
    size = len(json.dumps(result, default=str))
    if size <= APP_RESULT_BYTES:
        return result
    cut = text[: APP_RESULT_BYTES // 4]
    note = f"[the result is {size:,} bytes: its text only, cut, is sent to the app]"
    return {"content": [{"type": "text", "text": f"{cut}\n{note}"}], "isError": is_error}
