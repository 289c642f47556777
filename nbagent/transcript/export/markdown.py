"""The markdown export (``to_markdown``) and ``sanitize_markdown``: raw HTML from content is
escaped, link destinations other than http(s)/mailto/# are neutralized, images become links;
the result is checked by parsing it again, and if the check fails the content falls back to a
fenced code block. Thinking and tool calls are ``<details>`` sections; a picture or a sound the
model made is an image or a player of its own data (``media.py``)."""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from nbagent.transcript.export.common import (
    DOUBLE_ENCODED,
    _pretty,
    _state,
    _tool_args_text,
    _tool_summary,
    agent_summary,
    double_encoded,
    safe_url,
    scopes,
    status_line,
    tool_label,
)
from nbagent.transcript.export.diffs import Diff, diff_counts, diff_pieces
from nbagent.transcript.export.media import media_markdown
from nbagent.transcript.export.renderer import _md
from nbagent.transcript.export.run_notes import (
    ENCRYPTED,
    activity_json,
    activity_title,
    interrupt_lines,
    interrupt_title,
)
from nbagent.transcript.export.timeline import timeline_markdown

if TYPE_CHECKING:
    from markdown_it.token import Token

    from nbagent.transcript.fold import TranscriptBase

__all__ = ["sanitize_markdown", "to_markdown"]


def _fence(text: str, info: str = "") -> str:
    """A fenced code block that nothing inside ``text`` can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    bar = "`" * max(3, longest + 1)
    return f"{bar}{info}\n{text}\n{bar}"


_BACKTICKS = re.compile(r"`+")
_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data)(\s*):")
_CHAR_REF = re.compile(r"&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_LINK_TAIL = re.compile(r"\](\(|:)([ \t]*\n?[ \t]*)([^\s)]*)")


def _code_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where the code spans of ``text`` are, in order: what the pattern
    ``(?<![\\`])(`+)(.+?)(?<!`)\1(?!`)`` (DOTALL) finds with ``finditer``, in O(n log n): it
    took cubic time on a run of backticks. An opening run not after a backslash, tried at its
    whole length first and then shorter, closes at the first later run of exactly that length
    with a character between them."""
    runs = [(m.start(), m.end() - m.start()) for m in _BACKTICKS.finditer(text)]
    starts_by_length: dict[int, list[int]] = {}
    for start, length in runs:
        starts_by_length.setdefault(length, []).append(start)
    pos = 0
    for start, length in runs:
        if start < pos or (start > 0 and text[start - 1] == "\\"):
            continue
        for k in range(length, 0, -1):
            starts = starts_by_length.get(k, [])
            i = bisect_left(starts, start + k + 1)
            if i < len(starts):
                pos = starts[i] + k
                yield start, pos
                break


def _neutralize(text: str) -> str:
    """Escape HTML, break unsafe links and turn images into links, in non-code text."""

    def fix_link(m: re.Match[str]) -> str:
        dest = m.group(3)
        if dest and safe_url(dest):
            return m.group(0)
        return "]\\" + m.group(1) + m.group(2) + m.group(3)

    # Only an "&" that starts a character reference and a "<" that can start a tag, comment
    # or autolink need escaping: bare ones render as themselves, so TeX's ``a & b`` and
    # ``x < y`` stay as written.
    text = _TAG_START.sub("&lt;", _CHAR_REF.sub(r"&amp;\1", text))
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
    for start, end in _code_spans(text):
        if "\n\n" in text[start:end]:
            continue
        out.append(_neutralize(text[pos:start]))
        out.append(text[start:end])
        pos = end
    out.append(_neutralize(text[pos:]))
    return "".join(out)


def _sanitize_once(text: str, code_spans: bool) -> str:
    lines = text.split("\n")
    kinds = ["plain"] * len(lines)
    closing = ""
    for tok in _md("blocks").parse(text):
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


def _result_markdown(result: Any) -> list[str]:
    """A tool's result in fences; an agent's edits each in a ``diff`` fence (coloured where
    markdown is highlighted) under its file and counts, the other text fenced as text."""
    pieces = diff_pieces(result) if isinstance(result, str) else []
    if not pieces:
        return [_fence(_pretty(result))]
    out: list[str] = []
    for p in pieces:
        if isinstance(p, Diff):
            out.append(f"<code>{_html_inline(p.file or 'file')}</code> {diff_counts([p])}")
            out.append(_fence("\n".join(p.lines), "diff"))
        else:
            out.append(_fence(p))
    return out


def _note_markdown(b: dict[str, Any]) -> str:
    """A note as a quote: its title in bold, its text's lines after (plain text); a
    compaction's summary folded under its title."""
    title = str(b.get("title") or b.get("kind") or "note")
    text = str(b.get("text") or "")
    if b.get("kind") == "compaction" and text:
        return _details(_html_inline(title), _fence(text))
    lines = [f"> **{_inline(title)}**"]
    lines += ("> " + _inline(line) if line.strip() else ">" for line in text.splitlines())
    return "\n".join(lines)


def _blocks_markdown(
    blocks: list[dict[str, Any]], inside: dict[str, list[dict[str, Any]]]
) -> list[str]:
    """The blocks of one scope, each tool call or sub-agent with the blocks inside it."""
    parts: list[str] = []
    for b in blocks:
        kind = b.get("type")
        nested = "\n\n".join(_blocks_markdown(inside.get(str(b.get("id")), []), inside))
        if kind == "text" and b.get("text"):
            body = sanitize_markdown(str(b["text"]))
            parts.append(body if not b.get("refusal") else "**Refused:**\n\n" + body)
        elif kind == "user" and b.get("text"):  # the user's turn: quoted, as plain text
            lines = str(b["text"]).splitlines() or [""]
            parts.append("\n".join("> " + _inline(line) if line.strip() else ">" for line in lines))
        elif kind == "note":
            parts.append(_note_markdown(b))
        elif kind == "media":
            parts.append(media_markdown(b, _inline))
        elif kind == "thinking":
            text = "*(redacted)*" if b.get("redacted") and not b.get("text") else b.get("text")
            if b.get("encrypted") and not text:
                text = f"*({ENCRYPTED})*"
            label = f"Thinking ({ENCRYPTED})" if b.get("encrypted") else "Thinking"
            parts.append(_details(label, sanitize_markdown(str(text or ""))))
        elif kind == "activity":
            shown = [_fence(activity_json(b), "json")]
            if b.get("error"):
                shown.append(_inline(str(b["error"])))
            parts.append(_details(_html_inline(activity_title(b)), "\n\n".join(shown)))
        elif kind == "interrupt":
            lines = [f"**{_inline(interrupt_title(b))}**", *map(_inline, interrupt_lines(b))]
            parts.append("\n".join("> " + line for line in lines))
        elif kind == "tool":
            name = _html_inline(tool_label(b))
            summary = f"Tool: <code>{name}</code> ({_html_inline(_tool_summary(b))})"
            sections = ["Arguments:", _fence(_tool_args_text(b), "json")]
            if b.get("parse_error"):
                sections.append("Arguments are not valid JSON: " + _inline(str(b["parse_error"])))
            elif double_encoded(str(b.get("arguments") or ""), b.get("args")):
                sections.append(DOUBLE_ENCODED)
            if b.get("asked_args") is not None:
                sections += ["Arguments the model asked for:", _fence(_pretty(b["asked_args"]))]
            if b.get("state") in ("done", "error"):
                label = "Error:" if b.get("is_error") else "Result:"
                sections += [label, *_result_markdown(b.get("result"))]
            if nested:
                sections += ["Sub-agent:", nested]
            parts.append(_details(summary, "\n\n".join(sections)))
        elif kind == "agent":
            parts.append(_details("Agent: " + _html_inline(agent_summary(b)), nested))
    return parts


def to_markdown(t: TranscriptBase | dict[str, Any]) -> str:
    """The run as markdown: the answer, thinking and tool calls as ``<details>`` sections."""
    s = _state(t)
    parts: list[str] = []
    if s.get("title"):
        parts.append("### " + _inline(str(s["title"])))
    top, inside = scopes(s.get("blocks", []))
    parts += _blocks_markdown(top, inside)
    error = s.get("error")
    if isinstance(error, dict) and error.get("message"):
        parts.append(f"> **Error:** {_inline(str(error['message']))}")
    timeline = timeline_markdown(s, _inline)  # the model and tool calls' times, when timed
    if timeline:
        parts.append(timeline)
    parts.append("*" + _inline(status_line(t)) + "*")
    return "\n\n".join(parts) + "\n"
