"""``OpenAIAgentsAdapter``: detection, ``feed`` (which dispatches on the stream event) and
``end``, the model calls (each a step, read by an ``OpenAIResponsesAdapter`` of its own whose
events are renamed into the run), the agent's name, agents used as tools (nested), and the
end. It composes the ``RunItems`` part (``items.py``: run items, the run's tool calls) and the
``Approvals`` part on them (``approvals.py``); readers are in ``maps.py``. The
package docstring has the mapping and the ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from nbagent.adapters.base import (
    field,
    int_or_none,
    library_label,
    plain,
    str_or_none,
    unwrap,
)
from nbagent.adapters.kit.dispatch import never_raises
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.adapters.openai_agents.approvals import Approvals
from nbagent.adapters.openai_agents.items import RunItems
from nbagent.adapters.openai_agents.maps import agent_name, stream_kind, with_field
from nbagent.adapters.openai_responses import OpenAIResponsesAdapter
from nbagent.core.events import (
    Custom,
    Event,
    MessageEnd,
    MessageStart,
    RunEnd,
    RunStart,
    Status,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
    Usage,
)

__all__ = ["OpenAIAgentsAdapter"]

_MESSAGE_EVENTS = (MessageStart, TextDelta, ThinkingDelta, MessageEnd)
_CALL_EVENTS = (ToolCallArgsDelta, ToolCallEnd, ToolResult, Status)


class OpenAIAgentsAdapter:
    """Agents SDK stream events → events (see the package docstring).

    ``parent``: the scope of every event (an agent used as a tool: its tool call's id); a
    nested adapter emits no ``RunEnd``.
    """

    name: ClassVar[str] = "openai-agents"

    def __init__(self, parent: str | None = None) -> None:
        self._parent = parent
        self._life = Lifecycle(
            "openai-agents",
            "the events of Runner.run_streamed(...).stream_events() "
            "(or the RunResultStreaming itself)",
        )
        self._agent = ""  # the current agent's name
        self._step_id = ""  # the latest model call's step id
        self._step_open = False
        self._model: str | None = None
        self._response: OpenAIResponsesAdapter | None = None  # reads the current model call
        # The run's item ids, apart from its call ids (a model may give a function call's item
        # the call's id); the model call's items: a wire item id -> its first output_index;
        # (item id, index) -> the run's id of the item; a message id of the call -> the run's
        self._item_ids_of_run = Ids()
        self._first_index: dict[str, int] = {}
        self._item_ids: dict[tuple[str, int], str] = {}
        self._message_ids: dict[str, str] = {}
        self._items = RunItems(parent)
        self._approvals = Approvals(self._items)
        self._nested: dict[str, OpenAIAgentsAdapter] = {}  # tool_call_id -> its agent's events
        self._unnamed: dict[str | None, str] = {}  # an agent tool of no call id -> its scope
        self._readers: dict[str, Callable[[Any, list[Event]], None]] = {
            "raw": self._raw,
            "item": self._items.run_item,
            "agent": self._agent_updated,
            "progress": self._progress,
            "agent_tool": self._agent_tool,
            "approval": self._approvals.approval,
            "approval_answer": self._approvals.answer,
        }  # the stream events' kinds (``maps.stream_kind``) -> what reads them

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """An Agents SDK stream event (``RawResponsesStreamEvent``, ``RunItemStreamEvent``,
        ``AgentUpdatedStreamEvent``…, or the dict form of one)."""
        _, payload = unwrap(item)
        kind = stream_kind(payload)
        return kind is not None and kind != "other"

    # -- feeding ---------------------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._life.done:
            return []
        _, payload = unwrap(item)
        kind = stream_kind(payload)
        if kind is None:
            raise self._life.takes(payload)
        out: list[Event] = []
        read = self._readers.get(kind)
        if read is not None:
            read(payload, out)
        else:  # a stream event this version does not know
            name = str_or_none(field(payload, "type")) or type(payload).__name__
            self._items.emit(out, Custom(name=name, value=plain(payload), is_raw=True))
        return out

    def end(self) -> list[Event]:
        """The stream is exhausted: the SDK sends no last event, so this is the end of the
        run, ``completed``; but for a model call still open (the run was cancelled)."""
        if self._life.done:
            return []
        out: list[Event] = []
        interrupted = self._close(out)
        if self._parent is None:
            if interrupted:
                message = "the stream ended during a model call (the run was cancelled)"
                out.append(RunEnd(reason="cancelled", message=message))
            elif self._approvals.awaiting:
                message = "tool calls await approval (result.interruptions)"
                out.append(RunEnd(reason="interrupted", message=message))
            else:
                out.append(RunEnd(reason="completed"))
        return out

    def _close(self, out: list[Event]) -> bool:
        """Close the open model call and the nested agents; True when a call was open."""
        self._life.end()
        for nested in self._nested.values():
            nested._close(out)
        interrupted = self._step_open
        self._end_step(out)
        return interrupted

    # -- model calls -----------------------------------------------------------------------

    def _raw(self, payload: Any, out: list[Event]) -> None:
        """One Responses event of a model call, read by that call's own Responses adapter."""
        data = field(payload, "data")
        kind = field(data, "type")
        if not isinstance(kind, str):
            raise self._life.bad(
                f"a raw_response_event of {library_label('agents', 'openai-agents')} whose data "
                "is not a Responses stream event (no type); nbagent reads the events of "
                "Runner.run_streamed(...).stream_events() as they come",
                data,
            )
        response = self._response
        if kind == "response.created" or not self._step_open or response is None:
            response = self._start_step(data, out)
        for ev in response.feed(self._distinct_ids(data)):
            self._adopt(ev, out)

    def _start_step(self, data: Any, out: list[Event]) -> OpenAIResponsesAdapter:
        self._end_step(out)
        self._step_id = self._items.ids.scope_id("step", self._parent)
        self._step_open = True
        self._response = response = OpenAIResponsesAdapter()
        self._first_index, self._item_ids, self._message_ids = {}, {}, {}
        self._items.step_items = set()
        self._items.step_calls = set()
        model = str_or_none(field(field(data, "response"), "model"))
        self._model = model or self._model
        step = StepStart(step_id=self._step_id, name=self._agent or "model", step_type="model")
        self._items.emit(out, step)
        return response

    def _end_step(self, out: list[Event]) -> None:
        """Close a model call that had no terminal event (cancelled, retried)."""
        if self._step_open and self._response is not None:
            for ev in self._response.end():
                self._adopt(ev, out)
        self._step_open = False

    def _distinct_ids(self, data: Any) -> Any:
        """The event with the run's id of its item (the run's ``Ids``): item ids repeat
        across model calls (scripted models), and the Chat Completions and LiteLLM models give
        every output item of a response the id ``"__fake_id__"``, told apart by their
        ``output_index``."""
        item = field(data, "item")
        wire_id = field(item, "id") if item is not None else field(data, "item_id")
        index = int_or_none(field(data, "output_index"))
        if not isinstance(wire_id, str):
            return data
        self._items.step_items.add(wire_id)
        first = self._first_index.setdefault(wire_id, 0 if index is None else index)
        key = (wire_id, first if index is None else index)
        distinct = self._item_ids.get(key)
        if distinct is None:
            distinct = self._item_ids_of_run.wire(wire_id)
            self._item_ids[key] = self._message_ids[distinct] = distinct
        if distinct == wire_id:
            return data
        if item is not None:
            return with_field(data, "item", with_field(item, "id", distinct))
        return with_field(data, "item_id", distinct)

    def _message_id(self, inner: str) -> str:
        """The run's id of a message of the model call: its item's (``_distinct_ids``), else
        the id the call's adapter invented, ``#2``… when an earlier call had it."""
        given = self._message_ids.get(inner)
        if given is None:
            given = self._message_ids[inner] = self._item_ids_of_run.wire(inner)
        return given

    def _adopt(self, ev: Event, out: list[Event]) -> None:
        """An event of the model call's Responses adapter, renamed into the run: the call's
        step, message and tool call ids unique in the run, the step's usage.
        The run's start and end are this adapter's, not the model call's."""
        if isinstance(ev, (RunStart, RunEnd, StepStart)):
            return
        if isinstance(ev, StepEnd):
            if not self._step_open:
                return
            self._step_open = False
            ev.step_id, ev.name = self._step_id, self._agent or "model"
        elif isinstance(ev, Usage):
            ev.scope, ev.step_id = "step", self._step_id
            ev.model = ev.model or self._model
        elif isinstance(ev, _MESSAGE_EVENTS):
            ev.message_id = self._message_id(ev.message_id)
        elif isinstance(ev, ToolCallStart):
            ev.tool_call_id = self._items.new_call(ev.tool_call_id, ev.name)
        elif isinstance(ev, _CALL_EVENTS) and ev.tool_call_id is not None:
            ev.tool_call_id = self._items.calls.get(ev.tool_call_id, ev.tool_call_id)
            if isinstance(ev, ToolResult):
                self._items.results.add(ev.tool_call_id)
        self._items.emit(out, ev)

    # -- agents ----------------------------------------------------------------------------

    def _agent_updated(self, payload: Any, out: list[Event]) -> None:
        """A new agent runs (the first, or after a handoff): the next model calls are named
        after it."""
        name = agent_name(field(payload, "new_agent")) or "agent"
        if name != self._agent:
            self._agent = name
            self._items.emit(out, Status(state="agent_updated", text=name, detail={"agent": name}))

    def _progress(self, payload: Any, out: list[Event]) -> None:
        call_id = str_or_none(field(payload, "tool_call_id"))
        data = field(payload, "data")
        text = data if isinstance(data, str) else str_or_none(field(payload, "tool_name"))
        tool_call_id = self._items.calls.get(call_id, call_id) if call_id else None
        status = Status(
            state="tool_progress", text=text, detail=plain(data), tool_call_id=tool_call_id
        )
        self._items.emit(out, status)

    def _agent_tool(self, payload: Any, out: list[Event]) -> None:
        """An event of an agent used as a tool (``agent.as_tool(on_stream=...)``'s payload):
        read by a nested adapter whose events all carry the tool call's id as ``parent`` (with
        no call id, a sub-agent scope ``Ids`` names, one per agent)."""
        call_id = str_or_none(field(field(payload, "tool_call"), "call_id"))
        if call_id is not None:
            parent = self._items.calls.get(call_id, call_id)
        else:
            agent = agent_name(field(payload, "agent"))
            parent = self._unnamed.get(agent) or self._items.ids.scope_id("agent", self._parent)
            self._unnamed[agent] = parent
        nested = self._nested.get(parent)
        if nested is None:
            nested = self._nested[parent] = OpenAIAgentsAdapter(parent=parent)
        out.extend(nested.feed(field(payload, "event")))
