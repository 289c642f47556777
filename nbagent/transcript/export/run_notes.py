"""The words the exports (markdown, static HTML, text) use for an ``activity`` block, an
``interrupt`` block and encrypted reasoning, as the widget says them (js/src/panels/
activity_view.js): an activity's type and its last content as JSON, an interrupt's reason,
message, expiry and the fields its answer takes.

Twin: js/src/panels/activity_view.js"""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "ENCRYPTED",
    "activity_json",
    "activity_title",
    "interrupt_lines",
    "interrupt_title",
]

ENCRYPTED = "encrypted reasoning"
"""What a thinking block whose reasoning came encrypted says (it is never decoded)."""
MAX_JSON = 20_000
"""Characters of an activity's content an export shows (the rest is cut, said so)."""


def activity_title(b: dict[str, Any]) -> str:
    """``Activity: SEARCH`` (``· stopped`` after a patch that did not apply)."""
    title = f"Activity: {b.get('activity_type') or 'activity'}"
    return title + (" · stopped" if b.get("error") else "")


def activity_json(b: dict[str, Any]) -> str:
    """The activity's last content, pretty-printed JSON (cut past ``MAX_JSON``)."""
    try:
        text = json.dumps(b.get("content"), indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = str(b.get("content"))
    return text if len(text) <= MAX_JSON else text[:MAX_JSON] + "\n… (cut)"


def interrupt_title(b: dict[str, Any]) -> str:
    """``Waiting for input: input_required``."""
    return f"Waiting for input: {b.get('reason') or 'interrupt'}"


def interrupt_lines(b: dict[str, Any]) -> list[str]:
    """What the interrupt says, one line each: its message, when it expires, the fields its
    answer takes (a ``response_schema``'s properties, required ones marked ``*``), its id."""
    lines = [str(b["message"])] if b.get("message") else []
    if b.get("expires_at"):
        lines.append(f"Expires: {b['expires_at']}")
    schema = b.get("response_schema")
    props = schema.get("properties") if isinstance(schema, dict) else None
    if isinstance(props, dict) and props:
        required = schema.get("required") if isinstance(schema, dict) else None
        need = set(required) if isinstance(required, list) else set()
        names = [f"{k}*" if k in need else str(k) for k in list(props)[:50]]
        lines.append("Answer: " + ", ".join(names))
    lines.append(f"Interrupt id: {b.get('id')}")
    return lines
