"""``_repr_html_`` through an allow-list made for tables (nh3): table structure, text
formatting, ``colspan``/``rowspan`` and http(s) links; no style, no images, no other
attributes. What is left without a table is not shown as HTML."""

from __future__ import annotations

import nh3

from nbagent.core.data.limits import MARKDOWN_CHARS

__all__ = ["TABLE_ATTRIBUTES", "TABLE_TAGS", "clean_table_html"]

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
    """``html`` sanitized for tables; None when it is too long or holds no table."""
    if not isinstance(html, str) or len(html) > MARKDOWN_CHARS:
        return None
    cleaned = nh3.clean(
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
