"""The formats ``nbagent.load_trace`` reads, one entry each (``trace_input.TraceFormat``), and
how a source's format is told from its content (never from its file's name)."""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import UnknownFormatError
from nbagent.sources.trace_input import TraceFormat, TraceLineError, TraceSource, documents
from nbagent.sources.trace_spans import LANGFUSE, LANGSMITH, OTLP

__all__ = ["FORMATS", "detect_format", "trace_format"]

FORMATS: tuple[TraceFormat, ...] = (OTLP, LANGFUSE, LANGSMITH)
"""Every format, in the order detection tries them."""


def _names() -> str:
    return ", ".join(f.name for f in FORMATS)


def trace_format(name: str) -> TraceFormat:
    """The format ``format=`` names; ``UnknownFormatError`` naming the others when none."""
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise UnknownFormatError(f"no trace format {name!r}: one of {_names()}, or 'auto'")


def _takes(fmt: TraceFormat, head: Any) -> bool:
    try:
        return bool(fmt.detect(head))
    except Exception:  # noqa: BLE001 - a detection that fails says "not mine"
        return False


def detect_format(source: TraceSource) -> TraceFormat:
    """The format of ``source``, from its first document; ``UnknownFormatError`` saying what
    was found when no format's detection takes it."""
    try:
        head: Any = next(documents(source), None)
    except TraceLineError as exc:
        raise UnknownFormatError(f"cannot tell the trace format of {exc}") from None
    if head is not None:
        found = next((fmt for fmt in FORMATS if _takes(fmt, head[0])), None)
        if found is not None:
            return found
    what = "is empty" if head is None else "is none of the trace formats nbagent reads"
    raise UnknownFormatError(f"{source.name} {what} ({_names()})")
