"""Static exports of a transcript: markdown, escaped HTML, plain text.

Everything that came from a model or a tool is untrusted. The exports work from the state
dict (``Transcript.to_dict()``, version 1), so a saved snapshot can be exported too.

- ``to_markdown``: raw HTML from content is escaped, link destinations other than
  http(s)/mailto/# are neutralized, images become links. The result is checked by parsing
  it again; if the check fails the content falls back to a fenced code block.
- ``to_html``: markdown rendered by markdown-it-py with HTML disabled, links validated, no
  images, no scripts, no event handlers, no ``style=`` attributes, nothing from the network;
  math (``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``) as MathML sanitized by nh3.
- ``to_text``: plain text for ``text/plain``.

Modules: ``common`` (what the exports share, ``safe_url``, ``status_line``), ``renderer`` (the
markdown-it-py instances), ``math`` (TeX → sanitized MathML) and ``math_syntax`` (its
markdown-it rules), ``status`` (the status line's words), ``diffs`` (a result's unified diffs
with their counts), ``markdown``, ``static_html``, ``text`` (one export each).
"""

from __future__ import annotations

from nbagent.transcript.export.common import safe_url, status_line
from nbagent.transcript.export.markdown import sanitize_markdown, to_markdown
from nbagent.transcript.export.static_html import (
    _STYLE as _STYLE,  # tests check the page's own style
)
from nbagent.transcript.export.static_html import to_html
from nbagent.transcript.export.text import to_text

__all__ = ["safe_url", "sanitize_markdown", "status_line", "to_html", "to_markdown", "to_text"]
