"""The static HTML copy reads like the widget (issue 18): tool panels' summaries say what the
widget's say (state, name, arguments on one line, duration), code sits in boxes, no glyph a
page may lack a font for (the state is a word), an error names its type once."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from nbagent import demo
from nbagent.core.events import (
    ErrorEvent,
    RunEnd,
    RunStart,
    TextDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
)
from nbagent.sources.files import load
from nbagent.transcript.export.static_html import _STYLE
from nbagent.transcript.transcript import Transcript

# Pictographs and symbol glyphs (arrows, dingbats such as ✓ ✗ ⚠, emoji): none in the chrome.
# Mathematical operators (U+2200-22FF) are text every font has: "≈ 120 tokens" is an estimate.
GLYPH = re.compile("[\u2190-\u21ff\u2300-\u2bff\U0001f000-\U0001faff]")


def summaries(page: str) -> list[str]:
    found = re.findall(r'<details class="nba-tool[^"]*"(?: open)?><summary>(.*?)</summary>', page)
    return [html.unescape(re.sub(r"<[^>]+>", "", s)) for s in found]


def run_with_every_tool_state() -> Transcript:
    return Transcript.from_events(
        [
            RunStart(ts=0.0),
            ToolCallStart(tool_call_id="a", name="get_weather", ts=0.1),
            ToolCallEnd(tool_call_id="a", arguments='{"city": "Paris", "days": 2}', ts=0.2),
            ToolResult(tool_call_id="a", content="18", ts=0.6),
            ToolCallStart(tool_call_id="b", name="search", ts=0.7),
            ToolCallEnd(tool_call_id="b", arguments="{bad", ts=0.8),
            ToolResult(tool_call_id="b", content="quota", is_error=True, ts=0.9),
            ToolCallStart(tool_call_id="c", name="slow", ts=1.0),
            ToolCallEnd(tool_call_id="c", arguments="{}", ts=1.1),
            TextDelta(message_id="m", delta="```py\nprint(1)\n```"),
            ErrorEvent(message="RuntimeError: backend went away", error_type="RuntimeError"),
            ErrorEvent(message="skipped a chunk", recoverable=True),
            RunEnd(reason="error", message="RuntimeError: backend went away", ts=2.0),
        ]
    )


def test_tool_summaries_say_state_name_arguments_and_time_in_words() -> None:
    shown = summaries(run_with_every_tool_state().to_html())
    assert shown[0].startswith('done get_weather city="Paris", days=2 ')
    assert shown[1].startswith("error search {bad")
    # A call the run ended under is not done (part C marks it cancelled): its word says which.
    assert shown[2].split()[1] == "slow"
    assert shown[2].split()[0] in ("running", "cancelled")


def test_a_failed_call_shows_open_as_the_widgets_panel_does() -> None:
    page = run_with_every_tool_state().to_html()
    tags = re.findall(r'<details class="nba-tool nba-tool-(\w+)"( open)?>', page)
    assert len(tags) == 3
    shown = [(state, bool(opened)) for state, opened in tags]
    assert shown[:2] == [("done", False), ("error", True)]
    assert all(not opened for state, opened in tags if state != "error")


def test_panel_sections_are_headed_as_the_widget_heads_them() -> None:
    page = run_with_every_tool_state().to_html()
    heads = re.findall(r'<div class="nba-label">([^<]*)</div>', page)
    assert heads[:4] == ["Arguments", "Result", "Arguments", "Error"]


def test_a_long_argument_list_is_one_line_cut_as_the_widget_cuts_it() -> None:
    t = Transcript.from_events(
        [
            RunStart(ts=0.0),
            ToolCallStart(tool_call_id="a", name="f", ts=0.1),
            ToolCallEnd(tool_call_id="a", arguments='{"q": "' + "word " * 40 + '"}', ts=0.2),
            RunEnd(reason="completed", ts=1.0),
        ]
    )
    (summary,) = summaries(t.to_html())
    preview = re.search(r'<span class="nba-preview">(.*?)</span>', t.to_html())
    assert preview is not None
    assert len(html.unescape(preview.group(1))) == 80
    assert preview.group(1).endswith("…")
    assert "\n" not in summary


@pytest.mark.parametrize("name", sorted(demo.DEMOS))
def test_no_symbol_glyphs_in_the_static_copy(name: str) -> None:
    page = Transcript.from_events(load(demo.recording(name))).to_html()
    assert GLYPH.findall(page) == []


def test_no_symbol_glyphs_for_errors_warnings_and_every_tool_state() -> None:
    page = run_with_every_tool_state().to_html()
    assert GLYPH.findall(page) == []
    assert '<div class="nba-warning">Warning: skipped a chunk</div>' in page


def test_an_error_names_its_type_once() -> None:
    page = run_with_every_tool_state().to_html()
    assert '<div class="nba-error">Error: RuntimeError: backend went away</div>' in page


@pytest.mark.parametrize(
    ("error", "text"),
    [
        ({"message": "boom", "error_type": "ValueError"}, "Error: boom (ValueError)"),
        ({"message": "Error code: 500", "error_type": "server_error", "code": 500},
         "Error: Error code: 500 (server_error, 500)"),
        ({"message": "RuntimeError: gone", "error_type": "RuntimeError"},
         "Error: RuntimeError: gone"),
    ],
)  # fmt: skip
def test_error_text_is_the_widget_error_box_text(error: dict[str, Any], text: str) -> None:
    """The same rule as js/src/view/view.js's error box (js/test/rerun_copy.test.js)."""
    state = Transcript.from_events([RunStart(ts=0.0), RunEnd(reason="error", ts=1.0)]).to_dict()
    page = Transcript.from_dict(state | {"error": error}).to_html()
    assert f'<div class="nba-error">{text}</div>' in page.replace("&#x27;", "'")


def test_code_sits_in_a_box_and_the_style_stays_one_short_line() -> None:
    page = run_with_every_tool_state().to_html()
    assert "<pre><code" in page
    pre = re.search(r"\.nbagent-static pre\{([^}]*)\}", _STYLE)
    assert pre is not None
    assert "border:" in pre.group(1)
    assert "background:" in pre.group(1)
    assert "\n" not in _STYLE
    assert len(_STYLE) < 2000
