"""The hostile corpus of repeated openers (``fixtures/hostile_repeat.json``, issue 37), shared by
the export tests, the Chromium tests and ``benchmarks/hostile.py``; ``js/test/hostile.js``
expands it the same way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CORPUS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "hostile_repeat.json").read_text()
)
FAMILIES: list[dict[str, str]] = CORPUS["families"]
SIZES: list[int] = CORPUS["sizes"]
FRAMES: int = CORPUS["frames"]
"""Frames per streamed render."""
HEADER: str = CORPUS["header"]


def expand(family: dict[str, str], size: int) -> str:
    """The family's text of about ``size`` characters: prefix, the unit repeated, suffix."""
    prefix, unit, suffix = family.get("prefix", ""), family["unit"], family.get("suffix", "")
    n = max(1, -(-(size - len(prefix) - len(suffix)) // len(unit)))
    return prefix + unit * n + suffix


def transcript(text: str) -> Any:
    """A finished run with ``text`` as its thinking, a tool's result and its answer (the
    ``nbagent`` on ``sys.path``: ``benchmarks/hostile.py`` times an older one too)."""
    from nbagent.core.events import (
        RunStart,
        TextDelta,
        ThinkingDelta,
        ToolCallEnd,
        ToolCallStart,
        ToolResult,
    )
    from nbagent.pipeline.normalize import Normalizer
    from nbagent.transcript.transcript import Transcript

    n = Normalizer(clock=lambda: 10.0)
    events = [
        RunStart(title="hostile"),
        ThinkingDelta(message_id="t", delta=text),
        ToolCallStart(tool_call_id="c1", name="read"),
        ToolCallEnd(tool_call_id="c1", arguments="{}"),
        ToolResult(tool_call_id="c1", content=text),
        TextDelta(message_id="m", delta=text),
    ]
    out = [e for ev in events for e in n.feed(ev)]
    return Transcript.from_events(out + n.finish())
