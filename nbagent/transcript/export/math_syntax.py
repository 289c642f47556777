"""Math in the export's markdown-it-py: the same syntax as the widget's tokenizers
(js/src/markdown/math_syntax.js), rendered by ``math.math_html``.

- Display: ``$$…$$`` and ``\\[…\\]`` opening at a line start (up to three spaces of indent, in
  any container), closing at the first matching delimiter that ends a line; they interrupt a
  paragraph, as marked's block extension does.
- Inline: ``\\(…\\)``, ``$$…$$`` on one line, and ``$…$`` by pandoc's rule: the opening ``$``
  is followed by a non-space, the closing ``$`` (the first unescaped one) is preceded by a
  non-space and not followed by a digit, so "it costs $5 and $10" stays text.

mdit-py-plugins' ``dollarmath`` and ``texmath`` were measured against these rules and differ
(dollarmath also refuses a digit before the opening ``$``, its block rule ignores
``silent`` so it cannot interrupt a paragraph; texmath's ``\\[`` block drops any text after
``\\]`` on its line), so the rules are written here, in markdown-it's own rule API.

Twin: js/src/markdown/math_syntax.js
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from typing import TYPE_CHECKING

from nbagent.transcript.export.math import MAX_TEX, MAX_TEX_PER_TEXT, math_html

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

__all__ = ["math_plugin"]

_DOUBLE = re.compile(r"\$\$([^$\n]+?)\$\$")
_BLOCK_CLOSE = {"$$": "$$", "\\[": "\\]"}
# Where a formula can close: inline "\)" anywhere; a display delimiter only at a line's end.
_CLOSES = {
    "\\)": re.compile(r"\\\)"),
    "$$": re.compile(r"\$\$(?=[ \t]*(?:\n|\Z))"),
    "\\]": re.compile(r"\\\](?=[ \t]*(?:\n|\Z))"),
}


def _closes(env: EnvType, src: str, close: str) -> list[int]:
    """Every position in ``src`` where ``close`` can end a formula, found once per source
    (a bisect per opening delimiter then keeps a text of unclosed ones linear, not
    quadratic: 2000 lines of ``$$x`` took 7 s)."""
    cache: dict[tuple[int, str], tuple[str, list[int]]] = env.setdefault("nbagent_math_closes", {})
    hit = cache.get((id(src), close))
    if hit is None or hit[0] is not src:
        hit = (src, [m.start() for m in _CLOSES[close].finditer(src)])
        cache[(id(src), close)] = hit
    return hit[1]


def _dollar(src: str, pos: int, end: int) -> int:
    """Where ``$…$`` opening at ``pos`` closes by pandoc's rules, or -1: no space (nor ``$``)
    after the opening ``$``; the first ``$`` no backslash escapes closes (``\\x`` is one unit),
    with no space before it and no digit after it. A scan: the pattern it replaces was
    quadratic when searched (each escaped ``$`` started a new match)."""
    if pos + 1 >= end or src[pos + 1] == "$" or src[pos + 1].isspace():
        return -1
    i = pos + 1
    while (close := src.find("$", i, end)) >= 0:
        run = close
        while run > i and src[run - 1] == "\\":
            run -= 1
        if (close - run) % 2 == 0:  # not escaped
            break
        i = close + 1
    if close < 0 or src[close - 1].isspace():
        return -1
    return -1 if close + 1 < end and src[close + 1].isdecimal() else close


def _math_inline(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src.startswith("\\(", pos):
        closes = _closes(state.env, src, "\\)")
        i = bisect_left(closes, pos + 3)  # a formula holds one character at least
        if i == len(closes) or closes[i] + 2 > state.posMax:
            return False
        content, stop, markup = src[pos + 2 : closes[i]], closes[i] + 2, "\\("
    elif (m := _DOUBLE.match(src, pos, state.posMax)) is not None:
        content, stop, markup = m.group(1), m.end(), "$$"
    elif src[pos] == "$":
        close = _dollar(src, pos, state.posMax)
        if close < 0:
            return False
        content, stop, markup = src[pos + 1 : close], close + 1, "$"
    else:
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = content
        token.markup = markup
    state.pos = stop
    return True


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _math_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:  # an indented code block's line
        return False
    begin = state.bMarks[start] + state.tShift[start]
    opener = state.src[begin : begin + 2]
    close = _BLOCK_CLOSE.get(opener)
    if close is None:
        return False
    closes = _closes(state.env, state.src, close)
    i = bisect_left(closes, begin + 3)  # a formula holds one character at least
    if i == len(closes) or closes[i] - begin > MAX_TEX:  # too long to convert: text
        return False
    at = closes[i]
    last = bisect_left(state.eMarks, at)  # the line the formula closes on
    if last >= end:
        return False
    for line in range(start + 1, last + 1):  # all in this container
        if state.sCount[line] < state.blkIndent and _line(state, line):
            return False
    if last == start:
        body = state.src[begin + 2 : at]
    else:
        middle = [_line(state, line) for line in range(start + 1, last)]
        tail = state.src[state.bMarks[last] + state.tShift[last] : at]
        body = "\n".join([state.src[begin + 2 : state.eMarks[start]], *middle, tail])
    if not body.strip():
        return False
    if silent:
        return True
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = body
    token.markup = opener
    token.map = [start, last + 1]
    state.line = last + 1
    return True


def _within_budget(tex: str, env: EnvType) -> bool:
    """True while this text's formulas stay within ``MAX_TEX_PER_TEXT`` characters (a text of
    thousands of formulas shows the rest as TeX rather than taking seconds)."""
    left = int(env.get("nbagent_math_left", MAX_TEX_PER_TEXT)) - len(tex)
    env["nbagent_math_left"] = left
    return left >= 0


def _render_inline(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    tex = tokens[idx].content
    return math_html(tex, display=False, convert=_within_budget(tex, env))


def _render_block(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    tex = tokens[idx].content
    return math_html(tex, display=True, convert=_within_budget(tex, env)) + "\n"


def math_plugin(md: MarkdownIt) -> None:
    """Adds the math rules and their rendering to a markdown-it instance."""
    md.inline.ruler.before("escape", "math_inline", _math_inline)
    md.block.ruler.before(
        "fence",
        "math_block",
        _math_block,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.add_render_rule("math_inline", _render_inline)
    md.add_render_rule("math_block", _render_block)
