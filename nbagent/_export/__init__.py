"""Static exports of a transcript: markdown, escaped HTML, plain text."""

from __future__ import annotations

from nbagent._export.markdown import _STYLE as _STYLE  # tests check the page's own style
from nbagent._export.markdown import (
    safe_url,
    sanitize_markdown,
    status_line,
    to_html,
    to_markdown,
    to_text,
)

__all__ = ["safe_url", "sanitize_markdown", "status_line", "to_html", "to_markdown", "to_text"]
