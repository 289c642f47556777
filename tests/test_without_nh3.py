"""Where nh3 cannot be imported (it has no build for the browser's Pyodide: nbagent's
dependency on it is marked so), nbagent imports, runs and exports: the static copy shows as
text, and says so, the formulas and HTML tables it would sanitize with nh3; a tool's HTML table
still goes to the live page, which sanitizes what it shows (js/src/base/purify.js)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

import nbagent
from nbagent.core.data import to_display
from nbagent.core.sanitizer import WITHOUT_NH3, nh3_module
from nbagent.transcript.export import to_html
from nbagent.transcript.export.math import tex_to_mathml
from tests.test_data import HOSTILE_HTML, Html
from tests.test_export import assert_safe_html

TABLE = "<table><tr><th>a</th></tr><tr><td>1</td></tr></table>"


@pytest.fixture
def without_nh3(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``import nh3`` fails, as in Pyodide (the caches that hold what it made are emptied)."""
    monkeypatch.setitem(sys.modules, "nh3", None)  # `import nh3` raises ImportError
    for cache in (nh3_module, tex_to_mathml):
        cache.cache_clear()
    yield
    monkeypatch.undo()
    for cache in (nh3_module, tex_to_mathml):
        cache.cache_clear()


def _run_with(answer: str, display: list[dict[str, object]] | None) -> nbagent.Transcript:
    return nbagent.Transcript.from_events(
        [
            nbagent.TextDelta(message_id="m", delta=answer),
            nbagent.ToolCallStart(tool_call_id="c1", name="table"),
            nbagent.ToolCallEnd(tool_call_id="c1", arguments="{}"),
            nbagent.ToolResult(tool_call_id="c1", content="a table", display=display),
        ]
    )


def test_the_static_copy_shows_formulas_and_tables_as_text_and_says_why(without_nh3: None) -> None:
    assert nh3_module() is None
    shown = to_display(Html(TABLE))
    assert shown is not None
    page = to_html(_run_with("The area is $\\pi r^2$.", shown.bundles))
    assert "<math" not in page
    assert f'<code class="nb-math nb-math-error" title="{WITHOUT_NH3}">\\pi r^2</code>' in page
    assert "<th>a</th>" not in page  # the tool's table (the timeline has one of its own)
    assert f'<pre><code>Html()</code></pre><div class="nba-meta">{WITHOUT_NH3}</div>' in page
    assert_safe_html(page)


def test_with_nh3_the_same_run_has_mathml_and_its_table() -> None:
    shown = to_display(Html(TABLE))
    assert shown is not None
    page = to_html(_run_with("The area is $\\pi r^2$.", shown.bundles))
    assert "<math" in page
    assert "<table><tbody><tr><th>a</th>" in page
    assert WITHOUT_NH3 not in page


@pytest.mark.parametrize("html", HOSTILE_HTML)
def test_a_hostile_table_goes_to_the_page_as_it_came_and_never_into_the_static_copy(
    without_nh3: None, html: str
) -> None:
    shown = to_display(Html(html))
    if "<table" not in html:
        assert shown is None
        return
    assert shown is not None
    # The live page sanitizes it (js/src/base/purify.js: no script, image, style, button...).
    assert shown.bundles[0]["data"]["text/html"] == html
    page = to_html(_run_with("ok", shown.bundles))
    assert "__pwned" not in page
    assert "beacon.test" not in page
    assert_safe_html(page)


def test_nbagent_imports_and_exports_where_nh3_cannot_be_imported() -> None:
    code = (
        "import sys; sys.modules['nh3'] = None\n"
        "import nbagent\n"
        "t = nbagent.Transcript.from_events([nbagent.TextDelta(message_id='m', delta='$x^2$')])\n"
        "from nbagent.transcript.export import to_html\n"
        "print(to_html(t))\n"
        "print('nh3' in sys.modules and sys.modules['nh3'] is not None)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert WITHOUT_NH3 in out
    assert out.strip().endswith("False")
