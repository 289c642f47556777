"""Hypothesis strategies for wire items: near-valid streams of each format, and junk.

``recorded(fmt)`` is every item of the format's recordings in ``tests/fixtures`` (as the
adapter takes them: dicts, SSE events, lines); ``near_valid(fmt)`` draws them and bends
some (a field deleted, a value replaced by one of another type, JSON text cut short, the
payload in another of the forms the format travels in); ``junk`` is anything at all;
``streams(fmt)`` mixes the three into one stream.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from hypothesis import strategies as st

from nbagent.adapters import ADAPTERS
from nbagent.adapters.base import ServerSentEvent
from nbagent.adapters.hooks import FAMILIES, HookRecord
from nbagent.core.events import Event
from nbagent.sources.files import sse_file
from tests.sse_servers import FIXTURES
from tests.strategies import events, json_values, texts

__all__ = ["FORMATS", "junk", "near_valid", "recorded", "streams"]

FORMATS = sorted(ADAPTERS)

_ODD_TEXT = [
    *("", " ", "[DONE]", "data: [DONE]", ": ping", "NaN", "Infinity", "-1e999", "{}", "[]"),
    *("null", '{"a": NaN}', '{"delta": "\\ud800"}', "\x00", "\ufeff{}", '{"type": 1}', '"x"'),
]
_odd_text = st.sampled_from(_ODD_TEXT)
junk: st.SearchStrategy[Any] = st.one_of(
    json_values,
    texts,
    _odd_text,
    st.binary(max_size=24),
    st.builds(ServerSentEvent, st.one_of(texts, _odd_text), st.one_of(st.just("message"), texts)),
    st.builds(object),
    st.floats(allow_nan=False),
    st.tuples(json_values),
)
"""Any item at all: JSON values, text, bytes, SSE events with any data, objects."""


def _load_line(line: str) -> Any:
    try:
        item = json.loads(line)
    except json.JSONDecodeError:
        return line  # a sentinel ([DONE]) or a legacy text line (Vercel's v4)
    if isinstance(item, dict) and set(item) == {"sse_event", "data"}:
        return ServerSentEvent(json.dumps(item["data"]), event=item["sse_event"])
    return item


@cache
def recorded(fmt: str) -> tuple[Any, ...]:
    """Every item of the format's recordings (a few made up for ``text``)."""
    folder = FIXTURES / fmt
    items: list[Any] = []
    for path in sorted(folder.glob("*.sse")) if folder.exists() else []:
        items.extend(sse_file(path))
    for path in sorted(folder.glob("*.jsonl")) if folder.exists() else []:
        lines = path.read_text(encoding="utf-8").splitlines()
        items.extend(_load_line(line) for line in lines if line.strip())
    if fmt == "text":
        items.extend(["Hello", ", wörld", " 🎉", "\n\n```py\nx = 1\n```", b"caf\xc3\xa9"])
    return tuple(items)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value (the value itself included)."""
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*path, i))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any, delete: bool) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    key = path[0]
    if len(path) == 1 and delete:
        del copy[key]
    else:
        copy[key] = _replace(value[key], path[1:], new, delete)
    return copy


@st.composite
def _bent(draw: st.DrawFn, payload: Any) -> Any:
    """A JSON payload with one place changed: deleted, or another value (often another type)."""
    path = draw(st.sampled_from(_paths(payload)))
    delete = bool(path) and draw(st.booleans())
    new = draw(st.one_of(json_values, _odd_text, st.sampled_from([None, 0, -1, 2**63, 1.5, ""])))
    return _replace(payload, path, new, delete)


@st.composite
def _in_a_form(draw: st.DrawFn, payload: Any, event: str | None) -> Any:
    """The payload as a dict, JSON text, bytes, a ``data:`` line or an SSE event; or its JSON
    text cut short."""
    text = json.dumps(payload, ensure_ascii=draw(st.booleans()))
    form = draw(st.sampled_from(["as is", "json", "bytes", "line", "sse", "cut"]))
    if form == "as is":
        return payload if event is None else ServerSentEvent(text, event=event)
    if form == "json":
        return text
    if form == "bytes":
        return text.encode()
    if form == "line":
        return "data: " + text
    if form == "sse":
        return ServerSentEvent(text, event=event or "message")
    return text[: draw(st.integers(0, max(0, len(text) - 1)))]


@st.composite
def near_valid(draw: st.DrawFn, fmt: str) -> Any:
    """A recorded item of ``fmt`` (for ``events``: any event), often bent, in one of the
    forms the format travels in."""
    item = (
        draw(events().map(Event.to_dict))
        if fmt == "events"
        else draw(st.sampled_from(recorded(fmt)))
    )
    if draw(st.integers(0, 2)) == 0:
        return item  # as recorded
    event: str | None = None
    payload = item
    if isinstance(item, ServerSentEvent):
        event = None if item.event == "message" else item.event
        try:
            payload = json.loads(item.data)
        except json.JSONDecodeError:
            return item
    elif isinstance(item, (str, bytes)):
        return item if draw(st.booleans()) else draw(junk)
    if draw(st.booleans()):
        payload = draw(_bent(payload))
    return draw(_in_a_form(payload, event))


# nbagent.watch()'s records are made by its hooks from a library's callbacks, not read from a
# wire: no recordings. The near-valid ones: each family's record kinds with JSON of the
# fields its adapter reads (the library's objects read by field, so a dict stands for one).
_HOOK_KINDS = (
    *("on_chat_model_start", "on_llm_start", "on_llm_new_token", "on_llm_end", "on_llm_error"),
    *("on_chain_start", "on_chain_end", "on_chain_error", "on_tool_start", "on_tool_end"),
    *("on_tool_error", "span_start", "span_end", "span_drop", "event", "trace_start"),
    *("trace_end", "pre_api_call", "success", "failure", "request", "response", "error"),
    *("warning", "mode", "interrupted"),
)
_HOOK_KEYS = (
    *("id", "run_id", "parent_run_id", "name", "messages", "response", "output", "content"),
    *("usage", "attributes", "span", "trace_id", "parent", "call_id", "model", "tool_calls"),
    *("error", "data", "start_time", "end_time", "choices", "message", "token", "chunk"),
)
_hook_data = st.recursive(
    json_values,
    lambda inner: st.dictionaries(st.sampled_from(_HOOK_KEYS), inner, max_size=4),
    max_leaves=8,
)
hook_records = st.builds(
    HookRecord,
    st.sampled_from(sorted({*FAMILIES, "watch"})),
    st.sampled_from(_HOOK_KINDS),
    _hook_data,
    st.floats(0, 2e9),
    st.text(max_size=3),
    st.booleans(),
)


def streams(fmt: str, max_size: int = 30) -> st.SearchStrategy[list[Any]]:
    """A stream of ``fmt``: recorded items, bent ones and junk, in any order."""
    if fmt == "hooks":
        return st.lists(
            st.one_of(hook_records, hook_records, hook_records, junk), max_size=max_size
        )
    item = st.one_of(near_valid(fmt), near_valid(fmt), near_valid(fmt), junk)
    return st.lists(item, max_size=max_size)
