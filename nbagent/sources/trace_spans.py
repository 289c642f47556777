"""The trace formats made of spans: OTLP/JSON, a Langfuse trace, a LangSmith run tree.

Each reader reads every document of its source (up to a line that cannot be read), makes
each record a finished span's snapshot (``nbagent.adapters.traces``), and yields their start
and end records in time order (``timeline``), each with the file and line of its span; then
raises the bad line's ``TraceLineError``, if any. Their adapter is one: ``SpanTraceAdapter``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from nbagent.adapters.base import list_or_empty
from nbagent.adapters.traces import SpanTraceAdapter, langfuse, langsmith, otlp
from nbagent.adapters.traces.timeline import timeline, unwrap_workflow
from nbagent.sources.trace_input import (
    TraceFormat,
    TraceLineError,
    TraceRecord,
    TraceSource,
    documents,
)

__all__ = ["LANGFUSE", "LANGSMITH", "OTLP"]

_OTLP_KEYS = ("resourceSpans", "resourceLogs", "resourceMetrics")

Located = list[tuple[dict[str, Any], int | None]]
"""Span snapshots with the line each was read from."""


def _is_otlp(doc: Any) -> bool:
    if isinstance(doc, Mapping):
        return any(isinstance(doc.get(key), list) for key in _OTLP_KEYS)
    items = list_or_empty(doc)
    return bool(items) and _is_otlp(items[0])


def _played(source: TraceSource, spans: Located) -> Iterator[TraceRecord]:
    snapshots = [span for span, _ in spans]
    unwrap_workflow(snapshots)
    for record, i in timeline(snapshots):
        yield TraceRecord(record, source.name, spans[i][1])


def read_otlp(source: TraceSource) -> Iterator[TraceRecord]:
    """The spans of every export request (a log event's messages added to its span)."""
    spans: Located = []
    logs: list[tuple[dict[str, Any], int | None]] = []
    failure: TraceLineError | None = None
    try:
        for doc, line in documents(source):
            for request in doc if isinstance(doc, list) else [doc]:
                if not _is_otlp(request):
                    raise TraceLineError(source.name, line, "not an OTLP/JSON export request")
                spans += [(span, line) for span in otlp.spans(request)]
                logs += [(record, line) for record in otlp.log_records(request)]
    except TraceLineError as exc:
        failure = exc
    records = [record for record, _ in logs]
    spans += [(span, logs[n][1]) for n, span in otlp.with_logs([s for s, _ in spans], records)]
    yield from _played(source, spans)
    if failure is not None:
        raise failure


def read_langfuse(source: TraceSource) -> Iterator[TraceRecord]:
    """The observations of every trace in the source."""
    spans: Located = []
    failure: TraceLineError | None = None
    try:
        for doc, line in documents(source):
            found = langfuse.trace_of(doc)
            if found is None:
                raise TraceLineError(source.name, line, "not a Langfuse trace or observation")
            spans += [
                (langfuse.observation_span(o), line) for o in found[1] if isinstance(o, Mapping)
            ]
    except TraceLineError as exc:
        failure = exc
    yield from _played(source, spans)
    if failure is not None:
        raise failure


def read_langsmith(source: TraceSource) -> Iterator[TraceRecord]:
    """The runs of the source, flat or nested."""
    runs: list[tuple[dict[str, Any], int | None]] = []
    failure: TraceLineError | None = None
    try:
        for doc, line in documents(source):
            found = langsmith.runs_of(doc)
            if found is None:
                raise TraceLineError(source.name, line, "not a LangSmith run")
            runs += [(run, line) for run in found]
    except TraceLineError as exc:
        failure = exc
    snapshots = langsmith.run_spans([run for run, _ in runs])
    yield from _played(source, [(span, runs[n][1]) for n, span in enumerate(snapshots)])
    if failure is not None:
        raise failure


def _first(detect: Callable[[Any], bool]) -> Callable[[Sequence[Any]], bool]:
    """A format told by its first document alone."""
    return lambda first: bool(first) and detect(first[0])


OTLP = TraceFormat("otlp", _first(_is_otlp), read_otlp, SpanTraceAdapter)
"""OTLP/JSON: spans with GenAI or OpenInference attributes (any others as plain steps), and
the GenAI conventions' log events."""
LANGFUSE = TraceFormat(
    "langfuse",
    _first(lambda doc: langfuse.trace_of(doc) is not None),
    read_langfuse,
    SpanTraceAdapter,
)
"""A Langfuse trace as downloaded JSON, or its observations."""
LANGSMITH = TraceFormat(
    "langsmith",
    _first(lambda doc: langsmith.runs_of(doc) is not None),
    read_langsmith,
    SpanTraceAdapter,
)
"""A LangSmith run tree: the runs as a list, nested (``child_runs``) or as posted in batches."""
