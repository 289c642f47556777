"""The markdown-it-py instances, made on first use: "render" for the HTML export (HTML
disabled, links validated, ``rel``/``target`` on links, images as links or their text) and
"check", which parses sanitized markdown again to verify it (``markdown.sanitize_markdown``), and
"blocks", "check" without the inline parse: the block structure the sanitizer reads, at a
fraction of the cost on texts with thousands of openers.
Only "render" knows math (``math_syntax``): the markdown export keeps TeX as written.

Twin: js/src/markdown/md_render.js"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from nbagent.transcript.export.common import safe_url
from nbagent.transcript.export.math_syntax import math_plugin

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

__all__ = ["_md", "block_markdown", "render_markdown"]

_LINK_REL = "noopener noreferrer nofollow"

_md_cache: dict[str, MarkdownIt] = {}


def _md(kind: str) -> MarkdownIt:
    """markdown-it instances: "render" (HTML export), "check" (verify sanitized markdown) and
    "blocks" ("check"'s block tokens only: their inline tokens keep their text, unparsed)."""
    md = _md_cache.get(kind)
    if md is None:
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"html": kind != "render"}).enable(["table", "strikethrough"])
        if kind == "blocks":
            md.core.ruler.disable("inline")
        if kind != "render":
            md.validateLink = lambda url: True  # type: ignore[method-assign]
        else:
            md.validateLink = safe_url  # type: ignore[method-assign]
            md.add_render_rule("link_open", _render_link_open)
            md.add_render_rule("image", _render_image)
            math_plugin(md)
        _md_cache[kind] = md
    return md


def _render_link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    tokens[idx].attrSet("rel", _LINK_REL)
    tokens[idx].attrSet("target", "_blank")
    return self.renderToken(tokens, idx, options, env)


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    tok = tokens[idx]
    src = str(tok.attrGet("src") or "")
    label = html.escape(tok.content or src)
    if not safe_url(src):
        return label
    return f'<a href="{html.escape(src)}" rel="{_LINK_REL}" target="_blank">{label}</a>'


def render_markdown(text: str) -> str:
    """Untrusted markdown → safe HTML (markdown-it-py, HTML disabled, links validated)."""
    return str(_md("render").render(text))


# A newline right after a block-level tag is no text: dropped, the saved copy keeps one line
# per block instead of one per table cell (nbformat stores a string's lines one by one).
_BLOCK_BREAK = re.compile(
    r"(<(?:/?(?:table|thead|tbody|tr|ul|ol|blockquote)|/(?:p|th|td|li|h[1-6]|pre))>|<hr>)\n"
)


def block_markdown(text: str) -> str:
    """``render_markdown`` with one line per block (the static copy's: saved line by line)."""
    return _BLOCK_BREAK.sub(r"\1", render_markdown(text))
