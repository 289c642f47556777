"""The legacy v4 data stream (``x-vercel-ai-data-stream: v1``): reading a ``CODE:JSON`` line,
checking that its value has the shape its code promises, its usage as a ``Usage`` event, and
the codes passed on as ``Custom("v4.<name>")``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import int_or_none
from nbagent.core.events import Usage
from nbagent.core.values import strict_json

__all__ = ["_V4_CUSTOM", "_is_v4", "_v4", "_v4_usage"]

_V4_LINE = re.compile(r"^([0-9a-k]):(.*)$", re.DOTALL)
_V4_CUSTOM = {
    "2": "v4.data",
    "8": "v4.annotations",
    "h": "v4.source",
    "i": "v4.redacted_reasoning",
    "j": "v4.reasoning_signature",
    "k": "v4.file",
}


def _v4(item: Any) -> tuple[str, Any] | None:
    """``(code, value)`` of a legacy v4 data stream line, None when ``item`` is not one."""
    if isinstance(item, (bytes, bytearray)):
        item = bytes(item).decode("utf-8", errors="replace")
    if not isinstance(item, str):
        return None
    match = _V4_LINE.match(item.strip())
    if match is None:
        return None
    try:
        return match.group(1), strict_json(match.group(2))
    except ValueError:
        return None


_V4_KEYS = {
    "b": "toolCallId",
    "c": "toolCallId",
    "9": "toolCallId",
    "a": "toolCallId",
    "f": "messageId",
    "e": "finishReason",
    "d": "finishReason",
}


def _is_v4(code: str, value: Any) -> bool:
    """A v4 line whose value has the shape its code promises (``3:45`` is no data stream)."""
    if code in ("0", "g", "3"):
        return isinstance(value, str)
    if code in ("2", "8"):
        return isinstance(value, list)
    key = _V4_KEYS.get(code)
    return key is not None and isinstance(value, Mapping) and key in value


def _v4_usage(usage: Any, scope: str) -> Usage | None:
    if not isinstance(usage, Mapping):
        return None
    prompt = int_or_none(usage.get("promptTokens"))
    completion = int_or_none(usage.get("completionTokens"))
    if prompt is None and completion is None:
        return None
    total = (prompt or 0) + (completion or 0)
    return Usage(
        input_tokens=prompt,
        output_tokens=completion,
        total_tokens=total,
        cumulative=True,
        scope="run" if scope == "run" else "step",
    )
