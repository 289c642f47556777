"""A2A stream items read as plain values for the adapter (``adapter.py``): the result kinds
and v1.0 wrappers, the states and how each ends a run, the payload of an item (an SDK object
through protobuf or pydantic, JSON, an SSE frame), a message's text and other parts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import (
    as_payload,
    is_library_object,
    is_protobuf,
    library_version,
    type_path,
    unwrap,
)
from nbagent.core.events import Custom, EndReason

__all__ = [
    "ENDS",
    "KINDS",
    "QUESTIONS",
    "WRAPPERS",
    "is_a2a_proto",
    "message_parts",
    "normalize_state",
    "payload_of",
    "question",
    "result_kind",
    "text_and_parts",
    "unreadable",
]

KINDS = frozenset({"task", "message", "status-update", "artifact-update"})
"""v0.3 result ``kind`` values."""

WRAPPERS: dict[str, str] = {
    "task": "task",
    "message": "message",
    "statusUpdate": "status-update",
    "artifactUpdate": "artifact-update",
    "status_update": "status-update",
    "artifact_update": "artifact-update",
}
"""v1.0 ``StreamResponse`` keys → the v0.3 kind they carry."""

ENDS: dict[str, EndReason] = {
    "completed": "completed",
    "canceled": "cancelled",
    "failed": "error",
    "rejected": "error",
    "input-required": "interrupted",
    "auth-required": "interrupted",
}
"""The states that end a run, and its end reason (the module docstring of ``adapter.py``)."""


QUESTIONS: dict[str, tuple[str, str]] = {
    "input-required": ("info", "Input required"),
    "auth-required": ("warning", "Authentication required"),
}
"""The states in which the task waits for the user: the level and title of their question."""
PART_CHARS = 2000
"""Characters of a non-text part of a question kept (as JSON)."""


def question(state: str, text: str, others: list[tuple[str, Any]]) -> Custom:
    """The agent's question as the task stops for the user: a ``note`` of kind ``question``
    (``nbagent/transcript/notes.py``), its status message's text, else its other parts (a
    form's data) as JSON, each cut at ``PART_CHARS``."""
    level, title = QUESTIONS[state]
    if not text:
        parts = (json.dumps(value, default=str, ensure_ascii=False) for _, value in others)
        text = "\n".join(p if len(p) <= PART_CHARS else p[:PART_CHARS] + "…" for p in parts)
    value = {"id": "a2a:question", "kind": "question", "level": level, "title": title}
    return Custom(name="note", value=value | {"text": text, "state": state})


def normalize_state(state: Any) -> str:
    """``"TASK_STATE_INPUT_REQUIRED"`` / ``"input-required"`` → ``"input-required"``."""
    if not isinstance(state, str) or not state:
        return "unknown"
    text = state.strip().lower()
    if text.startswith("task_state_"):
        text = text[len("task_state_") :]
    text = text.replace("_", "-")
    return "canceled" if text == "cancelled" else text


_PROTO_KINDS: dict[str, str] = {
    "Task": "task",
    "Message": "message",
    "TaskStatusUpdateEvent": "status-update",
    "TaskArtifactUpdateEvent": "artifact-update",
}
"""A bare protobuf result's message name → its v0.3 kind (a wrapper has its key instead)."""


def is_a2a_proto(item: Any) -> bool:
    """A protobuf message of an A2A package (``lf.a2a.v1.Task``, ``a2a.v1.Task``)."""
    if not is_protobuf(item):
        return False
    full_name = getattr(getattr(item, "DESCRIPTOR", None), "full_name", None)
    return isinstance(full_name, str) and "a2a" in full_name.split(".")[:-1]


def payload_of(item: Any) -> tuple[Any, bool]:
    """``(payload, from an object)``: the decoded wire item, or the SDK object as its data; a
    bare protobuf result gets the ``kind`` its message type names."""
    if is_a2a_proto(item):
        data = as_payload(item)
        kind = _PROTO_KINDS.get(item.DESCRIPTOR.name)
        if kind is not None and isinstance(data, dict):
            data = {"kind": kind, **data}
        return data, True
    if is_library_object(item):
        return as_payload(item), True
    return unwrap(item)[1], False


def unreadable(item: Any) -> str:
    """What the bad-item error says of an SDK object that is no stream item."""
    version = library_version("a2a", "a2a-sdk")
    sdk = f"a2a-sdk {version}" if version else "the a2a-sdk"
    name = getattr(getattr(item, "DESCRIPTOR", None), "full_name", None)
    if not isinstance(name, str):
        name = type_path(item)
    return (
        f"cannot read a {name} ({sdk}), no stream item: pass the client's stream items "
        "(StreamResponse, Task, Message, TaskStatusUpdateEvent, TaskArtifactUpdateEvent) or "
        "their JSON-RPC/SSE JSON"
    )


def result_kind(result: Any) -> tuple[str, Any] | None:
    """``(kind, body)`` of a result: v0.3 ``kind`` or a v1.0 wrapper key; None when neither."""
    if not isinstance(result, Mapping):
        return None
    kind = result.get("kind")
    if isinstance(kind, str) and kind in KINDS:
        return kind, result
    for key, kind in WRAPPERS.items():
        body = result.get(key)
        if isinstance(body, Mapping):
            return kind, body
    return None


def text_and_parts(parts: Any) -> tuple[str, list[tuple[str, Any]]]:
    """(joined text, [(custom name, value), …]) of a list of parts, v0.3 or v1.0."""
    texts: list[str] = []
    others: list[tuple[str, Any]] = []
    if not isinstance(parts, list):
        return "", others
    for part in parts:
        if not isinstance(part, Mapping):
            continue
        kind = part.get("kind")
        text = part.get("text")
        if (kind in (None, "text")) and isinstance(text, str):
            texts.append(text)
        elif kind == "data" or "data" in part:
            others.append(("a2a.data", part.get("data")))
        elif kind == "file" or any(k in part for k in ("file", "raw", "url")):
            others.append(("a2a.file", dict(part)))
        else:
            others.append(("a2a.part", dict(part)))
    return "".join(texts), others


def message_parts(message: Any) -> Any:
    """A message's ``parts`` (None for anything that is no message)."""
    return message.get("parts") if isinstance(message, Mapping) else None
