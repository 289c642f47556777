"""``SessionAdapter``: what the adapters of the coding agents' session files share.

A session file is a run that is over: each record carries its own time, and each event made
of a record is stamped with it (``Event.ts``), so that the run read back has the times it
had, its durations to the millisecond; no event takes the clock. What is shared:

- the run: its ``RunStart`` at the first record with a time (the records before it, which have
  none, come right after it), its ``RunEnd`` after the last record, at the latest time seen,
  for the reason the format's adapter reads (``end_reason``);
- scopes: the events of a sub-agent's record are in the scope of the tool call that started
  it (``SessionRecord.parent``); a record that comes before that call (a CLI that writes the
  call when it ends) waits until the call has started and then comes right after it; a
  sub-agent whose call its files do not name is a sub-agent step of its own (the thread's id);
- model steps, one per scope at a time: a step starts when its request was sent (``sent``:
  the request record of a CLI that writes one, else the scope's latest input, the prompt or a
  tool's result) and ends at its last output;
- a record of a type the adapter does not know is a step named by its type, at its time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from nbagent.adapters.base import field, str_or_none
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.sessions.record import SessionRecord, as_record, iso_seconds
from nbagent.core.events import (
    Custom,
    EndReason,
    Event,
    RunEnd,
    RunStart,
    StepEnd,
    StepStart,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)

__all__ = ["Scope", "SessionAdapter"]


@dataclass(slots=True)
class Scope:
    """The top level (``key`` None) or a sub-agent's scope (``key``: its ``Event.parent``)."""

    key: str | None
    step: str | None = None
    """The model step open in it."""
    last_step: str | None = None
    """The latest model step, open or not (a usage said after its step ended goes there)."""
    output_at: float = 0.0
    """The time of the open step's latest output: its end."""
    sent_at: float | None = None
    """When the next model call was sent: the time of the scope's latest input."""
    stop: str | None = None
    """The open step's stop word, as the file says it."""
    called: bool = False
    """The open step called a tool."""


class SessionAdapter:
    """The base of the session adapters (the module docstring). A format's adapter reads each
    record in ``read``; ``session`` and ``model`` are what its ``RunStart`` says."""

    name: ClassVar[str] = ""
    provider: ClassVar[str | None] = None
    finishes: ClassVar[Mapping[str, str]] = {}
    """The format's stop words → a step's ``finish_reason`` (others kept as they are)."""

    def __init__(self) -> None:
        self.ids = Ids()
        self.session: str | None = None
        self.model: str | None = None
        self.meta: dict[str, Any] = {}
        self._begun = False
        self._done = False
        self._ts = 0.0
        self._early: list[Event] = []
        self._scopes: dict[str | None, Scope] = {}
        self._calls: set[str] = set()
        self._callers: dict[str, str | None] = {}  # a call → the scope it was made in
        self._waiting: dict[str, list[SessionRecord]] = {}
        self._agents: dict[str, float] = {}  # an unlinked sub-agent's step → its latest time
        self._threads: dict[str, str] = {}  # an unlinked sub-agent's thread → its step

    # -- what a format's adapter reads --------------------------------------------------------

    def read(self, record: SessionRecord, scope: Scope, ts: float, out: list[Event]) -> None:
        """One record's events into ``out`` (an event left without ``ts`` gets ``ts``)."""
        raise NotImplementedError

    def end_reason(self) -> tuple[EndReason, str | None]:
        """The run's end, once every record was read: its reason and message."""
        return "completed", None

    def time_of(self, data: Any) -> float | None:
        """A record's own time (epoch seconds); None when it has none."""
        return iso_seconds(field(data, "timestamp")) if isinstance(data, Mapping) else None

    # -- the adapter interface -----------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        """One record (a ``SessionRecord``, or a bare parsed record) → its events."""
        if self._done:
            return []
        record = as_record(item)
        if record.parent is not None and record.parent not in self._calls:
            self._waiting.setdefault(record.parent, []).append(record)
            return []
        return self._take(record)

    def end(self) -> list[Event]:
        """The records are over: the sub-agents whose call never came, the open steps closed
        at their last output, the ``RunEnd`` at the latest time."""
        if self._done:
            return []
        out: list[Event] = []
        waiting, self._waiting = self._waiting, {}
        for records in waiting.values():  # their call never came: sub-agents of their own
            for record in records:
                out.extend(self._take(replace(record, parent=None)))
        self._done = True
        if not self._begun:
            out.extend(self._begin(self._ts))
        for scope in self._scopes.values():
            self.close_step(scope, out)
        for step_id, last in self._agents.items():
            out.append(StepEnd(step_id=step_id, name="sub-agent", ts=last))
        reason, message = self.end_reason()
        out.append(RunEnd(reason=reason, message=message, ts=self._ts))
        return out

    # -- records ------------------------------------------------------------------------------

    def _take(self, record: SessionRecord) -> list[Event]:
        own = self.time_of(record.data)
        ts = self._ts if own is None else own
        self._ts = max(self._ts, ts)
        out: list[Event] = []
        scope = self._scope(record, ts, out)
        self.read(record, scope, ts, out)
        for ev in out:
            if not ev.ts:
                ev.ts = ts
        if not self._begun:
            if own is None:  # no time yet: these wait for the run's start
                self._early.extend(out)
                return []
            out = [*self._begin(ts), *out]
        return self._splice(out)

    def _begin(self, ts: float) -> list[Event]:
        self._begun = True
        start = RunStart(
            run_id=self.session or "",
            thread_id=self.session,
            model=self.model,
            provider=self.provider,
            meta=dict(self.meta) or None,
            ts=ts,
        )
        early, self._early = self._early, []
        for ev in early:
            ev.ts = ts
        return [start, *early]

    def _scope(self, record: SessionRecord, ts: float, out: list[Event]) -> Scope:
        key = record.parent
        if key is not None and key in self._callers:  # the step that called it is over
            self.close_step(self._scopes[self._callers[key]], out)
        if key is None and record.thread:
            key = self._threads.get(record.thread)
            if key is None:
                key = self._threads[record.thread] = self.ids.wire(record.thread)
                name = record.agent or "sub-agent"
                out.append(StepStart(step_id=key, name=name, step_type="subagent", ts=ts))
            self._agents[key] = ts
        scope = self._scopes.get(key)
        if scope is None:
            scope = self._scopes[key] = Scope(key)
        return scope

    def _splice(self, out: list[Event]) -> list[Event]:
        """``out``, with the records that waited for a call right after that call."""
        spliced: list[Event] = []
        for ev in out:
            if isinstance(ev, ToolResult) and ev.tool_call_id in self._scopes:
                self.close_step(self._scopes[ev.tool_call_id], spliced)  # its sub-agent's
            spliced.append(ev)
            if isinstance(ev, ToolCallStart):
                self._calls.add(ev.tool_call_id)
                if ev.parent in self._scopes:
                    self._callers[ev.tool_call_id] = ev.parent
            elif isinstance(ev, ToolCallEnd) and ev.tool_call_id in self._waiting:
                for record in self._waiting.pop(ev.tool_call_id):
                    spliced.extend(self._take(record))
        return spliced

    # -- steps, notes, the unknown ---------------------------------------------------------------

    def open_step(self, scope: Scope, step_id: str, out: list[Event], name: str = "model") -> None:
        """Step ``step_id`` of ``scope`` (the one open in it ends first), from when it was sent."""
        if scope.step == step_id:
            return
        self.close_step(scope, out)
        sent = scope.sent_at if scope.sent_at is not None else self._ts
        out.append(
            StepStart(step_id=step_id, name=name, step_type="model", parent=scope.key, ts=sent)
        )
        scope.step = scope.last_step = step_id
        scope.sent_at, scope.stop, scope.called = None, None, False
        scope.output_at = sent

    def close_step(self, scope: Scope, out: list[Event]) -> None:
        """The step open in ``scope`` ends, at its latest output."""
        if scope.step is None:
            return
        if scope.stop is None:
            finish = "tool_calls" if scope.called else "stop"
        else:
            finish = self.finishes.get(scope.stop, scope.stop)
        out.append(
            StepEnd(
                step_id=scope.step,
                name="model",
                finish_reason=finish,
                raw_finish_reason=scope.stop,
                parent=scope.key,
                ts=scope.output_at,
            )
        )
        scope.step = None

    def sent(self, scope: Scope, ts: float, out: list[Event]) -> None:
        """An input of ``scope`` at ``ts`` (a prompt, a tool's result, a request): the step
        open in it is over, and the next one starts from here."""
        self.close_step(scope, out)
        scope.sent_at = ts if scope.sent_at is None else max(scope.sent_at, ts)

    def note(
        self,
        out: list[Event],
        scope: Scope,
        kind: str,
        title: str,
        text: str = "",
        level: str = "info",
    ) -> None:
        """A ``note`` block (``kind``: notice, compaction) in ``scope``."""
        value = {"kind": kind, "level": level, "title": title, "text": text}
        out.append(Custom(name="note", value=value, parent=scope.key))

    def unknown(self, record: SessionRecord, scope: Scope, out: list[Event], *, name: str) -> None:
        """A record of a type the adapter does not know (``name``): a step of that name, at its
        time; its id the record's own (``uuid``, ``id``) when it has one."""
        own = str_or_none(field(record.data, "uuid")) or str_or_none(field(record.data, "id"))
        step_id = self.ids.wire(own) if own else self.ids.scope_id("step", within=name)
        meta: dict[str, Any] = {"record": name}
        if record.line is not None:
            meta["line"] = record.line
        out.append(
            StepStart(step_id=step_id, name=name, step_type="node", parent=scope.key, meta=meta)
        )
        out.append(StepEnd(step_id=step_id, name=name, parent=scope.key))
