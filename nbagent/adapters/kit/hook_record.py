"""``HookRecord``: what a hook of ``nbagent.watch()`` saw, as it saw it.

A hook (``nbagent/sources/hooks/``) is called by a library (a LangChain callback, an
OpenTelemetry span processor, ...) on the library's thread; it only stamps the time and
passes the callback's arguments on. The adapter of its family turns records into events,
purely, on the run's thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["HookRecord"]


@dataclass(frozen=True, slots=True)
class HookRecord:
    """One callback of a hook family, with the time it came."""

    family: str
    """The hook family that saw it: ``"otel"``, ``"openai-agents"``, ``"langchain"``,
    ``"llama-index"``, ``"litellm"``, ``"openai"``; ``"watch"`` for the watch's own
    records (``mode``, ``error``, ``interrupted``)."""
    kind: str
    """What happened, in the family's words: the callback's name (``"on_llm_new_token"``),
    or a span's phase (``"span_start"``, ``"span_end"``)."""
    data: Any
    """The callback's arguments (a dict) or the library's object (a span). Read only: the
    library may still hold it."""
    ts: float
    """Epoch seconds when the hook saw it (a span's own start or end time where it has one):
    the time of the events made from it."""
    root: str = ""
    """The top-level call the record belongs to (a trace, a root run): under
    ``nbagent.watch(obj)`` each root is a run of its own."""
    last: bool = False
    """The record ends its root (the root span's end, the root run's end or error)."""
