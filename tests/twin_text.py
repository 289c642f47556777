"""The visible text of a static copy's HTML, read as ``js/test/twins.test.js`` reads the live
view's DOM: the text of the elements a selector finds, each element apart from what is around
it (the widget lays its spans out apart, by its CSS) but text's own inline elements
(``INLINE``: a link, emphasis, code) and anything in a ``<pre>`` (highlighted code's spans),
whitespace collapsed, without what a reader does not see as text (``<style>``, ``<script>``,
a button, an icon, a formula's TeX, anything ``hidden`` or ``aria-hidden``, characters that
draw nothing).

Selectors are CSS's subset both sides read alike: compounds of a tag, classes, ``[attr]`` or
``[attr="value"]``, ``:not(tag.class)`` and ``:nth-child(n)``, joined by a space (a
descendant) or ``>`` (a child), alternatives after ``,``; a trailing ``@name`` reads that
attribute instead of the text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["Node", "parse", "read", "select", "visible_text"]

_VOID = frozenset(
    (
        *("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"),
        *("source", "track", "wbr"),
    )
)
INLINE = frozenset(
    (
        *("a", "abbr", "b", "code", "del", "em", "i", "ins", "kbd", "mark", "q", "s", "samp"),
        *("small", "strong", "sub", "sup", "u", "var"),
    )
)
"""Elements whose text runs on with the text around them (the JS side reads the same)."""
SKIPPED = frozenset(
    ("style", "script", "button", "svg", "template", "textarea", "input", "annotation")
)
"""Elements whose text no reader sees as text (a formula's TeX annotation among them; the JS
side skips the same)."""


@dataclass(eq=False)
class Node:
    """An element: its tag, attributes and children (elements and text), its parent."""

    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def elements(self) -> list[Node]:
        """Every element under this one, in document order."""
        out: list[Node] = []
        for c in self.children:
            if isinstance(c, Node):
                out.append(c)
                out += c.elements()
        return out


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.open[-1])
        self.open[-1].children.append(node)
        if tag not in _VOID:
            self.open.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}, self.open[-1]))

    def handle_endtag(self, tag: str) -> None:
        for k in range(len(self.open) - 1, 0, -1):
            if self.open[k].tag == tag:
                del self.open[k:]
                return

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def parse(html: str) -> Node:
    """The element tree of ``html`` (under a root of its own)."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


_COMPOUND = re.compile(
    r'([\w-]*)((?:\.[\w-]+)*)((?:\[[\w-]+(?:="[^"]*")?\])*)((?::not\([\w.-]+\))*)'
    r"(?::nth-child\((\d+)\))?"
)
_NOT = re.compile(r":not\(([\w.-]+)\)")
_ATTR = re.compile(r'\[([\w-]+)(?:="([^"]*)")?\]')


def _matches(node: Node, compound: str) -> bool:
    m = _COMPOUND.fullmatch(compound)
    if m is None:
        raise ValueError(f"a selector this reader does not know: {compound!r}")
    tag, classes, attrs, nots, nth = m.groups()
    if any(_matches(node, simple) for simple in _NOT.findall(nots)):
        return False
    if nth and (node.parent is None or _elements(node.parent).index(node) + 1 != int(nth)):
        return False
    if tag and node.tag != tag:
        return False
    if not set(classes.split(".")[1:]) <= node.classes:
        return False
    return all(k in node.attrs and (not v or node.attrs[k] == v) for k, v in _ATTR.findall(attrs))


def _elements(node: Node) -> list[Node]:
    return [c for c in node.children if isinstance(c, Node)]


def _match_path(node: Node, steps: list[tuple[str, str]], root: Node) -> bool:
    """Whether ``node`` matches the last step and its ancestors the ones before."""
    (combinator, compound), rest = steps[-1], steps[:-1]
    if not _matches(node, compound):
        return False
    if not rest:
        return True
    up = node.parent
    while up is not None and up is not root:
        if _match_path(up, rest, root):
            return True
        if combinator == ">":
            return False
        up = up.parent
    return False


def _steps(selector: str) -> list[tuple[str, str]]:
    tokens = selector.replace(">", " > ").split()
    steps: list[tuple[str, str]] = []
    combinator = " "
    for tok in tokens:
        if tok == ">":
            combinator = ">"
            continue
        steps.append((combinator, tok))
        combinator = " "
    return steps


def select(root: Node, selector: str) -> list[Node]:
    """The elements under ``root`` that ``selector`` finds, in document order."""
    alternatives = [_steps(s) for s in selector.split(",")]
    return [n for n in root.elements() if any(_match_path(n, a, root) for a in alternatives)]


def _shown(node: Node) -> bool:
    return (
        node.tag not in SKIPPED
        and "hidden" not in node.attrs
        and node.attrs.get("aria-hidden") != "true"
    )


def _texts(node: Node, out: list[str], pre: bool) -> None:
    for c in node.children:
        if isinstance(c, str):
            out.append(c)
        elif _shown(c):
            apart = " " if not pre and c.tag not in INLINE else ""
            out.append(apart)
            _texts(c, out, pre or c.tag == "pre")
            out.append(apart)


def visible_text(node: Node) -> str:
    """The text a reader sees in ``node``: its elements apart (but ``INLINE`` ones and what a
    ``<pre>`` holds), whitespace collapsed."""
    out: list[str] = []
    _texts(node, out, node.tag == "pre")
    return _collapse("".join(out))


def _collapse(text: str) -> str:
    """Whitespace collapsed, characters that draw nothing (Unicode's format characters: a
    formula's invisible function application) left out."""
    return " ".join("".join(c for c in text if unicodedata.category(c) != "Cf").split())


def read(root: Node, selector: str) -> list[str]:
    """What ``selector`` (``…@name``: an attribute) reads under ``root``: one text per element,
    none for an element that is not shown (itself hidden, or inside a hidden one)."""
    selector, _, attr = selector.partition("@")
    found = []
    for node in select(root, selector):
        up = node.parent
        while up is not None and (up is root or _shown(up)):
            up = up.parent
        if up is not None or "hidden" in node.attrs or node.attrs.get("aria-hidden") == "true":
            continue
        found.append(_collapse(node.attrs.get(attr, "")) if attr else visible_text(node))
    return found
