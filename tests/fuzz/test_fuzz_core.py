"""The SSE decoder over near-valid and corrupt bytes cut anywhere; the normalizer and the
reducer over events decoded from arbitrary dicts (what a JSONL recording or a WebSocket of
nbagent events may hold), each field well typed or not."""

from __future__ import annotations

import contextlib
import typing
from dataclasses import fields
from functools import cache
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from nbagent.adapters.base import ServerSentEvent
from nbagent.core.data.tables import TABLE_MIME
from nbagent.core.events import (
    EVENT_TYPES,
    Event,
    EventDecodeError,
    RunEnd,
    TextDelta,
    event_from_dict,
)
from nbagent.pipeline.normalize import Normalizer
from nbagent.sources.sse import SSEDecoder
from tests.fuzz.budget import fuzz, ran
from tests.fuzz.checks import check_run
from tests.invariants import block_text, check_ops, grouped_text
from tests.strategies import json_values, message_ids, sse_streams, step_ids, texts, tool_ids

# -- the SSE decoder ---------------------------------------------------------------------------


@st.composite
def corrupt(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with some bytes that are no UTF-8, a NUL or a stray CR spliced in."""
    out = bytearray(data)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(out)))
        out[at:at] = draw(st.sampled_from([b"\xff", b"\xc3", b"\xe2\x82", b"\x00", b"\r", b"\n"]))
    return bytes(out)


byte_streams = st.one_of(sse_streams().flatmap(corrupt), sse_streams(), st.binary(max_size=200))


def decode_in_pieces(data: bytes, cuts: list[int]) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    start = 0
    for cut in sorted({c for c in cuts if c <= len(data)}):
        events += decoder.feed(data[start:cut])
        start = cut
    return events + decoder.feed(data[start:]) + decoder.flush()


@fuzz()
@given(data=byte_streams, cuts=st.lists(st.integers(0, 250), max_size=10))
def test_sse_decoder(data: bytes, cuts: list[int]) -> None:
    ran("sse decoder")
    events = decode_in_pieces(data, cuts)
    assert events == decode_in_pieces(data, [])  # however the bytes were cut
    for ev in events:
        assert isinstance(ev, ServerSentEvent)
        assert "\r" not in ev.data
        assert not any(c in ev.event for c in "\r\n")
        assert ev.id is None or not any(c in ev.id for c in "\r\n\x00")
        assert ev.retry is None or ev.retry >= 0


# -- events from arbitrary dicts -----------------------------------------------------------------

_IDS = {"message_id": message_ids, "tool_call_id": tool_ids, "step_id": step_ids}


@cache
def _hints(kind: str) -> dict[str, Any]:
    return typing.get_type_hints(EVENT_TYPES[kind])


# ``ToolResult.display``: Jupyter display bundles, their mimes ours or not, any JSON inside.
_MIMES = ["text/plain", "text/markdown", "text/html", "image/png", "image/svg+xml"]
_bundles = st.none() | st.lists(
    st.fixed_dictionaries(
        {"data": st.dictionaries(st.sampled_from([*_MIMES, TABLE_MIME]), json_values)},
        optional={"metadata": st.dictionaries(st.sampled_from(_MIMES), json_values)},
    ),
    max_size=3,
)


def _well_typed(name: str, hint: Any) -> st.SearchStrategy[Any]:
    if name in _IDS:
        return _IDS[name]
    if name == "display":
        return _bundles
    if hint is Any or name == "meta":
        return json_values
    if hint is str:
        return texts
    return st.from_type(hint)


@st.composite
def event_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """A dict as nbagent's own JSONL holds an event, each field well typed or not, some
    missing, an unknown kind or field now and then."""
    kind = draw(st.sampled_from([*EVENT_TYPES, "text_delta", "text_delta", "bogus"]))
    out: dict[str, Any] = {"kind": kind}
    if kind not in EVENT_TYPES:
        return out
    hints = _hints(kind)
    for f in fields(EVENT_TYPES[kind]):
        if draw(st.integers(0, 3)) == 0:
            continue  # missing: the default, or a required field left out
        junk = draw(st.integers(0, 9)) == 0
        out[f.name] = draw(json_values if junk else _well_typed(f.name, hints[f.name]))
    if draw(st.integers(0, 30)) == 0:
        out["unknown_field"] = 1
    return out


def decoded(dicts: list[dict[str, Any]]) -> list[Event]:
    """What ``event_from_dict`` accepts; refusing with ``EventDecodeError`` is its right."""
    events = []
    for d in dicts:
        with contextlib.suppress(EventDecodeError):
            events.append(event_from_dict(d))
    return events


ENDINGS = st.sampled_from(["finish", "cancel", "fail"])


@fuzz()
@given(dicts=st.lists(event_dicts(), max_size=40), ending=ENDINGS)
def test_normalizer(dicts: list[dict[str, Any]], ending: str) -> None:
    ran("normalizer")
    normalizer = Normalizer(clock=lambda: 1000.0)
    out: list[Event] = []
    for ev in decoded(dicts):
        out += normalizer.feed(ev)
    if ending == "finish":
        out += normalizer.finish()
    elif ending == "cancel":
        out += normalizer.cancel()
    else:
        out += normalizer.fail(ConnectionResetError("gone"))
    check_run(out)


@fuzz()
@given(dicts=st.lists(event_dicts(), max_size=40))
def test_reducer(dicts: list[dict[str, Any]]) -> None:
    """Events as they come, not normalized (``Transcript.from_events`` of a recording): the
    ops rebuild the state after every event, and the text is the text deltas' up to the end."""
    ran("reducer")
    events = decoded(dicts)
    transcript = check_ops(events)
    deltas = []
    for ev in events:
        if isinstance(ev, RunEnd):
            break
        if isinstance(ev, TextDelta) and ev.delta:
            deltas.append((ev.message_id, ev.delta))
    assert block_text(transcript, nested=True) == grouped_text(deltas)
