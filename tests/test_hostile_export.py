"""Issue 37: no text freezes the kernel's exports. Every family of repeated openers in the
hostile corpus (fixtures/hostile_repeat.json, shared with js/test/hostile.js), at each size
(``make test``: all but the largest, 65,536 characters, whose parse by markdown-it-py cost ~50
CPU-s; ``make fuzz``: every size), as an answer, a thinking block and a tool result, exported to
HTML and markdown under a watchdog (pytest-timeout's signal: Python's regular expressions stop
for it) that fails a hang; nothing asserts a duration (benchmarks/hostile.py reports them). And
the scanners that replaced super-linear patterns agree with those patterns, kept here as the
reference on short texts."""

from __future__ import annotations

import random
import re

import pytest

from nbagent.core.events import RunStart, ToolCallEnd, ToolCallStart, ToolResult
from nbagent.pipeline.normalize import Normalizer
from nbagent.tools.schema import _GOOGLE_ENTRY, _rest_param
from nbagent.transcript.export.markdown import _code_spans
from nbagent.transcript.export.math_syntax import _dollar
from nbagent.transcript.transcript import Transcript
from tests.fuzz.budget import FULL
from tests.hostile_corpus import FAMILIES, HEADER, SIZES, expand, transcript

# A hang's budget for one text's exports on a loaded machine.
WATCHDOG_S = 120
EXPORT_SIZES = SIZES if FULL else SIZES[:-1]


@pytest.mark.hostile
@pytest.mark.timeout(WATCHDOG_S)
@pytest.mark.parametrize("size", EXPORT_SIZES)
@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f["name"])
def test_hostile_texts_export_in_time(family: dict[str, str], size: int) -> None:
    for text in (expand(family, size), HEADER + expand(family, size)):
        t = transcript(text)
        assert "<script" not in t.to_html()
        # to_markdown sanitizes the answer and the thinking: sanitize_markdown on this text.
        assert t.to_markdown()


# The patterns the scanners replaced, kept as the reference on short texts.
_CODE_SPAN = re.compile(r"(?<![\\`])(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_DOLLAR = re.compile(r"\$(?=[^\s$])((?:\\.|[^\\$])+?)(?<=\S)\$(?!\d)", re.DOTALL)
_GOOGLE_ENTRY_BEFORE = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:(.*)$")
_REST_PARAM_BEFORE = re.compile(r"^:param\s+(?:[^:]*?\s+)?(\w+)\s*:(.*)$")


def _texts(pieces: list[str], count: int = 20_000) -> list[str]:
    r = random.Random(37)
    return ["".join(r.choices(pieces, k=r.randint(1, 10))) for _ in range(count)]


def test_code_spans_are_what_the_pattern_found() -> None:
    for text in _texts(["`", "``", "```", "a", "\\", "\n", " "]):
        expected = [m.span() for m in _CODE_SPAN.finditer(text)]
        assert list(_code_spans(text)) == expected, repr(text)


def test_dollar_math_closes_where_the_pattern_did() -> None:
    for text in _texts(["$", "$", "a", " ", "\\", "5", "\n", "$$"]):
        for pos in (i for i, c in enumerate(text) if c == "$"):
            for end in (len(text), max(pos + 1, len(text) - 2)):
                m = _DOLLAR.match(text, pos, end)
                assert _dollar(text, pos, end) == (m.end() - 1 if m else -1), (text, pos, end)


def test_docstring_entries_parse_as_the_patterns_did() -> None:
    for text in _texts([":param", " ", "\t", "x", "int", ":", "(", ")", "*", "[a, b]", "é"]):
        before = _GOOGLE_ENTRY_BEFORE.match(text)
        after = _GOOGLE_ENTRY.match(text)
        assert (before and before.groups()) == (after and after.groups()), repr(text)
        rest = _REST_PARAM_BEFORE.match(text)
        assert (rest.group(1, 2) if rest else None) == _rest_param(text), repr(text)


def _tool_run(result: str) -> Transcript:
    """A finished run of one tool call whose result is ``result`` (an agent's edit output)."""
    n = Normalizer(clock=lambda: 10.0)
    events = [
        RunStart(title="hostile diff"),
        ToolCallStart(tool_call_id="c1", name="edit"),
        ToolCallEnd(tool_call_id="c1", arguments="{}"),
        ToolResult(tool_call_id="c1", content=result),
    ]
    return Transcript.from_events([e for ev in events for e in n.feed(ev)] + n.finish())


# A result's diff fences at their worst, with the counts the head must show: a megabyte on one
# line in a fence and without one, a hundred thousand lines in one fence, fifty thousand
# fences; every line hostile markup.
_HOSTILE_DIFFS = {
    "one_line": ("```diff\n+" + "<script>" * 125_000, "+1 \u22120"),
    "no_newline": ("```diff" + "-<script>" * 111_112, ""),
    "lines": ("```diff\n" + "+<script>\n-</pre>\n" * 50_000 + "```", "+50000 \u221250000"),
    "fences": ("```diff\n+<script>\n```\n" * 50_000, "+50000 \u22120"),
}


@pytest.mark.hostile
@pytest.mark.timeout(WATCHDOG_S)
@pytest.mark.parametrize("name", sorted(_HOSTILE_DIFFS))
def test_hostile_diff_fences_export_in_time(name: str) -> None:
    text, counts = _HOSTILE_DIFFS[name]
    t = _tool_run(text)
    html = t.to_html()
    assert "<script" not in html
    summary = html[html.index('<code class="nba-tool-name">') : html.index("</summary>")]
    assert (f'<span class="nba-meta">{counts}</span>' in summary) == bool(counts), summary
    assert (f"done · {counts} · " in t.to_text()) == bool(counts)
    assert t.to_markdown()
