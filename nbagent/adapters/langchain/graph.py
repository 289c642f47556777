"""``format="langgraph"``: ``graph.stream()`` / ``astream()`` of LangGraph in every shape, and a
LangChain chat model's own ``model.stream()`` / ``astream()``.

Items: ``AIMessageChunk`` (a model's stream); ``(message, metadata)`` (``stream_mode=
"messages"``); ``(mode, chunk)`` (several modes); ``(namespace, chunk)`` and ``(namespace,
mode, chunk)`` (``subgraphs=True``); ``{"type": mode, "ns": namespace, "data": chunk}``
(``version="v2"``); a bare ``{node: update}`` or state dict (one mode, ``"updates"`` or
``"values"``, told apart by their shape); the ``version="v3"`` streams of a graph
(``stream_events``, ``GraphRunStream``) and of a chat model (``ChatModelStream``), read by
``v3``. Modes: ``messages`` (text, thinking, tool call chunks, usage; ``ToolMessage`` → tool
result), ``updates`` and ``values`` (whole messages not streamed already, tool results,
interrupts), ``custom`` (a str → ``Status``, else ``Custom``), ``tools`` (tool start, output,
end, error), ``tasks``/``debug``/``checkpoints`` (a short ``Custom``); v3's ``lifecycle`` (a
subgraph's scope opens and ends) and ``input.requested`` (an interrupt).

A non-empty namespace ``("node:<task id>", …)`` is a subgraph: ``StepStart(step_type=
"subagent", step_id=<the namespace joined by "|">, name=<node>)`` when first seen, its
events carry ``parent=<that id>``; it ends when its parent graph's update for that node
comes (v3: its ``lifecycle`` end), or at the end. The stream has no terminal item: ``end()``
ends the run, ``completed`` (``interrupted`` after an interrupt, ``max_tokens``/``tool_calls``
by the last model call's finish reason; a model's own stream without its
``chunk_position="last"`` is ``incomplete``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent.adapters.base import (
    ServerSentEvent,
    field,
    plain,
    short_repr,
    str_or_none,
    unwrap,
)
from nbagent.adapters.kit.dispatch import never_raises
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.adapters.langchain.content import is_chunk, is_message, message_kind, messages_in
from nbagent.adapters.langchain.graph_interrupts import paused_calls
from nbagent.adapters.langchain.graph_items import (
    MODES,
    guess_mode,
    has_messages,
    is_part,
    summary,
    tagged,
)
from nbagent.adapters.langchain.graph_messages import GraphMessages
from nbagent.adapters.langchain.graph_scopes import GraphScopes
from nbagent.adapters.langchain.tools import Tools
from nbagent.adapters.langchain.v3 import (
    ProtocolMessages,
    is_graph_event,
    is_message_event,
    is_v3,
    message_error,
    split,
)
from nbagent.core.events import Custom, Event, RunEnd, Status, ToolResult

__all__ = ["MODES", "LangGraphAdapter"]

_FINISH = {
    "length": "max_tokens",
    "max_tokens": "max_tokens",
    "MAX_TOKENS": "max_tokens",
    "tool_calls": "tool_calls",
    "tool_use": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
    "refusal": "refusal",  # Anthropic's stop_reason
}


class LangGraphAdapter:
    """LangGraph ``stream()`` items and chat model chunks → events (see the module docstring)."""

    name: ClassVar[str] = "langgraph"

    def __init__(self) -> None:
        self._life = Lifecycle("langgraph")
        self._scopes = GraphScopes()
        self._owner = self._scopes.owner  # step / scope id -> the scope it is in
        self._tool_calls = Tools()
        self._messages = GraphMessages(self._tool_calls, self._owner)
        self._protocol = ProtocolMessages()  # version="v3": a message's protocol events
        self._modes: set[str] = set()  # the modes seen so far
        self._states: set[tuple[str, ...]] = set()  # namespaces whose state came once
        self._interrupted = False
        self._model_only = True  # a chat model's own stream: only bare chunks so far
        self._last_chunk = False
        self._tool_output: dict[str, str] = {}
        self._part_interrupts: Any = None  # a v2 "values" part's interrupts

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        if isinstance(item, (str, bytes, bytearray, ServerSentEvent)):
            item = unwrap(item)[1]  # the JSON of a v2 part, a v3 event
            return isinstance(item, Mapping) and (is_part(item) or is_v3(item))
        if is_v3(item):
            return True
        if isinstance(item, tuple):
            if len(item) == 2 and not isinstance(item[0], (str, tuple)):  # (message, meta)
                return is_message(item[0]) and isinstance(item[1], Mapping)
            return tagged(item) is not None
        if isinstance(item, Mapping):
            return is_part(item) or "__interrupt__" in item or has_messages(item)
        return is_message(item) and not isinstance(item, Mapping)

    # -- the adapter interface ---------------------------------------------------------------

    def _split(self, item: Any) -> tuple[tuple[str, ...], str, Any]:
        if isinstance(item, (str, bytes, bytearray, ServerSentEvent)):
            item = unwrap(item)[1]
            if not (isinstance(item, Mapping) and (is_part(item) or is_v3(item))):
                raise self._life.bad("not a stream part", item)
        if is_graph_event(item):
            ns, mode, data, self._part_interrupts = split(item)
            return ns, mode, data
        if is_message_event(item):
            return (), "model", item
        if isinstance(item, Mapping) and is_part(item) and item["type"] == "values":
            self._part_interrupts = item.get("interrupts") or None
        parts = tagged(item)
        if parts is not None:
            return parts
        if isinstance(item, (Mapping, tuple, list)) or is_message(item):
            return (), guess_mode(item), item
        raise self._life.bad(
            "an item is a graph.stream() chunk (a tuple, a dict) or a LangChain message", item
        )

    def feed(self, item: Any) -> list[Event]:
        if self._life.done:
            return []
        ns, mode, data = self._split(item)
        out: list[Event] = []
        scope = self._scopes.enter(ns, out)
        if self._part_interrupts is not None:
            self._interrupt(self._part_interrupts, out)
            self._part_interrupts = None
        self._modes.add(mode)
        if mode != "model":
            self._model_only = False
        if mode in ("messages", "model"):
            self._message_item(ns, mode, data, scope, out)
        elif mode == "updates":
            self._updates(ns, data, scope, out)
        elif mode == "values":
            self._values(ns, data, scope, out)
        elif mode == "custom":
            if isinstance(data, str):
                out.append(Status(state="progress", text=data))
            else:
                out.append(Custom(name="custom", value=plain(data)))
        elif mode == "tools":
            self._tools(data, scope, out)
        elif mode == "lifecycle":
            self._scopes.lifecycle(data, self._messages, out)
        elif mode == "input.requested":
            pass  # its interrupt, read with the item
        else:  # tasks / debug / checkpoints repeat the state; a v3 transformer's channel as it is
            value = summary(data) if mode in MODES else plain(data)
            out.append(Custom(name=f"langgraph.{mode}", value=value))
        for ev in out:
            if ev.parent is None:
                ev.parent = self._parent_of(ev, scope)
        return out

    def end(self) -> list[Event]:
        if not self._life.end():
            return []
        out: list[Event] = []
        for stream in list(self._messages.streams.values()):
            self._messages.close(stream, out)
        self._scopes.end(out)
        for ev in out:
            if ev.parent is None:
                ev.parent = self._parent_of(ev, None)
        raw = self._messages.last_finish
        if self._model_only and "model" in self._modes and not self._last_chunk:
            message = "the model's stream ended before its last chunk"
            out.append(RunEnd(reason="incomplete", raw_reason=raw, message=message))
        elif self._interrupted:
            out.append(RunEnd(reason="interrupted", raw_reason=raw))
        else:
            reason: Any = _FINISH.get(raw or "", "completed") if raw else "completed"
            if reason == "completed" and self._messages.refused:
                reason = "refusal"
            out.append(RunEnd(reason=reason, raw_reason=raw))
        return out

    # -- scopes ------------------------------------------------------------------------------

    def _parent_of(self, ev: Event, scope: str | None) -> str | None:
        for attr in ("step_id", "tool_call_id", "message_id"):
            value = getattr(ev, attr, None)
            if not isinstance(value, str):
                continue
            if attr == "message_id":
                value = value.removesuffix(":think1")  # a model run's thinking: its key's
            if value in self._owner:
                return self._owner[value]
            call = self._tool_calls.calls.get(value) if attr == "tool_call_id" else None
            if call is not None and call.owner in self._owner:
                return self._owner[call.owner]
            if attr != "tool_call_id":
                break
        return scope

    # -- modes -------------------------------------------------------------------------------

    def _message_item(
        self, ns: tuple[str, ...], mode: str, data: Any, scope: str | None, out: list[Event]
    ) -> None:
        message, metadata = data, None
        if mode == "messages" and isinstance(data, (tuple, list)) and len(data) == 2:
            message, metadata = data
            if not isinstance(metadata, Mapping):
                metadata = None
        if is_message_event(message):  # version="v3": a protocol event of a model call
            chunk = self._protocol.chunk(message, metadata, ns)
            if chunk is not None:
                self._message(chunk, metadata, scope, out, streamed=True)
            if error := message_error(message, fatal=self._model_only):
                out.append(error)
            return
        if message_kind(message) is None:
            raise self._life.bad("not a LangChain message", message)
        self._message(message, metadata, scope, out, streamed=True)

    def _message(
        self, message: Any, metadata: Any, scope: str | None, out: list[Event], *, streamed: bool
    ) -> None:
        """A message of the stream (``streamed``: a chunk goes on a model call) or a node's."""
        kind = message_kind(message)
        if kind == "ai" and streamed and is_chunk(message):
            self._messages.chunk(message, metadata, scope, out)
            self._last_chunk = field(message, "chunk_position") == "last"
        elif kind == "ai":  # a model that does not stream gives its whole message
            self._messages.whole(message, metadata, scope, out)
            self._last_chunk = self._last_chunk or streamed
        elif kind == "tool":
            self._messages.tool_message(message, scope, out)
        elif (message_id := str_or_none(field(message, "id"))) is not None:
            self._messages.seen.add(message_id)  # the user's or the system's: not rendered

    def _updates(self, ns: tuple[str, ...], data: Any, scope: str | None, out: list[Event]) -> None:
        if not isinstance(data, Mapping):
            out.append(Custom(name="langgraph.updates", value=plain(data)))
            return
        for node, update in data.items():
            if node == "__interrupt__":
                self._interrupt(update, out)
                continue
            if node == "__metadata__":
                continue
            self._scopes.leave(ns, str(node), self._messages, out)
            for message in messages_in(update):
                self._message(message, None, scope, out, streamed=False)

    def _values(self, ns: tuple[str, ...], data: Any, scope: str | None, out: list[Event]) -> None:
        if isinstance(data, Mapping) and data.get("__interrupt__"):
            self._interrupt(data["__interrupt__"], out)
        first = ns not in self._states
        self._states.add(ns)
        said = self._modes & {"updates", "messages"}
        if self._protocol.seen:  # v3's messages carry no tool results: the state does
            said.discard("messages")
        if first or said:
            # the first state holds the input and earlier turns; other modes said the rest
            for message in messages_in(data):
                message_id = str_or_none(field(message, "id"))
                if first and message_id is not None:
                    self._messages.seen.add(message_id)
                tool_call_id = str_or_none(field(message, "tool_call_id"))
                if first and message_kind(message) == "tool" and tool_call_id is not None:
                    self._tool_calls.answered.add(tool_call_id)
            return
        for message in messages_in(data):
            self._message(message, None, scope, out, streamed=False)

    def _interrupt(self, interrupts: Any, out: list[Event]) -> None:
        self._interrupted = True
        items = interrupts if isinstance(interrupts, (list, tuple)) else [interrupts]
        for interrupt in items:
            value = field(interrupt, "value") if not isinstance(interrupt, str) else interrupt
            waiting = [
                c for c in self._tool_calls.calls.values() if c.id not in self._tool_calls.answered
            ]
            paused = paused_calls(waiting, interrupt, value, many=len(items) > 1)
            if paused:  # it asks about tool calls the model made
                out.extend(paused)
                continue
            text = value if isinstance(value, str) else short_repr(plain(value), 200)
            out.append(Status(state="interrupted", text=text, detail=plain(value)))

    def _tools(self, data: Any, scope: str | None, out: list[Event]) -> None:
        event = field(data, "event")
        tool_call_id = str_or_none(field(data, "tool_call_id"))
        if tool_call_id is None or not isinstance(event, str):
            out.append(Custom(name="langgraph.tools", value=plain(data)))
            return
        if event == "tool-started":
            name = str_or_none(field(data, "tool_name"))
            if tool_call_id not in self._tool_calls.calls:
                self._owner[tool_call_id] = scope
                self._tool_calls.whole(tool_call_id, "", name or "", None, out)
            out.append(Status(state="tool_running", text=name, tool_call_id=tool_call_id))
        elif event == "tool-output-delta" and tool_call_id not in self._tool_calls.answered:
            delta = field(data, "delta")
            text = self._tool_output.get(tool_call_id, "") + (
                delta if isinstance(delta, str) else short_repr(plain(delta), 2000)
            )
            self._tool_output[tool_call_id] = text
            out.append(ToolResult(tool_call_id=tool_call_id, content=text, preliminary=True))
        elif event == "tool-finished":
            output = field(data, "output")
            if message_kind(output) == "tool":
                self._messages.tool_message(output, scope, out)
            elif tool_call_id not in self._tool_calls.answered:
                self._messages.result(tool_call_id, None, plain(output), False, scope, out)
        elif event == "tool-error" and tool_call_id not in self._tool_calls.answered:
            message = str_or_none(field(data, "message")) or "the tool failed"
            self._messages.result(tool_call_id, None, message, True, scope, out)
