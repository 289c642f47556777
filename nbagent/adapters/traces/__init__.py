"""Runs recorded elsewhere, read from their files (``nbagent.load_trace``): the pure part.

Each hosted tool's or exporter's records become the span snapshots the otel adapter reads
(``otlp``: OTLP/JSON; ``langfuse``: a Langfuse trace; ``langsmith``: a LangSmith run tree;
``outputs``: a model's output in any shape they hold it), ordered as a live span processor
would have seen them (``timeline``), then made events by ``SpanTraceAdapter`` (``adapter``).
Times come from the files (``times``); reading the files is ``nbagent.sources``'.
"""

from __future__ import annotations

from nbagent.adapters.traces.adapter import SpanTraceAdapter

__all__ = ["SpanTraceAdapter"]
