"""TeX → MathML for the static HTML export: latex2mathml converts, nh3 sanitizes.

Math is untrusted (rendering.md §5). latex2mathml's own string output un-escapes the text it
holds (``\\text{<img onerror=…>}`` comes out as a real ``<img>``), so the export serializes
latex2mathml's element tree itself, escaping every text node, and then passes that MathML
alone through nh3 with an allow-list written for it: only the elements latex2mathml emits and
their presentation attributes, with checked values (colours are names or ``#hex``, lengths are
numbers with a unit, capped at 20 em like KaTeX's ``maxSize``). No ``href``, ``style``,
``class``, ``id``, ``on*``, ``xlink:*`` or ``src`` survives, whatever the TeX asks for
(``\\href``, ``\\style``, ``\\class``, ``\\color{url(…)}``).

Work is bounded (about 12 µs per character of TeX): TeX longer than ``MAX_TEX`` characters,
past ``MAX_TEX_PER_TEXT`` characters of formulas in one text, or needing more than
``MAX_EXPANSIONS`` macro expansions (KaTeX's ``maxExpand``) or ``MAX_EXPANDED`` tokens from
macro bodies, is not converted; a formula that cannot be converted shows its TeX as escaped
text with the class ``nb-math-error``.

Twin: js/src/markdown/typeset.js
"""

from __future__ import annotations

import functools
import html
import re
from typing import TYPE_CHECKING

from nbagent.core.sanitizer import WITHOUT_NH3, nh3_module

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

__all__ = [
    "MATHML_ATTRIBUTES",
    "MATHML_TAGS",
    "MAX_EXPANSIONS",
    "MAX_TEX",
    "MAX_TEX_PER_TEXT",
    "math_html",
    "sanitize_mathml",
    "tex_to_mathml",
]

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
MAX_TEX = 10_000
MAX_TEX_PER_TEXT = 100_000
MAX_EXPANSIONS = 1000
MAX_EXPANDED = 20_000
MAX_EM = 20.0

# What latex2mathml 3.81 emits (its converter and command tables, checked over
# tests/fixtures/formulas.json): nothing that links, loads, scripts or styles.
MATHML_TAGS = frozenset(
    {
        *("math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "msup", "msub", "msubsup"),
        *("mfrac", "msqrt", "mroot", "mtable", "mtr", "mtd", "mstyle", "munder", "mover"),
        *("munderover", "menclose", "mpadded", "mphantom"),
    }
)
_PRESENTATION = frozenset(
    {
        *("mathvariant", "stretchy", "fence", "separator", "form", "largeop", "movablelimits"),
        *("accent", "accentunder", "lspace", "rspace", "minsize", "maxsize", "symmetric"),
        *("displaystyle", "scriptlevel", "mathsize", "mathcolor", "mathbackground"),
        *("linethickness", "columnalign", "columnspacing", "columnlines", "rowalign"),
        *("rowspacing", "rowlines", "width", "height", "depth", "voffset", "linebreak"),
        "notation",
    }
)
MATHML_ATTRIBUTES: dict[str, set[str]] = {tag: set(_PRESENTATION) for tag in MATHML_TAGS}
MATHML_ATTRIBUTES["math"] |= {"xmlns", "display"}

_LENGTHS = frozenset(
    {"width", "height", "depth", "lspace", "rspace", "voffset", "minsize", "maxsize", "mathsize"}
)
_LENGTH = re.compile(
    r"([+-]?)(\d+(?:\.\d*)?|\.\d+)(em|ex|pt|px|mu|cm|mm|in|pc|%|width|height|depth)?"
)
_NAMED_SPACE = re.compile(r"(negative)?(very){0,2}(thin|medium|thick)mathspace")
# em per unit (10 pt font, 16 px em); mpadded's pseudo-units are multiples of the content's size.
_EM_PER = {"em": 1.0, "ex": 0.5, "pt": 0.1, "px": 1 / 16, "mu": 1 / 18, "cm": 2.845, "mm": 0.2845}
_EM_PER |= {"in": 7.227, "pc": 1.2, "%": 0.01, "width": 1.0, "height": 1.0, "depth": 1.0, "": 1.0}
_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,20}")
_WORDS = re.compile(r"[A-Za-z0-9 .+-]{0,64}")


def _capped_length(value: str) -> str | None:
    """A length as is when within ``MAX_EM``, clamped when larger, None when not a length."""
    value = value.strip()
    if _NAMED_SPACE.fullmatch(value):
        return value
    m = _LENGTH.fullmatch(value)
    if m is None:
        return None
    if float(m.group(2)) * _EM_PER[m.group(3) or ""] <= MAX_EM:
        return value
    return f"{m.group(1)}{MAX_EM:g}em"


def _attribute_value(tag: str, name: str, value: str) -> str | None:
    """nh3's attribute filter: the value kept, changed or (None) dropped."""
    if name == "xmlns":
        return value if value == MATHML_NS else None
    if name == "display":
        return value if value in ("block", "inline") else None
    if name in ("mathcolor", "mathbackground"):
        return value if _COLOUR.fullmatch(value) else None
    if name in _LENGTHS:
        return _capped_length(value)
    return value if _WORDS.fullmatch(value) else None


def sanitize_mathml(markup: str) -> str | None:
    """MathML through nh3 with the MathML allow-list: anything else is dropped, and the
    contents of ``script``/``style`` with it; None where nh3 is missing."""
    nh3 = nh3_module()
    if nh3 is None:
        return None
    cleaned: str = nh3.clean(
        markup,
        tags=set(MATHML_TAGS),
        attributes=MATHML_ATTRIBUTES,
        attribute_filter=_attribute_value,
        url_schemes=set(),
        link_rel=None,
        strip_comments=True,
        generic_attribute_prefixes=set(),
    )
    return cleaned


_NAME = re.compile(r"[a-z][a-z-]{0,31}")


def _text(raw: str | None) -> str:
    """A text node of latex2mathml's tree, escaped. latex2mathml writes symbols as character
    references (``&#x0002B;``) into the text, which its own output leaves for the browser to
    decode: decoded here the same way, then everything is escaped."""
    return html.escape(html.unescape(raw), quote=False) if raw else ""


def _serialize(el: Element, out: list[str], scale: float = 1.0) -> None:
    if not _NAME.fullmatch(el.tag):  # names are latex2mathml's own; checked all the same
        return
    attrs = {k: v for k, v in el.attrib.items() if _NAME.fullmatch(k)}
    size = _capped_length(attrs.get("mathsize", ""))
    if size is not None and (m := _LENGTH.fullmatch(size)):
        # Nested size changes multiply (\Huge\Huge…): past MAX_EM in all, the inner ones go.
        factor = float(m.group(2)) * _EM_PER[m.group(3) or ""]
        if scale * factor > MAX_EM:
            attrs.pop("mathsize")
        else:
            scale *= factor
    names = "".join(f' {k}="{html.escape(v)}"' for k, v in attrs.items())
    out.append(f"<{el.tag}{names}>{_text(el.text)}")
    for child in el:
        _serialize(child, out, scale)
        out.append(_text(child.tail))
    out.append(f"</{el.tag}>")


class _ExpansionBudget(dict[str, tuple[list[str], int]]):
    """latex2mathml's macro table, metering what macros add to the TeX: at most
    ``MAX_EXPANSIONS`` expansions and ``MAX_EXPANDED`` tokens of macro bodies in all, and no
    macro that uses a parameter twice (it could double its argument with each expansion).
    Every token latex2mathml walks is then from the TeX or from a metered body, so a
    ``\\def\\a{{\\b}{\\b}}`` bomb stops in milliseconds instead of doubling its work per
    level (latex2mathml alone: 4.4 s at 16 levels)."""

    def __init__(self) -> None:
        super().__init__()
        self.expansions = MAX_EXPANSIONS
        self.tokens = MAX_EXPANDED

    def __setitem__(self, name: str, value: tuple[list[str], int]) -> None:
        body = value[0]
        refs = [body[i + 1] for i, tok in enumerate(body[:-1]) if tok == "#"]
        if len(refs) != len(set(refs)):
            raise OverflowError("a macro parameter used twice")
        super().__setitem__(name, value)

    def __getitem__(self, name: str) -> tuple[list[str], int]:
        value = super().__getitem__(name)
        self.expansions -= 1
        self.tokens -= len(value[0])
        if self.expansions < 0 or self.tokens < 0:
            raise OverflowError("over the macro expansion budget")
        return value


# Answers repeat their formulas (a text of thousands of the same one converted each once).
@functools.lru_cache(maxsize=512)
def tex_to_mathml(tex: str, display: bool = False) -> str | None:
    """Sanitized MathML for ``tex``, or None when latex2mathml cannot convert it (or it is
    over the size or expansion budget)."""
    if len(tex) > MAX_TEX:
        return None
    from latex2mathml.converter import Converter

    converter = Converter(display="block" if display else "inline")
    converter.macros = _ExpansionBudget()
    try:
        tree = converter.convert_to_element(tex)
    except Exception:  # noqa: BLE001 - any parse failure (it raises a dozen kinds) shows the TeX
        return None
    out: list[str] = []
    _serialize(tree, out)
    return sanitize_mathml("".join(out))


def math_html(tex: str, display: bool, convert: bool = True) -> str:
    """One formula as the export shows it: inline in a ``span.nb-math``, display math in a
    centered ``div.nb-math.nb-math-display``; TeX that cannot be converted (or, with
    ``convert=False``, is over a text's budget, or where nh3 is missing to sanitize it, saying
    so) as escaped text."""
    tex = tex.strip()
    mathml = tex_to_mathml(tex, display) if convert else None
    if mathml is None:
        why = f' title="{WITHOUT_NH3}"' if nh3_module() is None else ""
        mathml = f'<code class="nb-math nb-math-error"{why}>{html.escape(tex)}</code>'
    if display:
        return f'<div class="nb-math nb-math-display">{mathml}</div>'
    return f'<span class="nb-math">{mathml}</span>'
