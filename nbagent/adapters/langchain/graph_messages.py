"""Messages of a LangGraph stream (or of a chat model's own stream), ``GraphMessages``, a part
of ``LangGraphAdapter``: streamed ``AIMessageChunk``\\ s, whole ``AIMessage``\\ s (a model that did
not stream, a node's output in ``"updates"``/``"values"``) and ``ToolMessage``\\ s.

A model call is a step whose id is its message id (``lc_run--…`` or the provider's); a chunk
with a new id, or of another ``langgraph_step``, starts a new one and ends the earlier calls of
its scope; ``chunk_position="last"`` ends it. Whole messages already streamed (the same id, or
that id plus LangChain's ``-0`` suffix) render only the tool calls that were not streamed;
tool results are deduplicated by ``tool_call_id``.
"""

from __future__ import annotations

import re
from typing import Any

from nbagent.adapters.base import field, list_or_empty, plain, str_or_none
from nbagent.adapters.langchain.content import message_parts, message_refusal
from nbagent.adapters.langchain.state import ModelRun, call_chunks, finish_reason, tool_message
from nbagent.adapters.langchain.tools import Tools
from nbagent.core.events import Event, StepEnd, StepStart

__all__ = ["GraphMessages"]

_SUFFIX = re.compile(r"-\d+$")


class _Stream(ModelRun):
    """One model call of a graph: its step, node and graph step; ``parent``: its scope."""

    __slots__ = ("finish", "lg_step", "name")

    def __init__(self, key: str, name: str, scope: str | None, lg_step: Any) -> None:
        super().__init__(key)
        self.name = name
        self.lg_step = lg_step
        self.finish: str | None = None


def _model(message: Any) -> str | None:
    return str_or_none(field(field(message, "response_metadata"), "model_name"))


class GraphMessages:
    """The model calls and tool results of a graph, on the run's ``Tools``; ``owner`` (step /
    scope id -> the scope it is in) is the adapter's, shared with its scopes."""

    def __init__(self, tools: Tools, owner: dict[str, str | None]) -> None:
        self.tools = tools
        self._owner = owner
        self.streams: dict[str, _Stream] = {}  # open model calls by message id
        self._closed: set[str] = set()  # ended model calls
        self.seen: set[str] = set()  # message ids rendered (or history)
        self._aliases: dict[str, str] = {}  # message id -> the step that goes on with it
        self.last_finish: str | None = None
        self.refused = False  # a model call refused

    # -- model calls -------------------------------------------------------------------------

    def _new_key(self, wire_key: str | None) -> str:
        """The key of a model call: ``{id}#{n}`` for a wire id seen again, ``run:text{n}``
        where the wire gave none."""
        ids = self.tools.assembly.ids
        if wire_key is None:
            return ids.new("text")
        if wire_key not in ids:
            ids.wire(wire_key)  # its first call had it
        return ids.wire(wire_key)

    def open(
        self, key: str, message: Any, metadata: Any, scope: str | None, out: list[Event]
    ) -> _Stream:
        """A model call's step; the scope's open calls end (but those of its graph step)."""
        lg_step = field(metadata, "langgraph_step")
        keep = lg_step if metadata is not None else None
        for stream in list(self.streams.values()):
            if stream.parent == scope and (keep is None or stream.lg_step != keep):
                self.close(stream, out)
        name = str_or_none(field(metadata, "langgraph_node")) or _model(message)
        name = name or str_or_none(field(metadata, "ls_model_name")) or "model"
        stream = self.streams[key] = _Stream(key, name, scope, lg_step)
        self._owner[key] = scope
        self.seen.add(key)
        out.append(StepStart(step_id=key, name=name, step_type="model"))
        return stream

    def close(self, stream: _Stream, out: list[Event]) -> None:
        if self.streams.pop(stream.key, None) is None:
            return
        self._closed.add(stream.key)
        stream.close(out)
        for call in stream.calls:
            self.tools.end_call(call, out)
        out.append(StepEnd(step_id=stream.key, name=stream.name, finish_reason=stream.finish))
        self.last_finish = stream.finish
        self.refused = self.refused or stream.refused

    def _was_seen(self, message_id: str | None) -> bool:
        if message_id is None:
            return False
        return message_id in self.seen or _SUFFIX.sub("", message_id) in self.seen

    def chunk(self, message: Any, metadata: Any, scope: str | None, out: list[Event]) -> None:
        """One streamed ``AIMessageChunk`` (``metadata`` None: a model's own stream)."""
        lg_step = field(metadata, "langgraph_step")
        key = str_or_none(field(message, "id"))
        if key is not None:
            key = self._aliases.get(key, key)
        stream = self.streams.get(key) if key is not None else None
        if stream is None and key is None:  # no id: the scope's latest call goes on
            for candidate in reversed(self.streams.values()):
                if candidate.parent == scope and candidate.lg_step == lg_step:
                    stream = candidate
                    break
        if stream is None:
            if key is None or key in self._closed:  # a late chunk of an ended call: a new one
                wire_key, key = key, self._new_key(key)
                if wire_key is not None:
                    self._aliases[wire_key] = key
            stream = self.open(key, message, metadata, scope, out)
        stream.says(message, out)
        out.extend(call_chunks(self.tools.assembly, stream, message))
        stream.usage(message, out, _model(message))
        stream.finish = finish_reason(message) or stream.finish
        if field(message, "chunk_position") == "last":
            self.close(stream, out)

    def whole(self, message: Any, metadata: Any, scope: str | None, out: list[Event]) -> None:
        """A whole ``AIMessage``: a step of its own, unless it was streamed already (then only
        the tool calls that were not)."""
        message_id = str_or_none(field(message, "id"))
        calls = [tc for tc in list_or_empty(field(message, "tool_calls")) if tc is not None]
        if self._was_seen(message_id):
            fresh = [tc for tc in calls if str_or_none(field(tc, "id")) not in self.tools.calls]
            if fresh:
                owner = self._owner.get(message_id or "", scope)
                self.whole_calls(message_id or "", fresh, owner, out)
            return
        said = message_parts(message) or message_refusal(message)
        if not said and not calls and not field(message, "usage_metadata"):
            if message_id is not None:
                self.seen.add(message_id)
            return
        key = message_id if message_id not in self._closed else None  # an ended call's: new
        stream = self.open(key or self._new_key(None), message, metadata, scope, out)
        stream.says(message, out)
        self.whole_calls(stream.key, calls, scope, out, stream)
        stream.usage(message, out, _model(message))
        stream.finish = finish_reason(message)
        self.close(stream, out)

    def whole_calls(
        self, run: str, calls: list[Any], scope: str | None, out: list[Event],
        stream: _Stream | None = None,
    ) -> None:  # fmt: skip
        for tc in calls:
            wire_id = str_or_none(field(tc, "id"))
            synth = wire_id is None or wire_id in self.tools.calls
            ids = self.tools.assembly.ids
            tool_call_id = ids.new("call", run or None) if synth else ids.wire(wire_id or "")
            if stream is None:
                self._owner[tool_call_id] = scope
            name = str_or_none(field(tc, "name")) or ""
            call = self.tools.whole(tool_call_id, run, name, plain(field(tc, "args")), out, synth)
            if stream is not None:
                stream.calls.append(call)

    # -- tool results ------------------------------------------------------------------------

    def tool_message(self, message: Any, scope: str | None, out: list[Event]) -> None:
        tool_call_id = str_or_none(field(message, "tool_call_id"))
        message_id = str_or_none(field(message, "id"))
        if message_id is not None:
            self.seen.add(message_id)
        if tool_call_id is None:
            tool_call_id = message_id or self.tools.assembly.ids.new("call")
        if tool_call_id in self.tools.answered:
            return
        content, is_error = tool_message(message)
        self.result(
            tool_call_id, str_or_none(field(message, "name")), content, is_error, scope, out
        )

    def result(
        self, tool_call_id: str, name: str | None, content: Any, is_error: bool,
        scope: str | None, out: list[Event],
    ) -> None:  # fmt: skip
        call = self.tools.calls.get(tool_call_id)
        if call is None:  # a result whose call was never seen: the call, whole
            self._owner[tool_call_id] = scope
            call = self.tools.whole(tool_call_id, "", name or "tool", None, out)
        else:
            stream = self.streams.get(call.owner)
            if stream is not None:  # the model call that asked for it is over
                self.close(stream, out)
        self.tools.result(tool_call_id, name, content, is_error, out)
