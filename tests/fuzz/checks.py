"""What must hold for any input, whatever the fuzz targets feed."""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

from nbagent.adapters import adapter_for
from nbagent.core.events import Event, MessageEnd, NbagentError, TextDelta, ThinkingDelta
from nbagent.pipeline.stream import Pipeline
from nbagent.transcript.transcript import Transcript
from tests.invariants import block_text, check_invariants, check_ops, grouped_text

__all__ = ["check_adapter", "check_pipeline", "check_run", "sendable"]


def sendable(value: Any) -> None:
    """``value`` crosses the comm as it is: strict JSON (no NaN), encodable as UTF-8 (no lone
    surrogate), as jupyter_client packs a message before its lenient fallback."""
    json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")


def _events(events: list[Event]) -> None:
    assert all(isinstance(ev, Event) for ev in events), events


def check_adapter(fmt: str, items: list[Any]) -> None:
    """The adapter alone: only nbagent's own errors escape, and it gives events."""
    adapter = adapter_for(fmt)
    for item in copy.deepcopy(items):
        with contextlib.suppress(NbagentError):
            _events(adapter.feed(item))
    with contextlib.suppress(NbagentError):
        _events(adapter.end())


def check_run(out: list[Event]) -> Transcript:
    """One run's normalized events: the lifecycle holds, each is pure data, the ops rebuild
    the state, and the text (and thinking) is exactly what the text (thinking) deltas carried."""
    check_invariants(out)
    for ev in out:
        sendable(ev.to_dict())
    transcript = check_ops(out, every_prefix=False)
    sendable(transcript.to_dict())
    # a text message ended ``was_thinking`` (a closing think tag) was thinking all along
    retyped = {e.message_id for e in out if isinstance(e, MessageEnd) and e.was_thinking}
    deltas = [e for e in out if isinstance(e, (TextDelta, ThinkingDelta))]
    texts = [(e.message_id, e.delta) for e in deltas if isinstance(e, TextDelta)]
    texts = [(m, d) for m, d in texts if m not in retyped]
    thoughts = [
        (e.message_id, e.delta)
        for e in deltas
        if isinstance(e, ThinkingDelta) or e.message_id in retyped
    ]
    assert block_text(transcript, nested=True) == grouped_text(texts)
    assert block_text(transcript, "thinking", nested=True) == grouped_text(thoughts)
    return transcript


def check_pipeline(fmt: str, items: list[Any]) -> Transcript:
    """Through the pipeline nothing raises, whatever the items."""
    pipeline = Pipeline(fmt, clock=lambda: 1000.0)
    out: list[Event] = []
    for item in items:
        out += pipeline.feed(item)
    out += pipeline.finish()
    return check_run(out)
