"""The built bundles exist and stay within their margins (every notebook saves them once, in
the code model): the design's ceilings with 8% of room (ARCHITECTURE.md, "Budgets with room";
docs/develop/budgets.md, tests/test_budgets.py). Three rules: the widget bundle (the main one),
the math chunk, and one for every other bundle: each lazy chunk of nbagent/widget/chunks.json,
the MCP inspector's and an evaluation's own widgets, the loader. A bundle over its margin names
what grew: its biggest inputs in the metafile the build writes beside the bundles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nbagent.widget.chunks import LIST

STATIC = Path(__file__).resolve().parents[1] / "nbagent" / "static"
KB = 1024
# bytes, minified: the margins of the design's ceilings (135 KB, 24 KB, 300 KB)
MAIN_MARGIN = 124 * KB
CHUNK_MARGIN = 22 * KB
MATH_MARGIN = 276 * KB

ENTRIES = {entry["name"]: entry for entry in LIST["chunks"]}
# Every bundle the build makes: the widget's, each widget's loader, the inspector's and an
# evaluation's own widgets, and the lazy chunks.
BUNDLES = ["widget", "loader", "inspector", "evaluation", *ENTRIES]


def margin(name: str) -> int:
    """The margin bundle ``name`` is held to: the main bundle's, the math chunk's, or the one
    rule of every other bundle."""
    return {"widget": MAIN_MARGIN, "math": MATH_MARGIN}.get(name, CHUNK_MARGIN)


def _built(name: str) -> Path:
    path = STATIC / name
    if not path.is_file():
        pytest.fail(
            f"{path} is missing: build the widget with "
            "`npm --prefix js ci && npm --prefix js run build` (pip install -e . also builds it)",
            pytrace=False,
        )
    return path


def biggest_inputs(bundle: str, n: int = 8) -> str:
    """What bundle ``bundle`` (``widget.js``) is made of, biggest first, as the build's
    metafile says (``nbagent/static/metafile.json``; ``node js/build.mjs --analyze`` prints it
    all)."""
    meta = json.loads(_built("metafile.json").read_text(encoding="utf-8")).get(bundle, {})
    inputs = list(meta.get("inputs", {}).items())[:n]
    return "; ".join(f"{path} {size:,} B" for path, size in inputs) or "not in the metafile"


def _within(name: str) -> Path:
    """The built bundle ``name`` (``widget.js``), failing, with its biggest inputs, when it is
    over its margin."""
    path = _built(name)
    size, limit = path.stat().st_size, margin(name.removesuffix(".js"))
    assert size <= limit, (
        f"nbagent/static/{name} is {size:,} bytes, over its {limit:,} B margin "
        f"({limit // KB} KB): move what a plain answer does not need into a lazy chunk "
        f"(docs/develop/lazy-chunks.md), or split the chunk. Its biggest inputs: "
        f"{biggest_inputs(name)}"
    )
    return path


@pytest.mark.parametrize("name", BUNDLES)
def test_every_bundle_within_its_margin(name: str) -> None:
    _within(f"{name}.js")


def test_every_built_bundle_has_a_rule() -> None:
    """No bundle escapes the rules: the build makes those and no other."""
    assert sorted(p.stem for p in STATIC.glob("*.js")) == sorted(BUNDLES)
    assert (STATIC / "widget.css").is_file(), "nbagent/static/widget.css is missing: run the build"


def test_math_chunk_apart_from_the_widget() -> None:
    math = _within("math.js").read_text(encoding="utf-8")
    # KaTeX, the math syntax and the typesetting live in the chunk only: the widget bundle
    # imports it as the kernel sends it, with the first text that may hold a formula.
    widget = _built("widget.js").read_text(encoding="utf-8")
    for word in ("katex", *ENTRIES["math"]["words"]):
        assert word not in widget.lower(), f"{word!r} is in the widget bundle"
        assert word in math.lower(), f"{word!r} is not in the math chunk"


def test_answer_chunk_apart_from_the_tools_chunk() -> None:
    """A paused call's answers come with the first live pause: the tools chunk, which every
    notebook with a tool call saves, keeps only what a saved notebook shows of one (its head,
    a refusal, how it was answered)."""
    code = _within("answer.js").read_text(encoding="utf-8")
    tools = _built("tools.js").read_text(encoding="utf-8")
    for words in ENTRIES["answer"]["words"]:
        assert words not in tools, f"{words!r} is in the tools chunk"
    for words in ("Paused before this call", "Dismissed", "Stopped while paused"):
        assert words in tools, f"{words!r} (what a saved notebook shows) left the tools chunk"
    assert "DOMPurify" not in code  # everything from a server goes in as text


# A widget of its own's code (the MCP inspector's view, forms and lists; an evaluation's
# header, filters and table), with its class prefix.
OWN_WIDGETS = [("inspector", "nba-insp"), ("evaluation", "nba-ev")]


@pytest.mark.parametrize(("name", "prefix"), OWN_WIDGETS)
def test_a_widgets_own_code_apart_from_the_widget(name: str, prefix: str) -> None:
    """The inspector and an evaluation's table are their own widgets' code: pages without
    one load none of it, and each draws a run (a call, an opened case) with the run widget's
    code (through the loader), not a copy."""
    chunk = _within(f"{name}.js")
    assert (STATIC / f"{name}.css").is_file(), f"nbagent/static/{name}.css is missing"
    widget = _built("widget.js").read_text(encoding="utf-8")
    assert prefix not in widget
    code = chunk.read_text(encoding="utf-8")
    assert prefix in code
    assert "DOMPurify" not in code  # everything from a server or the kernel goes in as text
    assert "marked" not in code.lower()


def test_case_chunk_apart_from_the_evaluations() -> None:
    """An opened case comes with the first case a page opens (and as the evaluation ends, for
    a saved notebook): the evaluation's table holds none of its code, and the run widget's
    code draws its run (through the loader), not a copy."""
    chunk = _within("case.js").read_text(encoding="utf-8")
    table = _built("evaluation.js").read_text(encoding="utf-8")
    widget = _built("widget.js").read_text(encoding="utf-8")
    for words in ENTRIES["case"]["words"]:
        assert words not in table, f"{words!r} is in the evaluation chunk"
    assert "nba-ev" not in widget
    assert "DOMPurify" not in chunk
    assert "marked" not in chunk.lower()


@pytest.mark.parametrize("name", [n for n in ENTRIES if n != "math"])
def test_a_lazy_chunk_apart_from_the_widget(name: str) -> None:
    """Each lazy chunk comes when a page needs it (nbagent/widget/chunks.json): the bundle
    holds none of its code (the words only it holds), and a chunk that binds holds no copy of
    the bundle's (it is handed the bundle's own modules as it loads: no sanitizer, no markdown
    parser of its own)."""
    chunk = _within(f"{name}.js").read_text(encoding="utf-8")
    widget = _built("widget.js").read_text(encoding="utf-8")
    for word in ENTRIES[name]["words"]:
        assert word not in widget, f"{word!r} is in the widget bundle"
        assert word in chunk, f"{word!r} is not in the {name} chunk"
    assert "DOMPurify" not in chunk
    assert "marked" not in chunk.lower()
