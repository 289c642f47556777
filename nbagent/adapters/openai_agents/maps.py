"""The Agents SDK stream's tables and pure readers: which stream event an item is (by its
type's name and module, or its dict form's ``type``), an agent's name, the text of a message
item, the thinking of a reasoning item, a tool call's arguments, and a shallow copy of a
Responses event with another item id (``"__fake_id__"`` repeats within one response).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from nbagent.adapters.base import (
    field,
    list_or_empty,
    plain,
    str_or_none,
    type_is,
)

__all__ = [
    "EVENT_TYPES",
    "StreamKind",
    "agent_name",
    "call_arguments",
    "mcp_server",
    "message_texts",
    "reasoning_text",
    "stream_kind",
    "with_field",
]

StreamKind = Literal[
    "raw", "item", "agent", "progress", "agent_tool", "approval", "approval_answer", "other"
]

EVENT_TYPES: dict[str, StreamKind] = {
    "RawResponsesStreamEvent": "raw",
    "RunItemStreamEvent": "item",
    "AgentUpdatedStreamEvent": "agent",
    "ToolProgressStreamEvent": "progress",
}
"""The SDK's stream event classes (``agents.stream_events``) → what they carry."""

WIRE_TYPES: dict[str, StreamKind] = {
    "raw_response_event": "raw",
    "run_item_stream_event": "item",
    "agent_updated_stream_event": "agent",
    "tool_progress_stream_event": "progress",
    # not stream events: a run's interruptions (``ToolApprovalItem``) fed after its stream,
    # and nbagent's answer to one (``adapters.openai_agents.approvals``)
    "tool_approval_item": "approval",
    "tool_approval_answer": "approval_answer",
}
"""The ``type`` of each stream event (the dict form, e.g. a recording's JSON)."""


def stream_kind(payload: Any) -> StreamKind | None:
    """Which Agents SDK stream event ``payload`` is; None when it is none of them.

    ``"agent_tool"`` is the payload of ``agent.as_tool(on_stream=...)``'s callback (an
    ``AgentToolStreamEvent``, a plain dict: ``event``, ``agent``, ``tool_call``)."""
    for name, kind in EVENT_TYPES.items():
        if type_is(payload, "agents", name):
            return kind
    if type_is(payload, "agents"):
        kind_name = field(payload, "type")
        return WIRE_TYPES.get(kind_name, "other") if isinstance(kind_name, str) else None
    if isinstance(payload, Mapping):
        kind_name = payload.get("type")
        if isinstance(kind_name, str) and kind_name in WIRE_TYPES:
            return WIRE_TYPES[kind_name]
        if "event" in payload and "agent" in payload and stream_kind(payload["event"]):
            return "agent_tool"
    return None


def agent_name(agent: Any) -> str | None:
    """An ``Agent``'s name (an object or its dict form)."""
    return str_or_none(field(agent, "name"))


def mcp_server(item: Any) -> str | None:
    """The MCP server whose tool a run item's call is, as the SDK names it: its
    ``tool_origin`` (``ToolCallItem``, ``ToolApprovalItem``, or their dict form) of type
    ``"mcp"`` carries the server's ``name`` (URL credentials removed); None for a tool of
    another kind, and for a version that records no origin."""
    origin = field(item, "tool_origin")
    if field(origin, "type") != "mcp":  # ToolOriginType is a str enum: equal to its value
        return None
    return str_or_none(field(origin, "mcp_server_name"))


def message_texts(raw: Any) -> tuple[str, str]:
    """``(text, refusal)`` of a ``ResponseOutputMessage``'s content parts."""
    text: list[str] = []
    refusal: list[str] = []
    for part in list_or_empty(field(raw, "content")):
        if field(part, "type") == "refusal":
            refusal.append(str_or_none(field(part, "refusal")) or "")
        else:
            text.append(str_or_none(field(part, "text")) or "")
    return "".join(text), "".join(refusal)


def reasoning_text(raw: Any) -> str:
    """The thinking of a ``ResponseReasoningItem``: its summary parts, else its content
    parts, one paragraph each."""
    for key in ("summary", "content"):
        parts = [str_or_none(field(part, "text")) for part in list_or_empty(field(raw, key))]
        texts = [part for part in parts if part]
        if texts:
            return "\n\n".join(texts)
    return ""


_ARGUMENT_KEYS = ("action", "operation", "queries", "code", "server_label", "commands")


def call_arguments(raw: Any) -> tuple[str | None, Any]:
    """``(argument text, parsed arguments)`` of a tool call item: a function call's JSON
    text, a custom tool's input, else what a hosted or SDK-run tool (computer, shell, apply
    patch, tool search…) was asked."""
    for key in ("arguments", "input"):
        value = field(raw, key)
        if isinstance(value, str):
            return value, None
        if value is not None:
            return None, plain(value)
    args = {key: plain(field(raw, key)) for key in _ARGUMENT_KEYS if field(raw, key) is not None}
    return None, args


def with_field(obj: Any, key: str, value: Any) -> Any:
    """A shallow dict copy of a payload (a dict, a pydantic model with its extra fields)
    with ``key`` set to ``value``: the adapters read both forms alike. An object with no
    ``__dict__`` is returned as it is."""
    if isinstance(obj, Mapping):
        data = dict(obj)
    else:
        values = getattr(obj, "__dict__", None)
        if not isinstance(values, Mapping):
            return obj
        extra = getattr(obj, "__pydantic_extra__", None)
        data = {**(extra if isinstance(extra, Mapping) else {}), **values}
    data[key] = value
    return data
