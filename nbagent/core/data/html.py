"""``_repr_html_`` through an allow-list made for tables (nh3): table structure, text
formatting, ``colspan``/``rowspan`` and http(s) links; no style, no images, no other
attributes. What is left without a table is not shown as HTML. Where nh3 is missing (the
browser's Pyodide: ``nbagent.core.sanitizer``) a table goes to the live page as it came, which
sanitizes what it shows, and the static copy shows its text."""

from __future__ import annotations

from nbagent.core.data.limits import MARKDOWN_CHARS
from nbagent.core.sanitizer import nh3_module

__all__ = ["TABLE_ATTRIBUTES", "TABLE_TAGS", "clean_table_html", "page_table_html"]

TABLE_TAGS = frozenset(
    {
        "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
        "b", "strong", "i", "em", "code", "sub", "sup", "br", "del", "s", "small", "a",
    }
)  # fmt: skip
"""The elements a tool's HTML table keeps (others are dropped, their text kept)."""

TABLE_ATTRIBUTES = {"th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}, "a": {"href"}}
"""The only attributes kept; ``href`` only as an absolute http(s) URL."""


def clean_table_html(html: str) -> str | None:
    """``html`` sanitized for tables; None when it is too long, holds no table, or nh3 is
    missing."""
    nh3 = nh3_module()
    if nh3 is None or not isinstance(html, str) or len(html) > MARKDOWN_CHARS:
        return None
    cleaned: str = nh3.clean(
        html,
        tags=set(TABLE_TAGS),
        attributes={k: set(v) for k, v in TABLE_ATTRIBUTES.items()},
        url_schemes={"http", "https"},
        url_relative="deny",
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    )
    return cleaned if "<table" in cleaned else None


def page_table_html(html: str) -> str | None:
    """What the live page is sent of a tool's HTML table: ``clean_table_html``'s, or, where nh3
    is missing, the HTML as it came when it holds a table (the page sanitizes what it shows,
    js/src/panels/data.js; the static copy sanitizes again, or shows the table's text)."""
    if nh3_module() is not None:
        return clean_table_html(html)
    if not isinstance(html, str) or len(html) > MARKDOWN_CHARS:
        return None
    return html if "<table" in html.lower() else None
