"""``nbagent.load_trace``: a run recorded elsewhere, read offline, played like a recording.

    run = nbagent.load_trace("spans.jsonl")      # read now; the format from the content
    nbagent.show(run)                            # shown at once
    nbagent.replay(run, speed=1)                 # or at the pace it was recorded; step=True
    run.wait()                                   # its Transcript

The source's format (``nbagent.sources.trace_formats``) reads its records, its pure adapter
makes them events, and the normalizer makes those a recording's: the events a ``Player``
plays, with the file's own times. A ``TraceRun`` is a ``ReplayRun`` that starts when it is
shown or waited for, so that ``load_trace`` alone displays nothing. A line that cannot be
read ends the run ``error`` naming the file and the line, after everything before it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nbagent.apps.replay import ReplayRun
from nbagent.core.errors import error_message
from nbagent.core.events import ErrorEvent, Event, RunEnd, RunStart
from nbagent.frameworks.kit.reach import Found
from nbagent.frameworks.rerun import FrameworkTools, Reruns
from nbagent.pipeline.normalize import Normalizer
from nbagent.runtime.run import launch
from nbagent.sources.recording import Player
from nbagent.sources.trace_formats import detect_format, trace_format
from nbagent.sources.trace_input import (
    TraceAdapter,
    TraceFormat,
    TraceLineError,
    TraceRecord,
    TraceSource,
    open_trace,
)
from nbagent.transcript.transcript import Transcript

__all__ = ["TraceRun", "load_trace", "trace_events"]

NOT_GIVEN = "not one of the tools given to load_trace(tools=...)"


class TraceRun(ReplayRun):
    """A run recorded elsewhere, as ``nbagent.load_trace`` read it: ``nbagent.show(run)``
    displays it at once, ``nbagent.replay(run, speed=1)`` plays it at its recorded pace
    (``step=True``: event by event), ``run.wait()`` / ``await run`` give its Transcript
    (it plays, unseen, when it has not been shown). ``trace_format`` is the format read
    (``"otlp"``, ``"claude-code"``, ...: ``load_trace`` lists them), ``trace_file`` the
    file's name.
    Re-run calls the tools given to ``load_trace(tools=...)``; nbagent reaches no other."""

    def __init__(
        self,
        events: list[Event],
        *,
        trace_format: str,
        trace_file: str,
        title: str | None = None,
        show_thinking: bool = True,
        throttle_ms: float = 50,
        tools: Iterable[Any] = (),
    ) -> None:
        player = Player(events, speed=0, keep_times=True)
        super().__init__(player, title=title, show_thinking=show_thinking, throttle_ms=throttle_ms)
        self.trace_format = trace_format
        self.trace_file = trace_file
        self._began = False
        given = list(tools)
        if given:
            self._reach(given)

    def _reach(self, tools: list[Any]) -> None:
        """Re-run the recorded calls of the tools given (functions or ``nbagent.Tool``), by
        name, with the arguments recorded; the others' panels say they were not given."""
        from nbagent.tools import as_tool  # pydantic: only for a trace given its tools

        by_name = {tool.name: tool for tool in map(as_tool, tools)}

        def lookup(name: str) -> Found:
            return by_name.get(name, NOT_GIVEN)

        reached = FrameworkTools(lookup)
        self.amend(reached.stamp)
        Reruns(self, reached.call)
        self.no_rerun = None

    def start(self) -> None:
        """Start playing, once (showing it, waiting for it or ``await`` start it)."""
        if not self._began:
            self._began = True
            super().start()

    def wait(self, timeout: float | None = None) -> Transcript:
        self._unseen()
        return super().wait(timeout)

    async def wait_async(self) -> Transcript:
        self._unseen()
        return await super().wait_async()

    def _unseen(self) -> None:
        """Waited for before it was shown: it plays without printing (outside a notebook
        ``show(run)`` prints it, as ``show`` prints any run)."""
        if not self._began:
            self._sink.printer = None
            self.start()

    def lane_source(self) -> Player:
        """Its events played again, at once, for a lane (``nbagent.show({"a": run, ...})``)."""
        return Player(self.player.recorded, speed=0, keep_times=True)

    def show(self) -> TraceRun:
        """Display it below the cell and play it (what ``nbagent.show(run)`` does)."""
        return launch(self)

    def __repr__(self) -> str:
        if self._began:
            return super().__repr__()
        name = f" {self.title!r}" if self.title else ""
        events = self.player.total
        return f"<nbagent.TraceRun{name} {self.trace_format}: {events} events, not shown yet>"


def trace_events(source: Any, format: str = "auto") -> tuple[list[Event], TraceFormat, str]:  # noqa: A002
    """The normalized events of a trace, its format and its file's name. A line (or record)
    that cannot be read ends the events with the run's error naming its file and line;
    a source of no format known raises ``UnknownFormatError``."""
    src: TraceSource = open_trace(source)
    fmt = detect_format(src) if format == "auto" else trace_format(format)
    adapter = fmt.adapter()
    raw: list[Event] = []
    failure: Exception | None = None
    try:
        for record in fmt.read(src):
            raw += _fed(adapter, record, fmt.name)
    except TraceLineError as exc:
        failure = exc
    except Exception as exc:  # noqa: BLE001 - a reader that fails ends the run, not the kernel
        failure = TraceLineError(src.name, None, error_message(exc))
    try:
        raw += adapter.end()
    except Exception as exc:  # noqa: BLE001 - as above
        failure = failure or TraceLineError(src.name, None, error_message(exc))
    last = max((ev.ts for ev in raw), default=0.0)
    if failure is not None:
        if raw and isinstance(raw[-1], RunEnd):
            raw.pop()  # the records were cut short: the run ends with the bad line's error
        # Its message leads with the file and the line, not the exception's type.
        raw.append(ErrorEvent(message=str(failure), error_type="bad_line", recoverable=False))
    normalizer = Normalizer(source=fmt.name, clock=lambda: last)
    events = [out for ev in raw for out in normalizer.feed(ev)]
    return events + normalizer.finish(), fmt, src.name


def _fed(adapter: TraceAdapter, record: TraceRecord, fmt: str) -> list[Event]:
    """The record's events; a record the adapter cannot read is the run's bad line."""
    try:
        return adapter.feed(record.item)
    except Exception as exc:  # noqa: BLE001 - it ends the run, naming its file and line
        reason = f"cannot read this {fmt} record: {error_message(exc)}"
        raise TraceLineError(record.file, record.line, reason) from None


def load_trace(
    source: Any,
    format: str = "auto",  # noqa: A002 - the public API's name
    *,
    title: str | None = None,
    tools: Iterable[Any] = (),
    show_thinking: bool = True,
    throttle_ms: float = 50,
) -> TraceRun:
    """Read a run recorded elsewhere, offline, and return it as a :class:`TraceRun`, not
    shown yet: ``nbagent.show(run)`` displays it, ``nbagent.replay(run, speed=1)`` replays
    it at its recorded pace, ``run.wait()`` gives its :class:`nbagent.Transcript`::

        run = nbagent.load_trace("spans.jsonl")
        nbagent.show(run)

    ``source``: a path, a file object, a file's bytes or data parsed already (a dict, a
    list). ``format``: ``"auto"`` tells it from the content, never from the file's name;
    else one of

    - ``"otlp"``: OTLP/JSON as OpenTelemetry's file exporters write it, one export request
      per line or per file, with GenAI or OpenInference attributes (spans of other
      instrumentations are plain steps);
    - ``"langfuse"``: a Langfuse trace as downloaded JSON, or its observations;
    - ``"langsmith"``: a LangSmith run tree (a list of runs, nested ``child_runs``, or the
      SDK's batches);
    - ``"claude-code"``: a Claude Code session,
      ``~/.claude/projects/<project>/<session>.jsonl``;
    - ``"codex"``: an OpenAI Codex CLI rollout,
      ``~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl``;
    - ``"gemini-cli"``: a Gemini CLI chat,
      ``~/.gemini/tmp/<project>/chats/session-*.jsonl`` (or the older ``.json``).

    A session given as a path (or a file object opened on one) brings its sub-agents' files,
    found beside it, each inside the tool call that started it.

    The run shows the answer, thinking where recorded, every tool call with its arguments
    and result or error, sub-agents nested by their parent links, usage and cost, and the
    file's own times and ids. Nothing is fetched. ``tools``: functions (or
    :class:`nbagent.Tool`) of the traced run's tools, by name: their calls' panels offer
    Re-run, and ``run.rerun_tool(i)`` calls them here with the recorded arguments.

    A line that cannot be read ends the run ``error`` naming the file and the line, after
    everything before it. A missing file raises ``FileNotFoundError``, a source of no format
    it reads ``UnknownFormatError``.
    """
    events, fmt, name = trace_events(source, format)
    start = next((ev for ev in events if isinstance(ev, RunStart)), None)
    title = title or (start.title if start is not None else None) or _file_title(name)
    if start is not None:
        start.title = title
    return TraceRun(
        events,
        trace_format=fmt.name,
        trace_file=name,
        title=title,
        show_thinking=show_thinking,
        throttle_ms=throttle_ms,
        tools=tools,
    )


def _file_title(name: str) -> str:
    return Path(name).name if os.sep in name or "/" in name else name
