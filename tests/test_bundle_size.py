"""The built bundles exist and stay within their size budgets (every notebook saves them
once, in the code model): the widget bundle, the math and answer chunks it imports on first
use, the feature chunks (js/build.mjs CHUNKS), the MCP inspector's chunk and the evaluation's
(with its opened case's, the case chunk).
Every budget here is at most DEVELOP.md's "Budgets" (tests/test_budgets.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[1] / "nbagent" / "static"
# bytes, minified: the design's number (ARCHITECTURE.md, "Rules of the design": 135 KB).
BUDGET = 135 * 1024
# bytes, minified: KaTeX (MathML output), the math syntax and the typesetting
MATH_BUDGET = 300 * 1024


def _built(name: str) -> Path:
    path = STATIC / name
    if not path.is_file():
        pytest.fail(
            f"{path} is missing: build the widget with "
            "`npm --prefix js ci && npm --prefix js run build` (pip install -e . also builds it)",
            pytrace=False,
        )
    return path


def _within(name: str, budget: int) -> Path:
    """The built file ``name``, failing when it is over ``budget`` bytes."""
    path = _built(name)
    size = path.stat().st_size
    assert size <= budget, (
        f"nbagent/static/{name} is {size} bytes ({size / 1024:.1f} KB), over the "
        f"{budget // 1024} KB budget: measure what grew (esbuild --metafile) before adding more"
    )
    return path


def test_widget_bundle_within_budget() -> None:
    _within("widget.js", BUDGET)
    assert (STATIC / "widget.css").is_file(), "nbagent/static/widget.css is missing: run the build"


def test_math_chunk_within_budget_and_apart_from_the_widget() -> None:
    math = _within("math.js", MATH_BUDGET).read_text(encoding="utf-8")
    # KaTeX, the math syntax and the typesetting live in the chunk only: the widget bundle
    # imports it as the kernel sends it, with the first text that may hold a formula.
    widget = _built("widget.js").read_text(encoding="utf-8")
    for word in ("katex", "nb-mathml", "too long to typeset"):
        assert word not in widget.lower(), f"{word!r} is in the widget bundle"
        assert word in math.lower(), f"{word!r} is not in the math chunk"


# bytes, minified: a paused call's answers (Run, Edit arguments, Mock result, Deny, their
# forms, the code hint) and an MCP question's form (the inspector's form.js).
ANSWER_BUDGET = 10 * 1024


def test_answer_chunk_within_budget_and_apart_from_the_widget() -> None:
    """A paused call's answers come with the first live pause: the tools chunk, which every
    notebook with a tool call saves, keeps only what a saved notebook shows of one (its head,
    a refusal, how it was answered)."""
    chunk = _within("answer.js", ANSWER_BUDGET)
    tools = _built("tools.js").read_text(encoding="utf-8")
    code = chunk.read_text(encoding="utf-8")
    for words in ("Edit arguments", "Mock result", "Run with these arguments", "nba-form-raw"):
        assert words not in tools, f"{words!r} is in the tools chunk"
        assert words in code, f"{words!r} is not in the answer chunk"
    for words in ("Paused before this call", "Dismissed", "Stopped while paused"):
        assert words in tools, f"{words!r} (what a saved notebook shows) left the tools chunk"
    assert "DOMPurify" not in code  # everything from a server goes in as text


# bytes, minified: a widget of its own's code (the MCP inspector's view, forms and lists; an
# evaluation's header, filters and table), with its class prefix.
OWN_CHUNKS = [("inspector", 16 * 1024, "nba-insp"), ("evaluation", 16 * 1024, "nba-ev")]


@pytest.mark.parametrize(("name", "budget", "prefix"), OWN_CHUNKS)
def test_a_widgets_own_chunk_within_budget_and_apart_from_the_widget(
    name: str, budget: int, prefix: str
) -> None:
    """The inspector and an evaluation's table are their own widgets' code: pages without
    one load none of it, and each draws a run (a call, an opened case) with the run widget's
    code (through the loader), not a copy."""
    chunk = _within(f"{name}.js", budget)
    assert (STATIC / f"{name}.css").is_file(), f"nbagent/static/{name}.css is missing"
    widget = _built("widget.js").read_text(encoding="utf-8")
    assert prefix not in widget
    code = chunk.read_text(encoding="utf-8")
    assert prefix in code
    assert "DOMPurify" not in code  # everything from a server or the kernel goes in as text
    assert "marked" not in code.lower()


# bytes, minified: an evaluation's opened case (its fields, scores and metadata, Re-run, its run
# view through the loader): 6,138 bytes measured, 6.5 KB leaves 8% to grow.
CASE_BUDGET = 6656


def test_case_chunk_within_budget_and_apart_from_the_evaluations() -> None:
    """An opened case comes with the first case a page opens (and as the evaluation ends, for
    a saved notebook): the evaluation's table holds none of its code, and the run widget's
    code draws its run (through the loader), not a copy."""
    chunk = _within("case.js", CASE_BUDGET).read_text(encoding="utf-8")
    table = _built("evaluation.js").read_text(encoding="utf-8")
    widget = _built("widget.js").read_text(encoding="utf-8")
    for words in ("Re-run case", "Times, tokens, cost", "Cannot show this run"):
        assert words not in table, f"{words!r} is in the evaluation chunk"
        assert words in chunk, f"{words!r} is not in the case chunk"
    assert "nba-ev" not in widget
    assert "DOMPurify" not in chunk
    assert "marked" not in chunk.lower()


# bytes, minified: a feature chunk of the widget's code (js/build.mjs CHUNKS), sent to the code
# model when a widget first needs it (nbagent/widget/chunks.py), with words only it holds.
FEATURE_CHUNKS = [
    ("lanes", 10 * 1024, ("nba-layout-chat", "nba-chat-text")),
    ("debug", 12 * 1024, ("nba-tl-rows", "Fork with an edited result", "nba-replay-label")),
    ("data", 5 * 1024, ("application/vnd.nbagent.table+json",)),
    ("acp", 6 * 1024, ("nba-plan-entry", "nba-diff-line", "nba-gauge-fill")),
    ("tools", 14 * 1024, ("nba-tool-name", "Copy as code", "nba-rerun-args", "nba-pause-head")),
    ("highlight", 5 * 1024, ("nba-hl-", "nba-data-gap")),
    ("output", 3 * 1024, ("nbagent-output-host", "application/vnd.nbagent.transcript+json")),
    # A call's MCP app: its sandboxed frame and the host's half of its messages. 4,529 bytes
    # measured; 6 KB leaves room for the rest of its host (an app's tool calls through the
    # pauses, the allowed domains' line: ~1.3 KB).
    ("app", 6 * 1024, ("nba-app-frame", "ui/notifications/tool-input", "allow-scripts")),
    # What an MCP app asks beyond showing (its own calls through the pauses, its log, its
    # downloads) and its streaming input (a linear partial-JSON reader): 4,074 bytes measured.
    ("app_extras", 4 * 1024, ("tool-input-partial", "nba-app-offer", "App log", "called by")),
]


@pytest.mark.parametrize(("name", "budget", "words"), FEATURE_CHUNKS)
def test_a_feature_chunk_within_budget_and_apart_from_the_widget(
    name: str, budget: int, words: tuple[str, ...]
) -> None:
    """The lanes (a widget of several runs), the debug parts (timeline, forks, replay bar),
    tool results as data, a coding agent's plan, the panels of tool calls, code highlighting
    and table copy, a finished run's output for the frontend and MCP apps come when a page
    needs them:
    the bundle holds none of their code, and a chunk holds no copy of the bundle's (it is
    handed the bundle's own modules as it loads: no sanitizer, no markdown parser of its
    own)."""
    chunk = _within(f"{name}.js", budget).read_text(encoding="utf-8")
    widget = _built("widget.js").read_text(encoding="utf-8")
    for word in words:
        assert word not in widget, f"{word!r} is in the widget bundle"
        assert word in chunk, f"{word!r} is not in the {name} chunk"
    assert "DOMPurify" not in chunk
    assert "marked" not in chunk.lower()
