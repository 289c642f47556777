"""Math in the static HTML export: the widget's syntax (pandoc's ``$`` rule), MathML from
latex2mathml kept attribute for attribute through nh3's MathML allow-list, hostile TeX inert,
work bounded per formula, and the markdown export keeping TeX as written."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from latex2mathml.converter import convert

from nbagent.transcript import export as export
from nbagent.transcript.export import math as export_math
from nbagent.transcript.export.math import MAX_TEX, math_html, tex_to_mathml
from tests.test_export import HOSTILE, HOSTILE_MATH, Collector, assert_safe_html, transcript_with

FORMULAS: list[str] = json.loads((Path(__file__).parent / "fixtures" / "formulas.json").read_text())
Node = tuple[str, dict[str, str | None], list[Any]]


class TreeBuilder(HTMLParser):
    """Markup → nested ``(tag, attributes, children)``; text children merged into strings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: Node = ("#root", {}, [])
        self._stack: list[Node] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node: Node = (tag, dict(attrs), [])
        self._stack[-1][2].append(node)
        self._stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._stack[-1][2].append((tag, dict(attrs), []))

    def handle_endtag(self, tag: str) -> None:
        assert self._stack[-1][0] == tag, f"</{tag}> closes <{self._stack[-1][0]}>"
        self._stack.pop()

    def handle_data(self, data: str) -> None:
        children = self._stack[-1][2]
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)


def tree(markup: str) -> list[Any]:
    builder = TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root[2]


def render(markdown: str) -> str:
    return export.to_html({"blocks": [{"type": "text", "text": markdown}]})


def shown(markdown: str) -> tuple[list[str], str]:
    """The math containers an answer renders (``inline``/``display``/``error``) and its text
    outside them."""
    after = render(markdown).split('<div class="nba-text">', 1)[1]
    body = after.split('<div class="nba-status', 1)[0].rsplit("</div>", 1)[0]
    kinds = [
        "error" if "nb-math-error" in m.group(2) else "display" if m.group(1) == "div" else "inline"
        for m in re.finditer(r'<(span|div) class="nb-math[^"]*">(.{0,60})', body)
    ]
    outside = re.sub(r"<(span|div) class=\"nb-math.*?</(math|code)></\1>", "", body)
    return kinds, re.sub(r"<[^>]+>", "", outside)


def test_the_corpus_is_large_enough() -> None:
    assert len(FORMULAS) >= 100
    assert len(set(FORMULAS)) == len(FORMULAS)


@pytest.mark.parametrize("display", [False, True], ids=["inline", "display"])
def test_sanitized_mathml_equals_latex2mathml_attribute_for_attribute(display: bool) -> None:
    """Every formula of the corpus converts, and nh3's allow-list keeps every element,
    attribute and text node latex2mathml made (both parsed, trees compared)."""
    for tex in FORMULAS:
        ours = tex_to_mathml(tex, display)
        assert ours is not None, tex
        assert tree(ours) == tree(convert(tex, display="block" if display else "inline")), tex


@pytest.mark.parametrize(
    ("markdown", "kinds", "text"),
    [
        ("Euler: $e^{i\\pi} + 1 = 0$.", ["inline"], "Euler: ."),
        ("It costs $5 and $10 today.", [], "It costs $5 and $10 today."),
        ("$x$5 and $ x$ and $x $", [], "$x$5 and $ x$ and $x $"),
        ("\\$5 and $y$", ["inline"], "$5 and "),
        ("1$x$", ["inline"], "1"),
        ("`$x$` is code", [], "$x$ is code"),
        ("Both \\(a^2\\) and $$b$$ inline", ["inline", "inline"], "Both  and  inline"),
        ("text\n$$\n\\frac{a}{b}\n$$\nafter", ["display"], "text\n\nafter\n"),
        ("a\n\\[\nx\n\\]", ["display"], "a\n\n"),
        ("\\[x\\] tail", [], "[x] tail\n"),
        ("> $$\n> a\n> b\n> $$", ["display"], "\n\n\n"),
        ("- item\n  $$\n  x\n  $$", ["display"], "\nitem\n\n"),
        ("$$\nunclosed", [], "$$\nunclosed\n"),
        ("    $$x$$", [], "$$x$$\n"),
        ("A $\\frac{1}{$ B", ["error"], "A  B"),
        ("\\(a\n\nb\\)", [], "(ab)"),  # two paragraphs: no math
        ("$$\nx\n\ny\n$$", ["display"], ""),
        ("- $$x\n\n$$ after", [], "$$x$$ after"),  # the close is outside the list item
    ],
)
def test_math_syntax_matches_the_widget(markdown: str, kinds: list[str], text: str) -> None:
    got_kinds, got_text = shown(markdown)
    assert got_kinds == kinds
    assert got_text.split() == text.split()


def test_display_math_is_a_centered_block() -> None:
    html = render("$$x^2$$")
    assert '<div class="nb-math nb-math-display"><math ' in html
    assert 'display="block"' in html
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]  # the copy's own, with its math
    assert ".nbagent-static .nb-math-display{" in style
    assert "text-align:center" in style.split(".nb-math-display{", 1)[1].split("}")[0]
    assert ".nb-math-display{" not in render("a $x$ b")  # inline math only: not its rule
    assert '<span class="nb-math"><math ' in render("a $x$ b")


def test_conversion_failures_show_the_tex_as_text() -> None:
    assert tex_to_mathml("\\frac{1}{") is None
    html = math_html("\\frac{<b>}{", display=True)
    assert html == (
        '<div class="nb-math nb-math-display">'
        '<code class="nb-math nb-math-error">\\frac{&lt;b&gt;}{</code></div>'
    )


def test_text_from_tex_never_becomes_markup() -> None:
    """latex2mathml's string output un-escapes text (``\\text{<img …>}`` comes out as an
    ``<img>``); the export escapes every text node itself."""
    for tex in ('\\text{<img src=x onerror="1">}', "\\tag{<script>1</script>}", "\\verb|<b>|"):
        out = tex_to_mathml(tex)
        assert out is not None
        names = {n[0] for n in _walk(tree(out))}
        assert names <= {"math", "mrow", "mtext", "mi", "mo"}, (tex, names)
        assert "&lt;" in out


def _walk(nodes: list[Any]) -> list[Node]:
    out: list[Node] = []
    for n in nodes:
        if isinstance(n, tuple):
            out.append(n)
            out += _walk(n[2])
    return out


@pytest.mark.parametrize(
    ("tex", "absent"),
    [
        ("\\href{javascript:alert(1)}{x}", "href"),
        ("\\style{background:url(https://beacon.test/s)}{x}", "style"),
        ("\\class{jp-mod-x}{y}", "class"),
        ("\\color{url(https://beacon.test/c)}{x}", "mathcolor"),
        ("\\fcolorbox{red}{blue}{x}", "border-color"),
    ],
)
def test_attributes_outside_the_allow_list_are_dropped(tex: str, absent: str) -> None:
    out = tex_to_mathml(tex)
    assert out is not None
    assert all(absent not in n[1] for n in _walk(tree(out)))
    assert "beacon.test" not in out
    assert "javascript" not in out


def test_sizes_are_capped_at_20_em() -> None:
    rule = tex_to_mathml("\\rule{100000em}{100000em}")
    assert 'width="20em" height="20em"' in (rule or "")
    kern = tex_to_mathml("\\kern{-3000pt}x")
    assert 'width="-20em"' in (kern or "")
    assert 'width="1em"' in (tex_to_mathml("a\\quad b") or "")
    huge = tex_to_mathml("\\Huge" * 6 + " x") or ""
    assert huge.count('mathsize="2.49em"') == 3  # 2.49³ ≈ 15.4 em; a fourth would be 38


def doubling_bomb(levels: int) -> str:
    """``\\def\\wa{xx}\\def\\wb{{\\wa}{\\wa}}…``: 2^levels expansions (each group restarts
    latex2mathml's own depth limit); latex2mathml alone takes seconds from 16 levels."""
    defs = "".join(
        f"\\def\\w{chr(98 + i)}{{{{\\w{chr(97 + i)}}}{{\\w{chr(97 + i)}}}}}" for i in range(levels)
    )
    return "\\def\\wa{xx}" + defs + f"\\w{chr(97 + levels)}"


@pytest.mark.parametrize(
    "tex",
    [
        "\\def\\a{\\a\\a}\\a",
        doubling_bomb(20),
        "\\def\\wa{" + "x" * 4000 + "}" + "{\\wa}" * 1000,
        "\\def\\wa#1{#1#1}\\wa{\\wa{\\wa{\\wa{x}}}}",
        "x" * (MAX_TEX + 1),
    ],
    ids=["recursive", "doubling-20", "big-body", "parameter-twice", "too-long"],
)
def test_bombs_stop_within_their_budget(tex: str) -> None:
    assert tex_to_mathml(tex) is None
    assert 'class="nb-math nb-math-error"' in math_html(tex, display=False)


def test_macros_within_the_budget_convert() -> None:
    tex = "\\newcommand{\\norm}[1]{\\left\\|#1\\right\\|}\\norm{x} + \\def\\sq#1{#1^2}\\sq{y}"
    out = tex_to_mathml(tex)
    assert out is not None
    assert "<msup><mi>y</mi><mn>2</mn></msup>" in out
    assert tex_to_mathml(doubling_bomb(8)) is not None  # 256 expansions


@pytest.mark.parametrize("content", HOSTILE_MATH)
def test_hostile_math_is_inert_in_answer_and_thinking(content: str) -> None:
    html = transcript_with(content).to_html()
    assert_safe_html(html)
    assert "javascript" not in "".join(re.findall(r'="[^"]*"', html)).lower()


def test_hostile_math_renders_math() -> None:
    """The hostile inputs do render math (so the checks above see MathML, not just text)."""
    counts = []
    for content in HOSTILE_MATH:
        p = Collector()
        p.feed(render(content))
        counts.append(p.maths)
    assert sum(1 for c in counts if c) >= 12, counts


@pytest.mark.parametrize("wrap", ["${}$", "$${}$$", "\\({}\\)", "$$\n{}\n$$", "\\[\n{}\n\\]"])
def test_hostile_inputs_inside_math_are_inert(wrap: str) -> None:
    for content in HOSTILE:
        markdown = wrap.replace("{}", content)
        assert_safe_html(export.to_html({"blocks": [{"type": "thinking", "text": markdown}]}))
        assert_safe_html(render(markdown))


def test_hostile_math_is_inert_at_every_prefix() -> None:
    """A running run's static copy shows a prefix of the text."""
    for content in HOSTILE_MATH:
        for end in range(1, len(content) + 1):
            assert_safe_html(render(content[:end]))


def test_markdown_and_text_exports_keep_the_tex() -> None:
    for tex in FORMULAS:
        answer = f"Inline ${tex}$ here.\n\n$$\n{tex}\n$$"
        t = export.to_markdown({"blocks": [{"type": "text", "text": answer}]})
        assert answer in t, tex
        assert answer in export.to_text({"blocks": [{"type": "text", "text": answer}]})


def test_each_text_has_a_math_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``MAX_TEX_PER_TEXT`` characters of TeX in one text, formulas show as TeX; the next
    text starts with a full budget."""
    monkeypatch.setattr("nbagent.transcript.export.math_syntax.MAX_TEX_PER_TEXT", 10)
    assert shown("$abcdef$ and $ghijk$")[0] == ["inline", "error"]
    block = {"type": "text", "text": "$abcdef$"}
    html = export.to_html({"blocks": [block, block]})
    assert html.count("<math ") == 2


MXSS = [
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=1">',
    '<math><semantics><mi>x</mi><annotation-xml encoding="text/html"><img src=x onerror=1>'
    "</annotation-xml></semantics></math>",
    '<math><mi><table><mi><mglyph><svg><mtext><textarea><a title="</textarea><img src onerror=1>">',
    "<math><mtext><table><mglyph><style><!--</style>"
    '<img title="--&gt;&lt;img src=1 onerror=1&gt;">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<math href="javascript:alert(1)"><mi xlink:href="javascript:1" style="x" onclick="1">x</mi>',
]


@pytest.mark.parametrize("markup", MXSS)
def test_nh3_alone_stops_mathml_mxss(markup: str) -> None:
    """The MathML allow-list holds on its own, should raw markup ever reach it (the export's
    serializer escapes text first): nothing but allow-listed MathML, stable when cleaned
    again (a mutation would show as a difference)."""
    out = export_math.sanitize_mathml(markup)
    assert export_math.sanitize_mathml(out) == out
    for tag, attrs, _ in _walk(tree(out)):
        assert tag in export_math.MATHML_TAGS, tag
        assert not attrs, attrs
    assert "onerror" not in out


@given(st.text(alphabet="\\{}^_$<>&\"'=/ abx#1\n[]()", max_size=80))
@settings(max_examples=300, deadline=None)
def test_any_tex_renders_safely(tex: str) -> None:
    """Random TeX-ish text as inline and display math: never raises, always safe markup."""
    for markdown in (f"${tex}$", f"$$\n{tex}\n$$", f"\\({tex}\\)"):
        assert_safe_html(render(markdown))
