"""Lifecycle normalizer: repairs the order of an adapter's events (protocols.md §11.3).

Guarantees, for any input sequence:

- ``run_start`` comes first (synthesized when the source has none) and exactly one
  ``run_end`` comes last; after it ``feed`` returns ``[]``.
- every event is stamped with ``seq`` (1, 2, 3 ...), ``run_id``, ``source`` and a ``ts``
  (``clock()`` only when the event has none: recorded events keep their timestamps).
- ``message_start`` precedes the first delta of a message, ``tool_call_start`` the first
  args delta of a tool call; empty deltas are dropped and never open anything.
- a tool call has one ``tool_call_start``, but for a later one that names its MCP ``server``
  when the first did not (a framework that tells it when it runs the call).
- ``tool_call_end`` carries the full argument text, parsed once (``args`` or ``parse_error``).
- ``message_end.final_text`` is reconciled: a missing suffix is emitted as a delta.
- open messages and tool calls are closed before ``run_end``; a fatal ``error`` is
  followed by ``run_end(reason="error")``.
- events are pure data: their free-form values (``Custom.value``, ``ToolResult.content``,
  ``State`` values, error ``details``, ``meta``, ...) are made JSON-ready (``plain``: SDK
  models dumped, odd objects as text, NaN as None), whatever the adapter was given.

Events are stamped in place (the normalizer owns the events fed to it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from nbagent.core.errors import error_message
from nbagent.core.events import (
    END_REASONS,
    EndReason,
    ErrorEvent,
    Event,
    MessageEnd,
    MessageStart,
    RunEnd,
    RunStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)
from nbagent.core.textbuf import JOIN_EVERY
from nbagent.pipeline.normalize.messages import Messages
from nbagent.pipeline.normalize.parts import (
    _make_plain,
    _Msg,
    _short_id,
    _Tool,
    stream_cut,
)
from nbagent.pipeline.normalize.tools import ToolCalls

__all__ = ["Normalizer"]

_END_REASONS = frozenset(END_REASONS)


class Normalizer(Messages, ToolCalls):
    """Repairs one run's event sequence; see the module docstring for the guarantees."""

    __slots__ = (
        "_clock",
        "_dispatch",
        "_fixed_run_id",
        "_open",
        "_order",
        "_run_id",
        "_seq",
        "_source",
        "_started",
        "_text",
        "_think",
        "_tools",
        "ended",
    )

    def __init__(
        self,
        *,
        run_id: str | None = None,
        source: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._run_id = run_id or ""
        self._fixed_run_id = bool(run_id)
        self._source = source
        self._clock = clock
        self._seq = 0
        self._started = False
        self.ended = False
        """True once a ``run_end`` was emitted; later feeds return ``[]``."""
        self._text: dict[str, _Msg] = {}
        self._think: dict[str, _Msg] = {}
        self._tools: dict[str, _Tool] = {}
        self._open: dict[int, _Msg | _Tool] = {}  # open blocks by opening order
        self._order = 0
        self._dispatch: dict[type, Callable[[Any, list[Event]], None]] = {
            TextDelta: self._on_text,
            ThinkingDelta: self._on_thinking,
            MessageStart: self._on_message_start,
            MessageEnd: self._on_message_end,
            ToolCallStart: self._on_tool_start,
            ToolCallArgsDelta: self._on_args,
            ToolCallEnd: self._on_tool_end,
            ToolResult: self._on_tool_result,
            ErrorEvent: self._on_error,
            RunEnd: self._on_run_end,
            RunStart: self._on_run_start,
        }

    @property
    def run_id(self) -> str:
        """The run id stamped on every event ("" until the first event)."""
        return self._run_id

    @property
    def seq(self) -> int:
        """The ``seq`` of the last emitted event (0 before the first)."""
        return self._seq

    # -- public API -------------------------------------------------------------------

    def feed(self, ev: Event) -> list[Event]:
        """Repair one event: returns the events to pass on, stamped, in order."""
        if self.ended:
            return []
        if ev.ts == 0:
            ev.ts = self._clock()
        if type(ev) is TextDelta:
            # The hot path, once per answer token: a delta to an open message, which
            # _on_text() would only record and emit; inlined (with _emit()).
            m = self._text.get(ev.message_id)
            if m is not None and m.open and ev.delta and m.refusal is not None:
                m.text.tail.append(ev.delta)
                self._seq = ev.seq = seq = self._seq + 1
                if not seq & 63:  # as in Transcript.apply: every JOIN_EVERY-th event
                    self._compact(m)
                ev.run_id = self._run_id
                if not ev.source:
                    ev.source = self._source
                return [ev]
        out: list[Event] = []
        if not self._started:
            self._start(ev, out)
        _make_plain(ev)
        if ev.parent == "":  # no scope: the top level
            ev.parent = None
        handler = self._dispatch.get(type(ev))
        if handler is None:
            for cls in type(ev).__mro__[1:]:
                handler = self._dispatch.get(cls)
                if handler is not None:
                    break
        if handler is None:
            self._emit(ev, out)
        else:
            handler(ev, out)
        return out

    def _compact(self, m: _Msg) -> None:
        """Join the recent deltas of ``m``; now and then those of every text message (messages
        that take turns may never be the one compacted)."""
        m.text.compact()
        if not self._seq % (64 * JOIN_EVERY):
            for other in self._text.values():
                other.text.compact()

    def finish(self) -> list[Event]:
        """The source was exhausted normally: close open blocks, ``run_end("completed")``."""
        if self.ended:
            return []
        out: list[Event] = []
        ts = self._begin_synthetic(out)
        self._end_run(RunEnd(reason="completed", ts=ts), out)
        return out

    def fail(self, exc: BaseException) -> list[Event]:
        """The source raised: a fatal ``error`` then ``run_end``.

        The reason is ``incomplete`` when the connection broke mid-stream (the stream
        stopped with no terminal event), else ``error``; the status is "error" either way.
        """
        if self.ended:
            return []
        out: list[Event] = []
        ts = self._begin_synthetic(out)
        name = type(exc).__name__
        message = error_message(exc)
        # SDK API errors (openai's, anthropic's: they carry the response ``body``) have the
        # server's code and type; elsewhere ``code`` means other things (and may warn).
        api_error = hasattr(exc, "body")
        code = getattr(exc, "code", None) if api_error else None
        kind = getattr(exc, "type", None) if api_error else None
        self._close_all(ts, out)
        self._emit(
            ErrorEvent(
                message=message,
                error_type=kind if isinstance(kind, str) and kind else name,
                code=code if isinstance(code, (str, int)) and not isinstance(code, bool) else None,
                recoverable=False,
                ts=ts,
            ),
            out,
        )
        reason: EndReason = "incomplete" if stream_cut(exc) else "error"
        self._end_run(RunEnd(reason=reason, message=message, ts=ts), out)
        return out

    def cancel(self, message: str = "stopped by user") -> list[Event]:
        """The user stopped the run: close open blocks, ``run_end("cancelled")``."""
        if self.ended:
            return []
        out: list[Event] = []
        ts = self._begin_synthetic(out)
        self._end_run(RunEnd(reason="cancelled", message=message, ts=ts), out)
        return out

    # -- stamping and lifecycle -------------------------------------------------------

    def _emit(self, ev: Event, out: list[Event]) -> None:
        self._seq += 1
        ev.seq = self._seq
        ev.run_id = self._run_id
        if not ev.source:
            ev.source = self._source
        out.append(ev)

    def _start(self, ev: Event, out: list[Event]) -> None:
        self._started = True
        if type(ev) is RunStart:
            if not self._fixed_run_id:
                self._run_id = ev.run_id or _short_id()
            return  # _on_run_start emits it
        if not self._fixed_run_id:
            self._run_id = _short_id()
        self._emit(RunStart(ts=ev.ts), out)

    def _begin_synthetic(self, out: list[Event]) -> float:
        ts = self._clock()
        if not self._started:
            self._started = True
            if not self._fixed_run_id:
                self._run_id = _short_id()
            self._emit(RunStart(ts=ts), out)
        return ts

    def _end_run(self, ev: RunEnd, out: list[Event]) -> None:
        self._close_all(ev.ts, out)
        self._emit(ev, out)
        self.ended = True
        self._text.clear()
        self._think.clear()
        self._tools.clear()

    def _close_all(self, ts: float, out: list[Event]) -> None:
        for item in list(self._open.values()):
            if isinstance(item, _Msg):
                end = MessageEnd(
                    message_id=item.id,
                    channel="thinking" if item.channel == "thinking" else "text",
                    ts=ts,
                    parent=item.parent,
                )
                self._close_msg(item, end, out)
            else:
                end_tool = ToolCallEnd(tool_call_id=item.id, ts=ts, parent=item.parent)
                self._end_tool(item, end_tool, out)

    def _on_run_start(self, ev: RunStart, out: list[Event]) -> None:
        if self._seq == 0:
            self._emit(ev, out)
        # a second run_start is dropped

    def _on_run_end(self, ev: RunEnd, out: list[Event]) -> None:
        if ev.reason not in _END_REASONS:
            if ev.raw_reason is None:
                ev.raw_reason = str(ev.reason)
            ev.reason = "unknown"
        self._end_run(ev, out)

    def _on_error(self, ev: ErrorEvent, out: list[Event]) -> None:
        if ev.recoverable:
            self._emit(ev, out)
            return
        self._close_all(ev.ts, out)
        self._emit(ev, out)
        self._end_run(RunEnd(reason="error", message=ev.message, ts=ev.ts), out)
