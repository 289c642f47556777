"""The HTML export (``to_html``): a static, escaped copy for when widget state is missing.
Markdown is rendered by markdown-it-py with HTML disabled and links validated: no images, no
scripts, no event handlers, no ``style=`` attributes, nothing from the network; the look is
one ``<style>`` of our own. Math is MathML (``math``: latex2mathml, sanitized by nh3)."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from nbagent._export.common import (
    _TOOL_STATES,
    _pretty,
    _state,
    _tool_args_text,
    _tool_summary,
    agent_summary,
    scopes,
    status_line,
)
from nbagent._export.renderer import render_markdown

if TYPE_CHECKING:
    from nbagent._fold import TranscriptBase

__all__ = ["_STYLE", "to_html"]


# The widget's look (js/src/styles.css) in a few rules: a box, a title bar, collapsible panels
# with ✓/✗, section labels, a status footer; neutral colours that read on light and dark pages.
# Every saved run carries this copy (nbconvert shows each output alone), so it stays one short
# line: headings, tables and code take the page's own look.
_STYLE = (
    ".nbagent-static{--l:1px solid #7f7f7f59;--f:#7f7f7f14;border:var(--l);border-radius:6px;"
    "margin:4px 0;padding:0 12px;overflow-wrap:anywhere}"
    ".nbagent-static details{border:var(--l);border-radius:6px;margin:6px 0;padding:0 8px}"
    ".nbagent-static summary{cursor:pointer;padding:4px 0}"
    ".nbagent-static .nba-title,.nbagent-static .nba-status{margin:0 -12px;padding:4px 12px;"
    "background:var(--f)}"
    ".nbagent-static .nba-title{font-weight:600;border-bottom:var(--l)}"
    ".nbagent-static .nba-status{margin-top:8px;border-top:var(--l);font-size:.85em}"
    ".nbagent-static .nba-state,.nbagent-static .nba-status-completed{color:#1a7f37}"
    ".nbagent-static .nba-tool-error .nba-state,.nbagent-static .nba-error,"
    ".nbagent-static .nba-status-error{color:#cf222e}"
    ".nbagent-static .nba-status-cancelled,.nbagent-static .nba-warning{color:#9a6700}"
    ".nbagent-static .nba-label,.nbagent-static .nba-meta{opacity:.7;font-size:.85em}"
    ".nbagent-static .nba-thinking>div{opacity:.75}"
    ".nbagent-static pre{white-space:pre-wrap}"
    ".nbagent-static table{border-collapse:collapse}"
    ".nbagent-static th,.nbagent-static td{border:var(--l);padding:2px 6px}"
    ".nbagent-static .nba-children{border-left:var(--l);padding-left:6px}"
    ".nbagent-static.nba-prompt{margin-left:20%;white-space:pre-wrap;background:var(--f)}"
    ".nbagent-static .nba-refusal{border-left:3px solid #9a6700;padding-left:8px}"
    ".nbagent-static .nb-math-display{margin:.5em 0;text-align:center;overflow-x:auto}"
)

# A newline right after a block-level tag is no text: dropped, the saved copy keeps one line
# per block instead of one per table cell (nbformat stores a string's lines one by one).
_BLOCK_BREAK = re.compile(
    r"(<(?:/?(?:table|thead|tbody|tr|ul|ol|blockquote)|/(?:p|th|td|li|h[1-6]|pre))>|<hr>)\n"
)


def _markdown(text: str) -> str:
    return _BLOCK_BREAK.sub(r"\1", render_markdown(text))


def _tool_html(b: dict[str, Any], inside: str = "") -> str:
    esc = html.escape
    state = b.get("state") if b.get("state") in _TOOL_STATES else "unknown"
    failed = bool(b.get("is_error")) or state == "error"
    icon = "✗" if failed else "✓" if state == "done" else "…"
    out = [
        f'<details class="nba-tool{" nba-tool-error" if failed else ""}"><summary>'
        f'<span class="nba-state">{icon}</span> '
        f'<code class="nba-tool-name">{esc(str(b.get("name") or "tool"))}</code> '
        f'<span class="nba-meta">{esc(_tool_summary(b))}</span></summary>',
        '<div class="nba-label">arguments</div>',
        f"<pre><code>{esc(_tool_args_text(b))}</code></pre>",
    ]
    if b.get("parse_error"):
        out.append(f'<div class="nba-error">not valid JSON: {esc(str(b["parse_error"]))}</div>')
    if state in ("done", "error"):
        label = "error" if b.get("is_error") else "result"
        out.append(f'<div class="nba-label">{label}</div>')
        out.append(f"<pre><code>{esc(_pretty(b.get('result')))}</code></pre>")
    if inside:
        out.append(
            f'<div class="nba-label">sub-agent</div><div class="nba-children">{inside}</div>'
        )
    out.append("</details>")
    return "".join(out)


def _blocks_html(blocks: list[dict[str, Any]], inside: dict[str, list[dict[str, Any]]]) -> str:
    """The blocks of one scope, each tool call or sub-agent with the blocks inside it."""
    out: list[str] = []
    for b in blocks:
        kind = b.get("type")
        if kind == "text":
            cls = "nba-text nba-refusal" if b.get("refusal") else "nba-text"
            out.append(f'<div class="{cls}">{_markdown(str(b.get("text") or ""))}</div>')
        elif kind == "thinking":
            body = _markdown(str(b.get("text") or ""))
            if b.get("redacted") and not b.get("text"):
                body = "<p><em>redacted</em></p>"
            out.append(
                '<details class="nba-thinking"><summary>Thinking</summary>'
                f"<div>{body}</div></details>"
            )
        elif kind == "tool":
            out.append(_tool_html(b, _blocks_html(inside.get(str(b.get("id")), []), inside)))
        elif kind == "agent":
            children = _blocks_html(inside.get(str(b.get("id")), []), inside)
            out.append(
                f'<details class="nba-agent"><summary>{html.escape(agent_summary(b))}</summary>'
                f'<div class="nba-children">{children}</div></details>'
            )
    return "\n".join(out)


def to_html(t: TranscriptBase | dict[str, Any], standalone: bool = False) -> str:
    """A static, escaped HTML rendering (what shows when widget state is missing)."""
    s = _state(t)
    esc = html.escape
    out = ['<div class="nbagent-static">', f"<style>{_STYLE}</style>"]
    if s.get("title"):
        out.append(f'<div class="nba-title">{esc(str(s["title"]))}</div>')
    top, inside = scopes(s.get("blocks", []))
    out.append(_blocks_html(top, inside))
    error = s.get("error")
    if isinstance(error, dict) and error.get("message"):
        out.append(f'<div class="nba-error">{esc(str(error["message"]))}</div>')
    for w in s.get("warnings") or []:
        message = w.get("message") if isinstance(w, dict) else w
        out.append(f'<div class="nba-warning">⚠ {esc(str(message))}</div>')
    status = (
        s.get("status") if s.get("status") in ("completed", "error", "cancelled") else "running"
    )
    out.append(f'<div class="nba-status nba-status-{status}">{esc(status_line(s))}</div>')
    out.append("</div>")
    body = "\n".join(out)
    if not standalone:
        return body
    title = esc(str(s.get("title") or "nbagent run"))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>{title}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
