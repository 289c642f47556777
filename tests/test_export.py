"""Exports: hostile content (rendering.md §5) never becomes markup, scripts or beacons."""

from __future__ import annotations

import base64
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from markdown_it import MarkdownIt

from nbagent.core.events import (
    ErrorEvent,
    RunEnd,
    RunStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
    Usage,
)
from nbagent.pipeline.normalize import Normalizer
from nbagent.transcript import export as export
from nbagent.transcript.export.diffs import DIFF_STYLE
from nbagent.transcript.export.math import MATHML_ATTRIBUTES, MATHML_TAGS
from nbagent.transcript.export.static_html import _GAUGE_STYLE, _SOME_STYLES
from nbagent.transcript.transcript import Transcript
from tests.strategies import event_sequences, texts

FIXTURES = Path(__file__).parent / "fixtures"
HOSTILE: list[str] = json.loads((FIXTURES / "hostile.json").read_text())
HOSTILE_MATH: list[str] = json.loads((FIXTURES / "hostile_math.json").read_text())
EXTRA = [
    "\\`<img src=x onerror=1>`",
    "x `y\n`<img src=x onerror=1>` z",
    "[x]: javascript:a\n    <script>alert(1)</script>",
    "> ```\n> <script>alert(1)</script>",
    "- ```\n  <script>alert(1)</script>",
    "[a](\njavascript:alert(1))",
    "[a](<javascript:alert(1)>)",
    "<svg onload=alert(1)>",
    "<iframe src=https://beacon.test></iframe>",
    "&lt;script&gt; &#60;img src=x onerror=1&#62;",
]
ALL = HOSTILE + HOSTILE_MATH + EXTRA
BAD_TAGS = {
    *("script", "img", "svg", "iframe", "frame", "button", "object", "embed", "link"),
    *("meta", "base", "form", "input", "video", "audio", "source", "template", "textarea"),
    "select",
}
SAFE_HREF = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)
VOID = {"br", "hr", "input", "img", "meta", "link", "wbr", "col", "area", "base", "source"}
# nbagent's own math containers (rendering.md §5: math only as nbagent's own MathML)
MATH_PARENTS = {("span", "nb-math"), ("div", "nb-math nb-math-display")}


class Collector(HTMLParser):
    """Every start tag, the text of ``<style>``, and each tag's open ancestors: ``math`` only
    in nbagent's math containers, and inside it only allow-listed MathML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.style_text: list[str] = []
        self.maths = 0
        self._in_style = False
        self._open: list[tuple[str, str]] = []

    def _check_math(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        in_math = any(t == "math" for t, _ in self._open)
        if tag == "math":
            assert not in_math, "math inside math"
            assert self._open[-1:] in ([p] for p in MATH_PARENTS), f"math in {self._open[-1:]}"
            self.maths += 1
        if in_math or tag == "math":
            assert tag in MATHML_TAGS, f"<{tag}> inside math"
            for name, _ in attrs:
                assert name in MATHML_ATTRIBUTES[tag], f"{name} on <{tag}> inside math"
        else:
            assert tag not in MATHML_TAGS, f"<{tag}> outside math"

    def handle_starttag(self, tag, attrs):
        self._check_math(tag, attrs)
        self.tags.append((tag, attrs))
        self._in_style = tag == "style"
        if tag not in VOID:
            self._open.append((tag, dict(attrs).get("class") or ""))

    def handle_startendtag(self, tag, attrs):
        self._check_math(tag, attrs)
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag):
        self._in_style = False
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._in_style:
            self.style_text.append(data)


OWN_RULES = (DIFF_STYLE, _GAUGE_STYLE, *(rule for _, rule in _SOME_STYLES))  # some runs' only


def _own_timeline_svg(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """The timeline nbagent draws (issue 19): an ``<svg>`` of its own class, whose attributes
    tests/test_timeline.py checks to carry no text of the run."""
    return tag == "svg" and dict(attrs).get("class") == "nba-timeline-svg"


# A picture or a sound the model made, as nbagent writes it (rendering.md §5): base64 whose
# first bytes are its type's (written here on their own, as tests/browser/bare/check.js does,
# so that a looser check in nbagent fails here).
_MEDIA_SRC = re.compile(r"data:(image|audio)/([a-z0-9]+);base64,([A-Za-z0-9+/]+={0,2})")
_MEDIA_MAGIC: dict[tuple[str, str], re.Pattern[bytes]] = {
    ("image", "png"): re.compile(rb"\x89PNG\r\n\x1a\n"),
    ("image", "jpeg"): re.compile(rb"\xff\xd8\xff"),
    ("image", "gif"): re.compile(rb"GIF8[79]a"),
    ("image", "webp"): re.compile(rb"RIFF.{4}WEBP", re.DOTALL),
    ("audio", "wav"): re.compile(rb"RIFF.{4}WAVE", re.DOTALL),
    ("audio", "mpeg"): re.compile(rb"ID3|\xff[\xe2-\xe7\xea-\xef\xf2-\xf7\xfa-\xff]"),
    ("audio", "ogg"): re.compile(rb"OggS"),
    ("audio", "webm"): re.compile(rb"\x1aE\xdf\xa3"),
    ("audio", "flac"): re.compile(rb"fLaC"),
}
_MEDIA_ATTRS = {
    "img": ("nba-media-image", {"class", "src", "width", "height", "alt", "title"}),
    "audio": ("nba-media-audio", {"class", "controls", "preload", "src"}),
}


def _own_media(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """An ``<img>`` or ``<audio>`` of nbagent's media block: its own class, only its own
    attributes, a ``data:`` URL of an allowed type whose first bytes are that type's."""
    if tag not in _MEDIA_ATTRS:
        return False
    cls, allowed = _MEDIA_ATTRS[tag]
    a = dict(attrs)
    if a.get("class") != cls or not set(a) <= allowed:
        return False
    m = _MEDIA_SRC.fullmatch(a.get("src") or "")
    if m is None or m[1] != {"img": "image", "audio": "audio"}[tag]:
        return False
    head = base64.b64decode(m[3][:16])
    magic = _MEDIA_MAGIC.get((m[1], m[2]))
    return magic is not None and magic.match(head) is not None


def assert_safe_html(markup: str, *, own_style: bool = True) -> None:
    p = Collector()
    p.feed(markup)
    p.close()
    styles = [t for t, _ in p.tags if t == "style"]
    assert len(styles) == (1 if own_style else 0), "only nbagent's own <style>"
    if own_style:
        style = "".join(p.style_text).strip()  # nbagent's, then its rules for what it has
        assert style.startswith(export._STYLE)
        rest = style.removeprefix(export._STYLE)
        for rule in OWN_RULES:
            rest = rest.replace(rule, "", 1)
        assert rest == "", rest
        assert "@import" not in style
        assert "url(" not in style
    for tag, attrs in p.tags:
        own_media = _own_media(tag, attrs)
        assert tag not in BAD_TAGS or _own_timeline_svg(tag, attrs) or own_media, (
            f"<{tag}> in output"
        )
        for name, value in attrs:
            assert not name.startswith("on"), f"{name} on <{tag}>"
            assert name not in ("style", "srcset", "formaction", "action")
            assert name != "src" or own_media, f"src on <{tag}>"
            assert not name.startswith("data-")
            if name == "href":
                assert SAFE_HREF.match(value or ""), f"href={value!r}"
            if tag == "a" and name == "rel":
                assert value == "noopener noreferrer nofollow"


def transcript_with(content: str) -> Transcript:
    """The hostile string everywhere: answer, thinking, tool name, args, result, errors."""
    n = Normalizer(clock=lambda: 10.0)
    events = [
        RunStart(title=content, model=content),
        ThinkingDelta(message_id="t", delta=content),
        TextDelta(message_id="m", delta=content),
        ToolCallStart(tool_call_id="c1", name=content),
        ToolCallArgsDelta(tool_call_id="c1", delta='{"q": ' + repr(content) + "}"),
        ToolCallEnd(tool_call_id="c1"),
        ToolResult(tool_call_id="c1", content=content),
        ToolCallStart(tool_call_id="c2", name="ok"),
        ToolCallEnd(tool_call_id="c2", arguments='{"q": "' + content.replace('"', '\\"') + '"}'),
        ToolResult(tool_call_id="c2", content={"k": content}, is_error=True),
        ToolCallStart(tool_call_id="c3", name="bad"),
        ToolCallEnd(tool_call_id="c3", arguments=content),
        ToolResult(tool_call_id="c3", content=content, is_error=True),
        TextDelta(message_id="m2", delta=content, refusal=True),
        ErrorEvent(message=content, recoverable=True),
        Usage(input_tokens=1, output_tokens=2),
        ErrorEvent(message=content, error_type=content),
    ]
    out = []
    for ev in events:
        out += n.feed(ev)
    return Transcript.from_events(out + n.finish())


def strip_fenced_code(md: str) -> str:
    """The markdown outside fenced/indented code blocks (where text is literal)."""
    lines = md.split("\n")
    keep = [True] * len(lines)
    for tok in MarkdownIt("commonmark").parse(md):
        if tok.type in ("fence", "code_block") and tok.map:
            for i in range(*tok.map):
                keep[i] = False
    return "\n".join(line for line, k in zip(lines, keep, strict=True) if k)


@pytest.mark.parametrize("content", ALL)
def test_html_is_safe(content):
    t = transcript_with(content)
    assert_safe_html(t.to_html())
    page = t.to_html(standalone=True)
    assert page.startswith("<!DOCTYPE html>")
    head, body = page.split("<body>", 1)
    assert_safe_html(body)
    p = Collector()
    p.feed(head)
    assert {tag for tag, _ in p.tags} == {"html", "head", "meta", "title"}
    assert head.count("<meta") == 3
    assert "<script" not in page.lower()


@pytest.mark.parametrize("content", ALL)
def test_markdown_is_safe(content):
    md = export.to_markdown(transcript_with(content).to_dict())
    # a permissive renderer (raw HTML on) must produce nothing dangerous from it
    rendered = (
        MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(md)
    )
    assert_safe_html(rendered, own_style=False)
    outside = strip_fenced_code(md).lower()
    for needle in (
        "<script",
        "<img",
        "javascript:",
        "vbscript:",
        "<svg",
        "<iframe",
        "<style",
        "<math",
    ):
        assert needle not in outside, needle
    for tok in MarkdownIt("commonmark", {"html": True}).parse(md):
        for child in tok.children or []:
            assert child.type != "image"


@pytest.mark.parametrize("content", ALL)
def test_sanitize_markdown_alone(content):
    md = export.sanitize_markdown(content)
    rendered = MarkdownIt("commonmark", {"html": True}).render(md)
    assert_safe_html(rendered, own_style=False)


@given(texts, texts)
@settings(max_examples=200, deadline=None)
def test_sanitize_markdown_fuzz(a, b):
    for content in (a + b, a + "<img src=x onerror=1>" + b, f"`{a}`<script>{b}"):
        rendered = MarkdownIt("commonmark", {"html": True}).render(
            export.sanitize_markdown(content)
        )
        assert_safe_html(rendered, own_style=False)


@given(event_sequences())
@settings(max_examples=100, deadline=None)
def test_exports_never_fail(events):
    n = Normalizer()
    out = [e for ev in events for e in n.feed(ev)] + n.finish()
    t = Transcript.from_events(out)
    assert_safe_html(t.to_html())
    assert t.to_markdown().endswith("\n")
    assert t.to_text()


def test_markdown_keeps_good_markdown():
    answer = (
        "# Title\n\nSome **bold**, `Vec<T>` and a [link](https://example.com/?a=1&b=2).\n\n"
        "> quoted\n\n```python\nif a < b and c > d:\n    pass\n```\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    t = Transcript.from_events(
        [RunStart(ts=1.0), TextDelta(message_id="m", delta=answer, ts=1.5), RunEnd(ts=3.0)]
    )
    md = t.to_markdown()
    assert "`Vec<T>`" in md
    assert "[link](https://example.com/?a=1&b=2)" in md  # a bare "&" stays as written
    assert "> quoted" in md
    assert "if a < b and c > d:" in md
    html = t.to_html()
    assert '<a href="https://example.com/?a=1&amp;b=2" rel="noopener noreferrer nofollow"' in html
    assert "<table>" in html
    assert "<code>Vec&lt;T&gt;</code>" in html
    assert "<h1>Title</h1>" in html


def test_markdown_neutralizes_links_and_images():
    md = export.sanitize_markdown("[a](javascript:alert(1)) ![img](https://beacon.test/p.png) <b>")
    assert "](javascript" not in md
    assert "![" not in md
    assert "[img](https://beacon.test/p.png)" in md
    assert "&lt;b&gt;" in md


def test_markdown_closes_unterminated_fence():
    md = export.sanitize_markdown("Intro\n\n```python\nprint('<b>')")
    tokens = MarkdownIt("commonmark").parse(md + "\n\nafter")
    assert [t.type for t in tokens if t.type in ("fence", "paragraph_open")] == [
        "paragraph_open",
        "fence",
        "paragraph_open",
    ]


def test_markdown_sections():
    t = Transcript.from_events(
        [
            *Normalizer(clock=lambda: 1.0).feed(ThinkingDelta(message_id="t", delta="hmm")),
            ToolCallStart(tool_call_id="c", name="get_weather", ts=1.0),
            ToolCallEnd(tool_call_id="c", arguments='{"city": "```Paris```"}', ts=1.0),
            ToolResult(tool_call_id="c", content="18°C", ts=1.5),
            TextDelta(message_id="m", delta="It is 18°C.", ts=2.0),
            RunEnd(ts=2.0),
        ]
    )
    md = t.to_markdown()
    assert "<details>\n<summary>Thinking</summary>\n\nhmm\n\n</details>" in md
    assert "<summary>Tool: <code>get_weather</code> (done · 0.50 s)</summary>" in md
    assert '````json\n{\n  "city": "```Paris```"\n}\n````' in md
    assert "It is 18°C." in md
    assert md.rstrip().endswith("*")


def test_html_tool_and_status():
    t = Transcript.from_events(
        [
            RunStart(ts=0.0, model="gpt-x"),
            ToolCallStart(tool_call_id="c", name="search", ts=0.5),
            ToolCallEnd(tool_call_id="c", arguments="{bad", ts=1.0),
            ToolResult(tool_call_id="c", content="quota exceeded", is_error=True, ts=1.25),
            Usage(input_tokens=10, output_tokens=5),
            RunEnd(reason="max_tokens", ts=2.0),
        ]
    )
    h = t.to_html()
    assert '<details class="nba-tool nba-tool-error" open>' in h
    assert '<span class="nba-state">error</span> <code class="nba-tool-name">search</code>' in h
    assert '<div class="nba-status nba-status-completed">' in h
    assert "not valid JSON" in h
    assert "quota exceeded" in h
    assert "0.25 s" in h  # as the widget writes durations, never "250 ms"
    line = "completed (max tokens) · 2.0 s · 15 tokens · gpt-x"  # no "—" for what is unknown
    assert f'<div class="nba-status nba-status-completed">{line}</div>' in h
    # The widget's folded details, always there in the copy.
    assert (
        '<details class="nba-details"><summary>Details</summary>'
        "<div>in 10 · out 5 · total 15 tokens</div><div>5 output tokens</div>"
        "</details>"
    ) in h
    text = t.to_text()
    assert "[tool] search({bad) error · 0.25 s → quota exceeded" in text
    assert text.splitlines()[-1] == line


def test_a_brief_copy_leaves_out_details_without_usage():
    """A chat's turn (``brief``): its folded Details only when they hold a usage; without
    one they repeat the status line's numbers in words."""
    events = [RunStart(ts=0.0), TextDelta(message_id="m", delta="Hi", ts=1.0)]
    bare = Transcript.from_events([*events, RunEnd(ts=2.0)])
    counted = Transcript.from_events(
        [*events, Usage(input_tokens=3, output_tokens=1), RunEnd(ts=2.0)]
    )
    details = '<details class="nba-details"><summary>Details</summary>'
    assert details in export.to_html(bare)
    brief = export.to_html(bare, brief=True)
    assert details not in brief
    assert brief == export.to_html(bare).replace(
        f"\n{details}<div>usage not reported</div>"
        "<div>≈ 1 output token (one per streamed chunk) in 1.00 s of generation</div></details>",
        "",
    )
    assert details in export.to_html(counted, brief=True)


def test_running_status_without_usage():
    t = Transcript.from_events([RunStart(ts=0.0)])
    assert export.status_line(t) == "waiting for the first token · 0.0 s"
    assert export.status_line(t, now=3.5) == "waiting for the first token · 3.5 s"
    t.apply(TextDelta(message_id="m", delta="Hi", ts=4.0))
    assert export.status_line(t, now=4.5) == "running · first token 4.00 s · 4.5 s"


def test_a_servers_error_page_is_one_line_on_the_status_line_and_whole_below():
    """Issue 49: a 500's body filled 12 lines of the status line. Every export's status line
    has the class and first line; the error box (HTML), quote (markdown) and error line
    (text) keep the whole page."""
    page = "\n".join(f"<p>llama_decode failed at step {i}</p>" for i in range(12))
    message = f"InternalServerError: Error code: 500 - \n{page}"
    t = Transcript.from_events(
        [
            RunStart(ts=0.0),
            TextDelta(message_id="m", delta="partial", ts=0.5),
            ErrorEvent(message=message, error_type="server_error", code=500, ts=1.0),
            RunEnd(reason="error", ts=1.0),
        ]
    )
    line = "error: InternalServerError: Error code: 500 - · first token 0.50 s · 1.0 s"
    assert export.status_line(t) == line
    h = t.to_html()
    assert f'<div class="nba-status nba-status-error">{html.escape(line)}</div>' in h
    assert html.escape(page) in h  # the error box: the whole page, escaped
    assert t.to_markdown().count("llama_decode failed") == 12
    text = t.to_text().splitlines()
    assert line in text
    assert sum("llama_decode failed" in x for x in text) == 12


def test_safe_url():
    for ok in ("https://a.b", "HTTP://x", "mailto:a@b.c", "#frag"):
        assert export.safe_url(ok)
    for bad in (
        "javascript:x",
        " javascript:x",
        "java\tscript:x",
        "java&#x09;script:x",
        "data:x",
        "",
        "/rel",
        "vbscript:x",
        "%6Aavascript:x",
    ):
        assert not export.safe_url(bad), bad


def test_exports_from_a_state_dict():
    t = Transcript.from_events(
        [RunStart(), TextDelta(message_id="m", delta="hi"), RunEnd(reason="cancelled")]
    )
    d = t.to_dict()
    assert export.to_html(d) == t.to_html()
    assert export.to_markdown(d) == t.to_markdown()
    assert export.to_text(d) == t.to_text()
    assert "cancelled" in t.to_text()
