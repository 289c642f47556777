"""``load_trace``'s readers and adapters over the real trace and session files spoiled: lines
cut, dropped, swapped or made junk, values of the records replaced by any JSON. What comes out
is a run's events (one ``run_start`` first, one ``run_end`` last, in time order) or, for what
is no trace, ``UnknownFormatError``: never another exception (a notebook's kernel must not see
one)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from nbagent.adapters.base import UnknownFormatError
from nbagent.apps.traces import trace_events
from nbagent.core.events import RunEnd, RunStart
from tests.fuzz.budget import fuzz, ran
from tests.session_harness import CLAUDE_SESSION, CODEX_MAIN, GEMINI_SESSION
from tests.traces import FIXTURES

FILES = [
    "otlp-genai/openai-v2.jsonl",
    "otlp-genai/openai-v2.logs.jsonl",
    "otlp-openinference/openinference.jsonl",
    "langfuse/public/openai-agents-2025-09-30.json",
    "langfuse/public/google-adk-2025-08-28.json",
    "langsmith/runs.json",
    "langsmith/run_tree.json",
    *(str(path.relative_to(FIXTURES)) for path in (CLAUDE_SESSION, CODEX_MAIN, GEMINI_SESSION)),
]
TEXTS = {name: (FIXTURES / name).read_text(encoding="utf-8") for name in FILES}
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def check(source: Any) -> None:
    try:
        events, _, _ = trace_events(source)
    except UnknownFormatError:
        return
    assert isinstance(events[0], RunStart)
    assert isinstance(events[-1], RunEnd)
    assert sum(isinstance(ev, RunEnd) for ev in events) == 1
    assert [ev.seq for ev in events] == list(range(1, len(events) + 1))


@fuzz(weight=0.5, at_least=20)
@given(data=st.data())
def test_spoiled_lines(data: st.DataObject) -> None:
    text = TEXTS[data.draw(st.sampled_from(FILES))]
    lines = text.splitlines(keepends=True)
    n = data.draw(st.integers(0, max(len(lines) - 1, 0)))
    how = data.draw(st.sampled_from(["cut", "drop", "swap", "junk"]))
    if how == "cut":
        lines[n] = lines[n][: data.draw(st.integers(0, len(lines[n])))]
    elif how == "drop":
        del lines[n]
    elif how == "swap" and len(lines) > 1:
        m = data.draw(st.integers(0, len(lines) - 1))
        lines[n], lines[m] = lines[m], lines[n]
    else:
        lines[n] = data.draw(st.text(max_size=20)) + "\n"
    ran("traces: spoiled lines")
    check("".join(lines).encode())


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [at]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*at, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, (*at, i))
    return out


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    """``doc`` at ``path`` made ``value``; nothing where an earlier change took the path away."""
    node = doc
    try:
        for key in path[:-1]:
            node = node[key]
        if isinstance(node, (dict, list)):
            node[path[-1]] = value
    except (KeyError, IndexError, TypeError):
        return


@fuzz(weight=0.5, at_least=20)
@given(data=st.data())
def test_replaced_values(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(FILES))
    text = TEXTS[name]
    lines = [line for line in text.splitlines() if line.strip()]
    doc = json.loads(text) if name.endswith(".json") else [json.loads(line) for line in lines]
    paths = _paths(doc)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths[1:]))
        _replace(doc, path, data.draw(JSON))
    ran("traces: replaced values")
    check(doc)
