"""ACP tool calls (``tool_call``, ``tool_call_update``) as one panel each, composing the kit's
``ToolCalls``.

A call starts on its first sight, announced or not (an update may come first, or alone), with
its ``title`` as the shown name (else its ``kind``, else ``"tool"``) and ``kind``, ``status``,
``locations`` in the start's ``meta``. Its arguments are the latest ``rawInput``; they stay
open while the call is ``pending`` (agents send ``{}`` first and the real input in an update)
and end, as JSON, once it is ``in_progress`` with an input, has content or output, or
finishes (a ``rawInput`` after that is lost to the panel). Content and
``rawOutput`` before the end are a preliminary ``ToolResult`` (shown live); ``completed`` /
``failed`` give the final one (``is_error`` for failed): the content's text, else the raw
output; the raw output, latest title, kind, status and locations in its ``meta``. A new title
or status on the way is a ``Status`` on the call (the run's activity line)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.adapters.acp.content import locations, terminal_ids, terminal_text, tool_content_text
from nbagent.adapters.base import plain, str_or_none
from nbagent.adapters.kit.calls import Call, CallGroup, ToolCalls
from nbagent.core.events import Event, Status, ToolCallStart, ToolResult

__all__ = ["AcpCalls"]

FINISHED = ("completed", "failed")


class _Seen:
    """What the updates said of one call so far."""

    __slots__ = (
        "content",
        "finished",
        "input",
        "kind",
        "locations",
        "name",
        "output",
        "pieces",
        "status",
        "terminals",
        "title",
    )

    def __init__(self) -> None:
        self.title: str | None = None
        self.name: str | None = None
        """The tool's programmatic name (ACP's unstable ``name``), in the meta as ``tool``."""
        self.kind: str | None = None
        self.status: str | None = None
        self.input: Any = None
        self.output: Any = None
        self.content = ""
        self.pieces: Any = None
        self.terminals: list[str] = []
        self.locations: list[str] = []
        self.finished = False

    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"title": self.title, "kind": self.kind, "status": self.status}
        meta["tool"] = self.name
        if self.locations:
            meta["locations"] = list(self.locations)
        if self.output is not None:
            meta["raw_output"] = self.output
        return {k: v for k, v in meta.items() if v is not None}


class AcpCalls:
    """Every tool call of a turn, by the agent's ``toolCallId``."""

    def __init__(self) -> None:
        self._calls = ToolCalls()
        self._group = CallGroup()
        self._seen: dict[str, _Seen] = {}
        self._terminals: dict[str, str] = {}
        """The text of each terminal an nbagent terminal item showed (by ``terminalId``)."""

    def update(self, update: Mapping[str, Any], out: list[Event]) -> None:
        """One ``tool_call`` or ``tool_call_update``: the call's events into ``out``."""
        wire_id = str(update.get("toolCallId"))  # the adapter passes only updates with one
        call = self._calls.by_id.get(wire_id)
        seen = self._seen.get(call.id) if call is not None else None
        if seen is None:
            seen = _Seen()
        changed, fresh = self._read(update, seen)
        if call is None:
            name = seen.title or seen.kind or "tool"
            call, events = self._calls.fragment(
                self._group, index=None, wire_id=wire_id, name=name, args=None, meta=seen.meta()
            )
            for ev in events:
                if isinstance(ev, ToolCallStart):
                    ev.executor = "agent"
            out.extend(events)
            self._seen[call.id] = seen
            changed = False
        self._progress(call, seen, changed, fresh, out)

    def terminal(self, update: Mapping[str, Any], out: list[Event]) -> None:
        """An nbagent terminal item: the terminal's output into the panel of every call whose
        content shows it (kept for a call that shows it later)."""
        terminal_id = str_or_none(update.get("terminalId"))
        if terminal_id is None:
            return
        self._terminals[terminal_id] = terminal_text(update)
        for call in list(self._calls.by_id.values()):
            seen = self._seen.get(call.id)
            if seen is not None and terminal_id in seen.terminals:
                seen.content = tool_content_text(seen.pieces, self._terminals)
                self._progress(call, seen, False, True, out)

    def status(self, update: Mapping[str, Any], out: list[Event]) -> None:
        """An nbagent status item: a ``Status`` on the call (a question's pause and its
        answer), the call started first if it was never announced."""
        wire_id = str_or_none(update.get("toolCallId"))
        state = str_or_none(update.get("state"))
        if wire_id is None or state is None:
            return
        if wire_id not in self._calls.by_id:
            self.update({"toolCallId": wire_id}, out)
        call_id = self._calls.by_id[wire_id].id
        out.append(Status(state=state, tool_call_id=call_id, detail=plain(update.get("detail"))))

    def _read(self, update: Mapping[str, Any], seen: _Seen) -> tuple[bool, bool]:
        """Take what the update says into ``seen``; whether its title or status changed, and
        whether it brought content or output."""
        changed = False
        title = str_or_none(update.get("title"))
        if title is not None and title != seen.title:
            seen.title, changed = title, True
        status = str_or_none(update.get("status"))
        if status is not None and status != seen.status:
            seen.status, changed = status, True
        seen.kind = str_or_none(update.get("kind")) or seen.kind
        seen.name = str_or_none(update.get("name")) or seen.name
        if "locations" in update and update["locations"] is not None:
            seen.locations = locations(update["locations"])
        if update.get("rawInput") is not None:
            seen.input = plain(update["rawInput"])
        fresh = False
        if update.get("rawOutput") is not None:
            seen.output, fresh = plain(update["rawOutput"]), True
        if update.get("content") is not None:  # the content replaces the call's content
            seen.pieces, seen.terminals = update["content"], terminal_ids(update["content"])
            seen.content, fresh = tool_content_text(seen.pieces, self._terminals), True
        return changed, fresh

    def _progress(
        self, call: Call, seen: _Seen, changed: bool, fresh: bool, out: list[Event]
    ) -> None:
        has_result = bool(seen.content) or seen.output is not None
        running = seen.status == "in_progress" and seen.input is not None
        if not call.ended and (running or seen.status in FINISHED or has_result):
            out.extend(self._calls.end(call, args=seen.input))
        if seen.status in FINISHED:
            if not seen.finished or fresh:
                seen.finished = True
                out.append(self._result(call, seen, preliminary=False))
            return
        if changed and seen.status is not None:
            text = seen.title or seen.kind
            out.append(
                Status(state=seen.status, text=text, tool_call_id=call.id, detail=seen.meta())
            )
        if fresh:
            out.append(self._result(call, seen, preliminary=True))

    @staticmethod
    def _result(call: Call, seen: _Seen, *, preliminary: bool) -> ToolResult:
        content: Any = seen.content or seen.output
        return ToolResult(
            tool_call_id=call.id,
            content="" if content is None else content,
            is_error=seen.status == "failed",
            preliminary=preliminary,
            meta=seen.meta(),
        )

    def close(self, out: list[Event]) -> None:
        """The end of the turn: arguments still open end with what came."""
        for call in list(self._calls.by_id.values()):
            if not call.ended:
                seen = self._seen.get(call.id)
                out.extend(self._calls.end(call, args=None if seen is None else seen.input))
