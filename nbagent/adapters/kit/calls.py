"""Tool calls assembled from streamed fragments, the one way every adapter does it.

A fragment is what one chunk says of one call: maybe a wire id, maybe an index, maybe the
name, maybe a piece of the argument text. ``ToolCalls.fragment`` finds the call it continues
(by wire id, then by index, then the latest call of its group unless the fragment names a
new call), or opens a new one with the wire id or an invented one (the run's ``Ids``:
``{scope}:call{n}``, ``{id}#{n}`` for a wire id seen again); argument text is held until the
name arrives, then the call starts with what was held. A group is the calls of one choice,
one model run or one step: a call is continued only inside its own group.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from nbagent.adapters.kit.ids import Ids
from nbagent.core.events import Event, ToolCallArgsDelta, ToolCallEnd, ToolCallStart
from nbagent.core.values import plain

__all__ = ["Call", "CallGroup", "ToolCalls", "args_text"]


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
    (each call's ``owner``); ``scope`` is the invented ids' (its key when not given, the run's
    ``Ids`` scope when neither is). ``wire_named``: a call of the group starts only once the
    wire gave its id and its name, never with an invented id (a format whose whole message,
    after the stream, names its calls by the wire's ids)."""

    __slots__ = ("by_index", "calls", "key", "scope", "wire_named")

    def __init__(
        self, key: str = "", scope: str | None = None, *, wire_named: bool = False
    ) -> None:
        self.key = key
        self.scope = scope or key or None
        self.wire_named = wire_named
        self.calls: list[Call] = []
        self.by_index: dict[int, Call] = {}


class ToolCalls:
    """The assembler: every call of a run by id (the wire's and the invented ones), its ids
    made by ``ids`` (the run's, shared with its messages).

    ``on_new`` is called with each call opened (a format that answers calls in order).
    """

    def __init__(
        self, ids: Ids | None = None, *, on_new: Callable[[Call], object] | None = None
    ) -> None:
        self.by_id: dict[str, Call] = {}
        self.ids = ids if ids is not None else Ids()
        self._on_new = on_new

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
            if not (name and latest.name):  # a second name is a new call
                return latest
        return self._new(group, index, wire_id)

    def _new(self, group: CallGroup, index: int | None, wire_id: str | None) -> Call:
        if wire_id is not None:
            call = Call(self.ids.wire(wire_id), index, False, group.key)
            call.wire_id = wire_id
        else:
            call = Call(self.ids.new("call", group.scope), index, True, group.key)
        self.by_id[call.id] = call
        group.calls.append(call)
        if index is not None:
            group.by_index[index] = call
        if self._on_new is not None:
            self._on_new(call)
        return call

    def add(self, call: Call) -> Call:
        """A call that was not streamed (a tool run with no call before it), known by id."""
        self.by_id[call.id] = call
        if call.id not in self.ids:
            self.ids.wire(call.id)
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
                    call.id = self.ids.wire(wire_id)
                    self.by_id[call.id] = call
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
        if not call.started and call.name and not (group.wire_named and call.synthetic):
            out.extend(self.start(call, meta))
        return call, out

    def start(self, call: Call, meta: dict[str, Any] | None = None) -> list[Event]:
        """The call's start (its name may still be empty: it never came) and the text held."""
        call.started = True
        out: list[Event] = [
            ToolCallStart(
                tool_call_id=call.id,
                name=call.name,
                index=call.index,
                synthetic_id=call.synthetic,
                meta=meta,
            )
        ]
        out.extend(ToolCallArgsDelta(tool_call_id=call.id, delta=b, meta=meta) for b in call.buffer)
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
