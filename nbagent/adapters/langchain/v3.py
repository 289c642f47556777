"""LangChain's and LangGraph's ``version="v3"`` streams, read by ``LangGraphAdapter``: the
content-block protocol of ``langchain-protocol``.

Items: a chat model's ``model.stream_events(version="v3")`` (``ChatModelStream``; ``await
model.astream_events(...)``: ``AsyncChatModelStream``) yields a message's protocol events,
``{"event": "message-start" | "content-block-start" | "content-block-delta" |
"content-block-finish" | "message-finish" | "error", ...}``; a graph's
``graph.stream_events(..., version="v3")`` (``GraphRunStream``; ``await
graph.astream_events(...)``: ``AsyncGraphRunStream``) yields ``ProtocolEvent``\\ s, ``{"type":
"event", "method": <channel>, "params": {"namespace": [...], "data": ..., "interrupts"?},
"seq"}``, in process or as JSON over the wire. ``split`` gives a graph item's namespace,
channel and data: the channels are LangGraph's stream modes (``messages`` data is ``(protocol
event or whole message, metadata)`` in process, the protocol event alone over the wire),
``lifecycle`` (a subgraph ``started``, ``completed``, ``failed``, ``interrupted``) and the
wire's ``input.requested`` (an interrupt).

``ProtocolMessages`` reads a message's protocol events as the ``AIMessageChunk``\\ s they stand
for (dicts ``GraphMessages.chunk`` takes, so a v3 model call is read as a streamed v1 one):
``message-start`` opens the call (its ``id`` the message's; a message of another role than
the AI's, a tool's, is skipped: tool results come in the state); ``text-delta`` and
``reasoning-delta`` are text and thinking; a ``refusal`` block's words (at its start or its
finish) and ``message-finish``'s ``additional_kwargs["refusal"]`` are a refusal, as in a v1
chunk; a ``tool_call_chunk`` block's start and its ``tool-call-delta``\\ s (``block-delta``
snapshots of older cores, ``legacy-block-delta`` pieces) are ``tool_call_chunks`` keyed by the
block's index; a block's finish gives what its deltas did not (a text's tail, a call that came
whole); ``message-finish`` gives the usage and the finish reason and ends the call
(``chunk_position="last"``). Events find their message by the metadata's ``run_id`` (in a
graph), else the wire's ``message_id``, else the latest message of their namespace. Server tool
calls, media blocks and ``data-delta``\\ s are not shown, as with
``astream_events(version="v2")``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import field, plain, str_or_none
from nbagent.adapters.langchain.graph_items import MODES, namespace
from nbagent.core.events import ErrorEvent

__all__ = [
    "CHANNELS",
    "LIFECYCLE_END",
    "MESSAGE_EVENTS",
    "ProtocolMessages",
    "is_graph_event",
    "is_message_event",
    "is_v3",
    "message_error",
    "split",
]

MESSAGE_EVENTS = frozenset(
    (
        "message-start",
        "content-block-start",
        "content-block-delta",
        "content-block-finish",
        "message-finish",
        "error",
    )
)
"""The protocol events of a message."""

CHANNELS = MODES | {"lifecycle", "input.requested"}
"""The channels of a graph's ``ProtocolEvent``\\ s that say what the run does."""

LIFECYCLE_END = {"completed": None, "failed": "error", "interrupted": "interrupted"}
"""A subgraph's end (a ``lifecycle`` event) → its step's finish reason (another word as it
is)."""


def is_message_event(item: Any) -> bool:
    """A message's protocol event: ``{"event": "message-start", ...}`` and the others."""
    return isinstance(item, Mapping) and item.get("event") in MESSAGE_EVENTS


def is_v3(item: Any) -> bool:
    """The first item of a v3 stream: a graph's ``ProtocolEvent`` or a message's protocol
    event (not an ``error``: a bare ``{"event": "error"}`` is no stream's start)."""
    return is_graph_event(item) or (is_message_event(item) and item["event"] != "error")


def is_graph_event(item: Any) -> bool:
    """A graph's ``ProtocolEvent``: ``{"type": "event", "method": <channel>, "params":
    {"namespace": [...], ...}}`` (a channel of ``CHANNELS``, or a transformer's own: kept as a
    ``Custom``)."""
    if not (isinstance(item, Mapping) and item.get("type") == "event"):
        return False
    params = item.get("params")
    return (
        isinstance(item.get("method"), str)
        and isinstance(params, Mapping)
        and namespace(params.get("namespace", [])) is not None
    )


def split(item: Mapping[str, Any]) -> tuple[tuple[str, ...], str, Any, Any]:
    """A ``ProtocolEvent``'s namespace, channel, data and interrupts (a state's pending ones,
    or the one an ``input.requested`` asks; None when there are none)."""
    params: Mapping[str, Any] = item["params"]
    method = str(item["method"])
    data = params.get("data")
    interrupts = params.get("interrupts") or None
    if method == "input.requested":
        value = field(data, "payload")
        interrupts = [{"value": value, "id": field(data, "interrupt_id")}]
    return namespace(params.get("namespace", [])) or (), method, data, interrupts


class _Message:
    """One message's state: its id, whether it is skipped (not the AI's), the text each
    text or reasoning block streamed, the blocks whose call started."""

    __slots__ = ("calls", "id", "skipped", "texts")

    def __init__(self, message_id: str | None, skipped: bool = False) -> None:
        self.id = message_id
        self.skipped = skipped
        self.texts: dict[Any, str] = {}
        self.calls: dict[Any, str] = {}  # block index -> the argument text streamed


class ProtocolMessages:
    """The open messages of a v3 stream, by route key (see the module docstring)."""

    def __init__(self) -> None:
        self._open: dict[str, _Message] = {}
        self._latest: dict[tuple[str, ...], str] = {}  # namespace -> its latest message's key
        self.seen = False
        """A protocol event came: the ``messages`` channel carries no tool results."""

    def chunk(self, event: Mapping[str, Any], metadata: Any, ns: tuple[str, ...]) -> Any:
        """The ``AIMessageChunk`` (a dict) ``event`` stands for, None when it says nothing."""
        self.seen = True
        kind = event.get("event")
        run = str_or_none(field(metadata, "run_id"))
        if kind == "message-start":
            message_id = str_or_none(event.get("id")) or str_or_none(event.get("message_id"))
            key = run or message_id or "|".join(ns)
            skipped = event.get("role") not in (None, "ai", "assistant")
            started = self._open[key] = _Message(message_id, skipped)
            self._latest[ns] = key
            model = str_or_none(field(event.get("metadata"), "model"))
            return None if skipped else _chunk(started, response_metadata={"model_name": model})
        key = run or str_or_none(event.get("message_id")) or self._latest.get(ns, "|".join(ns))
        message = self._open.get(key)
        if message is None:  # a message whose start this stream never saw
            message = self._open[key] = _Message(None)
            self._latest[ns] = key
        if kind in ("message-finish", "error"):
            del self._open[key]
        if message.skipped:
            return None
        if kind == "content-block-start":
            return _block_start(message, event)
        if kind == "content-block-delta":
            return _block_delta(message, event)
        if kind == "content-block-finish":
            return _block_finish(message, event)
        if kind == "message-finish":
            refusal = field(event.get("additional_kwargs"), "refusal")  # ChatOpenAI's
            return _chunk(
                message,
                usage_metadata=plain(event.get("usage")) or None,
                response_metadata=plain(event.get("metadata")) or {},
                additional_kwargs={"refusal": refusal} if isinstance(refusal, str) else {},
                chunk_position="last",
            )
        if kind == "error":  # the message failed: its call ends so
            failed = {"finish_reason": "error"}
            return _chunk(message, response_metadata=failed, chunk_position="last")
        return None


def message_error(event: Mapping[str, Any], *, fatal: bool) -> ErrorEvent | None:
    """A message's ``error`` event as an ``ErrorEvent`` (``fatal``: the stream is that one
    message's), None for any other event."""
    if event.get("event") != "error":
        return None
    text = str_or_none(event.get("message")) or "the model call failed"
    code = str_or_none(event.get("code"))
    return ErrorEvent(message=text, code=code, details=plain(dict(event)), recoverable=not fatal)


def _chunk(message: _Message, content: Any = "", **fields: Any) -> dict[str, Any]:
    out = {"type": "AIMessageChunk", "content": content, "id": message.id, **fields}
    metadata = out.get("response_metadata")
    if isinstance(metadata, dict):
        out["response_metadata"] = {k: v for k, v in metadata.items() if v is not None}
    return out


def _block(event: Mapping[str, Any]) -> Mapping[str, Any]:
    block = event.get("content") or event.get("content_block")  # the older cores' name
    return block if isinstance(block, Mapping) else {}


def _says(message: _Message, index: Any, kind: str, text: Any) -> Any:
    """A piece of a text or reasoning block, as a chunk (None for no text)."""
    if not isinstance(text, str) or not text:
        return None
    message.texts[index] = message.texts.get(index, "") + text
    if kind in ("reasoning", "refusal"):
        return _chunk(message, [{"type": kind, kind: text}])
    return _chunk(message, text)


def _call(message: _Message, index: Any, args: Any, **named: Any) -> Any:
    """A piece of the call of block ``index`` (its id and name the first time), as a chunk."""
    first = index not in message.calls
    if not first and not (isinstance(args, str) and args):
        return None
    message.calls[index] = message.calls.get(index, "") + (args if isinstance(args, str) else "")
    piece = {"index": index, "args": args if isinstance(args, str) else ""}
    if first:
        piece.update({k: str_or_none(v) for k, v in named.items()})
    return _chunk(message, tool_call_chunks=[piece])


def _block_start(message: _Message, event: Mapping[str, Any]) -> Any:
    block = _block(event)
    if block.get("type") == "refusal":  # its words come whole, at the start or the finish
        return _says(message, event.get("index"), "refusal", block.get("refusal"))
    if block.get("type") != "tool_call_chunk":
        return None
    index = event.get("index")
    return _call(message, index, block.get("args"), id=block.get("id"), name=block.get("name"))


def _block_delta(message: _Message, event: Mapping[str, Any]) -> Any:
    delta = event.get("delta")
    index = event.get("index")
    if not isinstance(delta, Mapping):  # the older cores' delta: a content block
        block = _block(event)
        kind = block.get("type")
        if kind in ("text", "reasoning"):
            return _says(message, index, str(kind), block.get(str(kind)))
        delta = {"type": "legacy-block-delta", "fields": block}
    kind = delta.get("type")
    if kind == "text-delta":
        return _says(message, index, "text", delta.get("text"))
    if kind == "reasoning-delta":
        return _says(message, index, "reasoning", delta.get("reasoning"))
    if kind == "tool-call-delta":
        return _call(message, index, delta.get("args"))
    fields = delta.get("fields")
    if kind not in ("block-delta", "legacy-block-delta") or not isinstance(fields, Mapping):
        return None
    if fields.get("type") != "tool_call_chunk":
        return None
    args = fields.get("args")
    held = message.calls.get(index, "")
    if kind == "block-delta" and isinstance(args, str):  # a snapshot of the arguments so far
        if not args.startswith(held):
            return None
        args = args[len(held) :]
    return _call(message, index, args, id=fields.get("id"), name=fields.get("name"))


def _block_finish(message: _Message, event: Mapping[str, Any]) -> Any:
    """What a finished block says that its deltas did not: the tail of its text, or its call
    when none streamed."""
    block = _block(event)
    index = event.get("index")
    kind = block.get("type")
    if kind in ("text", "reasoning", "refusal"):
        full = block.get(str(kind))
        said = message.texts.get(index, "")
        if isinstance(full, str) and full.startswith(said):
            return _says(message, index, str(kind), full[len(said) :])
        return None
    if kind in ("tool_call", "invalid_tool_call") and index not in message.calls:
        args = block.get("args")
        text = args if isinstance(args, str) else json.dumps(plain(args or {}))
        return _call(message, index, text, id=block.get("id"), name=block.get("name"))
    return None
