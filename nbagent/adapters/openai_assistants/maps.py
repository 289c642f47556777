"""The Assistants stream's tables and pure readers: the event names (Assistants' and NEAR's),
the step ends, the server-run tool types, and what is read without state: an item's event
name and data (SSE, NEAR wrapper, SDK event), an error and its code, code interpreter output.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import field, plain, unwrap
from nbagent.core.values import strict_json

__all__ = [
    "EVENTS",
    "SERVER_TOOLS",
    "STEP_ENDS",
    "code_outputs",
    "error_dict",
    "event_of",
]

EVENTS: frozenset[str] = frozenset(
    {
        "thread.created",
        *(
            f"thread.run.{s}"
            for s in (
                "created", "queued", "in_progress", "requires_action", "completed",
                "incomplete", "failed", "cancelling", "cancelled", "expired",
                "error", "canceled",
            )
        ),
        *(
            f"thread.run.step.{s}"
            for s in ("created", "in_progress", "delta", "completed", "failed", "cancelled",
                      "expired")
        ),
        *(
            f"thread.message.{s}"
            for s in ("created", "in_progress", "delta", "completed", "incomplete")
        ),
    }
)  # fmt: skip
"""The Assistants event names (plus NEAR's ``thread.run.error`` / ``canceled``)."""

STEP_ENDS = frozenset(
    {
        "thread.run.step.completed",
        "thread.run.step.failed",
        "thread.run.step.cancelled",
        "thread.run.step.expired",
    }
)
"""The step events that end a step."""

SERVER_TOOLS = frozenset({"code_interpreter", "file_search"})
"""Tool types the server runs (``executor="server"``)."""


def event_of(item: Any) -> tuple[str | None, Any]:
    """``(event name, data)`` of an SSE event, a NEAR wrapper or an SDK stream event."""
    name, payload = unwrap(item)
    if name is not None:
        return name, payload
    wrapped = field(payload, "event")
    if isinstance(wrapped, str) and wrapped and not isinstance(payload, (str, list)):
        data = field(payload, "data")
        if isinstance(data, (str, bytes)) and data.strip() not in ("[DONE]", b"[DONE]"):
            with contextlib.suppress(ValueError, TypeError):
                data = strict_json(data)
        if wrapped in EVENTS or wrapped in ("done", "error"):
            return wrapped, data
    return None, payload


def code_outputs(outputs: Any) -> Any:
    """Code interpreter outputs as text: the logs, ``[image]`` for images."""
    if not isinstance(outputs, list) or not outputs:
        return None
    pieces: list[str] = []
    for output in outputs:
        if field(output, "type") == "logs":
            logs = field(output, "logs")
            if isinstance(logs, str):
                pieces.append(logs)
        elif field(output, "type") == "image":
            pieces.append("[image]")
    return "\n".join(pieces) if pieces else plain(outputs)


def error_dict(error: Any) -> dict[str, Any]:
    data = plain(error)
    out: dict[str, Any] = dict(data) if isinstance(data, Mapping) else {}
    nested = out.get("error")
    if isinstance(nested, Mapping):
        out = {**out, **nested}
        out.pop("error", None)
    message = out.get("message")
    if not isinstance(message, str) or not message:
        out["message"] = str(data) if isinstance(data, str) and data else "the run failed"
    return out
