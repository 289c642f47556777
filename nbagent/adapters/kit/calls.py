"""Tool calls assembled from streamed fragments, the one way every adapter does it.

A fragment is what one chunk says of one call: maybe a wire id, maybe an index, maybe the
name, maybe a piece of the argument text. ``ToolCalls.fragment`` finds the call it continues
(by wire id, then by index, then the latest call of its group), or opens a new one with the
wire id or an invented one (``invent_id``); argument text is held until the name arrives,
then the call starts with what was held. A group is the calls of one choice, one model run
or one step: a call is continued only inside its own group.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from typing import Any

from nbagent.core.events import Event, ToolCallArgsDelta, ToolCallEnd, ToolCallStart
from nbagent.core.values import plain

__all__ = ["Call", "CallGroup", "ToolCalls", "args_text", "invent_id"]


def invent_id(prefix: str, n: int, taken: Collection[str]) -> str:
    """An id for a call the wire gave none: ``{prefix}{n}``, or ``{prefix}{n}_2``, ``_3``…
    while that is taken."""
    tool_call_id = f"{prefix}{n}"
    serial = 1
    while tool_call_id in taken:
        serial += 1
        tool_call_id = f"{prefix}{n}_{serial}"
    return tool_call_id


def args_text(args: Any) -> Any:
    """Argument text as the wire sent it: a str as it is, None as None, anything else (a
    dict some SDKs give) as JSON."""
    if args is None or isinstance(args, str):
        return args
    return json.dumps(plain(args), ensure_ascii=False)


class Call:
    """One tool call being assembled: its id (the wire's or invented: ``synthetic``), the
    wire id it was given, its index and name, the key of its group (``owner``: a model run);
    whether it started, ended and had argument text streamed; the text held until its name
    came."""

    __slots__ = (
        "buffer",
        "ended",
        "id",
        "index",
        "name",
        "owner",
        "started",
        "streamed",
        "synthetic",
        "wire_id",
    )

    def __init__(
        self, tool_call_id: str, index: int | None, synthetic: bool, owner: str = ""
    ) -> None:
        self.id = tool_call_id
        self.index = index
        self.owner = owner
        self.synthetic = synthetic
        self.wire_id: str | None = None if synthetic else tool_call_id
        self.name = ""
        self.started = False
        self.ended = False
        self.streamed = False
        self.buffer: list[str] = []


class CallGroup:
    """The calls of one choice, model run or step, in order and by index. ``key`` names it
    (each call's ``owner``); ``prefix`` is the invented ids' (``call_0_`` for a choice 0)."""

    __slots__ = ("by_index", "calls", "key", "prefix")

    def __init__(self, key: str = "", prefix: str = "call_") -> None:
        self.key = key
        self.prefix = prefix
        self.calls: list[Call] = []
        self.by_index: dict[int, Call] = {}


class ToolCalls:
    """The assembler: every call of a run by id (the wire's and the invented ones).

    Options (the edge rules a format needs):
    - ``serial``: invented ids count the calls invented so far in the run (``call_1``,
      ``call_2``…) instead of the call's index or position in its group;
    - ``name_starts_new``: a fragment with neither id nor index but a name opens a new call
      when the latest one has its name already (else it continues the latest call);
    - ``on_new``: called with each call opened (a format that answers calls in order);
    - ``wire_ids``: a call starts only once the wire gave its id and its name (never with an
      invented id), its start without the index, the text held until then as one delta.
    """

    def __init__(
        self,
        *,
        serial: bool = False,
        name_starts_new: bool = False,
        on_new: Callable[[Call], object] | None = None,
        wire_ids: bool = False,
    ) -> None:
        self.by_id: dict[str, Call] = {}
        self._serial = serial
        self._name_starts_new = name_starts_new
        self._on_new = on_new
        self._wire_ids = wire_ids
        self.serial = 0

    # -- finding the call -------------------------------------------------------------------

    def find(
        self, group: CallGroup, index: int | None, wire_id: str | None, name: str | None = None
    ) -> Call:
        """The call a fragment continues, or a new one in ``group``. A call that ended is
        never continued."""
        known = self.by_id.get(wire_id) if wire_id is not None else None
        if known is not None and not known.ended and known in group.calls:
            return known  # a known id repeated on each fragment: a continuation
        if index is not None:
            call = group.by_index.get(index)
            if (
                call is not None
                and not call.ended
                and (wire_id is None or call.wire_id is None or call.wire_id == wire_id)
            ):
                return call
        elif wire_id is None and group.calls and not group.calls[-1].ended:
            latest = group.calls[-1]
            if not (self._name_starts_new and name and latest.name):
                return latest
        return self._new(group, index, wire_id)

    def _new(self, group: CallGroup, index: int | None, wire_id: str | None) -> Call:
        if wire_id is not None and wire_id not in self.by_id:
            call = Call(wire_id, index, False, group.key)
        else:
            if self._serial:
                n = self.next_serial()
            else:
                n = index if index is not None else len(group.calls)
            call = Call(invent_id(group.prefix, n, self.by_id), index, True, group.key)
        self.by_id[call.id] = call
        group.calls.append(call)
        if index is not None:
            group.by_index[index] = call
        if self._on_new is not None:
            self._on_new(call)
        return call

    def next_serial(self) -> int:
        """The run's next number (``serial`` ids; a format may number other things with it)."""
        self.serial += 1
        return self.serial

    def add(self, call: Call) -> Call:
        """A call that was not streamed (a tool run with no call before it), known by id."""
        self.by_id[call.id] = call
        return call

    # -- a fragment -------------------------------------------------------------------------

    def fragment(
        self,
        group: CallGroup,
        *,
        index: int | None,
        wire_id: str | None,
        name: str | None,
        args: Any,
        meta: dict[str, Any] | None = None,
    ) -> tuple[Call, list[Event]]:
        """One fragment: its call, and the events it gives (the start, once the name is
        known, with the text held until then; argument deltas after it)."""
        call = self.find(group, index, wire_id, name)
        if wire_id is not None and wire_id not in self.by_id:
            self.by_id[wire_id] = call
            if call.wire_id is None:
                call.wire_id = wire_id
                if not call.started:  # the real id arrived before the start: use it
                    del self.by_id[call.id]
                    call.id = wire_id
                    call.synthetic = False
        if name and not call.name:
            call.name = name
        text = args_text(args)
        out: list[Event] = []
        if text:
            call.streamed = True
            if call.started:
                out.append(ToolCallArgsDelta(tool_call_id=call.id, delta=text, meta=meta))
            else:
                call.buffer.append(text)
        if not call.started and call.name and not (self._wire_ids and call.synthetic):
            out.extend(self.start(call, meta))
        return call, out

    def start(self, call: Call, meta: dict[str, Any] | None = None) -> list[Event]:
        """The call's start (its name may still be empty: it never came) and the text held."""
        call.started = True
        out: list[Event] = [
            ToolCallStart(
                tool_call_id=call.id,
                name=call.name,
                index=None if self._wire_ids else call.index,
                synthetic_id=call.synthetic,
                meta=meta,
            )
        ]
        held = ["".join(call.buffer)] if self._wire_ids and call.buffer else call.buffer
        out.extend(ToolCallArgsDelta(tool_call_id=call.id, delta=b, meta=meta) for b in held)
        call.buffer.clear()
        return out

    def end(self, call: Call, meta: dict[str, Any] | None = None, args: Any = None) -> list[Event]:
        """The call's end (started first if it never did); ``args``: the whole arguments,
        given only when none were streamed. Nothing for a call that ended already."""
        if call.ended:
            return []
        out = [] if call.started else self.start(call, meta)
        call.ended = True
        out.append(
            ToolCallEnd(tool_call_id=call.id, args=None if call.streamed else args, meta=meta)
        )
        return out
