"""The pipeline: source → adapter → normalizer, one run's, fed one item at a time.

``Pipeline`` is driven one item at a time by whoever iterates the source (the read loop of
``stream``, a run's sink). A wire chunk that cannot be read (malformed JSON in one SSE event or
line) is skipped with a visible warning and the run goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from nbagent.adapters import (
    Adapter,
    BadItemError,
    Detection,
    TextAdapter,
    UnknownFormatError,
    adapter_for,
)
from nbagent.adapters.base import ServerSentEvent, ToolServers
from nbagent.core.events import ErrorEvent, Event, EventDecodeError, RunStart
from nbagent.pipeline.normalize import Normalizer

__all__ = ["Pipeline"]


class Pipeline:
    """One run's adapter and normalizer, fed item by item.

    ``format="auto"`` detects the format from the first item. Nothing raises to the
    caller once the pipeline exists: a detection error or an adapter exception on an item
    ends the run through ``fail()`` (``error`` + ``run_end(error)``), except for a chunk of
    wire text (``str``, ``bytes``, ``ServerSentEvent``) the adapter cannot read, which is
    skipped with a warning (a recoverable ``error``); after the run ended, ``feed``
    returns ``[]``. ``title`` is put into the run's ``RunStart``; so is ``started_at`` (epoch
    seconds: when the run was created, e.g. ``show``'s call) when the source's events carry no
    times of their own (a replay's, a server's are kept), so that a wait for the first item
    counts in the time to first token. ``tool_servers``: the source's lookup of its tools' MCP
    servers, for an adapter that cannot tell them from the events (``pipeline_for`` asks the
    source). ``swallowed``: the items a client consumed at the end of its stream (the
    ``openai`` client's ``[DONE]``, an error chunk it raised on), fed before the adapter's end
    or the source's failure.
    """

    def __init__(
        self,
        format: str = "auto",  # noqa: A002 - the public API's name
        *,
        run_id: str | None = None,
        title: str | None = None,
        clock: Callable[[], float] = time.time,
        started_at: float | None = None,
        tool_servers: ToolServers | None = None,
        swallowed: Callable[[], list[Any]] | None = None,
    ) -> None:
        self._requested = format
        self._swallowed = swallowed
        self._run_id = run_id
        self._title = title
        self._clock = clock
        self._started_at = started_at
        self._tool_servers = tool_servers
        self._adapter: Adapter | None = None
        self._normalizer: Normalizer | None = None
        self._format: str | None = None
        self._detection = Detection()
        if format != "auto":  # an unknown name is the caller's mistake: raise now
            self._adapter = adapter_for(format, tool_servers=tool_servers)
            self._format = format

    @property
    def format(self) -> str | None:
        """The format in use: the one given, or the detected one (None before the first item)."""
        return self._format

    @property
    def ended(self) -> bool:
        """True once a ``run_end`` went out; later ``feed``/``finish`` return ``[]``."""
        return self._normalizer is not None and self._normalizer.ended

    def _norm(self) -> Normalizer:
        if self._normalizer is None:
            self._normalizer = Normalizer(
                run_id=self._run_id, source=self._format or "", clock=self._clock
            )
        return self._normalizer

    def _stamp(self, events: list[Event]) -> list[Event]:
        if self._title is not None:
            for ev in events:
                if isinstance(ev, RunStart) and ev.title is None:
                    ev.title = self._title
        start = self._started_at
        if start is not None:
            for ev in events:
                if isinstance(ev, RunStart):
                    # The run began when it was created (``show``), before its first item: a
                    # wait for that item is part of the time to first token. A start
                    # recorded earlier (a replay's) is kept.
                    if start <= ev.ts:
                        ev.ts = start
                    self._started_at = None
                    break
        return events

    def feed(self, item: Any) -> list[Event]:
        """One wire item → the normalized events it yields (possibly none)."""
        normalizer = self._normalizer
        adapter = self._adapter
        plain = self._title is None and self._started_at is None
        if normalizer is not None and adapter is not None and plain:
            # The hot path, once per token: one event through, nothing to stamp.
            if normalizer.ended:
                return []
            try:
                raw = adapter.feed(item)
            except Exception as exc:  # noqa: BLE001 - a bad item ends the run, never the caller
                return self._refused(item, exc)
            if len(raw) == 1:
                return normalizer.feed(raw[0])
            return self._through(raw)
        if self.ended:
            return []
        if self._adapter is None:
            try:
                if (found := self._detection.first(item)) is None:
                    return []  # a keep-alive
                name, item = found
                self._adapter = adapter_for(name, tool_servers=self._tool_servers)
            except UnknownFormatError as exc:
                return self.fail(exc)
            self._format = name
        try:
            raw = self._adapter.feed(item)
        except Exception as exc:  # noqa: BLE001 - a bad item ends the run, never the caller
            return self._refused(item, exc)
        return self._through(raw)

    def add(self, events: list[Event]) -> list[Event]:
        """Events of the run's producer rather than its source (an MCP app it read for a
        call), normalized as the source's are (their sequence, time, run); none after the end."""
        return [] if self.ended else self._through(events)

    def _refused(self, item: Any, exc: Exception) -> list[Event]:
        """The adapter refused an item. Wire text it cannot read (one corrupt SSE event or
        line among good ones) or an event record it cannot decode is skipped with a
        warning: a server's glitch must not throw away the rest of the answer. An object of
        the wrong type is the caller's mistake (a generator yielding ints): it ends the run."""
        unreadable = isinstance(exc, BadItemError) and isinstance(item, _WIRE_TEXT)
        if unreadable or isinstance(exc, EventDecodeError):
            warning = ErrorEvent(
                message=f"skipped an unreadable item: {exc}",
                error_type="bad_item",
                recoverable=True,
            )
            return self._through([warning])
        return self.fail(exc)

    def _through(self, raw: list[Event]) -> list[Event]:
        normalizer = self._norm()
        if self._started_at is not None and any(ev.ts for ev in raw):
            # The source brings its own times (a replay's, a server's): its start is kept.
            self._started_at = None
        out: list[Event] = []
        for ev in raw:
            if normalizer.ended:
                break
            out.extend(normalizer.feed(ev))
        return self._stamp(out)

    def finish(self) -> list[Event]:
        """The source is exhausted: the adapter's last events, then the normalizer's close."""
        if self.ended:
            return []
        out: list[Event] = []
        if self._adapter is None and (blank := self._detection.blank()):  # a text stream's
            self._adapter, self._format = TextAdapter(), TextAdapter.name
            out.extend(self._through(self._adapter.feed(blank)))
        for item in self._swallowed() if self._swallowed is not None else ():
            out.extend(self.feed(item))
        if self.ended:
            return out
        if self._adapter is not None:
            try:
                raw = self._adapter.end()
            except Exception as exc:  # noqa: BLE001 - ends the run, never the caller
                return self.fail(exc)
            out.extend(self._through(raw))
        if not self.ended:
            out.extend(self._stamp(self._norm().finish()))
        return out

    def fail(self, exc: BaseException) -> list[Event]:
        """The source (or the adapter) raised: ``error`` + ``run_end(error)``; first, what its
        client swallowed (the error chunk the ``openai`` client raised on), which may end the
        run itself with its error and the usage beside it."""
        if self.ended:
            return []
        swallowed, self._swallowed = self._swallowed, None  # once: a failing feed comes back
        out = [ev for item in (swallowed() if swallowed else ()) for ev in self.feed(item)]
        return out if self.ended else out + self._stamp(self._norm().fail(exc))

    def cancel(self, message: str = "stopped by user") -> list[Event]:
        """Stopped by the user: ``run_end(cancelled)``."""
        if self.ended:
            return []
        return self._stamp(self._norm().cancel(message))


_WIRE_TEXT = (str, bytes, bytearray, ServerSentEvent)
