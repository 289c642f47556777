"""Math in Chromium: answers and thinking typeset as MathML from the lazily loaded math chunk.

The bare page (fast) takes the chunk from a fake code model, as the widget does in a notebook
(``bare/page.js``): the hostile math corpus at every prefix, and KaTeX's output kept
attribute for attribute through the MathML allow-list, in the browser's own parser.
JupyterLab (real kernel, real code model): math live in answer and thinking, the chunk
imported once from the code model (no request for it, no font files), and again after the
notebook is saved with widget state and reopened.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.lab import LabPage
from tests.browser.test_bundle_page import Kernel, assert_clean, scenario
from tests.browser.test_reopen import (
    SAVED_SEL,
    reopen_with_widget_state,
    reopen_without_kernel,
    wait_output_final,
    widget_state_saved,
)

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).parents[1] / "fixtures"
HOSTILE_MATH: list[str] = json.loads((FIXTURES / "hostile_math.json").read_text())
CORPUS: list[str] = json.loads((FIXTURES / "math_corpus.json").read_text())

# All four delimiters, and currency that must stay text.
ANSWER = (
    "Euler: $e^{i\\pi} + 1 = 0$ and \\(a^2+b^2=c^2\\). It costs $5 and $10.\n\n"
    "$$\n\\sum_{n=1}^\\infty \\frac{1}{n^2} = \\frac{\\pi^2}{6}\n$$\n\n"
    "\\[\n\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}\n\\]\n\nDone."
)
ANSWER_MATH = 4
THINKING = "Check $x_1 + x_2$ and \\(\\alpha\\), at $3 each.\n\n$$\\int_0^1 x\\,dx$$\n\n\\[y\\]"
THINKING_MATH = 4

# Each <math> under `root`, as [tag, attributes, text-or-children] trees, with its box.
MATH_SHOWN_JS = """(sel) => {
  const tree = (n) => n.nodeType === 3 ? n.data : [n.localName, n.namespaceURI,
    [...n.attributes].map((a) => [a.name, a.value]).sort(), [...n.childNodes].map(tree)];
  return [...document.querySelectorAll(sel)].map((m) => {
    const r = m.getBoundingClientRect();
    return {tree: tree(m), width: r.width, height: r.height, box: m.parentElement.className};
  });
}"""


def math_shown(page: Any, sel: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.evaluate(MATH_SHOWN_JS, sel)
    return result


def math_code_requests(requests: list[str]) -> list[str]:
    """Requests for math code: nbagent/static/math.js, or the lab extension's KaTeX chunk."""
    static = Path(__file__).parents[2] / "nbagent" / "labextension" / "static"
    chunks = [p.name for p in static.glob("*.js") if "KaTeX parse error" in p.read_text()]
    named = re.compile(r"(math|katex)[^/?]*\.m?js", re.IGNORECASE)
    return [u for u in requests if named.search(u) or any(c in u for c in chunks)]


def font_requests(requests: list[str]) -> list[str]:
    """Font files requested, but JupyterLab's own (its UI fonts, under /static/lab/): MathML
    needs none, and nbagent's styles declare none."""
    fonts = [u for u in requests if u.split("?")[0].endswith((".woff", ".woff2", ".ttf", ".otf"))]
    return [u for u in fonts if "/static/lab/" not in u]


def test_no_font_in_the_styles() -> None:
    css = (Path(__file__).parents[2] / "nbagent" / "static" / "widget.css").read_text()
    assert "@font-face" not in css
    assert "url(" not in css


# -- the bare page ------------------------------------------------------------------------


def math_run() -> Kernel:
    """A run whose thinking and answer hold math, streamed a few characters at a time."""
    k = Kernel()
    k.start()
    thinking = {"type": "thinking", "id": "m1:think", "text": "", "redacted": False}
    k.ops({"op": "add", "block": {**thinking, "started_at": 1000.0, "ended_at": None}})
    for i in range(0, len(THINKING), 5):
        k.ops({"op": "append", "i": 0, "key": "text", "text": THINKING[i : i + 5]})
    k.ops({"op": "set", "i": 0, "set": {"ended_at": k.now}})
    k.ops({"op": "add", "block": {"type": "text", "id": "m1", "text": "", "refusal": False}})
    for i in range(0, len(ANSWER), 5):
        k.ops({"op": "append", "i": 1, "key": "text", "text": ANSWER[i : i + 5]})
    k.end()
    return k


def test_answer_and_thinking_typeset_from_the_code_model(bare_page_factory: Any) -> None:
    bare = bare_page_factory()
    bare.eval("nba.mount()")
    assert_clean(bare, bare.eval("(m) => nba.stream(m)", math_run().msgs))
    assert bare.eval("nba.mathLoaded()") is True
    bare.page.locator("details.nba-thinking > summary").click()  # open: its math has a box
    bare.page.wait_for_function(
        "(n) => document.querySelectorAll('.nba-md math').length === n",
        arg=ANSWER_MATH + THINKING_MATH,
        polling=50,
    )
    shown = math_shown(bare.page, ".nba-md math")
    assert all(m["width"] > 0 and m["height"] > 0 for m in shown), shown
    assert [m["box"] for m in shown].count("nb-mathml nb-mathml-display") == 4
    assert bare.eval("document.querySelectorAll('.nba-md code.nb-math').length") == 0
    text = bare.eval("nba.text()")
    assert "It costs $5 and $10." in text
    assert "at $3 each." in text
    assert bare.eval("nba.check()") == []
    # The chunk: asked of the code model by the page's first widget only, imported once for
    # the page's version.
    asked = bare.eval("nba.codeModelAsked")
    assert asked > 0
    bare.eval("nba.mount()")
    assert_clean(bare, bare.eval("(m) => nba.stream(m)", math_run().msgs))
    assert bare.eval("nba.codeModelAsked") == asked
    assert bare.eval("globalThis.__nbagentMath.size") == 1
    assert font_requests(bare.requests) == []
    assert [u for u in bare.requests if "math" in u] == [f"{bare.origin}/nbagent/static/math.js"]


@pytest.mark.parametrize("kind", ["answer", "thinking"])
def test_hostile_math_inert_at_every_prefix(bare_page_factory: Any, kind: str) -> None:
    """tests/fixtures/hostile_math.json one character at a time, with the chunk loaded."""
    bare = bare_page_factory(manual=True)
    bare.eval("nba.mount()")
    assert bare.eval("nba.mathLoaded()") is True  # first formula of the page: loads now
    rng = random.Random(kind)
    for n, text in enumerate(HOSTILE_MATH):
        bare.eval("nba.mount()")
        msgs = scenario(kind, text, rng, char_by_char=True).msgs
        failure = bare.eval("(m) => nba.stream(m)", msgs)
        assert_clean(bare, failure and {"input": n + 1, **failure})
        if kind == "answer":
            html = bare.eval("nba.mdHtml(0)")
            assert html == bare.eval("(s) => nba.wholeHtml(s)", text), f"input {n + 1}"
    assert bare.eval("document.querySelectorAll('math').length") > 0


CORPUS_JS = """async (corpus) => {
  const { default: chunk } = await import("/nbagent/static/math.js");
  // The page's own copy of the bundle (same URL): its math chunk is loaded.
  const { renderMarkdownToFragment, mathSettled } = await import("/nbagent/static/widget.js");
  const src = corpus.map((f) => "$$\\n" + f + "\\n$$").join("\\n\\n");
  const box = document.createElement("div");
  box.className = "nbagent";
  // Not through innerHTML: HTML parsing makes `<mo><mrow>` (\\bmod) HTML elements.
  box.append(renderMarkdownToFragment(src));
  document.getElementById("app").replaceChildren(box);
  await mathSettled();  // formulas past the time budget come on the next tasks
  const shown = [...box.querySelectorAll("math")];
  const diffs = [];
  const tree = (n) => n.nodeType === 3 ? n.data : [n.localName, n.namespaceURI,
    [...n.attributes].map((a) => [a.name, a.value]).sort(), [...n.childNodes].map(tree)];
  corpus.forEach((tex, i) => {
    const out = chunk.toMathML(tex, true);
    const doc = new DOMParser().parseFromString(out.mathml, "application/xhtml+xml");
    const want = JSON.stringify(tree(doc.documentElement));
    const got = shown[i] ? JSON.stringify(tree(shown[i])) : null;
    if (want !== got) diffs.push({tex, want: want.slice(0, 300), got: got && got.slice(0, 300)});
  });
  const empty = shown.filter((m) => {
    const r = m.getBoundingClientRect();
    return !(r.width > 0 && r.height > 0);
  }).length;
  return {count: shown.length, diffs, empty, errors: box.querySelectorAll(".nb-math-error").length};
}"""


def test_corpus_in_chromium_equals_katex_attribute_for_attribute(bare_page_factory: Any) -> None:
    """Typeset by the widget (the whole path: placeholder, chunk, MathML allow-list) in
    Chromium, each formula's <math> equals KaTeX's output parsed by Chromium, and has a box."""
    bare = bare_page_factory()
    bare.eval("nba.mount()")
    assert bare.eval("nba.mathLoaded()") is True
    result = bare.eval(CORPUS_JS, CORPUS)
    assert result["count"] == len(CORPUS) >= 100
    assert result["diffs"] == []
    assert result["errors"] == 0
    assert result["empty"] == 0
    assert bare.eval("nba.check()") == []


# -- JupyterLab ----------------------------------------------------------------------------

MATH_CELL = f"""
import nbagent, nbtest_sources as S
from nbagent import RunStart, TextDelta, ThinkingDelta, MessageEnd

def events():
    yield RunStart(model="m", title="Math")
    for piece in S.sliced({THINKING!r}, 4, 0.01):
        yield ThinkingDelta(message_id="think", delta=piece)
    yield MessageEnd(message_id="think", channel="thinking")
    for piece in S.sliced({ANSWER!r}, 4, 0.01):
        yield TextDelta(message_id="answer", delta=piece)

run = nbagent.show(events())
"""

LIVE_ROOT = ".nba-live:not(.lm-mod-hidden) .nbagent"


def check_math_shown(lab: LabPage, root: str, *, lab_chunk_fetched: bool | None) -> None:
    """The math of answer and thinking shows under ``root`` as MathML with a box; the lab
    extension's KaTeX chunk was fetched or not (None: either); no font files, and never
    nbagent/static/math.js (the widget's chunk comes from the code model)."""
    lab.page.locator(f"{root} details.nba-thinking > summary").first.click()
    sel = f"{root} .nba-md math"
    lab.wait_js(
        "([sel, n]) => document.querySelectorAll(sel).length === n",
        [sel, ANSWER_MATH + THINKING_MATH],
    )
    shown = math_shown(lab.page, sel)
    assert all(m["width"] > 0 and m["height"] > 0 for m in shown), shown
    text = lab.js("(root) => document.querySelector(root).innerText", root)
    assert "It costs $5 and $10." in text
    assert lab.js("(r) => document.querySelectorAll(r + ' .nba-md code.nb-math').length", root) == 0
    assert lab.js("(r) => __nbaViolations(document.querySelector(r))", root) == []
    assert font_requests(lab.requests) == []
    fetched = math_code_requests(lab.requests)
    assert all("/lab/extensions/nbagent/" in u for u in fetched), fetched
    if lab_chunk_fetched is not None:
        assert bool(fetched) == lab_chunk_fetched, fetched


def test_math_live_and_after_reopening_with_widget_state(lab: LabPage) -> None:
    lab.open("math.ipynb", [MATH_CELL], run=False)
    with widget_state_saved(lab):
        lab.run_all()
        lab.wait_status("completed")
        # Live: the chunk came from the code model, imported once; nothing fetched for it.
        check_math_shown(lab, LIVE_ROOT, lab_chunk_fetched=False)
        assert lab.js("() => globalThis.__nbagentMath.size") == 1
        lab.save()
        reopen_with_widget_state(lab)
        lab.page.wait_for_selector(LIVE_ROOT)
        # Reopened: the widget again (its code model restored from the saved state). The
        # saved transcript may show first while the widget manager answers (js/lab), with
        # the lab extension's own chunk.
        lab.page.wait_for_function("() => globalThis.__nbagentMath?.size === 1")
        check_math_shown(lab, LIVE_ROOT, lab_chunk_fetched=None)


def test_math_in_the_saved_transcript_without_widget_state(lab: LabPage) -> None:
    """No widget state: the lab extension draws the saved transcript, with its own chunk."""
    lab.open("math_saved.ipynb", [MATH_CELL])
    lab.wait_status("completed")
    wait_output_final(lab)
    lab.save()
    reopen_without_kernel(lab)
    lab.page.wait_for_selector(SAVED_SEL)
    check_math_shown(lab, SAVED_SEL, lab_chunk_fetched=True)
