"""Static exports of a transcript: markdown, escaped HTML, plain text.

Everything that came from a model or a tool is untrusted. The exports work from the state
dict (``Transcript.to_dict()``, version 1), so a saved snapshot can be exported too.

- ``to_markdown``: raw HTML from content is escaped, link destinations other than
  http(s)/mailto/# are neutralized, images become links. The result is checked by parsing
  it again; if the check fails the content falls back to a fenced code block.
- ``to_html``: markdown rendered by markdown-it-py with HTML disabled, links validated, no
  images, no scripts, no event handlers, no ``style=`` attributes, nothing from the network.
- ``to_text``: plain text for ``text/plain``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

    from nbagent._fold import TranscriptBase

__all__ = ["safe_url", "sanitize_markdown", "status_line", "to_html", "to_markdown", "to_text"]

_SAFE_PREFIXES = ("http:", "https:", "mailto:", "#")
_STRIP_URL = re.compile(r"[\x00-\x20\x7f-\x9f\\]+")
_LINK_REL = "noopener noreferrer nofollow"
_TOOL_STATES = ("args", "running", "done", "error")


def safe_url(url: str) -> bool:
    """True for http(s), mailto and fragment links, however they are spelled or encoded."""
    return _STRIP_URL.sub("", html.unescape(url)).lower().startswith(_SAFE_PREFIXES)


def _state(t: TranscriptBase | dict[str, Any]) -> dict[str, Any]:
    return t if isinstance(t, dict) else t.to_dict()


# -- shared formatting -------------------------------------------------------------------


def _secs(value: Any) -> str:
    if not isinstance(value, (int, float)):
        return ""
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def _diff(a: Any, b: Any) -> float | None:
    ok = isinstance(a, (int, float)) and isinstance(b, (int, float))
    return b - a if ok else None


def status_line(t: TranscriptBase | dict[str, Any]) -> str:
    """One line: status, end reason, time to first token, elapsed time, token usage."""
    s = _state(t)
    parts = [str(s.get("status") or "running")]
    reason = s.get("end_reason")
    if reason and reason != parts[0]:
        parts.append(str(reason))
    ttft = _diff(s.get("started_at"), s.get("first_token_at"))
    if ttft is not None:
        parts.append(f"first token {_secs(ttft)}")
    elapsed = _diff(s.get("started_at"), s.get("ended_at"))
    if elapsed is not None:
        parts.append(f"elapsed {_secs(elapsed)}")
    u = s.get("usage") or {}
    counts = [
        f"{u[k]} {label}"
        for k, label in (
            ("input_tokens", "in"),
            ("output_tokens", "out"),
            ("total_tokens", "total"),
        )
        if isinstance(u.get(k), int)
    ]
    parts.append("tokens: " + " / ".join(counts) if counts else "usage: n/a")
    if s.get("model"):
        parts.append(str(s["model"]))
    return " · ".join(parts)


def _pretty(value: Any) -> str:
    """A tool's arguments or result as display text: strings as is, JSON pretty-printed."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _tool_args_text(b: dict[str, Any]) -> str:
    if b.get("parse_error") is None and b.get("args") is not None:
        return _pretty(b["args"])
    return str(b.get("arguments") or "")


def _tool_summary(b: dict[str, Any]) -> str:
    state = b.get("state") if b.get("state") in _TOOL_STATES else "unknown"
    bits = [str(state)]
    if b.get("duration_s") is not None:
        bits.append(_secs(b["duration_s"]))
    return " · ".join(bits)


# -- markdown -----------------------------------------------------------------------------

_md_cache: dict[str, MarkdownIt] = {}


def _md(kind: str) -> MarkdownIt:
    """markdown-it instances: "render" (HTML export) and "check" (verify sanitized markdown)."""
    md = _md_cache.get(kind)
    if md is None:
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"html": kind == "check"}).enable(["table", "strikethrough"])
        if kind == "check":
            md.validateLink = lambda url: True  # type: ignore[method-assign]
        else:
            md.validateLink = safe_url  # type: ignore[method-assign]
            md.add_render_rule("link_open", _render_link_open)
            md.add_render_rule("image", _render_image)
        _md_cache[kind] = md
    return md


def _fence(text: str, info: str = "") -> str:
    """A fenced code block that nothing inside ``text`` can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    bar = "`" * max(3, longest + 1)
    return f"{bar}{info}\n{text}\n{bar}"


_CODE_SPAN_OR_TEXT = re.compile(r"(?<![\\`])(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data)(\s*):")
_LINK_TAIL = re.compile(r"\](\(|:)([ \t]*\n?[ \t]*)([^\s)]*)")


def _neutralize(text: str) -> str:
    """Escape HTML, break unsafe links and turn images into links, in non-code text."""

    def fix_link(m: re.Match[str]) -> str:
        dest = m.group(3)
        if dest and safe_url(dest):
            return m.group(0)
        return "]\\" + m.group(1) + m.group(2) + m.group(3)

    text = text.replace("&", "&amp;").replace("<", "&lt;")
    text = re.sub(r"(?<=[^\s>])>", "&gt;", text)  # a leading ">" may be a blockquote marker
    text = _LINK_TAIL.sub(fix_link, text.replace("![", "["))
    return _SCHEME.sub(r"\1\2&#58;", text)  # renders as ":", but no "javascript:" in the text


def _inline(text: str) -> str:
    """Untrusted text for one line of markdown: no HTML, no links, no line structure."""
    return _neutralize(" ".join(text.split())).replace(">", "&gt;")


def _html_inline(text: str) -> str:
    """Untrusted text inside our own HTML tags in markdown (a summary): escaped, one line."""
    return _SCHEME.sub(r"\1\2&#58;", html.escape(" ".join(text.split())))


def _escape_region(text: str, code_spans: bool) -> str:
    if not code_spans:
        return _neutralize(text)
    out, pos = [], 0
    for m in _CODE_SPAN_OR_TEXT.finditer(text):
        if "\n\n" in m.group(0):
            continue
        out.append(_neutralize(text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_neutralize(text[pos:]))
    return "".join(out)


def _sanitize_once(text: str, code_spans: bool) -> str:
    lines = text.split("\n")
    kinds = ["plain"] * len(lines)
    closing = ""
    for tok in _md("check").parse(text):
        if tok.map is None:
            continue
        start, end = tok.map
        if tok.type in ("fence", "code_block"):
            kinds[start:end] = ["code"] * (end - start)
            if tok.type == "fence" and end >= len(lines):
                last = lines[end - 1].lstrip(" >") if end - 1 > start else ""
                if not (last.startswith(tok.markup) and last.strip(tok.markup[0]).strip() == ""):
                    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip(" >-*+"))]
                    closing = re.sub(r"[^\s>]", " ", indent) + tok.markup
        elif tok.type == "inline" and code_spans:
            for i in range(start, end):
                if kinds[i] == "plain":
                    kinds[i] = f"inline{start}"
    out: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j + 1 < len(lines) and kinds[j + 1] == kinds[i]:
            j += 1
        chunk = "\n".join(lines[i : j + 1])
        if kinds[i] == "code":
            out.append(chunk)
        else:
            out.append(_escape_region(chunk, kinds[i].startswith("inline")))
        i = j + 1
    result = "\n".join(out)
    return result + "\n" + closing if closing else result


def _walk(tokens: Sequence[Token]) -> bool:
    for tok in tokens:
        if tok.type in ("html_block", "html_inline", "image"):
            return False
        if tok.type == "link_open" and not safe_url(str(tok.attrGet("href") or "")):
            return False
        if tok.children and not _walk(tok.children):
            return False
    return True


def sanitize_markdown(text: str) -> str:
    """Untrusted markdown → markdown with no raw HTML, no unsafe links and no images."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
    for code_spans in (True, False):
        out = _sanitize_once(text, code_spans)
        if _walk(_md("check").parse(out)):
            return out
    return _fence(text)


def _details(summary: str, body: str) -> str:
    return f"<details>\n<summary>{summary}</summary>\n\n{body}\n\n</details>"


def to_markdown(t: TranscriptBase | dict[str, Any]) -> str:
    """The run as markdown: the answer, thinking and tool calls as ``<details>`` sections."""
    s = _state(t)
    parts: list[str] = []
    if s.get("title"):
        parts.append("### " + _inline(str(s["title"])))
    for b in s.get("blocks", []):
        kind = b.get("type")
        if kind == "text" and b.get("text"):
            body = sanitize_markdown(str(b["text"]))
            parts.append(body if not b.get("refusal") else "**Refused:**\n\n" + body)
        elif kind == "thinking":
            text = "*(redacted)*" if b.get("redacted") and not b.get("text") else b.get("text")
            parts.append(_details("Thinking", sanitize_markdown(str(text or ""))))
        elif kind == "tool":
            name = _html_inline(str(b.get("name") or "tool"))
            summary = f"Tool: <code>{name}</code> ({_html_inline(_tool_summary(b))})"
            sections = ["Arguments:", _fence(_tool_args_text(b), "json")]
            if b.get("parse_error"):
                sections.append("Arguments are not valid JSON: " + _inline(str(b["parse_error"])))
            if b.get("state") in ("done", "error"):
                label = "Error:" if b.get("is_error") else "Result:"
                sections += [label, _fence(_pretty(b["result"]))]
            parts.append(_details(summary, "\n\n".join(sections)))
    error = s.get("error")
    if isinstance(error, dict) and error.get("message"):
        parts.append(f"> **Error:** {_inline(str(error['message']))}")
    parts.append("*" + _inline(status_line(s)) + "*")
    return "\n\n".join(parts) + "\n"


# -- HTML -------------------------------------------------------------------------------


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


# The widget's look (js/src/styles.css) in a few rules: title bar, collapsible panels with
# ✓/✗, section labels, status footer; neutral colours that read on light and dark pages.
_STYLE = """
.nbagent-static{font-family:var(--jp-content-font-family,system-ui,sans-serif);font-size:14px;
  line-height:1.5;color:inherit;border:1px solid rgba(127,127,127,.35);border-radius:6px;
  margin:4px 0;max-width:100%;overflow:hidden;overflow-wrap:anywhere}
.nbagent-static>*{margin-left:12px;margin-right:12px}
.nbagent-static .nba-title{margin:0;padding:6px 12px;font-weight:600;
  border-bottom:1px solid rgba(127,127,127,.35);background:rgba(127,127,127,.08)}
.nbagent-static details{border:1px solid rgba(127,127,127,.35);border-radius:6px;margin:6px 12px;
  padding:0 8px 4px}
.nbagent-static summary{cursor:pointer;padding:4px 0}
.nbagent-static .nba-thinking>div{opacity:.75}
.nbagent-static .nba-thinking>div p{margin:.3em 0}
.nbagent-static .nba-state{font-weight:700;color:#1a7f37}
.nbagent-static .nba-tool-error .nba-state{color:#cf222e}
.nbagent-static .nba-tool-name{font-weight:600}
.nbagent-static .nba-meta{opacity:.65;font-size:.9em}
.nbagent-static pre{background:rgba(127,127,127,.12);padding:6px 8px;border-radius:4px;
  overflow-x:auto;white-space:pre-wrap;margin:4px 0}
.nbagent-static code{font-family:var(--jp-code-font-family,ui-monospace,monospace);font-size:.92em}
.nbagent-static table{border-collapse:collapse}
.nbagent-static th,.nbagent-static td{border:1px solid rgba(127,127,127,.4);padding:2px 6px}
.nbagent-static .nba-label{font-size:.75em;font-weight:600;letter-spacing:.05em;
  text-transform:uppercase;opacity:.7;margin-top:6px}
.nbagent-static .nba-tool-error pre:last-of-type{color:#cf222e;background:rgba(207,34,46,.1)}
.nbagent-static .nba-error{color:#cf222e;border:1px solid #cf222e;border-radius:6px;
  background:rgba(207,34,46,.1);padding:6px 10px}
.nbagent-static .nba-refusal{border-left:3px solid #9a6700;padding-left:8px}
.nbagent-static.nba-prompt{margin-left:20%;padding:6px 10px;white-space:pre-wrap;
  background:rgba(127,127,127,.08)}
.nbagent-static .nba-status{margin:8px 0 0;padding:4px 12px;font-size:.85em;opacity:.85;
  border-top:1px solid rgba(127,127,127,.35);background:rgba(127,127,127,.08)}
.nbagent-static .nba-status-completed{color:#1a7f37}
.nbagent-static .nba-status-error{color:#cf222e}
.nbagent-static .nba-status-cancelled{color:#9a6700}
.nbagent-static .nba-warning{font-size:.85em;color:#9a6700}
""".strip()


def _tool_html(b: dict[str, Any]) -> str:
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
    out.append("</details>")
    return "\n".join(out)


def to_html(t: TranscriptBase | dict[str, Any], standalone: bool = False) -> str:
    """A static, escaped HTML rendering (what shows when widget state is missing)."""
    s = _state(t)
    esc = html.escape
    out = ['<div class="nbagent-static">', f"<style>{_STYLE}</style>"]
    if s.get("title"):
        out.append(f'<div class="nba-title">{esc(str(s["title"]))}</div>')
    for b in s.get("blocks", []):
        kind = b.get("type")
        if kind == "text":
            cls = "nba-text nba-refusal" if b.get("refusal") else "nba-text"
            out.append(f'<div class="{cls}">{render_markdown(str(b.get("text") or ""))}</div>')
        elif kind == "thinking":
            body = render_markdown(str(b.get("text") or ""))
            if b.get("redacted") and not b.get("text"):
                body = "<p><em>redacted</em></p>"
            out.append(
                '<details class="nba-thinking"><summary>Thinking</summary>'
                f"<div>{body}</div></details>"
            )
        elif kind == "tool":
            out.append(_tool_html(b))
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


# -- plain text ---------------------------------------------------------------------------


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_text(t: TranscriptBase | dict[str, Any]) -> str:
    """Plain text: the answer, one line per tool call, then the status line."""
    s = _state(t)
    lines: list[str] = []
    answer = "".join(str(b.get("text") or "") for b in s.get("blocks", []) if b["type"] == "text")
    if answer.strip():
        lines.append(answer.strip())
    for b in s.get("blocks", []):
        if b.get("type") == "tool":
            line = f"[tool] {b.get('name') or 'tool'}({_clip(str(b.get('arguments') or ''), 120)})"
            line += f" {_tool_summary(b)}"
            if b.get("state") in ("done", "error"):
                line += f" → {_clip(_pretty(b.get('result')))}"
            lines.append(line)
    error = s.get("error")
    if isinstance(error, dict) and error.get("message"):
        lines.append(f"error: {error['message']}")
    lines.append(status_line(s))
    return "\n".join(lines)
