"""The formats ``nbagent.load_trace`` reads, one entry each (``trace_input.TraceFormat``), and
how a source's format is told from its content (never from its file's name)."""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import UnknownFormatError
from nbagent.sources.sessions import CLAUDE_CODE, CODEX, GEMINI_CLI
from nbagent.sources.trace_input import TraceFormat, TraceLineError, TraceSource, documents
from nbagent.sources.trace_spans import LANGFUSE, LANGSMITH, OTLP

__all__ = ["FIRST", "FORMATS", "detect_format", "first_documents", "trace_format"]

FORMATS: tuple[TraceFormat, ...] = (OTLP, LANGFUSE, LANGSMITH, GEMINI_CLI, CODEX, CLAUDE_CODE)
"""Every format, in the order detection tries them."""

FIRST = 8
"""The most documents detection reads: a span format is told by its first, a coding agent's
session may open with the CLI's own bookkeeping before a record that says whose it is."""


def _names() -> str:
    return ", ".join(f.name for f in FORMATS)


def trace_format(name: str) -> TraceFormat:
    """The format ``format=`` names; ``UnknownFormatError`` naming the others when none."""
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise UnknownFormatError(f"no trace format {name!r}: one of {_names()}, or 'auto'")


def first_documents(source: TraceSource) -> list[Any]:
    """The source's first documents, up to ``FIRST`` and up to a line that cannot be read;
    ``UnknownFormatError`` when the first cannot."""
    first: list[Any] = []
    read = documents(source)
    try:
        for doc, _line in read:
            first.append(doc)
            if len(first) == FIRST:
                break
    except TraceLineError as exc:
        if not first:
            raise UnknownFormatError(f"cannot tell the trace format of {exc}") from None
    finally:
        read.close()
    return first


def _takes(fmt: TraceFormat, first: list[Any]) -> bool:
    try:
        return bool(fmt.detect(first))
    except Exception:  # noqa: BLE001 - a detection that fails says "not mine"
        return False


def detect_format(source: TraceSource) -> TraceFormat:
    """The format of ``source``, from its first documents; ``UnknownFormatError`` saying what
    was found when no format's detection takes them."""
    first = first_documents(source)
    found = next((fmt for fmt in FORMATS if first and _takes(fmt, first)), None)
    if found is not None:
        return found
    what = "is empty" if not first else f"is none of the trace formats nbagent reads ({_names()})"
    raise UnknownFormatError(f"{source.name} {what}{_shapes(first)}")


def _shapes(first: list[Any]) -> str:
    """What the first documents hold, for the message: their keys or their types."""
    if not first:
        return ""
    kinds = [sorted(map(str, d))[:6] if isinstance(d, dict) else type(d).__name__ for d in first]
    return ": its first documents hold " + "; ".join(str(k) for k in kinds[:3])
