"""``LangChainAdapter``: feed/end and its state, the run's lifecycle (its root, the LangGraph
Platform's SSE frames, the end), graph nodes and the other events; it composes the ``Tools``
(``tools.py``) and ``Models`` (``models.py``) parts. ``_HANDLERS`` maps an event name to its
handler, in the adapter or one of its parts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from nbagent.adapters.base import (
    ServerSentEvent,
    field,
    plain,
    str_or_none,
    unwrap,
)
from nbagent.adapters.kit.dispatch import never_raises
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.adapters.langchain.content import (
    message_kind,
    message_parts,
    message_refusal,
    messages_in,
)
from nbagent.adapters.langchain.models import Models
from nbagent.adapters.langchain.state import Data, Scopes, checkpoint_ns
from nbagent.adapters.langchain.tools import Tools
from nbagent.core.events import (
    Custom,
    EndReason,
    ErrorEvent,
    Event,
    MessageEnd,
    RunEnd,
    Status,
    StepEnd,
    StepStart,
    TextDelta,
)

__all__ = ["LangChainAdapter"]


class LangChainAdapter:
    """``astream_events(version="v2")`` items → events (see the package docstring)."""

    name: ClassVar[str] = "langchain"

    def __init__(self) -> None:
        self._life = Lifecycle("langchain")
        self._root: str | None = None
        self._root_known = False
        self._tools = Tools()
        self._models = Models(self._tools)
        self._scopes = Scopes()
        self._owner = self._scopes.owner  # step / scope id -> the scope it is in
        self._node_ns: dict[str, str] = {}  # node step id -> its checkpoint namespace

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """A StreamEvent: ``event`` starting with ``on_`` plus ``data`` or ``run_id``."""
        if isinstance(item, ServerSentEvent) and item.event == "metadata":
            return False
        _, payload = unwrap(item)
        if not isinstance(payload, Mapping):
            return False
        event = payload.get("event")
        if not isinstance(event, str) or not event.startswith("on_"):
            return False
        return isinstance(payload.get("data"), Mapping) or isinstance(payload.get("run_id"), str)

    # -- the adapter interface ---------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._life.done:
            return []
        sse_name, payload = unwrap(item)
        out: list[Event] = []
        if sse_name is not None and sse_name != "events":
            return self._sse_frame(sse_name, payload, out)
        if not isinstance(payload, Mapping):
            if isinstance(payload, str) or payload is None or isinstance(payload, (list, int)):
                raise self._life.bad("an item must be a StreamEvent dict", item)
            raise self._life.bad("not a StreamEvent", item)
        event = payload.get("event")
        if not isinstance(event, str):
            raise self._life.bad("a StreamEvent has an 'event' name", item)
        run_id = str_or_none(payload.get("run_id")) or ""
        if not self._root_known:
            parents = payload.get("parent_ids")
            root = run_id
            if isinstance(parents, list) and parents and isinstance(parents[0], str):
                root = parents[0]
            self._root_known = True
            self._root = root or None
            self._life.begin(out, run_id=root)
        data = payload.get("data")
        if not isinstance(data, Mapping):
            data = {}
        name = str_or_none(payload.get("name")) or ""
        first = len(out)
        scope = self._scopes.enter(checkpoint_ns(payload.get("metadata"))[:-1], out)
        handler = _HANDLERS.get(event)
        if handler is not None:
            handler(self)(payload, data, run_id, name, out)
        elif event.startswith(("on_retriever_", "on_prompt_", "on_parser_")):
            if event == "on_retriever_start":
                out.append(Status(state="retrieving", text=name or "retrieving", detail=name))
            else:
                out.append(Custom(name=event, value={"name": name, "run_id": run_id}))
        else:
            out.append(Custom(name=event, value=plain(dict(payload)), is_raw=True))
        if event == "on_chain_end":
            self._leave_scope(payload.get("metadata"), name, out)
        for ev in out[first:]:
            if isinstance(ev, StepStart) and ev.step_id not in self._owner:
                self._owner[ev.step_id] = scope
            if ev.parent is None:
                step_id = getattr(ev, "step_id", None)
                ev.parent = self._owner.get(step_id, scope) if isinstance(step_id, str) else scope
        if run_id and run_id == self._root and event.endswith("_end"):
            self._finish(out, "completed")
        return out

    def end(self) -> list[Event]:
        if self._life.done:
            return []
        out: list[Event] = []
        self._life.begin(out)
        self._finish(out, "incomplete", "the stream ended before the root run ended")
        return out

    # -- lifecycle -------------------------------------------------------------------------

    def _sse_frame(self, sse_name: str, payload: Any, out: list[Event]) -> list[Event]:
        if sse_name == "metadata":
            run_id = str_or_none(field(payload, "run_id")) if isinstance(payload, Mapping) else None
            self._life.begin(out, run_id=run_id or "")  # the root comes with the first events frame
            return out
        self._life.begin(out)
        if sse_name == "error":
            message = None
            if isinstance(payload, Mapping):
                message = str_or_none(payload.get("message")) or str_or_none(payload.get("error"))
            message = message or (payload if isinstance(payload, str) else "the server failed")
            self._close_all(out)
            out.append(ErrorEvent(message=str(message), details=plain(payload)))
            out.append(RunEnd(reason="error", message=str(message)))
            self._life.end()
        elif sse_name == "end":
            self._finish(out, "completed")
        else:
            out.append(Custom(name=sse_name, value=plain(payload), is_raw=True))
        return out

    def _finish(self, out: list[Event], reason: EndReason, message: str | None = None) -> None:
        self._life.end()
        self._close_all(out)
        if reason == "completed" and self._models.refused:  # what the model said is a refusal
            reason = "refusal"
        out.append(RunEnd(reason=reason, message=message))

    def _close_all(self, out: list[Event]) -> None:
        for run_id in list(self._models.runs):
            self._models.close_model(run_id, out, None)
        while self._models.steps:
            step_id = self._models.steps.pop()
            out.append(StepEnd(step_id=step_id, parent=self._owner.get(step_id)))
        self._scopes.end(out)

    def _leave_scope(self, metadata: Any, name: str, out: list[Event]) -> None:
        """A subgraph's run ended (its node's ``on_chain_end``): its scope and those in it."""
        if not isinstance(metadata, Mapping) or metadata.get("langgraph_node") != name:
            return
        scope_id = metadata.get("langgraph_checkpoint_ns")
        if isinstance(scope_id, str) and scope_id in self._scopes.open:
            self._scopes.end(out, name, under=scope_id)

    # -- chains (graph nodes) ----------------------------------------------------------------

    def _chain_start(self, p: Data, data: Data, run_id: str, name: str, out: list[Event]) -> None:
        metadata = p.get("metadata")
        node = metadata.get("langgraph_node") if isinstance(metadata, Mapping) else None
        if not (run_id and node and node == name and run_id != self._root):
            return
        task_ns = metadata.get("langgraph_checkpoint_ns") if metadata else None
        if isinstance(task_ns, str):
            if task_ns in self._node_ns.values():
                return  # a subgraph's own run inside its node's run: the same step
            self._node_ns[run_id] = task_ns
        self._models.open_step(run_id, name, "node", out)

    def _chain_end(self, p: Data, data: Data, run_id: str, name: str, out: list[Event]) -> None:
        if run_id in self._models.steps and run_id not in self._models.runs:
            self._node_output(data.get("output"), out)
        self._node_ns.pop(run_id, None)
        self._models.close_step(run_id, name, out)

    def _node_output(self, output: Any, out: list[Event]) -> None:
        """Messages a node returned that no model run said: its text and tool calls."""
        for message in messages_in(output):
            message_id = str_or_none(field(message, "id"))
            if (
                message_kind(message) != "ai"
                or message_id is None
                or message_id in self._models.said
            ):
                continue
            self._models.said.add(message_id)
            texts = [value for channel, value in message_parts(message) if channel == "text"]
            out.extend(TextDelta(message_id=message_id, delta=text) for text in texts)
            if texts:
                out.append(MessageEnd(message_id=message_id))
            if refusal := message_refusal(message):
                self._models.refused = True
                refusal_id = Ids(message_id).new("refusal")
                out.append(TextDelta(message_id=refusal_id, delta=refusal, refusal=True))
                out.append(MessageEnd(message_id=refusal_id))
            self._tools.message_calls(message_id, message, out)

    # -- other -------------------------------------------------------------------------------

    def _custom(self, p: Data, data: Data, run_id: str, name: str, out: list[Event]) -> None:
        out.append(Custom(name=name or "custom", value=plain(p.get("data"))))

    def _ignore(self, p: Data, data: Data, run_id: str, name: str, out: list[Event]) -> None:
        return


_Handler = Callable[[Mapping[str, Any], Mapping[str, Any], str, str, list[Event]], None]

_HANDLERS: dict[str, Callable[[LangChainAdapter], _Handler]] = {
    "on_chain_start": lambda a: a._chain_start,
    "on_chain_end": lambda a: a._chain_end,
    "on_chain_stream": lambda a: a._ignore,
    "on_chat_model_start": lambda a: a._models.start,
    "on_chat_model_stream": lambda a: a._models.stream,
    "on_chat_model_end": lambda a: a._models.end,
    "on_llm_start": lambda a: a._models.start,
    "on_llm_stream": lambda a: a._models.stream,
    "on_llm_end": lambda a: a._models.end,
    "on_tool_start": lambda a: a._tools.tool_start,
    "on_tool_end": lambda a: a._tools.tool_end,
    "on_tool_error": lambda a: a._tools.tool_error,
    "on_custom_event": lambda a: a._custom,
}
