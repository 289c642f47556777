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
    each_document,
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


def _played(
    source: TraceSource, spans: Located, failure: TraceLineError | None
) -> Iterator[TraceRecord]:
    snapshots = [span for span, _ in spans]
    unwrap_workflow(snapshots)
    for record, i in timeline(snapshots):
        yield TraceRecord(record, source.name, spans[i][1])
    if failure is not None:
        raise failure


def read_otlp(source: TraceSource) -> Iterator[TraceRecord]:
    """The spans of every export request (a log event's messages added to its span)."""
    spans: Located = []
    logs: Located = []

    def take(doc: Any, line: int | None) -> None:
        for request in doc if isinstance(doc, list) else [doc]:
            if not _is_otlp(request):
                raise TraceLineError(source.name, line, "not an OTLP/JSON export request")
            spans.extend([(span, line) for span in otlp.spans(request)])
            logs.extend([(record, line) for record in otlp.log_records(request)])

    failure = each_document(source, take)
    records = [record for record, _ in logs]
    spans += [(span, logs[n][1]) for n, span in otlp.with_logs([s for s, _ in spans], records)]
    yield from _played(source, spans, failure)


def read_langfuse(source: TraceSource) -> Iterator[TraceRecord]:
    """The observations of every trace in the source."""
    spans: Located = []

    def take(doc: Any, line: int | None) -> None:
        found = langfuse.trace_of(doc)
        if found is None:
            raise TraceLineError(source.name, line, "not a Langfuse trace or observation")
        spans.extend(
            [(langfuse.observation_span(o), line) for o in found[1] if isinstance(o, Mapping)]
        )

    failure = each_document(source, take)
    yield from _played(source, spans, failure)


def read_langsmith(source: TraceSource) -> Iterator[TraceRecord]:
    """The runs of the source, flat or nested."""
    runs: Located = []

    def take(doc: Any, line: int | None) -> None:
        found = langsmith.runs_of(doc)
        if found is None:
            raise TraceLineError(source.name, line, "not a LangSmith run")
        runs.extend([(run, line) for run in found])

    failure = each_document(source, take)
    snapshots = langsmith.run_spans([run for run, _ in runs])
    yield from _played(source, [(span, runs[n][1]) for n, span in enumerate(snapshots)], failure)


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
