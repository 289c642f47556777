"""The HTML export (``to_html``): a static, escaped copy for when widget state is missing.
Markdown is rendered by markdown-it-py with HTML disabled and links validated: no images, no
scripts, no event handlers, no ``style=`` attributes, nothing from the network; the look is
one ``<style>`` of our own. Math is MathML (``math``: latex2mathml, sanitized by nh3).

Twin: js/src/panels/panels.js, js/src/view/block_view.js, js/src/view/view.js,
js/src/panels/status.js, js/src/widget/acp_chunk.js, js/src/widget/app_chunk.js"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

from nbagent.transcript.export.common import (
    _TOOL_STATES,
    DOUBLE_ENCODED,
    _pretty,
    _secs,
    _state,
    _tool_args_text,
    agent_summary,
    answer_words,
    double_encoded,
    footer_details,
    scopes,
    status_line,
    tool_label,
    usage_text,
)
from nbagent.transcript.export.diffs import (
    DIFF_MARK,
    DIFF_STYLE,
    Diff,
    diff_counts,
    diff_html,
    diff_pieces,
)
from nbagent.transcript.export.media import media_html
from nbagent.transcript.export.plans import plan_html
from nbagent.transcript.export.renderer import block_markdown
from nbagent.transcript.export.run_notes import (
    ENCRYPTED,
    activity_json,
    activity_title,
    interrupt_lines,
    interrupt_title,
)
from nbagent.transcript.export.static_data import tool_data_html
from nbagent.transcript.export.status import context_share, context_words
from nbagent.transcript.export.timeline import timeline_html

if TYPE_CHECKING:
    from nbagent.transcript.fold import TranscriptBase

__all__ = ["_STYLE", "to_html"]


# The widget's look (js/src/widget/styles/) in a few rules: a box, a title bar, collapsible
# panels whose state is a word (no glyph a page may lack a font for; a page that drops the <style>,
# as GitHub does, still reads it), code in boxes, section labels, a status footer; neutral
# colours that read on light and dark pages. Every saved run carries this copy (nbconvert shows
# each output alone), so it stays one short line: headings and tables take the page's own look.
_STYLE = (
    ".nbagent-static{--l:1px solid #7f7f7f59;--f:#7f7f7f14;border:var(--l);border-radius:6px;"
    "margin:4px 0;padding:0 12px;overflow-wrap:anywhere}"
    ".nbagent-static details{border:var(--l);border-radius:6px;margin:6px 0;padding:0 8px}"
    ".nbagent-static summary{cursor:pointer;padding:4px 0}"
    ".nbagent-static .nba-title,.nbagent-static .nba-status{margin:0 -12px;padding:4px 12px;"
    "background:var(--f)}"
    ".nbagent-static .nba-title{font-weight:600;border-bottom:var(--l)}"
    ".nbagent-static .nba-status{margin-top:8px;border-top:var(--l);font-size:.85em}"
    ".nbagent-static .nba-details{border:0;margin:0;padding:0 0 4px;font-size:.85em}"
    ".nbagent-static .nba-state{font-size:.8em;font-weight:600}"
    ".nbagent-static .nba-tool-done .nba-state,.nbagent-static .nba-status-completed{color:#1a7f37}"
    ".nbagent-static :is(.nba-tool-error .nba-state,.nba-error,.nba-status-error){color:#cf222e}"
    ".nbagent-static :is(.nba-status-cancelled,.nba-warning,.nba-tool-cancelled .nba-state)"
    "{color:#9a6700}"
    ".nbagent-static .nba-label,.nbagent-static .nba-meta{opacity:.7;font-size:.85em}"
    ".nbagent-static .nba-preview{font-family:monospace;font-size:.85em;opacity:.8}"
    ".nbagent-static .nba-thinking>div{opacity:.75}"
    ".nbagent-static pre{white-space:pre-wrap;background:var(--f);border:var(--l);"
    "border-radius:6px;padding:6px 10px}"
    ".nbagent-static pre code{background:none}"
    ".nbagent-static table{border-collapse:collapse}"
    ".nbagent-static th,.nbagent-static td{border:var(--l);padding:2px 6px}"
    ".nbagent-static .nba-children{border-left:var(--l);padding-left:6px}"
    ".nbagent-static.nba-prompt,.nbagent-static .nba-prompt{margin-left:20%;white-space:pre-wrap;"
    "background:var(--f)}"
)

# The look of what only some runs have: a copy carries a rule only when its HTML has the class
# (every saved run carries its style; one without a refusal, display math or data, none of these).
_SOME_STYLES = (
    (
        '"nba-text nba-refusal"',
        ".nbagent-static .nba-refusal{border-left:3px solid #9a6700;padding-left:8px}",
    ),
    (
        '"nb-math nb-math-display"',
        ".nbagent-static .nb-math-display{margin:.5em 0;text-align:center;overflow-x:auto}",
    ),
    ('"nba-data-table"', ".nbagent-static .nba-data-table{overflow-x:auto}"),
    ('"nba-data-image"', ".nbagent-static .nba-data-image{max-width:100%;height:auto}"),
    ('"nba-media-image"', ".nbagent-static .nba-media-image{max-width:100%;height:auto}"),
)

# The context window's gauge on the status line (js/src/widget/styles/acp.css, .nba-gauge-bar's
# size).
_GAUGE_STYLE = ".nbagent-static .nba-gauge meter{width:4em;vertical-align:middle}"
# A note's (an agent's question, a notice, a compaction: js/src/widget/styles/markdown.css).
_NOTE_STYLE = (
    ".nbagent-static .nba-note{border-left:3px solid #7f7f7f59;padding-left:8px;"
    "white-space:pre-wrap}"
)

# A tool call's state as the widget's panel names it (its icon's title), in words.
_STATE_WORDS = {"args": "receiving arguments", "running": "running", "done": "done"}


def _preview(b: dict[str, Any]) -> str:
    """The call's arguments on one line, as the widget's panel summary shows them
    (``js/src/panels/panels.js`` ``compact``, ``format.js`` ``oneLine``)."""
    args = b.get("args")
    if b.get("parse_error") is None and args is not None and b.get("state") != "args":
        if isinstance(args, dict):
            text = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in args.items())
        else:
            text = json.dumps(args, ensure_ascii=False)
    else:
        text = str(b.get("arguments") or "")
    text = " ".join(text.split())
    return f"{text[:79]}…" if len(text) > 80 else text


def _tool_meta(b: dict[str, Any]) -> str:
    """What the widget's panel shows after the arguments: an ACP call's tool, kind and
    status, duration and usage, and how a paused call was answered."""
    meta = b.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    said = [str(meta["tool"])] if meta.get("tool") else []
    said += [str(meta[k]).replace("_", " ") for k in ("kind", "status") if meta.get(k)]
    took = _secs(b["duration_s"]) if isinstance(b.get("duration_s"), (int, float)) else ""
    parts = (*said, took, usage_text(b.get("usage")), *answer_words(b))
    return " · ".join(x for x in parts if x)


def _tool_html(b: dict[str, Any], inside: str = "") -> str:
    esc = html.escape
    state = str(b.get("state")) if b.get("state") in _TOOL_STATES else "unknown"
    failed = bool(b.get("is_error")) or state == "error"
    word = "error" if failed else _STATE_WORDS.get(state, state)
    result = b.get("result")
    pieces: list[str | Diff] = []  # an agent's edits in the result, with its text around
    if state in ("done", "error") and isinstance(result, str):
        pieces = diff_pieces(result)
    diffs = [p for p in pieces if isinstance(p, Diff)]
    # The lines the call's edits add and remove, by its name (the widget's panel head).
    counts = f' <span class="nba-meta">{diff_counts(diffs)}</span>' if diffs else ""
    out = [
        # A failed call opens, as the widget's panel does (js/src/panels/panels.js).
        f'<details class="nba-tool nba-tool-{"error" if failed else state}"'
        f"{' open' if failed else ''}><summary>"
        f'<span class="nba-state">{esc(word)}</span> '
        f'<code class="nba-tool-name">{esc(tool_label(b))}</code>{counts} '
        f'<span class="nba-preview">{esc(_preview(b))}</span> '
        f'<span class="nba-meta">{esc(_tool_meta(b))}</span></summary>',
        # The section heads the widget's panel has (js/src/panels/panels.js).
        '<div class="nba-label">Arguments</div>',
        f"<pre><code>{esc(_tool_args_text(b))}</code></pre>",
    ]
    if b.get("parse_error"):
        out.append(f'<div class="nba-error">not valid JSON: {esc(str(b["parse_error"]))}</div>')
    elif double_encoded(str(b.get("arguments") or ""), b.get("args")):
        out.append(f'<div class="nba-error">{DOUBLE_ENCODED}</div>')
    if b.get("asked_args") is not None:
        out.append('<div class="nba-label">Arguments the model asked for</div>')
        out.append(f"<pre><code>{esc(_pretty(b['asked_args']))}</code></pre>")
    if state in ("done", "error"):
        # A diff the call did not apply (the user rejected it) is no result of it.
        label = ("Proposed diff" if diffs else "Error") if failed else "Result"
        out.append(f'<div class="nba-label">{label}</div>')
        data = "" if failed else tool_data_html(b.get("display"))
        if not data and pieces:  # the result's diffs drawn, its other text as text
            data = _pieces_html(pieces)
        out.append(data or f"<pre><code>{esc(_pretty(b.get('result')))}</code></pre>")
    out.append(_app_line(b))
    if inside:
        out.append(
            f'<div class="nba-label">Sub-agent</div><div class="nba-children">{inside}</div>'
        )
    out.append("</details>")
    return "".join(out)


def _app_line(b: dict[str, Any]) -> str:
    """A call's MCP app (its ``meta.app``) in one line: its ``ui://`` uri and its tool, never
    its HTML (the app runs only in the widget, or a trusted notebook's saved view)."""
    meta = b.get("meta")
    app = meta.get("app") if isinstance(meta, dict) else None
    uri = app.get("uri") if isinstance(app, dict) else None
    if not isinstance(uri, str):
        return ""
    esc = html.escape
    return (
        f'<div class="nba-label">App</div><div class="nba-app-line">MCP app '
        f"<code>{esc(uri[:2048])}</code> of <code>{esc(tool_label(b))}</code></div>"
    )


def _pieces_html(pieces: list[str | Diff]) -> str:
    return "".join(
        diff_html(p) if isinstance(p, Diff) else f"<pre><code>{html.escape(p)}</code></pre>"
        for p in pieces
    )


def _status_html(t: TranscriptBase | dict[str, Any], s: dict[str, Any]) -> str:
    """The status line; an agent's context window after it, its words by a ``<meter>`` (a
    page that drops the element, as GitHub does, still reads the words)."""
    status = (
        s.get("status") if s.get("status") in ("completed", "error", "cancelled") else "running"
    )
    line = html.escape(status_line(t, context=False))
    words = context_words(s)
    if words:
        share = context_share(s)
        meter = (
            f'<meter min="0" max="{share[1]}" value="{share[0]}" title="context window"></meter> '
            if share
            else ""
        )
        line += f' · <span class="nba-gauge">{meter}{html.escape(words)}</span>'
    return f'<div class="nba-status nba-status-{status}">{line}</div>'


def _error_text(error: dict[str, Any]) -> str:
    """The run's error as the widget's error box says it (``js/src/view/view.js``): the type and
    code after the message, unless the message starts with them ("RuntimeError: …")."""
    message = str(error["message"])
    extra = [
        str(x)
        for x in (error.get("error_type"), error.get("code"))
        if x is not None and x != "" and not message.startswith(f"{x}:")
    ]
    return f"Error: {message}" + (f" ({', '.join(extra)})" if extra else "")


_NOTE_CLASS = {"warning": "nba-note nba-warning", "error": "nba-note nba-error"}


def _note_html(b: dict[str, Any]) -> str:
    """A note (an agent's question, a notice, its context compacted): its title in bold, its
    text after (a compaction's summary folded under its title), escaped."""
    cls = _NOTE_CLASS.get(str(b.get("level")), "nba-note")
    title = html.escape(str(b.get("title") or b.get("kind") or "note"))
    text = html.escape(str(b.get("text") or ""))
    if b.get("kind") == "compaction" and text:
        return f'<details class="{cls}"><summary>{title}</summary>{text}</details>'
    return f'<div class="{cls}"><strong>{title}</strong>{chr(10) + text if text else ""}</div>'


def _blocks_html(blocks: list[dict[str, Any]], inside: dict[str, list[dict[str, Any]]]) -> str:
    """The blocks of one scope, each tool call or sub-agent with the blocks inside it."""
    out: list[str] = []
    for b in blocks:
        kind = b.get("type")
        if kind == "text":
            cls = "nba-text nba-refusal" if b.get("refusal") else "nba-text"
            out.append(f'<div class="{cls}">{block_markdown(str(b.get("text") or ""))}</div>')
        elif kind == "user":  # the user's turn, as a chat's prompt: escaped text
            out.append(f'<div class="nba-prompt">{html.escape(str(b.get("text") or ""))}</div>')
        elif kind == "thinking":
            body = block_markdown(str(b.get("text") or ""))
            if b.get("redacted") and not b.get("text"):
                body = "<p><em>redacted</em></p>"
            if b.get("encrypted") and not b.get("text"):
                body = f"<p><em>{ENCRYPTED}</em></p>"
            label = f"Thinking ({ENCRYPTED})" if b.get("encrypted") else "Thinking"
            out.append(
                f'<details class="nba-thinking"><summary>{label}</summary>'
                f"<div>{body}</div></details>"
            )
        elif kind == "note":
            out.append(_note_html(b))
        elif kind == "media":
            out.append(media_html(b))
        elif kind == "activity":
            error = b.get("error")
            note = f'<div class="nba-warning">{html.escape(str(error))}</div>' if error else ""
            out.append(
                f'<details class="nba-activity" open><summary>'
                f"{html.escape(activity_title(b))}</summary>"
                f"<pre>{html.escape(activity_json(b))}</pre>{note}</details>"
            )
        elif kind == "interrupt":
            lines = "".join(f"<div>{html.escape(line)}</div>" for line in interrupt_lines(b))
            out.append(
                f'<div class="nba-interrupt"><strong>{html.escape(interrupt_title(b))}</strong>'
                f"{lines}</div>"
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


def to_html(
    t: TranscriptBase | dict[str, Any], standalone: bool = False, *, brief: bool = False
) -> str:
    """A static, escaped HTML rendering (what shows when widget state is missing). ``brief``:
    without the folded Details when they hold no usage and no step (a chat's turn: they would
    repeat its status line's numbers as words, ~190 B a turn)."""
    s = _state(t)
    esc = html.escape
    out = ['<div class="nbagent-static">', f"<style>{_STYLE}</style>"]
    if s.get("title"):
        out.append(f'<div class="nba-title">{esc(str(s["title"]))}</div>')
    top, inside = scopes(s.get("blocks", []))
    blocks = _blocks_html(top, inside)
    out.append(blocks)
    error = s.get("error")
    if isinstance(error, dict) and error.get("message"):
        out.append(f'<div class="nba-error">{esc(_error_text(error))}</div>')
    for w in s.get("warnings") or []:
        message = w.get("message") if isinstance(w, dict) else w
        out.append(f'<div class="nba-warning">Warning: {esc(str(message))}</div>')
    plan = plan_html(s.get("plan"))
    if plan:
        out.append(plan)
    out.append(_status_html(t, s))
    # The widget's folded footer in the copy (a reader of a saved run cannot ask).
    counted = any(n is not None for n in (s.get("usage") or {}).values())
    if not brief or counted or s.get("steps"):
        details = "".join(f"<div>{esc(line)}</div>" for line in footer_details(t))
        out.append(f'<details class="nba-details"><summary>Details</summary>{details}</details>')
    timeline = timeline_html(s)  # the model and tool calls on a time axis, when timed
    if timeline:
        out.append(timeline)
    # The look of what only some runs have (an agent's diffs, its context gauge) joins the
    # page's style only in a copy that has them: every saved run carries its style.
    extra = (DIFF_STYLE if DIFF_MARK in blocks else "") + (
        _GAUGE_STYLE if context_share(s) is not None else ""
    )
    made = "".join(out[2:])
    extra += "".join(rule for mark, rule in _SOME_STYLES if f"class={mark}" in made)
    extra += _NOTE_STYLE if 'class="nba-note' in made else ""
    if extra:
        out[1] = f"<style>{_STYLE}{extra}</style>"
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
