"""The exports of a coding agent's run (ACP, nbagent/adapters/acp/) show what the widget's acp
chunk does (js/src/panels/acp_view.js): a result's diffs with their file and the lines they add and
remove, lines coloured, folded past the widget's line count; the context window's words and
gauge on the status line. Runs go through the adapter from session/update items, as a real
agent's."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
import pytest

from nbagent.adapters.acp import AcpAdapter
from nbagent.transcript.export.diffs import DIFF_LINES, DIFF_STYLE, diff_pieces
from nbagent.transcript.export.static_html import _GAUGE_STYLE, _STYLE
from nbagent.transcript.export.status import context_words
from nbagent.transcript.transcript import Transcript
from tests.adapter_harness import fixture_items, transcript_of
from tests.test_export import BAD_TAGS, VOID

FIXTURES = Path(__file__).parent / "fixtures" / "acp"


def _update(**update: Any) -> dict[str, Any]:
    return {"sessionId": "s", "update": update}


def _edit(call: str, path: str, old: str | None, new: str) -> list[dict[str, Any]]:
    """A finished edit call whose content is one diff (``old`` None: a new file)."""
    diff = {"type": "diff", "path": path, "oldText": old, "newText": new}
    return [
        _update(sessionUpdate="tool_call", toolCallId=call, title="Edit", kind="edit"),
        _update(sessionUpdate="tool_call_update", toolCallId=call, status="completed",
                content=[diff]),
    ]  # fmt: skip


def _run(*items: dict[str, Any], usage: dict[str, Any] | None = None) -> Transcript:
    tail = [_update(sessionUpdate="usage_update", **usage)] if usage else []
    t, _ = transcript_of(AcpAdapter(), [*items, *tail, {"stopReason": "end_turn"}])
    return t


def _between(html: str, start: str, end: str) -> str:
    i = html.index(start)
    return html[i : html.index(end, i)]


def test_an_edit_shows_its_file_counts_and_coloured_lines() -> None:
    t, _ = transcript_of(AcpAdapter(), fixture_items(FIXTURES / "edit_turn.jsonl"))
    html = t.to_html()
    diff = _between(html, '<div class="nba-diff">', "</pre>")
    head = '<code>/home/ada/proj/clean.py</code> <span class="nba-diff-add">+1</span> '
    assert head + '<span class="nba-diff-del">\u22121</span>' in diff
    assert "<del>-    return int(x)\n</del><ins>+    return float(x)\n</ins>" in diff
    assert "<i>--- /home/ada/proj/clean.py\n+++ /home/ada/proj/clean.py\n@@" in diff
    assert "\n def parse(x):\n" in diff  # a context line: bare text
    summary = _between(html, '<code class="nba-tool-name">Edit</code>', "</summary>")
    assert '<span class="nba-meta">+1 \u22121</span>' in summary
    # The run's other call has no diff: its result is its text, as before.
    assert "<pre><code>3 passed</code></pre>" in html
    assert DIFF_STYLE in html
    # The text exports count the edit too, and markdown fences it as a diff.
    assert "[tool] Edit(" in t.to_text()
    assert "done · +1 \u22121 · " in t.to_text()
    md = t.to_markdown()
    assert "(done · +1 \u22121 · " in md
    assert "<code>/home/ada/proj/clean.py</code> +1 \u22121\n\n```diff\n--- " in md
    assert "\n-    return int(x)\n+    return float(x)\n```" in md


def test_a_new_file_is_all_added_and_named_by_its_new_path() -> None:
    t = _run(*_edit("c1", "/p/new.py", None, "a = 1\nb = 2\n"))
    html = t.to_html()
    head = _between(html, '<div class="nba-diff-head">', "</div>")
    assert "<code>/p/new.py</code>" in head
    assert '<span class="nba-diff-add">+2</span>' in head
    assert '<span class="nba-diff-del">\u22120</span>' in head
    assert (
        "<i>--- /dev/null\n+++ /p/new.py\n@@ -0,0 +1,2 @@\n</i><ins>+a = 1\n+b = 2\n</ins>" in html
    )
    # A deletion (the new side /dev/null) is named by its old path.
    (gone,) = diff_pieces("```diff\n--- a/old.py\n+++ /dev/null\n-x\n```")
    assert not isinstance(gone, str)
    assert (gone.file, gone.add, gone.delete) == ("a/old.py", 0, 1)


def test_a_long_diff_folds_past_the_widgets_lines_without_script() -> None:
    new = "".join(f"line {i}\n" for i in range(40))
    html = _run(*_edit("c1", "/p/long.py", None, new)).to_html()
    diff = _between(html, '<div class="nba-diff">', "</details></div>")
    shown = _between(diff, "<pre>", "</pre>")
    fold = diff[diff.index("<details>") :]
    lines = 3 + 40  # ---, +++, @@, then the file's lines
    assert f"<summary>Show all ({lines} lines)</summary>" in fold
    # The first DIFF_LINES lines above the fold, the rest in it, each once, in order.
    assert shown.count("\n") == DIFF_LINES
    assert "+line 8\n" in shown
    assert "+line 9\n" not in shown
    assert "+line 9\n" in fold
    assert "+line 39\n" in fold
    assert "+line 8\n" not in fold
    assert "<script" not in html
    assert "onclick" not in html
    assert "<button" not in html
    # A short diff has no fold.
    short = _run(*_edit("c1", "/p/s.py", None, "x\n")).to_html()
    assert "Show all" not in short
    assert "<details><summary>" not in short


def test_a_diff_is_escaped_text() -> None:
    hostile = '<script>alert(1)</script>\n<img src=x onerror="alert(2)">\n'
    html = _run(*_edit("c1", '/p/<b>"x".py', "safe\n", hostile)).to_html()
    assert "<script" not in html
    assert "<img" not in html
    assert "<b>" not in html
    assert "<ins>+&lt;script&gt;alert(1)&lt;/script&gt;\n+&lt;img src=x onerror=" in html
    assert '<code>/p/&lt;b&gt;&quot;x&quot;.py</code> <span class="nba-diff-add">+2</span>' in html
    # A fence opened by hand in a line is text inside the diff, not markup.
    piece = "```diff\n+</pre></div><script>x()</script>\n```"
    html = _run(
        _update(sessionUpdate="tool_call", toolCallId="c", title="t", status="completed",
                content=[{"type": "content", "content": {"type": "text", "text": piece}}]),
    ).to_html()  # fmt: skip
    assert "<ins>+&lt;/pre&gt;&lt;/div&gt;&lt;script&gt;x()&lt;/script&gt;\n</ins>" in html


def test_text_around_diffs_stays_and_an_unclosed_fence_shows_what_came() -> None:
    text = "Edited two files.\n\n```diff\n--- a/x\n+++ b/x\n-1\n+2\n```\n\nand\n```diff\n+3\n"
    html = _run(
        _update(sessionUpdate="tool_call", toolCallId="c", title="t", status="completed",
                content=[{"type": "content", "content": {"type": "text", "text": text}}]),
    ).to_html()  # fmt: skip
    result = html[html.index('<div class="nba-label">Result</div>') :]
    assert result.index("<pre><code>Edited two files.</code></pre>") < result.index("<code>b/x")
    assert result.index("<code>b/x</code>") < result.index("<pre><code>and</code></pre>")
    assert result.count('<div class="nba-diff">') == 2
    assert '<code>file</code> <span class="nba-diff-add">+1</span>' in result  # no headers
    assert '<span class="nba-meta">+2 \u22121</span>' in html  # both diffs, in the summary


def test_the_context_gauge_and_session_cost_on_the_status_line() -> None:
    usage = {"used": 1200, "size": 200000, "cost": {"amount": 0.045, "currency": "USD"}}
    t = _run(usage=usage)
    html = t.to_html()
    status = _between(html, '<div class="nba-status', "</div>")
    assert "· $0.045 · " in status  # the session's cost, as the widget's status line
    gauge = '<meter min="0" max="200000" value="1200" title="context window"></meter>'
    assert f' · <span class="nba-gauge">{gauge} 1,200 / 200,000 tokens (1%)</span>' in status
    assert _GAUGE_STYLE in html
    assert DIFF_STYLE not in html
    # Without the element (GitHub's sanitizer drops it) the words remain.
    assert "1,200 / 200,000 tokens (1%)" in re.sub(r"<[^>]+>", "", status)
    # The text exports say the same words on their status line.
    assert t.to_text().endswith("$0.045 · 1,200 / 200,000 tokens (1%)")
    assert "$0.045 · 1,200 / 200,000 tokens (1%)*" in t.to_markdown()


def test_a_context_with_no_size_has_words_and_no_gauge() -> None:
    html = _run(usage={"used": 53000}).to_html()
    status = _between(html, '<div class="nba-status', "</div>")
    assert '<span class="nba-gauge">53,000 tokens in context</span>' in status
    assert "<meter" not in html
    assert _GAUGE_STYLE not in html
    # Over full: the words say so, the meter stops at its end.
    html = _run(usage={"used": 250000, "size": 200000}).to_html()
    assert 'max="200000" value="200000"' in html
    assert "250,000 / 200,000 tokens (125%)" in html


def test_a_run_without_them_carries_neither_style() -> None:
    t, _ = transcript_of(AcpAdapter(), fixture_items(FIXTURES / "plan_and_quiet.jsonl"))
    html = t.to_html()
    assert "nba-diff" not in html
    assert "nba-gauge" not in html
    assert DIFF_STYLE not in html
    assert _GAUGE_STYLE not in html


def _fence(lines: list[str]) -> str:
    return "\n".join(["```diff", *lines, "```"])


def test_diffs_and_gauge_words_read_as_the_widgets() -> None:
    """The cases of js/test/acp.test.js's "a unified diff" and "the context gauge"."""
    head = ["--- /work/a.py", "+++ /work/a.py", "@@ -1,3 +1,3 @@"]
    edit = _fence([*head, " import os", "-x = 1", "+x = 2", "+y = 3"])
    pieces = diff_pieces(f"Edited the file.\n\n{edit}\n\nDone.")
    assert [p if isinstance(p, str) else "diff" for p in pieces] == [
        "Edited the file.",
        "diff",
        "Done.",
    ]
    d = pieces[1]
    assert not isinstance(d, str)
    assert (d.file, d.add, d.delete, len(d.lines)) == ("/work/a.py", 2, 1, 7)
    (big,) = diff_pieces("\n".join(["```diff", "--- big", "+++ big", *["+<", "-`"] * 50_000]))
    assert not isinstance(big, str)
    assert (big.file, big.add, big.delete) == ("big", 50_000, 50_000)  # unclosed: what came
    assert len(diff_pieces(_fence(["--- a", "+++ a", "+```diffx"]))) == 1
    assert diff_pieces("no fence here") == []
    assert diff_pieces("a ```diff inline") == []  # no fence line: the result stays its text
    assert context_words({"context": {"used": 12_345, "size": 200_000}}) == (
        "12,345 / 200,000 tokens (6%)"
    )
    assert context_words({"context": {"used": 5000, "size": None}}) == "5,000 tokens in context"
    assert context_words({"context": {"used": "5", "size": 1}}) == ""
    assert context_words({"context": None}) == ""
    assert context_words({}) == ""


class _Tree(HTMLParser):
    """Every element's tag, attributes and open ancestors; an end tag must close the element
    open last (the copy nests: a page shows it as written)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.seen: list[tuple[str, list[str], dict[str, str | None]]] = []
        self.style = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, list(self.open), dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open[-1:] == [tag], f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open[-1:] == ["style"]:
            self.style += data


def test_the_copy_nests_and_carries_only_its_own_markup() -> None:
    hostile = '</pre></div></details><script>alert(1)</script><meter value="1">'
    new = "".join(f"{hostile} {i}\n" for i in range(30))
    usage = {"used": 1200, "size": 200000}
    tree = _Tree()
    tree.feed(_run(*_edit("c1", f"/p/{hostile}.py", "old\n", new), usage=usage).to_html())
    tree.close()
    assert tree.open == []
    assert tree.style == _STYLE + DIFF_STYLE + _GAUGE_STYLE  # one <style>, nbagent's own
    timeline = [a for t, _, a in tree.seen if t == "svg"]  # the timeline's own drawing
    assert timeline == [{**timeline[0], "class": "nba-timeline-svg"}]
    assert not {tag for tag, above, _ in tree.seen if "svg" not in above} & BAD_TAGS - {"svg"}
    meters = [attrs for tag, _, attrs in tree.seen if tag == "meter"]
    assert meters == [{"min": "0", "max": "200000", "value": "1200", "title": "context window"}]
    for tag, above, attrs in tree.seen:
        assert not any(name.startswith("on") or name == "style" for name in attrs), (tag, attrs)
        if tag in ("ins", "del", "i") and "nba-diff" not in str(attrs):
            assert above[-2:] in (["div", "pre"], ["details", "pre"]), (tag, above)
    lines = [attrs for tag, _, attrs in tree.seen if tag in ("ins", "del")]
    assert len(lines) == 3  # the removed line, the first added ones, the rest in the fold


def test_nbconvert_shows_the_copy_as_written() -> None:
    """nbconvert's HTML (no kernel, no widget) carries the diff, the gauge and their style."""
    nbconvert = pytest.importorskip("nbconvert", reason="needs nbconvert (the dev extra)")
    t = _run(*_edit("c1", "/p/a.py", "x\n", "<script>y</script>\n"), usage={"used": 1, "size": 4})
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("run")
    data = {"text/html": t.to_html(), "text/plain": t.to_text()}
    cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
    nb.cells = [cell]
    page, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    copy = page[page.index('<div class="nbagent-static">') :]
    assert "<del>-x\n</del><ins>+&lt;script&gt;y&lt;/script&gt;\n</ins>" in copy
    # nbconvert writes the elements again (attributes in order of name): the same ones.
    gauge = '<meter max="4" min="0" title="context window" value="1"></meter> 1 / 4 tokens (25%)'
    assert f'<span class="nba-gauge">{gauge}</span>' in copy
    assert DIFF_STYLE + _GAUGE_STYLE in copy
    assert "<script>y" not in page
